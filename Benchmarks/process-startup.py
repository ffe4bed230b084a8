#!/usr/bin/env python3
"""Process start-up of the client programs, two builds side by side (issue 18).

Starts its own private D-Bus bus with gnome-keyring (for `secret-tool`), one
locketd (file key store) and git's credential-cache daemon in a temporary
folder, stores the same 200-byte value and git credential in each, then spawns,
ROUNDS times and in turn within each round (so both builds see the same
minute of a loaded machine):

    git credential fill  through credential-cache, and through each build's git-credential-locket
    git-credential-locket get (the helper alone), each build
    git credential-cache get (git's helper alone)
    locket get bench v200, each build
    secret-tool lookup

and prints p50, p90 and min per command and the ratios of issue 18's table.

    python3 Benchmarks/process-startup.py --old DIR --new DIR [--locketd PATH] [--rounds N]

DIR holds `locket` and `git-credential-locket` (e.g. .build-static/release of
two commits); --locketd defaults to the new DIR's locketd. Needs git,
secret-tool, dbus-daemon and gnome-keyring-daemon (scripts/bootstrap installs them).
"""
import argparse, os, shutil, signal, subprocess, sys, tempfile, time

parser = argparse.ArgumentParser()
parser.add_argument("--old", required=True)
parser.add_argument("--new", required=True)
parser.add_argument("--locketd")
parser.add_argument("--rounds", type=int, default=200)
options = parser.parse_args()
# git runs a helper given by a relative path as `git credential-PATH`: absolute paths only.
options.old, options.new = os.path.abspath(options.old), os.path.abspath(options.new)
locketd = options.locketd or os.path.join(options.new, "locketd")

folder = tempfile.mkdtemp(prefix="locket-startup.")
os.chmod(folder, 0o700)
started = []  # pids to kill at the end


def spawn_timed(argv, stdin_path, env):
    actions = [(os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0)]
    if stdin_path:
        actions.append((os.POSIX_SPAWN_OPEN, 0, stdin_path, os.O_RDONLY, 0))
    begin = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
    _, status = os.waitpid(pid, 0)
    elapsed = time.perf_counter_ns() - begin
    if status != 0:
        sys.exit(f"process-startup: {' '.join(argv)} exited with status {status}")
    return elapsed


def wait_for(path, what):
    for _ in range(400):
        if os.path.exists(path):
            return
        time.sleep(0.025)
    sys.exit(f"process-startup: {what} did not come up")


