import Foundation
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

    var member: (name: String, value: String) {
        switch self {
        case .flatpak(let id): ("flatpak", id)
        case .snap(let name): ("snap", name)
        case .label(let label): ("label", label)
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
        var request = RequestWriter(op: "allow")
        request.string("ns", ns)
        request.string("path", path)
        request.string("sha256", sha256)
        if hashNow { request.bool("hash", true) }
        return AllowResult(try call(request, Answer.Allow.self, idempotent: false))
    }

    /// Allows programs with a sandbox identity (a Flatpak app, a Snap, an LSM
    /// label) to use `ns`, whatever their executable's path.
    @discardableResult
    public func allow(ns: String, sandbox: SandboxIdentity) throws(LocketError) -> AllowResult {
        var request = RequestWriter(op: "allow")
        request.string("ns", ns)
        request.string(sandbox.member.name, sandbox.member.value)
        var result = AllowResult(try call(request, Answer.Allow.self, idempotent: false))
        result.sha256 = nil
        return result
    }

    /// Removes a sandbox identity from the rule for `ns`.
    @discardableResult
    public func deny(ns: String, sandbox: SandboxIdentity) throws(LocketError) -> DenyResult {
        var request = RequestWriter(op: "deny")
        request.string("ns", ns)
        request.string(sandbox.member.name, sandbox.member.value)
        return DenyResult(try call(request, Answer.Deny.self, idempotent: false))
    }

    /// Removes `path` from the rule for `ns`, or the whole rule when `path` is nil.
    @discardableResult
    public func deny(ns: String, path: String? = nil) throws(LocketError) -> DenyResult {
        var request = RequestWriter(op: "deny")
        request.string("ns", ns)
        request.string("path", path)
        return DenyResult(try call(request, Answer.Deny.self, idempotent: false))
    }

    /// The access rules (only the one for `ns`, if given), sorted by namespace.
    public func rules(ns: String? = nil) throws(LocketError) -> [AccessRule] {
        var request = RequestWriter(op: "rules")
        request.string("ns", ns)
        return try call(request, Answer.Rules.self, idempotent: true).items.map {
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
