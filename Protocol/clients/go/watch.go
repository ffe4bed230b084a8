package locket

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"time"
)

// WatchOptions: NS ("" every namespace); ExpiringWithin (seconds; 0: no `expiring` events).
type WatchOptions struct {
	NS             string
	ExpiringWithin int
}

// Event is one change event (PROTOCOL.md §5, watch). Kind is "changed",
// "deleted", "expired", "expiring", "locked", "unlocked", or one this client
// does not know (ignore those).
type Event struct {
	Kind      string     `json:"event"`
	NS        string     `json:"ns"`
	Key       string     `json:"key"`
	Version   int64      `json:"version"`
	ExpiresAt *time.Time `json:"expires_at"`
	Reason    string     `json:"reason"`
}

// Watcher streams events on a connection of its own.
type Watcher struct {
	conn   *net.UnixConn
	reader *bufio.Reader
}

// Watch opens a connection that streams change events. Read them with Next.
func (c *Client) Watch(ctx context.Context, options WatchOptions) (*Watcher, error) {
	conn, err := dial(ctx, c.path, c.connectTimeout)
	if err != nil {
		return nil, err
	}
	r := NewRequest("watch")
	if options.NS != "" {
		r.Set("ns", options.NS)
	}
	if options.ExpiringWithin != 0 {
		r.Set("expiring_within", options.ExpiringWithin)
	}
	line, err := r.line(1)
	if err != nil {
		conn.Close()
		return nil, err
	}
	lc := newLineConn(conn)
	raw, _, err := lc.exchange(ctx, line, c.timeout)
	if err != nil {
		conn.Close()
		return nil, err
	}
	var answer struct {
		OK    bool `json:"ok"`
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(raw, &answer); err != nil || !answer.OK {
		conn.Close()
		if err != nil {
			return nil, errorf(CodeConnectionFailed, "unreadable answer to watch")
		}
		return nil, answerError(answer.Error.Code, answer.Error.Message)
	}
	conn.SetDeadline(time.Time{})
	return &Watcher{conn: conn, reader: lc.reader}, nil
}

// Next blocks for the next event. It returns ErrConnectionFailed once the
// connection has closed (the daemon stopped, the watcher fell behind, Close):
// watch again and re-sync with List. A context that ends returns ErrTimedOut
// and closes the watcher.
func (w *Watcher) Next(ctx context.Context) (Event, error) {
	if done := ctx.Done(); done != nil {
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			select {
			case <-done:
				w.conn.SetReadDeadline(time.Unix(1, 0))
			case <-stop:
			}
		}()
	}
	for {
		line, err := w.reader.ReadBytes('\n')
		if err != nil {
			w.conn.Close()
			if ctx.Err() != nil {
				return Event{}, errorf(CodeTimedOut, "stopped waiting for events: %v", ctx.Err())
			}
			return Event{}, errorf(CodeConnectionFailed, "the watch connection closed")
		}
		var event Event
		if json.Unmarshal(line, &event) == nil && event.Kind != "" {
			return event, nil
		}
	}
}

// Close stops watching.
func (w *Watcher) Close() error { return w.conn.Close() }
