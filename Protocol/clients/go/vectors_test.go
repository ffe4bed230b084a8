package locket_test

// Every Protocol/vectors/*.vector against a real locketd, each on a fresh
// vault, through this package's checked connection (PROTOCOL.md §12).

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"locket"
	"locket/internal/testdaemon"
	"locket/internal/vectors"
)

const answerWithin = 10 * time.Second

func endsWithWatch(v *vectors.Vector) bool {
	var sent []byte
	for _, s := range v.Steps {
		if s.Kind == vectors.Send {
			sent = append(sent, s.Bytes...)
		}
	}
	lines := bytes.Split(bytes.TrimRight(sent, "\n"), []byte("\n"))
	var request struct {
		Op string `json:"op"`
	}
	return json.Unmarshal(lines[len(lines)-1], &request) == nil && request.Op == "watch"
}

// lineReader reads lines in a goroutine, so a test can wait with a deadline and see unasked lines.
type lineReader struct {
	lines chan []byte
	rest  chan []byte
}

func newLineReader(r io.Reader) *lineReader {
	lr := &lineReader{lines: make(chan []byte, 1024), rest: make(chan []byte, 1)}
	go func() {
		reader := bufio.NewReader(r)
		for {
			line, err := reader.ReadBytes('\n')
			if err != nil {
				lr.rest <- line
				close(lr.lines)
				return
			}
			lr.lines <- line[:len(line)-1]
		}
	}()
	return lr
}

func (lr *lineReader) next(t *testing.T, where string) ([]byte, bool) {
	select {
	case line, ok := <-lr.lines:
		return line, ok
	case <-time.After(answerWithin):
		t.Fatalf("%s: no response within %v", where, answerWithin)
		return nil, false
	}
}

func runVector(t *testing.T, v *vectors.Vector) {
	daemon := testdaemon.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := locket.Dial(ctx, daemon.SocketPath)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	reader := newLineReader(conn)
	previousWasSend := false
	saves := vectors.Saves{}
	for _, step := range v.Steps {
		where := v.Name + ".vector:" + itoa(step.Line)
		switch step.Kind {
		case vectors.Send:
			if len(reader.lines) > 0 {
				t.Fatalf("%s: a response no \"<\" step expects arrived before this send", where)
			}
			if previousWasSend {
				time.Sleep(20 * time.Millisecond) // separate writes, so a split request arrives in pieces
			}
			if _, err := conn.Write(saves.Substitute(step.Bytes)); err != nil {
				t.Fatalf("%s: write: %v", where, err)
			}
			previousWasSend = true
		case vectors.EOF:
			conn.CloseWrite()
			previousWasSend = false
		case vectors.Expect:
			previousWasSend = false
			line, ok := reader.next(t, where)
			if !ok {
				t.Fatalf("%s: the connection closed instead of answering", where)
			}
			actual, err := vectors.ParseJSON(line)
			if err != nil {
				t.Fatalf("%s: the response is not JSON (%v): %.200s", where, err, line)
			}
			if problem := vectors.Match(step.Pattern, actual, "$"); problem != "" {
				t.Fatalf("%s: %s", where, problem)
			}
			saves.Record(step.Pattern, actual)
		}
	}
	switch {
	case endsWithWatch(v):
		conn.Write([]byte(`{"id":"vector-end","op":"ping"}` + "\n"))
		time.Sleep(300 * time.Millisecond)
		if len(reader.lines) > 0 {
			t.Fatalf("%s: a line after watch was answered", v.Name)
		}
	case v.Steps[len(v.Steps)-1].Kind == vectors.EOF || hasEOF(v):
		if line, ok := reader.next(t, v.Name); ok {
			t.Fatalf("%s: a line after the last expected answer: %s", v.Name, line)
		}
		if rest := <-reader.rest; len(rest) > 0 {
			t.Fatalf("%s: %d bytes after the last expected answer", v.Name, len(rest))
		}
	default:
		last := lastSend(v)
		if last[len(last)-1] == '\n' {
			conn.Write([]byte(`{"id":"vector-end","op":"ping"}` + "\n"))
			line, _ := reader.next(t, v.Name)
			if string(line) != `{"id":"vector-end","ok":true}` {
				t.Fatalf("%s: after the last step, a ping got %q (an extra answer, or the connection broke)", v.Name, line)
			}
		}
	}
	conn.Close()
	if err := daemon.Stop(); err != nil {
		t.Fatalf("%s: locketd did not stop cleanly: %v\n%s", v.Name, err, daemon.Log())
	}
}

func hasEOF(v *vectors.Vector) bool {
	for _, s := range v.Steps {
		if s.Kind == vectors.EOF {
			return true
		}
	}
	return false
}

func lastSend(v *vectors.Vector) []byte {
	var last []byte
	for _, s := range v.Steps {
		if s.Kind == vectors.Send {
			last = s.Bytes
		}
	}
	return last
}

func TestVectors(t *testing.T) {
	folder := os.Getenv("LOCKET_VECTORS")
	if folder == "" {
		folder = filepath.Join(testdaemon.Repository(), "Protocol/vectors")
	}
	all, err := vectors.LoadAll(folder)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 10 {
		t.Fatalf("only %d vectors", len(all))
	}
	for _, v := range all {
		v := v
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			runVector(t, v)
		})
	}
}
