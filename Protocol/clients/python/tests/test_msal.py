"""The MSAL token-cache persistence: real MSAL public-client apps in separate
processes sharing one cache in Locket, at the same time."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from locket import Locket
from locket.msal_cache import LocketPersistence, merge_token_caches
from conftest import Daemon, clean_environment

APP = str(Path(__file__).with_name("msal_app.py"))


def start(env, *args):
    return subprocess.Popen([sys.executable, APP, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def finish(process, timeout=180):
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def environment(daemon: Daemon):
    home = os.path.join(daemon.folder, "home")  # removed with the daemon's folder
    os.makedirs(home, exist_ok=True)
    return clean_environment(home, LOCKET_SOCKET=daemon.socket, XDG_RUNTIME_DIR=home)


def test_one_process_writes_while_another_reads(daemon: Daemon):
    env = environment(daemon)
    reader = start(env, "wait", "ada", "12")
    writer = start(env, "login", "ada", "12")
    assert finish(writer) == {"logged_in": 12, "token_requests": 12}
    # The reader, running all along, sees every account and gets every token from the cache.
    assert finish(reader) == {"accounts": 12, "silent_tokens": 12, "token_requests": 0}


def test_two_writers_at_once_lose_nothing_even_without_a_shared_lock_file(daemon: Daemon):
    env = environment(daemon)
    folder = os.path.join(daemon.folder, "locks")
    # Separate lock files: msal-extensions does not serialize them; only compare-and-swap does.
    first = start(env, "login", "bob", "15", "persisted:" + os.path.join(folder, "first.lock"))
    second = start(env, "login", "cy", "15", "persisted:" + os.path.join(folder, "second.lock"))
    assert finish(first)["logged_in"] == 15
    assert finish(second)["logged_in"] == 15
    assert finish(start(env, "wait", "bob", "15")) == {"accounts": 15, "silent_tokens": 15, "token_requests": 0}
    assert finish(start(env, "wait", "cy", "15")) == {"accounts": 15, "silent_tokens": 15, "token_requests": 0}
    with Locket(daemon.socket) as vault:
        cache = vault.get("msal-test", "token-cache")
    assert len(cache["Account"]) == 30 and len(cache["RefreshToken"]) == 30


def test_the_lock_free_cache_three_writers_and_a_reader(daemon: Daemon):
    # msal-extensions' own lock file is not used (with many writers it can starve one past its 5 s limit).
    env = environment(daemon)
    reader = start(env, "wait", "dee", "10", "locket")
    writers = [start(env, "login", prefix, "10", "locket") for prefix in ("dee", "eve", "fox")]
    assert [finish(writer)["logged_in"] for writer in writers] == [10, 10, 10]
    assert finish(reader) == {"accounts": 10, "silent_tokens": 10, "token_requests": 0}
    with Locket(daemon.socket) as vault:
        accounts = vault.get("msal-test", "token-cache")["Account"]
    assert len(accounts) == 30
    assert not os.path.exists(os.path.join(env["HOME"], "locket-msal"))  # no lock file, no folder for one


def test_nothing_in_plain_text_on_disk(daemon: Daemon):
    env = environment(daemon)
    assert finish(start(env, "login", "fay", "2"))["logged_in"] == 2
    for folder in (daemon.folder,):  # HOME is inside it
        for path in Path(folder).rglob("*"):
            if path.is_file() and not path.is_socket():
                assert b"rt-fay" not in path.read_bytes(), path


def test_a_change_within_the_same_second_is_seen(daemon: Daemon):
    mine = LocketPersistence("ns", "cache", socket=daemon.socket)
    other = LocketPersistence("ns", "cache", socket=daemon.socket)
    mine.save(json.dumps({"AccessToken": {"a": {"secret": "1"}}}))
    synced = time.time()
    assert mine.time_last_modified() <= synced  # its own write: no reload needed
    other.save(json.dumps({"AccessToken": {"b": {"secret": "2"}}}))  # merged onto "a"
    assert mine.time_last_modified() > synced   # someone else wrote: reload, whatever the clock says
    assert json.loads(mine.load())["AccessToken"] == {"a": {"secret": "1"}, "b": {"secret": "2"}}


def test_merge_applies_our_changes_to_theirs():
    base = {"AccessToken": {"a": 1, "b": 2}, "Account": {"x": 1}}
    ours = {"AccessToken": {"a": 1, "b": 3, "c": 4}, "Account": {}}       # changed b, added c, removed x
    theirs = {"AccessToken": {"a": 9, "b": 2, "d": 5}, "Account": {"x": 1, "y": 2}, "AppMetadata": {"m": 1}}
    assert merge_token_caches(base, ours, theirs) == {
        "AccessToken": {"a": 9, "b": 3, "c": 4, "d": 5}, "Account": {"y": 2}, "AppMetadata": {"m": 1}}
