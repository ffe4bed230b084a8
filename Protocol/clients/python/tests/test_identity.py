"""The server-identity check with two real uids (client-trust.md): an impostor
listens where the victim's client looks for its daemon; the client, run as the
victim without XDG_RUNTIME_DIR, refuses with NotTheDaemon and the impostor
reads zero bytes. Tests run as root; the victim and impostor are bare uids
(setpriv), running the system python on a copy of the installed package."""
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

import locket
from conftest import LOCKETD

SYSTEM_PYTHON = "/usr/bin/python3"
BASE_UID = 47000 + (os.getpid() % 500) * 2
VICTIM, IMPOSTOR = BASE_UID, BASE_UID + 1
FALLBACK = f"/tmp/locket-{VICTIM}"

pytestmark = pytest.mark.skipif(os.getuid() != 0, reason="needs root to act as two other uids")

CLIENT = """
import json, sys
from locket import Locket, LocketError
try:
    with Locket() as vault:
        vault.put("app", "session", {"token": "t-secret-123"})
        out = {"stored": True, "read": vault.get("app", "session")}
except LocketError as error:
    out = {"class": type(error).__name__, "code": error.code, "path": getattr(error, "path", None),
           "uid": getattr(error, "uid", None), "message": str(error)}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def shared():
    """A 0755 folder other uids can read: the installed package and the impostor script."""
    folder = tempfile.mkdtemp(prefix="lk-py-shared-")
    shutil.copytree(Path(locket.__file__).parent, os.path.join(folder, "locket"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(Path(__file__).with_name("impostor.py"), folder)
    for dirpath, _, files in os.walk(folder):
        os.chmod(dirpath, 0o755)
        for name in files:
            os.chmod(os.path.join(dirpath, name), 0o644)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def victim_home():
    home = tempfile.mkdtemp(prefix="lk-py-victim-")
    os.chown(home, VICTIM, VICTIM)
    shutil.rmtree(FALLBACK, ignore_errors=True)
    if os.path.islink(FALLBACK):
        os.unlink(FALLBACK)
    yield home
    shutil.rmtree(home, ignore_errors=True)
    if os.path.islink(FALLBACK):
        os.unlink(FALLBACK)
    shutil.rmtree(FALLBACK, ignore_errors=True)


class Impostor:
    def __init__(self, shared: str, socket_path: str, create_folder: bool) -> None:
        self.folder = tempfile.mkdtemp(prefix="lk-py-impostor-")
        os.chown(self.folder, IMPOSTOR, IMPOSTOR)
        self.record = os.path.join(self.folder, "received")
        command = [SYSTEM_PYTHON, os.path.join(shared, "impostor.py"), socket_path, self.record, str(IMPOSTOR)]
        if create_folder:
            command.append("--create-folder")
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        stdin=subprocess.DEVNULL)
        line = self.process.stdout.readline()
        assert line.strip() == "ready", self.process.stderr.read()

    def received(self) -> bytes:
        return Path(self.record).read_bytes()

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def run_as_victim(shared: str, home: str, code: str = CLIENT, **extra: str) -> dict:
    env = {"PATH": "/usr/bin:/bin", "HOME": home, "PYTHONPATH": shared, **extra}
    result = subprocess.run(["setpriv", f"--reuid={VICTIM}", f"--regid={VICTIM}", "--clear-groups",
                             SYSTEM_PYTHON, "-c", code], env=env, capture_output=True, text=True, timeout=60,
                            stdin=subprocess.DEVNULL, cwd=home)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_impostor_folder_in_tmp_is_refused_and_reads_nothing(shared, victim_home):
    impostor = Impostor(shared, f"{FALLBACK}/locket.sock", create_folder=True)
    try:
        assert os.stat(FALLBACK).st_uid == IMPOSTOR
        out = run_as_victim(shared, victim_home)
        assert out["class"] == "NotTheDaemon" and out["code"] == "not_the_daemon", out
        assert out["path"] == FALLBACK and out["uid"] == IMPOSTOR
        assert FALLBACK in out["message"] and str(IMPOSTOR) in out["message"]
        assert "t-secret-123" not in out["message"]
        time.sleep(0.2)
        assert impostor.received() == b""
        # Control: the impostor's socket does reach whatever a careless client sends.
        run_as_victim(shared, victim_home, code=(
            "import socket, json; s = socket.socket(socket.AF_UNIX); "
            f"s.connect('{FALLBACK}/locket.sock'); s.sendall(b'careless\\n'); s.close(); print('{{}}')"))
        deadline = time.monotonic() + 30
        while impostor.received() != b"careless\n" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert impostor.received() == b"careless\n"
    finally:
        impostor.stop()


def test_victims_own_folder_left_open_is_refused(shared, victim_home):
    os.mkdir(FALLBACK)
    os.chown(FALLBACK, VICTIM, VICTIM)
    os.chmod(FALLBACK, 0o777)
    impostor = Impostor(shared, f"{FALLBACK}/locket.sock", create_folder=False)
    try:
        out = run_as_victim(shared, victim_home)
        assert out["code"] == "not_the_daemon" and "0777" in out["message"], out
        assert impostor.received() == b""
    finally:
        impostor.stop()


def test_folder_that_is_a_symlink_is_refused(shared, victim_home):
    target = tempfile.mkdtemp(prefix="lk-py-target-")
    os.chown(target, VICTIM, VICTIM)
    os.chmod(target, 0o700)
    os.symlink(target, FALLBACK)
    impostor = Impostor(shared, f"{target}/locket.sock", create_folder=False)
    try:
        out = run_as_victim(shared, victim_home)
        assert out["code"] == "not_the_daemon" and "symbolic link" in out["message"], out
        assert impostor.received() == b""
    finally:
        impostor.stop()
        shutil.rmtree(target, ignore_errors=True)


def test_listener_of_another_uid_in_a_good_folder_is_refused_by_peer_credentials(shared, victim_home):
    os.mkdir(FALLBACK)
    os.chown(FALLBACK, VICTIM, VICTIM)
    os.chmod(FALLBACK, 0o700)
    impostor = Impostor(shared, f"{FALLBACK}/locket.sock", create_folder=False)
    try:
        out = run_as_victim(shared, victim_home)
        assert out["code"] == "not_the_daemon" and out["uid"] == IMPOSTOR, out
        assert out["path"] == f"{FALLBACK}/locket.sock"
        assert impostor.received() == b""
    finally:
        impostor.stop()


def test_victims_own_daemon_on_the_fallback_path_works(shared, victim_home):
    binary = os.path.join(victim_home, "locketd")
    shutil.copy(LOCKETD, binary)
    os.chmod(binary, 0o755)
    env = {"PATH": "/usr/bin:/bin", "HOME": victim_home}
    daemon = subprocess.Popen(["setpriv", f"--reuid={VICTIM}", f"--regid={VICTIM}", "--clear-groups", binary,
                               "--data-dir", os.path.join(victim_home, "data"), "--key-store", "file"],
                              env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not os.path.exists(f"{FALLBACK}/locket.sock") and time.monotonic() < deadline:
            assert daemon.poll() is None, daemon.stderr.read()
            time.sleep(0.05)
        time.sleep(0.2)
        out = run_as_victim(shared, victim_home)
        assert out == {"stored": True, "read": {"token": "t-secret-123"}}
    finally:
        daemon.terminate()
        daemon.wait(30)
