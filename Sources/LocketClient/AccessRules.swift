import Foundation

/// A program a namespace's access rule allows.
public struct RuleProgram: Sendable, Equatable {
    /// The executable's absolute path, as the kernel shows it in `/proc/PID/exe`.
    public var path: String
    /// The pinned SHA-256 of its content (lowercase hex), or nil.
    public var sha256: String?

    public init(path: String, sha256: String? = nil) {
        self.path = path
        self.sha256 = sha256
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
        var request = RequestBuilder(op: "allow")
        request.string("ns", ns)
        request.string("path", path)
        request.string("sha256", sha256)
        if hashNow { request.raw("hash", Array("true".utf8)) }
        let answer = try call(request, idempotent: false)
        return AllowResult(created: try answer.bool("created"), sha256: answer.string("sha256"),
                           programs: Self.programs(answer.raw("programs")))
    }

    /// Removes `path` from the rule for `ns`, or the whole rule when `path` is nil.
    @discardableResult
    public func deny(ns: String, path: String? = nil) throws(LocketError) -> DenyResult {
        var request = RequestBuilder(op: "deny")
        request.string("ns", ns)
        request.string("path", path)
        let answer = try call(request, idempotent: false)
        return DenyResult(removed: try answer.int("removed"), programs: Self.programs(answer.raw("programs")))
    }

    /// The access rules (only the one for `ns`, if given), sorted by namespace.
    public func rules(ns: String? = nil) throws(LocketError) -> [AccessRule] {
        var request = RequestBuilder(op: "rules")
        request.string("ns", ns)
        let answer = try call(request, idempotent: true)
        let array = try answer.items()
        return array.map { item in
            AccessRule(ns: item["ns"] as? String ?? "", programs: Self.programs(item["programs"] as? [[String: Any]] ?? []))
        }
    }

    private static func programs(_ raw: [UInt8]?) -> [RuleProgram] {
        guard let raw, let array = try? JSONSerialization.jsonObject(with: Data(raw)) as? [[String: Any]] else { return [] }
        return programs(array)
    }

    private static func programs(_ array: [[String: Any]]) -> [RuleProgram] {
        array.map { RuleProgram(path: $0["path"] as? String ?? "", sha256: $0["sha256"] as? String) }
    }
}
