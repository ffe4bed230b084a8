#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketAudit
import LocketCrypto
import LocketProtocol
import LocketStore
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The request path: parses a line, `decide`s what to do with it (every gate
/// once, then the op's row in `OpTable`), `run`s that (on the loop, on the
/// thread pool, or through the vault's group-commit writer) and `settle`s the
/// outcome into the answer, the audit record and the watch event.
final class Dispatcher: RequestServing {
    let vault: Vault
    let pool: NIOThreadPool
    let configuration: ServerConfiguration
    /// Start time on the monotonic clock (uptime must not jump with the wall clock).
    let started = NIODeadline.now()
    let expiry: ExpiryScheduler
    /// The access audit log; nil with `--no-audit`.
    let audit: AuditLog?
    /// Change events for `watch` connections.
    let watchHub: WatchHub
    /// Milliseconds since 1970 of the last request (for the idle lock).
    let lastActivity = Atomic<Int64>(Dispatcher.nowMilliseconds())
    /// Set once shutdown begins: new requests answer `unavailable`.
    let shuttingDown = Atomic<Bool>(false)
    /// Digests of callers' executables, for rules that pin one.
    let digests = ExecutableDigests()
    /// Refresh leases: one holder per entry, its waiters, fencing of writes under a lease.
    let leases: LeaseTable
    /// One read session per event loop, for `get` (`LoopReadSessions`).
    let reads: LoopReadSessions

    init(vault: Vault, pool: NIOThreadPool, configuration: ServerConfiguration, expiry: ExpiryScheduler,
         audit: AuditLog?, watchHub: WatchHub, reads: LoopReadSessions) {
        self.audit = audit
        self.reads = reads
        self.vault = vault
        self.pool = pool
        self.configuration = configuration
        self.expiry = expiry
        self.watchHub = watchHub
        leases = Self.makeLeaseTable(vault: vault, maxDuration: configuration.leaseMaxDuration, audit: audit, watchHub: watchHub)
    }

    /// Parses one request line.
    func parse(_ line: ByteBuffer) -> ParsedLine {
        lastActivity.store(Self.nowMilliseconds(), ordering: .relaxed)
        do {
            return .request(try line.withUnsafeReadableBytes { bytes throws(Request.Failure) in
                try Request.parse(bytes, limits: configuration.limits)
            })
        } catch {
            return .answer(Response.failure(id: error.idJSON, error.error).bytes)
        }
    }

    /// Serves `line` for `caller` on `channel` (see `run` and `decide`).
    func serve(_ line: ParsedLine, caller: CallerIdentity, channel: Channel) -> Served {
        switch line {
        case .answer(let bytes): .now(bytes)
        case .request(let request):
            run(request, Asker(caller: caller, channel: channel), startedAt: Self.nowMilliseconds(), on: channel.eventLoop)
        }
    }

    var isShuttingDown: Bool { shuttingDown.load(ordering: .relaxed) }

    func startWatch(on channel: Channel) -> Bool { watchHub.start(channel) }

    /// Maps a store error to its protocol code. Messages carry no secret.
    static func protocolError(_ error: StoreError) -> ProtocolError {
        switch error {
        case .invalidName, .invalidTTL: ProtocolError(.badRequest, error.description)
        case .valueTooLarge: ProtocolError(.tooLarge, error.description)
        case .notFound: ProtocolError(.notFound, "no live entry for this ns and key")
        case .conflict: ProtocolError(.conflict, error.description)
        case .locked: ProtocolError(.locked, error.description)
        case .unavailable: ProtocolError(.unavailable, error.description)
        case .corrupt, .setup: ProtocolError(.internal, error.description)
        }
    }

    static func nowMilliseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
