package locket_test

// The test binary in other roles, run as other uids or as other processes
// by identity_test.go and lease_test.go: an impostor listening in a victim's
// socket folder, a listener on an inherited socket, the victim, a refresher.

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"locket"
	"locket/keyring"
)

// TestMain runs a helper role instead of the tests when LOCKET_GO_TEST_ROLE is set
// (the test binary run as another uid).
func TestMain(m *testing.M) {
	switch os.Getenv("LOCKET_GO_TEST_ROLE") {
	case "":
		os.Exit(m.Run())
	case "impostor":
		folder, mode := os.Args[len(os.Args)-2], os.Args[len(os.Args)-1]
		perm, _ := strconv.ParseUint(mode, 8, 32)
		must(os.Mkdir(folder, 0o700))
		must(os.Chmod(folder, os.FileMode(perm)))
		listener, err := net.Listen("unix", filepath.Join(folder, "locket.sock"))
		must(err)
		must(os.Chmod(filepath.Join(folder, "locket.sock"), 0o777))
		record(listener)
	case "listen-fd3":
		// fd 3 is a socket bound by the test; listening here makes this process (this uid) its peer.
		must(syscall.Listen(3, 8))
		listener, err := net.FileListener(os.NewFile(3, "bound"))
		must(err)
		record(listener)
	case "refresher":
		runRefresher()
	case "victim":
		err := keyring.Set("victim-app", "victim", "hunter2")
		var notOurs *locket.NotTheDaemonError
		result := map[string]any{"error": fmt.Sprint(err), "not_the_daemon": errors.As(err, &notOurs)}
		if notOurs != nil {
			result["path"], result["owner"] = notOurs.Path, notOurs.OwnerUID
		}
		json.NewEncoder(os.Stdout).Encode(result)
		os.Exit(0)
	}
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
}

// record prints "ready", then "got N" for every chunk any connection sends.
func record(listener net.Listener) {
	fmt.Println("ready")
	for {
		conn, err := listener.Accept()
		must(err)
		go func() {
			buf := make([]byte, 4096)
			for {
				n, err := conn.Read(buf)
				if n > 0 {
					fmt.Printf("got %d\n", n)
				}
				if err != nil {
					return
				}
			}
		}()
	}
}

// helper is the test binary run in a role, as uid, from a copy every uid can read.
type helper struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	output strings.Builder
}

func readableBinary(t *testing.T) string {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	copyPath := filepath.Join(dir, "locket.test")
	in, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(copyPath, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(out, in)
	out.Close()
	return copyPath
}

func roleCommand(binary string, uid int, role string, args ...string) *exec.Cmd {
	u := strconv.Itoa(uid)
	cmd := exec.Command("setpriv", append([]string{"--reuid=" + u, "--regid=" + u, "--clear-groups", binary, "-test.run=^$"}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=/", "LOCKET_GO_TEST_ROLE=" + role}
	return cmd
}

func startHelper(t *testing.T, cmd *exec.Cmd) *helper {
	h := &helper{cmd: cmd}
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			h.mu.Lock()
			h.output.WriteString(scanner.Text() + "\n")
			h.mu.Unlock()
		}
	}()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	h.waitFor(t, "ready")
	return h
}

func (h *helper) text() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.output.String()
}

func (h *helper) waitFor(t *testing.T, what string) {
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(h.text(), what) {
		if time.Now().After(deadline) {
			t.Fatalf("the helper never printed %q: %q", what, h.text())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var gotLine = regexp.MustCompile(`got (\d+)`)

// received is the byte count the helper reported.
func (h *helper) received() int {
	total := 0
	for _, m := range gotLine.FindAllStringSubmatch(h.text(), -1) {
		n, _ := strconv.Atoi(m[1])
		total += n
	}
	return total
}
