import Foundation
import Testing
@testable import LocketClient

/// The small replacements for full Foundation in LocketClient (start-up: BENCHMARKS.md,
/// "Process start-up without ICU"): the environment, whole writes to a descriptor, a thread.
@Suite struct ProcessSupportTests {
    @Test func environmentIsWhatProcessInfoSays() {
        setenv("LOCKET_TEST_ENV_ODD", "a=b==c", 1)
        setenv("LOCKET_TEST_ENV_EMPTY", "", 1)
        defer {
            unsetenv("LOCKET_TEST_ENV_ODD")
            unsetenv("LOCKET_TEST_ENV_EMPTY")
        }
        let ours = ProcessEnvironment.current()
        #expect(ours == ProcessInfo.processInfo.environment)
        #expect(ours["LOCKET_TEST_ENV_ODD"] == "a=b==c")
        #expect(ours["LOCKET_TEST_ENV_EMPTY"] == "")
    }

    @Test func writesEverythingThroughAPipe() async throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        // More than a pipe holds: the writer must continue after short writes while the reader drains.
        let text = String(repeating: "0123456789abcdé\n", count: 80_000)
        let reader = fds[0]
        let received = Task.detached { () -> [UInt8] in
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(reader, $0.baseAddress, $0.count) }
                if n <= 0 { return bytes }
                bytes += chunk[..<n]
            }
        }
        try DescriptorOutput.write(text, to: fds[1])
        close(fds[1])
        let bytes = await received.value
        close(fds[0])
        #expect(bytes == Array(text.utf8))
    }

    @Test func reportsTheErrno() {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        close(fds[1])
        close(fds[0])
        #expect(throws: DescriptorOutput.WriteError.failed(errno: EBADF)) {
            try DescriptorOutput.write("x", to: fds[1])
        }
        #expect(throws: Never.self) { try DescriptorOutput.write("", to: fds[1]) }
    }

    @Test func backgroundThreadRunsTheBodyOnAThreadOfItsOwn() async throws {
        let caller = pthread_self()
        let sameThread: Bool = try await withCheckedThrowingContinuation { continuation in
            do {
                try BackgroundThread.start(stackSize: 1 << 21) {
                    continuation.resume(returning: pthread_equal(pthread_self(), caller) != 0)
                }
            } catch {
                continuation.resume(throwing: error)
            }
        }
        #expect(!sameThread)
        // Below PTHREAD_STACK_MIN: refused with the errno, the body never runs.
        #expect(throws: BackgroundThread.StartError.failed(EINVAL)) {
            try BackgroundThread.start(stackSize: 1) { Issue.record("ran with a 1-byte stack") }
        }
    }
}
