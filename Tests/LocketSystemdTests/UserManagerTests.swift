// The units under a real `systemd --user`: a private manager in its own mount
// namespace (PID 1 here is not systemd), the units installed by scripts/install,
// locketd.socket started, the first request starting locketd.service with its
// sandbox, a clean stop, an idle exit and a new start on demand, and
// scripts/uninstall stopping and disabling what the manager runs.
import Foundation
import LocketTestSupport
import Testing

@Suite("a real systemd user manager")
struct UserManagerTests {
    /// The whole scenario, as root, in one bash script: `scenario BASE REPOSITORY BINARIES`.
    /// It writes `key value…` lines to BASE/results.txt (a `FAIL …` line on a broken step),
    /// the manager's log to BASE/manager.log and locketd's to BASE/locketd.log.
    ///
    /// Why each step of the setup is there:
    /// - `unshare --mount`: the tmpfs on /run/systemd (which makes the manager
    ///   believe the system was booted with systemd) and every other mount stay
    ///   in this namespace and vanish with it.
    /// - /run/systemd/inaccessible: sandboxing options (ProtectKernelLogs=,
    ///   ProtectKernelTunables=, …) hide paths by mounting these nodes over
    ///   them; PID 1 makes them at boot, our tmpfs hides them, and without them
    ///   the service fails with 226/NAMESPACE ("…/proc/kallsyms: No such file").
    ///   The user manager makes its own set in $XDG_RUNTIME_DIR/systemd/inaccessible:
    ///   it is bind-mounted there.
    /// - cgroups of its own: a manager started in the root cgroup moves every
    ///   process of the machine into its init.scope; in a fresh child cgroup it
    ///   moves only itself. Removed at the end.
    /// - /dev/console: the manager logs there and insists on a terminal; a pty
    ///   copied into manager.log by socat is mounted over it (in this namespace).
    /// - descriptors above 2 closed, SIGKILL for socat: the test process's
    ///   descriptors must not outlive the script, and it may pass SIGTERM blocked.
    /// - a folder outside /tmp and /var/tmp for everything the service must see:
    ///   PrivateTmp= gives it empty ones.
    static let scenario = #"""
    set -u
    # Descriptors of the test process (Foundation's Process learns of our exit
    # through one of them) must not live on in the manager or socat.
    for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done 2>/dev/null
    base=$1 repo=$2 binaries=$3
    results=$base/results.txt
    say() { printf '%s\n' "$*" >> "$results"; }
    fail() { say "FAIL $*"; exit 1; }

    if [ -z "${LOCKET_IN_NAMESPACE:-}" ]; then
      : > "$results"
      [ "$(id -u)" = 0 ] || fail "needs root (unshare --mount, mount)"
      for tool in unshare socat systemctl; do
        command -v "$tool" >/dev/null || fail "missing $tool"
      done
      exec env LOCKET_IN_NAMESPACE=1 unshare --mount --propagation private -- bash "$0" "$@"
    fi

