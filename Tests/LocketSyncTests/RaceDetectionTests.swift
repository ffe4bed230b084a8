// Proves that ThreadSanitizer sees `Locked`: the same program, built with
// `swiftc -sanitize=thread`, is reported when its threads share a counter
// unguarded and not when they go through `Locked`. (`Synchronization.Mutex`
// fails the second half on Linux with Swift 6.3.1, which is why `Locked` exists.)
import Foundation
import LocketTestSupport
import Testing

@Suite struct RaceDetectionTests {
    static let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let lockedSource = here.appendingPathComponent("../../Sources/LocketSync/Locked.swift").standardized.path
    static let programSource = here.appendingPathComponent("RaceProgram/main.swift").path

    /// The program built with ThreadSanitizer into `folder`.
    static func build(into folder: TemporaryFolder) throws -> String {
        let binary = folder.appending("race")
        let built = try Subprocess.run("/usr/bin/env", [
            "swiftc", "-sanitize=thread", "-Onone", "-module-name", "RaceProgram",
            lockedSource, programSource, "-o", binary,
        ], timeout: 300)
        try #require(built.status == 0, "swiftc failed: \(built.stderr)")
        return binary
    }

    /// Runs it with ThreadSanitizer's own defaults (a report sets exit status 66),
    /// whatever sanitizer options the test run itself has.
    static func run(_ binary: String, _ mode: String) throws -> ProcessOutput {
        var environment = ProcessInfo.processInfo.environment
        environment["TSAN_OPTIONS"] = "halt_on_error=0:exitcode=66"
        return try Subprocess.run(binary, [mode], environment: environment, timeout: 120)
    }

    @Test func threadSanitizerReportsAnUnguardedCounterButNotALockedOne() throws {
        let folder = TemporaryFolder("locket-race")
        let binary = try Self.build(into: folder)

        let unguarded = try Self.run(binary, "unsynchronised")
        #expect(unguarded.stderr.contains("WARNING: ThreadSanitizer:"), "\(unguarded.stderr)")
        #expect(unguarded.status == 66)

        let locked = try Self.run(binary, "locked")
        #expect(!locked.stderr.contains("ThreadSanitizer"), "\(locked.stderr)")
        #expect(locked.status == 0)
        #expect(locked.stdout == "40000\n")
    }
}
