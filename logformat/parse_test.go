package logformat

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const combinedFormat = `%h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"`

// heavyFormat is the 10-item format of the allocation budget: headers,
// notes, %t, and the app's logging headers.
const heavyFormat = `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %{X-JL6-CID}o %{jl6oid}n %D`

func utc() *time.Location { return time.UTC }

func sampleRecord() *Record {
	begin := time.Date(2026, 11, 21, 22, 11, 49, 130302000, time.UTC)
	return &Record{
		Begin: begin, End: begin.Add(1610 * time.Microsecond),
		RemoteIP: "127.0.0.1", PeerIP: "127.0.0.1", LocalIP: "127.0.0.1",
		RemoteHost: "127.0.0.1", PeerHost: "127.0.0.1",
		RemotePort: 43522, LocalPort: 18080, ServerPort: 80,
		VirtualHost: "www.example.test", ServerName: "www.example.test",
		ConnStatus: '+', BytesIn: 83, BytesOut: 128, Pid: 20977, Tid: 140396692756160,
		Final: Request{
			Line: "GET /p/hello?x=1 HTTP/1.1", Method: "GET", URI: "/p/hello",
			Query: "x=1", HasQuery: true, Protocol: "HTTP/1.1", Status: 200, BodyBytes: 5,
			HeadersIn: Fields{
				{"Host", "www.example.test:18080"},
				{"User-Agent", "Mozilla/5.0 (X11; Linux x86_64) \"quoted\" \\ é"},
				{"Referer", "http://ref.test/page?a=b"},
				{"Cookie", "sess=abc; theme=dark"},
			},
			HeadersOut: Fields{
				{"Content-Type", "text/html; charset=utf-8"},
				{"X-JL6-CID", "17"},
				{"X-JL6-OID", "42"},
				{"Content-Length", "5"},
			},
			Notes: Fields{{"jl6oid", "42"}},
		},
	}
}

func TestParseCombined(t *testing.T) {
	f, err := Compile(combinedFormat, &Options{Location: utc()})
	if err != nil {
		t.Fatal(err)
	}
	r := sampleRecord()
	line := string(f.Append(nil, r))
	got, err := f.Parse(line, nil)
	if err != nil {
		t.Fatalf("Parse(%q): %v", line, err)
	}
	want := []string{"127.0.0.1", "-", "-", "[21/Nov/2026:22:11:49 +0000]", r.Final.Line, "200", "128",
		r.Final.HeadersIn[2].Value, r.Final.HeadersIn[1].Value}
	if !slices.Equal(got, want) {
		t.Errorf("Parse(%q)\n got %q\nwant %q", line, got, want)
	}
}

func TestParseRejects(t *testing.T) {
	f := MustCompile(`%h "%r" %>s %b`)
	for _, line := range []string{
		"",
		"127.0.0.1 \"GET / HTTP/1.1\" 200\n",          // a field missing
		"127.0.0.1 \"GET / HTTP/1.1\" abc 5\n",        // not a number
		"127.0.0.1 \"GET \"/ HTTP/1.1\" 200 5\n",      // a raw quote inside
		"127.0.0.1 \"GET /\x01 HTTP/1.1\" 200 5\n",    // a raw control byte
		"127.0.0.1 \"GET /\\q HTTP/1.1\" 200 5\n",     // not an httpd escape
		"127.0.0.1 \"GET / HTTP/1.1\" 200 5\nextra\n", // two lines
	} {
		if _, err := f.Parse(line, nil); !errors.Is(err, ErrNoMatch) {
			t.Errorf("Parse(%q) error = %v, want ErrNoMatch", line, err)
		}
	}
}

