import Foundation
import FuzzBackup
import LocketCrypto
import LocketTestSupport
@testable import LocketBackup

/// The committed seed corpus of every target (`Tests/FuzzTesting/Seeds/<target>/`),
/// made by `LOCKET_FUZZ_MAKE_SEEDS=FOLDER locket-fuzz` (`scripts/fuzz --make-seeds`):
/// lines of the protocol vectors, and small hand-made inputs per target.
enum TargetSeeds {
    /// Writes `folder/<target>/<name>` for every target; returns the file count.
    static func write(to folder: String) throws -> Int {
        var count = 0
        let all = try seeds()
        for target in FuzzTarget.all {
            let path = "\(folder)/\(target.name)"
            try? FileManager.default.removeItem(atPath: path)
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            for (name, bytes) in all[target.name] ?? [] {
                try Data(bytes).write(to: URL(fileURLWithPath: "\(path)/\(name)"))
                count += 1
            }
        }
        return count
    }

    static func seeds() throws -> [String: [(String, [UInt8])]] {
        let vectors = try ProtocolVector.loadAll()
        var sent: [[UInt8]] = [], answers: [[UInt8]] = []
        var seenSent = Set<[UInt8]>(), seenAnswers = Set<[UInt8]>()
        for vector in vectors {
            for step in vector.steps {
                switch step.kind {
                case .send(let bytes):
                    for line in bytes.split(separator: 0x0a) where line.count <= 4096 && seenSent.insert(Array(line)).inserted {
                        sent.append(Array(line))
                    }
                case .expect(let pattern):
                    let line = Array(concrete(pattern).utf8)
                    if seenAnswers.insert(line).inserted { answers.append(line) }
                case .endOfInput: break
                }
            }
        }
        func named(_ prefix: String, _ inputs: [[UInt8]]) -> [(String, [UInt8])] {
            inputs.enumerated().map { ("\(prefix)-" + String(String($0.offset + 1000).dropFirst()), $0.element) }
        }
        var result: [String: [(String, [UInt8])]] = [:]
        result["request"] = named("vector-line", sent)
        result["json"] = named("vector-line", Array(sent.prefix(60))) + named("vector-answer", Array(answers.prefix(60)))
            + named("hand", ["[1,-0,0.5,\"\\u00e9\\n\",true,false,null,{}]", "\"\\ud83d\\ude00\"", "{\"a\":{\"b\":[[]]}}",
                             " 12 ", "{\"a\":1,\"a\":2}", "[1e5]", "\"\\ud800\""].map { Array($0.utf8) })
        result["client-answer"] = named("vector-answer", answers) + named("event", [
            #"{"event":"changed","ns":"app","key":"k","version":3,"expires_at":"2026-11-22T22:10:00Z"}"#,
            #"{"event":"deleted","ns":"app","key":"k"}"#, #"{"event":"expired","ns":"app","key":"k"}"#,
            #"{"event":"expiring","ns":"app","key":"k","expires_at":"2026-11-22T22:10:00Z"}"#,
            #"{"event":"locked","reason":"idle"}"#, #"{"event":"unlocked"}"#, #"{"event":"future"}"#,
        ].map { Array($0.utf8) })
        result["framing"] = named("vectors", vectors.prefix(12).enumerated().map { index, vector in
            [UInt8(16 + index * 4), UInt8(index * 37 % 256)] + Array(vector.sentBytes.prefix(512))
        }) + named("hand", ["\u{20}\u{00}a\r\nbb\n\r\n\n", "\u{03}\u{ff}abcd\nabc\r\nab\rc\n", "\u{08}\u{10}123456789\r\n1234567\r\r\n"].map { Array($0.utf8) })
        result["timestamp"] = named("hand", ["2026-11-22T22:10:00Z", "2026-11-22T22:10:00.123456Z", "2024-02-29T23:59:59+05:30",
                                           "1970-01-01T00:00:00-00:00", "9999-12-31T23:59:59Z", "0000-01-01T00:00:00+23:59",
                                           "2026-11-22t22:10:00z", "2016-12-31T23:59:60Z", "2026-13-01T00:00:00Z",
                                           "1600-02-29T12:00:00.5-17:59"].map { Array($0.utf8) })
        result["backup"] = try backupSeeds()
        result["audit-log"] = named("recipe", auditRecipes())
        result["git-input"] = named("hand", [
            "protocol=https\nhost=example.com\nusername=alice\npassword=s3cret\n\n",
            "capability[]=authtype\nprotocol=https\nhost=example.com:8443\npath=org/repo.git\nauthtype=Bearer\ncredential=tok\n",
            "url=https://bob:pw@example.com:8443/a%2Fb/c.git?x=1\npassword_expiry_utc=1700000000\noauth_refresh_token=r\n",
            "url=cert:///home/alice/cert.p12\nephemeral=true\n", "protocol=https\r\nhost=h\r\n\r\nignored=1\n",
            "capability[]=authtype\ncapability[]=\nstate[]=a\ncontinue=1\nwwwauth[]=Basic realm=x\n",
            "https://example.com/org?alice", "url=https://a:%0D%0Ab@h/\n",
        ].map { Array($0.utf8) })
        result["docker-input"] = named("hand", [
            #"{"ServerURL":"https://index.docker.io/v1/","Username":"alice","Secret":"s3cret"}"#,
            "{\"serverurl\":\"r.example\",\n\"USERNAME\":null,\"Secret\":\"\\u00e9\\ud83d\\ude00\",\"x\":[1,{\"y\":2}]}\n",
            "  https://r.example:5000 \r\n", "{\"ServerURL\":1}", "{} trailing", "\u{2003}ghcr.io\u{0085}",
        ].map { Array($0.utf8) })
        result["connection"] = named("vector", vectors.map(\.sentBytes).filter { $0.count <= Seeds.maxFuzzedLength })
        return result
    }

