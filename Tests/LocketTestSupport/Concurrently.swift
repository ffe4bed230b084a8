import Foundation

/// Runs blocking client code on real threads at once (not the cooperative
/// pool, which has one thread per core and would serialize blocking clients).
public enum Concurrently {
    /// Runs `body(index)` for `index` in `0..<count`, each on its own thread, and
    /// waits for all of them up to `timeout` seconds. Returns the problems: each
    /// thrown error (with its index), and a line if the threads did not finish in time.
    public static func run(_ count: Int, timeout: Double = 60, _ body: @escaping @Sendable (Int) throws -> Void) -> [String] {
        let problems = ProblemList()
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                do { try body(index) } catch { problems.add("thread \(index): \(error)") }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        if group.wait(timeout: .now() + timeout) == .timedOut {
            problems.add("threads did not finish within \(timeout) s")
        }
        return problems.all
    }
}

/// Problems noted by several threads, in the order they came.
public final class ProblemList: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []

    public init() {}

    public func add(_ problem: String) { lock.withLock { items.append(problem) } }
    public var all: [String] { lock.withLock { items } }
}
