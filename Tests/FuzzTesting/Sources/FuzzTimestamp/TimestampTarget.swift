import FuzzSupport
import Foundation
import LocketProtocol

/// The RFC 3339 timestamp parser (`Timestamp.parse`: `since` in requests, every
/// timestamp of every answer a client reads, backup entries), differential
/// against Foundation's `ISO8601DateFormatter` on the inputs both must accept
/// (`bothAccept`), and a format/parse round trip on everything it accepts.
package enum TimestampTarget {
    nonisolated(unsafe) static var whole = ISO8601DateFormatter()
    nonisolated(unsafe) static var fractional = ISO8601DateFormatter()

    package static func setUp() {
        whole.formatOptions = [.withInternetDateTime]
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    }

    package static func run(_ input: UnsafeRawBufferPointer) {
        let text = String(decoding: input, as: UTF8.self)
        let parsed = Timestamp.parse(text)
        if let parsed {
            guard parsed.timeIntervalSince1970.isFinite else { Invariant.fail("timestamp: a parsed date is not finite") }
            let seconds = parsed.timeIntervalSince1970.rounded(.down)
            if formattableSeconds.contains(seconds) {
                let again = Timestamp.parse(Timestamp.format(parsed))
                guard again?.timeIntervalSince1970 == seconds else {
                    Invariant.fail("timestamp: format then parse does not give the date back (to the second)")
                }
            }
        }
        guard let hasFraction = bothAccept(Array(input)) else { return }
        guard let ours = parsed else { Invariant.fail("timestamp: refuses an RFC 3339 time Foundation reads") }
        guard let reference = (hasFraction ? fractional : whole).date(from: text) else {
            // Foundation's own gaps would show here; none is known, so this is a failure too.
            Invariant.fail("timestamp: Foundation refuses an input in the agreed set (the set is wrong)")
        }
        let tolerance = hasFraction ? 0.001 : 0
        guard abs(ours.timeIntervalSince1970 - reference.timeIntervalSince1970) <= tolerance else {
            Invariant.fail("timestamp: differs from Foundation's ISO8601DateFormatter")
        }
    }

    /// Whether both parsers must accept the bytes (and whether they have a
    /// fraction): `YYYY-MM-DDTHH:MM:SS[.fraction]` then `Z` or `±HH:MM`, upper-case
    /// `T` and `Z`, a real calendar day of a year from 1600 to 9999 (Foundation's
    /// calendar is Julian before 1582), second 00–59 (no leap second: Foundation
    /// refuses 60), a fraction of 1 to 9 digits (Foundation keeps milliseconds),
    /// an offset of at most 17:59 (Foundation's time zones stop at ±18 h).
    /// Excluded: lower-case `t`/`z`, leap seconds, longer fractions, years
    /// before 1600, larger offsets: the parser accepts them, Foundation may not.
    static func bothAccept(_ bytes: [UInt8]) -> Bool? {
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[range] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        func at(_ index: Int, _ character: Character) -> Bool {
            index < bytes.count && bytes[index] == character.asciiValue!
        }
        guard let year = number(0..<4), at(4, "-"), let month = number(5..<7), at(7, "-"), let day = number(8..<10),
              at(10, "T"), let hour = number(11..<13), at(13, ":"), let minute = number(14..<16), at(16, ":"),
              let second = number(17..<19) else { return nil }
        guard (1600...9999).contains(year), (1...12).contains(month), hour <= 23, minute <= 59, second <= 59 else { return nil }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...days).contains(day) else { return nil }
        var index = 19
        var hasFraction = false
        if at(index, ".") {
            var end = index + 1
            while end < bytes.count, (0x30...0x39).contains(bytes[end]) { end += 1 }
            guard (1...9).contains(end - index - 1) else { return nil }
            index = end
            hasFraction = true
        }
        if at(index, "Z") {
            index += 1
        } else if at(index, "+") || at(index, "-") {
            guard let offsetHours = number(index + 1..<index + 3), at(index + 3, ":"),
                  let offsetMinutes = number(index + 4..<index + 6), offsetHours <= 17, offsetMinutes <= 59 else { return nil }
            index += 6
        } else {
            return nil
        }
        return index == bytes.count ? hasFraction : nil
    }
}
