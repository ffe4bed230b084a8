import Foundation
import LocketProtocol
import Testing

/// Integers and timestamps are written as bytes directly (no String on the
/// hot path); they must match what String formatting gives.
@Suite("Response: integers and timestamps written without Strings")
struct ResponseNumberTests {
    @Test("integers match String(value)", arguments: [0, 1, 9, 10, 42, -1, -10, 1_000_000, Int.max, Int.min])
    func integers(value: Int) {
        var response = Response.nested()
        response.int("n", value)
        #expect(String(decoding: response.object, as: UTF8.self) == "{\"n\":\(value)}")
    }

    @Test("timestamps are zero-padded RFC 3339 in quotes, null when absent")
    func timestamps() {
        var response = Response.nested()
        response.timestamp("a", Date(timeIntervalSince1970: 1_795_385_400.999))
        response.timestamp("b", Date(timeIntervalSince1970: 0))
        response.timestamp("c", Date(timeIntervalSince1970: 1_000_000_000 - 3_600 * 24 * 365 * 30 - 3_600 * 8 - 59))
        response.timestamp("d", nil)
        let text = String(decoding: response.object, as: UTF8.self)
        #expect(text == #"{"a":"2026-11-22T22:10:00Z","b":"1970-01-01T00:00:00Z","c":"1971-09-16T17:45:41Z","d":null}"#)
    }
}
