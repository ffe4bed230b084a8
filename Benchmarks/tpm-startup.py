#!/usr/bin/env python3
"""Start-up time of locketd with the tpm2 key store against the file store.

Starts its own software TPM (swtpm on two free ports of 127.0.0.1), makes one
vault per store, then RUNS times for each store in turn: spawn locketd ->
first `status` answered unlocked (for tpm2 that includes deriving the storage
key, loading and unsealing the master key), then SIGTERM.

    python3 Benchmarks/tpm-startup.py [LOCKETD] [RUNS]
    (defaults: .build/debug/locketd, 40)

Needs swtpm (scripts/bootstrap installs it). Prints median, min, p90 and max per store.
"""
import os, shutil, socket, statistics, subprocess, sys, tempfile, time

locketd = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/locketd"
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 40


def free_port_pair():
    while True:
        with socket.socket() as a:
            a.bind(("127.0.0.1", 0))
            port = a.getsockname()[1]
            try:
                with socket.socket() as b:
                    b.bind(("127.0.0.1", port + 1))
                return port
            except OSError:
                continue


def start_once(store, data, sock, tcti):
    args = [locketd, "--socket", sock, "--data-dir", data, "--key-store", store, "--tpm-tcti", tcti, "--no-audit"]
    started = time.monotonic()
    child = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                with socket.socket(socket.AF_UNIX) as s:
                    s.connect(sock)
                    s.sendall(b'{"id":1,"op":"status"}\n')
                    line = s.makefile().readline()
                if '"locked":false' not in line:
                    raise SystemExit(f"{store}: {line}")
                return time.monotonic() - started
            except (FileNotFoundError, ConnectionRefusedError):
                time.sleep(0.002)
    finally:
        child.terminate()
        child.wait()


base = tempfile.mkdtemp(prefix="locket-tpm-startup-")
os.makedirs(f"{base}/state")
port = free_port_pair()
swtpm = subprocess.Popen(["swtpm", "socket", "--tpm2", "--tpmstate", f"dir={base}/state",
                          "--server", f"type=tcp,port={port},bindaddr=127.0.0.1",
                          "--ctrl", f"type=tcp,port={port + 1},bindaddr=127.0.0.1",
                          "--flags", "not-need-init,startup-clear"])
try:
    time.sleep(0.5)
    tcti = f"swtpm:host=127.0.0.1,port={port}"
    stores = ["file", "tpm2"]
    for store in stores:
        os.makedirs(f"{base}/run-{store}", mode=0o700)
        start_once(store, f"{base}/{store}", f"{base}/run-{store}/s.sock", tcti)  # creates the vault
    seconds = {store: [] for store in stores}
    for _ in range(runs):
        for store in stores:
            seconds[store].append(start_once(store, f"{base}/{store}", f"{base}/run-{store}/s.sock", tcti))
    for store, values in seconds.items():
        values.sort()
        ms = [v * 1000 for v in values]
        print(f"{store:5} n={len(ms)} median={statistics.median(ms):.1f} ms min={ms[0]:.1f} "
              f"p90={ms[max(0, int(len(ms) * 0.9) - 1)]:.1f} max={ms[-1]:.1f}")
finally:
    swtpm.kill()
    swtpm.wait()
    shutil.rmtree(base)
