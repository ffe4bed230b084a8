import LocketProtocol
import LocketStore
import NIOCore

extension Dispatcher {
    /// Serves `request`: `decide`, then do what it says, then `settle` the
    /// outcome. An answer decided on the loop is returned as it is (`.now`):
    /// no future, no closure. `time` (ms) is when the request started, for its audit record.
    func run(_ request: Request, _ asker: Asker, _ prepared: Prepared = Prepared(), startedAt time: Int64, on loop: EventLoop) -> Served {
        switch decide(request, asker, prepared) {
        case .answer(let outcome):
            return .now(settle(request, outcome, asker, startedAt: time))
        case .prepare(let preparation):
            return .later(prepare(preparation, asker.caller, prepared, on: loop).flatMap { [self] next in
                switch next {
                case .success(let prepared): run(request, asker, prepared, startedAt: time, on: loop).future(on: loop)
                case .failure(let error): loop.makeSucceededFuture(settle(request, .failed(error), asker, startedAt: time))
                }
            })
        case .offLoop(let work):
            return .later(pool.runIfActive(eventLoop: loop) { [self] in
                settle(request, work(), asker, startedAt: time)
            }.recover { [self] _ in
                settle(request, .failed(Self.shuttingDown), asker, startedAt: time)
            })
        case .write(let write):
            return .later(self.write(write, request, asker, startedAt: time, on: loop))
        case .lease(let lease):
            return .later(self.lease(lease, request, asker, startedAt: time, on: loop))
        case .watch(let watch):
            guard let channel = asker.channel else {
                return .now(settle(request, .failed(ProtocolError(.internal, "watch needs a connection")), asker, startedAt: time))
            }
            if let refused = watchHub.subscribe(ns: watch.ns, expiringWithin: watch.expiringWithin ?? 0, channel: channel) {
                return .now(settle(request, .failed(refused), asker, startedAt: time))
            }
            return .now(settle(request, .watching, asker, startedAt: time))
        }
    }

    /// The error of a request whose work the stopping daemon no longer takes.
    static let shuttingDown = ProtocolError(.unavailable, "locketd is shutting down")

    /// A write through the group-commit writer; under a lease, the lease ends
    /// with it if it took effect (its waiters get the stored entry, or `not_found`).
    private func write(_ write: Action.Write, _ request: Request, _ asker: Asker, startedAt time: Int64,
                       on loop: EventLoop) -> EventLoopFuture<[UInt8]> {
        let promise = loop.makePromise(of: [UInt8].self)
        switch write {
        case .put(let put):
            vault.put(ns: put.ns, key: put.key, value: put.valueJSON, ttl: put.ttl, ifVersion: put.ifVersion) { [self] result in
                let outcome: Outcome = switch result {
                case .success(let stored): .put(stored)
                case .failure(let error): .failed(Self.protocolError(error))
                }
                let answer = settle(request, outcome, asker, startedAt: time)
                if let token = put.lease { leases.endWrite(ns: put.ns, key: put.key, token: token, done: outcome.succeeded ? .stored : nil) }
                promise.succeed(answer)
            }
        case .delete(let delete):
            vault.delete(ns: delete.ns, key: delete.key, ifVersion: delete.ifVersion) { [self] result in
                let outcome: Outcome = switch result {
                case .success(let deleted): .deleted(deleted)
                case .failure(let error): .failed(Self.protocolError(error))
                }
                let answer = settle(request, outcome, asker, startedAt: time)
                if let token = delete.lease {
                    leases.endWrite(ns: delete.ns, key: delete.key, token: token, done: outcome.succeeded ? .deleted : nil)
                }
                promise.succeed(answer)
            }
        }
        return promise.futureResult
    }

    /// Does the work a gate asked for, off the loop, and returns what it found
    /// (or the error that answers the request).
    private func prepare(_ preparation: Preparation, _ caller: CallerIdentity, _ prepared: Prepared,
                         on loop: EventLoop) -> EventLoopFuture<Result<Prepared, ProtocolError>> {
        var next = prepared
        next.admitted = true
        let done: EventLoopFuture<Result<Prepared, ProtocolError>>
        switch preparation {
        case .sweepExpiry:
            next.sweptExpiry = true
            let swept = next
            guard let sweep = expiry.sweepIfOverdue() else { return loop.makeSucceededFuture(.success(swept)) }
            done = sweep.hop(to: loop).map { .success(swept) }
        case .refetchKey:
            next.refetchedKey = true
            let refetched = next
            done = pool.runIfActive(eventLoop: loop) { [vault, watchHub] in
                try? vault.unlock()
                watchHub.vaultStateMayHaveChanged()
            }.map { .success(refetched) }
        case .loadRules:
            let base = next
            done = pool.runIfActive(eventLoop: loop) { [vault] () -> Result<Prepared, ProtocolError> in
                do throws(StoreError) {
                    var loaded = base
                    loaded.rules = try vault.accessRules()
                    return .success(loaded)
                } catch {
                    return .failure(Self.protocolError(error))
                }
            }
        case .hashExecutable:
            let base = next
            done = pool.runIfActive(eventLoop: loop) { [digests] () -> Result<Prepared, ProtocolError> in
                var hashed = base
                hashed.digest = .some(digests.digest(caller))
                return .success(hashed)
            }
        }
        return done.recover { _ in .failure(Self.shuttingDown) }
    }
}

extension Served {
    /// The answer as a future on `loop`.
    func future(on loop: EventLoop) -> EventLoopFuture<[UInt8]> {
        switch self {
        case .now(let bytes): loop.makeSucceededFuture(bytes)
        case .later(let future): future
        }
    }
}
