package logformat

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// jsonFormat is a JSON object holding the combined format's items and the
// app's two values, every item quoted but %>s and %B.
const jsonFormat = `{"host":"%h","user":"%u","time":"%{%Y-%m-%dT%H:%M:%S%z}t","request":"%r","status":%>s,"bytes":%B,"referer":"%{Referer}i","agent":"%{User-Agent}i","cid":"%{X-JL6-CID}o","oid":"%{jl6oid}n","query":"%q"}`

func TestJSONEscaped(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "abc def", "abc def"},
		{"quote and backslash", `a"b\c`, `a\"b\\c`},
		{"short escapes", "\b\f\n\r\t", `\b\f\n\r\t`},
		{"vertical tab has none", "\v", `\u000b`},
		{"nul", "a\x00b", `a\u0000b`},
		{"other control bytes", "\x01\x1b\x1f", `\u0001\u001b\u001f`},
		{"del", "\x7f", `\u007f`},
		{"utf-8 kept", "é 日本 😀", "é 日本 😀"},
		{"invalid byte", "a\xffb", `a\ufffdb`},
		{"truncated sequence", "a\xc3", `a\ufffd`},
		{"overlong slash", "\xc0\xaf", `\ufffd\ufffd`},
		{"surrogate in utf-8", "\xed\xa0\x80", `\ufffd\ufffd\ufffd`},
		{"valid replacement character", "\xef\xbf\xbd", `\ufffd`},
		{"line and paragraph separators", "a\u2028b\u2029c", `a\u2028b\u2029c`},
		{"long clean run then quote", "0123456789abcdef\"", `0123456789abcdef\"`},
		{"printable edge", " ~/", " ~/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendJSONEscaped(nil, tt.in)); got != tt.want {
				t.Errorf("appendJSONEscaped(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// checkJSONString checks that s, escaped, is the inside of a JSON string
// that encoding/json reads as it reads its own encoding of s: the same
// text, with U+FFFD for each byte that is not valid UTF-8.
func checkJSONString(t *testing.T, s string) {
	t.Helper()
	out := `"` + string(appendJSONEscaped(nil, s)) + `"`
	for i := 0; i < len(out); i++ {
		if out[i] < 0x20 || out[i] == 0x7f {
			t.Fatalf("raw byte %#x at %d in %q", out[i], i, out)
		}
	}
	var got string
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%q escaped is not a JSON string: %q: %v", s, out, err)
	}
	ref, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var want string
	if err := json.Unmarshal(ref, &want); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("%q escaped as %q reads back as %q, encoding/json's as %q", s, out, got, want)
	}
	if back := unescapeJSON(out[1 : len(out)-1]); back != want {
		t.Fatalf("unescapeJSON(%q) = %q, want %q", out, back, want)
	}
}

// TestJSONEscapedEveryPair checks every pair of byte values, in every
// position of an eight-byte word, against encoding/json.
func TestJSONEscapedEveryPair(t *testing.T) {
	for a := 0; a < 256; a++ {
		for b := 0; b < 256; b++ {
			for pad := 0; pad < 8; pad += 7 {
				s := strings.Repeat("x", pad) + string([]byte{byte(a), byte(b)}) + "0123456789"
				checkJSONString(t, s)
			}
		}
	}
}

func TestJSONFormatLine(t *testing.T) {
	f, err := Compile(jsonFormat, &Options{Location: utc(), Escape: EscapeJSON})
	if err != nil {
		t.Fatal(err)
	}
	if f.Escape() != EscapeJSON {
		t.Fatalf("Escape() = %v", f.Escape())
	}
	r := sampleRecord()
	r.Final.Line = "GET /a\"b\\c\x00\n HTTP/1.1"
	r.Final.Query = "q=\x1b[31m"
	r.Final.HasUser, r.Final.User = true, ""
	r.Final.HeadersIn = Fields{{"User-Agent", "Mozilla \"é\" \xff"}, {"Referer", "http://r.test/\u2028"}}
	line := f.Append(nil, r)
	if n := strings.Count(string(line), "\n"); n != 1 || line[len(line)-1] != '\n' {
		t.Fatalf("%d newlines in %q, want one at the end", n, line)
	}
	var got map[string]any
	if err := json.Unmarshal(line, &got); err != nil {
		t.Fatalf("not JSON: %q: %v", line, err)
	}
	want := map[string]any{
		"host": "127.0.0.1", "user": "", "time": "2026-11-21T22:11:49+0000",
		"request": "GET /a\"b\\c\x00\n HTTP/1.1", "status": 200.0, "bytes": 5.0,
		"referer": "http://r.test/\u2028", "agent": "Mozilla \"é\" \ufffd",
		"cid": "17", "oid": "42", "query": "?q=\x1b[31m",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %#v, want %#v", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d keys, want %d: %v", len(got), len(want), got)
	}
	vals, err := f.Parse(string(line), nil)
	if err != nil {
		t.Fatalf("Parse(%q): %v", line, err)
	}
	wantVals := []string{"127.0.0.1", "", "2026-11-21T22:11:49+0000", "GET /a\"b\\c\x00\n HTTP/1.1", "200", "5",
		"http://r.test/\u2028", "Mozilla \"é\" \ufffd", "17", "42", "?q=\x1b[31m"}
	if !slices.Equal(vals, wantVals) {
		t.Errorf("Parse:\n got %q\nwant %q", vals, wantVals)
	}
}

