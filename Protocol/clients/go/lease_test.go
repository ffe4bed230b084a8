package locket_test

// The refresh lease and TokenSource against a real locketd that serves
// `lease` (LOCKETD_LEASE, else LOCKETD). Skipped, saying so, on a daemon without it.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"locket"
	"locket/internal/testdaemon"
)

type tokens struct {
	RefreshToken string `json:"refreshToken"`
	By           string `json:"by,omitempty"`
}

func leaseDaemon(t *testing.T) (*locket.Client, *testdaemon.Daemon) {
	if p := os.Getenv("LOCKETD_LEASE"); p != "" {
		t.Setenv("LOCKETD", p)
	}
	c, daemon := newClient(t)
	hello, err := c.Hello(background(t))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(" "+strings.Join(hello.Ops, " ")+" ", " lease ") {
		t.Skipf("%s does not serve lease (set LOCKETD_LEASE)", testdaemon.Binary())
	}
	return c, daemon
}

func TestLeaseWaiterGetsTheHoldersStore(t *testing.T) {
	c, _ := leaseDaemon(t)
	ctx := background(t)
	c.PutValue(ctx, "app", "k", tokens{RefreshToken: "r-1"}, locket.PutOptions{})
	holder, err := c.Lease(ctx, "app", "k", locket.LeaseOptions{StaleVersion: locket.Version(1)})
	if err != nil || !holder.Granted || holder.Token == "" || holder.Entry == nil || string(holder.Entry.Value) != `{"refreshToken":"r-1"}` {
		t.Fatalf("first lease: %+v %v", holder, err)
	}
	answered := make(chan *locket.Lease)
	go func() {
		waiter, err := c.Lease(ctx, "app", "k", locket.LeaseOptions{StaleVersion: locket.Version(1)})
		if err != nil {
			t.Error(err)
		}
		answered <- waiter
	}()
	select {
	case <-answered:
		t.Fatal("the second lease was answered while the first was held")
	case <-time.After(300 * time.Millisecond):
	}
	if err := c.Ping(ctx); err != nil {
		t.Fatalf("other calls are held up: %v", err)
	}
	put, err := holder.Store(ctx, json.RawMessage(`{"refreshToken":"r-2"}`), locket.PutOptions{})
	if err != nil || put.Version != 2 {
		t.Fatalf("store: %+v %v", put, err)
	}
	waiter := <-answered
	if waiter.Granted || waiter.Entry == nil || waiter.Entry.Version != 2 || string(waiter.Entry.Value) != `{"refreshToken":"r-2"}` {
		t.Fatalf("the waiter got %+v", waiter)
	}
}

func TestLeaseOfAHolderThatLeavesGoesToTheNext(t *testing.T) {
	c, _ := leaseDaemon(t)
	ctx := background(t)
	c.PutValue(ctx, "app", "k", "v1", locket.PutOptions{})
	holder, err := c.Lease(ctx, "app", "k", locket.LeaseOptions{})
	if err != nil || !holder.Granted {
		t.Fatal(err)
	}
	next := make(chan *locket.Lease)
	go func() { l, _ := c.Lease(ctx, "app", "k", locket.LeaseOptions{}); next <- l }()
	time.Sleep(100 * time.Millisecond)
	holder.Close()
	second := <-next
	if second == nil || !second.Granted || string(second.Entry.Value) != `"v1"` {
		t.Fatalf("the next waiter: %+v", second)
	}
	if !second.Release(ctx) {
		t.Fatal("release of a held lease")
	}
	stale, err := c.Lease(ctx, "app", "k", locket.LeaseOptions{StaleVersion: locket.Version(0)})
	if err != nil || stale.Granted || stale.Entry.Version != 1 {
		t.Fatalf("a stale version 0 with version 1 live: %+v %v", stale, err)
	}
}

func TestLeaseDeleteEndsItForTheWaiters(t *testing.T) {
	c, _ := leaseDaemon(t)
	ctx := background(t)
	c.PutValue(ctx, "app", "gone", "v1", locket.PutOptions{})
	holder, err := c.Lease(ctx, "app", "gone", locket.LeaseOptions{})
	if err != nil || !holder.Granted {
		t.Fatal(err)
	}
	waited := make(chan error)
	go func() { _, err := c.Lease(ctx, "app", "gone", locket.LeaseOptions{}); waited <- err }()
	time.Sleep(100 * time.Millisecond)
	if deleted, err := holder.Delete(ctx); err != nil || !deleted {
		t.Fatalf("delete under the lease: %v %v", deleted, err)
	}
	if err := <-waited; !errors.Is(err, locket.ErrNotFound) {
		t.Fatalf("the waiter got %v, want not_found", err)
	}
}

func source(c *locket.Client, key string, spent *int32, login func(context.Context) (tokens, error)) *locket.TokenSource[tokens] {
	return &locket.TokenSource[tokens]{
		Client: c, NS: "app", Key: key,
		Refresh: func(ctx context.Context, current tokens) (tokens, error) {
			atomic.AddInt32(spent, 1)
			time.Sleep(100 * time.Millisecond)
			return tokens{RefreshToken: current.RefreshToken + "+1", By: fmt.Sprint(time.Now().UnixNano())}, nil
		},
		Login: login,
	}
}

