#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// RFC 3339 timestamps in UTC with a `Z`, whole seconds: `2026-11-22T22:10:00Z`.
public enum Timestamp {
    /// Formats `date` (rounded down to the second).
    public static func format(_ date: Date) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20)
        append(date, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `format(date)`'s UTF-8 bytes to `out` (no String made: this runs
    /// three times for every `get` answer).
    public static func append(_ date: Date, to out: inout [UInt8]) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let year = parts.tm_year + 1900
        guard year <= 9999 else {
            // Over four digits (no protocol timestamp is): the year as it is, the rest as below.
            out.append(contentsOf: String(year).utf8)
            return appendAfterYear(parts, to: &out)
        }
        // `YYYY-MM-DDTHH:MM:SSZ`: 20 bytes written in place, appended at once.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { text in
            func put(_ value: Int32, at offset: Int, _ count: Int) {
                var rest = max(0, value)
                for index in stride(from: offset + count - 1, through: offset, by: -1) {
                    text[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
                    rest /= 10
                }
            }
            put(year, at: 0, 4)
            text[4] = UInt8(ascii: "-")
            put(parts.tm_mon + 1, at: 5, 2)
            text[7] = UInt8(ascii: "-")
            put(parts.tm_mday, at: 8, 2)
            text[10] = UInt8(ascii: "T")
            put(parts.tm_hour, at: 11, 2)
            text[13] = UInt8(ascii: ":")
            put(parts.tm_min, at: 14, 2)
            text[16] = UInt8(ascii: ":")
            put(parts.tm_sec, at: 17, 2)
            text[19] = UInt8(ascii: "Z")
            out.append(contentsOf: UnsafeBufferPointer(text))
        }
    }

    /// `-MM-DDTHH:MM:SSZ`, after a year of more than four digits.
    private static func appendAfterYear(_ parts: tm, to out: inout [UInt8]) {
        func digits(_ value: Int32) {
            let rest = max(0, value)
            out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest / 10 % 10))
            out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10))
        }
        out.append(UInt8(ascii: "-"))
        digits(parts.tm_mon + 1)
        out.append(UInt8(ascii: "-"))
        digits(parts.tm_mday)
        out.append(UInt8(ascii: "T"))
        digits(parts.tm_hour)
        out.append(UInt8(ascii: ":"))
        digits(parts.tm_min)
        out.append(UInt8(ascii: ":"))
        digits(parts.tm_sec)
        out.append(UInt8(ascii: "Z"))
    }

    /// Parses an RFC 3339 date-time (`YYYY-MM-DDTHH:MM:SS`, optional fraction,
    /// then `Z` or `±HH:MM`); nil for anything else. Hand-written: this runs for
    /// every timestamp of every answer a client reads, and `ISO8601DateFormatter`
    /// (ICU) cost a `locket get` process more than its whole request.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        var index = 0
        func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + count] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            index += count
            return value
        }
        func expect(_ characters: String) -> Bool {
            guard index < bytes.count, characters.utf8.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2),
              expect("Tt"), let hour = digits(2), expect(":"), let minute = digits(2), expect(":"),
              let second = digits(2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 60
        else { return nil }
        var fraction = 0.0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                fraction += Double(bytes[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        var offset = 0
        if expect("Zz") {
        } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let offsetHours = digits(2), expect(":"), let offsetMinutes = digits(2),
                  offsetHours <= 23, offsetMinutes <= 59
            else { return nil }
            offset = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
