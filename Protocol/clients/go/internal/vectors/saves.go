package vectors

import (
	"bytes"
	"regexp"
	"strings"
)

// The "$save:NAME" placeholder and ${NAME} references (PROTOCOL.md §12): a
// pattern string that matches any string and remembers it for later sends.

const savePrefix = "$save:"

var saveName = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

func isSave(pattern string) bool {
	return strings.HasPrefix(pattern, savePrefix) && saveName.MatchString(pattern[len(savePrefix):])
}

// savedNames lists the NAMEs a pattern saves.
func savedNames(pattern any) []string {
	switch p := pattern.(type) {
	case string:
		if strings.HasPrefix(p, savePrefix) {
			return []string{p[len(savePrefix):]}
		}
	case []any:
		var out []string
		for _, e := range p {
			out = append(out, savedNames(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, e := range p {
			out = append(out, savedNames(e)...)
		}
		return out
	}
	return nil
}

// references lists the ${NAME}s of a send step; ok is false when a "${" is not ${NAME}.
func references(b []byte) (names []string, ok bool) {
	for i := bytes.Index(b, []byte("${")); i != -1; {
		end := bytes.IndexByte(b[i+2:], '}')
		if end == -1 || !saveName.Match(b[i+2:i+2+end]) {
			return nil, false
		}
		names = append(names, string(b[i+2:i+2+end]))
		next := bytes.Index(b[i+2+end+1:], []byte("${"))
		if next == -1 {
			break
		}
		i = i + 2 + end + 1 + next
	}
	return names, true
}

// Saves are the strings saved so far in one run of a vector.
type Saves map[string]string

// Record remembers what the "$save:NAME" placeholders of a matched pattern matched.
func (s Saves) Record(pattern, actual any) {
	switch p := pattern.(type) {
	case string:
		if text, ok := actual.(string); ok && strings.HasPrefix(p, savePrefix) {
			s[p[len(savePrefix):]] = text
		}
	case []any:
		if a, ok := actual.([]any); ok {
			for i := range p {
				if i < len(a) {
					s.Record(p[i], a[i])
				}
			}
		}
	case map[string]any:
		if a, ok := actual.(map[string]any); ok {
			for name, e := range p {
				if v, ok := a[name]; ok {
					s.Record(e, v)
				}
			}
		}
	}
}

// Substitute replaces every ${NAME} that was saved by the saved string's UTF-8 bytes.
func (s Saves) Substitute(b []byte) []byte {
	if len(s) == 0 || !bytes.Contains(b, []byte("${")) {
		return b
	}
	var out []byte
	for i := 0; i < len(b); {
		if b[i] == '$' && i+1 < len(b) && b[i+1] == '{' {
			if end := bytes.IndexByte(b[i+2:], '}'); end != -1 {
				if value, ok := s[string(b[i+2:i+2+end])]; ok {
					out = append(out, value...)
					i += 2 + end + 1
					continue
				}
			}
		}
		out = append(out, b[i])
		i++
	}
	return out
}
