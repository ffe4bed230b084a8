// Caller identity: what /proc says about the peer, parsed once per connection.
import Foundation
@testable import LocketServer
import LocketTestSupport
import Testing

@Suite("Caller identity")
struct CallerIdentityTests {
    @Test("a cgroup v2 line gives the path and its last .service or .scope as the unit", arguments: [
        ("0::/user.slice/user-1000.slice/user@1000.service/app.slice/myapp.service\n",
         "/user.slice/user-1000.slice/user@1000.service/app.slice/myapp.service", "myapp.service"),
        ("0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-4242.scope\n",
         "/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-4242.scope", "app-gnome-firefox-4242.scope"),
        ("0::/user.slice/user-1000.slice/session-2.scope\n", "/user.slice/user-1000.slice/session-2.scope", "session-2.scope"),
        ("0::/user.slice/user-1000.slice/user@1000.service/init.scope/sub\n",
         "/user.slice/user-1000.slice/user@1000.service/init.scope/sub", "init.scope"),
    ])
    func cgroupV2(text: String, path: String, unit: String) {
        #expect(CallerIdentity.parseCgroup(text) == path)
        #expect(CallerIdentity.unit(ofCgroup: path) == unit)
    }

    @Test("a v1 hierarchy uses the name=systemd line; the root cgroup and no cgroup give nothing")
    func cgroupV1AndNone() {
        let v1 = "12:cpu,cpuacct:/\n1:name=systemd:/user.slice/user-1000.slice/user@1000.service/app.slice/x.service\n0::/\n"
        #expect(CallerIdentity.parseCgroup(v1) == "/user.slice/user-1000.slice/user@1000.service/app.slice/x.service")
        #expect(CallerIdentity.parseCgroup("0::/\n") == nil)
        #expect(CallerIdentity.parseCgroup("") == nil)
        #expect(CallerIdentity.unit(ofCgroup: "/docker/0123abcd") == nil)
        #expect(CallerIdentity.unit(ofCgroup: "/system.slice/a.service.d") == nil)
        #expect(CallerIdentity.unit(ofCgroup: "/system.slice/a.service/helper") == "a.service")
    }

    @Test("the cgroup file is split as bytes: a full v1 listing, colons in the path, no final newline, the last line of a kind, UTF-8 paths")
    func cgroupBytes() {
        // A v1 host where systemd's hierarchy names only the root and the v2 line is the root too.
        let v1Root = "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/a5b6\n1:cpu:/\n0::/\n"
        #expect(CallerIdentity.parseCgroup(v1Root) == nil)
        #expect(CallerIdentity.parseCgroup("0::/a/b:c/d.scope") == "/a/b:c/d.scope")
        #expect(CallerIdentity.parseCgroup("0::/first.service\n0::/second.service\n") == "/second.service")
        #expect(CallerIdentity.parseCgroup("1:name=systemd:/v1.service\n0::/v2.service\n") == "/v2.service")
        #expect(CallerIdentity.parseCgroup("0:x:/not-v2\n\n\n0:/one-colon\n") == nil)
        #expect(CallerIdentity.parseCgroup("0::/app.slice/caf\u{E9}-\u{1F600}.service\n") == "/app.slice/caf\u{E9}-\u{1F600}.service")
        #expect(CallerIdentity.unit(ofCgroup: "/app.slice/caf\u{E9}-\u{1F600}.service") == "caf\u{E9}-\u{1F600}.service")
        #expect(CallerIdentity.unit(ofCgroup: "/a.scope//b.service/") == "b.service")
        #expect(CallerIdentity.unit(ofCgroup: ".service") == ".service")
        #expect(CallerIdentity.unit(ofCgroup: "/service") == nil)
        #expect(CallerIdentity.snapName(cgroup: "/snap.a.x.scope/snap.b.y.scope/other") == "b")
    }

    @Test("the kernel's ' (deleted)' marker becomes a flag, and only a trailing one")
    func deletedMarker() {
        #expect(CallerIdentity.parseExe("/usr/bin/app (deleted)") == ("/usr/bin/app", true))
        #expect(CallerIdentity.parseExe("/usr/bin/app") == ("/usr/bin/app", false))
        #expect(CallerIdentity.parseExe("/opt/odd (deleted) name/app") == ("/opt/odd (deleted) name/app", false))
    }

    @Test("resolving this process gives its own executable and cgroup")
    func resolvesSelf() throws {
        let me = CallerIdentity.resolve(pid: getpid(), uid: getuid(), gid: getgid())
        let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        #expect(me.exe == exe)
        #expect(!me.exeDeleted)
        let cgroup = try String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)
        #expect(me.cgroup == CallerIdentity.parseCgroup(cgroup))
        #expect(me.exeFile != nil && me.exeFile == ExecutableFile(path: "/proc/self/exe"))
    }

    @Test("the reads go through one descriptor of /proc/PID: once that process is gone they give nothing, whoever has the pid now")
    func oneProcessDirectory() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = ["30"]
        try process.run()
        let directory = open("/proc/\(process.processIdentifier)", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        try #require(directory >= 0)
        defer { close(directory) }
        let alive = CallerIdentity.resolve(pid: process.processIdentifier, uid: getuid(), gid: getgid(), processDirectory: directory)
        #expect(alive.exe == "/usr/bin/sleep" || alive.exe == "/bin/sleep", "\(alive.exe ?? "nil")")
        #expect(alive.exeFile != nil)
        let cgroup = try String(contentsOfFile: "/proc/\(process.processIdentifier)/cgroup", encoding: .utf8)
        #expect(alive.cgroup == CallerIdentity.parseCgroup(cgroup))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let gone = CallerIdentity.resolve(pid: process.processIdentifier, uid: getuid(), gid: getgid(), processDirectory: directory)
        #expect(gone.exe == nil && gone.exeFile == nil && gone.cgroup == nil && gone.unit == nil && gone.flatpak == nil)
        #expect(gone.pid == process.processIdentifier && gone.uid == getuid())
    }

    @Test("a running program whose file was deleted resolves with exeDeleted and its old path")
    func deletedExecutable() throws {
        let folder = TemporaryFolder("locket-identity")
        let copy = (folder.appending("sleeper") as NSString).standardizingPath
        try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: copy)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: copy)
        process.arguments = ["30"]
        try process.run()
        defer {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try FileManager.default.removeItem(atPath: copy)
        let identity = CallerIdentity.resolve(pid: process.processIdentifier, uid: getuid(), gid: getgid())
        #expect(identity.exe == copy)
        #expect(identity.exeDeleted)
    }

    @Test("a pid that does not exist resolves to credentials only")
    func goneProcess() {
        let identity = CallerIdentity.resolve(pid: 0x3fff_fff0, uid: 1, gid: 2)
        #expect(identity.exe == nil && identity.unit == nil && identity.cgroup == nil)
        #expect(identity.uid == 1 && identity.gid == 2)
    }
}
