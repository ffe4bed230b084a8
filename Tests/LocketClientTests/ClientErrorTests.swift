import Foundation
import LocketClient
import LocketProtocol
import LocketTestSupport
import Testing

/// Each error the client can meet, each as its typed case.
@Suite("LocketClient: typed errors")
struct ClientErrorTests {
    private func error(_ body: () throws -> Void) -> LocketError? {
        do {
            try body()
            return nil
        } catch {
            return error as? LocketError
        }
    }

    @Test("not_found, conflict, bad_request, too_large map to their cases")
    func daemonCodes() throws {
        let daemon = try Daemon.started()
        let client = LocketClient(socketPath: daemon.socketPath)
        #expect(error { _ = try client.get(ns: "app", key: "missing") } == .notFound)
        try client.put(ns: "app", key: "k", valueJSON: Array("1".utf8))
        #expect(error { try client.put(ns: "app", key: "k", valueJSON: Array("2".utf8), ifVersion: 7) }?.code == .conflict)
        #expect(error { try client.put(ns: "app", key: "k", valueJSON: Array("2".utf8), ifVersion: 0) }?.code == .conflict)
        #expect(error { _ = try client.get(ns: "", key: "k") }?.code == .badRequest)
        #expect(error { _ = try client.get(ns: String(repeating: "n", count: 257), key: "k") }?.code == .badRequest)
        let big = Array(("\"" + String(repeating: "x", count: 256 * 1024) + "\"").utf8)
        #expect(error { try client.put(ns: "app", key: "big", valueJSON: big) }?.code == .tooLarge)
        // The connection is still usable after each error.
        #expect(try client.get(ns: "app", key: "k").version == 1)
    }

    @Test("unknown_op through the raw round trip, and a raw answer keeps ok:false")
    func unknownOp() throws {
        let daemon = try Daemon.started()
        let client = LocketClient(socketPath: daemon.socketPath)
        let answer = try client.roundTrip(line: Array(#"{"id":3,"op":"frobnicate"}"#.utf8))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any])
        #expect((object["error"] as? [String: Any])?["code"] as? String == "unknown_op")
        #expect(object["id"] as? Int == 3)
    }

    @Test("past the connection cap the client gets unavailable")
    func unavailableAtCap() throws {
        let daemon = try Daemon.started(arguments: ["--max-connections", "1"])
        let holder = LocketClient(socketPath: daemon.socketPath)
        // The fixture's readiness probe holds the one slot until the daemon sees it close.
        var admitted = false
        for _ in 0..<100 where !admitted {
            admitted = (try? holder.ping()) != nil
            if !admitted { usleep(20_000) }
        }
        try #require(admitted)
        let second = LocketClient(socketPath: daemon.socketPath)
        #expect(error { try second.ping() }?.code == .unavailable)
    }

    @Test("no daemon: daemonNotRunning names the socket, at once")
    func daemonNotRunning() throws {
        let folder = TemporaryFolder()
        let path = folder.appending("nothing.sock")
        let fastest = Timing.fastest(under: 1) {
            let started = Date()
            let failure = error { try LocketClient(socketPath: path).ping() }
            #expect(failure == .daemonNotRunning(socketPath: path))
            #expect(failure?.description.contains("locketd") == true)
            return Date().timeIntervalSince(started)
        }
        #expect(fastest < 1)
    }

    @Test("a socket that accepts but never answers times out")
    func timeout() throws {
        let folder = TemporaryFolder()
        let path = folder.appending("mute.sock")
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0 && listen(fd, 4) == 0)
        let fastest = Timing.fastest(under: 2) {
            let started = Date()
            let failure = error { try LocketClient(socketPath: path, timeout: 0.5).ping() }
            #expect(failure == .timedOut(seconds: 0.5))
            return Date().timeIntervalSince(started)
        }
        #expect(fastest < 2)
    }

    @Test("the client reconnects after the daemon restarts")
    func reconnect() throws {
        let daemon = try Daemon.started()
        let client = LocketClient(socketPath: daemon.socketPath)
        try client.put(ns: "app", key: "k", valueJSON: Array("1".utf8))
        #expect(try daemon.stop() == 0)
        try daemon.start()
        #expect(try client.get(ns: "app", key: "k").valueJSON == Array("1".utf8))
    }

    @Test("LOCKET_SOCKET picks the socket when none is given")
    func environmentSocket() throws {
        let daemon = try Daemon.started()
        let client = LocketClient(environment: ["LOCKET_SOCKET": daemon.socketPath])
        #expect(client.socketPath == daemon.socketPath)
        try client.ping()
    }
}
