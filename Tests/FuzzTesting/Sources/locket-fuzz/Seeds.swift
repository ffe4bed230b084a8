import Foundation
import LocketProtocol
import LocketTestSupport

/// The seed corpus and the libFuzzer dictionary, written on request
/// (`LOCKET_FUZZ_WRITE_SEEDS=FOLDER locket-fuzz`, run by `scripts/fuzz`).
enum Seeds {
    /// Writes one seed per protocol vector (every byte the vector sends, in
    /// order: a whole conversation, as one connection) into `folder/corpus`, and
    /// the protocol's tokens into `folder/locket.dict`. Returns the seed count.
    static func write(to folder: String) throws -> Int {
        let corpus = "\(folder)/corpus"
        try FileManager.default.createDirectory(atPath: corpus, withIntermediateDirectories: true)
        let vectors = try ProtocolVector.loadAll()
        for vector in vectors {
            try Data(vector.sentBytes).write(to: URL(fileURLWithPath: "\(corpus)/\(vector.name)"))
        }
        try Data(dictionary().utf8).write(to: URL(fileURLWithPath: "\(folder)/locket.dict"))
        return vectors.count
    }

    /// The protocol's words, in libFuzzer's dictionary format (`name="text"`).
    static func dictionary() -> String {
        var tokens: [String] = []
        tokens += Op.allCases.map { "\"\($0.rawValue)\"" }
        tokens += ["id", "op", "ns", "key", "value", "ttl", "if_version", "passphrase", "version"].map { "\"\($0)\":" }
        tokens += ["{", "}", "[", "]", ":", ",", "true", "false", "null", "\"\"", "\\\"", "\\\\", "\\n", "\\u0000",
                   "\\ud800", "\\udc00", "\\u00e9", "\r\n", "\n", " ", "\t", "\u{feff}", "\u{e9}", "\u{1F511}"]
        tokens += ["0", "-0", "1", "-1", "1.0", "1e3", "6e1", "3153600000", "3153600001",
                   "9007199254740993", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1e400"]
        tokens += [#"{"op":"put","ns":"a","key":"b","value":1}"#, #"{"op":"get","ns":"a","key":"b"}"#,
                   #"{"op":"lock"}"#, #"{"op":"unlock"}"#, #"{"op":"rotate"}"#, #"{"op":"list"}"#]
        tokens += [String(repeating: "[", count: 64), String(repeating: "]", count: 64), String(repeating: "a", count: 256)]
        return tokens.enumerated().map { index, token in "t\(index)=\"\(escape(token))\"" }.joined(separator: "\n") + "\n"
    }

    /// libFuzzer dictionary escaping: `\\`, `\"` and `\xHH` for bytes outside printable ASCII.
    private static func escape(_ token: String) -> String {
        var out = ""
        for byte in token.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): out += "\\\\"
            case UInt8(ascii: "\""): out += "\\\""
            case 0x20..<0x7f: out.append(Character(Unicode.Scalar(byte)))
            default: out += String(format: "\\x%02X", byte)
            }
        }
        return out
    }
}
