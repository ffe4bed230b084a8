"""Fixtures: real locketd daemons on fresh vaults (the `file` key store), each in
a private temporary folder, started from $LOCKETD (default: the package's
.build/debug/locketd)."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, Iterator, Optional

import pytest

REPO = Path(__file__).resolve().parents[4]
LOCKETD = os.environ.get("LOCKETD") or str(REPO / ".build" / "debug" / "locketd")
VECTORS = Path(os.environ.get("LOCKET_VECTORS") or REPO / "Protocol" / "vectors")

#: Variables that could reach a desktop session, another daemon or another keyring.
_SCRUBBED = ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY", "NOTIFY_SOCKET", "LISTEN_PID", "LISTEN_FDS",
             "LISTEN_FDNAMES", "LOCKET_SOCKET", "XDG_RUNTIME_DIR", "XDG_DATA_HOME", "XDG_CONFIG_HOME",
             "PYTHON_KEYRING_BACKEND")


def clean_environment(home: str, **extra: str) -> Dict[str, str]:
    """This process's environment minus anything reaching a real session, with HOME at ``home``."""
    env = {name: value for name, value in os.environ.items()
           if name not in _SCRUBBED and not name.startswith("KEYRING_PROPERTY_")}
    env["HOME"] = home
    env["XDG_CONFIG_HOME"] = os.path.join(home, ".config")
    env["XDG_DATA_HOME"] = os.path.join(home, ".local", "share")
    env.update(extra)
    return env


class Daemon:
    """One real locketd on its own folder: ``socket`` is ``<folder>/run/locket.sock``."""

    def __init__(self, binary: str = LOCKETD, folder: Optional[str] = None, arguments: tuple = ()) -> None:
        self.binary = binary
        self.folder = folder or tempfile.mkdtemp(prefix="lk-py-")
        os.chmod(self.folder, 0o700)
        self.socket = os.path.join(self.folder, "run", "locket.sock")
        self.data = os.path.join(self.folder, "data")
        self.log = os.path.join(self.folder, "locketd.log")
        self.arguments = arguments
        self.process: Optional[subprocess.Popen] = None

    def start(self, timeout: float = 30.0) -> "Daemon":
        assert self.process is None, "already running"
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [self.binary, "--socket", self.socket, "--data-dir", self.data, "--key-store", "file", *self.arguments],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                env=clean_environment(self.folder), close_fds=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"locketd exited with {self.process.returncode}: {self.read_log()}")
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                probe.connect(self.socket)
                if self.handles_sigterm():  # fully up: a stop right away tests shutdown, not start-up
                    return self
            except OSError:
                pass
            finally:
                probe.close()
            time.sleep(0.02)
        self.kill()
        raise RuntimeError(f"locketd did not listen within {timeout} s: {self.read_log()}")

    def handles_sigterm(self) -> bool:
        """Whether the process catches SIGTERM yet (bit 14 of SigCgt in /proc/PID/status)."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return False
        for line in status.splitlines():
            if line.startswith("SigCgt:"):
                return bool(int(line.split()[1], 16) & (1 << (signal.SIGTERM - 1)))
        return False

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, then the exit status."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            status = self.process.wait()
        self.process = None
        return status

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def read_log(self) -> str:
        try:
            return Path(self.log).read_text(errors="replace")
        except OSError:
            return ""

    def remove(self) -> None:
        self.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def daemon() -> Iterator[Daemon]:
    """A fresh daemon on an empty vault."""
    running = Daemon().start()
    try:
        yield running
    finally:
        running.remove()


@pytest.fixture
def vault(daemon: Daemon):
    """A ``Locket`` client of the fresh daemon."""
    from locket import Locket
    client = Locket(daemon.socket)
    try:
        yield client
    finally:
        client.close()


def run_python(code: str, env: Dict[str, str], timeout: float = 60.0, args: tuple = (),
               user: Optional[int] = None) -> subprocess.CompletedProcess:
    """Runs ``code`` in a child of this venv's python (as ``user`` via setpriv when given)."""
    command = [sys.executable, "-c", code, *args]
    if user is not None:
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *command]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
