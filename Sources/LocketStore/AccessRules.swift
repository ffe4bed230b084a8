/// A program allowed to use a namespace, named one of two ways:
///
/// - by its executable's absolute path as the kernel names it in
///   `/proc/PID/exe`, and optionally the SHA-256 of its content (lowercase hex);
/// - by a sandbox identity the program cannot change: a Flatpak app id, a Snap
///   name or an LSM (AppArmor/SELinux) label. Exactly one of `path`,
///   `flatpak`, `snap`, `label` is set.
public struct AllowedProgram: Sendable, Equatable, Codable {
    public var path: String?
    public var sha256: String?
    public var flatpak: String?
    public var snap: String?
    public var label: String?

    public init(path: String, sha256: String? = nil) {
        self.path = path
        self.sha256 = sha256
    }

    /// A program named by a sandbox identity.
    public init(flatpak: String? = nil, snap: String? = nil, label: String? = nil) {
        self.flatpak = flatpak
        self.snap = snap
        self.label = label
    }

    /// Whether both name the same program (the same path, or the same sandbox identity).
    public func sameSubject(_ other: AllowedProgram) -> Bool {
        path == other.path && flatpak == other.flatpak && snap == other.snap && label == other.label
    }

    /// `path /usr/bin/app`, `flatpak org.example.App`, `snap NAME` or `label LABEL`.
    public var subjectDescription: String {
        if let flatpak { return "flatpak \(flatpak)" }
        if let snap { return "snap \(snap)" }
        if let label { return "label \(label)" }
        return "path \(path ?? "")"
    }
}

/// The vault's access rules: for each namespace that has one, the programs
/// allowed to use it. A namespace without a rule is open to every caller.
public struct AccessRules: Sendable, Equatable, Codable {
    /// The most programs one rule names.
    public static let maxPrograms = 64
    /// The most namespaces with a rule.
    public static let maxRules = 4096

    /// Namespace → allowed programs (never empty: a rule with none is removed).
    public private(set) var byNamespace: [String: [AllowedProgram]]

    public init(_ byNamespace: [String: [AllowedProgram]] = [:]) {
        self.byNamespace = byNamespace.filter { !$0.value.isEmpty }
    }

    public var isEmpty: Bool { byNamespace.isEmpty }

    /// The programs allowed for `ns`, or nil when it has no rule.
    public func programs(for ns: String) -> [AllowedProgram]? { byNamespace[ns] }

    /// The rules sorted by namespace (bytewise), programs in the order they were allowed.
    public var sorted: [(ns: String, programs: [AllowedProgram])] {
        byNamespace.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }.map { ($0.key, $0.value) }
    }

    /// Allows `program` for `ns` (replacing the hash of a program already
    /// allowed at the same path). Returns whether the rule is new.
    @discardableResult
    public mutating func allow(_ program: AllowedProgram, ns: String) throws(AccessRuleError) -> Bool {
        var programs = byNamespace[ns] ?? []
        let created = programs.isEmpty
        if created, byNamespace.count >= Self.maxRules { throw .tooMany("at most \(Self.maxRules) namespaces can have a rule") }
        if let index = programs.firstIndex(where: { $0.sameSubject(program) }) {
            programs[index] = program
        } else {
            guard programs.count < Self.maxPrograms else { throw .tooMany("a rule allows at most \(Self.maxPrograms) programs") }
            programs.append(program)
        }
        byNamespace[ns] = programs
        return created
    }

    /// Removes `path` from the rule for `ns`, or the whole rule when `path` is
    /// nil. A rule left with no program is removed (the namespace is open
    /// again). Returns how many programs were removed.
    @discardableResult
    public mutating func deny(ns: String, path: String?) -> Int {
        deny(ns: ns, subject: path.map { AllowedProgram(path: $0) })
    }

    /// Removes the program naming the same subject as `subject` (a path or a
    /// sandbox identity) from the rule for `ns`, or the whole rule when nil.
    @discardableResult
    public mutating func deny(ns: String, subject: AllowedProgram?) -> Int {
        guard var programs = byNamespace[ns] else { return 0 }
        let before = programs.count
        if let subject { programs.removeAll { $0.sameSubject(subject) } } else { programs.removeAll() }
        byNamespace[ns] = programs.isEmpty ? nil : programs
        return before - programs.count
    }
}

/// Why a rule change was refused.
public enum AccessRuleError: Error, Equatable, Sendable, CustomStringConvertible {
    case tooMany(String)

    public var description: String {
        switch self {
        case .tooMany(let what): what
        }
    }
}
