package locket

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"time"
)

// MaxConnectTimeout bounds how long a connect may take.
const MaxConnectTimeout = time.Second

// Dial opens a checked connection to the daemon at path (resolved with
// SocketPath when empty), for speaking the protocol yourself: the folder check,
// connect (at most MaxConnectTimeout, or ctx's deadline if sooner), then the
// SO_PEERCRED check. Nothing is sent.
func Dial(ctx context.Context, path string) (*net.UnixConn, error) {
	return dial(ctx, SocketPath(path), MaxConnectTimeout)
}

func dial(ctx context.Context, path string, timeout time.Duration) (*net.UnixConn, error) {
	if len(path) >= 108 {
		return nil, errorf(CodeConnectionFailed, "socket path is too long (%d bytes, under 108): %s", len(path), path)
	}
	uid := os.Getuid()
	if err := checkFolder(path, uid); err != nil {
		return nil, err
	}
	if timeout <= 0 || timeout > MaxConnectTimeout {
		timeout = MaxConnectTimeout
	}
	dialer := net.Dialer{Timeout: timeout}
	conn, err := dialer.DialContext(ctx, "unix", path)
	if err != nil {
		switch {
		case errors.Is(err, syscall.ENOENT), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ENOTDIR):
			return nil, errorf(CodeDaemonNotRunning, "locketd is not running (nothing listens on %s); start it with `systemctl --user start locketd.socket` or `locketd &`", path)
		case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
			return nil, errorf(CodeForbidden, "cannot open %s: %v", path, err)
		case isTimeout(err) || ctx.Err() != nil:
			return nil, errorf(CodeTimedOut, "could not connect to %s within %v", path, timeout)
		}
		return nil, errorf(CodeConnectionFailed, "connect(%s): %v", path, err)
	}
	unix := conn.(*net.UnixConn)
	if err := checkPeer(unix, path, uid); err != nil {
		unix.Close()
		return nil, err
	}
	return unix, nil
}

func isTimeout(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}

// lineConn is a connection for requests, one at a time.
type lineConn struct {
	conn   *net.UnixConn
	reader *bufio.Reader
}

func newLineConn(conn *net.UnixConn) *lineConn {
	return &lineConn{conn: conn, reader: bufio.NewReaderSize(conn, 64*1024)}
}

// stale: the daemon closed the connection while it was idle (a restart, the
// idle timeout), or sent something unasked. Checked before reusing it.
func (c *lineConn) stale() bool {
	if c.reader.Buffered() > 0 {
		return true
	}
	raw, err := c.conn.SyscallConn()
	if err != nil {
		return true
	}
	c.conn.SetReadDeadline(time.Time{}) // a passed deadline would skip the check below
	stale := false
	raw.Read(func(fd uintptr) bool {
		var b [1]byte
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		stale = n > 0 || (err == nil && n == 0) || (err != nil && err != syscall.EAGAIN && err != syscall.EINTR)
		return true
	})
	return stale
}

// exchange writes one line and reads one line. sent is false when nothing
// reached the socket (so the request can be sent again elsewhere).
func (c *lineConn) exchange(ctx context.Context, line []byte, timeout time.Duration) (answer []byte, sent bool, err error) {
	deadline := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	c.conn.SetDeadline(deadline)
	if done := ctx.Done(); done != nil {
		stop := make(chan struct{})
		finished := make(chan struct{})
		go func() {
			defer close(finished)
			select {
			case <-done:
				c.conn.SetDeadline(time.Unix(1, 0)) // unblocks the read below
			case <-stop:
			}
		}()
		// The watcher ends before this call returns: left running, it could see the
		// context end (a caller's deferred cancel) after the next call on this
		// connection set its own deadline, and cut that call short as "did not answer".
		defer func() {
			close(stop)
			<-finished
		}()
	}
	n, err := c.conn.Write(line)
	if err != nil {
		return nil, n > 0, c.failure(ctx, err, timeout)
	}
	answer, err = c.reader.ReadBytes('\n')
	if err != nil {
		return nil, true, c.failure(ctx, err, timeout)
	}
	return answer[:len(answer)-1], true, nil
}

func (c *lineConn) failure(ctx context.Context, err error, timeout time.Duration) error {
	switch {
	case ctx.Err() != nil:
		return errorf(CodeTimedOut, "the call was cancelled or its deadline passed: %v", ctx.Err())
	case isTimeout(err):
		return errorf(CodeTimedOut, "locketd did not answer within %v", timeout)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errorf(CodeConnectionFailed, "locketd closed the connection")
	}
	return errorf(CodeConnectionFailed, "connection broke: %v", err)
}

func (c *lineConn) close() { c.conn.Close() }