func TestParseUnescapes(t *testing.T) {
	f := MustCompile(`"%{X}i" %u %q|%{c}a|%X`)
	tests := []struct {
		line string
		want []string
	}{
		{`"a \"b\" \\c\td\xc3\xa9" "" ?a=\x01|10.0.0.1|+`, []string{"a \"b\" \\c\td\xc3\xa9", `""`, "?a=\x01", "10.0.0.1", "+"}},
		{`"-" - |-|X`, []string{"-", "-", "", "-", "X"}},
	}
	for _, tt := range tests {
		got, err := f.Parse(tt.line, nil)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.line, err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Parse(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

// TestParseCorpus parses every line httpd wrote in the render cases back
// with the case's format: every one of httpd's own lines must split.
func TestParseCorpus(t *testing.T) {
	files := mustGlob(t, "testdata/render/*.txt")
	for _, path := range files {
		c := readRenderCase(t, path)
		f, err := Compile(c.format, &Options{Location: utc()})
		if err != nil {
			t.Fatal(err)
		}
		vals, err := f.Parse(c.want, nil)
		if err != nil {
			t.Errorf("%s: Parse(%q): %v", path, c.want, err)
			continue
		}
		if len(vals) != len(f.Fields()) {
			t.Errorf("%s: %d values for %d fields", path, len(vals), len(f.Fields()))
		}
	}
}

// FuzzRoundTrip renders records built from fuzz input with formats whose
// free text is quoted, parses the line back and checks that every value
// comes back, and that no request byte reaches the line raw. The JSON
// format's line must be JSON, and each input, escaped for JSON, must read
// back as encoding/json reads its own encoding of it.
func FuzzRoundTrip(f *testing.F) {
	f.Add("GET /a?b HTTP/1.1", "Mozilla \"x\" \\ é", "http://r/", "alice", "17", 200)
	f.Add("\x00\x01\n\r\t\"\\", "\xff\xfe", "", "", "\x7f", 404)
	f.Add(`\x41 \"`, "a\nb", "-", `""`, "-", 0)
	formats := []struct {
		format string
		esc    Escape
	}{
		{combinedFormat, EscapeApache},
		{`"%{Referer}i" "%r" "%u" "%{X-JL6-CID}o" %s %{X-JL6-CID}n`, EscapeApache},
		{`%>s "%m" "%U" "%{User-Agent}i" "%{Referer}i"`, EscapeApache},
		{jsonFormat, EscapeJSON},
	}
	f.Fuzz(func(t *testing.T, line, ua, ref, user, cid string, status int) {
		r := sampleRecord()
		r.Final.Line = line
		r.Final.Method = line
		r.Final.URI = ua
		r.Final.HeadersIn = Fields{{"User-Agent", ua}, {"Referer", ref}}
		r.Final.HeadersOut = Fields{{"X-JL6-CID", cid}}
		r.Final.Notes = Fields{{"X-JL6-CID", cid}}
		// %u is not quoted in the combined format: a user name holding a
		// blank followed by something shaped like a date makes the line
		// ambiguous (in httpd's own logs too), so the property is checked
		// for user names without blanks.
		user = strings.ReplaceAll(user, " ", "_")
		r.Final.User, r.Final.HasUser = user, user != "x"
		r.Final.Status = status
		for _, s := range []string{line, ua, ref, user, cid} {
			checkJSONString(t, s)
		}
		for _, fc := range formats {
			format := fc.format
			c, err := Compile(format, &Options{Location: utc(), Escape: fc.esc})
			if err != nil {
				t.Fatal(err)
			}
			out := c.Append(nil, r)
			for i, b := range out[:len(out)-1] {
				// JSON keeps valid UTF-8; httpd's escaping leaves ASCII.
				if b < 0x20 || b == 0x7f || (b > 0x7f && fc.esc == EscapeApache) {
					t.Fatalf("%q: raw byte %#x at %d in %q", format, b, i, out)
				}
			}
			if fc.esc == EscapeJSON && !json.Valid(out) {
				t.Fatalf("%q: not JSON: %q", format, out)
			}
			vals, err := c.Parse(string(out), nil)
			if err != nil {
				t.Fatalf("Parse(%q) of the line just rendered with %q: %v", out, format, err)
			}
			// Render each item alone: the values must be those, unescaped.
			var want []string
			for i := range c.items {
				it := &c.items[i]
				if it.op == opLiteral && len(it.conds) == 0 {
					continue
				}
				v := string(c.appendOne(nil, it, r))
				switch {
				case it.bare && v == "null":
					v = "-"
				case it.escaped() && fc.esc == EscapeJSON:
					v = unescapeJSON(v)
				case it.escaped():
					v = unescape(v)
				}
				want = append(want, v)
			}
			if !slices.Equal(vals, want) {
				t.Fatalf("%q: Parse(%q)\n got %q\nwant %q", format, out, vals, want)
			}
		}
	})
}

func mustGlob(t *testing.T, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("glob %q: %v (%d files)", pattern, err, len(files))
	}
	return files
}