    home=$base/home run=$base/run unit_dir=$base/home/.config/systemd/user
    systemd=/lib/systemd/systemd
    [ -x "$systemd" ] || systemd=/usr/lib/systemd/systemd
    [ -x "$systemd" ] || fail "no systemd binary in /lib/systemd or /usr/lib/systemd"
    mkdir -p "$home" && mkdir -m 0700 "$run" || fail "cannot create $home or $run"
    envs=(env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$home" XDG_RUNTIME_DIR="$run" LANG=C.UTF-8)
    ctl() { "${envs[@]}" systemctl --user "$@"; }

    "${envs[@]}" PREFIX="$base/prefix" LOCKET_BINARIES="$binaries" SYSTEMD_USER_DIR="$unit_dir" \
      "$repo/scripts/install" 2> "$base/install.log" || fail "scripts/install: $(cat "$base/install.log")"
    # Test only: no journald here, so locketd's output goes to a file. In an
    # AddressSanitizer build (scripts/sanitize) LeakSanitizer would stop the world
    # with ptrace at exit, which SystemCallFilter= forbids (it then fails the exit);
    # memory errors are still caught here, leaks by every other test.
    mkdir -p "$unit_dir/locketd.service.d"
    printf '[Service]\nStandardOutput=append:%s\nStandardError=append:%s\nEnvironment=ASAN_OPTIONS=detect_leaks=0\n' \
      "$base/locketd.log" "$base/locketd.log" > "$unit_dir/locketd.service.d/test-log.conf"

    mount -t tmpfs tmpfs /run/systemd || fail "mount tmpfs on /run/systemd"
    mkdir /run/systemd/system /run/systemd/inaccessible

    : > "$base/manager.log"
    socat -u "PTY,link=$base/console,rawer" "OPEN:$base/manager.log,append" < /dev/null > /dev/null 2>&1 &
    copier=$!
    for _ in $(seq 100); do [ -e "$base/console" ] && break; sleep 0.02; done
    if pts=$(readlink -e "$base/console") && exec 9> "$pts" && mount --bind "$pts" /dev/console; then :; else
      say "note no manager log: no pty for /dev/console"
    fi

    group="locket-systemd-test-$$"
    groups=()
    if [ -f /sys/fs/cgroup/cgroup.controllers ]; then trackers=(/sys/fs/cgroup)
    else trackers=(/sys/fs/cgroup/systemd /sys/fs/cgroup/unified); fi
    for t in "${trackers[@]}"; do
      [ -d "$t" ] || continue
      mkdir "$t/$group" || fail "cannot create the cgroup $t/$group"
      groups+=("$t/$group")
    done

    manager=
    cleanup() {
      if [ -n "$manager" ] && kill -0 "$manager" 2>/dev/null; then
        kill -TERM "$manager"
        for _ in $(seq 100); do kill -0 "$manager" 2>/dev/null || break; sleep 0.05; done
        kill -KILL "$manager" 2>/dev/null
      fi
      for _ in 1 2 3 4 5 6 7 8 9 10; do
        left=0
        for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
          [ -d "$h/$group" ] || continue
          for pid in $(find "$h/$group" -name cgroup.procs -exec cat {} + 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
          find "$h/$group" -depth -type d -exec rmdir {} + 2>/dev/null
          [ -d "$h/$group" ] && left=1
        done
        [ $left = 0 ] && break
        sleep 0.1
      done
      umount /dev/console /run/systemd/inaccessible 2>/dev/null
      umount /run/systemd 2>/dev/null
      exec 9>&-
      # SIGKILL: the test process may have handed us SIGTERM blocked, and socat keeps that mask.
      [ -n "$copier" ] && kill -KILL "$copier" 2>/dev/null
    }
    trap cleanup EXIT

    (
      for g in "${groups[@]}"; do echo "$BASHPID" > "$g/cgroup.procs" || exit 97; done
      exec 9>&-
      exec "${envs[@]}" SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL=info "$systemd" --user
    ) < /dev/null >> "$base/manager.log" 2>&1 &
    manager=$!
    for _ in $(seq 200); do
      case "$(ctl is-system-running 2>/dev/null)" in running|degraded) break ;; esac
      kill -0 "$manager" 2>/dev/null || fail "the manager exited"
      sleep 0.05
    done
    say "manager $(ctl is-system-running 2>&1)"
    [ -d "$run/systemd/inaccessible" ] && mount --bind "$run/systemd/inaccessible" /run/systemd/inaccessible \
      || fail "no inaccessible nodes in $run/systemd"

    ctl start locketd.socket || fail "systemctl --user start locketd.socket"
    sock=$run/locket/locket.sock
    say "socket $(stat -c '%a' "$sock") folder $(stat -c '%a' "$run/locket")"
    say "before $(ctl show -P ActiveState locketd.service)"

    ask() { printf '%s\n' "$@" | timeout -k 2 15 socat -t 10 - "UNIX-CONNECT:$sock"; }
    answers=$(ask '{"id":1,"op":"ping"}' \
                  '{"id":2,"op":"put","ns":"svc","key":"k","value":{"token":"t-1"}}' \
                  '{"id":3,"op":"get","ns":"svc","key":"k"}')
    printf '%s\n' "$answers" | sed 's/^/answer /' >> "$results"
    say "active $(ctl show -P ActiveState locketd.service) $(ctl show -P SubState locketd.service)"
    pid=$(ctl show -P MainPID locketd.service)
    say "mainpid $pid"
    if [ -n "$pid" ] && [ "$pid" != 0 ]; then
      say "exe $(readlink /proc/$pid/exe)"
      grep -E '^(NoNewPrivs|Seccomp|CapBnd|CapEff):' "/proc/$pid/status" | tr -d '\t' | sed 's/^/status /' >> "$results"
      say "namespaces $( [ "$(readlink /proc/$pid/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ] && echo mnt) $( [ "$(readlink /proc/$pid/ns/net)" != "$(readlink /proc/self/ns/net)" ] && echo net) $( [ "$(readlink /proc/$pid/ns/user)" != "$(readlink /proc/self/ns/user)" ] && echo user)"
    fi
    say "data $(stat -c '%a' "$home/.local/share/locket" 2>&1) $(ls "$home/.local/share/locket" 2>&1 | tr '\n' ' ')"
    ctl stop locketd.service 2>/dev/null || say "note systemctl stop failed"
    say "stopped $(ctl show -P ActiveState locketd.service) $(ctl show -P Result locketd.service) $(ctl show -P ExecMainCode locketd.service) $(ctl show -P ExecMainStatus locketd.service)"
    if [ -n "$pid" ] && [ "$pid" != 0 ]; then kill -0 "$pid" 2>/dev/null && say "process alive" || say "process gone"; fi
    say "restarts $(ctl show -P NRestarts locketd.service)"

