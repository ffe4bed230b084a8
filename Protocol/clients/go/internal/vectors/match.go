package vectors

import (
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var timestampShape = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$`)

// IsTimestamp: `YYYY-MM-DDTHH:MM:SSZ` and a real date and time.
func IsTimestamp(text string) bool {
	m := timestampShape.FindStringSubmatch(text)
	if m == nil {
		return false
	}
	n := make([]int, 6)
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1])
	}
	year, month, day := n[0], n[1], n[2]
	if month < 1 || month > 12 || n[3] > 23 || n[4] > 59 || n[5] > 59 || day < 1 {
		return false
	}
	leap := year%4 == 0 && (year%100 != 0 || year%400 == 0)
	days := []int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[month-1]
	if month == 2 && leap {
		days = 29
	}
	return day <= days
}

func isInteger(n json.Number) bool { return !strings.ContainsAny(string(n), ".eE") }

func show(v any) string {
	text, _ := json.Marshal(v)
	if len(text) > 200 {
		text = text[:200]
	}
	return string(text)
}

// Match matches a parsed response against a pattern: "" on a match, else where and why not.
func Match(pattern, actual any, at string) string {
	no := func(what string) string { return fmt.Sprintf("at %s: expected %s, got %s", at, what, show(actual)) }
	switch p := pattern.(type) {
	case string:
		s, isString := actual.(string)
		switch p {
		case "$any":
			return ""
		case "$string":
			if isString {
				return ""
			}
			return no("a string")
		case "$int":
			if n, ok := actual.(json.Number); ok && isInteger(n) {
				return ""
			}
			return no("an integer")
		case "$timestamp":
			if isString && IsTimestamp(s) {
				return ""
			}
			return no("a timestamp")
		case "$timestamp-or-null":
			if actual == nil || (isString && IsTimestamp(s)) {
				return ""
			}
			return no("a timestamp or null")
		}
		if strings.HasPrefix(p, savePrefix) {
			if isString {
				return ""
			}
			return no("a string (to save)")
		}
		literal := p
		if strings.HasPrefix(p, "$$") {
			literal = p[1:]
		}
		if isString && s == literal {
			return ""
		}
		return no(strconv.Quote(literal))
	case nil:
		if actual == nil {
			return ""
		}
		return no("null")
	case bool:
		if b, ok := actual.(bool); ok && b == p {
			return ""
		}
		return no(strconv.FormatBool(p))
	case json.Number:
		n, ok := actual.(json.Number)
		if !ok {
			return no(string(p))
		}
		if isInteger(p) && isInteger(n) {
			// Integers compare exactly, to any size (-0 is 0, as the vectors expect).
			a, _ := new(big.Int).SetString(string(p), 10)
			b, _ := new(big.Int).SetString(string(n), 10)
			if a != nil && b != nil && a.Cmp(b) == 0 {
				return ""
			}
			return no(string(p))
		}
		a, errA := strconv.ParseFloat(string(p), 64)
		b, errB := strconv.ParseFloat(string(n), 64)
		if errA == nil && errB == nil && a == b {
			return ""
		}
		return no(string(p))
	case []any:
		a, ok := actual.([]any)
		if !ok {
			return no("an array")
		}
		if len(a) != len(p) {
			return no(fmt.Sprintf("an array of %d elements", len(p)))
		}
		for i := range p {
			if problem := Match(p[i], a[i], fmt.Sprintf("%s[%d]", at, i)); problem != "" {
				return problem
			}
		}
		return ""
	case map[string]any:
		a, ok := actual.(map[string]any)
		if !ok {
			return no("an object")
		}
		names := make([]string, 0, len(p))
		for name := range p {
			names = append(names, name)
			if _, ok := a[name]; !ok {
				return fmt.Sprintf("at %s: member %q is missing in %s", at, name, show(actual))
			}
		}
		for name := range a {
			if _, ok := p[name]; !ok {
				return fmt.Sprintf("at %s: unexpected member %q in %s", at, name, show(actual))
			}
		}
		sort.Strings(names)
		for _, name := range names {
			if problem := Match(p[name], a[name], at+"."+name); problem != "" {
				return problem
			}
		}
		return ""
	}
	return fmt.Sprintf("at %s: the pattern holds %T", at, pattern)
}
