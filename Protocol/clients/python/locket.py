#!/usr/bin/env python3
"""A stdlib-only client of the Locket protocol, version 1 (see ../../PROTOCOL.md).

One JSON object per line over a Unix socket: any language with sockets and
JSON can speak it. Usage:

    from locket import Locket, LocketError
    vault = Locket()                      # socket resolved like the daemon
    vault.put("my-app", "session", {"token": "t-123"}, ttl=3600)
    vault.get("my-app", "session")        # -> {"token": "t-123"}
    try:
        vault.get("my-app", "nope")
    except LocketError as error:
        assert error.code == "not_found"  # act on the code, never the message
"""
import json
import os
import socket

__all__ = ["Locket", "LocketError", "socket_path"]


def socket_path(explicit=None, environ=os.environ):
    """The socket: explicit, $LOCKET_SOCKET, $XDG_RUNTIME_DIR/locket/locket.sock, /tmp/locket-$UID/locket.sock."""
    if explicit:
        return explicit
    if environ.get("LOCKET_SOCKET"):
        return environ["LOCKET_SOCKET"]
    if environ.get("XDG_RUNTIME_DIR"):
        return os.path.join(environ["XDG_RUNTIME_DIR"], "locket", "locket.sock")
    return f"/tmp/locket-{os.getuid()}/locket.sock"


class LocketError(Exception):
    """An error answer (code: "not_found", "locked", ...), or "daemon_not_running" / "connection_failed"."""

    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


class Locket:
    """A connection to locketd, opened on first use; one request at a time."""

    def __init__(self, path=None, timeout=5.0):
        self.path, self.timeout = socket_path(path), timeout
        self._reader, self._sock, self._next_id = None, None, 0

    def call(self, op, **members):
        """Sends one request (members that are None are left out); returns the answer or raises LocketError."""
        request = {"op": op, **{name: value for name, value in members.items() if value is not None}}
        return self._exchange(request, retry=op in ("hello", "ping", "get", "list", "status"))

    def put(self, ns, key, value, ttl=None, if_version=None):
        """Stores value (any JSON value, None included); returns {created, version, expires_at}."""
        request = {"op": "put", "ns": ns, "key": key, "value": value}
        request.update({name: v for name, v in (("ttl", ttl), ("if_version", if_version)) if v is not None})
        answer = self._exchange(request, retry=False)
        return {name: answer[name] for name in ("created", "version", "expires_at")}

    def get(self, ns, key):
        """The stored value; LocketError("not_found") when there is no live entry."""
        return self.call("get", ns=ns, key=key)["value"]

    def delete(self, ns, key, if_version=None):
        """True when a live entry was removed."""
        return self.call("delete", ns=ns, key=key, if_version=if_version)["deleted"]

    def list(self, ns=None):
        """[{ns, key, version, created_at, updated_at, expires_at}, ...]: names and metadata, never values."""
        return self.call("list", ns=ns)["items"]

    def status(self):
        answer = self.call("status")
        return {name: value for name, value in answer.items() if name not in ("id", "ok")}

    def close(self):
        if self._sock:
            self._reader.close()
            self._sock.close()
        self._reader = self._sock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _exchange(self, request, retry):
        self._next_id += 1
        request = {"id": self._next_id, **request}
        line = (json.dumps(request, ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n").encode()
        reused = self._sock is not None
        try:
            answer = self._send(line)
        except (ConnectionError, LocketError) as error:
            self.close()
            # The daemon closes idle connections: a read may be retried once on a fresh one.
            if not (reused and retry and getattr(error, "code", "connection_failed") == "connection_failed"):
                raise
        except OSError:
            self.close()
            raise
            answer = self._send(line)
        if not answer.get("ok"):
            error = answer.get("error") or {}
            raise LocketError(error.get("code", "internal"), error.get("message", ""))
        return answer

    def _send(self, line):
        if self._sock is None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            try:
                sock.connect(self.path)
            except (FileNotFoundError, ConnectionRefusedError, NotADirectoryError):
                sock.close()
                raise LocketError("daemon_not_running", f"nothing listens on {self.path}") from None
            self._sock, self._reader = sock, sock.makefile("rb")
        self._sock.sendall(line)
        reply = self._reader.readline()
        if not reply.endswith(b"\n"):
            self.close()
            raise LocketError("connection_failed", "locketd closed the connection")
        return json.loads(reply)


if __name__ == "__main__":
    import sys

    vault = Locket(sys.argv[1] if len(sys.argv) > 1 else None)
    try:
        print("status:", vault.status())
        print("put:", vault.put("python-demo", "greeting", {"hello": "world", "n": 42}, ttl=60))
        print("get:", vault.get("python-demo", "greeting"))
        print("list:", [item["key"] for item in vault.list("python-demo")])
        print("delete:", vault.delete("python-demo", "greeting"))
        vault.get("python-demo", "greeting")
    except LocketError as error:
        if error.code != "not_found":
            print(f"locket: {error}", file=sys.stderr)
            sys.exit(1)
        print("get after delete: not_found, as expected")
    finally:
        vault.close()