    # --exit-when-idle (600 s in the unit; 1 s here): locketd exits 0 by itself,
    # the service ends with Result=success (no restart), the socket listens on
    # and starts it again for the next client.
    printf '[Service]\nExecStart=\nExecStart=%s --data-dir %%h/.local/share/locket --exit-when-idle 1\n' \
      "$base/prefix/bin/locketd" > "$unit_dir/locketd.service.d/test-idle.conf"
    ctl daemon-reload || fail "daemon-reload"
    say "idle-first $(ask '{"id":4,"op":"get","ns":"svc","key":"k"}' | grep -c '"token":"t-1"') $(ctl show -P ActiveState locketd.service)"
    for _ in $(seq 100); do [ "$(ctl show -P ActiveState locketd.service)" = inactive ] && break; sleep 0.05; done
    say "idle-exit $(ctl show -P ActiveState locketd.service) $(ctl show -P Result locketd.service) $(ctl show -P ExecMainStatus locketd.service) $(ctl show -P NRestarts locketd.service) socket=$(ctl show -P SubState locketd.socket)"
    say "idle-again $(ask '{"id":5,"op":"get","ns":"svc","key":"k"}' | grep -c '"token":"t-1"') $(ctl show -P ActiveState locketd.service)"
    ctl stop locketd.service 2>/dev/null
    ctl stop locketd.socket
    say "socketfile $( [ -e "$sock" ] && echo present || echo removed)"

