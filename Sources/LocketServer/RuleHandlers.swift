import LocketCrypto
import LocketProtocol
import LocketStore
import NIOCore

/// Access rules: enforcement before a data op's handler, and the `allow`,
/// `deny` and `rules` ops that administer them.
extension Dispatcher {
    /// The ops a rule restricts: on a namespace with a rule, only an allowed
    /// program may use them (`list` and `audit` without `ns` leave out the
    /// namespaces the caller may not use; any other op given here without `ns`,
    /// such as `watch` of all namespaces, is refused whole when some rule
    /// keeps the caller out).
    static func isRuled(_ op: Op) -> Bool {
        switch op {
        case .get, .put, .delete, .list, .audit, .watch, .lease, .release: true
        case .hello, .ping, .status, .lock, .unlock, .rotate, .allow, .deny, .rules: false
        }
    }

    /// Runs `handler` if the vault's access rules let `caller` make `request`;
    /// answers `forbidden` otherwise. Called after the locked-state gate.
    func authorized(_ request: Request, caller: CallerIdentity, _ handler: @escaping Handler, on loop: EventLoop) -> EventLoopFuture<[UInt8]> {
        guard Self.isRuled(request.op) else { return handler(self, request, loop) }
        if let rules = vault.cachedAccessRules {
            return enforce(rules, request, caller: caller, handler, on: loop)
        }
        let id = request.idJSON
        return pool.runIfActive(eventLoop: loop) { [vault] () -> Result<AccessRules, StoreError> in
            Result { () throws(StoreError) in try vault.accessRules() }
        }.flatMap { [self] result in
            switch result {
            case .success(let rules): enforce(rules, request, caller: caller, handler, on: loop)
            case .failure(let error): loop.makeSucceededFuture(Response.failure(id: id, Self.protocolError(error)).bytes)
            }
        }.recover { _ in
            Self.shuttingDownAnswer(id)
        }
    }

    private func enforce(_ rules: AccessRules, _ request: Request, caller: CallerIdentity, _ handler: @escaping Handler,
                         on loop: EventLoop) -> EventLoopFuture<[UInt8]> {
        if rules.isEmpty { return handler(self, request, loop) }
        let relevant: [(ns: String, programs: [AllowedProgram])]
        if let ns = request.ns {
            guard let programs = rules.programs(for: ns) else { return handler(self, request, loop) }
            relevant = [(ns, programs)]
        } else {
            relevant = rules.sorted
        }
        let decide = { @Sendable [self, relevant] (digest: String?) -> EventLoopFuture<[UInt8]> in
            var denied: [String: String] = [:]
            for rule in relevant {
                if let why = AccessControl.check(ns: rule.ns, programs: rule.programs, caller: caller, digest: { digest }) {
                    denied[rule.ns] = why
                }
            }
            if request.ns != nil, let why = denied.values.first {
                return loop.makeSucceededFuture(Response.failure(id: request.idJSON, ProtocolError(.forbidden, why)).bytes)
            }
            if denied.isEmpty { return handler(self, request, loop) }
            let hidden = Set(denied.keys)
            switch request.op {
            case .list: return list(request, hiding: hidden, on: loop)
            case .audit: return readAudit(request, hiding: hidden, on: loop)
            default:
                // An op over all namespaces that cannot leave some out: refused whole.
                return loop.makeSucceededFuture(Response.failure(id: request.idJSON, ProtocolError(.forbidden,
                    "\(hidden.count) namespace(s) have an access rule that does not allow this caller; name a namespace it may use")).bytes)
            }
        }
        let needsDigest = relevant.contains { AccessControl.needsDigest($0.programs, caller: caller) }
        guard needsDigest else { return decide(nil) }
        if let known = digests.cached(caller) { return decide(known) }
        return pool.runIfActive(eventLoop: loop) { [digests] in digests.digest(caller) }
            .flatMap { decide($0) }
            .recover { _ in Self.shuttingDownAnswer(request.idJSON) }
    }

