import Foundation
import LocketTestSupport
import Testing

/// The vector parser and the pattern matcher that every runner shares.
@Suite("Vector format")
struct VectorFormatTests {
    static func parse(_ text: String) throws -> ProtocolVector {
        try ProtocolVector.parse(Array(text.utf8), name: "test")
    }

    static func rejects(_ text: String, because fragment: String) {
        do {
            _ = try parse(text)
            Issue.record("accepted a malformed vector: \(text.debugDescription)")
        } catch {
            #expect("\(error)".contains(fragment), "\(error)")
        }
    }

    @Test("a vector with every kind of step")
    func parsesSteps() throws {
        let vector = try Self.parse("""
            comment: a test
            requires: fresh-vault
            # a comment in the header

            # a comment among the steps
            > {"op":"ping"}
            < {"ok":true}
            >raw a\\r\\n\\t\\\\\\x00\\xffé
            >raw \\n
            < "$any"
            < {"ok":false}

            """)
        #expect(vector.name == "test")
        #expect(vector.comment == "a test")
        #expect(vector.requires == [.freshVault])
        #expect(vector.steps.map(\.kind) == [
            .send(Array("{\"op\":\"ping\"}\n".utf8)),
            .expect("{\"ok\":true}"),
            .send([0x61, 0x0d, 0x0a, 0x09, 0x5c, 0x00, 0xff] + Array("é".utf8)),
            .send([0x0a]),
            .expect("\"$any\""),
            .expect("{\"ok\":false}"),
        ])
        #expect(vector.steps.map(\.line) == [6, 7, 8, 9, 10, 11])
        #expect(try vector.patterns().count == 3)
    }

    @Test(">eof ends the input: answers still follow, sends do not")
    func endOfInput() throws {
        let vector = try Self.parse("comment: x\n\n> {\"op\":\"ping\"}\n>eof\n< {\"ok\":true}\n")
        #expect(vector.steps.map(\.kind) == [.send(Array("{\"op\":\"ping\"}\n".utf8)), .endOfInput, .expect("{\"ok\":true}")])
        #expect(vector.endsInput)
        #expect(try !Self.parse("comment: x\n\n> {}\n< {}\n").endsInput)
        Self.rejects("comment: x\n\n> {}\n>eof\n> {}\n< {}\n< {}\n", because: "nothing can be sent after >eof")
        Self.rejects("comment: x\n\n> {}\n>eof\n>eof\n< {}\n", because: "nothing can be sent after >eof")
        Self.rejects("comment: x\n\n> {}\n>eof \n< {}\n", because: "a step starts with")
    }

    @Test("the runner must fail on a header key it does not know")
    func unknownHeaderKey() throws {
        Self.rejects("comment: x\nexpect: ok\n\n> {}\n< {}\n", because: "unknown header key \"expect\"")
        Self.rejects("Comment: x\n\n> {}\n< {}\n", because: "unknown header key")

        // Through the folder loader too, as the suite uses it.
        let folder = TemporaryFolder("locket-vectors")
        try Data("comment: fine\n\n> {\"op\":\"ping\"}\n< {\"ok\":true}\n".utf8).write(to: URL(fileURLWithPath: folder.appending("good.vector")))
        #expect(try ProtocolVector.loadAll(from: folder.path).map(\.name) == ["good"])
        try Data("comment: typo below\ncoment: oops\n\n> {\"op\":\"ping\"}\n< {\"ok\":true}\n".utf8)
            .write(to: URL(fileURLWithPath: folder.appending("typo.vector")))
        #expect(throws: VectorError.self) { try ProtocolVector.loadAll(from: folder.path) }
    }

    @Test("malformed vectors are refused, each with a reason")
    func malformed() {
        Self.rejects("\n> {}\n< {}\n", because: "missing the required header \"comment\"")
        Self.rejects("comment: x\ncomment: y\n\n> {}\n< {}\n", because: "appears twice")
        Self.rejects("comment:\n\n> {}\n< {}\n", because: "is empty")
        Self.rejects("comment: x\nrequires: locked-vault\n\n> {}\n< {}\n", because: "unknown requirement")
        Self.rejects("comment x\n\n> {}\n< {}\n", because: "key: value")
        Self.rejects("comment: x\n", because: "no blank line")
        Self.rejects("comment: x\n\n>{}\n< {}\n", because: "a step starts with")
        Self.rejects("comment: x\n\nsend {}\n", because: "a step starts with")
        Self.rejects("comment: x\n\n> {}\n<{}\n", because: "a step starts with")
        Self.rejects("comment: x\n\n> {}\n< {\"ok\":\n", because: "bad pattern")
        Self.rejects("comment: x\n\n> {}\n< {\"ok\":\"$str\"}\n", because: "unknown placeholder \"$str\"")
        Self.rejects("comment: x\n\n>raw \\q\\n\n< {}\n", because: "unknown escape")
        Self.rejects("comment: x\n\n>raw \\x4\n< {}\n", because: "two hex digits")
        Self.rejects("comment: x\n\n>raw \\xzz\\n\n< {}\n", because: "two hex digits")
        Self.rejects("comment: x\n\n>raw abc\\\n< {}\n", because: "lone backslash")
        Self.rejects("comment: x\n\n< {}\n> {}\n", because: "only 0 complete request lines")
        Self.rejects("comment: x\n\n>raw {}\n< {}\n", because: "only 0 complete request lines")
        Self.rejects("comment: x\n\n> {}\n> {}\n< {}\n", because: "2 request lines are sent but 1 responses expected")
        Self.rejects("comment: x\n\n> {}\n", because: "at least one")
        Self.rejects("comment: x\r\n\n> {}\n< {}\n", because: "carriage return")
        Self.rejects("comment: x\n\n> {}\r\n< {}\n", because: "carriage return")
    }

    @Test("a file that is not UTF-8 is refused")
    func notUTF8() {
        #expect(throws: VectorError.self) {
            try ProtocolVector.parse(Array("comment: x\n\n> \"".utf8) + [0xff] + Array("\"\n< {}\n".utf8), name: "bad")
        }
    }

    @Test("loadAll refuses a folder without vectors")
    func emptyFolder() {
        let folder = TemporaryFolder("locket-vectors")
        #expect(throws: VectorError.self) { try ProtocolVector.loadAll(from: folder.path) }
    }

    @Test("the repository folder is Protocol/vectors beside Sources")
    func repositoryFolder() {
        let folder = ProtocolVector.repositoryFolder
        #expect(folder.hasSuffix("/Protocol/vectors"))
        let root = URL(fileURLWithPath: folder).deletingLastPathComponent().deletingLastPathComponent()
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path))
    }
}