    # scripts/uninstall while the manager runs the enabled units: it stops and
    # disables them, removes the files, reloads; the vault stays.
    ctl enable --now locketd.socket 2>/dev/null || fail "systemctl --user enable --now locketd.socket"
    say "enabled $(ctl is-enabled locketd.socket) $( [ -L "$unit_dir/sockets.target.wants/locketd.socket" ] && echo link)"
    "${envs[@]}" PREFIX="$base/prefix" "$repo/scripts/uninstall" 2>> "$base/install.log" || fail "scripts/uninstall: $(cat "$base/install.log")"
    say "uninstalled $(ctl show -P LoadState locketd.socket) $(ctl show -P ActiveState locketd.socket) $( [ -e "$unit_dir/sockets.target.wants/locketd.socket" ] && echo link-left || echo no-link) $( [ -e "$base/prefix/bin/locketd" ] && echo binary-left || echo no-binary) $( [ -e "$sock" ] && echo socket-left || echo no-socket)"
    say "vault $(ls "$home/.local/share/locket" | grep -c '^vault.sqlite$')"
    say "DONE"
    """#

    @Test("systemctl --user: the socket starts locketd sandboxed on the first request; stop is clean")
    func runsUnderUserManager() throws {
        try #require(getuid() == 0, "this test starts a private systemd --user with unshare --mount: run the tests as root (as CI does)")
        let base = try FolderOutsideTmp("systemd")
        let script = "\(base.path)/scenario.sh"
        try Self.scenario.write(toFile: script, atomically: true, encoding: .utf8)
        let output = try Subprocess.run("/bin/bash", [script, base.path, repositoryRoot, builtBinaries],
                                        environment: ["PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"], timeout: 45)

        func read(_ name: String) -> String { (try? String(contentsOfFile: "\(base.path)/\(name)", encoding: .utf8)) ?? "" }
        let results = read("results.txt")
        let context = """
            status \(output.status) \(output.stderr)
            results:
            \(results)
            manager log (last lines):
            \(read("manager.log").split(separator: "\n").suffix(40).joined(separator: "\n"))
            locketd log:
            \(read("locketd.log"))
            """
        var lines: [String: [String]] = [:]
        for line in results.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            lines[String(parts[0]), default: []].append(parts.count > 1 ? String(parts[1]) : "")
        }
        func first(_ key: String) -> String? { lines[key]?.first }

        #expect(lines["FAIL"] == nil, "\(context)")
        try #require(first("DONE") != nil, "the scenario did not finish\n\(context)")
        #expect(first("manager") == "running", "\(context)")
        #expect(first("socket") == "600 folder 700", "\(context)")
        #expect(first("before") == "inactive", "locketd ran before the first connection\n\(context)")

        // The first connection started locketd, which answered every request.
        let answers = lines["answer"] ?? []
        #expect(answers.count == 3, "\(context)")
        #expect(answers.first == #"{"id":1,"ok":true}"#, "\(context)")
        #expect(answers.last?.contains(#""value":{"token":"t-1"}"#) == true, "\(context)")
        #expect(first("active") == "active running", "\(context)")
        #expect(first("exe") == "\(base.path)/prefix/bin/locketd", "\(context)")

        // The sandbox is in place.
        let status = lines["status"] ?? []
        #expect(status.contains("NoNewPrivs:1"), "\(context)")
        #expect(status.contains("Seccomp:2"), "\(context)")
        #expect(status.contains("CapBnd:0000000000000000"), "\(context)")
        #expect(first("namespaces")?.split(separator: " ") == ["mnt", "net", "user"], "\(context)")
        #expect(first("data")?.hasPrefix("700 ") == true, "\(context)")
        #expect(first("data")?.contains("vault.sqlite") == true, "\(context)")

        // systemctl --user stop: SIGTERM, exit 0, Result=success, no restart.
        #expect(first("stopped") == "inactive success 1 0", "(state, Result, ExecMainCode 1 = exited, status)\n\(context)")
        #expect(first("process") == "gone", "\(context)")
        #expect(first("restarts") == "0", "\(context)")
        #expect(first("socketfile") == "removed", "RemoveOnStop=\n\(context)")

        // Idle exit: served, then gone by itself with success (no restart), and started again on demand.
        #expect(first("idle-first") == "1 active", "\(context)")
        #expect(first("idle-exit") == "inactive success 0 0 socket=listening", "(state, Result, status, NRestarts, socket)\n\(context)")
        #expect(first("idle-again") == "1 active", "\(context)")

        // Uninstalled under the running manager: stopped, disabled, gone; the vault stays.
        #expect(first("enabled") == "enabled link", "\(context)")
        #expect(first("uninstalled") == "not-found inactive no-link no-binary no-socket", "\(context)")
        #expect(first("vault") == "1", "\(context)")

        // The manager had nothing to say against the units.
        let complaints = read("manager.log").split(separator: "\n").filter {
            $0.contains("locketd") && ($0.contains("Unknown") || $0.contains("ignoring") || $0.contains("Failed"))
        }
        #expect(complaints.isEmpty, "\(complaints.joined(separator: "\n"))")
    }
}
