// `watch` against the real daemon: each event kind, namespace filtering,
// ordering under concurrent writers, a watcher that does not read, many
// watchers, and the request rules (PROTOCOL.md, "watch").
import Foundation
import LocketTestSupport
import Testing

@Suite("Change events")
struct WatchTests {
    @Test("put, delete, lock and unlock each send their event, exactly as specified; a delete of nothing sends none")
    func writeAndVaultEvents() throws {
        let daemon = try Daemon.started()
        let watcher = try Watcher(daemon)
        let client = try daemon.connect()
        #expect(try client.ask(#"{"op":"put","ns":"app","key":"alice","value":{"token":"t1"}}"#).ok)
        #expect(try client.ask(#"{"op":"put","ns":"app","key":"alice","value":{"token":"t2"},"ttl":3600}"#).ok)
        #expect(try client.ask(#"{"op":"delete","ns":"app","key":"alice"}"#).bool("deleted") == true)
        #expect(try client.ask(#"{"op":"delete","ns":"app","key":"alice"}"#).bool("deleted") == false)
        #expect(try client.ask(#"{"op":"lock"}"#).ok)
        #expect(try client.ask(#"{"op":"unlock"}"#).ok)

        let events = try watcher.next(5)
        #expect(events[0].line == #"{"event":"changed","ns":"app","key":"alice","version":1,"expires_at":null}"#)
        #expect(events[1].name == "changed" && events[1].version == 2 && events[1].object["expires_at"] is String, "\(events[1])")
        #expect(events[2].line == #"{"event":"deleted","ns":"app","key":"alice"}"#)
        #expect(events[3].name == "locked" && (events[3].object["reason"] as? String)?.contains("request") == true, "\(events[3])")
        #expect(events[4].line == #"{"event":"unlocked"}"#)
        #expect(watcher.quiet(for: 0.5), "an event for the delete of nothing, or a value")
        // Events never carry values.
        #expect(!events.contains { $0.line.contains("t1") || $0.line.contains("t2") || $0.object["value"] != nil })
        #expect(try daemon.stop() == 0)
    }

