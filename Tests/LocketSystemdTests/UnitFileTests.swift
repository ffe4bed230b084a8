// The units as installed: systemd's own checks (verify, security) and the
// settings the issue asks for.
import Foundation
import LocketTestSupport
import Testing

@Suite("systemd units")
struct UnitFileTests {
    /// `systemd-analyze` with a private runtime folder (it needs XDG_RUNTIME_DIR for --user).
    static func analyze(_ arguments: [String], in folder: TemporaryFolder, home: String) throws -> ProcessOutput {
        let runtime = folder.appending("xdg-run")
        if !FileManager.default.fileExists(atPath: runtime) { #expect(mkdir(runtime, 0o700) == 0) }
        return try Subprocess.run("/usr/bin/systemd-analyze", arguments,
                                  environment: cleanEnvironment(home: home, ["XDG_RUNTIME_DIR": runtime]), timeout: 30)
    }

    @Test("the installed units pass systemd-analyze verify --user with no warning at all")
    func verifyIsClean() throws {
        let folder = TemporaryFolder("locket-units")
        let installation = try Installation.make(in: folder.path)

        // ExecStart= names the installed locketd, which exists (verify checks that too).
        let service = try UnitFile(path: installation.serviceFile)
        let command = unitWords(try #require(service.value("Service", "ExecStart")))
        #expect(command.first == "\(installation.binDirectory)/locketd")
        #expect(FileManager.default.isExecutableFile(atPath: command.first ?? ""))

        let output = try Self.analyze(["verify", "--user", installation.serviceFile, installation.socketFile],
                                      in: folder, home: installation.home)
        // verify exits 0 on unknown keys and bad values: its stderr is the verdict.
        #expect(output.status == 0, "systemd-analyze verify: \(output.status)\n\(output.stderr)")
        #expect(output.stderr.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
                "systemd-analyze verify warned:\n\(output.stderr)")
    }

    @Test("systemd-analyze security rates the installed service at an exposure of 2.0 or less")
    func exposureIsLow() throws {
        let folder = TemporaryFolder("locket-units")
        let installation = try Installation.make(in: folder.path)
        let output = try Self.analyze(["security", "--offline=true", "--user", installation.serviceFile],
                                      in: folder, home: installation.home)
        #expect(output.status == 0, "systemd-analyze security: \(output.status)\n\(output.stderr)")
        let line = try #require(output.stdout.split(separator: "\n").first { $0.contains("Overall exposure level") },
                                "no exposure line in:\n\(output.stdout)\n\(output.stderr)")
        // "→ Overall exposure level for locketd.service: 1.3 OK 🙂" (or ":-)" without UTF-8)
        let afterName = try #require(line.range(of: "locketd.service:").map { line[$0.upperBound...] }, "\(line)")
        let figure = try #require(afterName.split(separator: " ").first.flatMap { Double($0) }, "cannot read \(line)")
        #expect(figure <= 2.0, "exposure \(figure):\n\(output.stdout)")
    }

    @Test("locketd.socket: the runtime-folder socket, 0600 in a 0700 folder, wanted by sockets.target")
    func socketSettings() throws {
        let socket = try UnitFile(path: "\(repositoryRoot)/systemd/locketd.socket")
        #expect(socket.values("Socket", "ListenStream") == ["%t/locket/locket.sock"])
        #expect(socket.value("Socket", "SocketMode") == "0600")
        #expect(socket.value("Socket", "DirectoryMode") == "0700")
        #expect(socket.value("Install", "WantedBy") == "sockets.target")
    }

    @Test("locketd.service: notify type, socket wiring, restart on failure, the hardening options")
    func serviceSettings() throws {
        let service = try UnitFile(path: "\(repositoryRoot)/systemd/locketd.service")
        #expect(service.value("Service", "Type") == "notify")
        #expect(service.value("Service", "Restart") == "on-failure")
        #expect(service.values("Unit", "Requires").contains("locketd.socket"))
        #expect(service.values("Install", "Also").contains("locketd.socket"))
        // The template keeps the placeholder; only the installer knows the path.
        #expect(service.value("Service", "ExecStart")?.hasPrefix("@BINDIR@/locketd ") == true)
        let expected: [String: String] = [
            "NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "read-only",
            "ReadWritePaths": "-%h/.local/share/locket", "PrivateTmp": "yes", "PrivateDevices": "yes",
            "PrivateNetwork": "yes", "PrivateUsers": "yes", "MemoryDenyWriteExecute": "yes", "LockPersonality": "yes",
            "RestrictRealtime": "yes", "RestrictNamespaces": "yes", "RestrictAddressFamilies": "AF_UNIX",
            "SystemCallArchitectures": "native", "CapabilityBoundingSet": "", "LimitCORE": "0", "UMask": "0077",
            // A backstop over locketd's own --max-buffered-bytes (64 MiB) and its ~30 MiB.
            "MemoryHigh": "192M", "MemoryMax": "256M",
        ]
        for (key, value) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(service.value("Service", key) == value, "\(key)=")
        }
        #expect(service.values("Service", "SystemCallFilter").first == "@system-service")
        // The tpm2 key store: the TPM resource manager, and only it, in the private /dev.
        #expect(service.values("Service", "BindPaths") == ["-/dev/tpmrm0"])
        #expect(service.values("Service", "DeviceAllow") == ["/dev/tpmrm0 rw"])
    }

    @Test("the installed service names the installed binary, and nothing of the template is left")
    func installedServiceIsConcrete() throws {
        let folder = TemporaryFolder("locket-units")
        let installation = try Installation.make(in: folder.path)
        let text = try String(contentsOfFile: installation.serviceFile, encoding: .utf8)
        let settings = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(!settings.contains { $0.contains("@BINDIR@") })
        #expect(settings.contains { $0.hasPrefix("ExecStart=\(installation.binDirectory)/locketd ") })
        // The socket unit is copied as it is.
        #expect(try String(contentsOfFile: installation.socketFile, encoding: .utf8)
                == String(contentsOfFile: "\(repositoryRoot)/systemd/locketd.socket", encoding: .utf8))
    }
}
