package locket

import (
	"os"
	"path/filepath"
	"strconv"
)

// SocketPath resolves the socket like locketd (PROTOCOL.md §2): explicit if
// not empty, else $LOCKET_SOCKET, else $XDG_RUNTIME_DIR/locket/locket.sock,
// else /tmp/locket-$UID/locket.sock.
func SocketPath(explicit string) string {
	return socketPath(explicit, os.Getenv, os.Getuid())
}

func socketPath(explicit string, getenv func(string) string, uid int) string {
	if explicit != "" {
		return explicit
	}
	if p := getenv("LOCKET_SOCKET"); p != "" {
		return p
	}
	if dir := getenv("XDG_RUNTIME_DIR"); dir != "" {
		return filepath.Join(dir, "locket", "locket.sock")
	}
	return "/tmp/locket-" + strconv.Itoa(uid) + "/locket.sock"
}