try:
    home, run = os.path.join(folder, "home"), os.path.join(folder, "run")
    for sub in (home, run, os.path.join(folder, "data"), os.path.join(folder, "gc"), os.path.join(folder, "git-home")):
        os.makedirs(sub, mode=0o700)
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "NOTIFY_SOCKET", "LISTEN_PID", "LISTEN_FDS", "LOCKET_SOCKET")}
    env.update(HOME=home, XDG_RUNTIME_DIR=run, XDG_DATA_HOME=os.path.join(home, ".local/share"))

    bus = subprocess.run(["dbus-daemon", "--session", "--fork", "--nopidfile", "--print-address=1", "--print-pid=1"],
                         env=env, capture_output=True, text=True, check=True).stdout.split("\n")
    env["DBUS_SESSION_BUS_ADDRESS"] = bus[0]
    started.append(int(bus[1]))
    subprocess.run(["gnome-keyring-daemon", "--unlock", "--components=secrets", "--daemonize"],
                   input="startup-bench", env=env, capture_output=True, text=True, check=True)
    for _ in range(200):
        owner = subprocess.run(["gdbus", "call", "--session", "--dest", "org.freedesktop.DBus", "--object-path",
                                "/org/freedesktop/DBus", "--method", "org.freedesktop.DBus.GetConnectionUnixProcessID",
                                "org.freedesktop.secrets"], env=env, capture_output=True, text=True)
        if owner.returncode == 0:
            started.append(int(owner.stdout.split()[1].strip(",)")))  # "(uint32 PID,)"
            break
        time.sleep(0.05)
    else:
        sys.exit("process-startup: gnome-keyring-daemon did not come up")

    socket_path = os.path.join(folder, "s")
    daemon_env = dict(env, DBUS_SESSION_BUS_ADDRESS="disabled:")
    started.append(subprocess.Popen([locketd, "--socket", socket_path, "--data-dir", os.path.join(folder, "data"),
                                     "--key-store", "file", "--log-level", "error"], env=daemon_env).pid)
    wait_for(socket_path, "locketd")
    git_env = dict(env, HOME=os.path.join(folder, "git-home"), GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null",
                   GIT_TERMINAL_PROMPT="0")
    cache_socket = os.path.join(folder, "gc", "socket")
    started.append(subprocess.Popen(["git", "credential-cache--daemon", cache_socket], env=git_env,
                                     stdout=subprocess.DEVNULL).pid)
    wait_for(cache_socket, "git credential-cache--daemon")

    value = "v" * 200
    subprocess.run([os.path.join(options.new, "locket"), "put", "--socket", socket_path, "bench", "v200", "--text", value],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["secret-tool", "store", "--label=bench", "ns", "bench", "key", "v200"], input=value, text=True,
                   env=env, check=True)
    query, approval = os.path.join(folder, "query"), os.path.join(folder, "approve")
    with open(query, "w") as f:
        f.write("protocol=https\nhost=example.com\nusername=bench\n\n")
    with open(approval, "w") as f:
        f.write("protocol=https\nhost=example.com\nusername=bench\npassword=" + "g" * 40 + "\n\n")

    def fill(helper):
        return ["/usr/bin/git", "-c", "credential.helper=", "-c", "credential.helper=" + helper, "credential", "fill"]

    cache_helper = f"cache --socket {cache_socket} --timeout 86400"
    commands = [("fill, credential-cache", fill(cache_helper), query, git_env)]
    for label, folder_of in (("old", options.old), ("new", options.new)):
        helper = os.path.join(folder_of, "git-credential-locket")
        commands += [(f"fill, git-credential-locket {label}", fill(f"{helper} --socket {socket_path}"), query, git_env),
                     (f"git-credential-locket get, {label}", [helper, "--socket", socket_path, "get"], query, env),
                     (f"locket get, {label}", [os.path.join(folder_of, "locket"), "get", "bench", "v200",
                                               "--socket", socket_path], None, env)]
    commands += [("git credential-cache get", ["/usr/bin/git", "credential-cache", "--socket", cache_socket, "get"],
                  query, git_env),
                 ("secret-tool lookup", ["/usr/bin/secret-tool", "lookup", "ns", "bench", "key", "v200"], None, env)]
    subprocess.run(fill(cache_helper)[:-1] + ["approve"], stdin=open(approval), env=git_env, check=True)
    subprocess.run(fill(f"{os.path.join(options.new, 'git-credential-locket')} --socket {socket_path}")[:-1]
                   + ["approve"], stdin=open(approval), env=git_env, check=True)
    for name, argv, stdin_path, command_env in commands:
        filled = subprocess.run(argv, stdin=open(stdin_path) if stdin_path else subprocess.DEVNULL, env=command_env,
                                capture_output=True, text=True)
        if filled.returncode != 0 or ("g" * 40 not in filled.stdout and value not in filled.stdout):
            sys.exit(f"process-startup: {name} did not answer the stored value")
        for _ in range(3):
            spawn_timed(argv, stdin_path, command_env)

    samples = {name: [] for name, *_ in commands}
    for _ in range(options.rounds):
        for name, argv, stdin_path, command_env in commands:
            samples[name].append(spawn_timed(argv, stdin_path, command_env))
    p50 = {}
    print(f"{'command':40s} {'p50':>8s} {'p90':>8s} {'min':>8s}  (ms, {options.rounds} rounds)")
    for name, values in samples.items():
        values.sort()
        p50[name] = values[len(values) // 2]
        print(f"{name:40s} {p50[name] / 1e6:8.2f} {values[int(len(values) * 0.9)] / 1e6:8.2f} {values[0] / 1e6:8.2f}")
    for label in ("old", "new"):
        print(f"{label}: fill through git-credential-locket / through credential-cache = "
              f"{p50[f'fill, git-credential-locket {label}'] / p50['fill, credential-cache']:.2f}x (target <= 1.0x); "
              f"locket get / secret-tool lookup = {p50[f'locket get, {label}'] / p50['secret-tool lookup']:.2f}x "
              f"(target <= 0.25x)")
finally:
    for pid in reversed(started):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    time.sleep(0.2)
    shutil.rmtree(folder, ignore_errors=True)
