package locket

import (
	"context"
	"encoding/json"
	"errors"
)

// Outcome says where a session from a TokenSource came from.
type Outcome string

// The outcomes.
const (
	// Resumed: the saved session, used as it was.
	Resumed Outcome = "resumed"
	// Refreshed: this process refreshed it (it held the lease).
	Refreshed Outcome = "refreshed"
	// Shared: another process refreshed (or logged in) first; nothing was spent here.
	Shared Outcome = "shared"
	// LoggedIn: Login made it (no session, or the refresh failed).
	LoggedIn Outcome = "logged_in"
)

// Session is a session value with its version (pass it back to Renew).
type Session[T any] struct {
	Value   T
	Version int64
	Outcome Outcome
}

// TokenSource resumes a saved session, and refreshes it through the daemon's
// refresh lease so that of many processes holding the same expired session
// exactly one spends its refresh token (PROTOCOL.md, Refresh leases); the
// others wait and get its result. Sessions are JSON (encoding/json) under
// NS (the app) and Key (the account).
type TokenSource[T any] struct {
	Client *Client
	NS     string
	Key    string
	// Refresh calls the identity provider with the current session and returns the new one.
	Refresh func(ctx context.Context, current T) (T, error)
	// Login is the fallback: no session, a refresh that failed, a lease that ended before the store.
	Login func(ctx context.Context) (T, error)
	// Expired reports whether a saved session must be refreshed before use (nil: only Renew refreshes).
	Expired func(session T) bool
	// TTL (seconds) makes the daemon forget a stored session then; 0 keeps it.
	TTL int
	// LeaseDuration is the lease's seconds (0: the daemon's default).
	LeaseDuration int
}

// Token is a usable session: the saved one, refreshed first when Expired says so, or a new login.
func (s *TokenSource[T]) Token(ctx context.Context) (Session[T], error) {
	entry, err := s.Client.Get(ctx, s.NS, s.Key)
	if errors.Is(err, ErrNotFound) {
		return s.renew(ctx, nil)
	}
	if err != nil {
		return Session[T]{}, err
	}
	var value T
	if err := json.Unmarshal(entry.Value, &value); err != nil {
		return Session[T]{}, errorf(CodeBadRequest, "the saved session does not decode into %T: %v", value, err)
	}
	if s.Expired != nil && s.Expired(value) {
		return s.renew(ctx, &entry.Version)
	}
	return Session[T]{Value: value, Version: entry.Version, Outcome: Resumed}, nil
}

// Renew is for a session whose access token was rejected (a 401): one process
// refreshes it under the lease; the others get the result.
func (s *TokenSource[T]) Renew(ctx context.Context, stale Session[T]) (Session[T], error) {
	version := stale.Version
	return s.renew(ctx, &version)
}

func (s *TokenSource[T]) renew(ctx context.Context, stale *int64) (Session[T], error) {
	lease, err := s.Client.Lease(ctx, s.NS, s.Key, LeaseOptions{StaleVersion: stale, Duration: s.LeaseDuration})
	if err != nil {
		return Session[T]{}, err
	}
	defer lease.Close()
	if !lease.Granted {
		return decodeSession[T](*lease.Entry, Shared)
	}
	next, outcome, err := s.make(ctx, lease.Entry)
	if err != nil {
		lease.Release(ctx)
		return Session[T]{}, err
	}
	text, err := json.Marshal(next)
	if err != nil {
		lease.Release(ctx)
		return Session[T]{}, errorf(CodeBadRequest, "cannot encode the session: %v", err)
	}
	put, err := lease.Store(ctx, text, PutOptions{TTL: s.TTL})
	if err == nil {
		return Session[T]{Value: next, Version: put.Version, Outcome: outcome}, nil
	}
	if !errors.Is(err, ErrConflict) {
		return Session[T]{}, err
	}
	// The lease ended before the store (its duration passed, the entry was deleted).
	current, err := s.Client.Get(ctx, s.NS, s.Key)
	if err == nil && (lease.Entry == nil || current.Version != lease.Entry.Version) {
		return decodeSession[T](current, Shared)
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Session[T]{}, err
	}
	fresh, err := s.Login(ctx)
	if err != nil {
		return Session[T]{}, err
	}
	put, err = s.Client.PutValue(ctx, s.NS, s.Key, fresh, PutOptions{TTL: s.TTL})
	if err != nil {
		return Session[T]{}, err
	}
	return Session[T]{Value: fresh, Version: put.Version, Outcome: LoggedIn}, nil
}

// make refreshes the entry, or logs in when there is none or the refresh fails.
func (s *TokenSource[T]) make(ctx context.Context, entry *Entry) (T, Outcome, error) {
	if entry != nil {
		var current T
		if json.Unmarshal(entry.Value, &current) == nil {
			if next, err := s.Refresh(ctx, current); err == nil {
				return next, Refreshed, nil
			}
		}
		// The provider refused (or an earlier holder died after rotating the token): log in.
	}
	next, err := s.Login(ctx)
	return next, LoggedIn, err
}

func decodeSession[T any](entry Entry, outcome Outcome) (Session[T], error) {
	var value T
	if err := json.Unmarshal(entry.Value, &value); err != nil {
		return Session[T]{}, errorf(CodeBadRequest, "the stored session does not decode into %T: %v", value, err)
	}
	return Session[T]{Value: value, Version: entry.Version, Outcome: outcome}, nil
}
