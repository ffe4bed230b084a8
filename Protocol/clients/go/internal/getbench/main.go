// Command getbench times `get` round trips for Protocol/clients/bench/get-round-trip:
// one request at a time on one connection, through the Go client (-mode client)
// or a bare socket (-mode raw). Prints one JSON line of percentiles in µs.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"sort"
	"time"

	"locket"
)

func main() {
	mode := flag.String("mode", "client", "client or raw")
	socket := flag.String("socket", "", "the daemon's socket")
	n := flag.Int("n", 2000, "timed gets")
	warmup := flag.Int("warmup", 200, "untimed gets first")
	flag.Parse()
	var get func() error
	switch *mode {
	case "client":
		c := locket.New(locket.Options{SocketPath: *socket})
		ctx := context.Background()
		get = func() error { _, err := c.Get(ctx, "bench", "k"); return err }
	case "raw":
		conn, err := net.Dial("unix", *socket)
		if err != nil {
			fail(err)
		}
		reader := bufio.NewReader(conn)
		line := []byte(`{"id":1,"op":"get","ns":"bench","key":"k"}` + "\n")
		get = func() error {
			if _, err := conn.Write(line); err != nil {
				return err
			}
			_, err := reader.ReadBytes('\n')
			return err
		}
	default:
		fail(fmt.Errorf("unknown mode %q", *mode))
	}
	samples := make([]float64, 0, *n)
	for i := 0; i < *warmup+*n; i++ {
		start := time.Now()
		if err := get(); err != nil {
			fail(err)
		}
		if i >= *warmup {
			samples = append(samples, float64(time.Since(start).Nanoseconds())/1000)
		}
	}
	sort.Float64s(samples)
	at := func(q float64) float64 { return samples[int(q*float64(len(samples)-1))] }
	json.NewEncoder(os.Stdout).Encode(map[string]any{"n": len(samples), "p50_us": at(0.5), "p90_us": at(0.9), "p99_us": at(0.99)})
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "getbench:", err)
	os.Exit(1)
}
