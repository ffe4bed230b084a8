import Foundation

/// Settings for daemons started by tests that measure memory.
public enum SanitizerEnvironment {
    /// Under AddressSanitizer (`scripts/sanitize address`) freed memory waits in a
    /// 256 MiB quarantine (plus 1 MiB per thread) instead of being reused, so a test
    /// that bounds a daemon's resident memory would measure the sanitizer, not the
    /// daemon. A daemon started with this environment runs without the quarantine:
    /// it still checks overflows and leaks; use-after-free is checked by every other
    /// test. Empty when not running under ASan.
    public static var withoutQuarantine: [String: String] {
        guard let options = ProcessInfo.processInfo.environment["ASAN_OPTIONS"] else { return [:] }
        return ["ASAN_OPTIONS": options + ":quarantine_size_mb=0"]
    }
}
