#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LocketProtocol

/// A program a namespace's access rule allows: by path (`path`, maybe
/// `sha256`), or by sandbox identity (`flatpak`, `snap` or `label`; `path` is
/// then empty).
public struct RuleProgram: Sendable, Equatable {
    /// The executable's absolute path, as the kernel shows it in `/proc/PID/exe`;
    /// empty for a program named by a sandbox identity.
    public var path: String
    /// The pinned SHA-256 of its content (lowercase hex), or nil.
    public var sha256: String?
    /// A Flatpak app id, a Snap name, or an AppArmor/SELinux label.
    public var flatpak: String?
    public var snap: String?
    public var label: String?

    public init(path: String, sha256: String? = nil, flatpak: String? = nil, snap: String? = nil, label: String? = nil) {
        self.path = path
        self.sha256 = sha256
        self.flatpak = flatpak
        self.snap = snap
        self.label = label
    }

    /// How a person reads it: the path, or `flatpak ID`, `snap NAME`, `label LABEL`.
    public var subject: String {
        if let flatpak { return "flatpak \(flatpak)" }
        if let snap { return "snap \(snap)" }
        if let label { return "label \(label)" }
        return path
    }
}

/// A sandbox identity an access rule can name (what `allow` and `deny` send).
public enum SandboxIdentity: Sendable, Equatable {
    /// A Flatpak app id (`org.example.App`).
    case flatpak(String)
    /// A Snap name.
    case snap(String)
    /// An AppArmor profile or SELinux context, as SO_PEERSEC shows it.
    case label(String)

    /// The identity as the protocol names it.
    var subject: SandboxSubject {
        switch self {
        case .flatpak(let id): SandboxSubject(.flatpak, id)
        case .snap(let name): SandboxSubject(.snap, name)
        case .label(let label): SandboxSubject(.label, label)
        }
    }
}

/// A namespace's access rule: only these programs may use it.
public struct AccessRule: Sendable, Equatable {
    public var ns: String
    public var programs: [RuleProgram]
}

/// What `allow` answered.
public struct AllowResult: Sendable, Equatable {
    /// The namespace had no rule before.
    public var created: Bool
    /// The SHA-256 pinned for this program (given, or hashed by the daemon), or nil.
    public var sha256: String?
    /// The rule's programs now.
    public var programs: [RuleProgram]
}

/// What `deny` answered.
public struct DenyResult: Sendable, Equatable {
    /// How many programs were removed.
    public var removed: Int
    /// The rule's programs now (empty: the namespace has no rule and is open again).
    public var programs: [RuleProgram]
}

/// Access rules administration.
extension LocketClient {
    /// Allows the executable at `path` (absolute) to use `ns`, creating the
    /// rule if needed. Pins `sha256` if given; with `hashNow`, pins the SHA-256
    /// of the file at `path` as the daemon reads it now.
    @discardableResult
    public func allow(ns: String, path: String, sha256: String? = nil, hashNow: Bool = false) throws(LocketError) -> AllowResult {
        let pin: Request.Pin
        switch (sha256, hashNow) {
        case (let digest?, false): pin = .sha256(digest)
        case (nil, true): pin = .hashNow
        case (nil, false): pin = .none
        case (_?, true): throw LocketError(ProtocolError(.badRequest, "give \"sha256\" or \"hash\": true, not both"))
        }
        return AllowResult(try call(Request(.allow(.init(ns: ns, admitted: .program(path: path, pin: pin)))), Answer.Allow.self, idempotent: false))
    }

    /// Allows programs with a sandbox identity (a Flatpak app, a Snap, an LSM
    /// label) to use `ns`, whatever their executable's path.
    @discardableResult
    public func allow(ns: String, sandbox: SandboxIdentity) throws(LocketError) -> AllowResult {
        var result = AllowResult(try call(Request(.allow(.init(ns: ns, admitted: .sandbox(sandbox.subject)))), Answer.Allow.self, idempotent: false))
        result.sha256 = nil
        return result
    }

    /// Removes a sandbox identity from the rule for `ns`.
    @discardableResult
    public func deny(ns: String, sandbox: SandboxIdentity) throws(LocketError) -> DenyResult {
        DenyResult(try call(Request(.deny(.init(ns: ns, denied: .sandbox(sandbox.subject)))), Answer.Deny.self, idempotent: false))
    }

    /// Removes `path` from the rule for `ns`, or the whole rule when `path` is nil.
    @discardableResult
    public func deny(ns: String, path: String? = nil) throws(LocketError) -> DenyResult {
        DenyResult(try call(Request(.deny(.init(ns: ns, denied: path.map(Request.Denied.path)))), Answer.Deny.self, idempotent: false))
    }

    /// The access rules (only the one for `ns`, if given), sorted by namespace.
    public func rules(ns: String? = nil) throws(LocketError) -> [AccessRule] {
        try call(Request(.rules(ns: ns)), Answer.Rules.self, idempotent: true).items.map {
            AccessRule(ns: $0.ns, programs: $0.programs.map(RuleProgram.init))
        }
    }
}

extension AllowResult {
    init(_ answer: Answer.Allow) {
        self.init(created: answer.created, sha256: answer.sha256, programs: answer.programs.map(RuleProgram.init))
    }
}

extension DenyResult {
    init(_ answer: Answer.Deny) {
        self.init(removed: answer.removed, programs: answer.programs.map(RuleProgram.init))
    }
}
