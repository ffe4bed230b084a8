import FuzzSupport
import Foundation
import LocketGitCredential

/// The git credential helper's input: the bytes git (or anyone who can run the
/// helper) writes on its stdin, read as `git-credential-locket` reads them
/// (lines as `readLine` gives them, a trailing `\r` dropped, up to the first
/// empty line) into a `CredentialRequest`; then everything the helper derives
/// from it without the daemon: the entry key (`CredentialKey`, which must
/// decode back), the stored JSON value (`StoredCredential`, which must read
/// back), and the answer lines (which must parse back to what was answered,
/// and never let a value start a line of its own).
package enum GitInputTarget {
    static let encoder = JSONEncoder()
    static let decoder = JSONDecoder()

    package static func run(_ input: UnsafeRawBufferPointer) {
        var lines: [String] = []
        for raw in input.split(separator: 0x0a, omittingEmptySubsequences: false) {
            let line = String(decoding: raw, as: UTF8.self)
            let trimmed = line.unicodeScalars.last == "\r" ? String(line.unicodeScalars.dropLast()) : line
            if trimmed.isEmpty { break }
            lines.append(trimmed)
        }
        let request = CredentialRequest.parse(lines: lines)
        let attributes = request.attributes
        // The other entry point (a whole text) reads the same bytes the same way.
        let text = String(decoding: input, as: UTF8.self)
        if !text.unicodeScalars.contains("\r"), CredentialAttributes.parse(text) != attributes {
            Invariant.fail("git-input: CredentialAttributes.parse(text) differs from the line-by-line parse")
        }
        if let key = CredentialKey(attributes) {
            guard CredentialKey.decode(key.encoded) == key else {
                Invariant.fail("git-input: an entry key does not decode back to its parts")
            }
        }
        _ = CredentialKey.decode(text)
        let stored = StoredCredential(attributes)
        // Foundation's JSON coders cost more than the rest together: one input in four (chosen by its bytes).
        if input.reduce(0, &+) % 4 == 0 {
            guard let json = try? encoder.encode(stored), let back = try? decoder.decode(StoredCredential.self, from: json),
                  back == stored else {
                Invariant.fail("git-input: the stored value does not read back")
            }
        }
        for capable in [false, true] {
            let answer = stored.attributes.answerLines(authtypeCapable: capable)
            let formatted = CredentialAttributes.format(answer)
            let kept = answer.filter { !$0.1.unicodeScalars.contains { $0 == "\n" || $0 == "\r" || $0 == "\0" } }
            let written = formatted.unicodeScalars.split(separator: "\n").map { String($0) }
            guard written == kept.map({ "\($0.0)=\($0.1)" }) else {
                Invariant.fail("git-input: an answer value breaks the line structure (or a line is lost)")
            }
        }
    }
}
