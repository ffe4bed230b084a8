// scripts/install and scripts/uninstall (and their make targets): what goes
// where, the manifest, and an uninstall that leaves exactly what was there.
import Foundation
import LocketTestSupport
import Testing

@Suite("installer")
struct InstallerTests {
    /// A home with things of the user's in it: a file in ~/.local/bin, a vault in ~/.local/share/locket.
    static func populatedHome(_ folder: TemporaryFolder) throws -> Installation {
        let installation = Installation(root: folder.path)
        let manager = FileManager.default
        try manager.createDirectory(atPath: installation.binDirectory, withIntermediateDirectories: true)
        #expect(manager.createFile(atPath: "\(installation.binDirectory)/someone-elses-tool", contents: Data("#!/bin/sh\n".utf8)))
        let data = "\(installation.home)/.local/share/locket"
        try manager.createDirectory(atPath: data, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        #expect(manager.createFile(atPath: "\(data)/vault.sqlite", contents: Data("sessions".utf8)))
        return installation
    }

    /// Completion scripts of all three shells, in a folder of the test's (LOCKET_COMPLETIONS).
    static func completions(_ folder: TemporaryFolder) throws -> String {
        let source = folder.appending("completions")
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        for name in ["locket.bash", "_locket", "locket.fish"] {
            try "# completion \(name)\n".write(toFile: "\(source)/\(name)", atomically: true, encoding: .utf8)
        }
        return source
    }

    /// The manifest's entries (comments skipped).
    static func manifest(_ installation: Installation) throws -> [String] {
        try String(contentsOfFile: installation.manifest, encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
    }

    @Test("install puts binaries, units and completions in place and lists every one of them in the manifest")
    func installsAndRecords() throws {
        let folder = TemporaryFolder("locket-install")
        let installation = try Self.populatedHome(folder)
        let completions = try Self.completions(folder)
        let beforeWithCompletions = Set(try snapshot(folder.path))
        let output = try installation.run("scripts/install", ["LOCKET_COMPLETIONS": completions])
        try #require(output.status == 0, "\(output.stderr)")

        let prefix = installation.prefix
        let expectedFiles = [
            "\(prefix)/bin/locketd", "\(prefix)/bin/locket", "\(prefix)/bin/git-credential-locket",
            "\(prefix)/bin/docker-credential-locket",
            "\(installation.unitDirectory)/locketd.service", "\(installation.unitDirectory)/locketd.socket",
            "\(prefix)/share/bash-completion/completions/locket",
            "\(prefix)/share/zsh/site-functions/_locket",
            "\(prefix)/share/fish/vendor_completions.d/locket.fish",
        ]
        for file in expectedFiles { #expect(FileManager.default.fileExists(atPath: file), "\(file)") }
        for binary in ["locketd", "locket", "git-credential-locket", "docker-credential-locket"] {
            #expect(mode("\(prefix)/bin/\(binary)") == 0o755)
            #expect(FileManager.default.contentsEqual(atPath: "\(prefix)/bin/\(binary)", andPath: "\(builtBinaries)/\(binary)"))
        }
        #expect(mode(installation.serviceFile) == 0o644)

        // The manifest lists exactly what appeared: every new file, every new folder (with a trailing /).
        let entries = Set(try Self.manifest(installation))
        let added = Set(try snapshot(folder.path)).subtracting(beforeWithCompletions).map { entry -> String in
            let parts = entry.split(separator: " ")
            let path = "\(installation.root)/\(parts.dropLast().joined(separator: " "))"
            return parts.last!.hasPrefix("d") ? path + "/" : path
        }
        #expect(Set(added).subtracting([installation.manifest]) == entries)
        #expect(Set(expectedFiles).isSubset(of: entries))
        // The vault's folder and the user's own folder are not the installer's.
        #expect(!entries.contains { $0.hasPrefix("\(installation.home)/.local/share/locket") })
        #expect(!entries.contains("\(installation.binDirectory)/"))
    }

    @Test("make uninstall removes exactly what make install added and leaves the vault alone")
    func uninstallRestoresTheTree() throws {
        let folder = TemporaryFolder("locket-install")
        let installation = try Self.populatedHome(folder)
        let completions = try Self.completions(folder)
        let before = try snapshot(folder.path)
        let vault = try Data(contentsOf: URL(fileURLWithPath: "\(installation.home)/.local/share/locket/vault.sqlite"))

        let install = try installation.run("make install", ["LOCKET_COMPLETIONS": completions])
        try #require(install.status == 0, "\(install.stderr)")
        // Installing again (an upgrade) must not make the later uninstall forget anything.
        let again = try installation.run("make install", ["LOCKET_COMPLETIONS": completions])
        try #require(again.status == 0, "\(again.stderr)")
        #expect(try snapshot(folder.path) != before)

        let uninstall = try installation.run("make uninstall")
        #expect(uninstall.status == 0, "\(uninstall.stderr)")
        #expect(try snapshot(folder.path) == before)
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(installation.home)/.local/share/locket/vault.sqlite")) == vault)
        #expect(mode("\(installation.home)/.local/share/locket") == 0o700)

        // Nothing left to uninstall: said so, nothing removed.
        let second = try installation.run("scripts/uninstall")
        #expect(second.status != 0)
        #expect(second.stderr.contains("no manifest"))
        #expect(try snapshot(folder.path) == before)
    }

    @Test("uninstall keeps a folder the install created once something of the user's is in it")
    func uninstallKeepsUsersFiles() throws {
        let folder = TemporaryFolder("locket-install")
        let installation = try Installation.make(in: folder.path)
        let mine = "\(installation.unitDirectory)/my-own.service"
        try "[Service]\nExecStart=/bin/true\n".write(toFile: mine, atomically: true, encoding: .utf8)

        let output = try installation.run("scripts/uninstall")
        #expect(output.status == 0, "\(output.stderr)")
        #expect(FileManager.default.fileExists(atPath: mine))
        #expect(!FileManager.default.fileExists(atPath: installation.serviceFile))
        #expect(!FileManager.default.fileExists(atPath: installation.manifest))
        #expect(!FileManager.default.fileExists(atPath: installation.binDirectory))
    }

    @Test("install refuses a binaries folder that lacks one of the three programs, and installs nothing")
    func installNeedsAllBinaries() throws {
        let folder = TemporaryFolder("locket-install")
        let partial = folder.appending("built")
        try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(builtBinaries)/locketd", toPath: "\(partial)/locketd")
        let installation = Installation(root: folder.path)
        try FileManager.default.createDirectory(atPath: installation.home, withIntermediateDirectories: true)
        let before = try snapshot(folder.path)
        let output = try installation.run("scripts/install", ["LOCKET_BINARIES": partial])
        #expect(output.status != 0)
        #expect(output.stderr.contains("locket"), "\(output.stderr)")
        #expect(try snapshot(folder.path) == before)
    }
}
