package locket

import (
	"strings"
	"unicode/utf8"
)

// Names for the go-keyring shape (PROTOCOL.md §8), escaped reversibly.
//
// A Locket name is 1 to 256 UTF-8 bytes with no control character
// (U+0000-U+001F, U+007F). go-keyring allows any string, so EscapeName
// writes "%" as "%25", a control character or a byte that is not valid UTF-8
// as "%XX" (two uppercase hex digits), and the empty string as the lone "%".
// Everything else is kept, so an ordinary name is stored as written. The Node
// client escapes the same way (it writes an unpaired UTF-16 surrogate, which
// Go strings cannot hold, as "%uXXXX").

// MaxNameBytes is the longest name the daemon accepts.
const MaxNameBytes = 256

// EscapeName escapes any string into a valid Locket name; ErrBadRequest when
// the result is over 256 bytes.
func EscapeName(s string) (string, error) {
	if s == "" {
		return "%", nil
	}
	var b strings.Builder
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1, r < 0x20, r == 0x7f, r == '%':
			b.WriteByte('%')
			b.WriteByte(hex[s[i]>>4])
			b.WriteByte(hex[s[i]&15])
			size = 1
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	if b.Len() > MaxNameBytes {
		return "", errorf(CodeBadRequest, "name too long: %d bytes once escaped (at most %d)", b.Len(), MaxNameBytes)
	}
	return b.String(), nil
}

// UnescapeName is the string EscapeName was given ("%XX" back to its byte).
func UnescapeName(name string) string {
	if name == "%" {
		return ""
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		if name[i] == '%' && i+2 < len(name) && isUpperHex(name[i+1]) && isUpperHex(name[i+2]) {
			b.WriteByte(unhex(name[i+1])<<4 | unhex(name[i+2]))
			i += 2
			continue
		}
		b.WriteByte(name[i])
	}
	return b.String()
}

func isUpperHex(c byte) bool { return ('0' <= c && c <= '9') || ('A' <= c && c <= 'F') }

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'A' + 10
}
