// Issue 7, "Load and abuse" and "Memory hygiene": the real locketd under many
// connections, slow and non-reading clients, and its memory protections, each
// proven with figures read from /proc (printed as "load: …" lines).
import Foundation
import LocketTestSupport
import Testing

/// The suites of this target, one test at a time: each holds hundreds of sockets
/// or loads a daemon, and two at once on a 2-core machine would measure each other.
@Suite("Load and abuse", .serialized)
struct LoadTests {}

extension LineClient {
    /// Sends `request` and returns its answer parsed; throws if it is not a JSON object.
    func answer(_ request: String) throws -> [String: Any] {
        try LineClient.object(try self.request(request))
    }

    /// Whether `ping` is answered `ok` on this connection (false on any error).
    var answersPing: Bool {
        guard let line = try? request(#"{"op":"ping"}"#), let object = try? LineClient.object(line) else { return false }
        return object["ok"] as? Bool == true
    }
}

extension Daemon {
    /// `/proc` figures of the running daemon.
    var probe: ProcessProbe {
        get throws { ProcessProbe(try #require(pid, "locketd is not running")) }
    }

    /// A put and a get on a fresh connection, then closed: the daemon has opened what
    /// it opens lazily (store readers), so its descriptor count is the steady one.
    func warmUp() throws {
        let client = try connect()
        defer { client.close() }
        #expect(try client.answer(#"{"op":"put","ns":"warm","key":"up","value":1}"#)["ok"] as? Bool == true)
        #expect(try client.answer(#"{"op":"get","ns":"warm","key":"up"}"#)["ok"] as? Bool == true)
    }
}
