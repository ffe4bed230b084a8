package locket

import (
	"context"
	"encoding/json"
	"time"
)

// Hello is the daemon's greeting.
type Hello struct {
	Protocol int      `json:"protocol"`
	Server   string   `json:"server"`
	Ops      []string `json:"ops"`
}

// PutOptions: TTL in seconds (0: never expires); IfVersion (nil: unconditional;
// Version(0): only if absent) for compare-and-swap.
type PutOptions struct {
	TTL       int
	IfVersion *int64
}

// DeleteOptions: IfVersion as for PutOptions.
type DeleteOptions struct {
	IfVersion *int64
}

// Version is a pointer to n, for PutOptions.IfVersion and DeleteOptions.IfVersion.
func Version(n int64) *int64 { return &n }

// PutResult is a put's answer.
type PutResult struct {
	Created   bool       `json:"created"`
	Version   int64      `json:"version"`
	ExpiresAt *time.Time `json:"expires_at"`
}

// Entry is a live entry; Value is exactly the JSON text stored.
type Entry struct {
	Value     json.RawMessage `json:"value"`
	Version   int64           `json:"version"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	ExpiresAt *time.Time      `json:"expires_at"`
}

// ListItem is an entry's name and metadata (never its value).
type ListItem struct {
	NS        string     `json:"ns"`
	Key       string     `json:"key"`
	Version   int64      `json:"version"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	ExpiresAt *time.Time `json:"expires_at"`
}

// Status is the daemon's state.
type Status struct {
	Locked         bool   `json:"locked"`
	LockReason     string `json:"lock_reason"`
	KeyStore       string `json:"key_store"`
	KeyStoreNotice string `json:"key_store_notice"`
	Entries        int64  `json:"entries"`
	Version        string `json:"version"`
	UptimeS        int64  `json:"uptime_s"`
	Audit          bool   `json:"audit"`
	AuditDropped   int64  `json:"audit_dropped"`
}

// AuditOptions filter Audit: NS ("" all), Since (zero: no bound), Limit (0: the daemon's default).
type AuditOptions struct {
	NS    string
	Since time.Time
	Limit int
}

// AuditItem is one access the daemon logged.
type AuditItem struct {
	Time       time.Time `json:"time"`
	TimeMS     int64     `json:"time_ms"`
	Op         string    `json:"op"`
	NS         string    `json:"ns"`
	KeyHash    string    `json:"key_hash"`
	Outcome    string    `json:"outcome"`
	Exe        *string   `json:"exe"`
	ExeDeleted bool      `json:"exe_deleted"`
	PID        int       `json:"pid"`
	UID        int       `json:"uid"`
	Unit       *string   `json:"unit"`
}

// AuditLog is an audit answer. Show Damage to the user: it is how tampering shows.
type AuditLog struct {
	Items  []AuditItem `json:"items"`
	Damage []string    `json:"damage"`
}

// Program is one executable of an access rule.
type Program struct {
	Path   string  `json:"path"`
	SHA256 *string `json:"sha256"`
}

// Rule is a namespace's access rule.
type Rule struct {
	NS       string    `json:"ns"`
	Programs []Program `json:"programs"`
}

// AllowOptions: pin SHA256 (64 hex digits), or Hash the file as the daemon reads it now.
type AllowOptions struct {
	SHA256 string
	Hash   bool
}

// AllowResult is an allow's answer.
type AllowResult struct {
	Created  bool      `json:"created"`
	SHA256   *string   `json:"sha256"`
	Programs []Program `json:"programs"`
}

// DenyResult is a deny's answer.
type DenyResult struct {
	Removed  int       `json:"removed"`
	RuleLeft bool      `json:"rule_left"`
	Programs []Program `json:"programs"`
}

// decodeAll decodes a whole answer into out (a struct with json tags).
func decodeAll(answer Answer, out any) error {
	text, _ := json.Marshal(answer)
	if err := json.Unmarshal(text, out); err != nil {
		return errorf(CodeConnectionFailed, "unreadable answer: %v", err)
	}
	return nil
}

func (c *Client) callInto(ctx context.Context, r *Request, out any) error {
	answer, err := c.Call(ctx, r)
	if err != nil {
		return err
	}
	return decodeAll(answer, out)
}

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
	answer, err := c.Call(ctx, NewRequest("get").Set("ns", ns).Set("key", key))
	if err != nil {
		return Entry{}, err
	}
	var entry Entry
	if err := decodeAll(answer, &entry); err != nil {
		return Entry{}, err
	}
	entry.Value = answer["value"] // as sent by the daemon, byte for byte (decodeAll compacts)
	return entry, nil
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
