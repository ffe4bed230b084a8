import Foundation
import LocketCrypto
import LocketProtocol
import LocketStore
import NIOCore

/// One function per op. Each returns the complete response line.
extension Dispatcher {
    func hello(_ request: Request) -> [UInt8] {
        var response = Response.success(id: request.idJSON)
        response.int("protocol", 1)
        response.string("server", "locketd \(configuration.serverVersion)")
        response.array("ops", Op.allCases.map(\.rawValue)) { name, out in Escaping.appendString(name, to: &out) }
        return response.finished()
    }

    func put(_ request: Request, on loop: EventLoop) -> EventLoopFuture<[UInt8]> {
        let promise = loop.makePromise(of: [UInt8].self)
        let id = request.idJSON
        vault.put(ns: request.ns!, key: request.key!, value: request.valueJSON!, ttl: request.ttl, ifVersion: request.ifVersion) {
            [expiry, watchHub] result in
            switch result {
            case .success(let put):
                if let expiresAt = put.expiresAt { expiry.noteExpiry(expiresAt) }
                watchHub.noteChanged(ns: request.ns!, key: request.key!, version: put.version, expiresAt: put.expiresAt)
                var response = Response.success(id: id)
                response.bool("created", put.created)
                response.int("version", put.version)
                response.timestamp("expires_at", put.expiresAt)
                promise.succeed(response.finished())
            case .failure(let error):
                promise.succeed(Response.failure(id: id, Self.protocolError(error)).bytes)
            }
        }
        return promise.futureResult
    }

    /// Served inline on the event loop: a primary-key read on a WAL read
    /// connection never waits for the writer and takes a few microseconds, less
    /// than the hop to the thread pool and back. Only the rare retry after a
    /// rotation (which waits for the writer) goes to the pool.
    func get(_ request: Request, on loop: EventLoop) -> EventLoopFuture<[UInt8]> {
        let inline = Result { () throws(StoreError) in
            try Self.getResponse(request, vault.get(ns: request.ns!, key: request.key!, mayWait: false)).finished()
        }
        switch inline {
        case .success(let bytes): return loop.makeSucceededFuture(bytes)
        case .failure(.corrupt):
            return offLoop(request, on: loop) { [vault] () throws(StoreError) in
                try Self.getResponse(request, vault.get(ns: request.ns!, key: request.key!))
            }
        case .failure(let error): return loop.makeSucceededFuture(Response.failure(id: request.idJSON, Self.protocolError(error)).bytes)
        }
    }

    static func getResponse(_ request: Request, _ found: Entry) -> Response {
        // The value's own storage is zeroed once copied into the answer: `secureZero(&copy)`
        // on a copy would zero a fresh copy-on-write buffer and leave the caller's in place.
        defer { wipeStorage(of: found.value) }
        var response = Response.success(id: request.idJSON)
        response.raw("value", found.value)
        response.int("version", found.version)
        response.timestamp("created_at", found.createdAt)
        response.timestamp("updated_at", found.updatedAt)
        response.timestamp("expires_at", found.expiresAt)
        return response
    }

    func delete(_ request: Request, on loop: EventLoop) -> EventLoopFuture<[UInt8]> {
        let promise = loop.makePromise(of: [UInt8].self)
        let id = request.idJSON
        vault.delete(ns: request.ns!, key: request.key!, ifVersion: request.ifVersion) { [watchHub, leases] result in
            switch result {
            case .success(let deleted):
                if deleted {
                    watchHub.noteDeleted(ns: request.ns!, key: request.key!)
                    leases.noteDeleted(ns: request.ns!, key: request.key!)
                }
                var response = Response.success(id: id)
                response.bool("deleted", deleted)
                promise.succeed(response.finished())
            case .failure(let error):
                promise.succeed(Response.failure(id: id, Self.protocolError(error)).bytes)
            }
        }
        return promise.futureResult
    }

    /// `list`; `hidden` namespaces (ruled, and the caller is not allowed) are left out.
    func list(_ request: Request, hiding hidden: Set<String> = [], on loop: EventLoop) -> EventLoopFuture<[UInt8]> {
        offLoop(request, on: loop) { [vault] () throws(StoreError) in
            var listing = try vault.list(ns: request.ns)
            if !hidden.isEmpty { listing.items.removeAll { hidden.contains($0.ns) } }
            var response = Response.success(id: request.idJSON)
            response.array("items", listing.items) { item, out in
                var element = Response.nested()
                element.string("ns", item.ns)
                element.string("key", item.key)
                element.int("version", item.version)
                element.timestamp("created_at", item.createdAt)
                element.timestamp("updated_at", item.updatedAt)
                element.timestamp("expires_at", item.expiresAt)
                out.append(contentsOf: element.object)
            }
            if listing.unreadable > 0 { response.int("unreadable", listing.unreadable) }
            return response
        }
    }

    func status(_ request: Request, on loop: EventLoop) -> EventLoopFuture<[UInt8]> {
        offLoop(request, on: loop) { [vault, configuration, started, audit] () throws(StoreError) in
            var response = Response.success(id: request.idJSON)
            let state = vault.state
            response.bool("locked", state.isLocked)
            response.string("key_store", vault.keyStoreKind.rawValue)
            response.int("entries", try vault.count())
            response.string("version", configuration.serverVersion)
            response.int("uptime_s", Int((NIODeadline.now() - started).nanoseconds / 1_000_000_000))
            if case .locked(let reason) = state { response.string("lock_reason", reason.description) }
            if let notice = vault.keyStoreNotice { response.string("key_store_notice", notice) }
            response.bool("audit", audit != nil)
            if let audit { response.int("audit_dropped", audit.dropped) }
            return response
        }
    }

    func lock(_ request: Request, on loop: EventLoop) -> EventLoopFuture<[UInt8]> {
        vault.lock(reason: .requested)
        watchHub.vaultStateMayHaveChanged()
        leases.vaultLocked()
        configuration.logger.notice("vault locked on request")
        return loop.makeSucceededFuture(Response.success(id: request.idJSON).finished())
    }

    func unlock(_ request: Request, on loop: EventLoop) -> EventLoopFuture<[UInt8]> {
        // The parsed passphrase moves into guarded memory; its array's own storage (which
        // `request`, captured below, shares) is then zeroed in place, not a copy of it.
        let passphraseBytes = request.passphrase
        defer { if let passphraseBytes { wipeStorage(of: passphraseBytes) } }
        let passphrase: SecureKey?
        do {
            passphrase = try passphraseBytes.map { bytes throws(CryptoError) in
                try bytes.withBytes { (raw) throws(CryptoError) in try SecureKey(copying: raw) }
            }
        } catch {
            return loop.makeSucceededFuture(Response.failure(id: request.idJSON, ProtocolError(.badRequest, "the passphrase is empty")).bytes)
        }
        let logger = configuration.logger
        return offLoop(request, on: loop) { [vault, watchHub] () throws(StoreError) in
            try vault.unlock(passphrase: passphrase)
            watchHub.vaultStateMayHaveChanged()
            logger.notice("vault unlocked")
            return Response.success(id: request.idJSON)
        }
    }

    func rotate(_ request: Request, on loop: EventLoop) -> EventLoopFuture<[UInt8]> {
        let logger = configuration.logger
        return offLoop(request, on: loop) { [vault] () throws(StoreError) in
            let count = try vault.rotateMasterKey()
            logger.notice("master key rotated", metadata: ["rewrapped": "\(count)"])
            var response = Response.success(id: request.idJSON)
            response.int("rewrapped", count)
            return response
        }
    }
}
