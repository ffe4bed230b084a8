"""docker-credential-locket through docker's own clients, against a real locketd:
the `docker` Python package's credential-store client (docker.credentials.Store),
and the docker CLI (client only: no engine runs here) logging in to a registry
on 127.0.0.1 (client-side login), reading the stored credentials back, and
logging out."""
import json
import os
import shutil
import signal
import socket as socketlib
import subprocess
import sys
import tempfile
import time

import pytest
from docker.credentials import Store
from docker.credentials.errors import CredentialsNotFound, StoreError

BIN = os.environ.get("LOCKET_BIN", "")
HERE = os.path.dirname(os.path.abspath(__file__))


def accepts(path):
    """Whether something listens on the Unix socket at `path`."""
    with socketlib.socket(socketlib.AF_UNIX, socketlib.SOCK_STREAM) as probe:
        try:
            probe.connect(path)
            return True
        except OSError:
            return False


@pytest.fixture
def vault(monkeypatch):
    """A locketd of its own; the helper on PATH; LOCKET_SOCKET pointing at it."""
    assert os.access(os.path.join(BIN, "docker-credential-locket"), os.X_OK), "set LOCKET_BIN to the built products"
    folder = tempfile.mkdtemp(prefix="locket-docker-")
    run = os.path.join(folder, "run")
    os.mkdir(run, 0o700)
    socket = os.path.join(run, "locket.sock")
    log = open(os.path.join(folder, "locketd.log"), "wb")
    daemon = subprocess.Popen([os.path.join(BIN, "locketd"), "--socket", socket, "--data-dir",
                               os.path.join(folder, "data"), "--key-store", "file"],
                              stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while not accepts(socket):
        assert daemon.poll() is None, open(log.name).read()
        assert time.monotonic() < deadline, "locketd did not start"
        time.sleep(0.05)
    bin_dir = os.path.join(folder, "bin")
    os.mkdir(bin_dir)
    os.symlink(os.path.join(BIN, "docker-credential-locket"), os.path.join(bin_dir, "docker-credential-locket"))
    monkeypatch.setenv("PATH", bin_dir + os.pathsep + os.environ["PATH"])
    monkeypatch.setenv("LOCKET_SOCKET", socket)
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    yield folder
    daemon.send_signal(signal.SIGTERM)
    try:
        daemon.wait(timeout=30)
    except subprocess.TimeoutExpired:
        daemon.kill()
        daemon.wait()
    log.close()
    shutil.rmtree(folder, ignore_errors=True)


def helper_list():
    out = subprocess.run(["docker-credential-locket", "list"], check=True, capture_output=True, text=True,
                         stdin=subprocess.DEVNULL)
    return json.loads(out.stdout)


def test_docker_py_store_get_list_erase(vault):
    store = Store("locket")
    assert store.exe is not None and store.exe.startswith(vault)
    assert store.list() == {}
    with pytest.raises(CredentialsNotFound):
        store.get("https://index.docker.io/v1/")

    store.store("https://index.docker.io/v1/", "ada", "s3cret")
    store.store("registry.example:5000", "<token>", "identity-token")
    assert store.get("https://index.docker.io/v1/") == {
        "ServerURL": "https://index.docker.io/v1/", "Username": "ada", "Secret": "s3cret"}
    assert store.get("registry.example:5000")["Username"] == "<token>"
    assert store.list() == {"https://index.docker.io/v1/": "ada", "registry.example:5000": "<token>"}

    store.store("https://index.docker.io/v1/", "ada", "n3w\u00e9\"<>")
    assert store.get("https://index.docker.io/v1/")["Secret"] == "n3w\u00e9\"<>"

    store.erase("https://index.docker.io/v1/")
    with pytest.raises(CredentialsNotFound):
        store.get("https://index.docker.io/v1/")
    assert store.list() == {"registry.example:5000": "<token>"}
    store.erase("https://index.docker.io/v1/")  # erasing what is not there is no error

    with pytest.raises(StoreError) as error:
        store.store("registry.example:5000", "", "x")
    assert "no credentials username" in str(error.value)


def test_docker_py_without_a_daemon(vault, monkeypatch):
    monkeypatch.setenv("LOCKET_SOCKET", os.path.join(vault, "absent.sock"))
    store = Store("locket")
    with pytest.raises(CredentialsNotFound):
        store.get("https://index.docker.io/v1/")
    assert store.list() == {}
    with pytest.raises(StoreError) as error:
        store.store("https://index.docker.io/v1/", "ada", "s3cret")
    assert "locketd is not running" in str(error.value)


@pytest.fixture
def registry():
    """The fake registry; yields (address, a function returning its request log lines)."""
    log_path = tempfile.mktemp(prefix="locket-registry-", suffix=".log")
    log = open(log_path, "wb")
    process = subprocess.Popen([sys.executable, os.path.join(HERE, "fake_registry.py")],
                               stdout=subprocess.PIPE, stderr=log, text=True)
    port = process.stdout.readline().strip()
    assert port.isdigit(), "the fake registry did not start"
    yield "127.0.0.1:" + port, lambda: open(log_path).read().splitlines()
    process.terminate()
    process.wait(timeout=30)
    log.close()
    os.unlink(log_path)


def docker(vault, *arguments, stdin=None):
    """The docker CLI with credsStore locket and no engine (DOCKER_HOST points nowhere)."""
    config = os.path.join(vault, "docker-config")
    os.makedirs(config, exist_ok=True)
    path = os.path.join(config, "config.json")
    if not os.path.exists(path):
        with open(path, "w") as file:
            json.dump({"credsStore": "locket"}, file)
    env = dict(os.environ, DOCKER_CONFIG=config, DOCKER_HOST="unix://" + os.path.join(vault, "no-engine.sock"))
    return subprocess.run(["docker", *arguments], input=stdin, capture_output=True, text=True, env=env, timeout=120,
                          stdin=None if stdin is not None else subprocess.DEVNULL)


def test_docker_cli_login_reads_and_logout_through_the_helper(vault, registry):
    assert shutil.which("docker"), "the docker CLI is part of this machine"
    address, requests = registry

    # A wrong password: the registry refuses it, nothing is stored.
    wrong = docker(vault, "login", address, "-u", "ada", "--password-stdin", stdin="wrong\n")
    assert wrong.returncode != 0
    assert helper_list() == {}

    # `docker login` with no engine logs in client side and stores through the helper.
    login = docker(vault, "login", address, "-u", "ada", "--password-stdin", stdin="s3cret\n")
    assert login.returncode == 0, login.stderr
    assert "Login Succeeded" in login.stdout
    assert "GET /v2/ auth=ok" in requests()
    assert helper_list() == {address: "ada"}
    assert Store("locket").get(address)["Secret"] == "s3cret"
    with open(os.path.join(vault, "docker-config", "config.json")) as file:
        config = json.load(file)
    assert "s3cret" not in json.dumps(config)  # in Locket, not in the file
    assert config["auths"] == {address: {}}

    # A second `docker login` reads them back through the helper's get (then needs the engine to verify).
    again = docker(vault, "login", address)
    assert "Authenticating with existing credentials... [Username: ada]" in again.stdout + again.stderr

    # `docker logout` erases them through the helper.
    logout = docker(vault, "logout", address)
    assert logout.returncode == 0, logout.stderr
    assert helper_list() == {}
