package locket

import (
	"fmt"
	"os"
)

// Code is a protocol error code (PROTOCOL.md §6), or one of the client-side
// codes below.
type Code string

// The protocol's codes.
const (
	CodeNotFound    Code = "not_found"
	CodeLocked      Code = "locked"
	CodeConflict    Code = "conflict"
	CodeBadRequest  Code = "bad_request"
	CodeUnknownOp   Code = "unknown_op"
	CodeTooLarge    Code = "too_large"
	CodeForbidden   Code = "forbidden"
	CodeUnavailable Code = "unavailable"
	CodeInternal    Code = "internal"
)

// Client-side codes.
const (
	// CodeDaemonNotRunning: nothing listens on the socket.
	CodeDaemonNotRunning Code = "daemon_not_running"
	// CodeTimedOut: no connection or no answer in time (or the context ended).
	CodeTimedOut Code = "timed_out"
	// CodeConnectionFailed: the connection broke, or the answer was unreadable.
	CodeConnectionFailed Code = "connection_failed"
	// CodeNotTheDaemon: the socket is not the caller's daemon (see NotTheDaemonError).
	CodeNotTheDaemon Code = "not_the_daemon"
)

// Error is every error this package returns, except NotTheDaemonError.
// Programs act on Code, never on Message.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "locket: " + string(e.Code)
	}
	return "locket: " + e.Message
}

// Is makes errors.Is(err, ErrNotFound) match any *Error with that code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Code == e.Code
}

// Sentinels for errors.Is, one per code.
var (
	ErrNotFound         = &Error{Code: CodeNotFound}
	ErrLocked           = &Error{Code: CodeLocked}
	ErrConflict         = &Error{Code: CodeConflict}
	ErrBadRequest       = &Error{Code: CodeBadRequest}
	ErrUnknownOp        = &Error{Code: CodeUnknownOp}
	ErrTooLarge         = &Error{Code: CodeTooLarge}
	ErrForbidden        = &Error{Code: CodeForbidden}
	ErrUnavailable      = &Error{Code: CodeUnavailable}
	ErrInternal         = &Error{Code: CodeInternal}
	ErrDaemonNotRunning = &Error{Code: CodeDaemonNotRunning}
	ErrTimedOut         = &Error{Code: CodeTimedOut}
	ErrConnectionFailed = &Error{Code: CodeConnectionFailed}
	ErrNotTheDaemon     = &Error{Code: CodeNotTheDaemon}
)

var knownCodes = map[Code]bool{
	CodeNotFound: true, CodeLocked: true, CodeConflict: true, CodeBadRequest: true, CodeUnknownOp: true,
	CodeTooLarge: true, CodeForbidden: true, CodeUnavailable: true, CodeInternal: true,
}

// answerError is the daemon's error; an unknown code counts as internal (§6).
func answerError(code, message string) *Error {
	c := Code(code)
	if !knownCodes[c] {
		c = CodeInternal
	}
	if message == "" {
		message = string(c)
	}
	return &Error{Code: c, Message: message}
}

func errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// NotTheDaemonError: the socket, its folder, or the process listening on it
// is not the caller's, so it may be another user's program. Nothing was sent.
// A user seeing it should suspect another user, not restart the daemon.
type NotTheDaemonError struct {
	// Path is the folder or socket that failed the check.
	Path string
	// OwnerUID is its owner's uid (or the peer's uid for a SO_PEERCRED refusal).
	OwnerUID int
	// Mode is the folder's or socket's mode (zero for a SO_PEERCRED refusal).
	Mode os.FileMode
	// Reason says what failed.
	Reason string
}

func (e *NotTheDaemonError) Error() string {
	return fmt.Sprintf("locket: refusing to talk to %s: %s, owned by uid %d%s; it may be another user's program, "+
		"not your locketd (nothing was sent; check who created it)", e.Path, e.Reason, e.OwnerUID, userName(e.OwnerUID))
}

// Is makes errors.Is(err, ErrNotTheDaemon) true.
func (e *NotTheDaemonError) Is(target error) bool { return target == ErrNotTheDaemon }
