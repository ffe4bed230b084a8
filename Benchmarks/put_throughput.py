#!/usr/bin/env python3
"""Durable put throughput of one or more locketd binaries, interleaved in one run.

    Benchmarks/put_throughput.py [--seconds S] [--rounds R] LOCKETD [LOCKETD ...]

For each binary and round: a fresh data folder (file key store), then
  put x1      1 connection, depth 1, overwriting its own key
  put x64     64 connections, depth 1, each overwriting its own key
  put+del x64 64 connections, depth 1, each alternating put and delete of its own key
with 200-byte JSON string values; every answer is awaited (closed loop), so the
figure is acknowledged, durable operations per second. Prints one table: the
median over rounds of each binary. Issue 13 item 5 (the WAL scrub after deletes).
"""
import argparse, json, os, selectors, shutil, socket, statistics, subprocess, sys, tempfile, time

VALUE = "v" * 198  # 200 bytes of JSON text with the quotes


def start(binary, folder):
    sock = os.path.join(folder, "s.sock")
    log = open(os.path.join(folder, "log"), "w")
    proc = subprocess.Popen([binary, "--socket", sock, "--data-dir", os.path.join(folder, "data"), "--key-store", "file"],
                            stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(sock)
            s.close()
            return proc, sock
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"{binary} did not start")


def run(sock, connections, seconds, delete):
    sel = selectors.DefaultSelector()
    conns = []
    for i in range(connections):
        s = socket.socket(socket.AF_UNIX)
        s.connect(sock)
        s.setblocking(False)
        state = {"sock": s, "buf": b"", "n": 0, "key": f"k{i}"}
        conns.append(state)
        sel.register(s, selectors.EVENT_READ, state)

    def send(state):
        n = state["n"]
        if delete and n % 2 == 1:
            line = {"id": n, "op": "delete", "ns": "bench", "key": state["key"]}
        else:
            line = {"id": n, "op": "put", "ns": "bench", "key": state["key"], "value": VALUE}
        state["sock"].sendall((json.dumps(line) + "\n").encode())

    done = 0
    start_time = time.time()
    measure_from = start_time + min(1.0, seconds / 4)
    end = measure_from + seconds
    counted = 0
    for state in conns:
        send(state)
    while True:
        now = time.time()
        if now >= end:
            break
        for key, _ in sel.select(timeout=0.5):
            state = key.data
            data = state["sock"].recv(65536)
            if not data:
                raise SystemExit("daemon closed a connection")
            state["buf"] += data
            while b"\n" in state["buf"]:
                line, state["buf"] = state["buf"].split(b"\n", 1)
                reply = json.loads(line)
                if not reply.get("ok"):
                    raise SystemExit(f"error answer: {reply}")
                state["n"] += 1
                done += 1
                if time.time() >= measure_from:
                    counted += 1
                send(state)
    for state in conns:
        state["sock"].close()
    return counted / seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("binaries", nargs="+")
    args = parser.parse_args()
    scenarios = [("put x1", 1, False), ("put x64", 64, False), ("put+del x64", 64, True)]
    results = {(b, s[0]): [] for b in args.binaries for s in scenarios}
    for round_ in range(args.rounds):
        for binary in args.binaries:
            folder = tempfile.mkdtemp(prefix="locket-put.")
            proc, sock = start(binary, folder)
            try:
                for name, connections, delete in scenarios:
                    rate = run(sock, connections, args.seconds, delete)
                    results[(binary, name)].append(rate)
                    print(f"round {round_ + 1} {binary} {name}: {rate:.0f}/s", file=sys.stderr)
            finally:
                proc.terminate()
                proc.wait(timeout=30)
                shutil.rmtree(folder, ignore_errors=True)
    print("| binary | " + " | ".join(s[0] for s in scenarios) + " |")
    print("|---|" + "---|" * len(scenarios))
    for binary in args.binaries:
        cells = [f"{statistics.median(results[(binary, s[0])]):.0f}/s" for s in scenarios]
        print(f"| {binary} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
