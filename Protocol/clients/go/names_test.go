package locket_test

import (
	"encoding/json"
	"errors"
	"math/rand"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"locket"
)

func TestPlainNamesAreKept(t *testing.T) {
	for _, name := range []string{"my-app", "ada@example.com", "é 😀 \u2028", strings.Repeat("x", 256)} {
		if got, err := locket.EscapeName(name); err != nil || got != name {
			t.Errorf("%q became %q (%v)", name, got, err)
		}
	}
}

func TestEscapes(t *testing.T) {
	for in, want := range map[string]string{"": "%", "100%": "100%25", "a\nb\x7f\x00": "a%0Ab%7F%00", "x\xff": "x%FF"} {
		if got, _ := locket.EscapeName(in); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

func TestEveryEscapeIsReversed(t *testing.T) {
	samples := []string{"", "%", "%%25", "%u", "%uD800", "a\x00b", "\xed\xa0\x80", "😀", "\t%0A", "\xff\xfe"}
	random := rand.New(rand.NewSource(1))
	for i := 0; i < 500; i++ {
		b := make([]byte, random.Intn(24))
		random.Read(b)
		samples = append(samples, string(b))
	}
	for _, sample := range samples {
		escaped, err := locket.EscapeName(sample)
		if err != nil {
			t.Fatalf("%q: %v", sample, err)
		}
		if back := locket.UnescapeName(escaped); back != sample {
			t.Fatalf("%q → %q → %q", sample, escaped, back)
		}
		if !utf8.ValidString(escaped) || escaped == "" || strings.ContainsAny(escaped, "\x00\x01\n\x1f\x7f") {
			t.Fatalf("%q escaped to an invalid name %q", sample, escaped)
		}
	}
}

func TestTooLongOnceEscaped(t *testing.T) {
	if _, err := locket.EscapeName(strings.Repeat("é", 129)); !errors.Is(err, locket.ErrBadRequest) {
		t.Errorf("258 bytes: %v", err)
	}
	if _, err := locket.EscapeName(strings.Repeat("%", 86)); !errors.Is(err, locket.ErrBadRequest) {
		t.Errorf("258 bytes escaped: %v", err)
	}
	if got, err := locket.EscapeName(strings.Repeat("é", 128)); err != nil || len(got) != 256 {
		t.Errorf("256 bytes: %v", err)
	}
}

func TestEscapingTableSharedWithNode(t *testing.T) {
	text, err := os.ReadFile("../name-escapes.json")
	if err != nil {
		t.Fatal(err)
	}
	var table struct {
		Pairs [][2]string `json:"pairs"`
	}
	if err := json.Unmarshal(text, &table); err != nil || len(table.Pairs) < 10 {
		t.Fatalf("the table: %v", err)
	}
	for _, pair := range table.Pairs {
		if got, err := locket.EscapeName(pair[0]); err != nil || got != pair[1] {
			t.Errorf("%q: got %q, want %q (%v)", pair[0], got, pair[1], err)
		}
		if back := locket.UnescapeName(pair[1]); back != pair[0] {
			t.Errorf("%q unescaped to %q", pair[1], back)
		}
	}
}
