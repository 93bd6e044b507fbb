package proxy

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestRelayFlushesWhenBackendPauses: the relay sends the client what the
// backend sent so far as soon as the backend has nothing more ready, so
// that a streamed answer is not held back, for Content-Length and chunked
// bodies alike; a whole small answer still reaches the client.
func TestRelayFlushesWhenBackendPauses(t *testing.T) {
	for _, tc := range []struct {
		name        string
		head, first string
		rest        string
		want1       string // what the client must have before the rest is sent
		end         string // how the client's copy ends
	}{
		{
			name:  "length",
			head:  "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n",
			first: "hello",
			rest:  "world",
			want1: "hello",
			end:   "helloworld",
		},
		{
			name:  "chunked",
			head:  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
			first: "5\r\nhello\r\n",
			rest:  "5\r\nworld\r\n0\r\n\r\n",
			want1: "5\r\nhello\r\n",
			end:   "5\r\nworld\r\n0\r\n\r\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			proceed := make(chan struct{})
			backend := oneRequestBackend(t, func(c net.Conn) {
				io.WriteString(c, tc.head+tc.first)
				select {
				case <-proceed:
				case <-time.After(5 * time.Second):
					return
				}
				io.WriteString(c, tc.rest)
				io.Copy(io.Discard, c)
			})
			c, _ := dialEngine(t, benchSite(t, backend, ""))
			io.WriteString(c, "GET /s HTTP/1.1\r\nHost: x\r\n\r\n")
			c.SetReadDeadline(time.Now().Add(3 * time.Second))
			var got []byte
			buf := make([]byte, 4096)
			for !bytes.Contains(got, []byte("\r\n\r\n"+tc.want1)) {
				n, err := c.Read(buf)
				got = append(got, buf[:n]...)
				if err != nil {
					t.Fatalf("before the backend's pause, got %q: %v", got, err)
				}
			}
			close(proceed)
			for !bytes.HasSuffix(got, []byte(tc.end)) {
				n, err := c.Read(buf)
				got = append(got, buf[:n]...)
				if err != nil {
					t.Fatalf("got %q: %v", got, err)
				}
			}
		})
	}
}

// TestFieldKindOf: the classification of header names agrees with
// strings.EqualFold where the name is ASCII; a name with any other byte
// (a Kelvin sign for the K of Keep-Alive, say) is of no kind, as httpd's
// strcasecmp folds ASCII letters only.
func TestFieldKindOf(t *testing.T) {
	names := []string{"host", "HOST", "Hosts", "te", "Te", "Expect", "upgrade", "TRAILER", "Trailers",
		"connection", "keep-alive", "Keep_Alive", "content-length", "x-forwarded-for", "X-Forwarded-Host",
		"proxy-connection", "transfer-encoding", "proxy-authenticate", "X-FORWARDED-SERVER",
		"proxy-authorization", "\u212aeep-Alive", "Ho\u017ft", "Content-Lengt\u0127", "Transfer-Encoding\u00e9", "X-JL6-CID", "", "t"}
	for _, n := range names {
		want := fkOther
		for k, kn := range fieldKindNames {
			if kn != "" && strings.EqualFold(n, kn) && isASCII(n) {
				want = fieldKind(k)
				break
			}
		}
		if got := fieldKindOf(n); got != want {
			t.Errorf("fieldKindOf(%q) = %d, want %d", n, got, want)
		}
	}
}

// TestWriteDeadlineMovesWithEachResponse: Timeout limits each write, not
// the connection: a bodiless answer (HEAD) sent more than Timeout after
// the last body still goes out.
func TestWriteDeadlineMovesWithEachResponse(t *testing.T) {
	bb := startBenchBackend(t)
	site := benchSite(t, bb.addr(), "")
	site.Main.Timeout = time.Second
	_, addr := startBenchEngine(t, site)
	bc := dialBench(t, addr)
	if err := bc.do(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1200 * time.Millisecond)
	io.WriteString(bc.c, "HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n")
	bc.c.SetReadDeadline(time.Now().Add(3 * time.Second))
	line, err := bc.br.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 200 ") {
		t.Fatalf("HEAD answer %q, %v", line, err)
	}
}

