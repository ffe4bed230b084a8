// Helpers shared by the locketd integration tests: JSON access to response
// lines, real threads for concurrent clients, small synchronized counters.
import Foundation
import LocketTestSupport
import Testing

/// One response line, parsed. Fails the test (by throwing) if it is not a JSON object.
struct Answer {
    let line: String
    let object: [String: Any]

    init(_ line: String) throws {
        self.line = line
        object = try LineClient.object(line)
    }

    var ok: Bool { (object["ok"] as? Bool) == true }
    var code: String? { (object["error"] as? [String: Any])?["code"] as? String }
    var id: Any? { object["id"] }
    var intID: Int? { (object["id"] as? NSNumber)?.intValue }
    func int(_ name: String) -> Int? { (object[name] as? NSNumber)?.intValue }
    func bool(_ name: String) -> Bool? { object[name] as? Bool }
    func string(_ name: String) -> String? { object[name] as? String }
}

extension LineClient {
    /// Sends one request line and parses its answer.
    func ask(_ request: String) throws -> Answer {
        try Answer(try self.request(request))
    }

    /// Reads one answer line and parses it.
    func nextAnswer(timeout: Double? = nil) throws -> Answer {
        try Answer(try readLine(timeout: timeout))
    }

    /// `ping` answers `{"ok":true}` (with the id echoed).
    func pingWorks() -> Bool {
        guard let answer = try? ask(#"{"op":"ping","id":"ping"}"#) else { return false }
        return answer.ok && (answer.id as? String) == "ping"
    }
}

/// A counter and a list of problems shared by client threads.
final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    private var problems: [String] = []

    func add(_ name: String, _ amount: Int = 1) { lock.withLock { counts[name, default: 0] += amount } }
    func count(_ name: String) -> Int { lock.withLock { counts[name, default: 0] } }
    func problem(_ text: String) { lock.withLock { problems.append(text) } }
    var allProblems: [String] { lock.withLock { problems } }
}

/// Runs `body(index)` on `count` real threads at once (not the cooperative pool,
/// which has one thread per core and would serialize blocking clients), and
/// waits for all of them. A thrown error is recorded in `tally` as a problem.
func onThreads(_ count: Int, tally: Tally, timeout: Double = 60, _ body: @escaping @Sendable (Int) throws -> Void) {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            defer { group.leave() }
            do { try body(index) } catch { tally.problem("thread \(index): \(error)") }
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
    if group.wait(timeout: .now() + timeout) == .timedOut {
        tally.problem("threads did not finish within \(timeout) s")
    }
}

/// Runs `body` on one background thread; `join()` waits for it and rethrows its error.
final class Background: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var failure: Error?

    init(_ body: @escaping @Sendable () throws -> Void) {
        let thread = Thread { [self] in
            do { try body() } catch { failure = error }
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    func join(timeout: Double = 60) throws {
        guard done.wait(timeout: .now() + timeout) == .success else {
            throw LineClient.Failure.timedOut("a background thread did not finish within \(timeout) s")
        }
        if let failure { throw failure }
    }
}

/// Seconds taken by `body`.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = Date()
    try body()
    return Date().timeIntervalSince(start)
}

/// A marker unlikely to appear anywhere by chance.
func uniqueMarker(_ prefix: String) -> String {
    "\(prefix)\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
}
