import Foundation

/// A wall clock a test can step for a child process, through libfaketime
/// (`scripts/bootstrap` installs the `faketime` package): the child reads its
/// offset from a timestamp file on every clock call, so `set(offset:)` steps
/// its clock at once, forward or back, like an NTP step or `date -s`.
///
/// Only the wall clock (`CLOCK_REALTIME`: `Date()`, `gettimeofday`) is
/// shifted. The monotonic clocks are left alone on purpose: the kernel never
/// steps them, and SwiftNIO's timers and deadlines run on them, so faking them
/// would test something no real machine does.
public final class FakeClock: @unchecked Sendable {
    /// The file the child reads (`FAKETIME_TIMESTAMP_FILE`).
    public let timestampFile: String
    private let folder = TemporaryFolder("locket-faketime")
    private let lock = NSLock()
    private var current: Int = 0

    public init() throws {
        timestampFile = folder.appending("faketime")
        try set(offset: 0)
    }

    /// The preloaded library, from the `libfaketime` package.
    public static var library: String? {
        ["/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
         "/usr/lib/faketime/libfaketime.so.1", "/usr/local/lib/faketime/libfaketime.so.1"]
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    /// The environment for a child whose wall clock this object steps.
    ///
    /// `FAKETIME_SHARED` names a semaphore that does not exist, on purpose: without
    /// it libfaketime's constructor *adds* that variable with `setenv`, which moves
    /// `environ`, and the Swift runtime, which finds `argv` from `environ`
    /// (swiftlang/swift#76080), then sees no arguments at all: the daemon would start
    /// with its defaults instead of its options. With the variable present, the
    /// library creates its own semaphore and only *replaces* the value in place.
    public func environment() throws -> [String: String] {
        guard let library = Self.library else {
            throw FakeClockError.missing("libfaketime is not installed (scripts/bootstrap installs the faketime package)")
        }
        return [
            "LD_PRELOAD": library,
            "FAKETIME_TIMESTAMP_FILE": timestampFile,
            "FAKETIME_NO_CACHE": "1",
            "FAKETIME_DONT_FAKE_MONOTONIC": "1",
            "FAKETIME_SHARED": "/locket-faketime-none /locket-faketime-none",
        ]
    }

    /// The offset now in force, in seconds.
    public var offset: Int { lock.withLock { current } }

    /// Steps the child's wall clock to real time plus `seconds` (negative: back).
    /// The file is replaced atomically, so the child never reads half of it.
    public func set(offset seconds: Int) throws {
        let text = seconds >= 0 ? "+\(seconds)\n" : "\(seconds)\n"
        let temporary = timestampFile + ".new"
        try text.write(toFile: temporary, atomically: false, encoding: .utf8)
        guard rename(temporary, timestampFile) == 0 else { throw FakeClockError.missing("cannot replace \(timestampFile)") }
        lock.withLock { current = seconds }
    }

    /// Removes the semaphore and shared memory libfaketime made for process `pid`,
    /// which it removes itself on a normal exit but not when the process is killed.
    public static func removeLeftovers(of pid: Int32) {
        for name in ["/dev/shm/faketime_shm_\(pid)", "/dev/shm/sem.faketime_sem_\(pid)"] { unlink(name) }
    }

    public enum FakeClockError: Error, CustomStringConvertible {
        case missing(String)
        public var description: String { if case .missing(let why) = self { why } else { "" } }
    }
}
