// Fault: the data folder is read-only. At start: a read-only bind mount. While
// running: a read-only remount is refused by the kernel while locketd holds its
// database open for writing (EBUSY), so the real way a running daemon's file
// system turns read-only is an error remount: ext4 with errors=remount-ro on a
// loop device, tripped through the kernel's own error trigger.
import Foundation
import LocketTestSupport
import Testing

@Suite("Fault: read-only data folder")
struct ReadOnlyTests {
    @Test("read-only at start: an existing vault is refused with exit 1 and the path and reason on stderr, and served again once writable")
    func readOnlyExistingVault() throws {
        let daemon = Daemon()
        defer { daemon.kill9() }
        try daemon.start()
        #expect(try daemon.connect().put("ro", "k", "kept").ok)
        #expect(try daemon.stop() == 0)
        let before = try snapshot(daemon.dataDirectory)

        let mount = try Mount.readOnlyBind(daemon.dataDirectory)
        defer { mount.unmount() }
        let logStart = daemon.log.utf8.count
        #expect(try refusedStart(daemon) == 1)
        let said = String(daemon.log.dropFirst(logStart))
        #expect(said.contains(daemon.dataDirectory), "\(said)")
        #expect(said.contains("Read-only file system"), "\(said)")
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath), "the socket was created before the refusal")
        mount.unmount()

        #expect(try snapshot(daemon.dataDirectory) == before)
        try daemon.start()
        #expect(try daemon.connect().get("ro", "k").valueJSON == canonicalJSON("kept"))
        #expect(try daemon.stop() == 0)
    }

    @Test("read-only at start, no vault yet: refused with exit 1, nothing created")
    func readOnlyNewVault() throws {
        let daemon = Daemon()
        defer { daemon.kill9() }
        try FileManager.default.createDirectory(atPath: daemon.dataDirectory, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        let mount = try Mount.readOnlyBind(daemon.dataDirectory)
        defer { mount.unmount() }
        #expect(try refusedStart(daemon) == 1)
        #expect(daemon.log.contains(daemon.dataDirectory), "\(daemon.log)")
        #expect(daemon.log.contains("Read-only file system"), "\(daemon.log)")
        mount.unmount()
        #expect(try FileManager.default.contentsOfDirectory(atPath: daemon.dataDirectory) == [])
    }

    @Test("turned read-only while running (ext4 errors=remount-ro): writes answer unavailable, reads keep working; once writable again writes work and nothing acknowledged is lost")
    func readOnlyWhileRunning() throws {
        let folder = TemporaryFolder("locket-readonly")
        var mount = try Mount.ext4(image: folder.appending("fs.img"), megabytes: 16, at: folder.appending("mnt"), options: "errors=remount-ro")
        let daemon = Daemon(dataDirectory: folder.appending("mnt/data"))
        defer {
            daemon.kill9()
            mount.unmount()
        }
        try daemon.start()
        let client = try daemon.connect()
        let marker = uniqueMarker("readonly")
        for index in 0..<20 {
            #expect(try client.put("ro", "k\(index)", ["token": "\(marker)-\(index)"]).ok)
        }

        try mount.triggerExt4Error()
        #expect(mount.options.split(separator: ",").contains("ro") || mount.options.contains("emergency_ro"), "\(mount.options)")

        let refused = try client.put("ro", "new", ["token": marker])
        #expect(refused.code == "unavailable", "\(refused)")
        #expect(refused.message.contains("cannot be written"), "\(refused)")
        #expect(!refused.line.contains(marker))
        #expect(try client.delete("ro", "k0").code == "unavailable")
        for index in 0..<20 {
            #expect(try client.get("ro", "k\(index)").valueJSON == canonicalJSON(["token": "\(marker)-\(index)"]), "k\(index)")
        }
        #expect(try client.list("ro").listedKeys().count == 20)
        #expect(try client.status().int("entries") == 20)
        #expect(try client.get("ro", "new").code == "not_found")

        // Writable again. Older kernels allow `remount,rw` after an error remount; newer
        // ones (emergency_ro) need the file system unmounted and checked: then the daemon
        // must be restarted, since it holds its files open.
        if (try? mount.remount("rw")) != nil {
            #expect(try client.put("ro", "new", ["token": marker]).ok, "writes did not resume after remount,rw")
        } else {
            let stopped = try daemon.stop()
            #expect(stopped == 0, "exit status \(stopped) on a read-only file system")
            mount.unmount()
            #expect(try Mount.fsck(image: folder.appending("fs.img")) <= 1)
            mount = try Mount.ext4Existing(image: folder.appending("fs.img"), at: folder.appending("mnt"), options: "errors=remount-ro")
            try daemon.start()
        }
        let again = try daemon.connect()
        #expect(try again.put("ro", "after", ["token": marker]).ok)
        for index in 0..<20 {
            #expect(try again.get("ro", "k\(index)").valueJSON == canonicalJSON(["token": "\(marker)-\(index)"]), "k\(index)")
        }
        #expect(!daemon.log.contains(marker))
        #expect(try daemon.stop() == 0)
    }
}
