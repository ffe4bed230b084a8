package locket

import (
	"context"
	"encoding/json"
	"time"
)

// The refresh lease (PROTOCOL.md §5, lease and release). A lease is asked for
// on a connection of its own: a waiting `lease` holds up every later request
// of its connection, and the lease belongs to the connection that got it.

// LeaseOptions: StaleVersion (nil: none) is the version whose access token was
// rejected (a newer live entry is answered at once); Duration is the seconds
// wanted (0: the daemon's default; it may grant less); Wait bounds the wait
// for another holder (0: 15 minutes; the context's deadline also applies).
type LeaseOptions struct {
	StaleVersion *int64
	Duration     int
	Wait         time.Duration
}

// Lease is the answer to Client.Lease. When Granted, this process holds the
// lease: refresh Entry (or log in when it is nil), then Store the result
// (which ends the lease) or Release. When not Granted, Entry is the newer
// entry another process stored: use it. Always Close (Store and Release do).
type Lease struct {
	// Granted: this process holds the lease.
	Granted bool
	// Entry: the entry to refresh (nil: none, log in), or the newer entry when not granted.
	Entry *Entry
	// Token is the lease token (opaque), when granted.
	Token string
	// ExpiresAt is when the lease ends by itself, when granted.
	ExpiresAt time.Time
	// Duration is the seconds granted.
	Duration int

	client *Client
	ns     string
	key    string
}

// Lease asks for the refresh lease on ns/key, waiting while another process holds it.
func (c *Client) Lease(ctx context.Context, ns, key string, options LeaseOptions) (*Lease, error) {
	wait := options.Wait
	if wait <= 0 {
		wait = 15 * time.Minute
	}
	own := New(Options{SocketPath: c.path, ConnectTimeout: c.connectTimeout, Timeout: wait})
	r := NewRequest("lease").Set("ns", ns).Set("key", key)
	if options.StaleVersion != nil {
		r.Set("stale_version", *options.StaleVersion)
	}
	if options.Duration != 0 {
		r.Set("duration", options.Duration)
	}
	raw, err := own.roundTrip(ctx, r)
	if err != nil {
		own.Close()
		return nil, err
	}
	var answer struct {
		Granted   bool      `json:"granted"`
		Lease     string    `json:"lease"`
		ExpiresAt time.Time `json:"expires_at"`
		Duration  int       `json:"duration"`
		Entry     *Entry    `json:"entry"`
	}
	if err := json.Unmarshal(raw, &answer); err != nil {
		own.Close()
		return nil, errorf(CodeConnectionFailed, "unreadable answer to lease: %v", err)
	}
	lease := &Lease{client: own, ns: ns, key: key}
	if !answer.Granted {
		// Someone else refreshed: the answer's members are the entry, as get answers it.
		own.Close()
		var entry Entry
		if err := json.Unmarshal(raw, &entry); err != nil {
			return nil, errorf(CodeConnectionFailed, "unreadable answer to lease: %v", err)
		}
		lease.Entry = &entry
		return lease, nil
	}
	lease.Granted, lease.Token, lease.ExpiresAt, lease.Duration = true, answer.Lease, answer.ExpiresAt, answer.Duration
	lease.Entry = answer.Entry
	return lease, nil
}

var errNotGranted = errorf(CodeBadRequest, "this lease was not granted: use its entry")

// Store puts value under the lease, which ends it; ErrConflict when the lease had already ended.
func (l *Lease) Store(ctx context.Context, value json.RawMessage, options PutOptions) (PutResult, error) {
	if !l.Granted {
		return PutResult{}, errNotGranted
	}
	defer l.Close()
	r := NewRequest("put").Set("ns", l.ns).Set("key", l.key).Set("value", value).Set("lease", l.Token)
	if options.TTL != 0 {
		r.Set("ttl", options.TTL)
	}
	if options.IfVersion != nil {
		r.Set("if_version", *options.IfVersion)
	}
	var result PutResult
	return result, l.client.callInto(ctx, r, &result)
}

// Delete deletes the entry under the lease, which ends it.
func (l *Lease) Delete(ctx context.Context) (bool, error) {
	if !l.Granted {
		return false, errNotGranted
	}
	defer l.Close()
	var result struct {
		Deleted bool `json:"deleted"`
	}
	return result.Deleted, l.client.callInto(ctx, NewRequest("delete").Set("ns", l.ns).Set("key", l.key).Set("lease", l.Token), &result)
}

// Release gives the lease up without storing (the next waiter is served);
// false when it had already ended (or was never granted).
func (l *Lease) Release(ctx context.Context) bool {
	if !l.Granted {
		return false
	}
	defer l.Close()
	var result struct {
		Released bool `json:"released"`
	}
	err := l.client.callInto(ctx, NewRequest("release").Set("ns", l.ns).Set("key", l.key).Set("lease", l.Token), &result)
	return err == nil && result.Released
}

// Close closes the lease's connection, which ends a lease still held.
func (l *Lease) Close() error { return l.client.Close() }
