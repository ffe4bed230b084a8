package locket

import (
	"bufio"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// The server-identity check of client-trust.md: the folder before connecting,
// the peer's credentials after, and only then a request.

// checkFolder: the socket's folder is a directory (not a symlink) owned by the
// caller with no group or other bits, and the socket (when present) the caller's.
func checkFolder(socket string, uid int) error {
	abs, err := filepath.Abs(socket)
	if err != nil {
		return errorf(CodeConnectionFailed, "socket path %s: %v", socket, err)
	}
	folder := filepath.Dir(abs)
	info, err := os.Lstat(folder)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return errorf(CodeDaemonNotRunning, "locketd is not running (no folder %s); start it with `systemctl --user start locketd.socket` or `locketd &`", folder)
		}
		return errorf(CodeDaemonNotRunning, "cannot inspect %s: %v", folder, err)
	}
	owner := int(info.Sys().(*syscall.Stat_t).Uid)
	mode := info.Mode()
	refuse := func(path, reason string) error {
		return &NotTheDaemonError{Path: path, OwnerUID: owner, Mode: mode, Reason: reason}
	}
	switch {
	case mode&os.ModeSymlink != 0:
		return refuse(folder, "the folder is a symbolic link")
	case !mode.IsDir():
		return refuse(folder, "it is not a folder")
	case owner != uid:
		return refuse(folder, "the folder (mode "+octal(mode)+") is not yours")
	case mode.Perm()&0o077 != 0:
		return refuse(folder, "the folder has mode "+octal(mode)+", open to other users (want 0700)")
	}
	info, err = os.Lstat(abs)
	if err != nil {
		return errorf(CodeDaemonNotRunning, "locketd is not running (nothing listens on %s); start it with `systemctl --user start locketd.socket` or `locketd &`", socket)
	}
	owner, mode = int(info.Sys().(*syscall.Stat_t).Uid), info.Mode()
	if owner != uid {
		return refuse(abs, "the socket is not yours")
	}
	return nil
}

// checkPeer reads SO_PEERCRED on the connected socket: the peer's uid must be
// the caller's or root's.
func checkPeer(conn *net.UnixConn, path string, uid int) error {
	raw, err := conn.SyscallConn()
	if err != nil {
		return errorf(CodeConnectionFailed, "cannot reach the socket of %s: %v", path, err)
	}
	var cred *syscall.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil {
		credErr = err
	}
	if credErr != nil {
		return &NotTheDaemonError{Path: path, OwnerUID: -1, Reason: "its peer credentials cannot be read (" + credErr.Error() + ")"}
	}
	if int(cred.Uid) != uid && cred.Uid != 0 {
		return &NotTheDaemonError{Path: path, OwnerUID: int(cred.Uid),
			Reason: "the process listening there (pid " + strconv.Itoa(int(cred.Pid)) + ") runs as another user"}
	}
	return nil
}

func octal(mode os.FileMode) string {
	return "0" + strconv.FormatUint(uint64(mode.Perm()), 8)
}

// userName is " (name)" for a uid in /etc/passwd, else "".
func userName(uid int) string {
	f, err := os.Open("/etc/passwd")
	if err != nil {
		return ""
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		fields := strings.Split(scanner.Text(), ":")
		if len(fields) > 2 && fields[2] == strconv.Itoa(uid) {
			return " (" + fields[0] + ")"
		}
	}
	return ""
}
