import LocketProtocol
import Logging
import NIOCore

/// Where the server listens.
public enum ListenTarget: Sendable, Equatable {
    /// Bind a Unix socket at this path (folder created 0700; a stale socket replaced).
    case unixSocket(path: String)
    /// Adopt a listening socket inherited from systemd (socket activation), usually fd 3.
    case inheritedDescriptor(Int32, path: String?)
}

/// Settings of the socket server. Defaults are in the initializer.
public struct ServerConfiguration: Sendable {
    /// Where to listen.
    public var target: ListenTarget
    /// Line, value and nesting limits.
    public var limits: ProtocolLimits
    /// A connection with no complete request for this long is closed.
    public var idleTimeout: TimeAmount
    /// Most connections served at once; more get one `unavailable` line and are closed.
    public var maxConnections: Int
    /// Most requests of one connection in flight at once; past it the server stops
    /// reading from that connection until answers have been written.
    public var maxInFlightPerConnection: Int
    /// Most bytes buffered across all connections (unfinished request lines and
    /// answers not yet written); past it requests are answered `unavailable` and
    /// connections growing long unfinished lines are closed (see `BufferBudget`).
    public var maxBufferedBytes: Int
    /// After this long with no request, the master key leaves memory (nil: never).
    public var idleLock: TimeAmount?
    /// Under socket activation: with no connection and no request for this long,
    /// call `onIdleExit` (the daemon then shuts down; the socket brings it back). nil: never.
    public var exitWhenIdle: TimeAmount?
    /// Called once when `exitWhenIdle` elapses.
    public var onIdleExit: (@Sendable () -> Void)?
    /// How long a graceful shutdown waits for in-flight requests.
    public var shutdownGrace: TimeAmount
    /// Event loop threads (default: one per core).
    public var eventLoopThreads: Int
    /// Threads for store reads (the writer has its own thread).
    public var storeThreads: Int
    /// The access audit log (`audit.log` in the data folder); nil turns it off.
    public var audit: AuditSettings?
    /// The longest refresh lease granted, in seconds (`lease` asks for 60 by default).
    public var leaseMaxDuration: Int = 300
    /// Version string in `hello` and `status`.
    public var serverVersion: String
    /// Where to tell systemd READY=1 once listening and STOPPING=1 at shutdown
    /// (`$NOTIFY_SOCKET`); nil: nowhere.
    public var notifySocket: String?
    public var logger: Logger

    public init(
        target: ListenTarget,
        limits: ProtocolLimits = .standard,
        idleTimeout: TimeAmount = .minutes(5),
        maxConnections: Int = 1024,
        maxInFlightPerConnection: Int = 16,
        maxBufferedBytes: Int = 64 << 20,
        idleLock: TimeAmount? = nil,
        shutdownGrace: TimeAmount = .seconds(10),
        eventLoopThreads: Int = System.coreCount,
        storeThreads: Int = 2,
        audit: AuditSettings? = AuditSettings(),
        serverVersion: String = LocketServer.version,
        logger: Logger = Logger(label: "locketd")
    ) {
        self.target = target
        self.limits = limits
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
        self.maxInFlightPerConnection = maxInFlightPerConnection
        self.maxBufferedBytes = maxBufferedBytes
        self.idleLock = idleLock
        self.shutdownGrace = shutdownGrace
        self.eventLoopThreads = eventLoopThreads
        self.storeThreads = storeThreads
        self.audit = audit
        self.serverVersion = serverVersion
        self.logger = logger
    }
}

/// How the access audit log is kept.
public struct AuditSettings: Sendable {
    /// `audit.log` is rotated to `audit.log.1` past this size (so at most about twice it on disk).
    public var maxBytes: Int
    /// Entries waiting for the audit writer; past it entries are dropped and counted.
    public var queueCapacity: Int
    /// One info line per access in the daemon's log (journald): op, outcome, exe, pid, unit, short key hash.
    public var logAccesses: Bool
    /// At most this many access lines a second; the rest are counted in one line.
    public var accessLinesPerSecond: Int

    public init(maxBytes: Int = 4 << 20, queueCapacity: Int = 16384, logAccesses: Bool = true, accessLinesPerSecond: Int = 100) {
        self.maxBytes = maxBytes
        self.queueCapacity = queueCapacity
        self.logAccesses = logAccesses
        self.accessLinesPerSecond = accessLinesPerSecond
    }
}
