// Architecture, "Threat model"; protocol v1, "Guarantees": no core dumps, and
// no secret (nor ns/key name) in any log line or in plain text on disk.
import Foundation
import LocketTestSupport
import Testing

@Suite("Process hygiene")
struct HygieneTests {
    @Test("the running daemon's core file size limit is 0 (soft and hard)")
    func coreDumpsAreOff() throws {
        let daemon = try Daemon.started()
        let pid = try #require(daemon.pid)
        let limits = try String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8)
        let line = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") })
        let fields = line.dropFirst("Max core file size".count).split(separator: " ")
        #expect(fields.count >= 2 && fields[0] == "0" && fields[1] == "0", "\(line)")
        #expect(try daemon.stop() == 0)
    }

    /// Puts, reads, lists, updates and deletes entries named and valued with markers, with
    /// `--log-level trace`; returns the daemon (stopped) and the markers.
    static func exercise() throws -> (Daemon, [String]) {
        let ns = uniqueMarker("nsmark"), key = uniqueMarker("keymark"), value = uniqueMarker("valuemark")
        let daemon = try Daemon.started(arguments: ["--log-level", "trace"])
        let client = try daemon.connect()
        #expect(try client.ask(#"{"op":"put","ns":"\#(ns)","key":"\#(key)","value":{"token":"\#(value)"},"ttl":3600}"#).ok)
        #expect(try client.ask(#"{"op":"put","ns":"\#(ns)","key":"\#(key)-2","value":"\#(value)-2"}"#).ok)
        #expect(try client.request(#"{"op":"get","ns":"\#(ns)","key":"\#(key)"}"#).contains(value))
        #expect(try client.request(#"{"op":"list","ns":"\#(ns)"}"#).contains(key))
        #expect(try client.ask(#"{"op":"put","ns":"\#(ns)","key":"\#(key)","value":"\#(value)-3","if_version":7}"#).code == "conflict")
        #expect(try client.ask(#"{"op":"delete","ns":"\#(ns)","key":"\#(key)-2"}"#).ok)
        #expect(try client.ask(#"{"op":"get","ns":"\#(ns)","key":"\#(key)-2"}"#).code == "not_found")
        #expect(try client.ask(#"{"op":"put","ns":"\#(ns)","key":"\#(key)","value":"\#(value)"#).code == "bad_request")
        #expect(try client.ask(#"{"op":"frobnicate","ns":"\#(ns)","key":"\#(key)","value":"\#(value)"}"#).code == "unknown_op")
        #expect(try client.ask(#"{"op":"rotate"}"#).ok)
        #expect(try daemon.stop() == 0)
        return (daemon, [ns, key, value])
    }

    @Test("at --log-level trace the log holds no value, ns or key of any request")
    func logHoldsNoValueOrName() throws {
        let (daemon, markers) = try Self.exercise()
        let log = daemon.log
        #expect(log.contains("listening"), "the log is not where the test looks: \(log.prefix(300))")
        for marker in markers {
            #expect(!log.contains(marker), "the log contains \(marker.prefix(8))…")
        }
    }

    @Test("no value, ns or key is stored in plain text in the data folder")
    func dataFolderHoldsNoPlainText() throws {
        let (daemon, markers) = try Self.exercise()
        let files = try FileManager.default.contentsOfDirectory(atPath: daemon.dataDirectory)
        #expect(files.contains("vault.sqlite"))
        for file in files {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: "\(daemon.dataDirectory)/\(file)"))
            for marker in markers {
                #expect(bytes.range(of: Data(marker.utf8)) == nil, "\(file) contains \(marker.prefix(8))… in plain text")
            }
        }
    }
}
