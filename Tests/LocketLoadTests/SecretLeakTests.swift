// Architecture, "Threat model": no secret in logs or in plain text on disk,
// the master key included. With the `file` key store the key is on disk by
// design, in its own file: these tests read it there and look for it (raw,
// hex, base64) everywhere else, beside a unique value, at the most verbose
// log level, across a key rotation.
import Foundation
import LocketTestSupport
import Testing

extension LoadTests {
    @Suite("Secret leaks")
    struct SecretLeaks {
        @Test("at --log-level trace neither a stored value nor the master key (old or rotated) is in the log or in any data file but the key file")
        func noValueOrMasterKeyOutsideTheKeyFile() throws {
            let daemon = Daemon.unprivileged(arguments: ["--log-level", "trace"])
            try daemon.start()
            defer { daemon.kill9() }
            let value = "valuemark\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))"
            let ns = "nsmark\(UUID().uuidString.prefix(8).lowercased())"

            let put = try daemon.locket(asNobody: ["put", ns, "session", #"{"token":"\#(value)"}"#, "--ttl", "3600"])
            #expect(put.status == 0, "\(put.stderr)")
            let get = try daemon.locket(asNobody: ["get", ns, "session"])
            #expect(get.stdout.contains(value), "the value did not come back: \(get.stderr)")
            var keys = [try Self.masterKey(in: daemon.dataDirectory)]
            let rotate = try daemon.locket(asNobody: ["rotate"])
            #expect(rotate.status == 0, "\(rotate.stderr)")
            keys.append(try Self.masterKey(in: daemon.dataDirectory))
            #expect(keys[0] != keys[1], "rotate did not change the key file")
            #expect(try daemon.locket(asNobody: ["get", ns, "session"]).stdout.contains(value))

            let secrets = [("the value", Array(value.utf8)), ("the namespace", Array(ns.utf8))] + keys.enumerated().flatMap { index, key in
                Self.spellings(of: key).map { ("master key \(index + 1) (\($0.0))", $0.1) }
            }
            // The data folder while the daemon runs (the WAL holds the recent writes) and after it stopped.
            let running = try Self.scan(daemon.dataDirectory, for: secrets)
            #expect(try daemon.stop() == 0)
            let stopped = try Self.scan(daemon.dataDirectory, for: secrets)
            #expect(running.files.contains("vault.sqlite") && stopped.files.contains("vault.sqlite"))

            let log = Array(daemon.log.utf8)
            #expect(daemon.log.contains("listening") && daemon.log.contains("stopped"), "the log is not where the test looks: \(daemon.log.prefix(300))")
            for (name, bytes) in secrets {
                #expect(!Self.contains(log, bytes), "the log holds \(name)")
            }
            print("load: \(secrets.count) secret spellings (a value, a namespace; 2 master keys raw, hex, HEX, base64) absent from \(log.count) bytes of trace log, \(running.bytes) bytes in \(running.files) while running and \(stopped.bytes) bytes in \(stopped.files) after")
        }

        /// Every file of `folder` but the key files; expects none to hold any of `secrets`.
        static func scan(_ folder: String, for secrets: [(String, [UInt8])]) throws -> (files: [String], bytes: Int) {
            let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasSuffix(".key") }.sorted()
            var scanned = 0
            for file in files {
                let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(file)")))
                scanned += bytes.count
                for (name, secret) in secrets {
                    #expect(!contains(bytes, secret), "\(file) holds \(name) in the clear")
                }
            }
            return (files, scanned)
        }

        /// The 32 key bytes of the vault's current key file (`LOCKETK1` then the key).
        static func masterKey(in folder: String) throws -> [UInt8] {
            let name = try #require(try FileManager.default.contentsOfDirectory(atPath: folder)
                .first { $0.hasPrefix("master-") && $0.hasSuffix(".key") && !$0.hasSuffix(".next.key") })
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(name)")))
            try #require(bytes.count == 40 && Array(bytes.prefix(8)) == Array("LOCKETK1".utf8), "\(name) is not a key file")
            return Array(bytes.dropFirst(8))
        }

        /// How a key could be written out by mistake: raw, hex either case, base64.
        static func spellings(of key: [UInt8]) -> [(String, [UInt8])] {
            let hex = key.map { String(format: "%02x", $0) }.joined()
            return [("raw", key), ("hex", Array(hex.utf8)), ("HEX", Array(hex.uppercased().utf8)),
                    ("base64", Array(Data(key).base64EncodedString().utf8))]
        }

        static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
            Data(haystack).range(of: Data(needle)) != nil
        }
    }
}