    /// `allow`: adds a program to a namespace's rule (creating it), pinning a
    /// given SHA-256 or, with `hash: true`, the file's as read now.
    func allow(_ request: Request, on loop: EventLoop) -> EventLoopFuture<[UInt8]> {
        let id = request.idJSON
        let (ns, path) = (request.ns!, request.path!)
        let logger = configuration.logger
        return pool.runIfActive(eventLoop: loop) { [vault] () -> [UInt8] in
            var sha256 = request.sha256
            if request.hashNow {
                switch Result(catching: { () throws(CryptoError) in try FileDigest.sha256(path: path) }) {
                case .success(let digest): sha256 = digest
                case .failure(let error):
                    let why = if case .malformedInput(let text) = error { text } else { "\(error)" }
                    return Response.failure(id: id, ProtocolError(.badRequest, "cannot read \(path) to hash it (\(why))")).bytes
                }
            }
            let program = AllowedProgram(path: path, sha256: sha256)
            let outcome = Result { () throws(StoreError) in
                try vault.changeAccessRules { rules -> (save: Bool, result: Result<(Bool, [AllowedProgram]), AccessRuleError>) in
                    let result = Result { () throws(AccessRuleError) in try rules.allow(program, ns: ns) }
                    switch result {
                    case .success(let created): return (true, .success((created, rules.programs(for: ns) ?? [])))
                    case .failure(let error): return (false, .failure(error))
                    }
                }
            }
            switch outcome {
            case .failure(let error): return Response.failure(id: id, Self.protocolError(error)).bytes
            case .success(.failure(let error)): return Response.failure(id: id, ProtocolError(.badRequest, error.description)).bytes
            case .success(.success(let (created, programs))):
                logger.notice("access rule changed", metadata: ["change": "allow", "pinned": "\(sha256 != nil)"])
                var response = Response.success(id: id)
                response.bool("created", created)
                if let sha256 { response.string("sha256", sha256) } else { response.raw("sha256", Array("null".utf8)) }
                Self.appendPrograms(programs, to: &response)
                return response.finished()
            }
        }.recover { _ in Self.shuttingDownAnswer(id) }
    }

    /// `deny`: removes one program from a namespace's rule, or the whole rule
    /// without `path`. A rule left with no program is removed.
    func deny(_ request: Request, on loop: EventLoop) -> EventLoopFuture<[UInt8]> {
        let (ns, path) = (request.ns!, request.path)
        let logger = configuration.logger
        return offLoop(request, on: loop) { [vault] () throws(StoreError) in
            let (removed, programs) = try vault.changeAccessRules { rules in
                let removed = rules.deny(ns: ns, path: path)
                return (removed > 0, (removed, rules.programs(for: ns) ?? []))
            }
            if removed > 0 { logger.notice("access rule changed", metadata: ["change": "deny", "removed": "\(removed)"]) }
            var response = Response.success(id: request.idJSON)
            response.int("removed", removed)
            response.bool("rule_left", !programs.isEmpty)
            Self.appendPrograms(programs, to: &response)
            return response
        }
    }

    /// `rules`: every rule, or the one for `ns`.
    func listRules(_ request: Request, on loop: EventLoop) -> EventLoopFuture<[UInt8]> {
        offLoop(request, on: loop) { [vault] () throws(StoreError) in
            let rules = try vault.accessRules()
            let items = rules.sorted.filter { request.ns == nil || $0.ns == request.ns }
            var response = Response.success(id: request.idJSON)
            response.array("items", items) { rule, out in
                var element = Response.nested()
                element.string("ns", rule.ns)
                Self.appendPrograms(rule.programs, to: &element)
                out.append(contentsOf: element.object)
            }
            return response
        }
    }

    private static func appendPrograms(_ programs: [AllowedProgram], to response: inout Response) {
        response.array("programs", programs) { program, out in
            var element = Response.nested()
            element.string("path", program.path)
            if let sha256 = program.sha256 { element.string("sha256", sha256) } else { element.raw("sha256", Array("null".utf8)) }
            out.append(contentsOf: element.object)
        }
    }
}