// TestHasHTTPCtrl: the eight-bytes-at-a-time check agrees with the class
// table for every byte at every place of values of 1 to 24 bytes (the
// last word of a length not a multiple of eight overlaps the one before).
func TestHasHTTPCtrl(t *testing.T) {
	for c := 0; c < 256; c++ {
		for n := 1; n <= 24; n++ {
			for pos := 0; pos < n; pos++ {
				testHasHTTPCtrlAt(t, c, n, pos)
			}
		}
	}
}

func testHasHTTPCtrlAt(t *testing.T, c, n, pos int) {
	t.Helper()
	b := []byte(strings.Repeat("a\xffb ~\x80", 4)[:n])
	b[pos] = byte(c)
	want := false
	for _, x := range b {
		if h1CharClass[x]&tcHTTPCtrls != 0 {
			want = true
		}
		// The class is what httpd's check_headers refuses.
		if ctl := (x < 0x20 && x != '\t') || x == 0x7f; ctl != (h1CharClass[x]&tcHTTPCtrls != 0) {
			t.Fatalf("byte %#x: class tcHTTPCtrls %v, control %v", x, !ctl, ctl)
		}
	}
	if got := hasHTTPCtrl(b); got != want {
		t.Fatalf("byte %#x at %d of %d: %v, want %v", c, pos, n, got, want)
	}
	if got := hasHTTPCtrl(string(b)); got != want {
		t.Fatalf("byte %#x at %d of %d, a string: %v, want %v", c, pos, n, got, want)
	}
}

// TestBackendHeadForwarded: the X-Forwarded-* fields mod_proxy adds
// (ProxyAddHeaders On) are added when the client sent none, merged into
// the client's otherwise, whatever the case of its name.
func TestBackendHeadForwarded(t *testing.T) {
	site := benchSite(t, "127.0.0.1:1", "")
	for _, tc := range []struct {
		name, fields string
		want         []string
	}{
		{"none sent", "", []string{
			"X-Forwarded-For: 192.0.2.7", "X-Forwarded-Host: www.example.test", "X-Forwarded-Server: www.example.test"}},
		{"lower-case names", "x-forwarded-for: 198.51.100.1\r\nx-forwarded-host: a.test\r\nx-forwarded-server: b.test\r\n", []string{
			"x-forwarded-for: 198.51.100.1, 192.0.2.7", "x-forwarded-host: a.test, www.example.test", "x-forwarded-server: b.test, www.example.test"}},
		{"one sent", "X-Forwarded-For: 198.51.100.1\r\n", []string{
			"X-Forwarded-For: 198.51.100.1, 192.0.2.7", "X-Forwarded-Host: www.example.test", "X-Forwarded-Server: www.example.test"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := "GET /x HTTP/1.1\r\nHost: www.example.test\r\n" + tc.fields + "\r\n"
			got := backendHeadFor(t, site, &site.Main.Limits, req)
			for _, w := range tc.want {
				if n := strings.Count(got, w+"\r\n"); n != 1 {
					t.Errorf("%q %d times in\n%s", w, n, got)
				}
			}
			if n := strings.Count(strings.ToLower(got), "x-forwarded-"); n != len(tc.want) {
				t.Errorf("%d X-Forwarded fields, want %d:\n%s", n, len(tc.want), got)
			}
		})
	}
}

// TestBackendHeadHopByHop: the hop-by-hop fields of a request stay with
// the proxy, matched as httpd matches names (ASCII case folding): a
// look-alike with a Kelvin sign for its K, which HttpProtocolOptions
// Unsafe lets in, is an end-to-end field like any other.
func TestBackendHeadHopByHop(t *testing.T) {
	site := benchSite(t, "127.0.0.1:1", "")
	lim := site.Main.Limits
	lim.Unsafe = true
	req := "GET /x HTTP/1.1\r\nHost: www.example.test\r\nkeep-alive: 1\r\nPROXY-CONNECTION: 2\r\nTe: 3\r\n\u212aeep-Alive: 4\r\nX-Other: 5\r\n\r\n"
	got := backendHeadFor(t, site, &lim, req)
	for _, gone := range []string{"keep-alive: 1", "PROXY-CONNECTION: 2", "Te: 3"} {
		if strings.Contains(got, gone) {
			t.Errorf("hop-by-hop %q sent to the backend:\n%s", gone, got)
		}
	}
	for _, kept := range []string{"\r\n\u212aeep-Alive: 4\r\n", "\r\nX-Other: 5\r\n"} {
		if !strings.Contains(got, kept) {
			t.Errorf("%q not sent to the backend:\n%s", kept, got)
		}
	}
}

