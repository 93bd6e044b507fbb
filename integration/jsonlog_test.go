package integration

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestJSONLog runs logproxy with a LogFormat escaped as JSON next to one
// with httpd's escaping, sends requests whose fields hold quotes,
// backslashes, control and non-ASCII bytes, and reads every JSON line back
// with encoding/json: each value is what the client or the backend sent
// (invalid UTF-8 as U+FFFD), and a number with no value is null.
func TestJSONLog(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-JL6-CID", "17")
		w.Header().Set("X-JL6-OID", `4"2\`)
		fmt.Fprint(w, "ok")
	}))
	defer backend.Close()

	addr := addrOf(freePort(t))
	conf := configHead(addr) + `LogFormat "{\"time\":\"%{%Y-%m-%dT%H:%M:%S%z}t\",\"client\":\"%a\",\"user\":\"%u\",\"request\":\"%r\",\"status\":%>s,\"bytes\":%b,\"referer\":\"%{Referer}i\",\"agent\":\"%{User-Agent}i\",\"cid\":\"%{X-JL6-CID}o\",\"oid\":\"%{oid}n\"}" json escape=json
LogFormat "%r|%>s|%b|%{User-Agent}i|%{oid}n" plain
CustomLog logs/access.json json
CustomLog logs/access.log plain
ProxyPass /p/ ` + backend.URL + `/
Header note X-JL6-OID oid
Header unset X-JL6-OID
<IfModule logproxy_module>
    StripHeader X-JL6-*
</IfModule>
`
	root, confPath := newServerRoot(t, conf)
	p := startLogproxy(t, root, confPath, addr)

	requests := []struct {
		raw    string
		status string
		want   map[string]any // the JSON line's values, but time
		plain  string         // the line with httpd's escaping
	}{
		{
			raw:    "GET /p/a%22b?q=\"x\" HTTP/1.1\r\nHost: x\r\nUser-Agent: Mozilla \"5\" \\ caf\xc3\xa9\tz \xff\r\nReferer: http://r.test/\r\nConnection: close\r\n\r\n",
			status: "HTTP/1.1 200 OK",
			want: map[string]any{"client": "127.0.0.1", "user": "-", "request": "GET /p/a%22b?q=\"x\" HTTP/1.1", "status": 200.0, "bytes": 2.0,
				"referer": "http://r.test/", "agent": "Mozilla \"5\" \\ café\tz \ufffd", "cid": "17", "oid": "4\"2\\"},
			plain: `GET /p/a%22b?q=\"x\" HTTP/1.1|200|2|Mozilla \"5\" \\ caf\xc3\xa9\tz \xff|4\"2\\`,
		},
		{
			raw:    "HEAD /p/h HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
			status: "HTTP/1.1 200 OK",
			want: map[string]any{"client": "127.0.0.1", "user": "-", "request": "HEAD /p/h HTTP/1.1", "status": 200.0, "bytes": nil,
				"referer": "-", "agent": "-", "cid": "17", "oid": "4\"2\\"},
			plain: `HEAD /p/h HTTP/1.1|200|-|-|4\"2\\`,
		},
		{
			raw:    "GET /\x01\"{}\n",
			status: "HTTP/1.1 400 Bad Request",
			// What httpd makes of such a line is the conformance tests'
			// business: the JSON line must hold what the plain one holds.
			want: map[string]any{"client": "127.0.0.1", "user": "-", "status": 400.0,
				"referer": "-", "agent": "-", "cid": "-", "oid": "-"},
		},
	}
	for _, r := range requests {
		resp := sendRaw(t, addr, r.raw)
		if statusOf(resp) != r.status || strings.Contains(strings.ToLower(resp), "x-jl6") {
			t.Fatalf("%q: got\n%s", r.raw, resp)
		}
	}
	data := waitFileLines(t, p.logPath("access.json"), len(requests))
	plain := waitFileLines(t, p.logPath("access.log"), len(requests))
	for i, line := range data {
		var got map[string]any
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Errorf("line %d is not JSON: %q: %v", i+1, line, err)
			continue
		}
		if _, err := time.Parse("2006-01-02T15:04:05-0700", fmt.Sprint(got["time"])); err != nil {
			t.Errorf("line %d: time %v: %v", i+1, got["time"], err)
		}
		delete(got, "time")
		// The same values as the line with httpd's escaping, read with
		// Go's unquoting (httpd's escapes are a subset of Go's), invalid
		// UTF-8 as U+FFFD; a "-" number is null.
		pf := strings.Split(plain[i], "|")
		if len(pf) != 5 {
			t.Fatalf("line %d with httpd's escaping: %q", i+1, plain[i])
		}
		for k, j := range map[string]int{"request": 0, "agent": 3, "oid": 4} {
			v, err := strconv.Unquote(`"` + pf[j] + `"`)
			if err != nil {
				t.Fatalf("line %d: %q: %v", i+1, pf[j], err)
			}
			if w := validUTF8(v); got[k] != w {
				t.Errorf("line %d: %s = %#v, the plain line has %#v", i+1, k, got[k], w)
			}
		}
		if b, err := strconv.Atoi(pf[2]); (err == nil && got["bytes"] != float64(b)) || (err != nil && got["bytes"] != nil) {
			t.Errorf("line %d: bytes = %#v, the plain line has %s", i+1, got["bytes"], pf[2])
		}
		want := requests[i].want
		if len(got) != 9 {
			t.Errorf("line %d: %d keys and the time, want 9: %q", i+1, len(got), line)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("line %d: %s = %#v, want %#v (%q)", i+1, k, got[k], v, line)
			}
		}
		if requests[i].plain != "" && plain[i] != requests[i].plain {
			t.Errorf("line %d with httpd's escaping:\n got %s\nwant %s", i+1, plain[i], requests[i].plain)
		}
	}
}

// waitFileLines waits until the file at path has n lines and returns
// them, without their newlines.
func waitFileLines(t *testing.T, path string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s := readFileString(path)
		if strings.Count(s, "\n") >= n || time.Now().After(deadline) {
			lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
			if len(lines) != n {
				t.Fatalf("%s holds %d lines, want %d:\n%s", path, len(lines), n, s)
			}
			return lines
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// validUTF8 is s with each byte that is not part of a valid UTF-8
// sequence replaced by U+FFFD, as encoding/json writes it.
func validUTF8(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(r) // a range over a string yields U+FFFD per bad byte
	}
	return b.String()
}
