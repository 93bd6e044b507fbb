package integration

// Offline checks of the conformance driver's parsing and comparison code:
// every corpus row must parse, and every recorded expectation must match
// itself under the driver's rules when the run-time facts (time window,
// client port) are taken from the row's own context column. These run in
// every `go test ./...`; TestConformance itself needs -tags conformance.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestPyBytesExpr(t *testing.T) {
	tests := []struct {
		in   string
		want string
		rest string
	}{
		{`b'abc'`, "abc", ""},
		{`b"it's"`, "it's", ""},
		{`b'a\\b\'c\"d\ne\rf\tg'`, "a\\b'c\"d\ne\rf\tg", ""},
		{`b'\x00\xff\x41'`, "\x00\xffA", ""},
		{`b'\q'`, `\q`, ""},
		{`b'\101\0'`, "A\x00", ""},
		{`b'x' * 3 + b'y'`, "xxxy", ""},
		{`2 * b'ab'`, "abab", ""},
		{`b'a' + (b'b' + b'c') * 2`, "abcbc", ""},
		{`b'GET' + b'z' * 0 + b'!'`, "GET!", ""},
		{`b'head\r\n\r\n' + body 10 bytes`, "head\r\n\r\n", "+ body 10 bytes"},
		{`b'x' ... || b'y'`, "x", "... || b'y'"},
	}
	for _, tc := range tests {
		got, rest, err := parsePyBytesPrefix(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if string(got) != tc.want || strings.TrimSpace(rest) != tc.rest {
			t.Errorf("%s: got %q rest %q, want %q rest %q", tc.in, got, rest, tc.want, tc.rest)
		}
	}
	for _, bad := range []string{`b'abc`, `'abc'`, `b'a' * x`, `b'\x4'`, ``} {
		if _, err := evalPyBytesExpr(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestParseRequestBytesExpect(t *testing.T) {
	parts, err := parseRequestBytes(`b'POST / HTTP/1.1\r\n\r\n'  (then, after waiting up to 2 s for an interim reply) b'body'`)
	if err != nil || len(parts) != 2 || string(parts[1]) != "body" {
		t.Fatalf("got %q, %v", parts, err)
	}
}

func TestParseLogFormat(t *testing.T) {
	items, err := parseLogFormat(`a\tb|c\nd|e\\f|g\qh|%%|%>s|%{X-Y}i|%!200,304{Referer}i|%{X}^ti|%^FB|\`)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, it := range items {
		if it.IsLit {
			b.Write(it.Lit)
		} else {
			b.WriteString("<" + it.Directive + ":" + it.Arg + ":" + strconv.Itoa(len(it.Conds)) + ">")
		}
	}
	want := "a\tb|c\nd|e\\f|g\\qh|%|<s::0>|<i:X-Y:0>|<i:Referer:2>|<^ti:X:0>|<^FB::0>|\\"
	if b.String() != want {
		t.Errorf("got  %q\nwant %q", b.String(), want)
	}
	if _, err := parseLogFormat("abc %{x}"); err == nil {
		t.Error("no error for a format ending inside a directive")
	}
}

func TestParseTimeArg(t *testing.T) {
	tests := map[string]timeSpec{
		"":              {Type: tfCLF},
		"begin":         {Type: tfCLF, Fmt: "begin"},
		"end":           {Type: tfCLF, Fmt: "end", End: true},
		"begin:":        {Type: tfCLF},
		"end:sec":       {Type: tfSec, Fmt: "sec", End: true},
		"msec_frac":     {Type: tfMsecFrac, Fmt: "msec_frac"},
		"usec":          {Type: tfUsec, Fmt: "usec"},
		"msecfoo":       {Type: tfCustom, Fmt: "msecfoo"},
		"beginning":     {Type: tfCustom, Fmt: "beginning"},
		"Sec":           {Type: tfCustom, Fmt: "Sec"},
		"begin:%H":      {Type: tfCustom, Fmt: "%H"},
		"%d/%b/%Y %T":   {Type: tfCustom, Fmt: "%d/%b/%Y %T"},
		"usec_frac_x":   {Type: tfCustom, Fmt: "usec_frac_x"},
		"end:usec_frac": {Type: tfUsecFrac, Fmt: "usec_frac", End: true},
	}
	for arg, want := range tests {
		if got := parseTimeArg(arg); got != want {
			t.Errorf("%q: got %+v, want %+v", arg, got, want)
		}
	}
}

func TestStrftimeZones(t *testing.T) {
	at := time.Date(2026, 11, 21, 22, 12, 27, 0, time.UTC)
	tests := []struct {
		tz, format, want string
	}{
		{"UTC", "%Y-%m-%dT%H:%M:%S%z|%a %A %b %B|%c|%Z|%s|%%|%Q|%j %U %u %e %k %l %p", "2026-11-21T22:12:27+0000|Sat Saturday Nov November|Sat Nov 21 22:12:27 2026|UTC|1795299147|%|%Q|325 46 6 21 22 10 PM"},
		{"America/St_Johns", "%z|%Z|%H:%M", "-0330|NST|18:42"},
		{"Asia/Kolkata", "%z|%Z|%T", "+0530|IST|03:42:27"},
		{"JLS-5:30:45", "%z|%Z|%T|%D|%-d|%_m|%^a|%#Z", "+0530|JLS|03:43:12|11/22/26|22|11|SUN|jls"},
	}
	for _, tc := range tests {
		loc, err := loadZone(tc.tz)
		if err != nil {
			t.Fatalf("%s: %v", tc.tz, err)
		}
		if got := strftime(tc.format, at.In(loc)); got != tc.want {
			t.Errorf("%s %q: got %q, want %q", tc.tz, tc.format, got, tc.want)
		}
		if re := timeShapeRE(timeSpec{Type: tfCustom, Fmt: tc.format}); !re.MatchString(tc.want) {
			t.Errorf("%s %q: shape %s does not match %q", tc.tz, tc.format, re, tc.want)
		}
	}
	loc, _ := loadZone("JLS-5:30:45")
	if got, want := clfTime(at.In(loc)), "[22/Nov/2026:03:43:12 +0530]"; got != want {
		t.Errorf("clf: got %q, want %q", got, want)
	}
}

func TestSplitRequests(t *testing.T) {
	in := "GET /a HTTP/1.1\r\nHost: x\r\n\r\n" +
		"\r\nPOST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc" +
		"POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: v\r\n\r\n" +
		"GET /d\r\n" +
		"HEAD /e HTTP/1.0\nX: y\n\n" +
		"GET /incomplete HTTP/1.1\r\nHost"
	chunks := splitRequests([]byte(in))
	var methods []string
	var joined []byte
	for _, c := range chunks {
		methods = append(methods, c.Method)
		joined = append(joined, c.Bytes...)
	}
	if got := strings.Join(methods, ","); got != "GET,POST,POST,GET,HEAD,GET" {
		t.Errorf("methods %s", got)
	}
	if string(joined) != in {
		t.Error("chunks do not add up to the input")
	}
	if string(chunks[1].Bytes) != "\r\nPOST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc" {
		t.Errorf("chunk 2 = %q", chunks[1].Bytes)
	}
}

func TestFrameResponse(t *testing.T) {
	resp := "HTTP/1.1 100 Continue\r\n\r\n" +
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello" +
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n" + // answers HEAD
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX: y\r\n\r\n" +
		"HTTP/1.1 304 Not Modified\r\nETag: x\r\n\r\n" +
		"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil close"
	segs := splitResponses([]byte(resp), []string{"POST", "HEAD", "GET", "GET", "GET"})
	if len(segs) != 6 {
		t.Fatalf("%d segments: %q", len(segs), segs)
	}
	if string(segs[5]) != "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil close" {
		t.Errorf("last segment %q", segs[5])
	}
	if f := frameResponse([]byte("hello"), false); !f.UntilClose {
		t.Errorf("HTTP/0.9 body: %+v", f)
	}
	if f := frameResponse([]byte("HTT"), false); f.Complete || f.UntilClose {
		t.Errorf("short prefix: %+v", f)
	}
}

func loadCorpus(t *testing.T) []confCase {
	t.Helper()
	cases, err := loadCases(templatePath("httpd-cases.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	return cases
}

// contextEnv is the check environment of the recording, from the context
// column: the window is [first begin, last end], the client port is the
// recorded one.
func contextEnv(t *testing.T, c *confCase) *checkEnv {
	t.Helper()
	inst, ok := instanceForPort(c.Port)
	if !ok {
		t.Fatalf("%s: no instance listens on %d", c.Name, c.Port)
	}
	loc, err := loadZone(inst.TZ)
	if err != nil {
		t.Fatal(err)
	}
	env := &checkEnv{Loc: loc}
	if len(c.Context) == 0 {
		env.Lo = time.Now()
		env.Hi = env.Lo
		return env
	}
	usec := func(m map[string]string, k string) time.Time {
		n, err := strconv.ParseInt(m[k], 10, 64)
		if err != nil {
			t.Fatalf("%s: context %s: %v", c.Name, k, err)
		}
		return time.UnixMicro(n)
	}
	env.Lo = usec(c.Context[0], "begin_usec")
	env.Hi = usec(c.Context[len(c.Context)-1], "end_usec")
	env.ClientPort, _ = strconv.Atoi(c.Context[0]["remote_port"])
	return env
}

func TestCorpusSelfConsistent(t *testing.T) {
	cases := loadCorpus(t)
	templates := map[string]*confTemplate{}
	for _, s := range instanceSpecs {
		if templates[s.Template] == nil {
			tp, err := loadTemplate(templatePath(s.Template))
			if err != nil {
				t.Fatal(err)
			}
			templates[s.Template] = tp
		}
	}
	seen := map[string]bool{}
	for i := range cases {
		c := &cases[i]
		if seen[c.Name] {
			t.Errorf("duplicate case name %s", c.Name)
		}
		seen[c.Name] = true
		for _, v := range c.Volatile {
			if !knownVolatile[v] {
				t.Errorf("%s: unknown volatile category %q", c.Name, v)
			}
		}
		inst, ok := instanceForPort(c.Port)
		if !ok {
			t.Errorf("%s: no instance for port %d", c.Name, c.Port)
			continue
		}
		if _, err := templates[inst.Template].logPathFor(c.FormatInConf); err != nil {
			t.Errorf("%s: %v", c.Name, err)
		}
		env := contextEnv(t, c)

		// The log expectation splits and matches itself.
		expected := bytes.ReplaceAll(c.ExpectLog, []byte("{ServerRoot}"), []byte("/srv/root"))
		le, err := newLogExpectation(c.FormatValue, c.Volatile, expected)
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
			continue
		}
		if !c.NothingLogged && len(c.Context) > 0 && le.Entries != len(c.Context) {
			t.Errorf("%s: %d log entries, context shows %d requests", c.Name, le.Entries, len(c.Context))
		}
		if err := le.compare(expected, env); err != nil {
			t.Errorf("%s: expectation does not match itself: %v", c.Name, err)
		}

		// Requests split the way httpd saw them.
		if (c.Mode == modeSequential || c.Mode == modePipeline) && len(c.Context) > 0 {
			if n := len(splitRequests(c.RequestBytes())); n != len(c.Context) {
				t.Errorf("%s: split into %d requests, httpd logged %d", c.Name, n, len(c.Context))
			}
		}

		// client_saw matches itself; complete responses frame exactly.
		var got [][]byte
		for _, s := range c.ClientSaw {
			got = append(got, s.Data)
		}
		if err := compareClientSaw(c.ClientSaw, got, env); err != nil {
			t.Errorf("%s: client_saw does not match itself: %v", c.Name, err)
		}
		chunks := splitRequests(c.RequestBytes())
		k := 0
		for _, s := range c.ClientSaw {
			if s.Prefix || bytes.HasPrefix(s.Data, []byte(beforeBodyMarker)) || !bytes.HasPrefix(s.Data, []byte("HTTP/")) {
				k++
				continue
			}
			head := k < len(chunks) && chunks[k].Method == "HEAD"
			if f := frameResponse(s.Data, head); !f.Complete || f.N != len(s.Data) {
				t.Errorf("%s: response %q frames as %+v", c.Name, s.Data, f)
			}
			k++
		}

		// Manipulated volatile values must be caught.
		if le.Entries > 0 && len(c.Volatile) == 0 {
			mangled := append([]byte("x"), expected...)
			if le.compare(mangled, env) == nil {
				t.Errorf("%s: a changed line still matches", c.Name)
			}
		}
	}
}

func TestVolatileChecks(t *testing.T) {
	loc, _ := loadZone("America/St_Johns")
	lo := time.Date(2026, 11, 21, 22, 12, 27, 500000000, time.UTC)
	env := &checkEnv{Lo: lo, Hi: lo.Add(200 * time.Millisecond), Loc: loc, ClientPort: 43608}
	le, err := newLogExpectation(`%t|%{remote}p|%D|%{%H:%M}t|%{msec}t|%L`, []string{volTime, volPort, volDuration},
		[]byte("[21/Nov/2026:18:42:27 -0330]|43608|1610|18:42|1795299147500|-\n"))
	if err != nil {
		t.Fatal(err)
	}
	good := "[21/Nov/2026:18:42:28 -0330]|43608|99|18:42|1795299147650|-\n"
	if err := le.compare([]byte(good), env); err != nil {
		t.Errorf("good line rejected: %v", err)
	}
	for _, bad := range []string{
		"[21/Nov/2026:22:12:28 +0000]|43608|99|18:42|1795299147650|-\n",    // wrong zone
		"[21/Nov/2026:18:42:40 -0330]|43608|99|18:42|1795299147650|-\n",    // outside window
		"[21/Nov/2026:18:42:28 -0330]|43609|99|18:42|1795299147650|-\n",    // other port
		"[21/Nov/2026:18:42:28 -0330]|43608|-5|18:42|1795299147650|-\n",    // negative duration
		"[21/Nov/2026:18:42:28 -0330]|43608|99|18:42|1795299100000|-\n",    // msec too early
		"[21/Nov/2026:18:42:28 -0330]|43608|99|18:42|1795299147650|abc\n",  // log id not expected
		"[21/Nov/2026:18:42:28 -0330]|43608|99|18:42|1795299147650|-\nx\n", // extra line
	} {
		if le.compare([]byte(bad), env) == nil {
			t.Errorf("bad line accepted: %q", bad)
		}
	}
}

func TestTemplates(t *testing.T) {
	for _, s := range instanceSpecs {
		data, err := os.ReadFile(templatePath(s.Template))
		if err != nil {
			t.Fatal(err)
		}
		conf := s.renderConfig(string(data), "/srv/"+s.Name)
		if strings.Contains(conf, "{ServerRoot}") || !strings.Contains(conf, "ServerRoot /srv/"+s.Name+"\n") {
			t.Errorf("%s: ServerRoot not substituted", s.Name)
		}
		tp, err := parseTemplate(conf)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range s.Ports {
			listen := fmt.Sprintf("Listen 127.0.0.1:%d\n", p)
			vhost := fmt.Sprintf("<VirtualHost 127.0.0.1:%d>", p)
			if !strings.Contains(conf, listen) || !strings.Contains(conf, vhost) {
				t.Errorf("%s: no %q or %q", s.Name, listen, vhost)
			}
			want := 20
			if p == 18084 {
				want = 2 // the limits vhost
			}
			if got := tp.timeoutFor(p); got != want {
				t.Errorf("%s: Timeout for %d = %d, want %d", s.Name, p, got, want)
			}
		}
		if s.TemplatePort != 0 && s.TemplatePort != s.Ports[0] && strings.Contains(conf, fmt.Sprintf(":%d", s.TemplatePort)) {
			t.Errorf("%s: template port %d left in the config", s.Name, s.TemplatePort)
		}
		// Every CustomLog format is written by exactly one line.
		for _, cl := range tp.CustomLogs {
			if _, err := tp.logPathFor(cl.Format); err != nil {
				t.Errorf("%s: %v", s.Name, err)
			}
		}
	}
	tp, _ := loadTemplate(templatePath("httpd.conf.template"))
	for format, want := range map[string]string{
		"common":   "logs/f001.log",
		"latenick": "logs/late.log",
		`a\tb|c\\nd|e\\\\f|g\qh|i\"j|k\rl|\x41|%%|m\\`: "logs/f098.log",
	} {
		if got, err := tp.logPathFor(format); got != want {
			t.Errorf("%q: got %q (%v), want %q", format, got, err, want)
		}
	}
}

// TestCompareUpstream feeds the corpus' own backend requests through the
// journal format of upstream.py (latin-1 text in JSON) and back.
func TestCompareUpstream(t *testing.T) {
	for _, c := range loadCorpus(t) {
		var journal []byte
		for _, u := range c.ToUpstream {
			head := strings.TrimSuffix(string(u.Head), "\r\n\r\n")
			var runes []rune
			for _, b := range []byte(head) {
				runes = append(runes, rune(b))
			}
			line, err := json.Marshal(map[string]any{"time": 1.5, "request_head": string(runes), "request_body_len": u.BodyLen})
			if err != nil {
				t.Fatal(err)
			}
			journal = append(append(journal, line...), '\n')
		}
		entries, err := parseJournal(append(journal, `{"partial`...))
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if err := compareUpstream(c.ToUpstream, entries); err != nil {
			t.Errorf("%s: %v", c.Name, err)
		}
		if len(entries) > 0 {
			entries[0].RequestHead += "\r\nX-Extra: 1"
			if compareUpstream(c.ToUpstream, entries) == nil {
				t.Errorf("%s: changed head accepted", c.Name)
			}
			if compareUpstream(c.ToUpstream, entries[1:]) == nil {
				t.Errorf("%s: missing request accepted", c.Name)
			}
		} else if compareUpstream(nil, []journalEntry{{RequestHead: "GET / HTTP/1.1"}}) == nil {
			t.Errorf("%s: unexpected backend request accepted", c.Name)
		}
	}
	if got := latin1("caf\u00e9 \u00ff"); !bytes.Equal(got, []byte("caf\xe9 \xff")) {
		t.Errorf("latin1: %q", got)
	}
}
