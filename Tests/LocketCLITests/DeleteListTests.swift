// `locket delete` and `locket list`.
import Foundation
import LocketTestSupport
import Testing

@Suite("delete and list")
struct DeleteListTests {
    @Test("delete prints nothing; the entry is gone; deleting it again exits 1")
    func deleteThenMissing() throws {
        let cli = try CLI()
        try cli.put("app", "k", "1")
        cli.expect(try cli.run("delete", "app", "k"), status: 0)
        cli.expect(try cli.run("get", "app", "k"), status: 1, stderr: "locket: not found: app/k\n")
        cli.expect(try cli.run("delete", "app", "k"), status: 1, stderr: "locket: not found: app/k\n")
    }

    @Test("delete --if-version: a mismatch exits 5 and keeps the entry")
    func deleteIfVersion() throws {
        let cli = try CLI()
        try cli.put("app", "k", "1")
        cli.expect(try cli.run("delete", "app", "k", "--if-version", "2"), status: 5,
                   stderr: "locket: version conflict: the live entry has version 1\n")
        cli.expect(try cli.run("get", "app", "k"), status: 0, stdout: "1\n")
        cli.expect(try cli.run("delete", "app", "k", "--if-version", "1"), status: 0)
    }

    @Test("list prints an aligned table sorted by namespace and key, never values")
    func listTable() throws {
        let cli = try CLI()
        cli.expect(try cli.run("list"), status: 0, stdout: "NS  KEY  VERSION  UPDATED  EXPIRES\n")
        try cli.put("web", "x", #""secret-value""#)
        try cli.put("app", "session", #"{"token":"secret-token"}"#, "--ttl", "3600")
        try cli.put("app", "a", "1")
        try cli.put("app", "a", "2")
        let result = try cli.run("list")
        cli.expect(result, status: 0, stdout: """
            NS   KEY      VERSION  UPDATED               EXPIRES
            app  a        2        YYYY-MM-DDTHH:MM:SSZ  -
            app  session  1        YYYY-MM-DDTHH:MM:SSZ  YYYY-MM-DDTHH:MM:SSZ
            web  x        1        YYYY-MM-DDTHH:MM:SSZ  -

            """)
        #expect(!result.stdout.contains("secret"))
        cli.expect(try cli.run("list", "web"), status: 0, stdout: """
            NS   KEY  VERSION  UPDATED               EXPIRES
            web  x    1        YYYY-MM-DDTHH:MM:SSZ  -

            """)
    }

    @Test("list --json prints an array of items")
    func listJSON() throws {
        let cli = try CLI()
        cli.expect(try cli.run("list", "--json"), status: 0, stdout: "[]\n")
        try cli.put("app", "a", #""secret""#, "--ttl", "60")
        try cli.put("web", "b", "1")
        let result = try cli.run("list", "--json")
        cli.expect(result, status: 0, stdout: #"""
            [{"ns":"app","key":"a","version":1,"created_at":"YYYY-MM-DDTHH:MM:SSZ","updated_at":"YYYY-MM-DDTHH:MM:SSZ","expires_at":"YYYY-MM-DDTHH:MM:SSZ"},{"ns":"web","key":"b","version":1,"created_at":"YYYY-MM-DDTHH:MM:SSZ","updated_at":"YYYY-MM-DDTHH:MM:SSZ","expires_at":null}]

            """#)
        #expect(!result.stdout.contains("secret"))
        cli.expect(try cli.run("list", "app", "--json"), status: 0, stdout: #"""
            [{"ns":"app","key":"a","version":1,"created_at":"YYYY-MM-DDTHH:MM:SSZ","updated_at":"YYYY-MM-DDTHH:MM:SSZ","expires_at":"YYYY-MM-DDTHH:MM:SSZ"}]

            """#)
    }
}
