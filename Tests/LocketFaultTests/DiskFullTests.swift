// Fault: the data folder's file system fills up (a real 1 MiB tmpfs). Protocol:
// a store that cannot be written answers `unavailable`; acknowledged writes are durable.
import Foundation
import LocketTestSupport
import Testing

@Suite("Fault: disk full")
struct DiskFullTests {
    @Test("full disk: put answers unavailable (clear, no secret), every earlier entry stays readable, reads go on, puts work again once space returns, and all of it survives a restart")
    func diskFull() throws {
        let folder = TemporaryFolder("locket-diskfull")
        let mount = try Mount.tmpfs(at: folder.appending("mnt"), size: "1m")
        let daemon = Daemon(dataDirectory: mount.path + "/data")
        defer {
            daemon.kill9()
            mount.unmount()
        }
        try daemon.start()
        let pid = daemon.pid
        let client = try daemon.connect()
        let marker = uniqueMarker("diskfull")

        // Someone else takes a quarter of the disk; the daemon's own writes fill the rest.
        let filler = mount.path + "/filler"
        try Data(count: 256 * 1024).write(to: URL(fileURLWithPath: filler))

        var stored: [String: String] = [:]
        var refusal: Reply?
        for index in 0..<2000 {
            let value: [String: Any] = ["token": "\(marker)-\(index)", "pad": String(repeating: "p", count: 900)]
            let reply = try client.put("fill", "k\(index)", value)
            if reply.ok {
                stored["k\(index)"] = canonicalJSON(value)
            } else {
                refusal = reply
                break
            }
        }
        let refused = try #require(refusal, "the disk never filled")
        #expect(stored.count >= 5, "only \(stored.count) puts fit")
        #expect(refused.code == "unavailable", "\(refused)")
        #expect(refused.message.contains("disk is full"), "\(refused)")
        #expect(!refused.line.contains(marker))

        // Still (nearly) full: each further write either fits and is acknowledged, or is refused the
        // same way and leaves nothing behind, never anything in between.
        var refusals = 1
        for attempt in 0..<5 {
            let value: [String: Any] = ["token": "\(marker)-late", "pad": String(repeating: "p", count: 900)]
            let again = try client.put("fill", "late\(attempt)", value)
            if again.ok {
                stored["late\(attempt)"] = canonicalJSON(value)
            } else {
                refusals += 1
                #expect(again.code == "unavailable" && again.message.contains("disk is full"), "\(again)")
                #expect(try client.get("fill", "late\(attempt)").code == "not_found")
            }
        }
        #expect(refusals >= 3, "only \(refusals) of 6 puts on a full disk were refused")
        // Reads keep working and every acknowledged entry is intact.
        for (key, value) in stored {
            let reply = try client.get("fill", key)
            #expect(reply.ok && reply.valueJSON == value, "\(key): \(reply.line.prefix(200))")
        }
        #expect(Set(try client.list("fill").listedKeys()) == Set(stored.keys))
        #expect(try client.status().int("entries") == stored.count)

        // Space returns: writes work again, without a restart.
        try FileManager.default.removeItem(atPath: filler)
        for index in 0..<5 {
            let reply = try client.put("after", "k\(index)", ["token": "\(marker)-after-\(index)"])
            #expect(reply.ok, "\(reply)")
            if reply.ok { stored["after/k\(index)"] = canonicalJSON(["token": "\(marker)-after-\(index)"]) }
        }
        #expect(daemon.pid == pid)

        // Everything acknowledged, before and after, is durable across a restart.
        #expect(try daemon.stop() == 0)
        try daemon.start()
        let reopened = try daemon.connect()
        for (name, value) in stored {
            let (ns, key) = name.hasPrefix("after/") ? ("after", String(name.dropFirst(6))) : ("fill", name)
            let reply = try reopened.get(ns, key)
            #expect(reply.ok && reply.valueJSON == value, "\(name) after restart: \(reply.line.prefix(200))")
        }
        #expect(!daemon.log.contains(marker))
        #expect(try daemon.stop() == 0)
    }

    @Test("a restart while the disk is still full: the daemon starts and serves every entry; writes that do not fit answer unavailable; growing the file system lets them in")
    func restartWhileFull() throws {
        let folder = TemporaryFolder("locket-diskfull")
        let mount = try Mount.tmpfs(at: folder.appending("mnt"), size: "1m")
        let daemon = Daemon(dataDirectory: mount.path + "/data")
        defer {
            daemon.kill9()
            mount.unmount()
        }
        try daemon.start()
        let client = try daemon.connect()
        let value = String(repeating: "v", count: 1000)
        /// Puts until one is refused; returns the refusal (nil if none in 2000).
        func fill(_ client: LineClient, _ stored: inout [String]) throws -> Reply? {
            for index in 0..<2000 {
                let key = "k\(stored.count)-\(index)"
                let reply = try client.put("full", key, value)
                guard reply.ok else { return reply }
                stored.append(key)
            }
            return nil
        }
        var stored: [String] = []
        let first = try fill(client, &stored)
        #expect(first?.code == "unavailable", "\(String(describing: first))")
        #expect(try daemon.stop() == 0)

        try daemon.start()
        let reopened = try daemon.connect()
        for key in stored {
            #expect(try reopened.get("full", key).valueJSON == canonicalJSON(value), "\(key)")
        }
        let again = try fill(reopened, &stored)
        #expect(again?.code == "unavailable", "\(String(describing: again))")
        // Growing the file system is space returning too.
        try mount.remount("size=4m")
        #expect(try reopened.put("full", "after-growth", value).ok)
        for key in stored {
            #expect(try reopened.get("full", key).valueJSON == canonicalJSON(value), "\(key)")
        }
        #expect(try daemon.stop() == 0)
    }
}
