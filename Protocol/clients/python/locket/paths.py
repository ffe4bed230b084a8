"""Where the daemon's socket is, and whether its folder can be trusted."""
import os
import stat
from typing import Mapping, Optional

from .errors import NotRunning, NotTheDaemon

__all__ = ["socket_path", "check_socket_folder"]


def socket_path(explicit: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> str:
    """The socket, resolved like the daemon does (PROTOCOL.md section 2): ``explicit``,
    ``$LOCKET_SOCKET``, ``$XDG_RUNTIME_DIR/locket/locket.sock``, ``/tmp/locket-$UID/locket.sock``."""
    env = os.environ if environ is None else environ
    if explicit:
        return explicit
    if env.get("LOCKET_SOCKET"):
        return env["LOCKET_SOCKET"]
    if env.get("XDG_RUNTIME_DIR"):
        return os.path.join(env["XDG_RUNTIME_DIR"], "locket", "locket.sock")
    return f"/tmp/locket-{os.getuid()}/locket.sock"


def check_socket_folder(path: str) -> None:
    """Refuses a socket whose folder another user could have made (client-trust.md, step 2).

    The folder (``lstat``, symbolic links not followed) must be a directory owned
    by the caller's uid with no group or other permission bit. This holds for
    explicit paths too: a folder only the caller can write is what makes
    whatever listens in it the caller's. Raises NotRunning when the folder does
    not exist (nothing can listen there), NotTheDaemon otherwise.
    """
    folder = os.path.dirname(path) or "."
    try:
        info = os.lstat(folder)
    except (FileNotFoundError, NotADirectoryError):
        raise NotRunning(path) from None
    except OSError as error:
        raise NotTheDaemon(folder, -1, f"its folder cannot be examined ({error.strerror})") from None
    uid = os.getuid()
    if stat.S_ISLNK(info.st_mode):
        raise NotTheDaemon(folder, info.st_uid, f"its folder is a symbolic link owned by uid {info.st_uid}")
    if not stat.S_ISDIR(info.st_mode):
        raise NotTheDaemon(folder, info.st_uid, "its folder is not a directory")
    mode = stat.S_IMODE(info.st_mode)
    if info.st_uid != uid:
        raise NotTheDaemon(folder, info.st_uid, f"its folder is owned by uid {info.st_uid} (mode {mode:04o}), not you (uid {uid})", mode)
    if mode & 0o077:
        raise NotTheDaemon(folder, info.st_uid, f"its folder has mode {mode:04o}: group or others may write in it (need 0700)", mode)
