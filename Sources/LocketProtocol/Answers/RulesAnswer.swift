extension Answer {
    /// A program an access rule allows: by path (maybe pinned by SHA-256), or
    /// by sandbox identity (`flatpak`, `snap` or `label`; `path` is then nil).
    public struct Program: Sendable, Equatable {
        public var path: String?
        public var flatpak: String?
        public var snap: String?
        public var label: String?
        /// The pinned SHA-256 (lowercase hex), or nil.
        public var sha256: String?

        public init(path: String?, flatpak: String? = nil, snap: String? = nil, label: String? = nil, sha256: String? = nil) {
            self.path = path
            self.flatpak = flatpak
            self.snap = snap
            self.label = label
            self.sha256 = sha256
        }

        /// `path` (or null), any `flatpak`, `snap`, `label`, then `sha256` (or null).
        public func write(to object: inout JSONWriter) {
            object.string("path", orNull: path)
            if let flatpak { object.string("flatpak", flatpak) }
            if let snap { object.string("snap", snap) }
            if let label { object.string("label", label) }
            object.string("sha256", orNull: sha256)
        }

        init(reading program: AnswerReader) {
            path = program.string("path")
            flatpak = program.string("flatpak")
            snap = program.string("snap")
            label = program.string("label")
            sha256 = program.string("sha256")
        }

        /// The `programs` member of `allow`, `deny` and each rule of `rules`.
        static func write(_ programs: [Program], to writer: inout JSONWriter) {
            writer.objects("programs", programs) { object, program in program.write(to: &object) }
        }

        static func read(from answer: AnswerReader) throws(AnswerError) -> [Program] {
            try answer.objects("programs").map(Program.init(reading:))
        }
    }

    /// `rules`: every rule (or the one asked for), sorted by namespace.
    public struct Rules: AnswerBody {
        public var items: [Rule]

        public init(items: [Rule]) { self.items = items }

        /// A namespace's rule: only these programs may use it.
        public struct Rule: Sendable, Equatable {
            public var ns: String
            public var programs: [Program]

            public init(ns: String, programs: [Program]) {
                self.ns = ns
                self.programs = programs
            }
        }

        public func write(to response: inout Response) {
            response.members { writer in
                writer.objects("items", items) { object, rule in
                    object.string("ns", rule.ns)
                    Program.write(rule.programs, to: &object)
                }
            }
        }

        public init(reading answer: AnswerReader) throws(AnswerError) {
            var items: [Rule] = []
            for item in try answer.objects("items") {
                items.append(Rule(ns: try item.requiredString("ns", in: "a rule"), programs: try Program.read(from: item)))
            }
            self.items = items
        }
    }

    /// `allow`: whether the rule is new, the SHA-256 pinned (or null), the rule's programs now.
    public struct Allow: AnswerBody {
        public var created: Bool
        public var sha256: String?
        public var programs: [Program]

        public init(created: Bool, sha256: String?, programs: [Program]) {
            self.created = created
            self.sha256 = sha256
            self.programs = programs
        }

        public func write(to response: inout Response) {
            response.members { writer in
                writer.bool("created", created)
                writer.string("sha256", orNull: sha256)
                Program.write(programs, to: &writer)
            }
        }

        public init(reading answer: AnswerReader) throws(AnswerError) {
            created = try answer.bool("created")
            sha256 = answer.string("sha256")
            programs = try Program.read(from: answer)
        }
    }

    /// `deny`: how many programs were removed, whether a rule is left, its programs now.
    public struct Deny: AnswerBody {
        public var removed: Int
        public var ruleLeft: Bool
        public var programs: [Program]

        public init(removed: Int, ruleLeft: Bool, programs: [Program]) {
            self.removed = removed
            self.ruleLeft = ruleLeft
            self.programs = programs
        }

        public func write(to response: inout Response) {
            response.members { writer in
                writer.int("removed", removed)
                writer.bool("rule_left", ruleLeft)
                Program.write(programs, to: &writer)
            }
        }

        /// `rule_left` may be absent (then: whether `programs` is not empty).
        public init(reading answer: AnswerReader) throws(AnswerError) {
            removed = try answer.int("removed")
            programs = try Program.read(from: answer)
            ruleLeft = answer.optionalBool("rule_left") ?? !programs.isEmpty
        }
    }
}