// backendHeadFor returns the head logproxy would send the backend for the
// request req, read under lim, from client 192.0.2.7.
func backendHeadFor(t *testing.T, site *Site, lim *Limits, req string) string {
	t.Helper()
	head := readRequestHead(bufio.NewReader(strings.NewReader(req)), lim)
	if head.Status != 0 {
		t.Fatalf("request: status %d", head.Status)
	}
	e := NewEngine(site, nil)
	c1, c2 := net.Pipe()
	defer c1.Close()
	defer c2.Close()
	c := newConn(e, c1)
	c.site, c.base = site, site.Main
	c.remoteIP, c.localIP = "192.0.2.7", "192.0.2.1"
	ex := newExchange(c, &head, 0, 0)
	ex.srv = site.Main
	ex.r.dir = site.Main.Dir
	return string(ex.backendHead(nil, "/x", "127.0.0.1:1", 0, nil, ""))
}

func isASCII(s string) bool {
	for _, r := range s {
		if r >= 0x80 {
			return false
		}
	}
	return true
}

// TestTakeDateServer: every Date and Server field leaves the table, in
// any case of its name; the first value of each is returned, the other
// fields keep their order.
func TestTakeDateServer(t *testing.T) {
	for _, tc := range []struct {
		name         string
		in           Fields
		date, server string
		rest         Fields
	}{
		{"none", Fields{{Name: "A", Value: "1"}}, "", "", Fields{{Name: "A", Value: "1"}}},
		{"both", Fields{{Name: "Date", Value: "d"}, {Name: "A", Value: "1"}, {Name: "Server", Value: "s"}, {Name: "B", Value: "2"}}, "d", "s", Fields{{Name: "A", Value: "1"}, {Name: "B", Value: "2"}}},
		{"repeated, any case", Fields{{Name: "server", Value: "s1"}, {Name: "DATE", Value: "d1"}, {Name: "Server", Value: "s2"}, {Name: "date", Value: "d2"}, {Name: "C", Value: "3"}}, "d1", "s1", Fields{{Name: "C", Value: "3"}}},
		{"look-alikes stay", Fields{{Name: "Dates", Value: "x"}, {Name: "X-Server", Value: "y"}}, "", "", Fields{{Name: "Dates", Value: "x"}, {Name: "X-Server", Value: "y"}}},
		{"empty", nil, "", "", Fields{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			date, server, rest := takeDateServer(append(Fields(nil), tc.in...))
			if date != tc.date || server != tc.server || fmt.Sprint(rest) != fmt.Sprint(tc.rest) {
				t.Errorf("takeDateServer(%v) = %q, %q, %v; want %q, %q, %v", tc.in, date, server, rest, tc.date, tc.server, tc.rest)
			}
		})
	}
}

// TestLocalIPText: the text of each local address is right whatever the
// order they come in, and a repeated one costs no allocation.
func TestLocalIPText(t *testing.T) {
	var e Engine
	a, b := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("2001:db8::1")
	for _, want := range []netip.Addr{a, a, b, a, b, b} {
		if got := e.localIPText(want); got != want.String() {
			t.Fatalf("localIPText(%v) = %q", want, got)
		}
	}
	if n := testing.AllocsPerRun(100, func() { e.localIPText(b) }); n != 0 {
		t.Errorf("%v allocations for a repeated address", n)
	}
}

// TestClientStopsReading: a client that stops reading a big answer is
// cut off once a write has waited Timeout for room; a client that reads
// on in time gets the whole body.
func TestClientStopsReading(t *testing.T) {
	const bodyLen = 32 << 20
	fb := newBeFake(t, func(_ int, c net.Conn, br *bufio.Reader) {
		if skipHead(br) != nil {
			return
		}
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", bodyLen)
		chunk := make([]byte, 64<<10)
		for sent := 0; sent < bodyLen; sent += len(chunk) {
			if _, err := c.Write(chunk); err != nil {
				return
			}
		}
	})
	for _, tc := range []struct {
		name  string
		pause time.Duration // before the client reads
		whole bool
	}{
		{"reads at once", 0, true},
		{"stops for twice Timeout", 2 * time.Second, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			site := benchSite(t, fb.addr, "")
			site.Main.Timeout = time.Second
			c, br := dialEngine(t, site)
			io.WriteString(c, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
			time.Sleep(tc.pause)
			c.SetReadDeadline(time.Now().Add(30 * time.Second))
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			n, err := io.Copy(io.Discard, resp.Body)
			if tc.whole && (n != bodyLen || err != nil) {
				t.Fatalf("got %d of %d body bytes, %v; want all", n, bodyLen, err)
			}
			if !tc.whole && (n >= bodyLen || err == nil || isTimeout(err)) {
				t.Fatalf("got %d of %d body bytes, %v; want the connection cut off", n, bodyLen, err)
			}
			t.Logf("%d body bytes, %v", n, err)
		})
	}
}

