// `locket audit`: the access log as a table or JSON, filtered by ns, since and limit.
import Foundation
import LocketTestSupport
import Testing

@Suite("audit")
struct AuditCommandTests {
    /// The table's rows as cells (split on runs of two or more spaces), header first.
    static func rows(_ text: String) -> [[String]] {
        text.split(separator: "\n").map { line in line.split(separator: /\s{2,}/).map(String.init) }
    }

    @Test("a table of time, op, ns, short key hash, outcome, pid, exe and unit, oldest first")
    func table() throws {
        let cli = try CLI()
        try cli.put("app", "k", "1")
        #expect(try cli.run("get", "app", "missing").status == 1)
        let result = try cli.run("audit")
        #expect(result.status == 0, "\(result.stderr)")
        let rows = Self.rows(result.stdout)
        try #require(rows.count == 3, "\(result.stdout)")
        #expect(rows[0] == ["TIME", "OP", "NS", "KEY", "OUTCOME", "PID", "EXE", "UNIT"])
        #expect(rows[1][1] == "put" && rows[1][2] == "app" && rows[1][4] == "ok")
        #expect(rows[2][1] == "get" && rows[2][2] == "app" && rows[2][4] == "not_found")
        for row in rows.dropFirst() {
            #expect(row[3].count == 8 && row[3].allSatisfy(\.isHexDigit))
            #expect(row[6].hasSuffix("/locket"), "the CLI is the caller: \(row[6])")
        }
    }

    @Test("--json: items with full key hashes; --ns, --since (time or age) and --limit filter")
    func jsonAndFilters() throws {
        let cli = try CLI()
        try cli.put("one", "k", "1")
        try cli.put("two", "k", "2")
        #expect(try cli.run("list").status == 0)
        func items(_ arguments: String...) throws -> [[String: Any]] {
            let result = try runLocket(["audit", "--socket", cli.socket, "--json"] + arguments)
            #expect(result.status == 0, "\(result.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect((object["damage"] as? [Any])?.isEmpty == true)
            return try #require(object["items"] as? [[String: Any]])
        }
        let all = try items()
        #expect(all.map { $0["op"] as? String } == ["put", "put", "list"])
        #expect(all[2]["ns"] is NSNull && all[2]["key_hash"] is NSNull)
        #expect((all[0]["key_hash"] as? String)?.count == 32)
        #expect(all[0]["key_hash"] as? String == all[1]["key_hash"] as? String, "same key name, same hash")
        #expect(try items("--ns", "two").map { $0["ns"] as? String } == ["two"])
        #expect(try items("--limit", "1").map { $0["op"] as? String } == ["list"])
        #expect(try items("--since", "1h").count == 3)
        #expect(try items("--since", "2999-01-01T00:00:00Z").isEmpty)
    }

    @Test("a --since that is neither a time nor an age is a usage error (exit 2)")
    func badSince() throws {
        let cli = try CLI()
        let result = try cli.run("audit", "--since", "yesterday")
        #expect(result.status == 2)
        #expect(result.stderr.contains("--since"))
    }
}
