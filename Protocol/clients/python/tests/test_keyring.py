"""The keyring backend with python `keyring` itself: discovery, explicit
selection (environment and keyringrc.cfg), the CLI and the Python API
round-tripping through a real daemon, and stepping aside when no daemon answers."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import pytest

from locket import Locket
from locket.names import decode_name, encode_name
from conftest import Daemon, clean_environment, run_python

KEYRING_CLI = os.path.join(os.path.dirname(sys.executable), "keyring")
BACKEND = "locket.keyring_backend.LocketKeyring"


@pytest.fixture
def home():
    folder = tempfile.mkdtemp(prefix="lk-py-home-")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def keyring_cli(env, *args, password=None):
    return subprocess.run([KEYRING_CLI, *args], env=env, input=password, capture_output=True, text=True, timeout=60)


def test_names_fit_the_name_rules_and_decode():
    for text in ["user", "", "%", "%41", "a\x00b\x1f\x7f", "é ☃ \U0001F600", "\ud800x", "x" * 256]:
        name = encode_name(text)
        assert 1 <= len(name.encode("utf-8")) <= 256
        assert not any(ord(c) < 0x20 or ord(c) == 0x7F or 0xD800 <= ord(c) <= 0xDFFF for c in name)
        assert decode_name(name) == text
    assert encode_name("user@example.com") == "user@example.com"
    long = encode_name("é" * 300)
    assert len(long.encode()) <= 256 and decode_name(long) is None and long != encode_name("é" * 301)


def test_keyring_lists_and_picks_the_backend_when_the_daemon_answers(daemon: Daemon, home):
    env = clean_environment(home, LOCKET_SOCKET=daemon.socket)
    listed = keyring_cli(env, "--list-backends")
    assert listed.returncode == 0, listed.stderr
    assert f"{BACKEND} (priority: 6)" in listed.stdout
    chosen = run_python("import keyring; print(type(keyring.get_keyring()).__name__)", env)
    assert chosen.stdout.strip() == "LocketKeyring", chosen.stderr


def test_cli_set_get_del_round_trip(daemon: Daemon, home):
    env = clean_environment(home, LOCKET_SOCKET=daemon.socket)
    assert keyring_cli(env, "set", "https://pypi.org", "__token__", password="pypi-secret-1\n").returncode == 0
    got = keyring_cli(env, "get", "https://pypi.org", "__token__")
    assert got.returncode == 0 and got.stdout == "pypi-secret-1\n", got.stderr
    with Locket(daemon.socket) as vault:
        assert vault.get("keyring:https://pypi.org", "__token__") == {
            "service": "https://pypi.org", "username": "__token__", "password": "pypi-secret-1"}
    assert keyring_cli(env, "del", "https://pypi.org", "__token__").returncode == 0
    missing = keyring_cli(env, "get", "https://pypi.org", "__token__")
    assert missing.returncode == 1 and missing.stdout == ""
    with Locket(daemon.socket) as vault:
        assert vault.list() == []


API = r"""
import json, keyring, sys
from keyring.errors import PasswordDeleteError
out = {"backend": type(keyring.get_keyring()).__name__}
odd = [("svc", "user"), ("svc", "%"), ("svc", "tab\there"), ("s" * 300, "u" * 300), ("☃ service", "é")]
for service, user in odd:
    keyring.set_password(service, user, "pw:" + user[:5])
out["read"] = [keyring.get_password(service, user) for service, user in odd]
out["missing"] = keyring.get_password("svc", "nobody")
cred = keyring.get_credential("s" * 300, None)
out["credential"] = [cred.username == "u" * 300, cred.password]
cred = keyring.get_credential("svc", "user")
out["credential_user"] = [cred.username, cred.password]
out["no_credential"] = keyring.get_credential("nothing-here", None)
keyring.delete_password("svc", "user")
out["after_delete"] = keyring.get_password("svc", "user")
try:
    keyring.delete_password("svc", "user")
except PasswordDeleteError as error:
    out["delete_again"] = str(error)