// TestRelayCheckHeaders: a backend's head was checked as it was parsed,
// but a value a Header rule adds to it is checked again before the head
// goes out (httpd's check_headers): 500 for a control byte, the backend's
// answer otherwise.
func TestRelayCheckHeaders(t *testing.T) {
	bb := startBenchBackend(t)
	for _, tc := range []struct {
		name  string
		value string
		want  string
	}{
		{"plain value", "ok", "HTTP/1.1 200 OK\r\n"},
		{"control byte", "a\x01b", "HTTP/1.1 500 Internal Server Error\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			site := benchSite(t, bb.addr(), "")
			v, err := ParseHeaderValue(tc.value)
			if err != nil {
				t.Fatal(err)
			}
			site.Main.Dir.RespHeaders = []HeaderRule{{Action: HeaderSet, Name: "X-Added", Value: tc.value, Format: v}}
			got, err := sendBenchRequest(t, site).ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("status line %q, want %q", got, tc.want)
			}
		})
	}
}

// TestRelayConnectionTokens: the fields a backend names in its first
// Connection field are hop-by-hop and stay with the proxy, as
// mod_proxy_http's ap_proxy_clear_connection drops them; the others go
// out.
func TestRelayConnectionTokens(t *testing.T) {
	backend := oneRequestBackend(t, func(c net.Conn) {
		io.WriteString(c, "HTTP/1.1 200 OK\r\nConnection: X-Private, keep-alive\r\nX-Private: secret\r\nX-Kept: 1\r\nContent-Length: 2\r\n\r\nok")
	})
	resp, err := http.ReadResponse(sendBenchRequest(t, benchSite(t, backend, "")), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Kept") != "1" {
		t.Errorf("status %d, X-Kept %q; want 200 and 1", resp.StatusCode, resp.Header.Get("X-Kept"))
	}
	if v := resp.Header.Get("X-Private"); v != "" {
		t.Errorf("X-Private: %q went out, though the backend's Connection lists it", v)
	}
}

// sendBenchRequest starts an engine for site, sends it benchRequest on a
// new connection and returns the reader of the answer (the connection is
// closed when the test ends).
func sendBenchRequest(t *testing.T, site *Site) *bufio.Reader {
	t.Helper()
	c, br := dialEngine(t, site)
	if _, err := c.Write(benchRequestBytes); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	return br
}

// oneRequestBackend is a backend for one connection: it reads one request
// head and hands the connection to serve. It returns its address; it is
// closed when the test ends.
func oneRequestBackend(t *testing.T, serve func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		br := bufio.NewReader(c)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			if line == "\r\n" {
				break
			}
		}
		serve(c)
	}()
	return ln.Addr().String()
}