    /// A pattern of a vector's `<` line made concrete (placeholders given values).
    static func concrete(_ pattern: String) -> String {
        pattern.replacingOccurrences(of: "\"$timestamp-or-null\"", with: "\"2026-11-22T22:10:00Z\"")
            .replacingOccurrences(of: "\"$timestamp\"", with: "\"2026-11-22T22:10:00Z\"")
            .replacingOccurrences(of: "\"$int\"", with: "7")
            .replacingOccurrences(of: "\"$string\"", with: "\"text\"")
            .replacingOccurrences(of: "\"$any\"", with: "null")
    }

    /// Backups sealed for real with the target's passphrase at the least limits (mode byte 0),
    /// and plaintexts (mode byte 1).
    static func backupSeeds() throws -> [(String, [UInt8])] {
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let entries = [
            BackupEntry(ns: "app", key: "alice", valueJSON: Array(#"{"token":"t","n":[1,2]}"#.utf8), version: 3,
                        createdAt: now, updatedAt: now, expiresAt: nil),
            BackupEntry(ns: "git", key: "https://example.com?bob", valueJSON: Array("\"\\u00e9\"".utf8), version: 1,
                        createdAt: now, updatedAt: now, expiresAt: now.addingTimeInterval(3600)),
        ]
        let plaintext = entries.flatMap(\.jsonLine)
        var seeds: [(String, [UInt8])] = []
        for (name, text) in [("file-empty", [UInt8]()), ("file-two-entries", plaintext)] {
            let file = try BackupCodec.seal(plaintext: text, passphrase: BackupTarget.passphrase, limits: BackupTarget.cheapest)
            seeds.append((name, [0] + file))
        }
        seeds.append(("plaintext-two-entries", [1] + plaintext))
        seeds.append(("plaintext-offset-times", [1] + Array(
            #"{"ns":"a","key":"b","value":null,"version":1,"created_at":"2026-11-22T22:10:00.5+01:00","updated_at":"2026-11-22T22:10:00Z","expires_at":null}"#.utf8) + [0x0a]))
        return seeds
    }

    /// Audit log recipes (see AuditLogRecipe): chained segments with their head, a rotation,
    /// a gap, raw damage, a segment linked wrong, a head a record ahead.
    static func auditRecipes() -> [[UInt8]] {
        func record(_ json: String) -> [UInt8] { [2, UInt8(json.utf8.count)] + Array(json.utf8) }
        let get = #"{"t":1790000000000,"op":"get","ns":"app","kh":"00ff","out":"ok","pid":42,"uid":1000}"#
        let locked = #"{"t":1790000000001,"op":"put","ns":"app","k":"alice","out":"locked","exe":"/usr/bin/app","exe_deleted":true,"pid":42,"uid":1000,"unit":"app.service"}"#
        let header = { (segment: UInt8, mode: UInt8) -> [UInt8] in [1, segment | mode << 2] }
        return [
            // Clean: two segments over a rotation, the true head (second byte 0x00 % 4 == 0).
            header(0, 0) + record(get) + record(locked) + [5, 7] + [4] + header(1, 0) + record(get) + [5, 9],
            // Clean, one segment (a cut of 0 bytes first: the second byte picks the true head).
            [6, 0] + header(2, 0) + [5, 1, 5, 2, 5, 3] + record(locked),
            // A gap, then raw bytes.
            header(0, 0) + record(get) + [3, 2, UInt8(get.utf8.count)] + Array(get.utf8) + [0, 7, 0x52, 0xff, 0xff, 0, 0, 1, 2],
            // A segment linked to a wrong count; a v1 header; a cut tail.
            header(1, 0) + [5, 4] + header(2, 2) + [5, 5] + header(3, 3) + [5, 6, 6, 3],
            // No head (second byte % 4 == 1), a head a record ahead (== 2), a changed head (== 3).
            [5, 1] + header(0, 0) + [5, 8],
            [5, 2] + header(0, 0) + [5, 8],
            [5, 3, 17] + header(0, 0) + [5, 8],
        ]
    }
}
