package vectors

import "testing"

func TestParserIsStrict(t *testing.T) {
	if v, err := Parse("comment: c\n\n> {\"op\":\"ping\"}\n< {\"ok\":true}\n", "ok"); err != nil || len(v.Steps) != 2 {
		t.Fatalf("a good vector: %v", err)
	}
	bad := map[string]string{
		"an unknown header key":     "comment: c\nexpect: x\n\n> {}\n< {}\n",
		"a header given twice":      "comment: c\ncomment: d\n\n> {}\n< {}\n",
		"an unknown requires value": "comment: c\nrequires: warm-vault\n\n> {}\n< {}\n",
		"no comment":                "requires: fresh-vault\n\n> {}\n< {}\n",
		"a carriage return":         "comment: c\r\n\n> {}\n< {}\n",
		"an unknown >raw escape":    "comment: c\n\n>raw {}\\u0041\n\n< {}\n",
		"a bad \\x escape":          "comment: c\n\n>raw {}\\xZZ\\n\n< {}\n",
		"a short \\x escape":        "comment: c\n\n>raw {}\\n\\x4\n< {}\n",
		"an unknown placeholder":    "comment: c\n\n> {}\n< {\"a\":\"$number\"}\n",
		"a send after >eof":         "comment: c\n\n> {}\n>eof\n> {}\n< {}\n< {}\n",
		"fewer answers than lines":  "comment: c\n\n> {}\n> {}\n< {}\n",
		"an answer before its line": "comment: c\n\n< {}\n> {}\n",
		"an unknown step":           "comment: c\n\n> {}\n<{}\n",
	}
	for why, text := range bad {
		if _, err := Parse(text, "bad"); err == nil {
			t.Errorf("accepted %s", why)
		}
	}
}

func TestRawEscapes(t *testing.T) {
	b, err := DecodeRaw(`a\r\n\t\\\xff\n`)
	if err != nil || string(b) != "a\r\n\t\\\xff\n" {
		t.Fatalf("got %q, %v", b, err)
	}
}

func TestMatching(t *testing.T) {
	cases := []struct {
		pattern, actual string
		match           bool
	}{
		{`9007199254740993`, `9007199254740993`, true},
		{`9007199254740993`, `9007199254740992`, false},
		{`123456789012345678901234567890`, `123456789012345678901234567891`, false},
		{`0`, `-0`, true},
		{`1.5`, `15e-1`, true},
		{`1`, `1.0`, true},
		{`1`, `true`, false},
		{`"$int"`, `3.0`, false},
		{`"$int"`, `3`, true},
		{`"$timestamp"`, `"2024-02-29T23:59:59Z"`, true},
		{`"$timestamp"`, `"2023-02-29T00:00:00Z"`, false},
		{`"$timestamp-or-null"`, `null`, true},
		{`"$$x"`, `"$x"`, true},
		{`{"a":1}`, `{"a":1,"b":2}`, false},
		{`{"a":1,"b":2}`, `{"a":1}`, false},
		{`[1,2]`, `[2,1]`, false},
		{`"$any"`, `{"x":[1]}`, true},
	}
	for _, c := range cases {
		p, _ := ParseJSON([]byte(c.pattern))
		a, _ := ParseJSON([]byte(c.actual))
		if got := Match(p, a, "$") == ""; got != c.match {
			t.Errorf("%s vs %s: match %v, want %v", c.pattern, c.actual, got, c.match)
		}
	}
}

func TestSaves(t *testing.T) {
	v, err := Parse("comment: c\n\n> {}\n< {\"t\":\"$save:tok\"}\n>raw {\"a\":\"${tok}\",\"b\":\"${tok}\"}\\n\n< {}\n", "save")
	if err != nil {
		t.Fatal(err)
	}
	pattern := v.Steps[1].Pattern
	good, _ := ParseJSON([]byte(`{"t":"é-1"}`))
	bad, _ := ParseJSON([]byte(`{"t":1}`))
	if Match(pattern, good, "$") != "" || Match(pattern, bad, "$") == "" {
		t.Fatal("$save: matches strings only")
	}
	saves := Saves{}
	saves.Record(pattern, good)
	if got := string(saves.Substitute(v.Steps[2].Bytes)); got != `{"a":"é-1","b":"é-1"}`+"\n" {
		t.Fatalf("substituted %q", got)
	}
}
