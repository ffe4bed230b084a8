// Protocol v1, "Requests and responses": put then get over one connection,
// hello, status — against the real locketd binary.
import Foundation
import LocketProtocol
import LocketTestSupport
import Testing

@Suite("Round trip")
struct RoundTripTests {
    @Test("get returns the exact JSON text of the value put, with its version and timestamps")
    func putThenGetReturnsTheExactValueText() throws {
        let daemon = try Daemon.started()
        let client = try daemon.connect()
        // Members in a non-sorted order, escapes, a big exact integer, a double, nesting: all must come back as sent.
        let value = #"{"z":"h\u00e9llo \"q\" \\ /","a":[true,false,null,{}],"n":-12,"big":9007199254740993,"f":2.5e-3,"s":""}"#
        let put = try client.ask(#"{"id":"p","op":"put","ns":"demo","key":"alice","value":\#(value),"ttl":3600}"#)
        #expect(put.ok, "\(put.line)")
        #expect(put.bool("created") == true)
        #expect(put.int("version") == 1)
        #expect(put.string("expires_at").flatMap(Timestamp.parse) != nil)

        let get = try client.request(#"{"id":"g","op":"get","ns":"demo","key":"alice"}"#)
        #expect(get.hasPrefix(#"{"id":"g","ok":true,"value":\#(value),"version":1,"created_at":""#), "\(get)")
        let answer = try Answer(get)
        #expect(answer.string("created_at").flatMap(Timestamp.parse) != nil)
        #expect(answer.string("updated_at") == answer.string("created_at"))
        #expect(answer.string("expires_at") == put.string("expires_at"))

        // A second put of the same key is an update: version 2, created false, new value returned.
        let update = try client.ask(#"{"op":"put","ns":"demo","key":"alice","value":[1,"two"]}"#)
        #expect(update.ok && update.bool("created") == false && update.int("version") == 2, "\(update.line)")
        let again = try client.request(#"{"op":"get","ns":"demo","key":"alice"}"#)
        #expect(again.hasPrefix(#"{"ok":true,"value":[1,"two"],"version":2,"#), "\(again)")
        #expect(try daemon.stop() == 0)
    }

    @Test("hello answers protocol 1, the server name and every op, echoing the id")
    func helloListsOps() throws {
        let daemon = try Daemon.started()
        let client = try daemon.connect()
        let hello = try client.ask(#"{"id":42,"op":"hello","version":1}"#)
        #expect(hello.ok, "\(hello.line)")
        #expect(hello.intID == 42)
        #expect(hello.int("protocol") == 1)
        #expect(hello.string("server")?.hasPrefix("locketd ") == true)
        let ops = Set(hello.object["ops"] as? [String] ?? [])
        for op in ["hello", "ping", "put", "get", "delete", "list", "status", "lock", "unlock"] {
            #expect(ops.contains(op), "hello does not list \(op): \(hello.line)")
        }
        #expect(try daemon.stop() == 0)
    }

    @Test("status reports locked, key_store, entries, version and uptime_s")
    func statusFields() throws {
        let daemon = try Daemon.started()
        let client = try daemon.connect()
        let empty = try client.ask(#"{"op":"status"}"#)
        #expect(empty.ok, "\(empty.line)")
        #expect(empty.bool("locked") == false)
        #expect(empty.string("key_store") == "file")
        #expect(empty.int("entries") == 0)
        #expect(empty.string("version")?.isEmpty == false)
        #expect((empty.int("uptime_s") ?? -1) >= 0)

        for key in ["a", "b", "c"] {
            #expect(try client.ask(#"{"op":"put","ns":"s","key":"\#(key)","value":1}"#).ok)
        }
        #expect(try client.ask(#"{"op":"delete","ns":"s","key":"b"}"#).bool("deleted") == true)
        let after = try client.ask(#"{"id":"st","op":"status"}"#)
        #expect(after.int("entries") == 2, "\(after.line)")
        #expect((after.id as? String) == "st")
        #expect(try daemon.stop() == 0)
    }
}
