package locket

import (
	"context"
	"encoding/json"
	"time"
)

// Every op of PROTOCOL.md §5 as a method of Client.

// Hello greets the daemon: protocol version, server name, the ops it serves.
func (c *Client) Hello(ctx context.Context) (Hello, error) {
	var h Hello
	return h, c.callInto(ctx, NewRequest("hello").Set("version", 1), &h)
}

// Ping checks that the daemon answers.
func (c *Client) Ping(ctx context.Context) error {
	_, err := c.Call(ctx, NewRequest("ping"))
	return err
}

// Put stores value (one JSON value as text, sent byte for byte) under ns/key.
func (c *Client) Put(ctx context.Context, ns, key string, value json.RawMessage, options PutOptions) (PutResult, error) {
	r := NewRequest("put").Set("ns", ns).Set("key", key).Set("value", value)
	if options.TTL != 0 {
		r.Set("ttl", options.TTL)
	}
	if options.IfVersion != nil {
		r.Set("if_version", *options.IfVersion)
	}
	var result PutResult
	return result, c.callInto(ctx, r, &result)
}

// PutValue stores v encoded with encoding/json.
func (c *Client) PutValue(ctx context.Context, ns, key string, v any, options PutOptions) (PutResult, error) {
	text, err := json.Marshal(v)
	if err != nil {
		return PutResult{}, errorf(CodeBadRequest, "cannot encode the value as JSON: %v", err)
	}
	return c.Put(ctx, ns, key, text, options)
}

// Get reads the live entry; ErrNotFound when there is none.
func (c *Client) Get(ctx context.Context, ns, key string) (Entry, error) {
	var entry Entry
	return entry, c.callInto(ctx, NewRequest("get").Set("ns", ns).Set("key", key), &entry)
}

// GetValue decodes the live entry's value into out; ErrNotFound when there is none.
func (c *Client) GetValue(ctx context.Context, ns, key string, out any) error {
	entry, err := c.Get(ctx, ns, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(entry.Value, out); err != nil {
		return errorf(CodeBadRequest, "the stored value does not decode into %T: %v", out, err)
	}
	return nil
}

// Delete removes the live entry; true when one was removed.
func (c *Client) Delete(ctx context.Context, ns, key string, options DeleteOptions) (bool, error) {
	r := NewRequest("delete").Set("ns", ns).Set("key", key)
	if options.IfVersion != nil {
		r.Set("if_version", *options.IfVersion)
	}
	var result struct {
		Deleted bool `json:"deleted"`
	}
	return result.Deleted, c.callInto(ctx, r, &result)
}

// List names the live entries of ns ("" for every namespace), sorted; never values.
func (c *Client) List(ctx context.Context, ns string) ([]ListItem, error) {
	r := NewRequest("list")
	if ns != "" {
		r.Set("ns", ns)
	}
	var result struct {
		Items []ListItem `json:"items"`
	}
	return result.Items, c.callInto(ctx, r, &result)
}

// Status is the daemon's state.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var s Status
	return s, c.callInto(ctx, NewRequest("status"), &s)
}

// Lock drops the master key from memory.
func (c *Client) Lock(ctx context.Context) error {
	_, err := c.Call(ctx, NewRequest("lock"))
	return err
}

// Unlock fetches the master key again; passphrase only for the passphrase key store ("" for none).
func (c *Client) Unlock(ctx context.Context, passphrase string) error {
	r := NewRequest("unlock")
	if passphrase != "" {
		r.Set("passphrase", passphrase)
	}
	_, err := c.Call(ctx, r)
	return err
}

// Rotate makes a new master key; the number of entries re-wrapped.
func (c *Client) Rotate(ctx context.Context) (int, error) {
	var result struct {
		Rewrapped int `json:"rewrapped"`
	}
	return result.Rewrapped, c.callInto(ctx, NewRequest("rotate"), &result)
}

// Audit reads the access audit log.
func (c *Client) Audit(ctx context.Context, options AuditOptions) (AuditLog, error) {
	r := NewRequest("audit")
	if options.NS != "" {
		r.Set("ns", options.NS)
	}
	if !options.Since.IsZero() {
		r.Set("since", options.Since.UTC().Format(time.RFC3339Nano))
	}
	if options.Limit != 0 {
		r.Set("limit", options.Limit)
	}
	var log AuditLog
	return log, c.callInto(ctx, r, &log)
}

// Allow lets the executable at path use ns (creating the namespace's rule).
func (c *Client) Allow(ctx context.Context, ns, path string, options AllowOptions) (AllowResult, error) {
	r := NewRequest("allow").Set("ns", ns).Set("path", path)
	if options.SHA256 != "" {
		r.Set("sha256", options.SHA256)
	}
	if options.Hash {
		r.Set("hash", true)
	}
	var result AllowResult
	return result, c.callInto(ctx, r, &result)
}

// Deny removes path from ns's rule ("" removes the whole rule).
func (c *Client) Deny(ctx context.Context, ns, path string) (DenyResult, error) {
	r := NewRequest("deny").Set("ns", ns)
	if path != "" {
		r.Set("path", path)
	}
	var result DenyResult
	return result, c.callInto(ctx, r, &result)
}

// Rules lists the access rules (of ns only, unless "").
func (c *Client) Rules(ctx context.Context, ns string) ([]Rule, error) {
	r := NewRequest("rules")
	if ns != "" {
		r.Set("ns", ns)
	}
	var result struct {
		Items []Rule `json:"items"`
	}
	return result.Items, c.callInto(ctx, r, &result)
}
