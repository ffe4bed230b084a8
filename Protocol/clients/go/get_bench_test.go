package locket_test

import (
	"context"
	"testing"

	"locket"
	"locket/internal/testdaemon"
)

// The Go client's get round trip against a real locketd: go test -run '^$' -bench ClientGet.
func BenchmarkClientGet(b *testing.B) {
	daemon := testdaemon.Start(b)
	c := locket.New(locket.Options{SocketPath: daemon.SocketPath})
	defer c.Close()
	ctx := context.Background()
	if _, err := c.PutValue(ctx, "bench", "k", "v", locket.PutOptions{}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Get(ctx, "bench", "k"); err != nil {
			b.Fatal(err)
		}
	}
}