func TestJSONEscapeLeavesApacheAlone(t *testing.T) {
	// The same format, escaped both ways: only the escapes differ, and the
	// Apache line still has httpd's "" for an empty user.
	r := sampleRecord()
	r.Final.HasUser, r.Final.User = true, ""
	r.Final.HeadersIn = Fields{{"User-Agent", "a\"\x01é"}}
	format := `["%u","%{User-Agent}i"]`
	for _, tc := range []struct {
		esc  Escape
		want string
	}{
		{EscapeApache, `["""","a\"\x01\xc3\xa9"]` + "\n"},
		{EscapeJSON, `["","a\"\u0001é"]` + "\n"},
	} {
		t.Run(tc.esc.String(), func(t *testing.T) {
			f, err := Compile(format, &Options{Location: utc(), Escape: tc.esc})
			if err != nil {
				t.Fatal(err)
			}
			if got := string(f.Append(nil, r)); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseJSONRejects(t *testing.T) {
	f, err := Compile(`{"a":"%{A}i"}`, &Options{Location: utc(), Escape: EscapeJSON})
	if err != nil {
		t.Fatal(err)
	}
	for name, line := range map[string]string{
		"raw quote":          `{"a":"x"y"}`,
		"httpd escape":       `{"a":"\x41"}`,
		"short \\u":          `{"a":"\u00"}`,
		"raw control byte":   "{\"a\":\"\x01\"}",
		"invalid utf-8 byte": "{\"a\":\"\xff\"}",
		"unknown escape":     `{"a":"\q"}`,
	} {
		if vals, err := f.Parse(line, nil); err == nil {
			t.Errorf("%s: Parse(%q) = %q, want an error", name, line, vals)
		}
	}
	vals, err := f.Parse(`{"a":"\/\u00E9\ud83d\ude00\ud800x"}`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "/é😀\ufffdx"; len(vals) != 1 || vals[0] != want {
		t.Errorf("Parse = %q, want [%q]", vals, want)
	}
}

func TestJSONCompile(t *testing.T) {
	for _, tc := range []struct {
		name, format, err string
	}{
		{"numbers outside strings", `{"s":%>s,"b":%b,"d":%D,"t":%{sec}t,"k":%k}`, ""},
		{"a time rendering a number", `{"t":%{%s}t}`, ""},
		{"items sharing a string", `{"a":"%h:%{remote}p %m"}`, ""},
		{"escaped quote in a key", `{"a\"b":"%h"}`, ""},
		{"an array", `["%h",%>s]`, ""},
		{"text outside a string", `{"h":%h}`, "%h is text and must stand inside a JSON string"},
		{"the CLF time outside a string", `{"t":%t}`, "%t is text"},
		{"a status list on text", `{"ua":%400{User-Agent}i}`, "%400{User-Agent}i is text"},
		{"a time rendering text", `{"t":%{%d/%b}t}`, "must be a JSON text once its items have values"},
		{"not closed", `{"h":"%h"`, "must be a JSON text"},
		{"two texts", `{"h":"%h"} {}`, "must be a JSON text"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(tc.format, &Options{Location: utc(), Escape: EscapeJSON})
			switch {
			case tc.err == "" && err != nil:
				t.Errorf("Compile(%q): %v", tc.format, err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("Compile(%q) = %v, want an error with %q", tc.format, err, tc.err)
			}
			// httpd's escaping takes any of them.
			if _, err := Compile(tc.format, &Options{Location: utc()}); err != nil {
				t.Errorf("Compile(%q) without JSON: %v", tc.format, err)
			}
		})
	}
}

func TestJSONNull(t *testing.T) {
	f, err := Compile(`{"s":%>s,"b":%b,"B":%B,"only404":%404B,"ua":"%{User-Agent}i","d":"%b"}`, &Options{Location: utc(), Escape: EscapeJSON})
	if err != nil {
		t.Fatal(err)
	}
	r := sampleRecord()
	r.Final.Status, r.Final.BodyBytes = 0, 0
	r.Final.HeadersIn = nil
	line := f.Append(nil, r)
	want := `{"s":null,"b":null,"B":0,"only404":null,"ua":"-","d":"-"}` + "\n"
	if string(line) != want {
		t.Fatalf("got %q, want %q", line, want)
	}
	vals, err := f.Parse(string(line), nil)
	if err != nil {
		t.Fatal(err)
	}
	if w := []string{"-", "-", "0", "-", "-", "-"}; !slices.Equal(vals, w) {
		t.Errorf("Parse = %q, want %q", vals, w)
	}
}
