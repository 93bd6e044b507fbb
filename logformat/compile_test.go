package logformat

import (
	"errors"
	"strings"
	"testing"
)

// TestCompileErrors holds the formats httpd refuses, with httpd's message
// (shared/conformance/config-cases.tsv and mod_log_config's parse_log_item).
func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name, format, msg string
		offset            int
	}{
		{"unknown letter", "%Z", "Unrecognized LogFormat directive %Z", 1},
		{"unknown letter after items", "%h %Q", "Unrecognized LogFormat directive %Q", 4},
		{"lone percent at end", "abc %", "Ran off end of LogFormat parsing args to some directive", 4},
		{"only percent", "%", "Ran off end of LogFormat parsing args to some directive", 0},
		{"unclosed brace", "%{foo", "Ran off end of LogFormat parsing args to some directive", 0},
		{"brace without letter", "%{foo}", "Ran off end of LogFormat parsing args to some directive", 0},
		{"status list without letter", "%400", "Ran off end of LogFormat parsing args to some directive", 0},
		{"space inside status list", "%400 501s", "Unrecognized LogFormat directive % ", 4},
		{"dot modifier", "%.5h", "Unrecognized LogFormat directive %.", 1},
		{"caret alone", "%^", "Unrecognized LogFormat directive %^", 1},
		{"caret one char", "%^t", "Unrecognized LogFormat directive %^", 1},
		{"caret unknown pair", "%^xy", "Unrecognized LogFormat directive %^", 1},
		{"F is not in 2.4", "%F", "Unrecognized LogFormat directive %F", 1},
		{"x needs mod_ssl", "%{SSL_PROTOCOL}x", "Unrecognized LogFormat directive %x", 15},
		{"c needs mod_ssl", "%c", "Unrecognized LogFormat directive %c", 1},
		{"ttfu is trunk only", "%^FU", "Unrecognized LogFormat directive %^", 1},
		{"percent in modifiers", "%200%", "Unrecognized LogFormat directive %%", 4},
		{"non-ASCII letter", "%\xc3\xa9", "Unrecognized LogFormat directive %\xc3", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile(tt.format, nil)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Compile(%q) error = %v, want a *SyntaxError", tt.format, err)
			}
			if se.Msg != tt.msg || se.Offset != tt.offset {
				t.Errorf("Compile(%q) = %q at %d, want %q at %d", tt.format, se.Msg, se.Offset, tt.msg, tt.offset)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("Error() = %q does not hold %q", err.Error(), tt.msg)
			}
		})
	}
}

func TestCompileAccepts(t *testing.T) {
	for _, format := range []string{
		"", "plain text", "%%", "%{X}^ti %{X}^to %^FB", "%^ti%^to",
		"%<>s", "%!!200s", "%,200,s", "%{a}}i", "%{}i", "%{a}{b}i",
		"%400,501{User-agent}i", "%!200,304{Referer}i", "%99999999999999s",
		"a\\", "\\", "\\x41", "%h\x00%Z", // httpd stops reading at NUL
	} {
		t.Run(format, func(t *testing.T) {
			if _, err := Compile(format, nil); err != nil {
				t.Errorf("Compile(%q) = %v, want success", format, err)
			}
		})
	}
}

// TestLiterals checks the backslash escapes httpd applies to format text.
func TestLiterals(t *testing.T) {
	tests := []struct{ format, want string }{
		{`a\tb`, "a\tb"},
		{`c\nd`, "c\nd"},
		{`e\\f`, `e\f`},
		{`g\qh`, `g\qh`},
		{`k\rl`, "k\rl"},
		{`\x41`, `\x41`},
		{`m\`, `m\`},
		{`%%|%%%%|100%% done|%%{x}i`, `%|%%|100% done|%{x}i`},
		{`\%%`, `\%`},
		{"%{a}}}i", "v"},
	}
	r := &Record{Final: Request{HeadersIn: Fields{{"a", "v"}}}}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			got := string(MustCompile(tt.format).Append(nil, r))
			if got != tt.want+"\n" {
				t.Errorf("%q renders %q, want %q", tt.format, got, tt.want+"\n")
			}
		})
	}
}

func TestFields(t *testing.T) {
	f := MustCompile(`%h %l %u %t "%r" %>s %b "%{Referer}i" %!200,304{X}o %{X}^ti %{c}a%%`)
	got := strings.Join(f.Fields(), " ")
	want := `%h %l %u %t %r %>s %b %{Referer}i %!200,304{X}o %{X}^ti %{c}a`
	if got != want {
		t.Errorf("Fields() = %q, want %q", got, want)
	}
}

// FuzzCompile feeds arbitrary formats to Compile: it never panics, an error
// is a *SyntaxError whose offset lies inside the format, and a compiled
// format renders an empty record and a full one.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		"%Z", "%h %Q", "abc %", "%", "%{foo", "%{foo}", "%400", "%400 501s", "%.5h",
		"%^", "%^t", "%{X}^ti %{X}^to %^FB", combinedFormat, "%{%Y-%m-%d}t", "%{end:usec_frac}t",
		`a\tb|c\nd|e\\f|g\qh|i"j|k\rl|\x41|%%|m\`, "%400,501{User-agent}i|%!200,304,302{Referer}i",
	} {
		f.Add(s)
	}
	full := sampleRecord()
	f.Fuzz(func(t *testing.T, format string) {
		c, err := Compile(format, &Options{Location: utc()})
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Compile(%q) error %T, want *SyntaxError", format, err)
			}
			if se.Offset < 0 || se.Offset > len(format) {
				t.Fatalf("Compile(%q) offset %d outside the format", format, se.Offset)
			}
			return
		}
		c.Append(nil, &Record{})
		line := c.Append(nil, full)
		if len(line) == 0 || line[len(line)-1] != '\n' {
			t.Fatalf("line %q does not end with a newline", line)
		}
	})
}

// TestFormatUses: Uses names exactly the costlier Record fields a format
// reads.
func TestFormatUses(t *testing.T) {
	for _, tc := range []struct {
		format string
		want   Uses
	}{
		{`%h %l %u %t "%r" %>s %b`, 0},
		{`%{%d/%b/%Y:%T %z}t %{begin:msec}t`, 0},
		{`%D`, UsesEnd},
		{`%T`, UsesEnd},
		{`%{ms}T`, UsesEnd},
		{`%{end:%H:%M:%S}t`, UsesEnd},
		{`%{end:usec_frac}t`, UsesEnd},
		{`%^FB`, UsesTTFB},
		{`%{tid}P`, UsesTid},
		{`%{HEXTID}P`, UsesTid},
		{`%200{tid}P`, UsesTid},
		{`"tid}P" %{tid}e %u`, 0},
		{`%{pid}P %P`, 0},
		{`%400,501{end:sec}t %^FB %{TID}P`, UsesEnd | UsesTTFB | UsesTid},
	} {
		t.Run(tc.format, func(t *testing.T) {
			f, err := Compile(tc.format, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Uses(); got != tc.want {
				t.Errorf("Uses() = %03b, want %03b", got, tc.want)
			}
		})
	}
}
