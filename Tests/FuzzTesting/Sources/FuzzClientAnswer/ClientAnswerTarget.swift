import FuzzSupport
import Foundation
import LocketProtocol

/// The Swift client's reading of what the daemon sends (a broken or hostile
/// peer may send anything): an answer line read by every typed answer of
/// LocketProtocol (`Answer.*`, through `AnswerReader`: the scan, `ok`, the
/// error object, members, nested objects and arrays) and a watch event line
/// (`WatchEvent(line:)`). Nothing may crash; every failure is an
/// `AnswerError`; an answer that decodes re-encodes to a line that decodes
/// to the same line; an event that decodes carries its own name.
///
/// The line is scanned once: `A(line:)` is `AnswerReader(line)`, `checkOK()`,
/// then `A(reading:)`, so each type reads the one reader (scanning it fourteen
/// times cost 80 % of an input).
package enum ClientAnswerTarget {
    package static func run(_ input: UnsafeRawBufferPointer) {
        let line = Array(input)
        let reader = try? AnswerReader(line)
        if let reader {
            // `ok:false` (and only that) is an error; a daemon error keeps its code.
            let checked = Result { () throws(AnswerError) in try reader.checkOK() }
            switch (reader.text("ok") == "false", checked) {
            case (true, .success): Invariant.fail("client-answer: an ok:false answer is taken as success")
            case (false, .failure): Invariant.fail("client-answer: an answer without ok:false is taken as an error")
            default: break
            }
            for (name, member) in reader.members {
                if reader.optionalInt(name) != nil, member.kind != .number {
                    Invariant.fail("client-answer: an integer is read from a member that is not a number")
                }
                if reader.optionalBool(name) != nil, member.kind != .bool {
                    Invariant.fail("client-answer: a boolean is read from a member that is not a boolean")
                }
                if let date = reader.date(name), !date.timeIntervalSince1970.isFinite {
                    Invariant.fail("client-answer: a timestamp member parses to a non-finite date")
                }
            }
        }
        if let reader, (try? reader.checkOK()) != nil {
            check(Answer.Entry.self, reader)
            check(Answer.Put.self, reader)
            check(Answer.Delete.self, reader)
            check(Answer.List.self, reader)
            check(Answer.Status.self, reader)
            check(Answer.Audit.self, reader)
            check(Answer.Rules.self, reader)
            check(Answer.Allow.self, reader)
            check(Answer.Deny.self, reader)
            check(Answer.Lease.self, reader)
            check(Answer.Release.self, reader)
            check(Answer.Hello.self, reader)
            check(Answer.Rotate.self, reader)
            check(Answer.Watching.self, reader)
        }
        let event = Result { () throws(AnswerError) in try WatchEvent(line: line) }
        if case .success(.some(let event)) = event {
            guard reader?.string("event") == event.name else {
                Invariant.fail("client-answer: an event decodes as another kind than its \"event\" member")
            }
            guard (try? WatchEvent(line: event.line)) == event else {
                Invariant.fail("client-answer: an event read back from its own line differs")
            }
        }
    }

    /// Reads the answer as `A`; what reads must write a line that reads back and
    /// writes the very same line again (the first read may drop what the
    /// daemon never writes: a fraction of a second, a negative count).
    private static func check<A: AnswerBody>(_ type: A.Type, _ reader: AnswerReader) {
        guard let answer = try? A(reading: reader) else { return }
        let written = answer.line(id: nil)
        guard let again = try? A(line: written), again.line(id: nil) == written else {
            Invariant.fail("client-answer: \(A.self) does not read back its own line")
        }
    }
}
