import Foundation
import LocketProtocol
import Testing

/// Checks one typed answer both ways: its line is exactly `expected` (the
/// daemon's bytes), and reading that line gives the answer back.
func expectRoundTrip<A: AnswerBody>(_ answer: A, id: String? = "7", _ expected: String,
                                    sourceLocation: SourceLocation = #_sourceLocation) {
    let line = answer.line(id: id.map { Array($0.utf8) })
    #expect(String(decoding: line, as: UTF8.self) == expected + "\n", sourceLocation: sourceLocation)
    let decoded = Result { () throws(AnswerError) in try A(line: line) }
    #expect(decoded == .success(answer), sourceLocation: sourceLocation)
}

/// How reading `line` as `A` fails (nil when it reads).
func answerError<A: AnswerBody>(_ type: A.Type, _ line: String) -> AnswerError? {
    do {
        _ = try A(line: Array(line.utf8))
        return nil
    } catch {
        return error
    }
}

/// 2026-11-22T22:10:00Z and two later whole seconds.
let fixedCreated = Date(timeIntervalSince1970: 1_795_385_400)
let fixedUpdated = Date(timeIntervalSince1970: 1_795_385_461)
let fixedExpiry = Date(timeIntervalSince1970: 1_795_389_000)
