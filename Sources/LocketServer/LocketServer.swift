#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketProtocol
import LocketStore
import LocketSync
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The daemon: the one owner of its life. `start()` starts its parts in order
/// (see `startServices`), the vault opened among them; `shutdown()` stops them
/// in exactly the reverse order, the vault closed by the part that opened it.
/// Between the two it serves: listener (or inherited fd), peer check, framing,
/// dispatch to the vault; each connection is independent, so one bad
/// connection never affects another.
public final class LocketServer: Sendable {
    /// The daemon's version, in `hello` and `status`.
    public static let version = LocketVersion.current

    public enum State: Sendable, Equatable {
        case idle, starting, running, shuttingDown, stopped
    }

    public enum StartError: Error, CustomStringConvertible {
        case alreadyRunning(String)
        case cannotListen(String)
        /// The vault did not open (an unsafe data folder, another process has it, a key store failure).
        case vault(StoreError)
        /// `start()` was called on a server that is not idle.
        case alreadyStarted

        public var description: String {
            switch self {
            case .alreadyRunning(let path): "another locketd is running on \(path)"
            case .cannotListen(let why): "cannot listen: \(why)"
            case .vault(let error): "cannot open the vault: \(error)"
            case .alreadyStarted: "this server was started already"
            }
        }
    }

    public let configuration: ServerConfiguration
    /// The vault `start()` opens and `shutdown()` closes.
    public let vaultConfiguration: VaultConfiguration
    let group: MultiThreadedEventLoopGroup
    let pool: NIOThreadPool
    /// The request path, made once the vault is open.
    private let requestPath = Locked<Dispatcher?>(nil)
    private let state = Locked<State>(.idle)
    /// The parts started so far, to be stopped in reverse.
    let services: ServiceStack
    let connections = Locked<[ObjectIdentifier: Channel]>([:])
    /// The socket file this server created (removed at shutdown); nil under socket activation.
    let createdSocket = Locked<String?>(nil)
    /// `configuration.maxConnections`, lowered at start if the descriptor limit cannot hold that many.
    let connectionCap: Atomic<Int>
    /// Bytes buffered across connections, capped at `configuration.maxBufferedBytes`.
    let bufferBudget: BufferBudget

