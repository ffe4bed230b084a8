import Foundation
import LocketAudit
import LocketProtocol
import LocketStore
import NIOCore

/// The lease ops (`lease`, `release`) and writes under a lease (`put` and
/// `delete` with `lease`): the handlers that need the requesting connection,
/// which owns the lease (PROTOCOL.md, "Refresh leases").
extension Dispatcher {
    /// The handler of a request that needs its connection for a lease, or nil
    /// when the request has nothing to do with leases.
    func leaseHandler(for request: Request, caller: CallerIdentity, channel: Channel?) -> Handler? {
        switch request.op {
        case .lease: { d, r, l in d.lease(r, caller: caller, channel: channel, on: l) }
        case .release: { d, r, l in d.release(r, channel: channel, on: l) }
        case .put where request.lease != nil, .delete where request.lease != nil:
            { d, r, l in d.writeUnderLease(r, channel: channel, on: l) }
        default: nil
        }
    }

    /// The lease table of this daemon, reading entries without waiting for the
    /// writer, and reporting grants and ends to the audit log and to watchers.
    static func makeLeaseTable(vault: Vault, maxDuration: Int, audit: AuditLog?, watchHub: WatchHub) -> LeaseTable {
        LeaseTable(maxDuration: maxDuration, read: { ns, key throws(StoreError) in
            try vault.get(ns: ns, key: key, mayWait: false)
        }, report: { news in
            switch news {
            case .granted(let ns, let key, let expiresAt, _):
                watchHub.noteLease(.leased(ns: ns, key: key, expiresAt: expiresAt))
            case .ended(let ns, let key, let how, let caller):
                watchHub.noteLease(.leaseEnded(ns: ns, key: key, outcome: how.rawValue))
                audit?.record(AuditEntry(
                    time: nowMilliseconds(), op: "lease_end", ns: ns, key: key, outcome: how.rawValue,
                    exe: caller.exe, exeDeleted: caller.exeDeleted, pid: caller.pid, uid: caller.uid, unit: caller.unit))
            }
        })
    }

    /// `lease`: answered when the table decides, maybe after another holder's lease ends.
    func lease(_ request: Request, caller: CallerIdentity, channel: Channel?, on loop: EventLoop, attempt: Int = 0) -> EventLoopFuture<[UInt8]> {
        let id = request.idJSON
        guard let channel else { return loop.makeSucceededFuture(Response.failure(id: id, ProtocolError(.internal, "lease without a connection")).bytes) }
        let promise = loop.makePromise(of: [UInt8].self)
        let waiter = LeaseWaiter(channel: channel, caller: caller, staleVersion: request.staleVersion,
                                 duration: request.duration ?? Request.defaultLeaseDuration, loop: loop) { [self] answer in
            guard case .retry = answer else {
                promise.succeed(Self.leaseAnswer(id, answer))
                return
            }
            guard attempt < 3 else {
                promise.succeed(Response.failure(id: id, ProtocolError(.internal, "the entry could not be read for the lease; try again")).bytes)
                return
            }
            // A rotation was committing: read once more off the loop (that read waits for it), then decide again.
            pool.runIfActive(eventLoop: loop) { [vault] in _ = try? vault.get(ns: request.ns!, key: request.key!) }
                .flatMap { self.lease(request, caller: caller, channel: channel, on: loop, attempt: attempt + 1) }
                .recover { _ in Self.shuttingDownAnswer(id) }
                .cascade(to: promise)
        }
        leases.request(ns: request.ns!, key: request.key!, waiter)
        return promise.futureResult
    }

    /// `release`: ends the lease if this connection holds it.
    func release(_ request: Request, channel: Channel?, on loop: EventLoop) -> EventLoopFuture<[UInt8]> {
        var released = false
        if let channel, let token = request.lease {
            released = leases.release(ns: request.ns!, key: request.key!, token: token, channel: channel)
        }
        var response = Response.success(id: request.idJSON)
        response.bool("released", released)
        return loop.makeSucceededFuture(response.finished())
    }

    /// `put` or `delete` with `lease`: `conflict` unless this connection holds
    /// that live lease; otherwise the write, after which the lease ends if it
    /// took effect (its waiters get the stored entry, or `not_found`).
    func writeUnderLease(_ request: Request, channel: Channel?, on loop: EventLoop) -> EventLoopFuture<[UInt8]> {
        let (ns, key) = (request.ns!, request.key!)
        guard let channel, let token = request.lease, leases.beginWrite(ns: ns, key: key, token: token, channel: channel) else {
            return loop.makeSucceededFuture(Response.failure(id: request.idJSON, ProtocolError(
                .conflict, "the lease has ended (stored, released, expired, deleted, locked or from before a restart) or is not this connection's")).bytes)
        }
        let write = request.op == .put ? put(request, on: loop) : delete(request, on: loop)
        let done: LeaseEnd = request.op == .put ? .stored : .deleted
        return write.map { [leases] bytes in
            let tookEffect = Self.outcome(of: bytes, id: request.idJSON) == "ok"
            leases.endWrite(ns: ns, key: key, token: token, done: tookEffect ? done : nil)
            return bytes
        }
    }

    /// The response line of a decided `lease`.
    static func leaseAnswer(_ id: [UInt8]?, _ answer: LeaseAnswer) -> [UInt8] {
        switch answer {
        case .granted(let token, let expiresAt, let duration, let entry):
            var response = Response.success(id: id)
            response.bool("granted", true)
            response.string("lease", token)
            response.timestamp("expires_at", expiresAt)
            response.int("duration", duration)
            if let entry {
                var nested = Response.nested()
                appendEntry(entry, to: &nested)
                response.raw("entry", nested.object)
            } else {
                response.raw("entry", Array("null".utf8))
            }
            return response.finished()
        case .shared(let entry):
            var response = Response.success(id: id)
            response.bool("granted", false)
            appendEntry(entry, to: &response)
            return response.finished()
        case .failed(let error):
            return Response.failure(id: id, error).bytes
        case .retry:
            return Response.failure(id: id, ProtocolError(.internal, "the entry could not be read for the lease; try again")).bytes
        }
    }

    /// The members of a `get` answer: value, version, created_at, updated_at, expires_at.
    private static func appendEntry(_ entry: Entry, to response: inout Response) {
        response.raw("value", entry.value)
        response.int("version", entry.version)
        response.timestamp("created_at", entry.createdAt)
        response.timestamp("updated_at", entry.updatedAt)
        response.timestamp("expires_at", entry.expiresAt)
    }

    /// Whether a `lease` answer (`outcome` ok) granted the lease: `"granted":true` follows `"ok":true`.
    static func isGrant(_ line: [UInt8], id: [UInt8]?) -> Bool {
        let at = 1 + (id.map { 5 + $0.count + 1 } ?? 0) + #""ok":true,"#.utf8.count
        let grant = #""granted":true"#.utf8
        return line.count >= at + grant.count && line[at..<(at + grant.count)].elementsEqual(grant)
    }
}
