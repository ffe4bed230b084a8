package locket_test

// The README's "From Go" program, built as an app would build it (a module
// requiring locket through a replace directive) and run against a real locketd.

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"locket/internal/testdaemon"
)

var goBlock = regexp.MustCompile("(?s)```go\n(.*?)```")

func TestReadmeProgram(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(testdaemon.Repository(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	start := strings.Index(string(readme), "\n### From Go\n")
	if start < 0 {
		t.Fatal(`no "### From Go" in README.md`)
	}
	block := goBlock.FindStringSubmatch(string(readme[start:]))
	if block == nil {
		t.Fatal("no go block after the heading")
	}
	module, _ := filepath.Abs(".")
	app := t.TempDir()
	os.WriteFile(filepath.Join(app, "main.go"), []byte(block[1]), 0o644)
	os.WriteFile(filepath.Join(app, "go.mod"), []byte("module app\n\ngo 1.19\n\nrequire locket v0.0.0\n\nreplace locket => "+module+"\n"), 0o644)
	daemon := testdaemon.Start(t)
	for _, want := range []string{"true <nil>\nada <nil>\n", "true <nil>\nada <nil>\n"} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "run", ".")
		cmd.Dir = app
		cmd.Env = append(os.Environ(), "LOCKET_SOCKET="+daemon.SocketPath, "GOPROXY=off", "GOFLAGS=-mod=mod")
		out, err := cmd.Output()
		if err != nil {
			stderr := ""
			if exit, ok := err.(*exec.ExitError); ok {
				stderr = string(exit.Stderr)
			}
			t.Fatalf("go run: %v\n%s", err, stderr)
		}
		if string(out) != want {
			t.Fatalf("the program printed %q, want %q", out, want)
		}
	}
}