    /// A server for the vault in `vault` (opened by `start()`, closed by `shutdown()`).
    public init(vault: VaultConfiguration, configuration: ServerConfiguration) {
        vaultConfiguration = vault
        self.configuration = configuration
        connectionCap = Atomic(configuration.maxConnections)
        bufferBudget = BufferBudget(cap: configuration.maxBufferedBytes)
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.eventLoopThreads))
        pool = NIOThreadPool(numberOfThreads: max(1, configuration.storeThreads))
        let logger = configuration.logger
        services = ServiceStack { event in logger.debug("\(event)") }
    }

    /// The open vault, from `start()` (nil before; closed after `shutdown()`).
    public var vault: Vault? { requestPath.withLock { $0?.vault } }

    /// The request path; only once `start()` has opened the vault.
    var dispatcher: Dispatcher {
        guard let dispatcher = requestPath.withLock({ $0 }) else { preconditionFailure("LocketServer: no request path before start()") }
        return dispatcher
    }

    /// Number of open client connections.
    public var connectionCount: Int { connections.withLock { $0.count } }

    /// Bytes buffered now across connections (unfinished lines, unwritten answers).
    public var bufferedBytes: Int { bufferBudget.bytes }

    /// Most connections admitted at once: `configuration.maxConnections`, or fewer when
    /// the process's descriptor limit leaves room for fewer (see `DescriptorLimit`).
    public var maxConnections: Int { connectionCap.load(ordering: .relaxed) }

    // MARK: - Life

    /// Starts every part in order and returns once listening (and READY=1 sent).
    /// When a part fails, those already started are stopped in reverse (the vault
    /// closed if it was opened) and the error says which failed.
    public func start() throws(StartError) {
        let idle = state.withLock { current -> Bool in
            guard current == .idle else { return false }
            current = .starting
            return true
        }
        guard idle else { throw .alreadyStarted }
        do {
            try startServices()
        } catch {
            services.stopAll()
            state.withLock { $0 = .stopped }
            throw error
        }
        state.withLock { $0 = .running }
    }

    /// Stops every part in the reverse order of `start`: the listener first
    /// (every connection answers what it has read, up to the grace period),
    /// then the timers, the audit writer, the vault (its writer finishes and
    /// syncs), the socket file, the threads. Once; later calls do nothing.
    public func shutdown() {
        let proceed = state.withLock { current -> Bool in
            guard current == .running else { return false }
            current = .shuttingDown
            return true
        }
        guard proceed else { return }
        services.stopAll()
        state.withLock { $0 = .stopped }
    }

    /// The daemon's parts, in the order they start; each stops beside its start.
    private func startServices() throws(StartError) {
        let (group, pool, logger) = (group, pool, configuration.logger)
        services.start("threads", { pool.start() }, stop: { _ in
            try? pool.syncShutdownGracefully()
            try? group.syncShutdownGracefully()
        })
        try services.start("socket file", { () throws(StartError) in try checkSocketPath() }, stop: { [createdSocket] _ in
            if let path = createdSocket.withLock({ $0 }) { unlink(path) }
        })
        let vault = try services.start("vault", { () throws(StartError) in try openVault() }, stop: { $0.close() })
        // Stopped just before the vault closes, each on its loop (the loops outlive both).
        let reads = services.start("read sessions", { LoopReadSessions(vault: vault, loops: Array(group.makeIterator())) }, stop: { $0.closeAll() })
        let audit = services.start("audit writer", {
            configuration.audit.map { settings in
                vault.makeAuditLog(maxBytes: settings.maxBytes, queueCapacity: settings.queueCapacity,
                                   summary: settings.logAccesses ? Dispatcher.accessLine(configuration.logger, perSecond: settings.accessLinesPerSecond) : nil)
            }
        }, stop: { $0?.stop() })
        let expiry = services.start("expiry scheduler", {
            let expiry = ExpiryScheduler(loop: group.next(), pool: pool, logger: logger)
            expiry.start(vault)
            return expiry
        }, stop: { $0.stop() })
        let watchHub = services.start("watch hub", { WatchHub(vault: vault, pool: pool, loop: group.next(), logger: logger) },
                                      stop: { $0.stop() })
        // No life of its own: the request path only wires the parts above together.
        let dispatcher = Dispatcher(vault: vault, pool: pool, configuration: configuration, expiry: expiry, audit: audit,
                                    watchHub: watchHub, reads: reads)
        requestPath.withLock { $0 = dispatcher }
        services.start("idle locker", {
            configuration.idleLock.map { IdleLocker(dispatcher: dispatcher, after: $0, loop: group.next(), logger: logger) }
        }, stop: { $0?.stop() })
        services.start("memory trim", {
            let trim = MemoryTrim()
            trim.start(dispatcher: dispatcher, pool: pool, loop: group.next())
            return trim
        }, stop: { $0.stop() })
        services.start("idle exit", { [self] in
            configuration.exitWhenIdle.flatMap { idle in
                configuration.onIdleExit.map { onIdleExit in
                    IdleExit(after: idle, dispatcher: dispatcher, connectionCount: { [self] in connectionCount },
                             loop: group.next(), logger: logger, onIdleExit)
                }
            }
        }, stop: { $0?.stop() })
        try services.start("listener", { () throws(StartError) in try listen() }, stop: { [self] listener in
            stopServing(listener, dispatcher)
        })
        let notifySocket = configuration.notifySocket
        services.start("systemd notification", {
            SystemdNotifier.notify("READY=1\nSTATUS=serving", socket: notifySocket)
        }, stop: { _ in
            SystemdNotifier.notify("STOPPING=1", socket: notifySocket)
        })
    }

    /// Binds (or adopts the inherited socket) and starts accepting.
    private func listen() throws(StartError) -> Channel {
        // Before binding, so the warning is in the log before any client can be served.
        fitConnectionCap()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: ListenBacklog.system)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { [self] channel in initialize(channel) }
        let bound: Channel
        do {
            switch configuration.target {
            case .unixSocket(let path):
                do {
                    try SocketFile.prepare(path)
                } catch .alreadyRunning(let path) {
                    throw StartError.alreadyRunning(path)
                } catch {
                    throw StartError.cannotListen("\(error)")
                }
                bound = try bootstrap.bind(unixDomainSocketPath: path).wait()
                // The process umask is 0077, but say it explicitly: only the owner may connect.
                chmod(path, 0o600)
                createdSocket.withLock { $0 = path }
                configuration.logger.info("listening", metadata: ["socket": "\(path)"])
            case .inheritedDescriptor(let fd, _):
                bound = try bootstrap.withBoundSocket(fd).wait()
                // Adopting a bound socket, NIO calls listen() with its own default backlog
                // (128), shrinking the queue systemd made (SOMAXCONN unless Backlog= says
                // otherwise): a burst of connects past 128 got EAGAIN while the daemon was busy.
                _ = Glibc.listen(fd, ListenBacklog.system)
                configuration.logger.info("listening on the socket systemd passed", metadata: ["fd": "\(fd)"])
            }
        } catch let error as StartError {
            throw error
        } catch {
            throw .cannotListen("\(error)")
        }
        return bound
    }

    /// The listener's stop: new requests are answered `unavailable`, waiting
    /// leases give up, and every connection answers what it has read.
    private func stopServing(_ listener: Channel, _ dispatcher: Dispatcher) {
        dispatcher.shuttingDown.store(true, ordering: .relaxed)
        // Waiting `lease` requests answer `unavailable` now rather than hold the drain.
        dispatcher.leases.stop()
        // The listener stays open while the connections drain. NIO sets up an
        // accepted connection on its own loop and then hops back to the listener's
        // loop to register it; a listener closed in between makes NIO close the
        // connection unregistered, so a client that connected just before SIGTERM
        // would get no answer at all. Connections accepted from now on drain from
        // the start (`ConnectionHandler` sees `shuttingDown`): every request they
        // send is answered `unavailable`.
        let deadline = NIODeadline.now() + configuration.shutdownGrace
        var drained = Set<ObjectIdentifier>()
        drainConnections(skipping: &drained, until: deadline)
        try? listener.close().wait()
        // Those accepted while the others drained, or in the middle of being set up when the listener closed.
        drainConnections(skipping: &drained, until: deadline)
    }

    /// Asks every connection not in `drained` to finish (answer what it has read,
    /// `unavailable` for anything more, close once quiet) and waits until each has
    /// closed or `deadline` passes, then closes it.
    ///
    /// First every loop runs what is queued on it, twice: a connection being
    /// accepted (set up on its loop, registered after a hop through the listener's)
    /// is then in `connections` and drains like the others. Left in flight, the
    /// group shutdown would fail its set-up, and NIO would close it through a loop
    /// already shut down (an error now, a crash in strict mode) and never free it.
    private func drainConnections(skipping drained: inout Set<ObjectIdentifier>, until deadline: NIODeadline) {
        for _ in 0..<2 {
            for loop in group.makeIterator() {
                try? loop.submit {}.wait()
            }
        }
        let open = connections.withLock { $0 }.filter { !drained.contains($0.key) }
        for (id, channel) in open {
            drained.insert(id)
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        for channel in open.values {
            let closed = channel.closeFuture
            let timeout = channel.eventLoop.scheduleTask(deadline: deadline) { channel.close(promise: nil) }
            try? closed.wait()
            timeout.cancel()
        }
    }

    // MARK: - Connections

    private func initialize(_ channel: Channel) -> EventLoopFuture<Void> {
        PeerCredentials.of(channel).and(PeerLabel.of(channel)).flatMapThrowing { [self] peer, label in
            let sync = channel.pipeline.syncOperations
            guard let peer, peer.uid == getuid() else {
                configuration.logger.warning("refused a connection from another user",
                                             metadata: ["peer_uid": "\(peer.map { String($0.uid) } ?? "unknown")"])
                try sync.addHandler(RefuseHandler(ProtocolError(.forbidden, "this socket serves uid \(getuid()) only")))
                return
            }
            let cap = maxConnections
            let admitted = connections.withLock { open -> Bool in
                guard open.count < cap else { return false }
                open[ObjectIdentifier(channel)] = channel
                return true
            }
            guard admitted else {
                configuration.logger.warning("connection cap reached", metadata: ["cap": "\(cap)"])
                try sync.addHandler(RefuseHandler(ProtocolError(.unavailable, "too many connections (the cap is \(cap)); retry later")))
                return
            }
            channel.closeFuture.whenComplete { [self] _ in
                _ = connections.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
            }
            // Who it is, once per connection (a readlink and a small /proc read), never per request.
            let caller = CallerIdentity.resolve(peer, label: label)
            try ConnectionPipeline.install(on: sync, serving: dispatcher, caller: caller, limits: .init(configuration), budget: bufferBudget)
        }
    }
}
