import Foundation
import LocketProtocol
import LocketTestSupport
import Testing

/// The typed answers of LocketProtocol against the real daemon: every answer
/// and event line locketd writes reads as its type and writes back byte for
/// byte (the encoders the daemon is to use produce exactly its lines).
@Suite("Answers: locketd's own lines read and write back exactly")
struct AnswerBytesTests {
    /// Sends `request` (its id is `id`), reads the answer as `A`, writes it
    /// again with the same id, and expects the daemon's very bytes.
    @discardableResult
    private func same<A: AnswerBody>(_ type: A.Type, _ connection: LineClient, id: Int, _ request: String,
                                     sourceLocation: SourceLocation = #_sourceLocation) throws -> A {
        try connection.send(#"{"id":\#(id),"# + request + "}\n")
        let line = try connection.readLineBytes() + [0x0a]
        let answer = try A(line: line)
        #expect(String(decoding: answer.line(id: Array(String(id).utf8)), as: UTF8.self) == String(decoding: line, as: UTF8.self),
                sourceLocation: sourceLocation)
        return answer
    }

    private func sameFailure(_ connection: LineClient, id: Int, _ request: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try connection.send(#"{"id":\#(id),"# + request + "}\n")
        let line = try connection.readLineBytes() + [0x0a]
        let failure = try Answer.Failure(line: line)
        #expect(failure.line(id: Array(String(id).utf8)) == line, sourceLocation: sourceLocation)
    }

    @Test("data ops, status, hello, rotate, lock and unlock, errors")
    func dataOps() throws {
        let daemon = try Daemon.started()
        let connection = try LineClient(path: daemon.socketPath)
        try same(Answer.Hello.self, connection, id: 1, #""op":"hello""#)
        try same(Answer.Done.self, connection, id: 2, #""op":"ping""#)
        let put = try same(Answer.Put.self, connection, id: 3, #""op":"put","ns":"app","key":"alice","value":{"t" : [1, 2.50, "x\u0041"]}"#)
        #expect(put.created)
        try same(Answer.Put.self, connection, id: 4, #""op":"put","ns":"app","key":"bob","value":"v","ttl":3600"#)
        let entry = try same(Answer.Entry.self, connection, id: 5, #""op":"get","ns":"app","key":"alice""#)
        #expect(String(decoding: entry.value, as: UTF8.self) == #"{"t" : [1, 2.50, "x\u0041"]}"#)
        try same(Answer.Entry.self, connection, id: 6, #""op":"get","ns":"app","key":"bob""#)
        let list = try same(Answer.List.self, connection, id: 7, #""op":"list""#)
        #expect(list.items.map(\.key) == ["alice", "bob"])
        try same(Answer.Status.self, connection, id: 8, #""op":"status""#)
        try same(Answer.Delete.self, connection, id: 9, #""op":"delete","ns":"app","key":"bob""#)
        try same(Answer.Delete.self, connection, id: 10, #""op":"delete","ns":"app","key":"bob""#)
        try sameFailure(connection, id: 11, #""op":"get","ns":"app","key":"bob""#)
        try sameFailure(connection, id: 12, #""op":"put","ns":"app","key":"alice","value":1,"if_version":9"#)
        try same(Answer.Rotate.self, connection, id: 13, #""op":"rotate""#)
        try same(Answer.Done.self, connection, id: 14, #""op":"lock""#)
        try same(Answer.Status.self, connection, id: 15, #""op":"status""#)
        try sameFailure(connection, id: 16, #""op":"get","ns":"app","key":"alice""#)
        try same(Answer.Done.self, connection, id: 17, #""op":"unlock""#)
        let audit = try same(Answer.Audit.self, connection, id: 18, #""op":"audit""#)
        #expect(!audit.items.isEmpty)
    }

    @Test("access rules: allow by path and by sandbox identity, rules, deny")
    func rules() throws {
        let daemon = try Daemon.started()
        let connection = try LineClient(path: daemon.socketPath)
        let pin = String(repeating: "0f", count: 32)
        try same(Answer.Allow.self, connection, id: 1, #""op":"allow","ns":"app","path":"/usr/bin/true","sha256":"\#(pin)""#)
        try same(Answer.Allow.self, connection, id: 2, #""op":"allow","ns":"app","flatpak":"org.example.App""#)
        try same(Answer.Allow.self, connection, id: 3, #""op":"allow","ns":"other","label":"app_profile (enforce)""#)
        let rules = try same(Answer.Rules.self, connection, id: 4, #""op":"rules""#)
        #expect(rules.items.map(\.ns) == ["app", "other"])
        try same(Answer.Deny.self, connection, id: 5, #""op":"deny","ns":"app","flatpak":"org.example.App""#)
        try same(Answer.Deny.self, connection, id: 6, #""op":"deny","ns":"other""#)
        try same(Answer.Audit.self, connection, id: 7, #""op":"audit""#)
    }

    @Test("leases (granted with an entry or null, shared, released) and the events of a watcher")
    func leasesAndEvents() throws {
        let daemon = try Daemon.started()
        let watcher = try LineClient(path: daemon.socketPath)
        try same(Answer.Watching.self, watcher, id: 1, #""op":"watch","ns":"app""#)
        let holder = try LineClient(path: daemon.socketPath)
        let other = try LineClient(path: daemon.socketPath)
        guard case .granted(let fresh, _, _, nil) = try same(Answer.Lease.self, holder, id: 2, #""op":"lease","ns":"app","key":"new","duration":30"#) else {
            Issue.record("a lease on a fresh key is not granted without an entry")
            return
        }
        try same(Answer.Release.self, holder, id: 3, #""op":"release","ns":"app","key":"new","lease":"\#(fresh)""#)
        try same(Answer.Put.self, holder, id: 4, #""op":"put","ns":"app","key":"alice","value":{"r":1}"#)
        guard case .granted(let token, _, _, .some) = try same(Answer.Lease.self, holder, id: 5, #""op":"lease","ns":"app","key":"alice","stale_version":1"#) else {
            Issue.record("a lease on a live entry is not granted with it")
            return
        }
        try same(Answer.Put.self, holder, id: 6, #""op":"put","ns":"app","key":"alice","value":{"r":2},"ttl":60,"lease":"\#(token)""#)
        guard case .shared = try same(Answer.Lease.self, other, id: 7, #""op":"lease","ns":"app","key":"alice","stale_version":1"#) else {
            Issue.record("a stale lease request does not get the newer entry")
            return
        }
        try same(Answer.Release.self, holder, id: 8, #""op":"release","ns":"app","key":"alice","lease":"\#(token)""#)
        try same(Answer.Delete.self, holder, id: 9, #""op":"delete","ns":"app","key":"alice""#)
        try same(Answer.Done.self, holder, id: 10, #""op":"lock""#)
        try same(Answer.Done.self, holder, id: 11, #""op":"unlock""#)
        var names: [String] = []
        while names.last != "unlocked" {
            let line = try watcher.readLineBytes() + [0x0a]
            let event = try #require(try WatchEvent(line: line))
            #expect(event.line == line)
            names.append(event.name)
        }
        #expect(names == ["leased", "lease_ended", "changed", "leased", "changed", "lease_ended", "deleted", "locked", "unlocked"])
    }
}
