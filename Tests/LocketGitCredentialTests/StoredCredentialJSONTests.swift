import Foundation
import Testing
@testable import LocketGitCredential

/// `StoredCredential(json:)` replaced `JSONDecoder` on the helper's `get` path (start-up:
/// BENCHMARKS.md, "Process start-up without ICU"); it must read every value as the decoder did.
@Suite struct StoredCredentialJSONTests {
    /// What `JSONDecoder` made of `json` (the old path), or nil when it refused it.
    private func decodedByFoundation(_ json: String) -> StoredCredential? {
        try? JSONDecoder().decode(StoredCredential.self, from: Data(json.utf8))
    }

    private func decodedByScanner(_ json: String) -> StoredCredential? {
        try? StoredCredential(json: Array(json.utf8))
    }

    static let values: [String] = [
        #"{"host":"example.com","password":"s3cret","protocol":"https","username":"alice"}"#,
        #"{"protocol":"https","host":"h:8443","path":"org/repo.git","username":"","password":"","oauth_refresh_token":"rt","password_expiry_utc":1700000000,"authtype":"Bearer","credential":"tok"}"#,
        #"{}"#,
        #"  {"host" : "h" , "password" : null}  "#,
        #"{"host":"h","extra":{"deep":[1,2,{"x":null}]},"n":-1.5e3,"b":true}"#,
        #"{"password":"a\"b\\c\nd\u00e9\ud83d\ude00"}"#,
        #"{"host":"first","host":"second"}"#,
        #"{"host":"first","host":42}"#,
        #"{"host":null,"host":"second"}"#,
        #"{"host":42,"host":"second"}"#,
        #"{"password_expiry_utc":-5}"#,
        #"{"password_expiry_utc":0}"#,
        #"{"password_expiry_utc":9223372036854775807}"#,
        #"{"password_expiry_utc":9223372036854775808}"#,
        #"{"password_expiry_utc":1.5}"#,
        #"{"password_expiry_utc":"12"}"#,
        #"{"password_expiry_utc":true}"#,
        #"{"host":42}"#,
        #"{"username":["alice"]}"#,
        #"{"password":{"a":1}}"#,
        #"["not","an","object"]"#,
        #""text""#,
        #"null"#,
        #"{"host":"h""#,
        #"{"host":"h"} trailing"#,
        "",
    ]

    @Test("reads every value as JSONDecoder did", arguments: values)
    func matchesJSONDecoder(json: String) {
        #expect(decodedByScanner(json) == decodedByFoundation(json))
    }

    @Test func readsEveryMemberAndTellsWhyNot() throws {
        let stored = try StoredCredential(json: Array(Self.values[1].utf8))
        #expect(stored.attributes == CredentialAttributes(protocol: "https", host: "h:8443", path: "org/repo.git",
                                                          username: "", password: "", oauthRefreshToken: "rt",
                                                          passwordExpiryUTC: 1_700_000_000, authtype: "Bearer",
                                                          credential: "tok"))
        #expect(throws: StoredCredential.DecodeError.wrongType(member: "host")) {
            try StoredCredential(json: Array(#"{"host":42}"#.utf8))
        }
        #expect(throws: StoredCredential.DecodeError.self) { try StoredCredential(json: Array("[1]".utf8)) }
    }

    @Test func wholeNumbersInOtherSpellings() {
        #expect(StoredCredential.wholeNumber(ArraySlice("1e3".utf8)) == 1000)
        #expect(StoredCredential.wholeNumber(ArraySlice("12.0".utf8)) == 12)
        #expect(StoredCredential.wholeNumber(ArraySlice("-7".utf8)) == -7)
        #expect(StoredCredential.wholeNumber(ArraySlice("1.5".utf8)) == nil)
        #expect(StoredCredential.wholeNumber(ArraySlice("1e300".utf8)) == nil)
    }

    @Test func roundTripsWhatTheHelperStores() throws {
        let attributes = CredentialAttributes(protocol: "https", host: "example.com", path: "a b", username: "ü",
                                              password: "p\"w", passwordExpiryUTC: 42)
        let json = try JSONEncoder().encode(StoredCredential(attributes))
        #expect(try StoredCredential(json: Array(json)).attributes == attributes)
    }

    /// `json` replaced `JSONEncoder` on the helper's `store` path (the helper links no
    /// FoundationEssentials JSON coder now): what it writes is what `JSONEncoder` with
    /// sorted keys wrote, for these values byte for byte, and reads back the same.
    @Test("writes what JSONEncoder (sorted keys, slashes unescaped) wrote", arguments: [
        CredentialAttributes(protocol: "https", host: "example.com", username: "alice", password: "s3cret"),
        CredentialAttributes(protocol: "https", host: "h", path: "a/b c", username: "ü", password: "p\"w\\x",
                             oauthRefreshToken: "r/t", passwordExpiryUTC: 1_900_000_000, authtype: "Bearer", credential: "tok"),
        CredentialAttributes(protocol: "cert", path: "/tmp/c.pem", username: "", password: ""),
        CredentialAttributes(host: "h", password: "-", passwordExpiryUTC: -1),
        CredentialAttributes(),
    ])
    func writesWhatJSONEncoderWrote(attributes: CredentialAttributes) throws {
        let stored = StoredCredential(attributes)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let old = Array(try encoder.encode(stored))
        #expect(String(decoding: stored.json, as: UTF8.self) == String(decoding: old, as: UTF8.self))
        #expect(try StoredCredential(json: stored.json) == stored)
        #expect(try JSONDecoder().decode(StoredCredential.self, from: Data(stored.json)) == stored)
    }

    @Test("control characters and non-ASCII text survive the writer", arguments: ["tab\there", "nl\nx", "\u{1}", "日本語", "e\u{301}"])
    func writerEscapes(password: String) throws {
        let stored = StoredCredential(CredentialAttributes(protocol: "https", host: "h", password: password))
        #expect(try StoredCredential(json: stored.json).password == password)
        #expect(try JSONDecoder().decode(StoredCredential.self, from: Data(stored.json)).password == password)
    }
}
