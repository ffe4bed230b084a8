import Foundation
import LocketProtocol
import LocketStore
import LocketSync
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The socket server: listener (or inherited fd), peer check, framing,
/// dispatch to the vault, lifecycle. Create it, `start()`, and later
/// `shutdown()`; each connection is independent, so one bad connection never
/// affects another.
public final class LocketServer: Sendable {
    /// The daemon's version, in `hello` and `status`.
    public static let version = "0.1.0"

    public enum State: Sendable, Equatable {
        case idle, running, shuttingDown, stopped
    }

    public enum StartError: Error, CustomStringConvertible {
        case alreadyRunning(String)
        case cannotListen(String)

        public var description: String {
            switch self {
            case .alreadyRunning(let path): "another locketd is running on \(path)"
            case .cannotListen(let why): "cannot listen: \(why)"
            }
        }
    }

    public let configuration: ServerConfiguration
    private let vault: Vault
    let group: MultiThreadedEventLoopGroup
    private let pool: NIOThreadPool
    let dispatcher: Dispatcher
    private let expiry: ExpiryScheduler
    private let state = Locked<State>(.idle)
    private let listener = Locked<Channel?>(nil)
    private let connections = Locked<[ObjectIdentifier: Channel]>([:])
    private let idleLocker = Locked<IdleLocker?>(nil)
    private let idleExit = Locked<RepeatedTask?>(nil)
    private let memoryTrim = MemoryTrim()
    /// The socket file this server created (removed at shutdown); nil under socket activation.
    private let createdSocket = Locked<String?>(nil)
    /// `configuration.maxConnections`, lowered at start if the descriptor limit cannot hold that many.
    private let connectionCap: Atomic<Int>
    /// Bytes buffered across connections, capped at `configuration.maxBufferedBytes`.
    let bufferBudget: BufferBudget

    public init(vault: Vault, configuration: ServerConfiguration) {
        self.vault = vault
        self.configuration = configuration
        connectionCap = Atomic(configuration.maxConnections)
        bufferBudget = BufferBudget(cap: configuration.maxBufferedBytes)
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.eventLoopThreads))
        pool = NIOThreadPool(numberOfThreads: max(1, configuration.storeThreads))
        pool.start()
        expiry = ExpiryScheduler(loop: group.next(), pool: pool, logger: configuration.logger)
        let audit = configuration.audit.map { settings in
            vault.makeAuditLog(maxBytes: settings.maxBytes, queueCapacity: settings.queueCapacity,
                               summary: settings.logAccesses ? Dispatcher.accessLine(configuration.logger, perSecond: settings.accessLinesPerSecond) : nil)
        }
        dispatcher = Dispatcher(vault: vault, pool: pool, configuration: configuration, expiry: expiry, audit: audit,
                                watchHub: WatchHub(vault: vault, pool: pool, loop: group.next(), logger: configuration.logger))
    }

    /// Number of open client connections.
    public var connectionCount: Int { connections.withLock { $0.count } }

    /// Bytes buffered now across connections (unfinished lines, unwritten answers).
    public var bufferedBytes: Int { bufferBudget.bytes }

    /// Most connections admitted at once: `configuration.maxConnections`, or fewer when
    /// the process's descriptor limit leaves room for fewer (see `DescriptorLimit`).
    public var maxConnections: Int { connectionCap.load(ordering: .relaxed) }

    /// Binds (or adopts the inherited socket) and starts serving. Returns once listening.
    public func start() throws(StartError) {
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
            case .inheritedDescriptor(let fd, _):
                bound = try bootstrap.withBoundSocket(fd).wait()
            }
        } catch let error as StartError {
            throw error
        } catch {
            throw .cannotListen("\(error)")
        }
        listener.withLock { $0 = bound }
        state.withLock { $0 = .running }
        expiry.start(vault)
        memoryTrim.start(dispatcher: dispatcher, pool: pool, loop: group.next())
        if let idle = configuration.idleLock {
            idleLocker.withLock { $0 = IdleLocker(dispatcher: dispatcher, after: idle, loop: group.next(), logger: configuration.logger) }
        }
        if let idle = configuration.exitWhenIdle, let onIdleExit = configuration.onIdleExit {
            scheduleIdleExit(after: idle, onIdleExit)
        }
    }

    /// Lowers the cap to what the descriptor limit holds, so that every client past it
    /// gets the cap's `unavailable` line rather than waiting unanswered in the backlog
    /// (an `accept` that fails with EMFILE leaves the connection there).
    private func fitConnectionCap() {
        guard let fit = DescriptorLimit.connectionsThatFit(), fit < configuration.maxConnections else { return }
        connectionCap.store(fit, ordering: .relaxed)
        configuration.logger.warning("the descriptor limit holds fewer connections than --max-connections; the cap is lowered", metadata: [
            "max_connections": "\(configuration.maxConnections)", "cap": "\(fit)",
            "descriptor_limit": "\(DescriptorLimit.current.soft)", "hint": "raise LimitNOFILE",
        ])
    }

    /// Checks a few times per period whether nothing is connected and nothing was asked for `idle`.
    private func scheduleIdleExit(after idle: TimeAmount, _ onIdleExit: @escaping @Sendable () -> Void) {
        let period = TimeAmount.nanoseconds(max(idle.nanoseconds / 4, TimeAmount.milliseconds(100).nanoseconds))
        let limit = idle.nanoseconds / 1_000_000
        let fired = Atomic<Bool>(false)
        let task = group.next().scheduleRepeatedTask(initialDelay: period, delay: period) { [self] task in
            let quietFor = Dispatcher.nowMilliseconds() - dispatcher.lastActivity.load(ordering: .relaxed)
            guard connectionCount == 0, quietFor >= limit, !fired.exchange(true, ordering: .relaxed) else { return }
            configuration.logger.info("exiting after idle time; the socket starts locketd again on the next request",
                                      metadata: ["idle_s": "\(quietFor / 1000)"])
            task.cancel()
            onIdleExit()
        }
        idleExit.withLock { $0 = task }
    }

    /// Stops accepting, lets every connection finish and answer what it has
    /// read (up to the grace period), closes the vault (its writer finishes and
    /// syncs), and removes the socket file it created.
    public func shutdown() {
        let proceed = state.withLock { current -> Bool in
            guard current == .running else { return false }
            current = .shuttingDown
            return true
        }
        guard proceed else { return }
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
        try? listener.withLock { $0 }?.close().wait()
        // Those accepted while the others drained, or in the middle of being set up when the listener closed.
        drainConnections(skipping: &drained, until: deadline)
        expiry.stop()
        dispatcher.watchHub.stop()
        idleLocker.withLock { $0?.stop() }
        idleExit.withLock { $0?.cancel() }
        memoryTrim.stop()
        dispatcher.audit?.stop()
        vault.close()
        if let path = createdSocket.withLock({ $0 }) { unlink(path) }
        try? pool.syncShutdownGracefully()
        try? group.syncShutdownGracefully()
        state.withLock { $0 = .stopped }
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
