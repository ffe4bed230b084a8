// Package testdaemon starts a real locketd on a fresh vault for a test: the
// file key store, a temporary data folder, its socket in a 0700 folder.
// $LOCKETD names the binary (default: the repository's .build/debug/locketd).
package testdaemon

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Repository is the repository's root folder, found from this file's path.
func Repository() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "../../../../..")
}

// Binary is the locketd to start.
func Binary() string {
	if p := os.Getenv("LOCKETD"); p != "" {
		return p
	}
	return filepath.Join(Repository(), ".build/debug/locketd")
}

// Daemon is a running locketd.
type Daemon struct {
	Root       string
	SocketPath string
	t          testing.TB
	args       []string
	cmd        *exec.Cmd
	exited     chan struct{}
	waitErr    error
	mu         sync.Mutex
	stderr     bytes.Buffer
}

// Start starts a daemon on a fresh vault, with more locketd options if any; it stops when the test ends.
func Start(t testing.TB, args ...string) *Daemon {
	t.Helper()
	root, err := os.MkdirTemp("", "locket-go-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "s"), 0o700); err != nil {
		t.Fatal(err)
	}
	d := &Daemon{Root: root, SocketPath: filepath.Join(root, "s", "locket.sock"), t: t, args: args}
	d.launch()
	t.Cleanup(func() {
		d.Stop()
		os.RemoveAll(root)
	})
	return d
}

type syncWriter struct{ d *Daemon }

func (w syncWriter) Write(p []byte) (int, error) {
	w.d.mu.Lock()
	defer w.d.mu.Unlock()
	return w.d.stderr.Write(p)
}

// Log is what the daemon wrote on stderr.
func (d *Daemon) Log() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stderr.String()
}

func (d *Daemon) launch() {
	d.t.Helper()
	d.cmd = exec.Command(Binary(), append([]string{"--key-store", "file", "--data-dir", filepath.Join(d.Root, "data"),
		"--socket", d.SocketPath, "--log-level", "warning"}, d.args...)...)
	d.cmd.Stderr = syncWriter{d}
	if err := d.cmd.Start(); err != nil {
		d.t.Fatalf("cannot start %s (set LOCKETD): %v", Binary(), err)
	}
	exited := make(chan struct{})
	d.exited = exited
	go func() { d.waitErr = d.cmd.Wait(); close(exited) }()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			d.t.Fatalf("locketd exited at start: %s", d.Log())
		default:
		}
		if conn, err := net.Dial("unix", d.SocketPath); err == nil {
			conn.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	d.t.Fatalf("locketd did not listen within 30 s: %s", d.Log())
}

// Stop sends SIGTERM and waits; the exit error (nil for status 0). Stopping twice is harmless.
func (d *Daemon) Stop() error {
	if d.cmd == nil {
		return nil
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.exited:
	case <-time.After(30 * time.Second):
		// Never hang a test run on a daemon that does not stop: kill it and say so.
		d.cmd.Process.Kill()
		<-d.exited
		d.cmd = nil
		return fmt.Errorf("locketd did not exit within 30 s of SIGTERM (killed)")
	}
	d.cmd = nil
	return d.waitErr
}

// Restart stops the daemon and starts it again on the same vault and socket.
func (d *Daemon) Restart() {
	d.t.Helper()
	if err := d.Stop(); err != nil {
		d.t.Fatalf("locketd did not stop cleanly: %v\n%s", err, d.Log())
	}
	d.launch()
}
