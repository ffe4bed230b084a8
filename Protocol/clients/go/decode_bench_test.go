package locket

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// The cost of reading a get answer (the id and ok prefix, then the entry), for the
// round-trip figures: go test -run '^$' -bench DecodeGet.
func BenchmarkDecodeGet(b *testing.B) {
	line := []byte(`{"id":7,"ok":true,"value":"` + strings.Repeat("x", 198) +
		`","version":1,"created_at":"2026-11-22T22:10:00Z","updated_at":"2026-11-22T22:10:00Z","expires_at":null}`)
	for i := 0; i < b.N; i++ {
		var entry Entry
		if !bytes.HasPrefix(line, []byte(`{"id":7,"ok":true,`)) || json.Unmarshal(line, &entry) != nil || len(entry.Value) != 200 {
			b.Fatal("decode")
		}
	}
}
