"""Times keyring.get_password through Locket and through the Secret Service
backend (gnome-keyring on the private bus this runs in), in one process, and
the fall-through with no daemon. Prints one JSON object. Run it inside
dbus-run-session with gnome-keyring unlocked, LOCKET_SOCKET set (see
test_keyring.py); argv[1] is a socket path where no daemon listens."""
import json
import os
import statistics
import sys
import time

import keyring
from keyring.backends import SecretService

from locket.keyring_backend import LocketKeyring

ROUNDS = 200
missing_socket = sys.argv[1]


def timed(call, rounds=ROUNDS):
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        value = call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return value, {"median_ms": round(statistics.median(samples), 3),
                   "p90_ms": round(samples[int(len(samples) * 0.9)], 3)}


out = {}
secret_service = SecretService.Keyring()
locket_backend = LocketKeyring()
secret_service.set_password("timing", "user", "pw-secret-service")
locket_backend.set_password("timing", "user", "pw-locket")
for name, backend in (("locket", locket_backend), ("secret_service", secret_service)):
    keyring.set_keyring(backend)
    keyring.get_password("timing", "user")  # warm: connections, sessions
    value, out[name] = timed(lambda: keyring.get_password("timing", "user"))
    out[name]["value_ok"] = value == f"pw-{name.replace('_', '-')}"

# No daemon: the Locket backend must step aside at once.
os.environ["LOCKET_SOCKET"] = missing_socket
import locket.keyring_backend as backend_module  # noqa: E402
samples = []
for _ in range(50):
    backend_module._verdict = None
    started = time.perf_counter()
    viable = LocketKeyring.viable
    samples.append((time.perf_counter() - started) * 1000)
out["no_daemon_viability_check_ms"] = round(statistics.median(samples), 3)
out["no_daemon_viable"] = viable
print(json.dumps(out))
