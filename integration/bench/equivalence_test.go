package bench

// These tests prove that the benchmarks compare like with like: for a plain
// request both peers write the very same combined line, through the
// formatter alone and through the handler. They also pin down where the
// peers part ways on escaping, for the record:
//
// httpd (and so logproxy) escapes every value with ap_escape_logitem: \" and
// \\, \b \n \r \t \v, and \xhh for every other byte below 0x20 and every byte
// above 0x7e, one byte at a time: it knows nothing of UTF-8. gorilla escapes
// with its appendQuoted, a copy of strconv's quoting that works on UTF-8
// runes: printable non-ASCII characters stay raw (é is written as é, not
// \xc3\xa9), non-printable ones become \uhhhh or \Uhhhhhhhh (U+00A0 is
// \u00a0, DEL is \u007f), bytes that are not UTF-8 become \xhh (as in
// httpd), and it has the C escapes \a and \f that httpd writes as \x07 and
// \x0c. gorilla escapes the request URI, the Referer and the User-Agent
// only; httpd escapes all of %r (method and protocol too), %h and %u.
//
// Besides escaping, the lines differ when: the body is empty (%b is "-" in
// httpd, gorilla writes 0); the user authenticated (httpd's %u is the
// authenticated user; gorilla takes the URL's userinfo, which an origin-form
// request never has, so writes "-"); a Referer or User-Agent is repeated
// (httpd merges them with ", ", gorilla takes the first); and in the zone of
// %t (httpd uses the server's zone, gorilla the zone of time.Now(): Local).
// None of these arise for the benchmark's request.

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/handlers"
)

// plainLine is the combined line both peers must write for
// newRequest(plainUA) at benchBegin.
const plainLine = `127.0.0.1 - - [21/Nov/2026:22:11:49 +0000] "GET /p/hello?x=1 HTTP/1.1" 200 5 "` +
	benchReferer + `" "` + plainUA + `"` + "\n"

