// Access rules by sandbox identity against the real daemon: a Flatpak app id
// read from a real `/.flatpak-info` in a private mount namespace (a root of
// its own, as bubblewrap gives an app), a Snap name from a real cgroup named
// the way snapd names its scopes, and the SO_PEERSEC label path as far as
// this kernel has one (its LSMs are listed in the test's comment output).
import Foundation
@testable import LocketServer
import LocketStore
import LocketTestSupport
import Testing

@Suite("Sandbox identity rules")
struct SandboxRuleTests {
    static var cli: String { Subprocess.product("locket") }

    /// Runs the CLI with `arguments` in a private mount namespace whose root is
    /// a copy of this one (every top-level folder bind-mounted) plus
    /// `/.flatpak-info` with `info` (nil: none), so `/proc/PID/root/.flatpak-info`
    /// is what the daemon finds, as for a Flatpak app.
    static func inSandbox(_ daemon: Daemon, info: String?, symlinkInfo: Bool = false, _ arguments: [String]) throws -> ProcessOutput {
        let root = TemporaryFolder("flatpak-root")
        let infoLine: String
        if let info {
            let staged = root.path + ".info"
            try info.write(toFile: staged, atomically: true, encoding: .utf8)
            infoLine = symlinkInfo ? #"ln -s "\#(staged)" "$R/.flatpak-info""# : #"cp "\#(staged)" "$R/.flatpak-info""#
        } else {
            infoLine = ":"
        }
        let quoted = ([cli] + arguments + ["--socket", daemon.socketPath]).map { "'\($0)'" }.joined(separator: " ")
        let script = """
            set -e
            R='\(root.path)'
            mount -t tmpfs tmpfs "$R"
            for e in /*; do
              n="${e#/}"
              if [ -L "$e" ]; then ln -s "$(readlink "$e")" "$R/$n"
              elif [ -d "$e" ]; then mkdir "$R/$n"; mount --rbind "$e" "$R/$n"
              fi
            done
            \(infoLine)
            exec chroot "$R" \(quoted)
            """
        return try Subprocess.run("/usr/bin/unshare", ["-m", "--propagation", "private", "/bin/sh", "-c", script],
                                  environment: cleanEnvironment())
    }

