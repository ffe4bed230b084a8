// Package vectors reads Protocol/vectors/*.vector and matches responses
// exactly as PROTOCOL.md §12 says: a strict header, `>`, `>raw` (with its
// escapes), `<` and `>eof` steps, placeholders, integers compared exactly,
// "$save:NAME" and ${NAME}.
package vectors

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Kind of a step.
type Kind int

// The step kinds.
const (
	Send Kind = iota
	Expect
	EOF
)

// Step is one line of a vector.
type Step struct {
	Kind    Kind
	Bytes   []byte // Send
	Pattern any    // Expect: parsed JSON, numbers as json.Number
	Line    int
}

// Vector is one parsed vector file.
type Vector struct {
	Name    string
	Comment string
	Steps   []Step
}

var (
	headerKeys   = map[string]bool{"comment": true, "requires": true}
	requirements = map[string]bool{"fresh-vault": true}
	placeholders = map[string]bool{"$any": true, "$string": true, "$int": true, "$timestamp": true, "$timestamp-or-null": true}
)

// ParseJSON parses one JSON value with numbers kept as json.Number (their text).
func ParseJSON(text []byte) (any, error) {
	decoder := json.NewDecoder(bytes.NewReader(text))
	decoder.UseNumber()
	var value any
	if err := decoder.Decode(&value); err != nil {
		return nil, err
	}
	if decoder.More() {
		return nil, fmt.Errorf("more than one JSON value")
	}
	return value, nil
}

// DecodeRaw decodes a `>raw` step: \n \r \t \\ \xHH; any other escape is an error.
func DecodeRaw(text string) ([]byte, error) {
	var out []byte
	for i := 0; i < len(text); i++ {
		if text[i] != '\\' {
			out = append(out, text[i])
			continue
		}
		if i+1 >= len(text) {
			return nil, fmt.Errorf("a lone backslash at the end")
		}
		switch text[i+1] {
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case '\\':
			out = append(out, '\\')
		case 'x':
			if i+3 >= len(text) {
				return nil, fmt.Errorf("\\x needs two hex digits")
			}
			b, err := strconv.ParseUint(text[i+2:i+4], 16, 8)
			if err != nil || strings.ContainsAny(text[i+2:i+4], "+-") {
				return nil, fmt.Errorf("\\x needs two hex digits")
			}
			out = append(out, byte(b))
			i += 2
		default:
			return nil, fmt.Errorf("unknown escape \\%c in a >raw step", text[i+1])
		}
		i++
	}
	return out, nil
}

func checkPattern(pattern any) error {
	switch p := pattern.(type) {
	case string:
		if isSave(p) {
			return nil
		}
		if strings.HasPrefix(p, "$") && !strings.HasPrefix(p, "$$") && !placeholders[p] {
			return fmt.Errorf("unknown placeholder %q", p)
		}
	case []any:
		for _, e := range p {
			if err := checkPattern(e); err != nil {
				return err
			}
		}
	case map[string]any:
		for _, e := range p {
			if err := checkPattern(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// Parse parses one vector's text.
func Parse(text, name string) (*Vector, error) {
	fail := func(line int, format string, args ...any) error {
		where := name + ".vector"
		if line > 0 {
			where += ":" + strconv.Itoa(line)
		}
		return fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...))
	}
	if strings.Contains(text, "\r") {
		return nil, fail(0, "a carriage return in the file (write \\r in a >raw step)")
	}
	lines := strings.Split(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	headers := map[string]string{}
	i := 0
	for ; i < len(lines) && lines[i] != ""; i++ {
		line := lines[i]
		if strings.HasPrefix(line, "#") {
			continue
		}
		colon := strings.Index(line, ":")
		if colon < 0 {
			return nil, fail(i+1, "a header line is `key: value`")
		}
		key, value := line[:colon], strings.TrimSpace(line[colon+1:])
		if !headerKeys[key] {
			return nil, fail(i+1, "unknown header key %q", key)
		}
		if _, twice := headers[key]; twice {
			return nil, fail(i+1, "header %q given twice", key)
		}
		if value == "" {
			return nil, fail(i+1, "header %q is empty", key)
		}
		headers[key] = value
	}
	if headers["comment"] == "" {
		return nil, fail(0, "no comment header")
	}
	for _, word := range strings.Fields(headers["requires"]) {
		if !requirements[word] {
			return nil, fail(0, "unknown requirement %q", word)
		}
	}
	if i >= len(lines) {
		return nil, fail(0, "no empty line and steps after the header")
	}
	v := &Vector{Name: name, Comment: headers["comment"]}
	sent, expected, ended := 0, 0, false
	saved := map[string]bool{}
	checkReferences := func(b []byte, number int) error {
		names, ok := references(b)
		if !ok {
			return fail(number, "a ${ in a send step must be ${NAME} (NAME: letters, digits, _)")
		}
		for _, name := range names {
			if !saved[name] {
				return fail(number, "${%s} is not saved by an earlier \"$save:%s\"", name, name)
			}
		}
		return nil
	}
	for i++; i < len(lines); i++ {
		line, number := lines[i], i+1
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case strings.HasPrefix(line, ">") && ended:
			return nil, fail(number, "a send step after >eof")
		case line == ">eof":
			ended = true
			v.Steps = append(v.Steps, Step{Kind: EOF, Line: number})
		case strings.HasPrefix(line, ">raw "):
			b, err := DecodeRaw(line[5:])
			if err != nil {
				return nil, fail(number, "%v", err)
			}
			if len(b) == 0 {
				return nil, fail(number, "an empty >raw step")
			}
			if err := checkReferences(b, number); err != nil {
				return nil, err
			}
			sent += bytes.Count(b, []byte{'\n'})
			v.Steps = append(v.Steps, Step{Kind: Send, Bytes: b, Line: number})
		case strings.HasPrefix(line, "> "):
			sent++
			b := []byte(line[2:] + "\n")
			if err := checkReferences(b, number); err != nil {
				return nil, err
			}
			v.Steps = append(v.Steps, Step{Kind: Send, Bytes: b, Line: number})
		case strings.HasPrefix(line, "< "):
			pattern, err := ParseJSON([]byte(line[2:]))
			if err == nil {
				err = checkPattern(pattern)
			}
			if err != nil {
				return nil, fail(number, "bad pattern: %v", err)
			}
			for _, name := range savedNames(pattern) {
				if saved[name] {
					return nil, fail(number, "\"$save:%s\" saves a name already saved", name)
				}
				saved[name] = true
			}
			expected++
			if expected > sent {
				return nil, fail(number, "response %d expected before its request line was sent", expected)
			}
			v.Steps = append(v.Steps, Step{Kind: Expect, Pattern: pattern, Line: number})
		default:
			return nil, fail(number, `a step is "> ", ">raw ", "< ", ">eof", or "#" for a comment`)
		}
	}
	if expected == 0 {
		return nil, fail(0, `no "<" step`)
	}
	if expected != sent {
		return nil, fail(0, "%d request lines sent but %d responses expected", sent, expected)
	}
	return v, nil
}

// LoadAll parses every *.vector in folder, sorted; an error for the first bad one or an empty folder.
func LoadAll(folder string) ([]*Vector, error) {
	names, err := filepath.Glob(filepath.Join(folder, "*.vector"))
	if err != nil || len(names) == 0 {
		return nil, fmt.Errorf("no .vector files in %s", folder)
	}
	sort.Strings(names)
	var out []*Vector
	for _, file := range names {
		text, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		v, err := Parse(string(text), strings.TrimSuffix(filepath.Base(file), ".vector"))
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
