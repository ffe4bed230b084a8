package locket

import (
	"encoding/json"
	"time"
)

// The options and answers of the ops (PROTOCOL.md §5).

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
