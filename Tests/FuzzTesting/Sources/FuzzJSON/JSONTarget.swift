import FuzzSupport
import Foundation
import LocketProtocol

/// The JSON scanner (`JSONScanner.validate`, `.members`, `.decodeString`),
/// differential against Foundation's `JSONSerialization` on the inputs where
/// both must agree (`comparable`), self-consistent on all of them.
package enum JSONTarget {
    static let maxDepth = 128

    package static func run(_ input: UnsafeRawBufferPointer) {
        let valid = Result { () throws(ProtocolError) in try JSONScanner.validate(input, maxDepth: maxDepth) }
        let members = Result { () throws(ProtocolError) in try JSONScanner.members(of: input, maxDepth: maxDepth) }
        for case .failure(let error) in [valid.map { _ in 0 }, members.map { _ in 0 }] where error.code != .badRequest {
            Invariant.fail("json: a scanner error is bad_request, not \(error.code.rawValue)")
        }
        let first = input.firstIndex { ![0x20, 0x09, 0x0a, 0x0d].contains($0) }
        let isObject = first.map { input[$0] == UInt8(ascii: "{") } ?? false
        // members(of:) accepts exactly the valid documents that are objects (whose
        // names decode: UTF-8, no lone surrogate; validate is byte-level and checks neither).
        let decodable = UTF8Text.isValid(input) && !hasSurrogateEscape(input)
        switch (valid, members) {
        case (.success, .success): if !isObject { Invariant.fail("json: members(of:) accepts a non-object") }
        case (.success, .failure): if isObject && decodable { Invariant.fail("json: members(of:) refuses a valid object") }
        case (.failure, .success): Invariant.fail("json: members(of:) accepts what validate refuses")
        case (.failure, .failure): break
        }
        var names: [String] = []
        if case .success(let scanned) = members {
            for member in scanned {
                let text = UnsafeRawBufferPointer(rebasing: input[member.range])
                guard (try? JSONScanner.validate(text, maxDepth: maxDepth)) != nil else {
                    Invariant.fail("json: a member's range is not one valid JSON value")
                }
                if member.kind == .string, (try? JSONScanner.decodeString(input, member.range)) == nil,
                   !hasSurrogateEscape(text) && UTF8Text.isValid(text) {
                    Invariant.fail("json: a valid string member does not decode")
                }
                names.append(member.name)
            }
        }
        guard comparable(input) else { return }
        let reference = try? JSONSerialization.jsonObject(with: Data(input), options: [.fragmentsAllowed])
        switch (valid, reference) {
        case (.success, nil): Invariant.fail("json: the scanner accepts what JSONSerialization refuses")
        case (.failure, .some): Invariant.fail("json: the scanner refuses what JSONSerialization accepts")
        default: break
        }
        if case .success(let scanned) = members, let object = reference as? [String: Any] {
            guard Set(names) == Set(object.keys) else { Invariant.fail("json: member names differ from JSONSerialization's keys") }
            for member in scanned where member.kind == .string {
                let decoded = try? JSONScanner.decodeString(input, member.range)
                // The last member of a name wins in JSONSerialization; compare that one only.
                guard scanned.last(where: { $0.name == member.name })?.range == member.range else { continue }
                guard decoded == object[member.name] as? String else {
                    Invariant.fail("json: a string member decodes differently from JSONSerialization")
                }
            }
        }
    }

    /// The inputs where JSONSerialization and the scanner must agree on accept/reject.
    /// Excluded, because the two differ there by design or by limit:
    /// - bytes that are not UTF-8, a NUL byte, U+FEFF anywhere (the daemon
    ///   checks UTF-8 before scanning; JSONSerialization guesses UTF-16/32 from
    ///   NULs, skips a leading BOM and read a key of only U+FEFF as another key);
    /// - `\u` escapes of surrogates (the scanner leaves pairing to `decodeString`);
    /// - numbers with an exponent or over 15 digits (range rules differ: the
    ///   scanner refuses non-finite doubles, JSONSerialization has its own);
    /// - more than 100 `[` or `{` bytes (nesting limits: 128 here, other in Foundation);
    /// - a `,` before `]` or `}` (a trailing comma: JSONSerialization on Linux
    ///   accepts `[1,]` and `{"a":1,}`, RFC 8259 and the scanner do not).
    static func comparable(_ input: UnsafeRawBufferPointer) -> Bool {
        guard !input.isEmpty, UTF8Text.isValid(input), !input.contains(0) else { return false }
        if containsByteOrderMark(input) { return false }
        if hasSurrogateEscape(input) { return false }
        var openers = 0, digitRun = 0
        var previous: UInt8 = 0, lastNonBlank: UInt8 = 0
        for byte in input {
            switch byte {
            case UInt8(ascii: "["), UInt8(ascii: "{"): openers += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"): if lastNonBlank == UInt8(ascii: ",") { return false }
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                if (0x30...0x39).contains(previous) || previous == UInt8(ascii: ".") { return false }
            default: break
            }
            digitRun = (0x30...0x39).contains(byte) ? digitRun + 1 : 0
            if digitRun > 15 || openers > 100 { return false }
            previous = byte
            if ![0x20, 0x09, 0x0a, 0x0d].contains(byte) { lastNonBlank = byte }
        }
        return true
    }

    /// U+FEFF anywhere: Foundation skips a leading one, and a member name of only
    /// U+FEFF came out of JSONSerialization as another key (found by this target).
    static func containsByteOrderMark(_ input: UnsafeRawBufferPointer) -> Bool {
        guard input.count >= 3 else { return false }
        return (0..<(input.count - 2)).contains { input[$0] == 0xEF && input[$0 + 1] == 0xBB && input[$0 + 2] == 0xBF }
    }

    static func hasSurrogateEscape(_ input: UnsafeRawBufferPointer) -> Bool {
        guard input.count >= 3 else { return false }
        for index in 0..<(input.count - 2) where input[index] == UInt8(ascii: "\\") && input[index + 1] == UInt8(ascii: "u") {
            let next = input[index + 2] | 0x20
            if next == UInt8(ascii: "d") { return true }
        }
        return false
    }
}
