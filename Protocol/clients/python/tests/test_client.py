"""The package against a real daemon: every op, the typed errors, watch, reconnects."""
import ast
import json
import os
import socket
import threading
import time
from pathlib import Path

import pytest

import locket
from locket import (BadRequest, Conflict, Locket, LocketError, Locked, NotFound, NotRunning, TooLarge,
                    UnknownOp)
from conftest import Daemon

PACKAGE = Path(locket.__file__).parent


def test_installed_from_the_wheel_with_its_type_marker():
    # run-tests installs the wheel: the import must not come from the source tree.
    if os.environ.get("LOCKET_TEST_FROM_WHEEL") == "1":
        assert "site-packages" in str(PACKAGE), PACKAGE
    assert (PACKAGE / "py.typed").is_file()
    from importlib import metadata
    assert metadata.version("locket-client") == locket.__version__


def test_sources_parse_as_python_3_9():
    for source in sorted(PACKAGE.glob("*.py")):
        ast.parse(source.read_text(), filename=str(source), feature_version=(3, 9))


def test_every_op(vault: Locket):
    hello = vault.hello()
    assert hello["protocol"] == 1
    assert set(hello["ops"]) >= {"hello", "ping", "put", "get", "delete", "list", "status", "lock", "unlock",
                                 "rotate", "audit", "watch", "allow", "deny", "rules"}
    vault.ping()
    put = vault.put("py", "k", {"a": [1, 2.5, None], "s": "é\n", "big": 2 ** 70}, ttl=60)
    assert put["created"] is True and put["version"] == 1 and put["expires_at"]
    assert vault.get("py", "k") == {"a": [1, 2.5, None], "s": "é\n", "big": 2 ** 70}
    assert vault.put("py", "k", None, if_version=1)["version"] == 2
    entry = vault.get_entry("py", "k")
    assert entry["value"] is None and entry["version"] == 2 and entry["expires_at"] is None
    vault.put("py", "j", "x")
    assert [item["key"] for item in vault.list("py")] == ["j", "k"]
    assert vault.status()["entries"] == 2
    assert vault.delete("py", "k") is True
    assert vault.delete("py", "k") is False
    assert vault.rotate() == 1
    vault.lock()
    with pytest.raises(Locked) as locked:
        vault.get("py", "j")
    assert locked.value.code == "locked"
    assert vault.status()["locked"] is True
    vault.unlock()
    assert vault.get("py", "j") == "x"
    allowed = vault.allow("ruled", "/usr/bin/true")
    assert allowed["created"] is True and allowed["programs"] == [{"path": "/usr/bin/true", "sha256": None}]
    assert vault.rules() == [{"ns": "ruled", "programs": [{"path": "/usr/bin/true", "sha256": None}]}]
    with pytest.raises(locket.Forbidden):
        vault.get("ruled", "x")  # this python is not /usr/bin/true
    assert vault.deny("ruled")["rule_left"] is False
    audit = vault.audit(ns="py", limit=100)
    assert audit["damage"] == []
    assert [record["op"] for record in audit["items"]][:3] == ["put", "get", "put"]


def test_typed_errors_carry_the_protocol_codes(vault: Locket):
    with pytest.raises(NotFound) as missing:
        vault.get("py", "absent")
    assert missing.value.code == "not_found" and isinstance(missing.value, LocketError)
    vault.put("py", "k", 1)
    with pytest.raises(Conflict) as conflict:
        vault.put("py", "k", 2, if_version=7)
    assert conflict.value.code == "conflict"
    with pytest.raises(BadRequest):
        vault.get("", "k")
    with pytest.raises(TooLarge):
        vault.put("py", "big", "x" * 300_000)
    with pytest.raises(UnknownOp) as unknown:
        vault.call("no-such-op")
    assert unknown.value.code == "unknown_op"
    with pytest.raises(ValueError):
        vault.put("py", "nan", float("nan"))
    # The connection survived every error.
    assert vault.get("py", "k") == 1


