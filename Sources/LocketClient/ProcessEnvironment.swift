#if canImport(Glibc)
import Glibc
#endif

/// The process's environment as a dictionary, read straight from `environ`:
/// what `ProcessInfo.processInfo.environment` gave, without the Foundation
/// machinery behind it (a measurable share of a short-lived helper's start-up;
/// BENCHMARKS.md, "Process start-up without ICU").
public enum ProcessEnvironment {
    /// Every `NAME=value` entry of `environ`; an entry without `=` is skipped, and
    /// of two entries with the same name the first wins (as `getenv` reads it).
    /// Bytes that are not UTF-8 are repaired (U+FFFD), as `String(cString:)` does.
    public static func current() -> [String: String] {
        var result: [String: String] = [:]
        // Null after clearenv(3): Swift imports `environ` as non-optional, but null is nil's bit pattern.
        let start: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = environ
        guard var entry = start else { return result }
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.utf8.firstIndex(of: UInt8(ascii: "=")) {
                let name = String(text[..<equals])
                if result[name] == nil {
                    result[name] = String(text[text.utf8.index(after: equals)...])
                }
            }
            entry += 1
        }
        return result
    }
}