/// The matcher, on what `JSONSerialization` really returns.
@Suite("Vector pattern matching")
struct VectorPatternTests {
    static func match(_ pattern: String, _ actual: String) -> String? {
        do {
            return VectorPattern.matches(pattern: try VectorPattern.parse(pattern), actual: try VectorPattern.parse(actual))
        } catch {
            return "not JSON: \(error)"
        }
    }

    static let matching: [(String, String)] = [
        (#"{"ok":true}"#, #"{"ok":true}"#),
        (#"{"a":1,"b":2}"#, #"{"b":2,"a":1}"#),
        ("[1,2,3]", "[1,2,3]"),
        ("null", "null"),
        ("false", "false"),
        (#""x""#, #""x""#),
        ("9007199254740993", "9007199254740993"),
        ("123456789012345678901234567890", "123456789012345678901234567890"),
        ("18446744073709551615", "18446744073709551615"),
        ("-9223372036854775808", "-9223372036854775808"),
        ("0.1", "0.1"),
        ("100", "1E2"),
        ("0", "-0"),
        ("5e-324", "5e-324"),
        (#""$any""#, #"{"x":[1]}"#),
        (#""$any""#, "null"),
        (#""$string""#, #""""#),
        (#""$int""#, "-3"),
        (#""$int""#, "123456789012345678901234567890"),
        (#""$timestamp""#, #""2026-11-22T22:10:00Z""#),
        (#""$timestamp""#, #""2024-02-29T00:00:00Z""#),
        (#""$timestamp-or-null""#, "null"),
        (#""$timestamp-or-null""#, #""2026-11-22T22:10:00Z""#),
        (#""$$5""#, #""$5""#),
        (#"{"items":[{"ns":"a","created_at":"$timestamp"}]}"#, #"{"items":[{"ns":"a","created_at":"1970-01-01T00:00:00Z"}]}"#),
    ]

    static let mismatching: [(String, String, String)] = [
        (#"{"ok":true}"#, #"{"ok":1}"#, "at $.ok"),
        (#"{"ok":false}"#, #"{"ok":0}"#, "at $.ok"),
        (#"{"v":1}"#, #"{"v":true}"#, "at $.v"),
        (#"{"v":0}"#, #"{"v":false}"#, "at $.v"),
        (#"{"ok":true}"#, #"{"ok":false}"#, "at $.ok"),
        (#"{"ok":true}"#, #"{"ok":true,"id":1}"#, "unexpected member \"id\""),
        (#"{"ok":true,"id":1}"#, #"{"ok":true}"#, "member \"id\" is missing"),
        ("[1,2]", "[2,1]", "at $[0]"),
        ("[1,2]", "[1,2,3]", "2 elements"),
        ("9007199254740993", "9007199254740992", "at $"),
        ("1", "1.5", "at $"),
        ("0.1", "0.2", "at $"),
        ("null", "0", "null"),
        (#""x""#, #""X""#, "at $"),
        (#""1""#, "1", "at $"),
        (#"{"a":{"b":[0,{"c":"x"}]}}"#, #"{"a":{"b":[0,{"c":"y"}]}}"#, "at $.a.b[1].c"),
        (#""$string""#, "1", "a string"),
        (#""$int""#, "1.5", "an integer"),
        (#""$int""#, "1.0", "an integer"),
        (#""$int""#, "true", "an integer"),
        (#""$int""#, #""1""#, "an integer"),
        (#""$timestamp""#, "null", "timestamp"),
        (#""$timestamp""#, #""2026-11-22T22:10:00+00:00""#, "timestamp"),
        (#""$timestamp""#, #""2026-11-22T22:10:00.5Z""#, "timestamp"),
        (#""$timestamp""#, #""2026-11-22 22:10:00Z""#, "timestamp"),
        (#""$timestamp""#, #""2025-02-29T00:00:00Z""#, "timestamp"),
        (#""$timestamp""#, #""2026-11-22T24:00:00Z""#, "timestamp"),
        (#""$timestamp-or-null""#, "0", "timestamp"),
        (#""$$5""#, #""$$5""#, "at $"),
    ]

    @Test("patterns that match")
    func matches() {
        for (pattern, actual) in Self.matching {
            #expect(Self.match(pattern, actual) == nil, "\(pattern) vs \(actual)")
        }
    }

    @Test("patterns that do not match, and where the mismatch is reported")
    func mismatches() {
        for (pattern, actual, fragment) in Self.mismatching {
            let problem = Self.match(pattern, actual)
            #expect(problem?.contains(fragment) == true, "\(pattern) vs \(actual): \(problem ?? "matched")")
        }
    }

    @Test("booleans from JSONSerialization are told from 0 and 1")
    func booleanDetection() throws {
        let parsed = try #require(try VectorPattern.parse("[true,false,1,0,1.0,-1]") as? [Any])
        #expect(parsed.map(VectorPattern.isBoolean) == [true, true, false, false, false, false])
        #expect(parsed.map(VectorPattern.isInteger) == [false, false, true, true, false, true])
        #expect(!VectorPattern.isBoolean("true"))
        #expect(!VectorPattern.isBoolean(NSNull()))
    }

    @Test("unknown placeholders are refused; $$ escapes a literal dollar")
    func placeholderCheck() throws {
        #expect(throws: VectorError.self) { try VectorPattern.check(try VectorPattern.parse(#"{"a":["$strng"]}"#)) }
        #expect(throws: VectorError.self) { try VectorPattern.check("$") }
        try VectorPattern.check(try VectorPattern.parse(#"{"a":["$string","$$x","$int","$any","$timestamp","$timestamp-or-null"]}"#))
    }

    @Test("a response line that is not JSON does not match")
    func lineNotJSON() throws {
        #expect(VectorPattern.matches(pattern: try VectorPattern.parse("\"$any\""), line: Array("{oops".utf8)) != nil)
        #expect(VectorPattern.matches(pattern: try VectorPattern.parse(#"{"ok":true}"#), line: Array("{\"ok\":true}\n".utf8)) == nil)
    }
}
