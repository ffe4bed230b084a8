import LocketCrypto
import LocketProtocol
import LocketStore

/// The handlers of `allow`, `deny` and `rules`, which administer the access
/// rules (`decide` enforces them: `accessVerdict`).
extension Dispatcher {
    /// `allow`: adds a program to a namespace's rule (creating it), pinning a
    /// given SHA-256 or, with `hash: true`, the file's as read now; or a
    /// sandbox identity (`flatpak`, `snap`, `label`).
    func allow(_ request: Request, _ asker: Asker) -> Action {
        guard case .allow(let allow) = request.body else { return Self.mismatch(request) }
        let logger = configuration.logger
        return .offLoop { [vault] in
            let program: AllowedProgram
            var sha256: String?
            switch allow.admitted {
            case .sandbox(let subject):
                program = Self.program(subject)
            case .program(let path, let pin):
                switch pin {
                case .none: break
                case .sha256(let digest): sha256 = digest
                case .hashNow:
                    switch Result(catching: { () throws(CryptoError) in try FileDigest.sha256(path: path) }) {
                    case .success(let digest): sha256 = digest
                    case .failure(let error):
                        let why = if case .malformedInput(let text) = error { text } else { "\(error)" }
                        return .failed(ProtocolError(.badRequest, "cannot read \(path) to hash it (\(why))"))
                    }
                }
                program = AllowedProgram(path: path, sha256: sha256)
            }
            let ns = allow.ns
            let changed = Result { () throws(StoreError) in
                try vault.changeAccessRules { rules -> (save: Bool, result: Result<(Bool, [AllowedProgram]), AccessRuleError>) in
                    switch Result(catching: { () throws(AccessRuleError) in try rules.allow(program, ns: ns) }) {
                    case .success(let created): (true, .success((created, rules.programs(for: ns) ?? [])))
                    case .failure(let error): (false, .failure(error))
                    }
                }
            }
            switch changed {
            case .failure(let error): return .failed(Self.protocolError(error))
            case .success(.failure(let error)): return .failed(ProtocolError(.badRequest, error.description))
            case .success(.success(let (created, programs))):
                logger.notice("access rule changed", metadata: ["change": "allow", "pinned": "\(sha256 != nil)"])
                return .allowed(created: created, sha256: sha256, programs: programs)
            }
        }
    }

    /// `deny`: removes one program from a namespace's rule, or the whole rule
    /// without `path`. A rule left with no program is removed.
    func deny(_ request: Request, _ asker: Asker) -> Action {
        guard case .deny(let deny) = request.body else { return Self.mismatch(request) }
        let subject: AllowedProgram? = switch deny.denied {
        case .sandbox(let subject): Self.program(subject)
        case .path(let path): AllowedProgram(path: path)
        case nil: nil
        }
        let logger = configuration.logger
        return .offLoop { [vault] in
            Outcome { () throws(StoreError) in
                let (removed, programs) = try vault.changeAccessRules { rules in
                    let removed = rules.deny(ns: deny.ns, subject: subject)
                    return (removed > 0, (removed, rules.programs(for: deny.ns) ?? []))
                }
                if removed > 0 { logger.notice("access rule changed", metadata: ["change": "deny", "removed": "\(removed)"]) }
                return .denied(removed: removed, programs: programs)
            }
        }
    }

    /// `rules`: every rule, or the one for `ns`.
    func listRules(_ request: Request, _ asker: Asker) -> Action {
        guard case .rules(let ns) = request.body else { return Self.mismatch(request) }
        return .offLoop { [vault] in
            Outcome { () throws(StoreError) in
                .rules(try vault.accessRules().sorted.filter { ns == nil || $0.ns == ns })
            }
        }
    }

    /// The rule entry a sandbox identity names.
    static func program(_ subject: SandboxSubject) -> AllowedProgram {
        switch subject.kind {
        case .flatpak: AllowedProgram(flatpak: subject.value)
        case .snap: AllowedProgram(snap: subject.value)
        case .label: AllowedProgram(label: subject.value)
        }
    }
}
