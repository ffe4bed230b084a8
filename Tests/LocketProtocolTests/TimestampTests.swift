import Foundation
import LocketProtocol
import Testing

/// RFC 3339, UTC, whole seconds, `Z`.
@Suite("Timestamp")
struct TimestampTests {
    static let table: [(Double, String)] = [
        (0, "1970-01-01T00:00:00Z"),
        (1_795_385_400, "2026-11-22T22:10:00Z"),
        (1_709_251_199, "2024-02-29T23:59:59Z"),
        (946_684_800, "2000-01-01T00:00:00Z"),
        (253_402_300_799, "9999-12-31T23:59:59Z"),
        (-1, "1969-12-31T23:59:59Z"),
    ]

    @Test("format agrees with gmtime_r and String(format:) on 20,000 random instants of years 1 to 9999 and past 9999")
    func formatAgreesWithReference() {
        var generator = SystemRandomNumberGenerator()
        let instants = (0..<20_000).map { _ in Double(Int64.random(in: -62_135_596_800...253_402_300_799, using: &generator)) }
            + [253_402_300_800, 253_433_923_200, 3_000_000_000_000]
        for seconds in instants {
            var time = time_t(seconds)
            var parts = tm()
            gmtime_r(&time, &parts)
            let year = Int(parts.tm_year) + 1900
            let expected = (year > 9999 ? String(year) : String(format: "%04d", year))
                + String(format: "-%02d-%02dT%02d:%02d:%02dZ", Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour),
                         Int(parts.tm_min), Int(parts.tm_sec))
            let formatted = Timestamp.format(Date(timeIntervalSince1970: seconds))
            #expect(formatted == expected, "\(seconds)")
            if formatted != expected { return }
        }
    }

    @Test("format agrees with gmtime_r at the first and last second of every day from 1900 to 2100 (leap days, year and century ends)")
    func formatAgreesAtEveryDayBoundary() {
        var mismatches: [Int] = []
        for day in -25_567...47_482 {
            for seconds in [day * 86_400, day * 86_400 + 86_399] {
                var time = time_t(seconds)
                var parts = tm()
                gmtime_r(&time, &parts)
                let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
                if Timestamp.format(Date(timeIntervalSince1970: Double(seconds))) != expected { mismatches.append(seconds) }
            }
        }
        #expect(mismatches.isEmpty, "first mismatches: \(mismatches.prefix(5))")
    }

    @Test("append adds the text after what the buffer holds")
    func appendKeepsPrefix() {
        var out = Array("at ".utf8)
        Timestamp.append(Date(timeIntervalSince1970: 1_795_385_400), to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "at 2026-11-22T22:10:00Z")
    }

    @Test("format: the exact text for known instants")
    func format() {
        for (seconds, text) in Self.table {
            #expect(Timestamp.format(Date(timeIntervalSince1970: seconds)) == text)
        }
    }

    @Test("format rounds down to the second, before and after 1970")
    func formatRoundsDown() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_795_385_400.999)) == "2026-11-22T22:10:00Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59Z")
    }

    @Test("parse reads what format writes")
    func parse() {
        for (seconds, text) in Self.table {
            #expect(Timestamp.parse(text) == Date(timeIntervalSince1970: seconds))
        }
    }

    @Test("format then parse is the identity on whole seconds")
    func roundTrip() {
        var seconds = 0.0
        while seconds < 4_000_000_000 {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(Timestamp.parse(Timestamp.format(date)) == date)
            seconds += 86_400 * 37 + 3_607
        }
    }

    @Test("parse accepts fractional seconds")
    func parseFraction() {
        #expect(Timestamp.parse("2026-11-22T22:10:00.5Z") == Date(timeIntervalSince1970: 1_795_385_400.5))
    }

    @Test("parse refuses what is not an RFC 3339 timestamp", arguments: [
        "", "garbage", "2026-11-22", "2026-11-22T22:10:00", "2026-11-22 22:10:00Z", "2026-13-01T00:00:00Z",
        "2026-11-22T25:10:00Z", "1795385400", "2026-11-22T22:10Z",
    ])
    func parseRefuses(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test("parse honours a numeric offset, and refuses days a month does not have")
    func parseOffsetsAndCalendar() {
        #expect(Timestamp.parse("2026-11-22T23:10:00+01:00") == Date(timeIntervalSince1970: 1_795_385_400))
        #expect(Timestamp.parse("2026-11-22T21:40:00-00:30") == Date(timeIntervalSince1970: 1_795_385_400))
        #expect(Timestamp.parse("2024-02-29T00:00:00Z") != nil)
        for text in ["2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-22T22:10:00.Z", "2026-11-22T22:10:00Zjunk",
                     "2026-11-22T22:10:00+1:00", "2026-11-22T22:60:00Z", "+026-11-22T22:10:00Z"] {
            #expect(Timestamp.parse(text) == nil, "\(text)")
        }
    }
}
