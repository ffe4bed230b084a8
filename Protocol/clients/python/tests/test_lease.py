"""Refresh leases and the Session helper, across real processes (PROTOCOL.md,
Refresh leases). Needs a locketd that serves `lease` ($LOCKETD_LEASE, or
$LOCKETD once the lease has landed)."""
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from locket import Conflict, Locket, Session
from conftest import LOCKETD, Daemon, clean_environment

WORKER = str(Path(__file__).with_name("lease_worker.py"))
BINARY = os.environ.get("LOCKETD_LEASE") or LOCKETD


@pytest.fixture
def daemon():
    running = Daemon(binary=BINARY).start()
    try:
        with Locket(running.socket) as vault:
            if "lease" not in vault.hello()["ops"]:
                pytest.skip(f"{BINARY} serves no refresh lease (set LOCKETD_LEASE)")
        yield running
    finally:
        running.remove()


class Worker:
    def __init__(self, daemon: Daemon, *args: str) -> None:
        env = clean_environment(daemon.folder, LOCKET_SOCKET=daemon.socket)
        self.process = subprocess.Popen([sys.executable, WORKER, *args], env=env, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def read(self, timeout: float = 60.0) -> dict:
        import select
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        assert ready, "no answer from the worker"
        line = self.process.stdout.readline()
        assert line, self.process.stderr.read()
        return json.loads(line)

    def has_answered(self) -> bool:
        import select
        return bool(select.select([self.process.stdout], [], [], 0)[0])

    def tell(self, line: str) -> None:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def settle() -> None:
    """Gives a waiter time to queue. Nothing shows a queued lease from outside, and the outcomes checked
    are the same either way (a waiter that arrives after the store gets it through the stale-version
    shortcut; after the holder's end, the lease): the pause only makes the waiting path the likely one."""
    time.sleep(0.3)


def test_a_waiter_gets_what_the_holder_stores(daemon: Daemon):
    with Locket(daemon.socket) as vault:
        vault.put("app", "alice", "v1")
    holder = Worker(daemon, "hold", "app", "alice")
    waiter = None
    try:
        grant = holder.read()
        assert grant["granted"] is True and grant["entry"]["value"] == "v1" and grant["token"]
        waiter = Worker(daemon, "wait", "app", "alice", "1")
        settle()
        assert not waiter.has_answered()  # it waits for the holder, without polling
        holder.tell("put v2")
        assert holder.read()["put"]["version"] == 2
        answer = waiter.read()
        assert answer["granted"] is False and answer["entry"]["value"] == "v2" and answer["entry"]["version"] == 2
    finally:
        holder.stop()
        if waiter:
            waiter.stop()


def test_a_killed_holder_hands_the_lease_to_the_waiter(daemon: Daemon):
    with Locket(daemon.socket) as vault:
        vault.put("app", "bob", "v1")
    holder = Worker(daemon, "hold", "app", "bob")
    waiter = None
    try:
        assert holder.read()["granted"] is True
        waiter = Worker(daemon, "wait", "app", "bob", "1")
        settle()
        assert not waiter.has_answered()
        holder.process.kill()  # SIGKILL: its connection closes, the lease ends at once
        answer = waiter.read()
        assert answer["granted"] is True and answer["entry"]["value"] == "v1"
    finally:
        holder.stop()
        if waiter:
            waiter.stop()


def test_release_serves_the_next_waiter_and_fences_the_old_token(daemon: Daemon):
    with Locket(daemon.socket) as vault:
        vault.put("app", "cy", "v1")
    holder = Worker(daemon, "hold", "app", "cy")
    waiter = None
    try:
        assert holder.read()["granted"] is True
        waiter = Worker(daemon, "wait", "app", "cy", "1")
        settle()
        holder.tell("release")
        assert holder.read() == {"released": True}
        assert waiter.read()["granted"] is True
        holder.tell("put too-late")
        assert holder.read() == {"error": "conflict"}
    finally:
        holder.stop()
        if waiter:
            waiter.stop()


def test_a_token_is_the_connections_and_does_not_survive_a_restart(daemon: Daemon):
    owner, other = Locket(daemon.socket), Locket(daemon.socket)
    owner.put("app", "dee", "v1")
    grant = owner.lease("app", "dee", stale_version=1)
    assert grant.granted and grant.entry is not None and grant.entry["version"] == 1
    with pytest.raises(Conflict):
        other.put("app", "dee", "stolen", lease=grant.token)
    assert other.release("app", "dee", grant.token) is False
    with pytest.raises(Conflict):
        owner.lease("app", "dee")  # it would wait for itself
    assert daemon.stop() == 0
    daemon.start()
    with pytest.raises(Conflict):
        owner.put("app", "dee", "after-restart", lease=grant.token)
    assert owner.get("app", "dee") == "v1"
    # The stale-version shortcut: someone stored version 2, so a lease on a stale 1 is answered at once.
    owner.put("app", "dee", "v2")
    shortcut = other.lease("app", "dee", stale_version=1)
    assert not shortcut.granted and shortcut.entry is not None and shortcut.entry["value"] == "v2"
    owner.close()
    other.close()


def test_many_processes_one_refresh(daemon: Daemon):
    with Locket(daemon.socket) as vault:
        vault.put("app", "eve", {"access_token": "at-1", "refresh_token": "rt-1", "fresh": False})
    counter = tempfile.mktemp(prefix="lk-py-refreshes-")
    workers = [Worker(daemon, "session", "app", "eve", counter) for _ in range(8)]
    try:
        states = [worker.read(120) for worker in workers]
    finally:
        for worker in workers:
            worker.stop()
    assert Path(counter).read_text() == "refresh rt-1\n"  # one refresh, one use of the refresh token
    assert all(state["value"] == {"access_token": "at-2", "refresh_token": "rt-2", "fresh": True} for state in states)
    assert sorted(state["how"] for state in states).count("refreshed") == 1
    assert {state["how"] for state in states} <= {"refreshed", "shared", "resumed"}
    with Locket(daemon.socket) as vault:
        entry = vault.get_entry("app", "eve")
    assert entry["version"] == 2 and entry["expires_at"] is not None
    os.unlink(counter)


def test_a_failed_refresh_falls_back_to_login_and_saves_it(daemon: Daemon):
    with Locket(daemon.socket) as vault:
        vault.put("app", "fay", {"access_token": "at-1", "refresh_token": "rt-1", "fresh": False})
    counter = tempfile.mktemp(prefix="lk-py-refreshes-")
    worker = Worker(daemon, "session", "app", "fay", counter, "fail")
    try:
        state = worker.read(120)
    finally:
        worker.stop()
    assert Path(counter).read_text() == "refresh rt-1\nlogin\n"
    assert state["how"] == "logged_in" and state["value"]["refresh_token"] == "rt-100"
    with Locket(daemon.socket) as vault:
        assert vault.get("app", "fay")["refresh_token"] == "rt-100"
        grant = vault.lease("app", "fay")  # the lease was ended by the put: free again
        assert grant.granted
        assert vault.release("app", "fay", grant.token) is True
    os.unlink(counter)


def test_session_helper_resumes_logs_in_and_handles_a_rejection(daemon: Daemon):
    calls = []
    sessions = Session(Locket(daemon.socket))

    def refresh(session):
        calls.append("refresh")
        return {"token": session["token"] + "+", "fresh": True}

    def login():
        calls.append("login")
        return {"token": "t", "fresh": True}

    kwargs = dict(is_stale=lambda s: not s["fresh"], refresh=refresh, login=login, ttl=60)
    first = sessions.resume_or_login("app", "gus", **kwargs)
    assert (first.value, first.version, first.how) == ({"token": "t", "fresh": True}, 1, "logged_in")
    again = sessions.resume_or_login("app", "gus", **kwargs)
    assert again.how == "resumed" and calls == ["login"]
    rejected = sessions.rejected("app", "gus", again.version, refresh=refresh, login=login, ttl=60)
    assert rejected.how == "refreshed" and rejected.value["token"] == "t+" and rejected.version == 2
    # A rejection of an old version another process already replaced: no refresh, the newer session.
    shared = sessions.rejected("app", "gus", 1, refresh=refresh, login=login)
    assert shared.how == "shared" and shared.version == 2 and calls == ["login", "refresh"]
    sessions.client.close()


def test_closing_from_another_thread_ends_a_wait(daemon: Daemon):
    import threading
    from locket import ConnectionFailed
    holder, waiter = Locket(daemon.socket), Locket(daemon.socket)
    holder.put("app", "hal", "v1")
    grant = holder.lease("app", "hal")
    outcome = []

    def wait():
        try:
            outcome.append(waiter.lease("app", "hal", stale_version=1))
        except ConnectionFailed as error:
            outcome.append(error)

    thread = threading.Thread(target=wait)
    thread.start()
    settle()
    waiter.close()  # gives up waiting: the connection closes, the thread's call returns
    thread.join(30)
    assert not thread.is_alive() and isinstance(outcome[0], ConnectionFailed), outcome
    assert holder.put("app", "hal", "v2", lease=grant.token)["version"] == 2
    holder.close()
