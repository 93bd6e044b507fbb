package proxy

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

// respHeadCases are raw response heads (and what follows them) with the
// outcome of parsing them; they also seed FuzzReadResponse.
var respHeadCases = []struct {
	name   string
	in     string
	status int // 0: an error is expected
	fields int
}{
	{"simple", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 200, 1},
	{"no headers", "HTTP/1.1 204 No Content\r\n\r\n", 204, 0},
	{"http10", "HTTP/1.0 404 Not Found\r\nServer: x\r\n\r\ngone", 404, 1},
	{"no reason", "HTTP/1.1 500\r\n\r\n", 500, 0},
	{"bare LF", "HTTP/1.1 200 OK\nA: b\n\n", 200, 1},
	{"stray CRLF", "\r\nHTTP/1.1 200 OK\r\n\r\n", 200, 0},
	{"stray LF", "\nHTTP/1.1 200 OK\r\n\r\n", 200, 0},
	{"two stray", "\r\n\r\nHTTP/1.1 200 OK\r\n\r\n", 0, 0},
	{"fold", "HTTP/1.1 200 OK\r\nA: 1\r\n 2\r\nB: 3\r\n\r\n", 200, 2},
	{"first line folded is a line", "HTTP/1.1 200 OK\r\n X: 1\r\n\r\n", 200, 1},
	{"IIS line", "HTTP/1.1 200 OK\r\nHTTP/1.0 200, OK\r\nA: b\r\n\r\n", 200, 1},
	{"no colon", "HTTP/1.1 200 OK\r\nnocolon\r\n\r\n", 0, 0},
	{"empty name", "HTTP/1.1 200 OK\r\n: v\r\n\r\n", 200, 1},
	{"NUL", "HTTP/1.1 200 OK\r\nA: \x00\r\n\r\n", 0, 0},
	{"NUL in status", "HTTP/1.1 200 O\x00K\r\n\r\n", 0, 0},
	{"CR in name", "HTTP/1.1 200 OK\r\nA\rB: v\r\n\r\n", 0, 0},
	{"CR in value", "HTTP/1.1 200 OK\r\nA: x\ry\r\n\r\n", 200, 1},
	{"garbage", "NOT-HTTP garbage\r\n\r\n", 0, 0},
	{"abc status", "HTTP/1.1 abc Broken\r\n\r\n", 0, 0},
	{"status 0", "HTTP/1.1 000 Zero\r\n\r\n", 0, 0},
	{"status tab", "HTTP/1.1 200\tOK\r\n\r\n", 0, 0},
	{"http2", "HTTP/2.0 200 OK\r\n\r\n", 0, 0},
	{"http 0.9 digit", "HTTP/0.9 200 OK\r\n\r\n", 0, 0},
	{"short", "HTTP/1.1 20\r\n\r\n", 0, 0},
	{"truncated", "HTTP/1.1 200 OK\r\nA: b\r\n", 0, 0},
	{"empty", "", 0, 0},
	{"interim", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 100, 0},
	{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: v\r\n\r\n", 200, 1},
	{"chunked overflow", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n", 200, 1},
	{"te cl", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n", 200, 2},
	{"cl conflict", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 200, 2},
	{"close delimited", "HTTP/1.1 200 OK\r\n\r\nuntil close", 200, 0},
	{"101", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\nframes", 101, 1},
}

// respReadHeadFrom reads and parses one head from s.
func respReadHeadFrom(s string, o *respHeadOptions) (*respHead, error) {
	br := bufio.NewReaderSize(strings.NewReader(s), backendReadBufSize)
	raw, err := readRespHeadRaw(br, o)
	if err != nil {
		return nil, err
	}
	h := &respHead{}
	if err := parseRespHead(raw, h, o); err != nil {
		return nil, err
	}
	return h, nil
}

func TestResponseHeadCases(t *testing.T) {
	for _, tc := range respHeadCases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := respReadHeadFrom(tc.in, &respHeadOptions{})
			if tc.status == 0 {
				if err == nil {
					t.Fatalf("accepted: status %d", h.status)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if h.status != tc.status || len(h.fields) != tc.fields {
				t.Errorf("status %d, %d fields %q", h.status, len(h.fields), h.fields)
			}
		})
	}
}

// TestResponseHeadSplit feeds heads in every possible split through a
// reader that returns one byte at a time, and in a small buffer.
func TestResponseHeadSplit(t *testing.T) {
	head := "HTTP/1.1 200 OK\r\nA: 1\r\n folded\r\nB: 2\r\n\r\nBODY"
	br := bufio.NewReaderSize(&beOneByteReader{r: strings.NewReader(head)}, 16)
	raw, err := readRespHeadRaw(br, &respHeadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if raw != head[:len(head)-4] {
		t.Errorf("raw %q", raw)
	}
	if rest, _ := io.ReadAll(br); string(rest) != "BODY" {
		t.Errorf("left %q", rest)
	}
	h := &respHead{}
	if err := parseRespHead(raw, h, &respHeadOptions{}); err != nil {
		t.Fatal(err)
	}
	if len(h.fields) != 2 || h.fields[0].Value != "1 folded" {
		t.Errorf("fields %q", h.fields)
	}
}

// TestResponseLineLimits checks ResponseFieldSize at its edges.
func TestResponseLineLimits(t *testing.T) {
	o := &respHeadOptions{fieldSize: 64}
	status := func(n int) string { return "HTTP/1.1 200 " + strings.Repeat("r", n-13) + "\r\n\r\n" }
	if _, err := respReadHeadFrom(status(62), o); err != nil {
		t.Errorf("status line of 62: %v", err)
	}
	if _, err := respReadHeadFrom(status(63), o); err == nil {
		t.Error("status line of 63 accepted")
	}
	field := func(n int) string { return "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("v", n-3) + "\r\n\r\n" }
	if _, err := respReadHeadFrom(field(63), o); err != nil {
		t.Errorf("field line of 63: %v", err)
	}
	if _, err := respReadHeadFrom(field(64), o); err == nil {
		t.Error("field line of 64 accepted")
	}
	// An endless line fails without reading to its end.
	endless := io.MultiReader(strings.NewReader("HTTP/1.1 200 OK\r\nX: "), beNeverEnding('v'))
	br := bufio.NewReaderSize(endless, backendReadBufSize)
	if _, err := readRespHeadRaw(br, &respHeadOptions{}); !errors.Is(err, errRespFieldLong) {
		t.Errorf("endless field: %v", err)
	}
	br = bufio.NewReaderSize(beNeverEnding('H'), backendReadBufSize)
	if _, err := readRespHeadRaw(br, &respHeadOptions{}); err == nil {
		t.Error("endless garbage accepted")
	}
}

type beNeverEnding byte

func (b beNeverEnding) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

func TestRespIsChunked(t *testing.T) {
	for v, want := range map[string]bool{
		"chunked": true, "Chunked": true, "gzip, chunked": true, "gzip,chunked": true,
		"gzip ,  chunked": true, "gzip chunked": false, "gzip": false, "chunked, gzip": false,
		"xchunked": false, "gzip;chunked": false, "": false, "gzip,\tchunked": false, "\tchunked": false,
	} {
		if got := respIsChunked(v); got != want {
			t.Errorf("respIsChunked(%q) = %v", v, got)
		}
	}
}

func TestRespParseLength(t *testing.T) {
	for v, want := range map[string]int64{
		"0": 0, "5": 5, "007": 7, "9223372036854775807": 1<<63 - 1,
		"9223372036854775808": -1, "": -1, "-1": -1, "+1": -1, "1 ": -1, " 1": -1, "1,1": -1, "0x10": -1,
	} {
		n, ok := respParseLength(v)
		if (want < 0) == ok || (ok && n != want) {
			t.Errorf("respParseLength(%q) = %d %v", v, n, ok)
		}
	}
}

func TestRespFieldValid(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		strict, ok  bool
	}{
		{"X-A", "v", true, true},
		{"X-A", "", true, true},
		{"X-A", "tab\there caf\xc3\xa9", true, true},
		{"X-A", "a\x01b", true, false},
		{"X-A", "a\x7fb", false, false},
		{"X-A", "a\rb", true, false},
		{"", "v", true, false},
		{"X A", "v", true, false},
		{"X A", "v", false, false},
		{"X(A)", "v", true, false},
		{"X(A)", "v", false, true},
		{"X\xc3\xa9", "v", false, true},
		{"X-A", "Mozilla/5.0 (X11; Linux x86_64)\t~\x80", true, true},
		{"X-A", "more than eight bytes, then\x01", true, false},
		{"X-A", "0123456789abcdef\x7f0123", false, false},
		{"X-A", "01234567\n", true, false},
	} {
		if got := respFieldValid(tc.name, tc.value, tc.strict); got != tc.ok {
			t.Errorf("respFieldValid(%q, %q, %v) = %v", tc.name, tc.value, tc.strict, got)
		}
	}
}

// TestCheckHeaders: httpd's check_headers refuses a response head with a
// field name that is not a token or a value with a control character
// other than HT, wherever it is in the value.
func TestCheckHeaders(t *testing.T) {
	for _, tc := range []struct {
		name string
		fs   Fields
		ok   bool
	}{
		{"plain", Fields{{Name: "Content-Type", Value: "text/html; charset=utf-8"}, {Name: "X-JL6-CID", Value: "17"}}, true},
		{"every tchar", Fields{{Name: "!#$%&'*+-.^_`|~09azAZ", Value: "v"}}, true},
		{"value with HT and high bytes", Fields{{Name: "X", Value: "a\tb caf\xc3\xa9 and more text"}}, true},
		{"empty value", Fields{{Name: "X", Value: ""}}, true},
		{"empty name", Fields{{Name: "", Value: "v"}}, false},
		{"space in name", Fields{{Name: "X A", Value: "v"}}, false},
		{"separator in name", Fields{{Name: "X(A)", Value: "v"}}, false},
		{"non-ASCII name", Fields{{Name: "X\xc3\xa9", Value: "v"}}, false},
		{"CR late in a long value", Fields{{Name: "X", Value: "0123456789abcdef0123\r"}}, false},
		{"NUL early", Fields{{Name: "X", Value: "\x00abcdefghijk"}}, false},
		{"DEL in second field", Fields{{Name: "A", Value: "ok"}, {Name: "B", Value: "abcdefgh\x7f"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := checkHeaders(tc.fs, nil); got != tc.ok {
				t.Errorf("checkHeaders(%q) = %v, want %v", tc.fs, got, tc.ok)
			}
		})
	}
}

func TestRespHasToken(t *testing.T) {
	for v, want := range map[string]bool{
		"close": true, "Close": true, "keep-alive, close": true, "x;close": true,
		" close ": true, "closed": false, "keep-alive": false, "": false,
	} {
		if got := respHasToken(v, "close"); got != want {
			t.Errorf("respHasToken(%q) = %v", v, got)
		}
	}
}

// BenchmarkReadResponseHead measures reading and parsing a typical head.
func BenchmarkReadResponseHead(b *testing.B) {
	in := []byte("HTTP/1.1 200 OK\r\nDate: Sat, 01 Jan 2000 00:00:00 GMT\r\nServer: jl6-upstream\r\nContent-Type: text/html; charset=utf-8\r\nX-JL6-CID: 17\r\nX-JL6-OID: 42\r\nSet-Cookie: a=1; Path=/\r\nVary: Cookie\r\nContent-Length: 5\r\n\r\n")
	rd := bytes.NewReader(in)
	br := bufio.NewReaderSize(rd, backendReadBufSize)
	h := &respHead{fields: make([]Field, 0, 16)}
	o := &respHeadOptions{}
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for i := 0; i < b.N; i++ {
		rd.Reset(in)
		br.Reset(rd)
		raw, err := readRespHeadRaw(br, o)
		if err != nil {
			b.Fatal(err)
		}
		if err := parseRespHead(raw, h, o); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzReadResponse reads arbitrary backend bytes as a response (interim
// answers, head, body, trailers): it must not panic or hang, and what it
// accepts must be sane.
func FuzzReadResponse(f *testing.F) {
	for _, tc := range respHeadCases {
		f.Add([]byte(tc.in), false)
	}
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"), true)
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\nx\n0\nA: b\n\n"), true)
	f.Add([]byte("HTTP/1.1 103 Hints\r\nLink: <a>\r\n\r\nHTTP/1.1 200 OK\r\nX: a\r\n\tb\r\nContent-Length: 1\r\n\r\nz"), false)
	f.Fuzz(func(t *testing.T, data []byte, unsafe bool) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			respFuzzOne(t, data, unsafe)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("hung on %q", data)
		}
	})
}

func respFuzzOne(t *testing.T, data []byte, unsafe bool) {
	br := bufio.NewReaderSize(bytes.NewReader(data), backendReadBufSize)
	o := &respHeadOptions{}
	resp := &backendResponse{}
	resp.head.fields = resp.fieldBuf[:0]
	var raw string
	for interim := 0; ; interim++ {
		if interim >= respMaxInterim {
			return
		}
		var err error
		raw, err = readRespHeadRaw(br, o)
		if err != nil {
			return
		}
		if err := parseRespHead(raw, &resp.head, o); err != nil {
			return
		}
		h := &resp.head
		if h.status < 100 || h.status > 999 || h.major != 1 {
			t.Fatalf("accepted status %d version %d.%d", h.status, h.major, h.minor)
		}
		for _, f := range h.fields {
			if strings.ContainsAny(f.Name, "\r\n:") || strings.ContainsRune(f.Name, 0) ||
				strings.ContainsAny(f.Value, "\n\x00") {
				t.Fatalf("accepted field %q: %q", f.Name, f.Value)
			}
		}
		if strings.ContainsAny(h.reason, "\r\n\x00") {
			t.Fatalf("accepted reason %q", h.reason)
		}
		if h.status >= 200 || h.status == 101 {
			break
		}
	}
	st := &beSendState{req: &backendRequest{Head: []byte("GET / HTTP/1.1\r\n\r\n"), Upgrade: "websocket", Unsafe: unsafe}, phase: beBodyDone}
	var p BackendPool
	if err := p.finish(nil, br, st, resp, raw, false); err != nil {
		return
	}
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil && beErrKind(err) != BackendBodyBroken {
		t.Fatalf("body error %v", err)
	}
	if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
		t.Fatalf("body of %d bytes, ContentLength %d", n, resp.ContentLength)
	}
	if resp.NoBody && n != 0 {
		t.Fatalf("bodiless answer yielded %d bytes", n)
	}
	resp.Close()
}

// TestAddPlainFieldAgrees: whenever the one-pass path takes a field line,
// the general path (ap_proxy_read_headers' rules) takes it the same way:
// the same field, validity, framing facts and next line. Every byte value
// is tried at every place of a set of lines, with field size limits
// around their lengths.
func TestAddPlainFieldAgrees(t *testing.T) {
	lines := []string{
		"X-JL6-CID: 17\r\nDate: x\r\n",
		"Content-Length:\t 100 \r\n\r\n",
		"Connection: keep-alive, close\n folded\r\n",
		"Transfer-Encoding: chunked\r\n",
		"Upgrade: websocket\nX: y\n",
		"A:\r\n\r\n",
	}
	taken := 0
	for _, base := range lines {
		for _, fieldSize := range []int{8, 16, 24, 8190} {
			for pos := 0; pos < len(base); pos++ {
				for c := 0; c < 256; c++ {
					b := []byte(base)
					b[pos] = byte(c)
					raw := string(b)
					plain := respHead{clean: true}
					next, ok := plain.addPlainField(raw, 0, fieldSize)
					if !ok {
						continue
					}
					taken++
					general := respHead{clean: true}
					gnext, end, err := general.addField(raw, 0, fieldSize, &respHeadOptions{})
					if err != nil || end || gnext != next {
						t.Fatalf("%q (field size %d): plain path next %d; general next %d, end %v, err %v", raw, fieldSize, next, gnext, end, err)
					}
					if !reflect.DeepEqual(plain, general) {
						t.Fatalf("%q (field size %d):\nplain   %+v\ngeneral %+v", raw, fieldSize, plain, general)
					}
				}
			}
		}
	}
	if taken == 0 {
		t.Fatal("the plain path took no line")
	}
}

// TestScanOutFields: the one-pass scan finds what apr_table_get (Get)
// finds for each of its four names, first value and presence alike.
func TestScanOutFields(t *testing.T) {
	names := []string{"Connection", "content-type", "CONTENT-LENGTH", "Transfer-Encoding", "Date", "Connectio", "X-Content-Type"}
	values := []string{"", "close", "text/html", "chunked", "5"}
	// Every table of up to three fields drawn from names x values.
	var fields []Field
	for _, n := range names {
		for _, v := range values {
			fields = append(fields, Field{Name: n, Value: v})
		}
	}
	check := func(fs Fields) {
		got := scanOutFields(fs)
		conn, _ := fs.Get("Connection")
		ct, _ := fs.Get("Content-Type")
		_, cl := fs.Get("Content-Length")
		te, _ := fs.Get("Transfer-Encoding")
		if want := (outFields{connection: conn, contentType: ct, transferEncoding: te, hasContentLength: cl}); got != want {
			t.Fatalf("scanOutFields(%q) = %+v, want %+v", fs, got, want)
		}
	}
	check(nil)
	for _, a := range fields {
		check(Fields{a})
		for _, b := range fields {
			check(Fields{a, b})
			for _, c := range fields[:len(fields):len(fields)] {
				if c.Value == "5" {
					continue // bounds the cube; the other values cover the cases
				}
				check(Fields{a, b, c})
			}
		}
	}
}
