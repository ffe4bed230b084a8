import Foundation
import LocketBackup
import LocketCrypto
import Testing

/// A well-sealed file with invalid content is refused as a whole, saying which entry and why.
@Suite("backup format: content validation")
struct BackupContentTests {
    private func open(_ text: String) -> BackupError? {
        backupFailure { () throws(BackupError) -> [BackupEntry] in
            let file = try BackupCodec.seal(plaintext: Array(text.utf8), passphrase: passphrase, limits: fastLimits)
            return try BackupCodec.open(file, passphrase: passphrase)
        }
    }

    let good = #"{"ns":"a","key":"k","value":1,"version":1,"created_at":"2026-11-22T22:10:00Z","updated_at":"2026-11-22T22:10:00Z","expires_at":null}"#

    @Test("a valid line opens; unknown members are ignored")
    func valid() {
        #expect(open(good + "\n") == nil)
        #expect(open(good.dropLast() + #","later":{"x":1}}"# + "\n") == nil)
    }

    @Test("each invalid line is refused with its entry number")
    func invalidLines() {
        let cases: [(String, String)] = [
            ("not json\n", "entry 1: not a JSON object within the protocol's limits"),
            (good + "\n[1]\n", "entry 2: not a JSON object within the protocol's limits"),
            (good, "the last entry is not ended by a newline"),
            (good + "\n\n", "entry 2 is an empty line"),
            (good + "\n" + good + "\n", "entry 2 repeats the namespace and key of an earlier entry"),
            (good.replacingOccurrences(of: #""ns":"a","#, with: "") + "\n", #"entry 1: member "ns" is missing"#),
            (good.replacingOccurrences(of: #""ns":"a""#, with: #""ns":"""#) + "\n", #"entry 1: "ns" is not a valid name (1 to 256 bytes, no control characters)"#),
            (good.replacingOccurrences(of: #""key":"k""#, with: #""key":"a\u0007""#) + "\n", #"entry 1: "key" is not a valid name (1 to 256 bytes, no control characters)"#),
            (good.replacingOccurrences(of: #""version":1"#, with: #""version":0"#) + "\n", #"entry 1: "version" must be an integer of 1 or more"#),
            (good.replacingOccurrences(of: #""version":1"#, with: #""version":1.5"#) + "\n", #"entry 1: "version" must be an integer of 1 or more"#),
            (good.replacingOccurrences(of: #""expires_at":null"#, with: #""expires_at":"tomorrow""#) + "\n", #"entry 1: "expires_at" is not an RFC 3339 timestamp"#),
            (good.replacingOccurrences(of: #""ns":"a","#, with: #""ns":"a","ns":"b","#) + "\n", #"entry 1: member "ns" appears more than once"#),
            (good.replacingOccurrences(of: #""value":1"#, with: "\"value\":\"" + String(repeating: "v", count: 262_143) + "\"") + "\n",
             "entry 1: the value is 262145 bytes of JSON; the limit is 262144"),
        ]
        for (text, message) in cases {
            #expect(open(text) == .invalidContent(message), "\(message)")
        }
    }

    @Test("a value nested deeper than the protocol allows is refused")
    func tooDeep() {
        let deep = String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
        let line = good.replacingOccurrences(of: #""value":1"#, with: "\"value\":\(deep)") + "\n"
        #expect(open(line) == .invalidContent("entry 1: not a JSON object within the protocol's limits"))
    }
}
