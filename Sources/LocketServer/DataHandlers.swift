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
import NIOCore

/// The handlers of the data ops and of `hello` and `status`: each says what
/// to do once `decide` has let its request through.
extension Dispatcher {
    func hello(_ request: Request) -> Action {
        .answer(.hello(server: "locketd \(configuration.serverVersion)"))
    }

    /// Answered on the event loop: a primary-key read on a WAL read connection
    /// never waits for the writer and takes a few microseconds, less than the
    /// hop to the thread pool and back. It reads in the loop's read session, whose
    /// transaction the loop's other `get`s of this iteration share
    /// (`LoopReadSessions`). Only the rare retry after a rotation (a record read
    /// just as it committed, which waits for the writer) goes off the loop.
    func get(_ request: Request, _ asker: Asker) -> Action {
        guard case .get(let name) = request.body else { return Self.mismatch(request) }
        do {
            if let loop = asker.channel?.eventLoop, let session = reads.session(on: loop) {
                return .answer(.entry(try session.get(ns: name.ns, key: name.key)))
            }
            return .answer(.entry(try vault.get(ns: name.ns, key: name.key, mayWait: false)))
        } catch .corrupt {
            return .offLoop { [vault] in Outcome { () throws(StoreError) in .entry(try vault.get(ns: name.ns, key: name.key)) } }
        } catch {
            return .answer(.failed(Self.protocolError(error)))
        }
    }

    /// A `put`; under a lease only while this connection holds that live lease.
    func put(_ request: Request, _ asker: Asker) -> Action {
        guard case .put(let put) = request.body else { return Self.mismatch(request) }
        if let token = put.lease {
            guard let channel = asker.channel, leases.beginWrite(ns: put.ns, key: put.key, token: token, channel: channel) else {
                return .answer(.failed(Self.leaseGone))
            }
        }
        return .write(.put(put))
    }

    /// A `delete`; under a lease only while this connection holds that live lease.
    func delete(_ request: Request, _ asker: Asker) -> Action {
        guard case .delete(let delete) = request.body else { return Self.mismatch(request) }
        if let token = delete.lease {
            guard let channel = asker.channel, leases.beginWrite(ns: delete.ns, key: delete.key, token: token, channel: channel) else {
                return .answer(.failed(Self.leaseGone))
            }
        }
        return .write(.delete(delete))
    }

    /// The answer to a write under a lease the connection does not hold (any more).
    static let leaseGone = ProtocolError(
        .conflict, "the lease has ended (stored, released, expired, deleted, locked or from before a restart) or is not this connection's")

    /// `list`, leaving out the namespaces the access rules hide from the caller.
    func list(_ request: Request, _ asker: Asker) -> Action {
        guard case .list(let ns) = request.body else { return Self.mismatch(request) }
        let hidden = asker.hidden
        return .offLoop { [vault] in
            Outcome { () throws(StoreError) in
                var listing = try vault.list(ns: ns)
                if !hidden.isEmpty { listing.items.removeAll { hidden.contains($0.ns) } }
                return .listing(listing)
            }
        }
    }

    /// `status`; `entries` leaves out the namespaces whose rule keeps the caller
    /// out (while locked the rules cannot be read: it counts every live entry).
    func status(_ request: Request, _ asker: Asker) -> Action {
        .offLoop { [self] in
            Outcome { () throws(StoreError) in
                let state = vault.state
                var lockReason: String?
                if case .locked(let reason) = state { lockReason = reason.description }
                return .status(Answer.Status(
                    locked: state.isLocked, keyStore: vault.keyStoreKind.rawValue,
                    entries: try vault.count(excluding: ruledOut(asker.caller)),
                    version: configuration.serverVersion,
                    uptimeSeconds: Int((NIODeadline.now() - started).nanoseconds / 1_000_000_000),
                    lockReason: lockReason, keyStoreNotice: vault.keyStoreNotice,
                    audit: audit != nil, auditDropped: audit?.dropped))
            }
        }
    }

    /// A handler given another op's request: the op table is wrong.
    static func mismatch(_ request: Request) -> Action {
        .answer(.failed(ProtocolError(.internal, "no handler for this request's op")))
    }
}
