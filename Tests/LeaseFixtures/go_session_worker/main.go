// A refresh-lease test worker on the Go client's own session helper,
// locket.TokenSource (Protocol/clients/go, through a replace directive): Token
// once, then Renew on every 401. Built by the test with go build (GOPROXY=off,
// GOFLAGS=-mod=mod). Environment as lease_worker.py: LOCKET_SOCKET, TOKEN_PORT,
// LEASE_NS, LEASE_KEY, LEASE_TARGET; WORKER_KIND defaults to go. Prints one
// JSON line of counts when it ends; exits 0 only if its final token works.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"locket"
)

type tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

var (
	base = "http://127.0.0.1:" + os.Getenv("TOKEN_PORT")
	kind = envOr("WORKER_KIND", "go")
	web  = &http.Client{Timeout: 60 * time.Second}
)

func envOr(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

// call makes one request to the token server; the status and the body decoded into out (when not nil).
func call(method, path string, form url.Values, token string, out any) (int, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	request, err := http.NewRequest(method, base+path, body)
	if err != nil {
		return 0, err
	}
	request.Header.Set("X-Worker-Kind", kind)
	if form != nil {
		request.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if token != "" {
		request.Header.Set("Authorization", "Bearer "+token)
	}
	response, err := web.Do(request)
	if err != nil {
		return 0, err
	}
	defer response.Body.Close()
	data, err := io.ReadAll(response.Body)
	if err != nil {
		return 0, err
	}
	if out != nil && response.StatusCode == 200 {
		if err := json.Unmarshal(data, out); err != nil {
			return 0, err
		}
	}
	return response.StatusCode, nil
}

func grant(form url.Values) (tokens, error) {
	var next tokens
	status, err := call("POST", "/token", form, "", &next)
	if err == nil && status != 200 {
		err = fmt.Errorf("grant refused: %d", status)
	}
	return next, err
}

func refreshes() (int, error) {
	var stats map[string]int
	_, err := call("GET", "/stats", nil, "", &stats)
	return stats["refreshes"], err
}

func main() {
	target, _ := strconv.Atoi(os.Getenv("LEASE_TARGET"))
	counts := map[string]any{"kind": kind, "calls": 0, "refresh_rounds": 0, "refreshed_here": 0, "logins": 0, "shared": 0, "failures": 0}
	add := func(name string) { counts[name] = counts[name].(int) + 1 }
	source := &locket.TokenSource[tokens]{
		Client: locket.New(locket.Options{SocketPath: os.Getenv("LOCKET_SOCKET"), Timeout: 60 * time.Second}),
		NS:     os.Getenv("LEASE_NS"),
		Key:    os.Getenv("LEASE_KEY"),
		Refresh: func(ctx context.Context, current tokens) (tokens, error) {
			return grant(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {current.RefreshToken}})
		},
		Login: func(ctx context.Context) (tokens, error) {
			return grant(url.Values{"grant_type": {"password"}, "username": {"alice"}})
		},
	}
	note := func(session locket.Session[tokens]) {
		add("refresh_rounds")
		switch session.Outcome {
		case locket.Refreshed:
			add("refreshed_here")
		case locket.LoggedIn:
			add("logins")
		case locket.Shared:
			add("shared")
		}
	}
	finalOK, err := run(context.Background(), source, target, note, add)
	if err != nil {
		fmt.Fprintf(os.Stderr, "go session worker: %v\n", err)
		add("failures")
	}
	counts["final_ok"] = finalOK
	line, _ := json.Marshal(counts)
	fmt.Println(string(line))
	if !finalOK {
		os.Exit(1)
	}
}

// run uses the session until the server counted target refreshes, then until its token works once more.
func run(ctx context.Context, source *locket.TokenSource[tokens], target int, note func(locket.Session[tokens]), add func(string)) (bool, error) {
	session, err := source.Token(ctx)
	if err != nil {
		return false, err
	}
	if session.Outcome != locket.Resumed {
		note(session)
	}
	done := false
	for {
		status, err := call("GET", "/resource", nil, session.Value.AccessToken, nil)
		if err != nil {
			return false, err
		}
		if status == 200 {
			add("calls")
			if done {
				return true, nil
			}
			continue
		}
		if !done {
			count, err := refreshes()
			if err != nil {
				return false, err
			}
			done = count >= target
		}
		if session, err = source.Renew(ctx, session); err != nil {
			return false, err
		}
		note(session)
	}
}
