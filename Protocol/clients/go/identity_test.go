package locket_test

// The server-identity check (client-trust.md): the folder check, the
// SO_PEERCRED check (a listener whose process runs as another uid), and the
// two-uid impostor: another uid pre-creates the victim's /tmp/locket-UID/ and
// listens there; the client, run as the victim without XDG_RUNTIME_DIR, must
// refuse with NotTheDaemonError and the impostor must read zero bytes.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"locket"
)

const otherUID = 65534

func probe(t *testing.T, path string) {
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	conn.Write([]byte("12345"))
	conn.Close()
}

func needRoot(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to act as two uids")
	}
}

// recordingServer listens in a fresh 0700 folder of the caller and counts bytes.
func recordingServer(t *testing.T) (folder, path string, received func() int) {
	folder = filepath.Join(t.TempDir(), "s")
	os.Mkdir(folder, 0o700)
	path = filepath.Join(folder, "locket.sock")
	listener, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { listener.Close() })
	var mu sync.Mutex
	total := 0
	go func() {
		for {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			go func() {
				n, _ := io.Copy(io.Discard, conn)
				mu.Lock()
				total += int(n)
				mu.Unlock()
			}()
		}
	}()
	return folder, path, func() int { time.Sleep(50 * time.Millisecond); mu.Lock(); defer mu.Unlock(); return total }
}

func expectNotTheDaemon(t *testing.T, path string, wantPath string, wantOwner int) {
	t.Helper()
	err := locket.New(locket.Options{SocketPath: path}).Ping(context.Background())
	var notOurs *locket.NotTheDaemonError
	if !errors.As(err, &notOurs) || !errors.Is(err, locket.ErrNotTheDaemon) {
		t.Fatalf("want NotTheDaemonError, got %v", err)
	}
	if notOurs.Path != wantPath || notOurs.OwnerUID != wantOwner || !strings.Contains(err.Error(), wantPath) ||
		!strings.Contains(err.Error(), "uid "+strconv.Itoa(wantOwner)) {
		t.Fatalf("the error names %s, uid %d: %v", notOurs.Path, notOurs.OwnerUID, err)
	}
}

func TestRecordingServerCounts(t *testing.T) {
	_, path, received := recordingServer(t)
	probe(t, path)
	if n := received(); n != 5 {
		t.Fatalf("recorded %d bytes, want 5", n)
	}
}

func TestFolderOpenToOthersIsRefused(t *testing.T) {
	folder, path, received := recordingServer(t)
	os.Chmod(folder, 0o755)
	expectNotTheDaemon(t, path, folder, os.Getuid())
	if n := received(); n != 0 {
		t.Fatalf("%d bytes reached the socket", n)
	}
}

func TestFolderOfAnotherUIDIsRefused(t *testing.T) {
	needRoot(t)
	folder, path, received := recordingServer(t)
	os.Chown(folder, otherUID, otherUID)
	expectNotTheDaemon(t, path, folder, otherUID)
	if n := received(); n != 0 {
		t.Fatalf("%d bytes reached the socket", n)
	}
}

func TestFolderSymlinkIsRefused(t *testing.T) {
	folder, _, received := recordingServer(t)
	link := filepath.Join(filepath.Dir(folder), "link")
	os.Symlink(folder, link)
	expectNotTheDaemon(t, filepath.Join(link, "locket.sock"), link, os.Getuid())
	if n := received(); n != 0 {
		t.Fatalf("%d bytes reached the socket", n)
	}
}

func TestSocketOfAnotherUIDIsRefused(t *testing.T) {
	needRoot(t)
	_, path, received := recordingServer(t)
	os.Lchown(path, otherUID, otherUID)
	expectNotTheDaemon(t, path, path, otherUID)
	if n := received(); n != 0 {
		t.Fatalf("%d bytes reached the socket", n)
	}
}

// The folder and the socket file are the caller's, but the process listening
// runs as another uid: only SO_PEERCRED can tell.
func TestPeerOfAnotherUIDIsRefused(t *testing.T) {
	needRoot(t)
	folder := filepath.Join(t.TempDir(), "s")
	os.Mkdir(folder, 0o700)
	path := filepath.Join(folder, "locket.sock")
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: path}); err != nil {
		t.Fatal(err)
	}
	bound := os.NewFile(uintptr(fd), "bound")
	cmd := roleCommand(readableBinary(t), otherUID, "listen-fd3")
	cmd.ExtraFiles = []*os.File{bound}
	listener := startHelper(t, cmd)
	bound.Close()
	err = locket.New(locket.Options{SocketPath: path}).Ping(context.Background())
	var notOurs *locket.NotTheDaemonError
	if !errors.As(err, &notOurs) || notOurs.OwnerUID != otherUID || notOurs.Path != path {
		t.Fatalf("want NotTheDaemonError naming uid %d, got %v", otherUID, err)
	}
	probe(t, path)
	listener.waitFor(t, "got")
	time.Sleep(100 * time.Millisecond)
	if n := listener.received(); n != 5 {
		t.Fatalf("the listener read %d bytes, want only the probe's 5", n)
	}
}

func TestImpostorInVictimsFallbackFolder(t *testing.T) {
	needRoot(t)
	binary := readableBinary(t)
	for _, mode := range []string{"0777", "0700"} {
		t.Run("folder "+mode, func(t *testing.T) {
			// A uid with no fallback folder yet (math/rand is not seeded by itself in Go 1.19).
			random := rand.New(rand.NewSource(time.Now().UnixNano()))
			victim, folder := 0, ""
			for tries := 0; tries < 100; tries++ {
				victim = 40000 + random.Intn(20000)
				folder = "/tmp/locket-" + strconv.Itoa(victim)
				if _, err := os.Lstat(folder); err != nil {
					break
				}
			}
			defer os.RemoveAll(folder)
			impostor := startHelper(t, roleCommand(binary, otherUID, "impostor", folder, mode))
			probe(t, filepath.Join(folder, "locket.sock"))
			impostor.waitFor(t, "got")
			out, err := roleCommand(binary, victim, "victim").Output()
			if err != nil {
				t.Fatalf("the victim: %v", err)
			}
			var result struct {
				Error        string `json:"error"`
				NotTheDaemon bool   `json:"not_the_daemon"`
				Path         string `json:"path"`
				Owner        int    `json:"owner"`
			}
			if err := json.Unmarshal(out, &result); err != nil {
				t.Fatalf("victim output %q: %v", out, err)
			}
			if !result.NotTheDaemon || result.Path != folder || result.Owner != otherUID ||
				!strings.Contains(result.Error, folder) || !strings.Contains(result.Error, "uid "+strconv.Itoa(otherUID)) {
				t.Fatalf("the victim got %+v", result)
			}
			time.Sleep(200 * time.Millisecond) // a stray write from the victim would show by now
			if n := impostor.received(); n != 5 {
				t.Fatalf("the impostor read %d bytes, want only the probe's 5", n)
			}
		})
	}
}
