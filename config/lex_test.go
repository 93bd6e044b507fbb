package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestSplitWords(t *testing.T) {
	tests := []struct {
		name string
		line string
		want []string
	}{
		{"unquoted", `%h %u`, []string{"%h", "%u"}},
		{"double quotes", `"%h %l %u" common`, []string{"%h %l %u", "common"}},
		{"single quotes", `'%h "%r"' x`, []string{`%h "%r"`, "x"}},
		{"unterminated quote", `"%h %u x`, []string{"%h %u x"}},
		{"no space after closing quote", `"a"b "c"'d'`, []string{"a", "b", "c", "d"}},
		{"quote inside a word", `a"b c"d`, []string{`a"b`, `c"d`}},
		{"empty quoted word", `"" x ''`, []string{"", "x", ""}},
		{"escaped quote", `"a\"b" 'c\'d' "e\'f"`, []string{`a"b`, `c'd`, `e\'f`}},
		{"escaped backslash", `"a\\b" 'c\\d'`, []string{`a\b`, `c\d`}},
		{"other escapes kept", `"\t\n\x41\q"`, []string{`\t\n\x41\q`}},
		{"bare backslashes", `a\\b\c\"d`, []string{`a\b\c\"d`}},
		{"trailing backslash in quotes", `"abc\`, []string{`abc\`}},
		{"escaped quote at end", `"abc\"`, []string{`abc"`}},
		{"white space kinds", "a\tb\vc\fd\re", []string{"a", "b", "c", "d", "e"}},
		{"empty", ``, nil},
		// The conformance corpus case literal_backslash_escapes.
		{"corpus backslashes", `"a\tb|c\\nd|e\\\\f|g\qh|i\"j|k\rl|\x41|%%|m\\"`,
			[]string{`a\tb|c\nd|e\\f|g\qh|i"j|k\rl|\x41|%%|m\`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := splitWords(tt.line); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("splitWords(%q) = %q, want %q", tt.line, got, tt.want)
			}
		})
	}
}

func TestQuoteWordRoundTrip(t *testing.T) {
	words := []string{"", "plain", "two words", `"lead`, `'lead`, `back\slash`, `\\`,
		`a"b`, "tab\there", `end\`, `#hash`, "%{X}i", `\"`, "cr\rlf"}
	for _, w := range words {
		for _, lineStart := range []bool{false, true} {
			q := quoteWord(w, lineStart)
			got, rest := getword(q)
			if got != w || rest != "" {
				t.Errorf("getword(quoteWord(%q)) = %q, %q", w, got, rest)
			}
		}
	}
	if q := quoteWord("#hash", true); !strings.HasPrefix(q, `"`) {
		t.Errorf("quoteWord(%q, true) = %s, want it quoted", "#hash", q)
	}
}

func TestSourceLines(t *testing.T) {
	type line struct {
		text        string
		first, last int
	}
	tests := []struct {
		name string
		data string
		want []line
	}{
		{"plain", "a\nb\n", []line{{"a", 1, 1}, {"b", 2, 2}}},
		{"no final newline", "a\nb", []line{{"a", 1, 1}, {"b", 2, 2}}},
		{"trimmed", "  a b \t\r\n", []line{{"a b", 1, 1}}},
		{"continuation", "a \\\n  b\nc\n", []line{{"a   b", 1, 2}, {"c", 3, 3}}},
		{"crlf continuation", "a\\\r\nb\r\n", []line{{"ab", 1, 2}}},
		{"space after backslash", "a\\ \nb\n", []line{{`a\`, 1, 1}, {"b", 2, 2}}},
		{"backslash at end of file", "a\\", []line{{`a\`, 1, 1}}},
		{"continuation into end of file", "a\\\n", []line{{"a", 1, 1}}},
		{"double backslash continues", "a\\\\\nb\n", []line{{`a\b`, 1, 2}}},
		{"NUL ends the line", "ab\x00cd\\\nef\n", []line{{"ab", 1, 1}, {"ef", 2, 2}}},
		{"blank and comment lines", "\n# c\n", []line{{"", 1, 1}, {"# c", 2, 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &source{name: "t", data: tt.data}
			var got []line
			for {
				ll, ok := src.next()
				if !ok {
					break
				}
				got = append(got, line(ll))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("lines of %q = %+v, want %+v", tt.data, got, tt.want)
			}
		})
	}
}

func TestResolveEnv(t *testing.T) {
	vars := map[string]string{"A": "alpha", "DOLLAR": "$", "EMPTY": ""}
	lookup := func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
	tests := []struct {
		in, want  string
		undefined []string
	}{
		{"no refs", "no refs", nil},
		{"${A}/x", "alpha/x", nil},
		{"[${EMPTY}]", "[]", nil},
		{"${B} and ${A}", "${B} and alpha", []string{"B"}},
		{"${a:b}", "${a:b}", nil},
		{"$A ${A", "$A ${A", nil},
		{"$${A}}", "$alpha}", nil},
		{"${DOLLAR}{A}", "${A}", nil}, // one pass only
		{"${}", "${}", []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var undefined []string
			got := resolveEnv(tt.in, lookup, func(n string) { undefined = append(undefined, n) })
			if got != tt.want || !reflect.DeepEqual(undefined, tt.undefined) {
				t.Errorf("resolveEnv(%q) = %q (undefined %q), want %q (undefined %q)",
					tt.in, got, undefined, tt.want, tt.undefined)
			}
		})
	}
}

func TestFnmatch(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"*.conf", "a.conf", true},
		{"*.conf", ".hidden.conf", false},
		{".*.conf", ".hidden.conf", true},
		{"*.conf", "a.conf~", false},
		{"?.conf", "ab.conf", false},
		{"[0-9]*", "10-b.conf", true},
		{"[!0-9]*", "10-b.conf", false},
		{"[^a]", "b", true},
		{`\*`, "*", true},
		{"[", "[", true},
		{"a*b*c", "axxbyyc", true},
	}
	for _, tt := range tests {
		if got := fnmatch(tt.pattern, tt.name); got != tt.want {
			t.Errorf("fnmatch(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
	tests2 := []struct {
		pattern string
		want    bool
	}{
		{"/etc/apache2/sites-enabled/*.conf", true},
		{"/etc/a?c", true},
		{"/etc/[ab]", true},
		{"/etc/[ab", false},
		{"/etc/ab]", false},
		{`/etc/\*`, false},
		{"/etc/plain.conf", false},
	}
	for _, tt := range tests2 {
		if got := fnmatchTest(tt.pattern); got != tt.want {
			t.Errorf("fnmatchTest(%q) = %v, want %v", tt.pattern, got, tt.want)
		}
	}
}
