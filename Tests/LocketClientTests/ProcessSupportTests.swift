import Foundation
import Testing
@testable import LocketClient
@testable import LocketConnection
import LocketProtocol
import LocketSync

/// The small replacements for full Foundation in LocketClient (start-up: BENCHMARKS.md,
/// "Process start-up without ICU"): the environment, whole writes to a descriptor, a thread.
@Suite struct ProcessSupportTests {
    // No setenv here: the tests run in parallel with others that read the environment.
    @Test func environmentIsWhatProcessInfoSays() {
        #expect(ProcessEnvironment.current() == ProcessInfo.processInfo.environment)
    }

    @Test func entriesSplitAtTheFirstEqualsAndTheFirstOfANameWins() {
        let parsed = ProcessEnvironment.parse(["A=b==c", "EMPTY=", "NO_EQUALS", "A=second", "=nameless", "É=ü"])
        #expect(parsed == ["A": "b==c", "EMPTY": "", "": "nameless", "É": "ü"])
    }

    /// The clients' default environment holds only what the socket path reads, and
    /// resolves to the same socket as the whole environment.
    @Test func environmentOfTheSocketPathResolvesTheSame() {
        let whole = ProcessInfo.processInfo.environment
        let few = ProcessEnvironment.current(only: SocketPath.environmentNames)
        #expect(few == whole.filter { SocketPath.environmentNames.contains($0.key) })
        #expect(SocketPath.resolve(explicit: nil, environment: few, uid: getuid())
            == SocketPath.resolve(explicit: nil, environment: whole, uid: getuid()))
        #expect(LocketClient().socketPath == SocketPath.resolve(explicit: nil, environment: whole, uid: getuid()))
        #expect(ProcessEnvironment.current(only: ["PATH", "LOCKET_TEST_ENV_NEVER_SET"]) == ["PATH": whole["PATH"]!])
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