def test_not_running_is_quick_and_distinct(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir(mode=0o700)
    started = time.monotonic()
    with pytest.raises(NotRunning) as absent:
        Locket(str(folder / "locket.sock")).ping()
    assert absent.value.code == "daemon_not_running"
    with pytest.raises(NotRunning):
        Locket(str(tmp_path / "no-folder" / "locket.sock")).ping()
    assert time.monotonic() - started < 5  # generous: it is a couple of failed system calls


def test_connect_times_out_within_a_second_when_nobody_accepts(tmp_path):
    # A listener that never accepts, with its backlog full: connect blocks in the kernel.
    folder = tmp_path / "run"
    folder.mkdir(mode=0o700)
    path = str(folder / "locket.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(0)
    fillers = []
    try:
        for _ in range(64):
            filler = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            filler.setblocking(False)
            try:
                filler.connect(path)
            except (BlockingIOError, InterruptedError):
                fillers.append(filler)
                break
            fillers.append(filler)
        client = Locket(path, connect_timeout=30)  # capped at 1 s all the same
        started = time.monotonic()
        with pytest.raises(locket.Timeout):
            client.ping()
        assert time.monotonic() - started < 10  # the cap is 1 s; generous for a loaded machine
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


def test_reconnects_after_a_daemon_restart(daemon: Daemon):
    client = Locket(daemon.socket)
    client.put("py", "k", "before")
    assert daemon.stop() == 0
    daemon.start()
    # The old connection is gone; the next call reconnects, even for a write.
    assert client.put("py", "k", "after")["version"] == 2
    assert client.get("py", "k") == "after"
    client.close()


def test_watch_is_an_iterator_of_events(daemon: Daemon):
    writer = Locket(daemon.socket)
    events = []
    with writer.watch("py") as watch:
        def read():
            for event in watch:
                events.append(event)
                if event["event"] == "deleted":
                    return
        reader = threading.Thread(target=read)
        reader.start()
        writer.put("py", "k", 1)
        writer.put("other", "k", 1)
        writer.delete("py", "k")
        reader.join(30)
        assert not reader.is_alive()
    assert [(event["event"], event["key"]) for event in events] == [("changed", "k"), ("deleted", "k")]
    assert events[0]["version"] == 1
    with pytest.raises(BadRequest):
        writer.watch("")
    writer.close()


def test_watch_ends_when_the_daemon_stops(daemon: Daemon):
    watch = Locket(daemon.socket).watch()
    assert daemon.stop() == 0
    assert list(watch) == []


def test_demo_module_runs(daemon: Daemon):
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "-m", "locket", daemon.socket], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "get after delete: not_found, as expected" in result.stdout


def test_requests_are_one_json_line(vault: Locket):
    from locket.client import encode_line
    line = encode_line({"id": 1, "op": "put", "ns": "é", "key": "k", "value": {"a": "\u2028"}})
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line) == {"id": 1, "op": "put", "ns": "é", "key": "k", "value": {"a": "\u2028"}}


def test_the_sdist_holds_the_package():
    import tarfile
    sdist = os.environ.get("LOCKET_TEST_SDIST")
    if not sdist:
        pytest.skip("run-tests builds the sdist and names it in LOCKET_TEST_SDIST")
    names = {name.split("/", 1)[1] for name in tarfile.open(sdist).getnames() if "/" in name}
    assert {"pyproject.toml", "locket/__init__.py", "locket/py.typed", "locket/keyring_backend.py",
            "locket/msal_cache.py"} <= names


def test_errors_keep_the_old_constructor_and_pickle():
    import pickle
    old = LocketError("not_found", "gone")
    assert (old.code, old.message, str(old)) == ("not_found", "gone", "not_found: gone")
    for error in (NotFound("m"), Conflict("c"), locket.InternalError("weird", "z"), locket.NotTheDaemon("/p", 5, "d"),
                  NotRunning("/s"), locket.Timeout("t")):
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error) and (again.code, again.message) == (error.code, error.message)


def test_a_connection_the_daemon_closed_while_idle_is_replaced_before_sending():
    daemon = Daemon(arguments=("--idle-timeout", "1")).start()
    try:
        client = Locket(daemon.socket)
        client.put("py", "k", 1)
        first = client._conn
        deadline = time.monotonic() + 60
        while not first.peer_closed() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert first.peer_closed()  # the daemon closed it
        # Even a write (never resent blindly) goes through: the closed connection is noticed before sending.
        assert client.put("py", "k", 2, if_version=1)["version"] == 2
        assert client._conn is not first
        client.close()
    finally:
        daemon.remove()