func mustGorilla(t *testing.T) handlers.LogFormatter {
	t.Helper()
	f, err := gorillaCombined()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// formatBoth renders p with each peer's formatter.
func formatBoth(t *testing.T, p handlers.LogFormatterParams) (gorilla, logproxy string) {
	t.Helper()
	var g, l bytes.Buffer
	mustGorilla(t)(&g, p)
	logproxyCombined(mustCompile(time.UTC))(&l, p)
	return g.String(), l.String()
}

// TestSameLine: for a plain request, gorilla's formatter, logproxy's
// formatter and logproxy's Append of the benchmark's Record write the same
// line, and logformat parses gorilla's line into the same fields.
func TestSameLine(t *testing.T) {
	req := newRequest(plainUA)
	g, l := formatBoth(t, newParams(req, benchBegin))
	f := mustCompile(time.UTC)
	appended := string(f.Append(nil, recordFor(req, benchBegin)))
	for _, c := range []struct{ name, got string }{
		{"gorilla", g},
		{"logproxy formatter", l},
		{"logproxy Append", appended},
	} {
		if c.got != plainLine {
			t.Errorf("%s wrote\n%q, want\n%q", c.name, c.got, plainLine)
		}
	}
	gv, err := f.Parse(g, nil)
	if err != nil {
		t.Fatalf("logformat cannot parse gorilla's line: %v", err)
	}
	lv, err := f.Parse(l, nil)
	if err != nil {
		t.Fatalf("logformat cannot parse its own line: %v", err)
	}
	if strings.Join(gv, "\x00") != strings.Join(lv, "\x00") {
		t.Errorf("fields differ:\ngorilla  %q\nlogproxy %q", gv, lv)
	}
}

// maskTime replaces the [time] of a combined line, which the handlers take
// from the clock.
func maskTime(line string) string {
	i, j := strings.IndexByte(line, '['), strings.IndexByte(line, ']')
	if i < 0 || j < i {
		return line
	}
	return line[:i] + "[TIME]" + line[j+1:]
}

// TestHandlersSameLine serves the plain request through both benchmarked
// handlers: CombinedLoggingHandler, and CustomLoggingHandler with logproxy's
// formatter. The lines are the same, and the same as the formatter that
// BenchmarkFormatter reads out of CombinedLoggingHandler writes: it is the
// one the handler uses.
func TestHandlersSameLine(t *testing.T) {
	var g, l bytes.Buffer
	req := newRequest(plainUA)
	handlers.CombinedLoggingHandler(&g, okHandler).ServeHTTP(newResponseWriter(), req)
	handlers.CustomLoggingHandler(&l, okHandler, logproxyCombined(mustCompile(time.Local))).ServeHTTP(newResponseWriter(), req)
	want := maskTime(plainLine)
	if got := maskTime(g.String()); got != want {
		t.Errorf("CombinedLoggingHandler wrote\n%q, want\n%q", got, want)
	}
	if got := maskTime(l.String()); got != want {
		t.Errorf("CustomLoggingHandler(logproxy) wrote\n%q, want\n%q", got, want)
	}
	var f bytes.Buffer
	mustGorilla(t)(&f, newParams(req, time.Now()))
	if got := maskTime(f.String()); got != maskTime(g.String()) {
		t.Errorf("the formatter read out of CombinedLoggingHandler wrote\n%q, the handler\n%q", f.String(), g.String())
	}
}

// TestBenchRequest shows the benchmark's own request, whose User-Agent has
// a quote, a backslash and an é: the lines differ only in the é.
func TestBenchRequest(t *testing.T) {
	g, l := formatBoth(t, newParams(newRequest(benchUA), benchBegin))
	const prefix = `127.0.0.1 - - [21/Nov/2026:22:11:49 +0000] "GET /p/hello?x=1 HTTP/1.1" 200 5 "` + benchReferer + `" "Mozilla/5.0 (X11; Linux x86_64) \"quoted\" \\ `
	if want := prefix + "é\"\n"; g != want {
		t.Errorf("gorilla wrote\n%q, want\n%q", g, want)
	}
	if want := prefix + `\xc3\xa9"` + "\n"; l != want {
		t.Errorf("logproxy wrote\n%q, want\n%q", l, want)
	}
	t.Logf("gorilla:  %s", strings.TrimSuffix(g, "\n"))
	t.Logf("logproxy: %s", strings.TrimSuffix(l, "\n"))
}

// TestEscapingDifferences renders tricky User-Agent values and request URIs
// with both peers and checks each against what it is known to write: httpd's
// ap_escape_logitem rules for logproxy, appendQuoted's for gorilla. The
// differences are logged. (net/http's server refuses control bytes in
// header values and URIs, apart from tab in headers; non-ASCII bytes get
// through.)
func TestEscapingDifferences(t *testing.T) {
	uaCases := []struct {
		in, apache, gorilla string
	}{
		{`"q" \`, `\"q\" \\`, `\"q\" \\`},
		{"tab\tnl\ncr\r", `tab\tnl\ncr\r`, `tab\tnl\ncr\r`},
		{"\x01\x1b", `\x01\x1b`, `\x01\x1b`},
		{"bad\xff", `bad\xff`, `bad\xff`},
		{"é", `\xc3\xa9`, "é"},
		{"😀", `\xf0\x9f\x98\x80`, "😀"},
		{"\a\f", `\x07\x0c`, `\a\f`},
		{"\x7f", `\x7f`, `\u007f`},
		{"\u00a0", `\xc2\xa0`, `\u00a0`},
		{"\u2028", `\xe2\x80\xa8`, `\u2028`},
	}
	uaOf := func(line string) string {
		sep := `"` + benchReferer + `" "`
		i := strings.Index(line, sep)
		if i < 0 {
			return "(no User-Agent in " + line + ")"
		}
		return strings.TrimSuffix(line[i+len(sep):], "\"\n")
	}
	for _, c := range uaCases {
		g, l := formatBoth(t, newParams(newRequest(c.in), benchBegin))
		gu, lu := uaOf(g), uaOf(l)
		if lu != c.apache {
			t.Errorf("User-Agent %q: logproxy wrote %s, want %s", c.in, lu, c.apache)
		}
		if gu != c.gorilla {
			t.Errorf("User-Agent %q: gorilla wrote %s, want %s", c.in, gu, c.gorilla)
		}
		if lu != gu {
			t.Logf("User-Agent %-14q Apache/logproxy %-18s gorilla %s", c.in, lu, gu)
		}
	}

	// The request line: gorilla escapes only the URI, with the same rules.
	req := newRequest(plainUA)
	req.RequestURI = "/p/h\xc3\xa9llo?x=1"
	g, l := formatBoth(t, newParams(req, benchBegin))
	lineOf := func(line string) string {
		i, j := strings.Index(line, `] "`), strings.Index(line, `" 200 `)
		if i < 0 || j < i {
			return "(no request line in " + line + ")"
		}
		return line[i+3 : j]
	}
	if got, want := lineOf(l), `GET /p/h\xc3\xa9llo?x=1 HTTP/1.1`; got != want {
		t.Errorf("request line: logproxy wrote %s, want %s", got, want)
	}
	if got, want := lineOf(g), "GET /p/héllo?x=1 HTTP/1.1"; got != want {
		t.Errorf("request line: gorilla wrote %s, want %s", got, want)
	}
	t.Logf("request line %q: Apache/logproxy %s, gorilla %s", req.RequestURI, lineOf(l), lineOf(g))

	// An empty body: httpd's %b writes "-", gorilla 0.
	p := newParams(newRequest(plainUA), benchBegin)
	p.StatusCode, p.Size = http.StatusNoContent, 0
	g, l = formatBoth(t, p)
	if !strings.Contains(l, `" 204 - "`) || !strings.Contains(g, `" 204 0 "`) {
		t.Errorf("empty body:\nlogproxy %q\ngorilla  %q", l, g)
	}
}
