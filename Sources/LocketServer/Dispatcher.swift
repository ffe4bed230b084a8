import Foundation
import LocketAudit
import LocketCrypto
import LocketProtocol
import LocketStore
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Parses a request line, applies the locked-state gate once, and dispatches
/// through one table (op → handler). Store work runs off the event loop:
/// reads on a thread pool, writes through the vault's group-commit writer.
final class Dispatcher: Sendable {
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

    typealias Handler = @Sendable (Dispatcher, Request, EventLoop) -> EventLoopFuture<[UInt8]>

    /// The dispatch table (a switch: no hashing on the request path). `watch` and
    /// `status` are not in it: they need their connection or caller (see `serve`).
    static func handler(for op: Op) -> Handler? {
        switch op {
        case .hello: { d, r, l in l.makeSucceededFuture(d.hello(r)) }
        case .ping: { _, r, l in l.makeSucceededFuture(Response.success(id: r.idJSON).finished()) }
        case .put: { d, r, l in d.put(r, on: l) }
        case .get: { d, r, l in d.get(r, on: l) }
        case .delete: { d, r, l in d.delete(r, on: l) }
        case .list: { d, r, l in d.list(r, on: l) }
        case .status: nil
        case .lock: { d, r, l in d.lock(r, on: l) }
        case .unlock: { d, r, l in d.unlock(r, on: l) }
        case .rotate: { d, r, l in d.rotate(r, on: l) }
        case .audit: { d, r, l in d.readAudit(r, on: l) }
        case .allow: { d, r, l in d.allow(r, on: l) }
        case .deny: { d, r, l in d.deny(r, on: l) }
        case .rules: { d, r, l in d.listRules(r, on: l) }
        case .watch, .lease, .release: nil
        }
    }

    init(vault: Vault, pool: NIOThreadPool, configuration: ServerConfiguration, expiry: ExpiryScheduler,
         audit: AuditLog?, watchHub: WatchHub) {
        self.audit = audit
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

    /// Serves one parsed request; the future's bytes are the whole response line.
    /// Data ops are audited with their outcome, whatever it is.
    /// `channel` is the requesting connection (a `watch` registers it).
    func dispatch(_ parsed: ParsedLine, caller: CallerIdentity, on loop: EventLoop, channel: Channel? = nil) -> EventLoopFuture<[UInt8]> {
        guard case .request(let request) = parsed else {
            guard case .answer(let bytes) = parsed else { fatalError("unreachable") }
            return loop.makeSucceededFuture(bytes)
        }
        guard let audit, Self.isAudited(request.op) else { return serve(request, caller: caller, on: loop, channel: channel) }
        let time = Self.nowMilliseconds()
        return serve(request, caller: caller, on: loop, channel: channel).map { [self] bytes in
            audit.record(auditEntry(request, caller: caller, time: time, answer: bytes))
            return bytes
        }
    }

    /// The answer to a request that arrives (or whose work is refused by the thread
    /// pool) while the daemon stops.
    static func shuttingDownAnswer(_ id: [UInt8]?) -> [UInt8] {
        Response.failure(id: id, ProtocolError(.unavailable, "locketd is shutting down")).bytes
    }

    /// The audit record of `request`, started at `time` (ms) and answered `answer`.
    func auditEntry(_ request: Request, caller: CallerIdentity, time: Int64, answer: [UInt8]) -> AuditEntry {
        var outcome = Self.outcome(of: answer, id: request.idJSON)
        if request.op == .lease, outcome == "ok", Self.isGrant(answer, id: request.idJSON) { outcome = "granted" }
        var entry = AuditEntry(
            time: time, op: request.op.rawValue, ns: request.ns, key: request.key,
            outcome: outcome,
            exe: caller.exe, exeDeleted: caller.exeDeleted, pid: caller.pid, uid: caller.uid, unit: caller.unit)
        if caller.flatpak != nil || caller.snap != nil || caller.label != nil {
            (entry.flatpak, entry.snap, entry.label) = (caller.flatpak, caller.snap, caller.label)
        }
        if request.op == .allow || request.op == .deny {
            entry.target = request.sandbox?.description ?? request.path.map { "path \($0)" }
        }
        return entry
    }

    private func serve(_ request: Request, caller: CallerIdentity, on loop: EventLoop, channel: Channel?) -> EventLoopFuture<[UInt8]> {
        if shuttingDown.load(ordering: .relaxed) {
            return loop.makeSucceededFuture(Self.shuttingDownAnswer(request.idJSON))
        }
        let handler: Handler
        if let leased = leaseHandler(for: request, caller: caller, channel: channel) {
            // The lease ops and writes under a lease need their connection, which owns the lease.
            handler = leased
        } else if request.op == .watch {
            // The one op that needs its connection: it turns it into an event stream.
            handler = { d, r, l in d.watch(r, channel: channel, on: l) }
        } else if request.op == .status {
            // Its entry count leaves out namespaces whose rule keeps the caller out.
            handler = { d, r, l in d.status(r, caller: caller, on: l) }
        } else if let tabled = Self.handler(for: request.op) {
            handler = tabled
        } else {
            return loop.makeSucceededFuture(Response.failure(id: request.idJSON, ProtocolError(.unknownOp, "op not served")).bytes)
        }
        // An expiry the wall clock has passed is swept before the request sees the store.
        if request.op.needsKey, let sweep = expiry.sweepIfOverdue() {
            return sweep.hop(to: loop).flatMap { [self] in gateAndServe(request, caller: caller, handler, on: loop) }
        }
        return gateAndServe(request, caller: caller, handler, on: loop)
    }

    /// The locked-state gate, once, then the access rules, then the op's handler.
    private func gateAndServe(_ request: Request, caller: CallerIdentity, _ handler: @escaping Handler, on loop: EventLoop) -> EventLoopFuture<[UInt8]> {
        if request.op.needsKey, case .locked(let reason) = vault.state {
            guard reason == .idle, vault.keyStoreKind != .passphrase else {
                return loop.makeSucceededFuture(Response.failure(id: request.idJSON, ProtocolError(.locked, "vault is locked: \(reason)")).bytes)
            }
            // Locked for idleness with a key store that needs no person: fetch the key again, off the loop.
            return pool.runIfActive(eventLoop: loop) { [vault, watchHub] in
                try? vault.unlock()
                watchHub.vaultStateMayHaveChanged()
            }.flatMap { [self] in
                if case .locked(let reason) = vault.state {
                    return loop.makeSucceededFuture(Response.failure(id: request.idJSON, ProtocolError(.locked, "vault is locked: \(reason)")).bytes)
                }
                return authorized(request, caller: caller, handler, on: loop)
            }
        }
        return authorized(request, caller: caller, handler, on: loop)
    }

    /// Runs blocking store work on the thread pool and maps its result to a response line.
    func offLoop(_ request: Request, on loop: EventLoop, _ work: @escaping @Sendable () throws(StoreError) -> Response) -> EventLoopFuture<[UInt8]> {
        let id = request.idJSON
        return pool.runIfActive(eventLoop: loop) { () -> [UInt8] in
            do {
                return try work().finished()
            } catch let error as StoreError {
                return Response.failure(id: id, Self.protocolError(error)).bytes
            }
        }.recover { error in
            Self.shuttingDownAnswer(id)
        }
    }

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
