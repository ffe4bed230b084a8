// Protocol v1, "Connection cap": 1,000 clients at once are all served, each
// correctly, and leave no descriptor behind; past the default cap of 1024 a
// connection gets one `unavailable` line. The daemon starts with systemd's
// default descriptor limits for a user service (soft 1024, hard higher), so
// it must raise its soft limit to hold them.
import Foundation
import LocketTestSupport
import Testing

extension LoadTests {
    @Suite("Many connections")
    struct ManyConnections {
        static let clients = 1000
        static let threads = 10

        @Test("1,000 connections open at once each put and get their own key; past 1024 one unavailable line; descriptors back to baseline after")
        func thousandConnections() throws {
            let own = TestProcess.raiseDescriptorLimit(toAtLeast: 1500)
            try #require(own.soft >= 1500, "the test process may open only \(own.soft) descriptors (hard limit \(own.hard))")

            // systemd's defaults for a user service: soft 1024 (select()-safe), hard far higher.
            let daemon = Daemon(launcher: ["/usr/bin/prlimit", "--nofile=1024:4096", "--"])
            try daemon.start()
            defer { daemon.kill9() }
            let probe = try daemon.probe
            let limit = try #require(probe.limit("Max open files"))
            #expect(limit.soft == "4096" && limit.hard == "4096", "locketd kept its descriptor limit at \(limit): it cannot hold its default 1024 connections")

            try daemon.warmUp()
            let baseline = try #require(probe.waitForSteadyDescriptors())
            let baselineTargets = probe.descriptorTargets
            let rssBefore = probe.kibibytes("VmRSS") ?? 0

            // Each thread opens its share (all stay open), pipelines a put on each, reads the
            // answers, then a get on each, and checks every value is its own.
            let perThread = Self.clients / Self.threads
            let held = ConnectionList()
            let socket = daemon.socketPath
            let problems = Concurrently.run(Self.threads, timeout: 120) { thread in
                var mine: [(index: Int, client: LineClient)] = []
                for n in 0..<perThread {
                    let index = thread * perThread + n
                    mine.append((index, try LineClient(path: socket, timeout: 30)))
                }
                held.add(mine.map(\.client))
                let pad = String(repeating: "x", count: 100)
                for (index, client) in mine {
                    try client.sendLine(#"{"id":\#(index),"op":"put","ns":"load","key":"c\#(index)","value":{"conn":\#(index),"pad":"\#(pad)"}}"#)
                }
                for (index, client) in mine {
                    let answer = try LineClient.object(try client.readLine())
                    guard answer["ok"] as? Bool == true, (answer["id"] as? NSNumber)?.intValue == index else {
                        throw LoadFailure("put on connection \(index): \(answer)")
                    }
                }
                for (index, client) in mine {
                    try client.sendLine(#"{"id":\#(index),"op":"get","ns":"load","key":"c\#(index)"}"#)
                }
                for (index, client) in mine {
                    let answer = try LineClient.object(try client.readLine())
                    let value = answer["value"] as? [String: Any]
                    guard answer["ok"] as? Bool == true, (value?["conn"] as? NSNumber)?.intValue == index, value?["pad"] as? String == pad else {
                        throw LoadFailure("get on connection \(index) returned \(answer)")
                    }
                }
            }
            #expect(problems.isEmpty, "\(problems.prefix(5))")
            #expect(held.count == Self.clients)

            // All 1,000 are open in the daemon at the same time.
            let peak = try #require(probe.openDescriptors)
            let rssHolding = probe.kibibytes("VmRSS") ?? 0
            #expect(peak >= baseline + Self.clients, "locketd holds \(peak) descriptors; \(baseline) at rest, so not all \(Self.clients) connections are open")

            // Up to the default cap of 1024 more are admitted; the next one is refused with one line.
            var admitted = held.count
            var extra: [LineClient] = []
            var refusal: [String: Any]?
            var earlyRefusals = 0
            while refusal == nil, admitted <= 1024 {
                let client = try daemon.connect()
                let answer = try LineClient.object(try client.request(#"{"op":"ping","id":"cap"}"#))
                if answer["ok"] as? Bool == true {
                    admitted += 1
                    extra.append(client)
                } else if admitted < 1024, earlyRefusals < 20 {
                    // A closed connection (the warm-up's) may not have left its slot yet.
                    earlyRefusals += 1
                    usleep(100_000)
                } else {
                    refusal = answer
                    #expect(client.closes(within: 5), "a refused connection stays open")
                }
            }
            #expect(admitted == 1024, "\(admitted) connections admitted under the default cap of 1024")
            let error = refusal?["error"] as? [String: Any]
            #expect(error?["code"] as? String == "unavailable" && refusal?["id"] == nil, "past the cap: \(refusal.map { "\($0)" } ?? "no refusal")")
            #expect((error?["message"] as? String)?.contains("1024") == true, "the refusal does not say the cap: \(error ?? [:])")

            // Closing them all gives every descriptor back.
            held.closeAll()
            extra.forEach { $0.close() }
            // Sockets exactly as before; other descriptors may include store readers opened
            // meanwhile (a database and a WAL file each, at most 8 kept idle).
            let baselineSockets = baselineTargets.values.count { $0.hasPrefix("socket:") }
            #expect(eventually(timeout: 15) { probe.socketDescriptors == baselineSockets },
                    "locketd holds \(probe.socketDescriptors) sockets after every client closed; \(baselineSockets) before")
            let after = try #require(probe.waitForSteadyDescriptors())
            let added = Set(probe.descriptorTargets.values).subtracting(baselineTargets.values)
            #expect(after <= baseline + 16 && added.allSatisfy { $0.hasPrefix(daemon.dataDirectory) },
                    "locketd holds \(after) descriptors after every client closed, \(baseline) before; new: \(added.sorted())")
            #expect(try daemon.connect().answersPing)
            print("load: \(Self.clients) connections held at once (\(admitted) at the cap; test process descriptor limit \(own.soft)/\(own.hard)); locketd descriptors baseline \(baseline), peak \(peak), after \(after) (sockets \(baselineSockets) before and after); limit \(limit.soft)/\(limit.hard) (started at 1024/4096); VmRSS \(rssBefore) KiB → \(rssHolding) KiB holding them")
            #expect(try daemon.stop() == 0)
        }
    }
}

/// Connections opened by several threads, closed together at the end.
final class ConnectionList: @unchecked Sendable {
    private let lock = NSLock()
    private var clients: [LineClient] = []

    func add(_ more: [LineClient]) { lock.withLock { clients += more } }
    var count: Int { lock.withLock { clients.count } }
    func closeAll() { lock.withLock { clients.forEach { $0.close() } } }
}

/// A client thread's finding, thrown to end it.
struct LoadFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension ProcessProbe {
    /// Open descriptors that are sockets (the listener and the connections).
    var socketDescriptors: Int { descriptorTargets.values.count { $0.hasPrefix("socket:") } }

    /// The descriptor count once it reads the same twice 200 ms apart (closed
    /// connections are let go asynchronously), or the last count after 10 s.
    func waitForSteadyDescriptors() -> Int? {
        var last = openDescriptors
        for _ in 0..<50 {
            usleep(200_000)
            let now = openDescriptors
            if now == last { return now }
            last = now
        }
        return last
    }
}