func TestTokenSourceRefreshesOnceAmongMany(t *testing.T) {
	c, daemon := leaseDaemon(t)
	ctx := background(t)
	c.PutValue(ctx, "app", "many", tokens{RefreshToken: "r"}, locket.PutOptions{})
	var spent int32
	noLogin := func(context.Context) (tokens, error) { return tokens{}, errors.New("no login expected") }
	var wg sync.WaitGroup
	results := make([]locket.Session[tokens], 5)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			own := locket.New(locket.Options{SocketPath: daemon.SocketPath})
			defer own.Close()
			ts := source(own, "many", &spent, noLogin)
			current, err := ts.Token(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			results[i], err = ts.Renew(ctx, current) // every one saw a 401 on version 1
			if err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	if spent != 1 {
		t.Fatalf("the refresh token was spent %d times", spent)
	}
	var outcomes []string
	for _, r := range results {
		outcomes = append(outcomes, string(r.Outcome))
		if r.Version != 2 || r.Value != results[0].Value || r.Value.RefreshToken != "r+1" {
			t.Fatalf("results differ: %+v", results)
		}
	}
	sort.Strings(outcomes)
	if strings.Join(outcomes, " ") != "refreshed shared shared shared shared" {
		t.Fatalf("outcomes %v", outcomes)
	}
}

func TestTokenSourceLogsInWithoutSessionAndWhenRefused(t *testing.T) {
	c, _ := leaseDaemon(t)
	ctx := background(t)
	var spent int32
	logins := 0
	login := func(context.Context) (tokens, error) { logins++; return tokens{RefreshToken: "login"}, nil }
	ts := source(c, "fresh", &spent, login)
	first, err := ts.Token(ctx)
	if err != nil || first.Outcome != locket.LoggedIn || first.Version != 1 || logins != 1 {
		t.Fatalf("no session: %+v %v", first, err)
	}
	again, err := ts.Token(ctx)
	if err != nil || again.Outcome != locket.Resumed || again.Value.RefreshToken != "login" {
		t.Fatalf("resume: %+v %v", again, err)
	}
	ts.Refresh = func(context.Context, tokens) (tokens, error) { return tokens{}, errors.New("invalid_grant") }
	renewed, err := ts.Renew(ctx, again)
	if err != nil || renewed.Outcome != locket.LoggedIn || renewed.Version != 2 || logins != 2 {
		t.Fatalf("refused refresh: %+v %v", renewed, err)
	}
	ts.Expired = func(tokens) bool { return true }
	ts.Refresh = func(_ context.Context, cur tokens) (tokens, error) {
		return tokens{RefreshToken: cur.RefreshToken + "!"}, nil
	}
	expired, err := ts.Token(ctx)
	if err != nil || expired.Outcome != locket.Refreshed || expired.Value.RefreshToken != "login!" {
		t.Fatalf("expired: %+v %v", expired, err)
	}
}

func TestTokenSourceFailedLoginReleasesTheLease(t *testing.T) {
	c, _ := leaseDaemon(t)
	ctx := background(t)
	var spent int32
	ts := source(c, "cancelled", &spent, func(context.Context) (tokens, error) { return tokens{}, errors.New("user cancelled") })
	if _, err := ts.Token(ctx); err == nil || !strings.Contains(err.Error(), "user cancelled") {
		t.Fatalf("a failed login: %v", err)
	}
	lease, err := c.Lease(ctx, "app", "cancelled", locket.LeaseOptions{Wait: 5 * time.Second})
	if err != nil || !lease.Granted {
		t.Fatalf("the lease was not free after a failed login: %+v %v", lease, err)
	}
	lease.Release(ctx)
}

// One refresh across processes: the test binary run four times as "refresher".
func TestTokenSourceAcrossProcesses(t *testing.T) {
	c, daemon := leaseDaemon(t)
	ctx := background(t)
	c.PutValue(ctx, "app", "procs", tokens{RefreshToken: "r"}, locket.PutOptions{})
	spentLog := filepath.Join(t.TempDir(), "spent")
	os.WriteFile(spentLog, nil, 0o600)
	self, _ := os.Executable()
	var wg sync.WaitGroup
	outputs := make([]string, 4)
	for i := range outputs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			cmd := exec.CommandContext(ctx, self, "-test.run=^$")
			cmd.Env = append(os.Environ(), "LOCKET_GO_TEST_ROLE=refresher", "LOCKET_SOCKET="+daemon.SocketPath, "SPENT_LOG="+spentLog)
			out, err := cmd.Output()
			if err != nil {
				t.Errorf("refresher: %v", err)
			}
			outputs[i] = strings.TrimSpace(string(out))
		}(i)
	}
	wg.Wait()
	spent, _ := os.ReadFile(spentLog)
	if lines := strings.Count(string(spent), "\n"); lines != 1 {
		t.Fatalf("the refresh token was spent %d times: %s", lines, spent)
	}
	sort.Strings(outputs)
	if strings.Join(outputs, " ") != "refreshed 2 shared 2 shared 2 shared 2" {
		t.Fatalf("outcomes: %q", outputs)
	}
}

// runRefresher is the "refresher" role: renew version 1 once, print outcome and version.
func runRefresher() {
	c := locket.New(locket.Options{})
	ts := &locket.TokenSource[tokens]{
		Client: c, NS: "app", Key: "procs",
		Refresh: func(_ context.Context, current tokens) (tokens, error) {
			f, _ := os.OpenFile(os.Getenv("SPENT_LOG"), os.O_APPEND|os.O_WRONLY, 0)
			fmt.Fprintf(f, "%d spent %s\n", os.Getpid(), current.RefreshToken)
			f.Close()
			time.Sleep(300 * time.Millisecond)
			return tokens{RefreshToken: current.RefreshToken + "+1"}, nil
		},
		Login: func(context.Context) (tokens, error) { return tokens{}, errors.New("no login expected") },
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := ts.Renew(ctx, locket.Session[tokens]{Version: 1})
	must(err)
	fmt.Println(s.Outcome, s.Version)
	os.Exit(0)
}
