import Foundation
import LocketClient
import LocketTestSupport
import Testing

/// Every op of protocol v1 through LocketClient, against the real daemon.
@Suite("LocketClient: every op against locketd")
struct ClientOpsTests {
    @Test("hello reports protocol 1 and every op")
    func hello() throws {
        let daemon = try Daemon.started()
        let hello = try LocketClient(socketPath: daemon.socketPath).hello()
        #expect(hello.protocolVersion == 1)
        #expect(hello.server.hasPrefix("locketd "))
        #expect(Set(hello.ops) == ["hello", "ping", "put", "get", "delete", "list", "status", "lock", "unlock", "rotate", "audit", "watch", "allow", "deny", "rules", "lease", "release"])
    }

    @Test("put, get, delete: the value comes back as the exact JSON text; versions count puts")
    func putGetDelete() throws {
        let daemon = try Daemon.started()
        let client = LocketClient(socketPath: daemon.socketPath)
        try client.ping()
        let json = Array(#"{"b":[1,2.5,"x",null,true],"a":{"é":"🔑"},"big":12345678901234567890}"#.utf8)
        let first = try client.put(ns: "app", key: "alice", valueJSON: json, ttl: 3600)
        #expect(first.created && first.version == 1)
        #expect(first.expiresAt.map { $0.timeIntervalSinceNow > 3500 } == true)
        let second = try client.put(ns: "app", key: "alice", valueJSON: json)
        #expect(!second.created && second.version == 2 && second.expiresAt == nil)
        let entry = try client.get(ns: "app", key: "alice")
        #expect(entry.valueJSON == json)
        #expect(entry.version == 2)
        #expect(entry.createdAt != nil && entry.updatedAt != nil && entry.expiresAt == nil)
        #expect(try client.delete(ns: "app", key: "alice"))
        #expect(try !client.delete(ns: "app", key: "alice"))
    }

    @Test("list returns names and metadata sorted, never values; status counts entries")
    func listAndStatus() throws {
        let daemon = try Daemon.started()
        let client = LocketClient(socketPath: daemon.socketPath)
        try client.put(ns: "b", key: "2", valueJSON: Array("1".utf8))
        try client.put(ns: "a", key: "1", valueJSON: Array("2".utf8), ttl: 60)
        try client.put(ns: "b", key: "1", valueJSON: Array("3".utf8))
        let all = try client.list()
        #expect(all.map { "\($0.ns)/\($0.key)" } == ["a/1", "b/1", "b/2"])
        #expect(all[0].expiresAt != nil && all[1].expiresAt == nil)
        #expect(try client.list(ns: "b").map(\.key) == ["1", "2"])
        let status = try client.status()
        #expect(!status.locked && status.keyStore == "file" && status.entries == 3)
        #expect(status.keyStoreNotice != nil && status.lockReason == nil)
    }

    @Test("lock makes data ops answer locked with the reason; unlock restores them")
    func lockUnlock() throws {
        let daemon = try Daemon.started()
        let client = LocketClient(socketPath: daemon.socketPath)
        try client.put(ns: "app", key: "k", valueJSON: Array("1".utf8))
        try client.lock()
        #expect(try client.status().locked)
        let refused = Result { () throws(LocketError) in try client.get(ns: "app", key: "k") }
        guard case .failure(let error) = refused else {
            Issue.record("a locked vault served a get")
            return
        }
        #expect(error.code == .locked)
        #expect(error.description.contains("unlock"))
        try client.unlock()
        #expect(try client.get(ns: "app", key: "k").valueJSON == Array("1".utf8))
    }

    @Test("rotate re-wraps every entry and they stay readable")
    func rotate() throws {
        let daemon = try Daemon.started()
        let client = LocketClient(socketPath: daemon.socketPath)
        for index in 0..<5 { try client.put(ns: "app", key: "k\(index)", valueJSON: Array("\(index)".utf8)) }
        #expect(try client.rotate() == 5)
        for index in 0..<5 { #expect(try client.get(ns: "app", key: "k\(index)").valueJSON == Array("\(index)".utf8)) }
    }

    @Test("the async twins work")
    func asyncCalls() async throws {
        let daemon = try Daemon.started()
        let client = LocketClient(socketPath: daemon.socketPath)
        let put = try await client.put(ns: "app", key: "async", valueJSON: Array(#""v""#.utf8))
        #expect(put.version == 1)
        #expect(try await client.get(ns: "app", key: "async").valueJSON == Array(#""v""#.utf8))
        #expect(try await client.delete(ns: "app", key: "async"))
    }
}
