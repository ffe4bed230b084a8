// Issue 18: the `get`s one event loop serves in one iteration share one read
// transaction (`LoopReadSessions`). A client still reads its own writes, a
// commit between two gets of one iteration is seen by the second, no
// transaction outlives its iteration, and the writer's checkpoint and rebuild
// complete while gets flow on every loop. Real server, sockets and vault.
import Foundation
import LocketProtocol
import LocketTestSupport
@testable import LocketServer
@testable import LocketStore
import Logging
import NIOCore
import Testing

@Suite("Loop read sessions")
struct LoopReadSessionTests {
    static func server(in folder: TemporaryFolder, loops: Int) throws -> LocketServer {
        let configuration = ServerConfiguration(target: .unixSocket(path: folder.appending("run/locket.sock")),
                                                eventLoopThreads: loops,
                                                logger: Logger(label: "locketd-test") { _ in SwiftLogNoOpLogHandler() })
        let server = LocketServer(vault: VaultConfiguration(dataDirectory: folder.appending("data"), keyStore: .file),
                                  configuration: configuration)
        try server.start()
        return server
    }

    static func connect(_ folder: TemporaryFolder) throws -> LineClient {
        try LineClient(path: folder.appending("run/locket.sock"), timeout: 60)
    }

    /// Connections sending pipelined `get`s of `keys` (4 at a time) until `stop` is set;
    /// each counts its answers into `answered`, and any wrong answer into `tally`.
    static func hammer(_ folder: TemporaryFolder, connections: Int, keys: [String], stop: StopFlag,
                       answered: Tally, tally: Tally) -> Background {
        Background {
            onThreads(connections, tally: tally, timeout: 300) { index in
                let client = try connect(folder)
                var round = 0
                while !stop.isSet {
                    let batch = (0..<4).map { keys[(round + $0 + index) % keys.count] }
                    try client.send(batch.map { #"{"op":"get","ns":"hot","key":"\#($0)"}"# + "\n" }.joined())
                    for key in batch {
                        let answer = try client.nextAnswer()
                        if answer.ok, answer.string("value") == key { answered.add("gets") } else { tally.problem("get \(key): \(answer.line)") }
                    }
                    round += 4
                }
            }
        }
    }

    @Test("read-your-writes on one loop: a put's client, and another connection of the same loop, read it next, while 6 connections keep gets flowing")
    func readYourWritesOnOneLoop() throws {
        let folder = TemporaryFolder()
        let server = try Self.server(in: folder, loops: 1)
        defer { server.shutdown() }
        let writer = try Self.connect(folder), other = try Self.connect(folder)
        let keys = (0..<8).map { "k\($0)" }
        for key in keys { #expect(try writer.ask(#"{"op":"put","ns":"hot","key":"\#(key)","value":"\#(key)"}"#).ok) }
        let stop = StopFlag(), answered = Tally(), tally = Tally()
        let load = Self.hammer(folder, connections: 6, keys: keys, stop: stop, answered: answered, tally: tally)
        defer { stop.set() }
        #expect(eventually(timeout: 60) { answered.count("gets") > 100 }, "the load never got going")
        for round in 1...100 {
            #expect(try writer.ask(#"{"op":"put","ns":"app","key":"k","value":\#(round)}"#).ok)
            let own = try writer.ask(#"{"op":"get","ns":"app","key":"k"}"#)
            #expect(own.int("value") == round && own.int("version") == round, "round \(round), own connection: \(own.line)")
            let seen = try other.ask(#"{"op":"get","ns":"app","key":"k"}"#)
            #expect(seen.int("value") == round, "round \(round), other connection: \(seen.line)")
            // Pipelined: the get is started only once the put is answered (program order).
            try writer.send(#"{"op":"put","ns":"app","key":"p","value":\#(round)}"# + "\n" + #"{"op":"get","ns":"app","key":"p"}"# + "\n")
            #expect(try writer.nextAnswer().ok)
            let piped = try writer.nextAnswer()
            #expect(piped.int("value") == round, "round \(round), pipelined: \(piped.line)")
        }
        stop.set()
        try load.join(timeout: 300)
        #expect(tally.allProblems.isEmpty, "\(tally.allProblems.prefix(3))")
        // The lever works: far fewer read transactions than gets.
        let begun = server.dispatcher.reads.transactionsBegun().reduce(0, +)
        #expect(begun < answered.count("gets"), "\(begun) transactions for \(answered.count("gets")) gets")
    }

    @Test("three gets in one loop iteration, a commit acknowledged before the third: the first reads alone, the second begins the transaction, the third sees the commit in a new one; it ends with the iteration")
    func commitBetweenTwoGetsOfOneIteration() throws {
        let folder = TemporaryFolder()
        let server = try Self.server(in: folder, loops: 1)
        defer { server.shutdown() }
        let client = try Self.connect(folder)
        #expect(try client.ask(#"{"op":"put","ns":"app","key":"j","value":"other"}"#).ok)
        #expect(try client.ask(#"{"op":"put","ns":"app","key":"k","value":"before"}"#).ok)
        let vault = try #require(server.vault)
        let channel = try #require(server.connections.withLock { $0.values.first })
        let loop = channel.eventLoop
        let asker = Asker(caller: CallerIdentity(pid: getpid(), uid: getuid(), gid: getgid()), channel: channel)
        let get = Request(.get(.init(ns: "app", key: "k")))
        // The first get reads another entry: a second read of the same one would come from the row cache.
        let getOther = Request(.get(.init(ns: "app", key: "j")))
        let dispatcher = server.dispatcher
        // One task on the loop: both gets and the put between them happen in one iteration.
        let seen = try loop.submit { () throws -> (first: String, second: String, third: String, alone: Bool, open: Bool, begun: Int) in
            guard let session = dispatcher.reads.session(on: loop) else { throw Unexpected.noSession }
            let begunBefore = session.transactionsBegun
            guard case .now(let first) = dispatcher.run(getOther, asker, startedAt: 0, on: loop) else { throw Unexpected.later }
            let alone = !session.inTransaction
            guard case .now(let second) = dispatcher.run(get, asker, startedAt: 0, on: loop) else { throw Unexpected.later }
            // Acknowledged (durable) before the third get starts; the second get's transaction is still open.
            _ = try vault.put(ns: "app", key: "k", value: Array(#""after""#.utf8))
            guard case .now(let third) = dispatcher.run(get, asker, startedAt: 0, on: loop) else { throw Unexpected.later }
            return (String(decoding: first, as: UTF8.self), String(decoding: second, as: UTF8.self),
                    String(decoding: third, as: UTF8.self), alone, session.inTransaction,
                    session.transactionsBegun - begunBefore)
        }.wait()
        #expect(seen.first.contains(#""value":"other""#), "\(seen.first)")
        #expect(seen.second.contains(#""value":"before""#), "\(seen.second)")
        #expect(seen.third.contains(#""value":"after""#), "a stale snapshot: \(seen.third)")
        #expect(seen.alone, "the iteration's first get opened a transaction")
        #expect(seen.open && seen.begun == 2, "the third get did not begin a new transaction (\(seen.begun) began)")
        // The next task on the loop runs after the iteration's end task: no transaction is open.
        let openLater = try loop.submit { dispatcher.reads.session(on: loop)?.inTransaction }.wait()
        #expect(openLater == false, "the read transaction outlived its iteration")
    }

    @Test("the WAL truncation and the rebuild complete while gets flow on every loop")
    func checkpointWhileGetsFlow() throws {
        let folder = TemporaryFolder()
        let server = try Self.server(in: folder, loops: 2)
        defer { server.shutdown() }
        let vault = try #require(server.vault)
        let client = try Self.connect(folder)
        let keys = (0..<30).map { "k\($0)" }
        for key in keys { #expect(try client.ask(#"{"op":"put","ns":"hot","key":"\#(key)","value":"\#(key)"}"#).ok) }
        #expect(try client.ask(#"{"op":"put","ns":"app","key":"gone","value":"\#(String(repeating: "x", count: 3000))"}"#).ok)
        let stop = StopFlag(), answered = Tally(), tally = Tally()
        // Connections go to the loops in turn: 6 of them reach both.
        let load = Self.hammer(folder, connections: 6, keys: keys, stop: stop, answered: answered, tally: tally)
        defer { stop.set() }
        #expect(eventually(timeout: 60) { answered.count("gets") > 200 }, "the load never got going")
        let readsAtStart = server.dispatcher.reads.readsServed()
        #expect(readsAtStart.count == 2 && readsAtStart.allSatisfy { $0 > 0 }, "gets are not flowing on both loops: \(readsAtStart)")
        let rebuildsBefore = vault.writer.rebuildsDone
        #expect(try client.ask(#"{"op":"delete","ns":"app","key":"gone"}"#).ok)
        let wal = folder.appending("data/vault.sqlite-wal")
        // The rebuild waits for 1 s without writes, then VACUUM and the TRUNCATE checkpoint (retried while readers block it).
        // Judged by the writer's own record, not by sampling the WAL's size: the audit
        // log stores its head after each sync (about once a second under this load), a
        // write that grows the WAL again right after the truncation; a loaded machine
        // could sample too late every time (it did, once in a few dozen runs).
        let done = eventually(timeout: 120) {
            vault.writer.scrubCounts.withLock { $0.rebuildsTruncated } > rebuildsBefore
        }
        let getsAtDone = answered.count("gets")
        #expect(done, "rebuilds since the delete \(vault.writer.rebuildsDone - rebuildsBefore), WAL \(Self.size(wal)) bytes; \(vault.writer.scrubSummary)")
        let truncatedTo = vault.writer.scrubCounts.withLock { $0.walBytesAfterTruncate }
        #expect(truncatedTo == 0, "the WAL was \(truncatedTo) bytes right after the checkpoint")
        // Gets were still flowing on both loops when it completed.
        #expect(eventually(timeout: 60) { answered.count("gets") > getsAtDone + 200 }, "gets stopped")
        let readsAtEnd = server.dispatcher.reads.readsServed()
        #expect(zip(readsAtStart, readsAtEnd).allSatisfy { $0 < $1 }, "\(readsAtStart) → \(readsAtEnd)")
        stop.set()
        try load.join(timeout: 300)
        #expect(tally.allProblems.isEmpty, "\(tally.allProblems.prefix(3))")
    }

    @Test("shutdown closes the loops' read sessions before the vault; the folder opens again")
    func shutdownClosesSessions() throws {
        let folder = TemporaryFolder()
        let server = try Self.server(in: folder, loops: 2)
        let client = try Self.connect(folder)
        #expect(try client.ask(#"{"op":"put","ns":"app","key":"k","value":1}"#).ok)
        #expect(try client.ask(#"{"op":"get","ns":"app","key":"k"}"#).int("value") == 1)
        client.close()
        server.shutdown()
        // Every connection to the file closed: the last one's close checkpointed and removed the WAL.
        #expect(!FileManager.default.fileExists(atPath: folder.appending("data/vault.sqlite-wal")))
        let reopened = try Vault.open(VaultConfiguration(dataDirectory: folder.appending("data"), keyStore: .file))
        defer { reopened.close() }
        #expect(try reopened.get(ns: "app", key: "k").value == Array("1".utf8))
    }

    /// Tells the load's threads to stop.
    final class StopFlag: Sendable {
        private let flag = Tally()
        var isSet: Bool { flag.count("stop") > 0 }
        func set() { flag.add("stop") }
    }

    enum Unexpected: Error { case later, noSession }

    /// The file's size in bytes (0 when it does not exist).
    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }
}