// TestRelayHeadTransferEncoding: a HEAD answer keeps the backend's
// Transfer-Encoding (mod_proxy_http takes it out only when it reads a
// body), and httpd's check_headers then refuses one that does not end in
// chunked: a 500, the connection closed, nothing in the error log.
func TestRelayHeadTransferEncoding(t *testing.T) {
	for _, tc := range []struct {
		name, te, want string
		close          bool
	}{
		{"chunked", "chunked", "HTTP/1.1 200 OK", false},
		{"gzip, chunked", "gzip, chunked", "HTTP/1.1 200 OK", false},
		{"identity", "identity", "HTTP/1.1 500 Internal Server Error", true},
		{"gzip", "gzip", "HTTP/1.1 500 Internal Server Error", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			backend := oneRequestBackend(t, func(c net.Conn) {
				io.WriteString(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: "+tc.te+"\r\nContent-Length: 5\r\n\r\n")
			})
			c, br := dialEngine(t, benchSite(t, backend, ""))
			io.WriteString(c, "HEAD /x HTTP/1.1\r\nHost: www.example.test\r\n\r\n")
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			var head []string
			for {
				line, err := br.ReadString('\n')
				if err != nil {
					t.Fatalf("after %q: %v", head, err)
				}
				if line == "\r\n" {
					break
				}
				head = append(head, strings.TrimSuffix(line, "\r\n"))
			}
			if head[0] != tc.want {
				t.Errorf("status line %q, want %q", head[0], tc.want)
			}
			if closes := slices.Contains(head, "Connection: close"); closes != tc.close {
				t.Errorf("head %q: Connection: close %v, want %v", head, closes, tc.close)
			}
			for _, f := range head {
				if strings.HasPrefix(f, "Content-Length:") {
					t.Errorf("head %q: a Content-Length went out", head)
				}
			}
		})
	}
}

// TestRelayRanges: httpd's byte-range filter cuts a proxied 200 only when
// the whole body came with the head (mod_proxy_http's first read of the
// body does not block, and the filter needs the body's end in the first
// brigade); a body that comes later, a chunked one, or an If-Range that
// does not match leaves the 200 whole.
func TestRelayRanges(t *testing.T) {
	const head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nETag: \"e\"\r\nContent-Length: 5\r\n\r\n"
	for _, tc := range []struct {
		name, rng, ifRange string
		late, chunked      bool
		status, body       string
	}{
		{name: "one range", rng: "bytes=0-3", status: "206", body: "hell"},
		{name: "suffix", rng: "bytes=-2", status: "206", body: "lo"},
		{name: "two ranges", rng: "bytes=0-0,2-3", status: "206", body: "--"},
		{name: "unsatisfiable", rng: "bytes=9-20", status: "416"},
		{name: "if-range matches", rng: "bytes=0-3", ifRange: `"e"`, status: "206", body: "hell"},
		{name: "if-range differs", rng: "bytes=0-3", ifRange: `"f"`, status: "200", body: "hello"},
		{name: "body later", rng: "bytes=0-3", late: true, status: "200", body: "hello"},
		{name: "chunked", rng: "bytes=0-3", chunked: true, status: "200", body: "5\r\nhello\r\n0\r\n\r\n"},
		{name: "not bytes", rng: "items=0-3", status: "200", body: "hello"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			backend := oneRequestBackend(t, func(c net.Conn) {
				switch {
				case tc.chunked:
					io.WriteString(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
				case tc.late:
					io.WriteString(c, head)
					time.Sleep(100 * time.Millisecond)
					io.WriteString(c, "hello")
				default:
					io.WriteString(c, head+"hello")
				}
			})
			c, br := dialEngine(t, benchSite(t, backend, ""))
			req := "GET /x HTTP/1.1\r\nHost: www.example.test\r\nRange: " + tc.rng + "\r\n"
			if tc.ifRange != "" {
				req += "If-Range: " + tc.ifRange + "\r\n"
			}
			io.WriteString(c, req+"Connection: close\r\n\r\n")
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			got, err := io.ReadAll(br)
			if err != nil {
				t.Fatal(err)
			}
			resp := string(got)
			if !strings.HasPrefix(resp, "HTTP/1.1 "+tc.status+" ") {
				t.Fatalf("answer %q, want status %s", resp, tc.status)
			}
			_, body, _ := strings.Cut(resp, "\r\n\r\n")
			switch {
			case tc.status == "416":
			case tc.body == "--":
				if !strings.Contains(resp, "Content-Type: multipart/byteranges; boundary=") ||
					!strings.Contains(body, "Content-range: bytes 0-0/5\r\n\r\nh\r\n") || !strings.Contains(body, "Content-range: bytes 2-3/5\r\n\r\nll\r\n") {
					t.Errorf("answer %q, want a multipart/byteranges body of h and ll", resp)
				}
			case body != tc.body:
				t.Errorf("body %q, want %q (answer %q)", body, tc.body, resp)
			}
			if tc.status == "206" && tc.body != "--" && !strings.Contains(resp, "Content-Range: bytes ") {
				t.Errorf("answer %q lacks Content-Range", resp)
			}
		})
	}
}
