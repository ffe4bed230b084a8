import Glibc

/// Child processes through posix_spawn, every descriptor above 2 closed (a
/// forked daemon must not keep a pipe of ours open).
enum Spawn {
    /// The environment children get (set once by main; defaults to ours).
    nonisolated(unsafe) static var environment: [String: String] = {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }()

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let closeFrom: CloseFrom? = {
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
            .map { unsafeBitCast($0, to: CloseFrom.self) }
    }()

    /// Starts `argv`; stdin from `stdin` (default /dev/null), stdout and stderr to `output` (default /dev/null).
    static func start(_ argv: [String], stdin: String = "/dev/null", output: String = "/dev/null",
                      environment extra: [String: String] = [:]) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        _ = closeFrom?(&actions, 3)
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signalNumber in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD] { sigaddset(&defaults, signalNumber) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let env = environment.merging(extra) { $1 }
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, argv[0], &actions, &attributes, cArgs, cEnv)
        if result != 0 { fatal("cannot start \(argv[0]): \(String(cString: strerror(result)))") }
        return pid
    }

    /// Waits for `pid`; its exit status (128+signal when killed).
    @discardableResult
    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }

    /// Runs to completion; the exit status.
    @discardableResult
    static func run(_ argv: [String], stdin: String = "/dev/null", quiet: Bool = true,
                    environment: [String: String] = [:]) -> Int32 {
        wait(start(argv, stdin: stdin, output: quiet ? "/dev/null" : "/dev/stderr", environment: environment))
    }

    /// Runs and captures stdout (through a file in `folder`).
    static func capture(_ argv: [String], in folder: String, stdin: String = "/dev/null",
                        environment: [String: String] = [:]) -> (status: Int32, output: String) {
        let path = folder + "/capture.out"
        unlink(path)
        let status = wait(start(argv, stdin: stdin, output: path, environment: environment))
        return (status, readFile(path) ?? "")
    }
}

/// A whole small file as text, nil if unreadable.
func readFile(_ path: String) -> String? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count <= 0 { break }
        bytes += buffer[0..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Writes `text` to `path` (created 0600, truncated).
func writeFile(_ path: String, _ text: String) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    if fd < 0 { fatal("cannot write \(path)") }
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
        if written <= 0 { fatal("cannot write \(path)") }
        offset += written
    }
    close(fd)
}

/// The resident set of `pid` in KiB: `VmRSS`, or another field of /proc/PID/status
/// (`RssAnon`: the process's own memory; `RssFile`: mapped files, mostly shared libraries).
func residentKiB(_ pid: pid_t, field: String = "VmRSS") -> Int {
    guard let status = readFile("/proc/\(pid)/status"),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") })
    else { return -1 }
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
}
