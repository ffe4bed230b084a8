#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
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
    /// three times for every `get` answer). The date's fields come from
    /// arithmetic (`civil(days:)`), not `gmtime_r`, which takes glibc's time
    /// zone lock on every call.
    public static func append(_ date: Date, to out: inout [UInt8]) {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let (days, secondOfDay) = seconds.quotientAndRemainder(dividingBy: 86_400)
        // Rounded toward negative infinity: a time before 1970 falls on the day before.
        let (day, second) = secondOfDay < 0 ? (days - 1, secondOfDay + 86_400) : (days, secondOfDay)
        let (year, month, dayOfMonth) = civil(days: day)
        let hour = second / 3600, minute = second / 60 % 60
        guard year <= 9999 else {
            // Over four digits (no protocol timestamp is): the year as it is, then the rest.
            out.append(contentsOf: String(year).utf8)
            return appendFields(from: 4, year: 0, month, dayOfMonth, hour, minute, second % 60, to: &out)
        }
        appendFields(from: 0, year: year, month, dayOfMonth, hour, minute, second % 60, to: &out)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`: 20 bytes written in place, appended at once from
    /// byte `first` on (4 leaves the year out).
    private static func appendFields(from first: Int, year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int,
                                     _ second: Int, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { text in
            func put(_ value: Int, at offset: Int, _ count: Int) {
                var rest = max(0, value)
                for index in stride(from: offset + count - 1, through: offset, by: -1) {
                    text[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
                    rest /= 10
                }
            }
            put(year, at: 0, 4)
            text[4] = UInt8(ascii: "-")
            put(month, at: 5, 2)
            text[7] = UInt8(ascii: "-")
            put(day, at: 8, 2)
            text[10] = UInt8(ascii: "T")
            put(hour, at: 11, 2)
            text[13] = UInt8(ascii: ":")
            put(minute, at: 14, 2)
            text[16] = UInt8(ascii: ":")
            put(second, at: 17, 2)
            text[19] = UInt8(ascii: "Z")
            out.append(contentsOf: UnsafeBufferPointer(rebasing: text[first...]))
        }
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

    /// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's
    /// `civil_from_days`, the inverse of `daysFromCivil`).
    static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
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
