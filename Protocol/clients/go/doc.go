// Package locket is a client of locketd, the Locket session vault
// (Protocol/PROTOCOL.md), written with the standard library only.
//
// A Client speaks every op of the protocol over one Unix socket connection,
// opened on first use after the server-identity check (the socket's folder
// must be the caller's, 0700, and the peer's SO_PEERCRED uid the caller's or
// root's), and opened again when the daemon has restarted. Every call takes a
// context.Context. Errors are *Error values carrying the protocol's code;
// compare with errors.Is(err, locket.ErrNotFound) and friends.
//
//	c := locket.New(locket.Options{})
//	defer c.Close()
//	if _, err := c.PutValue(ctx, "my-app", "session", session, locket.PutOptions{TTL: 3600}); err != nil { … }
//	var s Session
//	err := c.GetValue(ctx, "my-app", "session", &s) // errors.Is(err, locket.ErrNotFound) when absent
//
// The go-keyring shape (Set, Get, Delete, ErrNotFound) is in package
// locket/keyring.
package locket
