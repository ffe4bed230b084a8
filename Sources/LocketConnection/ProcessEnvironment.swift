#if canImport(Glibc)
import Glibc
#endif

/// The process's environment as a dictionary, read straight from `environ`:
/// what `ProcessInfo.processInfo.environment` gave, without the Foundation
/// machinery behind it (a measurable share of a short-lived helper's start-up;
/// BENCHMARKS.md, "Process start-up without ICU").
public enum ProcessEnvironment {
    /// Every `NAME=value` entry of `environ` (see `parse`).
    public static func current() -> [String: String] {
        var entries: [String] = []
        // Null after clearenv(3): Swift imports `environ` as non-optional, but null is nil's bit pattern.
        let start: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = environ
        guard var entry = start else { return [:] }
        while let pointer = entry.pointee {
            entries.append(String(cString: pointer))
            entry += 1
        }
        return parse(entries)
    }

    /// The variables `names` that are set, read with `getenv` (the first entry of a name wins,
    /// as in `current()`): what a short-lived program needs without turning its whole
    /// environment into Strings.
    public static func current(only names: [String]) -> [String: String] {
        var result: [String: String] = [:]
        for name in names {
            if let value = getenv(name) { result[name] = String(cString: value) }
        }
        return result
    }

    /// `NAME=value` entries as a dictionary: split at the first `=`; an entry without
    /// `=` is skipped; of two entries with the same name the first wins (as `getenv`
    /// reads it). Bytes that are not UTF-8 arrive repaired (U+FFFD) by `String(cString:)`.
    static func parse(_ entries: [String]) -> [String: String] {
        var result: [String: String] = [:]
        for text in entries {
            guard let equals = text.utf8.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = String(text[..<equals])
            if result[name] == nil {
                result[name] = String(text[text.utf8.index(after: equals)...])
            }
        }
        return result
    }
}
