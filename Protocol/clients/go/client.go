package locket

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"time"
)

// Options configure a Client. The zero value is the default.
type Options struct {
	// SocketPath is the daemon's socket; empty resolves it like the daemon (SocketPath).
	SocketPath string
	// ConnectTimeout bounds a connect; zero or more than MaxConnectTimeout means MaxConnectTimeout.
	ConnectTimeout time.Duration
	// Timeout bounds each call's answer unless the context's deadline is sooner (default 10 s).
	Timeout time.Duration
}

// Client is a connection to locketd, opened on first use and reopened after
// the daemon restarted. Safe for concurrent use (calls are serialized on one
// connection; use several Clients for parallelism).
type Client struct {
	path           string
	connectTimeout time.Duration
	timeout        time.Duration

	mu     sync.Mutex
	conn   *lineConn
	nextID int64
}

// New makes a client; nothing is connected until the first call.
func New(options Options) *Client {
	c := &Client{path: SocketPath(options.SocketPath), connectTimeout: options.ConnectTimeout, timeout: options.Timeout}
	if c.connectTimeout <= 0 || c.connectTimeout > MaxConnectTimeout {
		c.connectTimeout = MaxConnectTimeout
	}
	if c.timeout <= 0 {
		c.timeout = 10 * time.Second
	}
	return c
}

// Path is the socket this client talks to.
func (c *Client) Path() string { return c.path }

// Close closes the connection; a later call opens a new one.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != nil {
		c.conn.close()
		c.conn = nil
	}
	return nil
}

// Request is one request's members besides id, each as JSON text, in order.
type Request struct {
	op      string
	members []member
}

type member struct {
	name string
	json []byte
}

// NewRequest starts a request for op (for ops this package has no method for).
func NewRequest(op string) *Request { return &Request{op: op} }

// Set adds a member, encoded with encoding/json. A json.RawMessage is sent as
// written (checked to be one JSON value), byte for byte.
func (r *Request) Set(name string, value any) *Request {
	var text []byte
	if raw, ok := value.(json.RawMessage); ok {
		text = raw
	} else {
		text, _ = json.Marshal(value)
	}
	r.members = append(r.members, member{name, text})
	return r
}

func (r *Request) line(id int64) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"id":`)
	b.WriteString(strconv.FormatInt(id, 10))
	b.WriteString(`,"op":`)
	op, _ := json.Marshal(r.op)
	b.Write(op)
	for _, m := range r.members {
		if len(m.json) == 0 || !json.Valid(m.json) || bytes.ContainsAny(m.json, "\n") {
			return nil, errorf(CodeBadRequest, "member %q is not one JSON value on one line", m.name)
		}
		name, _ := json.Marshal(m.name)
		b.WriteByte(',')
		b.Write(name)
		b.WriteByte(':')
		b.Write(m.json)
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

// Answer is a success answer's members, each as its JSON text.
type Answer map[string]json.RawMessage

// Decode decodes member name into out; ErrConnectionFailed when it is missing or mistyped.
func (a Answer) Decode(name string, out any) error {
	raw, ok := a[name]
	if !ok {
		return errorf(CodeConnectionFailed, "the answer lacks %q", name)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return errorf(CodeConnectionFailed, "the answer's %q: %v", name, err)
	}
	return nil
}

// ops that change nothing: retried once on a fresh connection when a reused one broke.
var idempotentOps = map[string]bool{"hello": true, "ping": true, "get": true, "list": true, "status": true, "audit": true, "rules": true}

// Call sends a request and returns the success answer, or an *Error with the daemon's code.
func (c *Client) Call(ctx context.Context, request *Request) (Answer, error) {
	raw, err := c.roundTrip(ctx, request)
	if err != nil {
		return nil, err
	}
	var answer Answer
	if err := json.Unmarshal(raw, &answer); err != nil {
		return nil, errorf(CodeConnectionFailed, "locketd answered a line that is not a JSON object")
	}
	delete(answer, "id")
	delete(answer, "ok")
	return answer, nil
}

// callInto sends a request and decodes the success answer into out (a struct
// with json tags; a json.RawMessage member keeps the daemon's bytes as sent).
func (c *Client) callInto(ctx context.Context, request *Request, out any) error {
	raw, err := c.roundTrip(ctx, request)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return errorf(CodeConnectionFailed, "unreadable answer: %v", err)
	}
	return nil
}

// envelope is what every answer line has: the id, ok, and on failure the error.
type envelope struct {
	ID    json.RawMessage `json:"id"`
	OK    bool            `json:"ok"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// roundTrip sends the request and returns the answer line of a success
// (checked to answer this request), or the daemon's error.
func (c *Client) roundTrip(ctx context.Context, request *Request) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextID++
	id := c.nextID
	line, err := request.line(id)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		fresh := false
		if c.conn == nil || c.conn.stale() {
			c.dropConnection()
			conn, err := dial(ctx, c.path, c.connectTimeout)
			if err != nil {
				return nil, err
			}
			c.conn, fresh = newLineConn(conn), true
		}
		raw, sent, err := c.conn.exchange(ctx, line, c.timeout)
		if err != nil {
			c.dropConnection()
			again := attempt == 0 && errors.Is(err, ErrConnectionFailed) && (!sent || (!fresh && idempotentOps[request.op]))
			if again {
				continue
			}
			return nil, err
		}
		// locketd writes id and ok first: a success for this id needs no second parse.
		if bytes.HasPrefix(raw, []byte(`{"id":`+strconv.FormatInt(id, 10)+`,"ok":true,`)) {
			return raw, nil
		}
		var head envelope
		if err := json.Unmarshal(raw, &head); err != nil {
			c.dropConnection()
			return nil, errorf(CodeConnectionFailed, "locketd answered a line that is not a JSON object")
		}
		if len(head.ID) == 0 && !head.OK && head.Error != nil {
			// A refusal written before any request was read (forbidden, unavailable at the cap).
			c.dropConnection()
			return nil, answerError(head.Error.Code, head.Error.Message)
		}
		if string(head.ID) != strconv.FormatInt(id, 10) {
			c.dropConnection()
			return nil, errorf(CodeConnectionFailed, "answer for id %s to request %d", head.ID, id)
		}
		if !head.OK {
			if head.Error == nil {
				return nil, answerError("", "")
			}
			return nil, answerError(head.Error.Code, head.Error.Message)
		}
		return raw, nil
	}
}

func (c *Client) dropConnection() {
	if c.conn != nil {
		c.conn.close()
		c.conn = nil
	}
}
