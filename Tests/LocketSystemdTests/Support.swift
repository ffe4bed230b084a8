// Helpers of the systemd tests: the repository's scripts, an installation into
// a temporary prefix (with the binaries this test run already built), unit
// file parsing, folder snapshots, a stand-in for systemd's notify socket.
import Foundation
import LocketTestSupport
import Testing

/// This repository's root, found from this source file's path.
let repositoryRoot: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()   // LocketSystemdTests
    .deletingLastPathComponent()   // Tests
    .deletingLastPathComponent()   // repository root
    .path

/// The folder holding the binaries of this test run (`locketd`, `locket`, `git-credential-locket`).
var builtBinaries: String {
    URL(fileURLWithPath: Subprocess.product("locketd")).deletingLastPathComponent().path
}

/// A minimal environment for the scripts and systemd tools: nothing of the
/// caller's session (no bus, no XDG folders, no systemd variables), HOME inside the test's folder.
func cleanEnvironment(home: String, _ extra: [String: String] = [:]) -> [String: String] {
    var environment = [
        "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "LANG": "C.UTF-8",
    ]
    environment.merge(extra) { $1 }
    return environment
}

/// `scripts/install` run into `root`: PREFIX `root/home/.local`, units in
/// `root/home/.config/systemd/user` (through SYSTEMD_USER_DIR), binaries from this test run.
struct Installation {
    /// The folder everything goes into, canonical (as the scripts write paths: no "//", no symlinks).
    let root: String

    init(root: String) {
        self.root = realpath(root, nil).map { pointer in
            defer { free(pointer) }
            return String(cString: pointer)
        } ?? root
    }

    var home: String { "\(root)/home" }
    var prefix: String { "\(home)/.local" }
    var unitDirectory: String { "\(home)/.config/systemd/user" }
    var binDirectory: String { "\(prefix)/bin" }
    var manifest: String { "\(prefix)/lib/locket/install-manifest.txt" }
    var serviceFile: String { "\(unitDirectory)/locketd.service" }
    var socketFile: String { "\(unitDirectory)/locketd.socket" }

    /// The environment `scripts/install` and `scripts/uninstall` get.
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        cleanEnvironment(home: home, [
            "PREFIX": prefix,
            "SYSTEMD_USER_DIR": unitDirectory,
            "LOCKET_BINARIES": builtBinaries,
        ].merging(extra) { $1 })
    }

    /// Runs `scripts/install` and requires it to succeed.
    @discardableResult
    static func make(in root: String, environment extra: [String: String] = [:]) throws -> Installation {
        let installation = Installation(root: root)
        try FileManager.default.createDirectory(atPath: installation.home, withIntermediateDirectories: true)
        let output = try installation.run("scripts/install", extra)
        try #require(output.status == 0, "scripts/install failed (\(output.status)):\n\(output.stderr)")
        return installation
    }

    /// Runs one of the repository's scripts (or `make …` when `script` starts with "make").
    func run(_ script: String, _ extra: [String: String] = [:]) throws -> ProcessOutput {
        if script.hasPrefix("make") {
            let arguments = ["-s", "-C", repositoryRoot] + script.split(separator: " ").dropFirst().map(String.init)
            return try Subprocess.run("/usr/bin/make", arguments, environment: environment(extra), timeout: 60)
        }
        return try Subprocess.run("\(repositoryRoot)/\(script)", [], environment: environment(extra), timeout: 60)
    }
}

/// A systemd unit file read the way the tests need it: `[Section]` → key → every value, in order.
struct UnitFile {
    private(set) var sections: [String: [String: [String]]] = [:]

    init(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var section = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast())
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[section, default: [:]][key, default: []].append(value)
        }
    }

    /// Every value of `key` in `section`.
    func values(_ section: String, _ key: String) -> [String] { sections[section]?[key] ?? [] }

    /// The last value of `key` in `section` (the one systemd uses for single-valued settings).
    func value(_ section: String, _ key: String) -> String? { values(section, key).last }
}