    static func cleanEnvironment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for name in ["LOCKET_SOCKET", "XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS"] { environment.removeValue(forKey: name) }
        return environment
    }

    static let appInfo = "[Application]\nname=org.example.App\nruntime=runtime/org.freedesktop.Platform/x86_64/23.08\n\n[Instance]\ninstance-id=1\n"

    @Test("a rule for a Flatpak app id admits the app's sandbox (a real /.flatpak-info in its own root) and no other caller; the audit says so")
    func flatpakRule() throws {
        let daemon = try Daemon.started()
        let client = try daemon.connect()
        #expect(try client.ask(#"{"op":"put","ns":"app","key":"k","value":"v1"}"#).ok)
        #expect(try client.ask(#"{"op":"allow","ns":"app","flatpak":"org.example.App"}"#).ok)

        let sandboxed = try Self.inSandbox(daemon, info: Self.appInfo, ["get", "app", "k"])
        #expect(sandboxed.status == 0 && sandboxed.stdout == "\"v1\"\n", "\(sandboxed.status) \(sandboxed.stdout) \(sandboxed.stderr)")
        // The same binary outside the sandbox, another app, a symlinked info file, a runtime-only one: refused.
        let outside = try Subprocess.run(Self.cli, ["get", "app", "k", "--socket", daemon.socketPath], environment: Self.cleanEnvironment())
        #expect(outside.status == 6, "\(outside.stderr)")
        let other = try Self.inSandbox(daemon, info: "[Application]\nname=org.example.Other\n", ["get", "app", "k"])
        #expect(other.status == 6 && other.stderr.contains("flatpak org.example.Other"), "\(other.stderr)")
        let linked = try Self.inSandbox(daemon, info: Self.appInfo, symlinkInfo: true, ["get", "app", "k"])
        #expect(linked.status == 6, "a symlinked .flatpak-info is not followed: \(linked.stderr)")
        let runtime = try Self.inSandbox(daemon, info: "[Runtime]\nname=org.example.App\n", ["get", "app", "k"])
        #expect(runtime.status == 6, "\(runtime.stderr)")
        #expect(try client.ask(#"{"op":"get","ns":"app","key":"k"}"#).code == "forbidden")

        // The app itself reads the whole audit of its namespace; this runner sees only the refused attempts.
        let appAudit = try Self.inSandbox(daemon, info: Self.appInfo, ["audit", "--json", "--ns", "app"])
        let appItems = try #require(try LineClient.object(appAudit.stdout)["items"] as? [[String: Any]], "\(appAudit.stderr)")
        #expect(appItems.contains { $0["op"] as? String == "get" && $0["outcome"] as? String == "ok"
            && $0["flatpak"] as? String == "org.example.App" && $0["identity_at"] as? String == "connect" }, "\(appItems)")
        let items = try #require(try client.ask(#"{"op":"audit","ns":"app"}"#).object["items"] as? [[String: Any]])
        let gets = items.filter { $0["op"] as? String == "get" }
        #expect(gets.allSatisfy { $0["outcome"] as? String == "forbidden" }, "\(gets)")
        #expect(gets.contains { $0["outcome"] as? String == "forbidden" && $0["flatpak"] as? String == "org.example.Other" })
        // deny takes it out again.
        #expect(try client.ask(#"{"op":"deny","ns":"app","flatpak":"org.example.App"}"#).bool("rule_left") == false)
    }

    /// A cgroup hierarchy this test may create a group in: cgroup v2 at the
    /// root, the v2 part of a hybrid layout, or systemd's v1 hierarchy.
    static func cgroupRoot() -> String? {
        ["/sys/fs/cgroup", "/sys/fs/cgroup/unified", "/sys/fs/cgroup/systemd"].first {
            FileManager.default.fileExists(atPath: "\($0)/cgroup.procs") && access($0, W_OK) == 0
        }
    }

    @Test("a rule for a Snap name admits a process in a real cgroup snap.NAME.APP-ID.scope (the cgroup route, without AppArmor)")
    func snapRule() throws {
        let root = try #require(Self.cgroupRoot(), "no writable cgroup hierarchy (the tests run as root)")
        let group = "\(root)/snap.example-snap.app-\(getpid())-\(Int.random(in: 0..<1_000_000)).scope"
        let daemon = try Daemon.started()
        let client = try daemon.connect()
        #expect(try client.ask(#"{"op":"put","ns":"app","key":"k","value":"s"}"#).ok)
        #expect(try client.ask(#"{"op":"allow","ns":"app","snap":"example-snap"}"#).ok)
        let command = "mkdir '\(group)' && echo $$ > '\(group)/cgroup.procs' && '\(Self.cli)' get app k --socket '\(daemon.socketPath)'"
            + " && '\(Self.cli)' audit --json --ns app --socket '\(daemon.socketPath)'"
        let inSnap = try Subprocess.run("/bin/sh", ["-c", command], environment: Self.cleanEnvironment())
        rmdir(group)
        let lines = inSnap.stdout.split(separator: "\n").map(String.init)
        #expect(inSnap.status == 0 && lines.first == "\"s\"", "\(inSnap.stderr)")
        let outside = try Subprocess.run(Self.cli, ["get", "app", "k", "--socket", daemon.socketPath], environment: Self.cleanEnvironment())
        #expect(outside.status == 6, "\(outside.stderr)")
        let items = try #require(try LineClient.object(lines.last ?? "")["items"] as? [[String: Any]], "\(inSnap.stdout)")
        #expect(items.contains { $0["op"] as? String == "get" && $0["outcome"] as? String == "ok" && $0["snap"] as? String == "example-snap" })
    }

    /// The LSMs this kernel runs (securityfs mounted for the look, if needed).
    static func activeLSMs() -> [String] {
        if let text = try? String(contentsOfFile: "/sys/kernel/security/lsm", encoding: .utf8) {
            return text.split(separator: ",").map(String.init)
        }
        let folder = TemporaryFolder("securityfs")
        guard mount("none", folder.path, "securityfs", 0, nil) == 0 else { return [] }
        defer { umount(folder.path) }
        return ((try? String(contentsOfFile: "\(folder.path)/lsm", encoding: .utf8)) ?? "").split(separator: ",").map(String.init)
    }

    @Test("SO_PEERSEC on a real connection: the label when AppArmor or SELinux runs, none (ENOPROTOOPT) otherwise; audit records carry it")
    func peerLabelOnThisKernel() throws {
        let lsms = Self.activeLSMs()
        let labelled = lsms.contains("apparmor") || lsms.contains("selinux")
        print("SandboxRuleTests: active LSMs: \(lsms.joined(separator: ",")); SO_PEERSEC label expected: \(labelled)")
        var fds: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        var length = socklen_t(buffer.count)
        let result = getsockopt(fds[0], SOL_SOCKET, SO_PEERSEC, &buffer, &length)
        if labelled {
            #expect(result == 0, "errno \(errno)")
        } else {
            #expect(result == -1 && errno == ENOPROTOOPT, "no AppArmor or SELinux: the kernel has no label to give")
        }
        let daemon = try Daemon.started()
        let client = try daemon.connect()
        #expect(try client.ask(#"{"op":"get","ns":"x","key":"k"}"#).code == "not_found")
        let items = try #require(try client.ask(#"{"op":"audit"}"#).object["items"] as? [[String: Any]])
        try #require(items.count == 1)
        if labelled {
            #expect(items[0]["label"] is String, "\(items[0])")
        } else {
            #expect(items[0]["label"] == nil, "\(items[0])")
        }
    }

    @Test("label parsing as SO_PEERSEC fills the buffer: AppArmor mode suffix and NUL cut, unconfined is no label, snap from label and cgroup")
    func parsing() {
        #expect(PeerLabel.parse(Array("snap.firefox.firefox (enforce)\0".utf8) + [0, 0]) == "snap.firefox.firefox")
        #expect(PeerLabel.parse(Array("/usr/bin/evince (complain)\n".utf8)) == "/usr/bin/evince")
        #expect(PeerLabel.parse(Array("unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023\0".utf8)) == "unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023")
        #expect(PeerLabel.parse(Array("unconfined\0".utf8)) == nil)
        #expect(PeerLabel.parse([0, 0, 0]) == nil)
        #expect(PeerLabel.parse(Array("bad\u{1b}[2Klabel".utf8)) == nil)
        #expect(CallerIdentity.snapName(label: "snap.firefox.firefox") == "firefox")
        #expect(CallerIdentity.snapName(label: "snap.my-app.hook.configure") == "my-app")
        #expect(CallerIdentity.snapName(label: "/usr/bin/snap.fake") == nil)
        #expect(CallerIdentity.snapName(cgroup: "/user.slice/user-1000.slice/user@1000.service/app.slice/snap.firefox.firefox-1a2b.scope") == "firefox")
        #expect(CallerIdentity.snapName(cgroup: "/user.slice/app.slice/foo.service") == nil)
        #expect(CallerIdentity.parseFlatpakInfo("# c\n[Application]\nname = org.example.App\n") == "org.example.App")
        #expect(CallerIdentity.parseFlatpakInfo("[Runtime]\nname=org.example.App\n") == nil)
        #expect(CallerIdentity.parseFlatpakInfo("[Application]\nname=not-an-id\n") == nil)
    }

    @Test("a label rule matches a caller with that label and only that one")
    func labelMatching() {
        var caller = CallerIdentity(pid: 1, uid: 0, gid: 0, exe: "/usr/bin/other")
        let rule = [AllowedProgram(label: "/usr/bin/app")]
        #expect(AccessControl.check(ns: "n", programs: rule, caller: caller, digest: { nil }) != nil)
        caller.label = "/usr/bin/app"
        #expect(AccessControl.check(ns: "n", programs: rule, caller: caller, digest: { nil }) == nil)
        caller.label = "/usr/bin/app2"
        #expect(AccessControl.check(ns: "n", programs: rule, caller: caller, digest: { nil })?.contains("label /usr/bin/app2") == true)
    }
}
