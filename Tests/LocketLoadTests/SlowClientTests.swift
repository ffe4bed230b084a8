// Protocol v1, "Idle connections" and "Guarantees": clients that send a
// request one byte at a time hold a connection each but delay nobody, and are
// closed at the idle timeout (a partial line is not a request).
import Foundation
import LocketTestSupport
import Testing

extension LoadTests {
    @Suite("Slow clients")
    struct SlowClients {
        static let dribblers = 50
        static let idleTimeout = 3.0
        static let byteInterval: useconds_t = 200_000

        @Test("50 clients sending a request a byte every 200 ms delay no other client and are closed at --idle-timeout 3")
        func dribblersAreClosedAndDelayNobody() throws {
            let daemon = try Daemon.started(arguments: ["--idle-timeout", "\(Int(Self.idleTimeout))"])
            defer { daemon.kill9() }
            let probe = try daemon.probe
            try daemon.warmUp()
            _ = probe.waitForSteadyDescriptors()
            let baselineSockets = probe.socketDescriptors

            let slow = try (0..<Self.dribblers).map { _ in try daemon.connect() }
            let normal = try daemon.connect()
            let opened = Date()
            let closedAfter = ClosingTimes(count: Self.dribblers)
            let served = ServedCount()
            #expect(eventually(timeout: 2) { probe.socketDescriptors == baselineSockets + Self.dribblers + 1 },
                    "locketd holds \(probe.socketDescriptors) sockets; \(baselineSockets) at rest, so not all \(Self.dribblers + 1) clients were accepted")

            let problems = Concurrently.run(2, timeout: 60) { role in
                if role == 0 {
                    // The dribblers: one byte each per tick, a put that would take 14 s to finish.
                    let request = Array(#"{"op":"put","ns":"slow","key":"dribble","value":"this line never ends in time"}"#.utf8) + [0x0a]
                    var position = 0
                    while closedAfter.openCount > 0, Date().timeIntervalSince(opened) < Self.idleTimeout + 10 {
                        for (index, client) in slow.enumerated() where !closedAfter.isClosed(index) {
                            var closed = false
                            do { try client.send([request[min(position, request.count - 2)]], timeout: 1) } catch LineClient.Failure.closed {
                                closed = true
                            }
                            if closed || client.closes(within: 0.001) {
                                closedAfter.close(index, after: Date().timeIntervalSince(opened))
                            }
                        }
                        position += 1
                        usleep(Self.byteInterval)
                    }
                } else {
                    // A normal client: put and get, answered correctly, all along.
                    var round = 0
                    while closedAfter.openCount > 0, Date().timeIntervalSince(opened) < Self.idleTimeout + 10 {
                        let put = try normal.answer(#"{"id":\#(round),"op":"put","ns":"normal","key":"k","value":\#(round)}"#)
                        let get = try normal.answer(#"{"op":"get","ns":"normal","key":"k"}"#)
                        guard put["ok"] as? Bool == true, (get["value"] as? NSNumber)?.intValue == round else {
                            throw LoadFailure("round \(round): put \(put), get \(get)")
                        }
                        served.add()
                        round += 1
                        usleep(50_000)
                    }
                }
            }
            #expect(problems.isEmpty, "\(problems)")

            // While they were all open, a request of another client was answered quickly.
            let times = closedAfter.times
            #expect(times.count == Self.dribblers, "\(Self.dribblers - times.count) dribbling connections were never closed")
            let earliest = times.min() ?? 0, latest = times.max() ?? 0
            #expect(earliest >= Self.idleTimeout * 0.8, "a dribbling connection was closed after only \(earliest) s")
            #expect(latest <= Self.idleTimeout + 6, "a dribbling connection was closed only after \(latest) s")
            #expect(served.count >= 5, "the normal client got only \(served.count) put+get rounds answered meanwhile")
            #expect(eventually(timeout: 5) { probe.socketDescriptors == baselineSockets + 1 },
                    "locketd holds \(probe.socketDescriptors) sockets; \(baselineSockets) at rest plus the normal client expected")

            // Served promptly now, and nothing dribbled became a request.
            let roundTrip = Timing.fastest(under: 1) {
                let start = Date()
                _ = normal.answersPing
                return Date().timeIntervalSince(start)
            }
            #expect(roundTrip < 1, "a ping took \(roundTrip) s at best")
            #expect(LineClient.errorCode(try normal.request(#"{"op":"get","ns":"slow","key":"dribble"}"#)) == "not_found")
            print("load: \(Self.dribblers) dribbling connections closed \(String(format: "%.2f", earliest))–\(String(format: "%.2f", latest)) s after opening (--idle-timeout \(Int(Self.idleTimeout))); a normal client had \(served.count) put+get rounds answered meanwhile")
            slow.forEach { $0.close() }
            #expect(try daemon.stop() == 0)
        }
    }
}

/// When each dribbling connection was seen closed, in seconds after they were opened.
final class ClosingTimes: @unchecked Sendable {
    private let lock = NSLock()
    private var closed: [Double?]

    init(count: Int) { closed = Array(repeating: nil, count: count) }

    func close(_ index: Int, after seconds: Double) { lock.withLock { closed[index] = seconds } }
    func isClosed(_ index: Int) -> Bool { lock.withLock { closed[index] != nil } }
    var openCount: Int { lock.withLock { closed.count { $0 == nil } } }
    var times: [Double] { lock.withLock { closed.compactMap { $0 } } }
}

/// Rounds a client completed.
final class ServedCount: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func add() { lock.withLock { value += 1 } }
    var count: Int { lock.withLock { value } }
}