    @Test("an entry with a 2 s ttl sends expiring (within the window) and then expired once its time has passed")
    func expiringThenExpired() throws {
        let daemon = try Daemon.started()
        let watcher = try Watcher(daemon, expiringWithin: 1)
        let client = try daemon.connect()
        let put = try client.ask(#"{"op":"put","ns":"app","key":"short","value":"v","ttl":2}"#)
        #expect(put.ok)
        let putAt = Date()
        let changed = try watcher.next()
        #expect(changed.name == "changed" && changed.object["expires_at"] as? String == put.string("expires_at"))
        let expiring = try watcher.next(timeout: 10)
        #expect(expiring.line == #"{"event":"expiring","ns":"app","key":"short","expires_at":"\#(put.string("expires_at")!)"}"#)
        let expired = try watcher.next(timeout: 10)
        let expiredAt = Date()
        #expect(expired.line == #"{"event":"expired","ns":"app","key":"short"}"#)
        // Never early: the ttl counts from before the put was answered.
        #expect(expiredAt.timeIntervalSince(putAt) > 1.5, "expired after \(expiredAt.timeIntervalSince(putAt)) s")
        // When `expired` arrives, the entry is gone for every op.
        #expect(try client.ask(#"{"op":"get","ns":"app","key":"short"}"#).code == "not_found")
        #expect(watcher.quiet(for: 0.5))
        #expect(try daemon.stop() == 0)
    }

    @Test("expiring is sent at once for entries already within the window when the watch starts, and not for others")
    func expiringAtSubscribe() throws {
        let daemon = try Daemon.started()
        let client = try daemon.connect()
        #expect(try client.ask(#"{"op":"put","ns":"app","key":"soon","value":1,"ttl":600}"#).ok)
        #expect(try client.ask(#"{"op":"put","ns":"app","key":"later","value":1,"ttl":86400}"#).ok)
        #expect(try client.ask(#"{"op":"put","ns":"app","key":"never","value":1}"#).ok)
        let watcher = try Watcher(daemon, expiringWithin: 3600)
        let first = try watcher.next()
        #expect(first.name == "expiring" && first.key == "soon", "\(first)")
        #expect(try client.ask(#"{"op":"delete","ns":"app","key":"never"}"#).ok)
        let second = try watcher.next()
        #expect(second.name == "deleted" && second.key == "never", "an expiring for an entry outside the window: \(second)")
        // A watcher without a window gets no expiring at all.
        let plain = try Watcher(daemon)
        #expect(try client.ask(#"{"op":"put","ns":"app","key":"soon","value":2,"ttl":60}"#).ok)
        #expect(try plain.next().name == "changed")
        #expect(plain.quiet(for: 0.5))
        #expect(try watcher.next().name == "changed")
        #expect(try watcher.next().name == "expiring", "the new version is announced again")
        #expect(try daemon.stop() == 0)
    }

    @Test("a watch of one namespace gets only its events, plus the vault's")
    func namespaceFilter() throws {
        let daemon = try Daemon.started()
        let onlyA = try Watcher(daemon, ns: "a")
        let all = try Watcher(daemon)
        let client = try daemon.connect()
        #expect(try client.ask(#"{"op":"put","ns":"b","key":"k","value":1}"#).ok)
        #expect(try client.ask(#"{"op":"put","ns":"a","key":"k","value":1}"#).ok)
        #expect(try client.ask(#"{"op":"delete","ns":"b","key":"k"}"#).ok)
        #expect(try client.ask(#"{"op":"lock"}"#).ok)
        let seenByA = try onlyA.next(2)
        #expect(seenByA.map(\.name) == ["changed", "locked"] && seenByA[0].ns == "a", "\(seenByA)")
        let seenByAll = try all.next(4)
        #expect(seenByAll.map { "\($0.name ?? "")/\($0.ns ?? "")" } == ["changed/b", "changed/a", "deleted/b", "locked/"])
        #expect(onlyA.quiet(for: 0.3))
        #expect(try daemon.stop() == 0)
    }

    @Test("under concurrent writers, every watcher sees each key's writes in acknowledged order, and all see one order")
    func orderingUnderConcurrentWriters() throws {
        let daemon = try Daemon.started()
        let watchers = try (0..<3).map { _ in try Watcher(daemon) }
        let writers = 8, rounds = 40
        let tally = Tally()
        let acknowledged = VersionLog()
        onThreads(writers, tally: tally) { index in
            let client = try daemon.connect()
            for round in 0..<rounds {
                // Each writer's own key, and one key all writers share.
                let own = try client.ask(#"{"op":"put","ns":"order","key":"w\#(index)","value":\#(round)}"#)
                let shared = try client.ask(#"{"op":"put","ns":"order","key":"shared","value":\#(round)}"#)
                guard own.ok, shared.ok, let version = shared.int("version") else { throw LineClient.Failure.io("put failed", errno: 0) }
                acknowledged.add(version)
            }
        }
        #expect(tally.allProblems.isEmpty, "\(tally.allProblems)")
        let total = writers * rounds * 2
        let sequences = try watchers.map { try $0.next(total, timeout: 60).map(\.line) }
        for sequence in sequences.dropFirst() { #expect(sequence == sequences[0], "two watchers saw different orders") }
        var lastVersion: [String: Int] = [:]
        for line in sequences[0] {
            let event = Event(line: line, object: try LineClient.object(line))
            let key = event.key ?? ""
            #expect(event.version == lastVersion[key, default: 0] + 1, "\(key): \(event) after version \(lastVersion[key, default: 0])")
            lastVersion[key] = event.version ?? 0
        }
        #expect(lastVersion["shared"] == writers * rounds)
        #expect(acknowledged.sorted == Array(1...(writers * rounds)))
        #expect(try daemon.stop() == 0)
    }

    @Test("a watcher that does not read is closed when its queue overflows; writers and other watchers never stall")
    func nonReadingWatcherIsClosed() throws {
        let daemon = try Daemon.started()
        let stalled = try Watcher(daemon)
        let reader = try Watcher(daemon)
        // Long names make big events (about 500 bytes): the 1 MiB queue and the socket buffers fill after about 2,500.
        let longNS = String(repeating: "f", count: 200)
        let longKey = String(repeating: "k", count: 240)
        let writers = 4, perWriter = 1200
        let total = writers * perWriter
        let received = Tally()
        let reading = Background {
            for _ in 0..<total {
                _ = try reader.next(timeout: 60)
                received.add("events")
            }
        }
        let tally = Tally()
        let elapsed = seconds {
            onThreads(writers, tally: tally, timeout: 120) { index in
                let client = try daemon.connect()
                for round in 0..<perWriter {
                    let answer = try client.ask(#"{"op":"put","ns":"\#(longNS)","key":"\#(longKey)\#(index)","value":\#(round)}"#)
                    guard answer.ok else { throw LineClient.Failure.io("put failed: \(answer.line)", errno: 0) }
                }
            }
        }
        #expect(tally.allProblems.isEmpty, "writers stalled or failed after \(elapsed) s: \(tally.allProblems)")
        try reading.join(timeout: 60)
        #expect(received.count("events") == total)
        // The stalled watcher's connection was closed: it holds a prefix of the events, then EOF.
        let leftover = try stalled.client.readUntilClosed(timeout: 30)
        // A line cut by the close (no `\n`) is not an event.
        var lines = leftover.split(separator: 0x0a, omittingEmptySubsequences: false)
        lines.removeLast()
        #expect(lines.count > 100 && lines.count < total, "the stalled watcher got \(lines.count) of \(total) events")
        #expect(lines.allSatisfy { String(decoding: $0, as: UTF8.self).hasPrefix(#"{"event":"changed","ns":"\#(longNS)""#) })
        // The daemon is fine: a new watcher works.
        let fresh = try Watcher(daemon)
        #expect(try daemon.connect().ask(#"{"op":"delete","ns":"\#(longNS)","key":"\#(longKey)0"}"#).ok)
        #expect(try fresh.next().name == "deleted")
        #expect(try daemon.stop() == 0)
    }

    @Test("a watcher overflowing on events sent from an event loop (lock, unlock) is closed without stalling the daemon")
    func overflowFromEventLoop() throws {
        let daemon = try Daemon.started()
        let stalled = try Watcher(daemon)
        // Two connections, so that the lock ops run on every event loop, the stalled watcher's included.
        // Each lock+unlock pair runs alone, so every pair changes the state twice: 12,000 events,
        // far more than the kernel's socket buffer, NIO's and the 4,096-event queue hold together.
        // (Interleaved pairs would lock a locked vault, which sends nothing, and on a loaded
        // machine could leave too few events to overflow.)
        let tally = Tally()
        let oneAtATime = NSLock()
        onThreads(2, tally: tally, timeout: 120) { _ in
            let client = try daemon.connect()
            for _ in 0..<3000 {
                oneAtATime.lock()
                defer { oneAtATime.unlock() }
                guard try client.ask(#"{"op":"lock"}"#).ok, try client.ask(#"{"op":"unlock"}"#).ok else {
                    throw LineClient.Failure.io("lock or unlock failed", errno: 0)
                }
            }
        }
        #expect(tally.allProblems.isEmpty, "\(tally.allProblems)")
        let leftover = try stalled.client.readUntilClosed(timeout: 30)
        #expect(leftover.split(separator: 0x0a).count < 12000)
        #expect(try daemon.connect().pingWorks())
        #expect(try daemon.stop() == 0)
    }

    @Test("after many replacements of one entry (stale deadlines compacted), each version is announced once and every expiry still fires")
    func manyReplacements() throws {
        let daemon = try Daemon.started()
        let watcher = try Watcher(daemon, expiringWithin: 3600)
        let client = try daemon.connect()
        #expect(try client.ask(#"{"op":"put","ns":"app","key":"other","value":0,"ttl":8}"#).ok)
        let puts = 1100
        for round in 1..<puts {
            #expect(try client.ask(#"{"op":"put","ns":"app","key":"k","value":\#(round),"ttl":600}"#).ok)
        }
        #expect(try client.ask(#"{"op":"put","ns":"app","key":"k","value":0,"ttl":1}"#).ok)
        var counts: [String: Int] = [:]
        let deadline = Date().addingTimeInterval(40)
        while counts["expired/other", default: 0] == 0 || counts["expired/k", default: 0] == 0, Date() < deadline {
            let event = try watcher.next(timeout: 40)
            counts["\(event.name ?? "")/\(event.key ?? "")", default: 0] += 1
        }
        #expect(counts == ["changed/other": 1, "expiring/other": 1, "expired/other": 1,
                           "changed/k": puts, "expiring/k": puts, "expired/k": 1], "\(counts)")
        #expect(watcher.quiet(for: 0.5))
        #expect(try daemon.stop() == 0)
    }

    @Test("100 watchers all receive the same events in the same order")
    func hundredWatchers() throws {
        let daemon = try Daemon.started()
        let watchers = try (0..<100).map { _ in try Watcher(daemon, expiringWithin: 60) }
        let client = try daemon.connect()
        for round in 0..<10 {
            #expect(try client.ask(#"{"op":"put","ns":"many","key":"k\#(round % 3)","value":\#(round)}"#).ok)
        }
        #expect(try client.ask(#"{"op":"put","ns":"many","key":"ttl","value":0,"ttl":30}"#).ok)
        #expect(try client.ask(#"{"op":"delete","ns":"many","key":"k0"}"#).ok)
        let expected = try watchers[0].next(13).map(\.line)
        #expect(expected.filter { $0.contains(#""event":"changed""#) }.count == 11)
        #expect(expected[11].contains(#""event":"expiring""#) && expected[12].contains(#""event":"deleted""#), "\(expected)")
        for (index, watcher) in watchers.enumerated().dropFirst() {
            #expect(try watcher.next(13).map(\.line) == expected, "watcher \(index)")
        }
        #expect(try daemon.stop() == 0)
    }

    @Test("watch while locked answers locked and closes; a lock while watching sends locked and pauses expiry events")
    func lockedVault() throws {
        let daemon = try Daemon.started()
        let client = try daemon.connect()
        #expect(try client.ask(#"{"op":"put","ns":"app","key":"k","value":1,"ttl":2}"#).ok)
        #expect(try client.ask(#"{"op":"lock"}"#).ok)
        let refused = try daemon.connect()
        let answer = try refused.ask(#"{"id":7,"op":"watch"}"#)
        #expect(answer.code == "locked" && answer.intID == 7, "\(answer.line)")
        #expect(refused.closes(within: 5), "a refused watch leaves the connection open")

        #expect(try client.ask(#"{"op":"unlock"}"#).ok)
        let watcher = try Watcher(daemon)
        #expect(try client.ask(#"{"op":"lock"}"#).ok)
        #expect(try watcher.next().name == "locked")
        // The entry's expiry passes while locked: nothing is sent.
        #expect(watcher.quiet(for: 2.5))
        #expect(try client.ask(#"{"op":"unlock"}"#).ok)
        #expect(try watcher.next().name == "unlocked")
        #expect(try daemon.stop() == 0)
    }

    @Test("watch is the connection's last request: earlier requests are answered first, later lines never")
    func lastRequest() throws {
        let daemon = try Daemon.started()
        let client = try daemon.connect()
        try client.send(#"{"id":1,"op":"put","ns":"app","key":"k","value":1}"# + "\n" + #"{"id":2,"op":"watch"}"# + "\n" + #"{"id":3,"op":"ping"}"# + "\n")
        #expect(try client.nextAnswer().intID == 1)
        let watching = try client.nextAnswer()
        #expect(watching.intID == 2 && watching.bool("watching") == true, "\(watching.line)")
        try client.sendLine(#"{"id":4,"op":"put","ns":"app","key":"k","value":2}"#)
        let writer = try daemon.connect()
        #expect(try writer.ask(#"{"op":"delete","ns":"app","key":"k"}"#).ok)
        // The next line is the delete's event: no answer to 3 or 4, and 4 stored nothing.
        #expect(try client.readLine() == #"{"event":"deleted","ns":"app","key":"k"}"#)
        #expect(try writer.ask(#"{"op":"get","ns":"app","key":"k"}"#).code == "not_found")
        // Shutting down the sending side stops the watch.
        client.shutdownWrite()
        #expect(client.closes(within: 5))
        #expect(try daemon.stop() == 0)
    }

    @Test("watch with a bad ns or expiring_within is bad_request and the connection keeps serving")
    func badMembers() throws {
        let daemon = try Daemon.started()
        let client = try daemon.connect()
        for request in [#"{"id":1,"op":"watch","ns":""}"#, #"{"id":1,"op":"watch","ns":["a"]}"#,
                        #"{"id":1,"op":"watch","expiring_within":-5}"#, #"{"id":1,"op":"watch","expiring_within":"10"}"#,
                        #"{"id":1,"op":"watch","expiring_within":3153600001}"#] {
            let answer = try client.ask(request)
            #expect(answer.code == "bad_request" && answer.intID == 1, "\(request) → \(answer.line)")
        }
        #expect(client.pingWorks())
        #expect(try daemon.stop() == 0)
    }

    @Test("a watching connection is not closed by the idle timeout, and closes at shutdown")
    func idleAndShutdown() throws {
        let daemon = try Daemon.started(arguments: ["--idle-timeout", "1"])
        let watcher = try Watcher(daemon)
        #expect(!watcher.client.closes(within: 2.5), "the idle timeout closed a watcher")
        #expect(try daemon.connect().ask(#"{"op":"put","ns":"app","key":"k","value":1}"#).ok)
        #expect(try watcher.next().name == "changed")
        #expect(try daemon.stop() == 0)
        #expect(watcher.client.closes(within: 5))
    }
}

/// Versions acknowledged by concurrent writers.
final class VersionLog: @unchecked Sendable {
    private let lock = NSLock()
    private var versions: [Int] = []

    func add(_ version: Int) { lock.withLock { versions.append(version) } }
    var sorted: [Int] { lock.withLock { versions.sorted() } }
}
