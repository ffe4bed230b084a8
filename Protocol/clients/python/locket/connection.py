"""One checked connection to locketd: the server-identity check, then lines.

The check (client-trust.md), in order: the socket's folder is the caller's
and private; connect (at most 1 s); the listening process's uid, read with
``SO_PEERCRED``, is the caller's or root's. Only then is a byte sent.
"""
import os
import select
import socket
import struct
import time
from typing import Optional

from .errors import ConnectionFailed, NotRunning, NotTheDaemon, Timeout
from .paths import check_socket_folder

__all__ = ["Connection", "CONNECT_TIMEOUT"]

#: The longest a connect may take (seconds). A Unix socket connects at once or
#: not at all, unless the daemon's accept backlog is full (a stopped daemon).
CONNECT_TIMEOUT = 1.0

_UCRED = struct.Struct("3i")


class Connection:
    """A connected, identity-checked Unix socket to locketd, read line by line."""

    def __init__(self, path: str, connect_timeout: float = CONNECT_TIMEOUT) -> None:
        check_socket_folder(path)
        sock = _connect(path, min(connect_timeout, CONNECT_TIMEOUT))
        try:
            pid, uid, _ = _UCRED.unpack(sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _UCRED.size))
            if uid not in (os.getuid(), 0):
                raise NotTheDaemon(path, uid, f"it is served by uid {uid} (pid {pid}), not you (uid {os.getuid()})")
        except BaseException:
            sock.close()
            raise
        self.path = path
        self.peer_pid = pid
        self._sock: Optional[socket.socket] = sock
        self._buffer = bytearray()

    @property
    def closed(self) -> bool:
        return self._sock is None

    def close(self) -> None:
        """Closes the socket; a read blocked on it in another thread returns at once."""
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def peer_closed(self) -> bool:
        """Whether the daemon has already closed its end (idle timeout, restart): checked without waiting."""
        sock = self._require()
        if self._buffer:
            return True  # bytes nobody asked for: not a state to send a request in
        # Readable while no request is in flight: end of file, a reset, or stray bytes.
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable)

    def send(self, data: bytes, timeout: Optional[float]) -> None:
        """Writes all of ``data`` (one write call where the kernel takes it)."""
        sock = self._require()
        sock.settimeout(timeout)
        try:
            sock.sendall(data)
        except socket.timeout:
            raise Timeout(f"locketd did not take the request within {timeout} s") from None
        except OSError as error:
            raise ConnectionFailed(f"sending to locketd failed: {error.strerror or error}") from None

    def shutdown_write(self) -> None:
        """Half-closes: the daemon answers every complete line, then closes."""
        self._require().shutdown(socket.SHUT_WR)

    def read_line(self, timeout: Optional[float]) -> Optional[bytes]:
        """The next line without its ``\\n``; None at end of file (bytes after the last ``\\n`` are dropped)."""
        sock = self._require()
        sock.settimeout(timeout)
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = bytes(self._buffer[:end])
                del self._buffer[:end + 1]
                return line
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                raise Timeout(f"locketd did not answer within {timeout} s") from None
            except OSError as error:
                raise ConnectionFailed(f"reading from locketd failed: {error.strerror or error}") from None
            if not chunk:
                self._buffer.clear()
                return None
            self._buffer += chunk

    def read_rest(self, timeout: Optional[float]) -> bytes:
        """Everything until the daemon closes (for a runner checking nothing more came)."""
        sock = self._require()
        sock.settimeout(timeout)
        rest = bytes(self._buffer)
        self._buffer.clear()
        while True:
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                raise Timeout(f"locketd did not close within {timeout} s") from None
            if not chunk:
                return rest
            rest += chunk

    def _require(self) -> socket.socket:
        if self._sock is None:
            raise ConnectionFailed("the connection is closed")
        return self._sock


def _connect(path: str, timeout: float) -> socket.socket:
    """A socket connected to ``path`` within ``timeout`` seconds.

    A Unix socket whose listener's backlog is full answers EAGAIN at once to a
    connect with a timeout (Python connects in non-blocking mode), so this
    retries until the deadline, then raises Timeout.
    """
    deadline = time.monotonic() + timeout
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            sock.connect(path)
            return sock
        except (FileNotFoundError, ConnectionRefusedError, NotADirectoryError):
            sock.close()
            raise NotRunning(path) from None
        except (BlockingIOError, socket.timeout):
            sock.close()
            if time.monotonic() >= deadline:
                raise Timeout(f"locketd did not accept a connection on {path} within {timeout} s") from None
            time.sleep(0.02)
        except OSError as error:
            sock.close()
            raise ConnectionFailed(f"cannot connect to {path}: {error.strerror or error}") from None
