// Protocol v1, "Names, values, time": `get` returns the value exactly as put
// (the store keeps the value's JSON text byte for byte), up to 256 KiB.
import Foundation
import LocketStore
import Testing

@Suite("Values round-trip")
struct ValueRoundTripTests {
    /// Every JSON type, as the JSON text a client sends.
    static let jsonTexts: [String] = [
        "null",
        "true",
        "false",
        "0",
        "9007199254740992",            // 2^53
        "-9007199254740992",
        "-42",
        "3.141592653589793",
        "-0.5",
        "1e-300",
        "1.7976931348623157e308",
        #""plain""#,
        #""quote \" backslash \\ slash \/ controls \b\f\n\r\t unicode \u00e9 \ud83d\ude00""#,
        #""""#,
        "[]",
        "{}",
        #"[1,"two",3.0,null,true,false,{"k":[]}]"#,
        #"{"idToken":"eyJ.a.b","accessToken":"x","refreshToken":"y","expires_in":3600,"scopes":["a","b"],"nested":{"deep":{"deeper":[{"z":null}]}}}"#,
        "  {\n  \"spaced\" : [ 1 , 2 ]\n}  ",
    ]

    @Test("every JSON type is returned byte-exact", arguments: jsonTexts)
    func everyJSONType(text: String) throws {
        // The fixture itself is JSON (so this tests what the protocol stores).
        _ = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            _ = try vault.put(ns: "app", key: "account", value: bytes(text))
            #expect(try vault.get(ns: "app", key: "account").value == bytes(text))
        }
    }

    @Test("unicode values and names round-trip: emoji, RTL, combining marks")
    func unicode() throws {
        let harness = VaultHarness()
        let cases: [(ns: String, key: String, value: String)] = [
            ("emoji-😀", "family-👩‍👩‍👧‍👦", #"{"s":"😀🎉👍🏽 and 🏳️‍🌈"}"#),
            ("שלום", "مرحبا", #"{"rtl":"עברית ‏العربية‏ mixed LTR","n":1}"#),
            ("e\u{301}", "é", #"["e\#u{301}","é","한국어","日本語","Ω≈ç√"]"#),
            ("astral", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", #""\#u{10FFFF}\#u{FFFD}\#u{200B}""#),
        ]
        try harness.withVault { (vault) throws in
            for item in cases {
                _ = try vault.put(ns: item.ns, key: item.key, value: bytes(item.value))
            }
            for item in cases {
                let entry = try vault.get(ns: item.ns, key: item.key)
                #expect(entry.value == bytes(item.value))
                #expect(entry.ns == item.ns)
                #expect(entry.key == item.key)
            }
            // "e\u{301}" and "é" are canonically equal Swift strings but different bytes:
            // the store must keep them apart (names are compared as UTF-8 bytes).
            _ = try vault.put(ns: "nfc", key: "é", value: bytes("1"))
            _ = try vault.put(ns: "nfc", key: "e\u{301}", value: bytes("2"))
            #expect(try vault.get(ns: "nfc", key: "é").value == bytes("1"))
            #expect(try vault.get(ns: "nfc", key: "e\u{301}").value == bytes("2"))
        }
    }

    @Test("nested objects and arrays keep member order and depth")
    func nested() throws {
        var text = "1"
        for depth in 0..<64 {
            text = depth.isMultiple(of: 2) ? "[\(text),\"d\(depth)\"]" : "{\"z\":\(text),\"a\":\(depth)}"
        }
        let value = bytes(text)
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            _ = try vault.put(ns: "nested", key: "deep", value: value)
            #expect(try vault.get(ns: "nested", key: "deep").value == value)
        }
    }

    @Test("a value of exactly 256 KiB is accepted and read back")
    func largestValue() throws {
        let value = jsonString(ofSize: 256 * 1024)
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            let result = try vault.put(ns: "big", key: "max", value: value)
            #expect(result.created)
            #expect(try vault.get(ns: "big", key: "max").value == value)
        }
        // And it survives a reopen.
        try harness.withVault { (vault) throws in
            #expect(try vault.get(ns: "big", key: "max").value == value)
        }
    }

    @Test("a value of 256 KiB + 1 is too_large and nothing is stored")
    func tooLarge() throws {
        let harness = VaultHarness()
        try harness.withVault { (vault) throws in
            #expect(throws: StoreError.valueTooLarge(size: 256 * 1024 + 1, limit: 256 * 1024)) {
                try vault.put(ns: "big", key: "over", value: jsonString(ofSize: 256 * 1024 + 1))
            }
            #expect(throws: StoreError.notFound) { try vault.get(ns: "big", key: "over") }
            #expect(try vault.count() == 0)
        }
    }

    @Test("an empty byte string and a value with every byte 1…255 round-trip")
    func arbitraryBytes() throws {
        // The store is byte-transparent below the protocol layer.
        let harness = VaultHarness()
        let everyByte = (1...255).map { UInt8($0) }
        try harness.withVault { (vault) throws in
            _ = try vault.put(ns: "raw", key: "empty", value: [])
            _ = try vault.put(ns: "raw", key: "all", value: everyByte)
            #expect(try vault.get(ns: "raw", key: "empty").value == [])
            #expect(try vault.get(ns: "raw", key: "all").value == everyByte)
        }
    }
}
