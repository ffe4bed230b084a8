import LocketProtocol
import Testing

/// `rules`, `allow`, `deny`: the daemon's exact bytes, and read back.
@Suite("Answers: access rules")
struct AnswerRuleTests {
    static let pinned = Answer.Program(path: "/usr/bin/app", sha256: String(repeating: "ab", count: 32))
    static let flatpak = Answer.Program(path: nil, flatpak: "org.example.App")

    @Test("rules: each rule's ns, then its programs (path or null, sandbox identity, sha256 or null)")
    func rules() {
        let rules = Answer.Rules(items: [
            .init(ns: "app", programs: [Self.pinned, Self.flatpak]),
            .init(ns: "other", programs: [Answer.Program(path: nil, snap: "snapname"), Answer.Program(path: nil, label: "unconfined")]),
        ])
        expectRoundTrip(rules,
            #"{"id":7,"ok":true,"items":[{"ns":"app","programs":[{"path":"/usr/bin/app","sha256":"\#(String(repeating: "ab", count: 32))"},{"path":null,"flatpak":"org.example.App","sha256":null}]},{"ns":"other","programs":[{"path":null,"snap":"snapname","sha256":null},{"path":null,"label":"unconfined","sha256":null}]}]}"#)
        expectRoundTrip(Answer.Rules(items: []), #"{"id":7,"ok":true,"items":[]}"#)
    }

    @Test("allow: created, sha256 (or null), programs")
    func allow() {
        expectRoundTrip(Answer.Allow(created: true, sha256: nil, programs: [Answer.Program(path: "/usr/bin/app")]),
            #"{"id":7,"ok":true,"created":true,"sha256":null,"programs":[{"path":"/usr/bin/app","sha256":null}]}"#)
        expectRoundTrip(Answer.Allow(created: false, sha256: Self.pinned.sha256, programs: [Self.pinned]),
            #"{"id":7,"ok":true,"created":false,"sha256":"\#(Self.pinned.sha256!)","programs":[{"path":"/usr/bin/app","sha256":"\#(Self.pinned.sha256!)"}]}"#)
    }

    @Test("deny: removed, rule_left, programs")
    func deny() {
        expectRoundTrip(Answer.Deny(removed: 1, ruleLeft: true, programs: [Self.flatpak]),
            #"{"id":7,"ok":true,"removed":1,"rule_left":true,"programs":[{"path":null,"flatpak":"org.example.App","sha256":null}]}"#)
        expectRoundTrip(Answer.Deny(removed: 2, ruleLeft: false, programs: []),
            #"{"id":7,"ok":true,"removed":2,"rule_left":false,"programs":[]}"#)
    }

    @Test("a rule without ns, or programs missing, is malformed")
    func malformed() {
        #expect(answerError(Answer.Rules.self, #"{"ok":true,"items":[{"programs":[]}]}"#) == .malformed(#"a rule lacks string "ns""#))
        #expect(answerError(Answer.Allow.self, #"{"ok":true,"created":true,"sha256":null}"#) == .malformed(#"answer lacks array "programs""#))
    }
}