/// Splits a command line of a unit (ExecStart=…) into words, honoring double quotes.
func unitWords(_ line: String) -> [String] {
    var words: [String] = []
    var current = ""
    var quoted = false, inWord = false
    var characters = line.makeIterator()
    while let character = characters.next() {
        switch character {
        case "\"": quoted.toggle(); inWord = true
        case "\\" where quoted: if let next = characters.next() { current.append(next) }
        case " " where !quoted, "\t" where !quoted:
            if inWord { words.append(current); current = ""; inWord = false }
        default: current.append(character); inWord = true
        }
    }
    if inWord { words.append(current) }
    return words
}

/// Every path under `root` with its type and mode (`path d755`), sorted: two
/// snapshots are equal when nothing was added, removed or changed in kind or mode.
func snapshot(_ root: String) throws -> [String] {
    guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
    var entries: [String] = []
    while let relative = walker.nextObject() as? String {
        var info = stat()
        guard lstat("\(root)/\(relative)", &info) == 0 else { continue }
        let kind: String
        switch info.st_mode & S_IFMT {
        case S_IFDIR: kind = "d"
        case S_IFLNK: kind = "l"
        case S_IFREG: kind = "f"
        default: kind = "o"
        }
        entries.append("\(relative) \(kind)\(String(info.st_mode & 0o7777, radix: 8))")
    }
    return entries.sorted()
}

/// The mode bits of a path (nil if it does not exist).
func mode(_ path: String) -> Int? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return Int(info.st_mode & 0o7777)
}

/// A bound AF_UNIX datagram socket standing in for systemd's notify socket.
final class NotifyListener {
    let path: String
    private let fd: Int32

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw LineClient.Failure.io("socket", errno: errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw LineClient.Failure.io("notify socket path too long: \(path)", errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw LineClient.Failure.io("bind \(path)", errno: code)
        }
    }

    deinit { close(fd) }

    /// The next datagram, or nil if none arrives within `timeout` seconds.
    func receive(timeout: Double) -> String? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(max(0, timeout) * 1000)) > 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        return count >= 0 ? String(decoding: bytes[..<count], as: UTF8.self) : nil
    }

    /// Datagrams until one holds the line `needle` (nil if none does within `timeout`).
    func receive(containing needle: String, timeout: Double) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while let message = receive(timeout: deadline.timeIntervalSinceNow) {
            if message.split(separator: "\n").contains(Substring(needle)) { return message }
        }
        return nil
    }
}

/// A private folder (0700) outside /tmp and /var/tmp, removed when released:
/// a service with PrivateTmp=yes sees neither, so binaries and data the real
/// user manager runs must live elsewhere. Under `~/.cache/locket-tests`
/// (or, when HOME itself is under a temporary folder, next to the build products).
final class FolderOutsideTmp: @unchecked Sendable {
    let path: String
    private let parent: String

    init(_ prefix: String) throws {
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        let underTmp = ["/tmp", "/var/tmp"].contains { home == $0 || home.hasPrefix($0 + "/") }
        parent = underTmp
            ? URL(fileURLWithPath: builtBinaries).deletingLastPathComponent().appendingPathComponent("locket-tests").path
            : "\(home)/.cache/locket-tests"
        // Another run may remove the (then empty) parent between the two steps: try again.
        var made: String?
        for _ in 0..<3 where made == nil {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            var template = Array("\(parent)/\(prefix)-XXXXXX".utf8CString)
            made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }.map { String(cString: $0) }
        }
        guard let made else { throw LineClient.Failure.io("mkdtemp in \(parent)", errno: errno) }
        path = made
    }

    deinit {
        _ = try? Subprocess.run("/bin/chmod", ["-R", "u+rwx", path])
        try? FileManager.default.removeItem(atPath: path)
        rmdir(parent)   // only if empty: other runs may be using it
    }
}
