#!/usr/bin/env python3
"""Workers and refresh commands for the refresh-lease tests (standard library only).

  lease_worker.py cli-worker       a process that uses the session through the
                                   `locket` CLI: `locket get --json`, and on 401
                                   `locket refresh --stale-version V --json -- lease_worker.py refresh-command`
  lease_worker.py refresh-command  the COMMAND of `locket refresh`: the session on
                                   stdin (null: none), a refresh_token grant (a login
                                   when there is no session), the new session on stdout
  lease_worker.py login-command    a password grant; the new session on stdout

Environment: LOCKET (the locket binary), LOCKET_SOCKET, TOKEN_PORT, LEASE_NS,
LEASE_KEY, LEASE_TARGET (stop once the server counted this many refreshes).
A worker prints one JSON line when it ends: its counts and whether its final
token worked; it exits 0 only then.
"""
import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

PORT = os.environ.get("TOKEN_PORT", "0")
BASE = "http://127.0.0.1:%s" % PORT


def http(method, path, form=None, token=None):
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(BASE + path, data=data, method=method)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def session_of(tokens):
    return {"access_token": tokens["access_token"], "refresh_token": tokens["refresh_token"]}


def refresh_command():
    current = json.load(sys.stdin)
    if current is None:
        return login_command()
    status, body = http("POST", "/token", {"grant_type": "refresh_token", "refresh_token": current["refresh_token"]})
    if status != 200:
        sys.stderr.write("refresh refused: %s\n" % body.get("error", status))
        return 1
    print(json.dumps(session_of(body)))
    return 0


def login_command():
    status, body = http("POST", "/token", {"grant_type": "password", "username": "alice"})
    if status != 200:
        sys.stderr.write("login refused: %s\n" % status)
        return 1
    print(json.dumps(session_of(body)))
    return 0


def locket(*args):
    return subprocess.run([os.environ["LOCKET"], *args], capture_output=True, text=True)


def cli_worker():
    ns, key = os.environ["LEASE_NS"], os.environ["LEASE_KEY"]
    target = int(os.environ.get("LEASE_TARGET", "0"))
    me = [sys.executable, os.path.abspath(__file__)]
    counts = {"kind": "cli", "calls": 0, "refresh_runs": 0, "refreshed_here": 0, "logins": 0, "failures": 0}
    got = locket("get", ns, key, "--json")
    entry = json.loads(got.stdout) if got.returncode == 0 else None
    done = False
    final_ok = False
    for _ in range(100000):
        if entry is not None:
            status, _ = http("GET", "/resource", token=entry["value"]["access_token"])
            if status == 200:
                counts["calls"] += 1
                if done:
                    final_ok = True  # the token works (other processes may spend its last uses right after)
                    break
                continue
        if not done and http("GET", "/stats")[1]["refreshes"] >= target:
            done = True  # from now on: refresh until the token works, then stop
        # Version 0 stands for "no entry seen": a session stored meanwhile is printed at once.
        stale = ["--stale-version", str(entry["version"] if entry is not None else 0)]
        run = locket("refresh", ns, key, *stale, "--json", "--", *me, "refresh-command")
        counts["refresh_runs"] += 1
        if run.returncode == 6:
            # The refresh failed (the provider refused the token): log in instead, under the lease.
            counts["failures"] += 1
            run = locket("refresh", ns, key, *stale, "--json", "--", *me, "login-command")
            counts["logins"] += 1
        if run.returncode != 0:
            sys.stderr.write("locket refresh failed (%d): %s" % (run.returncode, run.stderr))
            counts["failures"] += 1
            got = locket("get", ns, key, "--json")
            entry = json.loads(got.stdout) if got.returncode == 0 else None
            continue
        answer = json.loads(run.stdout)
        counts["refreshed_here"] += 1 if answer.get("refreshed_here") else 0
        entry = answer
    counts["final_ok"] = final_ok
    print(json.dumps(counts))
    return 0 if final_ok else 1


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    handlers = {"cli-worker": cli_worker, "refresh-command": refresh_command, "login-command": login_command}
    if command not in handlers:
        sys.exit("usage: lease_worker.py cli-worker|refresh-command|login-command")
    sys.exit(handlers[command]())
