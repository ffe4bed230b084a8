// The daemon's thread primitives without Foundation (issue 18: no ICU in locketd):
// `ConditionLock` in place of NSCondition/NSLock, `BackgroundThread` in place of Thread.
import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import LocketSync
import Testing

@Suite("Thread primitives")
struct ThreadPrimitivesTests {
    /// State shared between the test and its threads, under the condition's lock.
    final class Shared: @unchecked Sendable {
        let condition = ConditionLock()
        var ready = false
        var woken = 0
    }

    @Test("a thread waiting on the condition wakes when signalled, and sees what was set under the lock")
    func signalWakesAWaiter() throws {
        let shared = Shared(), done = DispatchSemaphore(value: 0)
        try BackgroundThread.start(name: "locket-test") {
            shared.condition.withLock {
                while !shared.ready { shared.condition.wait() }
                shared.woken += 1
            }
            done.signal()
        }
        usleep(20_000)
        shared.condition.withLock {
            shared.ready = true
            shared.condition.signal()
        }
        #expect(done.wait(timeout: .now() + 60) == .success, "the waiter never woke")
        #expect(shared.condition.withLock { shared.woken } == 1)
    }

    @Test("broadcast wakes every waiter")
    func broadcastWakesAll() throws {
        let shared = Shared(), done = DispatchSemaphore(value: 0)
        for _ in 0..<3 {
            try BackgroundThread.start {
                shared.condition.withLock {
                    while !shared.ready { shared.condition.wait() }
                    shared.woken += 1
                }
                done.signal()
            }
        }
        usleep(20_000)
        shared.condition.withLock {
            shared.ready = true
            shared.condition.broadcast()
        }
        for _ in 0..<3 { #expect(done.wait(timeout: .now() + 60) == .success) }
        #expect(shared.condition.withLock { shared.woken } == 3)
    }

    @Test("a timed wait with no signal returns false, not before its time; one already past returns at once")
    func timedWaitTimesOut() {
        let condition = ConditionLock()
        var start = timespec(), end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        let signalled = condition.withLock { condition.wait(seconds: 0.05) }
        clock_gettime(CLOCK_MONOTONIC, &end)
        let waited = Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
        #expect(!signalled)
        #expect(waited >= 0.045, "returned after \(waited) s")
        #expect(!condition.withLock { condition.wait(seconds: 0) })
        #expect(!condition.withLock { condition.wait(seconds: -1) })
    }

    @Test("a background thread runs apart from its caller, under the name it was given")
    func backgroundThreadIsNamed() throws {
        let caller = BackgroundThread.currentID
        let seen = Locked<(id: UInt, name: String)?>(nil), done = DispatchSemaphore(value: 0)
        try BackgroundThread.start(name: "locket-writer-with-a-long-name") {
            var name = [UInt8](repeating: 0, count: 64)
            let fd = open("/proc/thread-self/comm", O_RDONLY)
            let count = fd >= 0 ? read(fd, &name, 64) : 0
            if fd >= 0 { close(fd) }
            let text = String(decoding: name.prefix(max(0, count)), as: UTF8.self).trimmingSuffixNewline()
            seen.withLock { $0 = (BackgroundThread.currentID, text) }
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 60) == .success)
        let result = try #require(seen.withLock { $0 })
        #expect(result.id != caller)
        #expect(result.name == "locket-writer-w") // Linux keeps 15 bytes
    }
}

private extension String {
    func trimmingSuffixNewline() -> String { hasSuffix("\n") ? String(dropLast()) : self }
}
