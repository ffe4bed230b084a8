// Fault: the data folder or the socket folder has looser modes or another
// owner. Protocol §2 and the README: such a folder is an error at start-up, never
// silently fixed; the daemon says which path and what is wrong, and exits non-zero.
import Foundation
import LocketTestSupport
import Testing

@Suite("Fault: folder owner and modes")
struct FolderPermissionTests {
    enum Which: String, CaseIterable, Sendable { case data, socket }

    private func folder(_ which: Which, of daemon: Daemon) -> String {
        which == .data ? daemon.dataDirectory : URL(fileURLWithPath: daemon.socketPath).deletingLastPathComponent().path
    }

    /// Starts `daemon`, which must refuse: exit 1, the path and `reason` on stderr, nothing served.
    private func expectRefusal(_ daemon: Daemon, path: String, reason: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let status = try refusedStart(daemon)
        #expect(status == 1, "exit status \(String(describing: status))", sourceLocation: sourceLocation)
        let said = daemon.log
        #expect(said.contains(path), "stderr does not name \(path): \(said)", sourceLocation: sourceLocation)
        #expect(said.contains(reason), "stderr does not say \(reason): \(said)", sourceLocation: sourceLocation)
        #expect(!said.contains("key file \(path)"), "a folder is called a key file: \(said)", sourceLocation: sourceLocation)
        #expect(!said.contains("listening"), sourceLocation: sourceLocation)
        #expect(!LineClient.canConnect(daemon.socketPath), sourceLocation: sourceLocation)
    }

    @Test("a folder with group or other permission bits: refused, its mode left as it was", arguments: Which.allCases, [0o755, 0o750, 0o701])
    func looseMode(which: Which, mode: Int) throws {
        let daemon = Daemon()
        defer { daemon.kill9() }
        let path = folder(which, of: daemon)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: mode])
        try expectRefusal(daemon, path: path, reason: "its mode is \(String(mode, radix: 8))")
        let after = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(after == mode, "the daemon changed the mode to \(String(after ?? 0, radix: 8))")
    }

    @Test("a folder owned by another user (nobody): refused, its owner left as it was", arguments: Which.allCases)
    func otherOwner(which: Which) throws {
        let daemon = Daemon()
        defer { daemon.kill9() }
        let path = folder(which, of: daemon)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        #expect(chown(path, 65534, 65534) == 0)
        try expectRefusal(daemon, path: path, reason: "owned by uid 65534")
        let owner = try FileManager.default.attributesOfItem(atPath: path)[.ownerAccountID] as? Int
        #expect(owner == 65534)
    }

    @Test("a folder that is a symbolic link (to a good folder): refused", arguments: Which.allCases)
    func symbolicLink(which: Which) throws {
        let daemon = Daemon()
        defer { daemon.kill9() }
        let path = folder(which, of: daemon)
        let real = daemon.folder.appending("real-\(which.rawValue)")
        try FileManager.default.createDirectory(atPath: real, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: real)
        try expectRefusal(daemon, path: path, reason: "symbolic link")
        #expect(try FileManager.default.contentsOfDirectory(atPath: real) == [])
    }

    @Test("a bad socket folder is refused before the vault is touched: no vault and no key are created")
    func socketFolderCheckedFirst() throws {
        let daemon = Daemon()
        defer { daemon.kill9() }
        let socketFolder = folder(.socket, of: daemon)
        try FileManager.default.createDirectory(atPath: socketFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try expectRefusal(daemon, path: socketFolder, reason: "its mode is 755")
        #expect(!FileManager.default.fileExists(atPath: daemon.dataDirectory), "the vault was created before the refusal")
    }
}