print(json.dumps(out))
"""


@pytest.mark.parametrize("selection", ["automatic", "environment", "config-file"])
def test_python_api_round_trip(daemon: Daemon, home, selection):
    env = clean_environment(home, LOCKET_SOCKET=daemon.socket)
    if selection == "environment":
        env["PYTHON_KEYRING_BACKEND"] = BACKEND
    elif selection == "config-file":
        config = os.path.join(env["XDG_CONFIG_HOME"], "python_keyring")
        os.makedirs(config)
        with open(os.path.join(config, "keyringrc.cfg"), "w") as file:
            file.write(f"[backend]\ndefault-keyring = {BACKEND}\n")
    result = run_python(API, env)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["backend"] == "LocketKeyring"
    assert out["read"] == ["pw:user", "pw:%", "pw:tab\th", "pw:uuuuu", "pw:é"]
    assert out["missing"] is None
    assert out["credential"] == [True, "pw:uuuuu"]
    assert out["credential_user"] == ["user", "pw:user"]
    assert out["no_credential"] is None
    assert out["after_delete"] is None
    assert out["delete_again"] == "Password not found"


def test_without_a_daemon_the_backend_steps_aside_at_once(home):
    folder = tempfile.mkdtemp(prefix="lk-py-none-")
    env = clean_environment(home, LOCKET_SOCKET=os.path.join(folder, "locket.sock"))
    code = ("import time; t = time.perf_counter(); import keyring; "
            "from locket.keyring_backend import LocketKeyring; "
            "v = LocketKeyring.viable; k = type(keyring.get_keyring()).__name__; "
            "p = keyring.get_password('svc', 'user') if k != 'Keyring' else None; "
            "print(v, k, round((time.perf_counter() - t) * 1000, 1))")
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    viable, chosen, _ = result.stdout.split()
    assert viable == "False" and chosen != "LocketKeyring", result.stdout
    listed = keyring_cli(env, "--list-backends")
    assert "LocketKeyring" not in listed.stdout
    # Explicitly selected with no daemon: a clear error, no hang.
    env["PYTHON_KEYRING_BACKEND"] = BACKEND
    failed = run_python("import keyring; keyring.get_password('svc', 'user')", env)
    assert failed.returncode != 0 and "locketd is not running" in failed.stderr
    shutil.rmtree(folder, ignore_errors=True)


def test_a_daemon_that_never_answers_is_given_half_a_second(home):
    folder = tempfile.mkdtemp(prefix="lk-py-mute-")
    path = os.path.join(folder, "locket.sock")
    mute = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    mute.bind(path)
    mute.listen(8)  # accepts into the backlog, never answers
    try:
        env = clean_environment(home, LOCKET_SOCKET=path)
        code = ("import time; from locket.keyring_backend import LocketKeyring; t = time.perf_counter(); "
                "v = LocketKeyring.viable; print(v, time.perf_counter() - t)")
        result = run_python(code, env)
        viable, seconds = result.stdout.split()
        assert viable == "False", result.stderr
        assert float(seconds) < 10  # the probe's own limit is 0.5 s: this only catches a hang
    finally:
        mute.close()
        shutil.rmtree(folder, ignore_errors=True)


def private_bus_command(home: str, command: list) -> list:
    """``command`` inside a private D-Bus session with gnome-keyring's secrets unlocked (platform-notes.md)."""
    script = 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$@"'
    return ["dbus-run-session", "--", "sh", "-c", script, "sh", *command]


@pytest.mark.skipif(shutil.which("gnome-keyring-daemon") is None, reason="gnome-keyring is installed by scripts/bootstrap")
def test_beside_the_secret_service_locket_comes_first_and_no_daemon_falls_through(daemon: Daemon, home, capsys):
    runtime = tempfile.mkdtemp(prefix="lk-py-xdg-")
    env = clean_environment(home, LOCKET_SOCKET=daemon.socket, XDG_RUNTIME_DIR=runtime)
    code = ("import keyring, json; from keyring.backends import SecretService; "
            "SecretService.Keyring().set_password('svc', 'user', 'from-secret-service'); "
            "k = keyring.get_keyring(); "
            "print(json.dumps([type(k).__name__, [type(b).__name__ for b in getattr(k, 'backends', [])], "
            "keyring.get_password('svc', 'user')]))")
    both = subprocess.run(private_bus_command(home, [sys.executable, "-c", code]), env=env, capture_output=True,
                          text=True, timeout=120)
    assert both.returncode == 0, both.stderr
    chosen, chain, password = json.loads(both.stdout.strip().splitlines()[-1])
    assert chosen == "ChainerBackend" and chain[:2] == ["LocketKeyring", "Keyring"], both.stdout
    assert password == "from-secret-service"  # Locket has none: the chain falls through to the Secret Service
    # The same with no daemon: the Locket backend is not in the chain at all, and the lookup still works.
    env["LOCKET_SOCKET"] = os.path.join(runtime, "absent", "locket.sock")
    fall = ("import time; import keyring; t = time.perf_counter(); "
            "p = keyring.get_password('svc', 'user'); print(p, type(keyring.get_keyring()).__name__, "
            "round((time.perf_counter() - t) * 1000, 1))")
    alone = subprocess.run(private_bus_command(home, [sys.executable, "-c", fall]), env=env, capture_output=True,
                           text=True, timeout=120)
    assert alone.returncode == 0, alone.stderr
    password, backend, first_lookup_ms = alone.stdout.split()
    assert password == "from-secret-service" and backend == "Keyring", alone.stdout
    # The figures of the closing note, same run: per-call times through each backend.
    env["LOCKET_SOCKET"] = daemon.socket
    timing = subprocess.run(private_bus_command(home, [sys.executable, os.path.join(os.path.dirname(__file__),
                                                       "keyring_timing.py"), env["LOCKET_SOCKET"] + ".absent"]),
                            env=env, capture_output=True, text=True, timeout=300)
    assert timing.returncode == 0, timing.stderr
    figures = json.loads(timing.stdout.strip().splitlines()[-1])
    assert figures["locket"]["value_ok"] and figures["secret_service"]["value_ok"]
    assert figures["no_daemon_viable"] is False
    with capsys.disabled():
        print(f"\nkeyring.get_password, median of 200 in one process: Locket {figures['locket']['median_ms']} ms, "
              f"SecretService {figures['secret_service']['median_ms']} ms; no daemon: the Locket backend's "
              f"viability check {figures['no_daemon_viability_check_ms']} ms, the first "
              f"keyring.get_password of a process (backend discovery included) falling through to the Secret "
              f"Service {first_lookup_ms} ms")
    shutil.rmtree(runtime, ignore_errors=True)
