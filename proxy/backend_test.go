package proxy

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// beFakeBackend is an in-process backend on loopback whose every connection
// runs a script.
type beFakeBackend struct {
	ln       net.Listener
	addr     string
	accepted atomic.Int32
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    []net.Conn
}

func newBeFake(t testing.TB, script func(n int, c net.Conn, br *bufio.Reader)) *beFakeBackend {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fb := &beFakeBackend{ln: ln, addr: ln.Addr().String()}
	fb.wg.Add(1)
	go func() {
		defer fb.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n := int(fb.accepted.Add(1))
			fb.mu.Lock()
			fb.conns = append(fb.conns, c)
			fb.mu.Unlock()
			fb.wg.Add(1)
			go func() {
				defer fb.wg.Done()
				defer c.Close()
				script(n, c, bufio.NewReader(c))
			}()
		}
	}()
	t.Cleanup(fb.close)
	return fb
}

func (fb *beFakeBackend) close() {
	fb.ln.Close()
	fb.mu.Lock()
	for _, c := range fb.conns {
		c.Close()
	}
	fb.mu.Unlock()
	fb.wg.Wait()
}

// beFakeRequest is a request as the fake backend read it.
type beFakeRequest struct {
	head     string
	body     []byte
	rawBody  []byte // as framed on the wire
	trailers []string
}

func (r *beFakeRequest) header(name string) string {
	for _, l := range strings.Split(r.head, "\r\n")[1:] {
		n, v, ok := strings.Cut(l, ":")
		if ok && strings.EqualFold(strings.TrimSpace(n), name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// beReadHead reads a request head.
func beReadHead(br *bufio.Reader) (*beFakeRequest, error) {
	var head strings.Builder
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil, err
		}
		head.WriteString(line)
		if line == "\r\n" {
			break
		}
	}
	return &beFakeRequest{head: head.String()}, nil
}

// beReadBody reads the body the head announces.
func beReadBody(br *bufio.Reader, r *beFakeRequest) error {
	if strings.Contains(strings.ToLower(r.header("Transfer-Encoding")), "chunked") {
		var raw bytes.Buffer
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return err
			}
			raw.WriteString(line)
			sz, _, _ := strings.Cut(strings.TrimRight(line, "\r\n"), ";")
			n, err := strconv.ParseInt(sz, 16, 64)
			if err != nil {
				return err
			}
			if n == 0 {
				for {
					t, err := br.ReadString('\n')
					if err != nil {
						return err
					}
					raw.WriteString(t)
					if t == "\r\n" {
						break
					}
					r.trailers = append(r.trailers, strings.TrimRight(t, "\r\n"))
				}
				break
			}
			chunk := make([]byte, n+2)
			if _, err := io.ReadFull(br, chunk); err != nil {
				return err
			}
			raw.Write(chunk)
			r.body = append(r.body, chunk[:n]...)
		}
		r.rawBody = raw.Bytes()
		return nil
	}
	if cl := r.header("Content-Length"); cl != "" {
		n, _ := strconv.Atoi(cl)
		r.body = make([]byte, n)
		if _, err := io.ReadFull(br, r.body); err != nil {
			return err
		}
		r.rawBody = r.body
	}
	return nil
}

func beReadRequest(br *bufio.Reader) (*beFakeRequest, error) {
	r, err := beReadHead(br)
	if err != nil {
		return nil, err
	}
	if strings.Contains(strings.ToLower(r.header("Expect")), "100-continue") {
		return r, nil // the script decides
	}
	return r, beReadBody(br, r)
}

// beServeCanned answers every request on the connection with resp, and
// closes after it when closeAfter.
func beServeCanned(resp string, closeAfter bool) func(int, net.Conn, *bufio.Reader) {
	return func(_ int, c net.Conn, br *bufio.Reader) {
		for {
			if _, err := beReadRequest(br); err != nil {
				return
			}
			if _, err := io.WriteString(c, resp); err != nil {
				return
			}
			if closeAfter {
				return
			}
		}
	}
}

func beGetHead(path string) []byte {
	return []byte("GET " + path + " HTTP/1.1\r\nHost: backend\r\nConnection: Keep-Alive\r\n\r\n")
}

// beReadAll reads a response body, returning what came and the error that
// ended it (nil at io.EOF).
func beReadAll(r io.Reader) (string, error) {
	b, err := io.ReadAll(r)
	return string(b), err
}

func beErrKind(err error) BackendErrorKind {
	var be *BackendError
	if errors.As(err, &be) {
		return be.Kind
	}
	return 0
}

// TestBackendResponses runs scripted backend answers through RoundTrip.
func TestBackendResponses(t *testing.T) {
	long := strings.Repeat("L", 8192-1-len("X-Long: "))
	many := strings.Repeat("X-Many: 0123456789012345678901234567890123456789\r\n", 400)
	type tc struct {
		name      string
		method    string
		resp      string
		ignoreBad bool
		maxHead   int
		unsafe    bool
		kind      BackendErrorKind // RoundTrip error
		status    int
		reason    string
		proto     string
		headers   []Field // checked when non-nil
		hdrCount  int     // checked when > 0
		body      string
		bodyKind  BackendErrorKind // Body error
		trailers  []Field
		keepAlive bool
		chunked   bool
		cl        int64
		noBody    bool
		valid     bool
		ignoredCL bool
		conn      string // the first Connection value, checked when set
	}
	tests := []tc{
		{name: "simple", resp: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
			status: 200, reason: "OK", proto: "HTTP/1.1", body: "hello", keepAlive: true, cl: 5, valid: true,
			headers: []Field{{Name: "Content-Type", Value: "text/plain"}, {Name: "Content-Length", Value: "5"}}},
		{name: "connection tokens", resp: "HTTP/1.1 200 OK\r\nconnection: X-Private, keep-alive\r\nConnection: close\r\nX-Private: a\r\nContent-Length: 0\r\n\r\n",
			status: 200, reason: "OK", proto: "HTTP/1.1", cl: 0, valid: true, conn: "X-Private, keep-alive"},
		{name: "teapot", resp: "HTTP/1.1 418 I'm a teapot\r\nContent-Length: 3\r\n\r\n012",
			status: 418, reason: "I'm a teapot", body: "012", keepAlive: true, cl: 3, valid: true},
		{name: "http10 close delimited", resp: "HTTP/1.0 200 OK\r\nServer: old\r\n\r\nuntil close",
			status: 200, proto: "HTTP/1.0", reason: "OK", body: "until close", cl: -1, valid: true},
		{name: "http10 with length closes", resp: "HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok",
			status: 200, proto: "HTTP/1.0", reason: "OK", body: "ok", cl: 2, valid: true},
		{name: "http12 minor kept", resp: "HTTP/1.2 200 OK\r\nContent-Length: 2\r\n\r\nok",
			status: 200, proto: "HTTP/1.2", reason: "OK", body: "ok", cl: 2, valid: true, keepAlive: true},
		{name: "no reason", resp: "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
			status: 200, reason: "", keepAlive: true, cl: 0, valid: true},
		{name: "empty reason", resp: "HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n",
			status: 404, reason: "", keepAlive: true, cl: 0, valid: true},
		{name: "reason with spaces kept", resp: "HTTP/1.1 200 All  fine \r\nContent-Length: 0\r\n\r\n",
			status: 200, reason: "All  fine ", keepAlive: true, cl: 0, valid: true},
		{name: "bare LF head", resp: "HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
			status: 200, reason: "OK", body: "ok", keepAlive: true, cl: 2, valid: true},
		{name: "stray CRLF before status", resp: "\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
			status: 200, reason: "OK", body: "ok", keepAlive: true, cl: 2, valid: true},
		{name: "two stray CRLF", resp: "\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", kind: BackendBadResponse},
		{name: "204", resp: "HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n",
			status: 204, reason: "No Content", noBody: true, keepAlive: true, valid: true},
		{name: "304 with length", resp: "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n",
			status: 304, reason: "Not Modified", noBody: true, keepAlive: true, valid: true},
		{name: "HEAD with length", method: "HEAD", resp: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n",
			status: 200, reason: "OK", noBody: true, keepAlive: true, valid: true},
		{name: "HEAD chunked", method: "HEAD", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
			status: 200, reason: "OK", noBody: true, keepAlive: true, valid: true},
		{name: "zero length", resp: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
			status: 200, reason: "OK", keepAlive: true, cl: 0, valid: true},
		{name: "leading zeros length", resp: "HTTP/1.1 200 OK\r\nContent-Length: 003\r\n\r\nabc",
			status: 200, reason: "OK", body: "abc", keepAlive: true, cl: 3, valid: true},
		{name: "chunked", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
			status: 200, reason: "OK", body: "hello world", keepAlive: true, chunked: true, cl: -1, valid: true},
		{name: "chunked ext trailers", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n" +
			"00005;name=\"v;x\"\r\nhello\r\nA \t;e\r\n0123456789\r\n0\r\nX-T: tv \r\nX-U:  u\r\n\r\n",
			status: 200, reason: "OK", body: "hello0123456789", keepAlive: true, chunked: true, cl: -1, valid: true,
			trailers: []Field{{Name: "X-T", Value: "tv"}, {Name: "X-U", Value: "u"}}},
		{name: "chunked folded trailer", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: a\r\n  b\r\n\r\n",
			status: 200, reason: "OK", keepAlive: true, chunked: true, cl: -1, valid: true,
			trailers: []Field{{Name: "X-T", Value: "a b"}}},
		{name: "chunked bad trailer", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nNo colon\r\n\r\n",
			status: 200, reason: "OK", chunked: true, cl: -1, valid: true, keepAlive: true, bodyKind: BackendBodyBroken},
		{name: "chunked overflow", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8000000000000000\r\nx\r\n0\r\n\r\n",
			status: 200, reason: "OK", chunked: true, cl: -1, valid: true, keepAlive: true, bodyKind: BackendBodyBroken},
		{name: "chunked 17 digits", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\nx\r\n0\r\n\r\n",
			status: 200, reason: "OK", chunked: true, cl: -1, valid: true, keepAlive: true, bodyKind: BackendBodyBroken},
		{name: "chunked bare LF strict", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nok\n0\n\n",
			status: 200, reason: "OK", chunked: true, cl: -1, valid: true, keepAlive: true, bodyKind: BackendBodyBroken},
		{name: "chunked bare LF unsafe", unsafe: true, resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nok\n0\n\n",
			status: 200, reason: "OK", chunked: true, cl: -1, valid: true, keepAlive: true, body: "ok"},
		{name: "chunked missing data CRLF", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX\r\n0\r\n\r\n",
			status: 200, reason: "OK", chunked: true, cl: -1, valid: true, keepAlive: true, bodyKind: BackendBodyBroken},
		{name: "chunked truncated", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nshort",
			status: 200, reason: "OK", chunked: true, cl: -1, valid: true, keepAlive: true, bodyKind: BackendBodyBroken},
		{name: "chunked no last chunk", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n",
			status: 200, reason: "OK", chunked: true, cl: -1, valid: true, keepAlive: true, bodyKind: BackendBodyBroken},
		{name: "TE and CL chunked wins", resp: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
			status: 200, reason: "OK", body: "ok", chunked: true, cl: -1, valid: true, ignoredCL: true},
		{name: "TE gzip,chunked", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
			status: 200, reason: "OK", body: "ok", chunked: true, cl: -1, valid: true, keepAlive: true},
		{name: "TE not chunked reads to close", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 1\r\n\r\nall of it",
			status: 200, reason: "OK", body: "all of it", cl: -1, valid: true, ignoredCL: true},
		{name: "two equal CL", resp: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok",
			status: 200, reason: "OK", body: "ok", cl: 2, valid: true, keepAlive: true},
		{name: "two different CL", resp: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok", kind: BackendBadResponse},
		{name: "CL list", resp: "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok", kind: BackendBadResponse},
		{name: "CL negative", resp: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nok", kind: BackendBadResponse},
		{name: "CL plus", resp: "HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok", kind: BackendBadResponse},
		{name: "CL overflow", resp: "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\nok", kind: BackendBadResponse},
		{name: "CL truncated body", resp: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
			status: 200, reason: "OK", body: "short", cl: 10, valid: true, keepAlive: true, bodyKind: BackendBodyBroken},
		{name: "connection close", resp: "HTTP/1.1 200 OK\r\nConnection: Keep-Alive, CLOSE\r\nContent-Length: 2\r\n\r\nok",
			status: 200, reason: "OK", body: "ok", cl: 2, valid: true},
		{name: "no framing reads to close", resp: "HTTP/1.1 200 OK\r\nServer: x\r\n\r\nuntil the end",
			status: 200, reason: "OK", body: "until the end", cl: -1, valid: true},
		{name: "obs-fold kept as httpd", resp: "HTTP/1.1 200 OK\r\nX-Fold: a\r\n  b\r\n\tc\r\nContent-Length: 0\r\n\r\n",
			status: 200, reason: "OK", cl: 0, valid: true, keepAlive: true,
			headers: []Field{{Name: "X-Fold", Value: "a  b\tc"}, {Name: "Content-Length", Value: "0"}}},
		{name: "value whitespace trimmed", resp: "HTTP/1.1 200 OK\r\nX-A:   v v \t\r\nX-Empty:\r\nX-Sp: \r\nContent-Length: 0\r\n\r\n",
			status: 200, reason: "OK", cl: 0, valid: true, keepAlive: true,
			headers: []Field{{Name: "X-A", Value: "v v"}, {Name: "X-Empty", Value: ""}, {Name: "X-Sp", Value: ""}, {Name: "Content-Length", Value: "0"}}},
		{name: "name kept as sent", resp: "HTTP/1.1 200 OK\r\nX-Odd : v\r\nContent-Length: 0\r\n\r\n",
			status: 200, reason: "OK", cl: 0, keepAlive: true, valid: false,
			headers: []Field{{Name: "X-Odd ", Value: "v"}, {Name: "Content-Length", Value: "0"}}},
		{name: "control bytes flagged", resp: "HTTP/1.1 200 OK\r\nX-JL6-Ctl: a\x01b\x7fc\x1bd\r\nContent-Length: 5\r\n\r\nhello",
			status: 200, reason: "OK", body: "hello", cl: 5, keepAlive: true, valid: false,
			headers: []Field{{Name: "X-JL6-Ctl", Value: "a\x01b\x7fc\x1bd"}, {Name: "Content-Length", Value: "5"}}},
		{name: "utf8 value valid", resp: "HTTP/1.1 200 OK\r\nX-U: caf\xc3\xa9 \"q\"\r\nContent-Length: 0\r\n\r\n",
			status: 200, reason: "OK", cl: 0, keepAlive: true, valid: true},
		{name: "header without colon", resp: "HTTP/1.1 200 OK\r\nBogus line\r\nContent-Length: 0\r\n\r\n", kind: BackendBadResponse},
		{name: "header without colon ignored", ignoreBad: true,
			resp:   "HTTP/1.1 200 OK\r\nBogus line\r\nContent-Length: 0\r\n\r\n",
			status: 200, reason: "OK", cl: 0, keepAlive: true, valid: true, headers: []Field{{Name: "Content-Length", Value: "0"}}},
		{name: "IIS extra status line", resp: "HTTP/1.1 200 OK\r\nHTTP/1.0 200, OK\r\nContent-Length: 0\r\n\r\n",
			status: 200, reason: "OK", cl: 0, keepAlive: true, valid: true, headers: []Field{{Name: "Content-Length", Value: "0"}}},
		{name: "NUL in header", resp: "HTTP/1.1 200 OK\r\nX-N: a\x00b\r\nContent-Length: 0\r\n\r\n", kind: BackendBadResponse},
		{name: "CR in name", resp: "HTTP/1.1 200 OK\r\nX\rY: v\r\nContent-Length: 0\r\n\r\n", kind: BackendBadResponse},
		{name: "longest header line", resp: "HTTP/1.1 200 OK\r\nX-Long: " + long + "\r\nContent-Length: 0\r\n\r\n",
			status: 200, reason: "OK", cl: 0, keepAlive: true, valid: true, hdrCount: 2},
		{name: "header line too long", resp: "HTTP/1.1 200 OK\r\nX-Long: " + long + "L\r\nContent-Length: 0\r\n\r\n", kind: BackendBadResponse},
		{name: "folded line too long", resp: "HTTP/1.1 200 OK\r\nX-Long: " + long[:5000] + "\r\n " + long[:5000] + "\r\nContent-Length: 0\r\n\r\n", kind: BackendBadResponse},
		{name: "big head slow path", resp: "HTTP/1.1 200 OK\r\n" + many + "Content-Length: 2\r\n\r\nok",
			status: 200, reason: "OK", body: "ok", cl: 2, keepAlive: true, valid: true, hdrCount: 401},
		{name: "head over max", maxHead: 4096, resp: "HTTP/1.1 200 OK\r\n" + many + "\r\n", kind: BackendBadResponse},
		{name: "status line too long", resp: "HTTP/1.1 200 " + strings.Repeat("R", 8180) + "\r\n\r\n", kind: BackendBadResponse},
		{name: "garbage", resp: "NOT-HTTP garbage\r\n\r\n", kind: BackendBadResponse},
		{name: "garbage no newline", resp: "NOT-HTTP garbage", kind: BackendBadResponse},
		{name: "non-numeric status", resp: "HTTP/1.1 abc Broken\r\nContent-Length: 0\r\n\r\n", kind: BackendBadResponse},
		{name: "status 099", resp: "HTTP/1.1 099 Low\r\nContent-Length: 0\r\n\r\n", kind: BackendBadResponse},
		{name: "status 2000", resp: "HTTP/1.1 2000 X\r\nContent-Length: 0\r\n\r\n", kind: BackendBadResponse},
		{name: "HTTP/2.0", resp: "HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", kind: BackendBadResponse},
		{name: "lowercase http", resp: "http/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", kind: BackendBadResponse},
		{name: "control byte in reason", resp: "HTTP/1.1 200 O\x01K\r\nContent-Length: 0\r\n\r\n", kind: BackendBadResponse},
		{name: "status 999", resp: "HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n",
			status: 999, reason: "Odd", cl: 0, keepAlive: true, valid: true},
		{name: "hang up", resp: "", kind: BackendHangUp},
		{name: "truncated status line", resp: "HTTP/1.1 200", kind: BackendBadResponse},
		{name: "truncated head", resp: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n", kind: BackendBadResponse},
		{name: "interim then final", resp: "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
			status: 200, reason: "OK", body: "ok", cl: 2, keepAlive: true, valid: true,
			headers: []Field{{Name: "Content-Length", Value: "2"}}},
		{name: "nine interims", resp: strings.Repeat("HTTP/1.1 102 Processing\r\n\r\n", 9) + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
			status: 200, reason: "OK", cl: 0, keepAlive: true, valid: true},
		{name: "ten interims", resp: strings.Repeat("HTTP/1.1 102 Processing\r\n\r\n", 10) + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", kind: BackendBadResponse},
		{name: "101 not asked", resp: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", kind: BackendBadResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fb := newBeFake(t, beServeCanned(tt.resp, true))
			pool := &BackendPool{Timeout: 5 * time.Second, IgnoreBadHeader: tt.ignoreBad, MaxResponseHeadBytes: tt.maxHead}
			method := tt.method
			if method == "" {
				method = "GET"
			}
			var interims []int
			req := &backendRequest{
				Addr:   fb.addr,
				Head:   []byte(method + " /x HTTP/1.1\r\nHost: b\r\n\r\n"),
				Unsafe: tt.unsafe,
				OnInterim: func(status int, reason string, h []Field) error {
					interims = append(interims, status)
					return nil
				},
			}
			resp, err := pool.RoundTrip(context.Background(), req)
			if tt.kind != 0 {
				if beErrKind(err) != tt.kind {
					t.Fatalf("err = %v (kind %v), want kind %v", err, beErrKind(err), tt.kind)
				}
				return
			}
			if err != nil {
				t.Fatalf("RoundTrip: %v", err)
			}
			defer resp.Close()
			if resp.Status != tt.status || resp.Reason != tt.reason {
				t.Errorf("status %d %q, want %d %q", resp.Status, resp.Reason, tt.status, tt.reason)
			}
			if tt.proto != "" && resp.Proto != tt.proto {
				t.Errorf("proto %q, want %q", resp.Proto, tt.proto)
			}
			if tt.headers != nil && fmt.Sprint(resp.Headers) != fmt.Sprint(Fields(tt.headers)) {
				t.Errorf("headers %q, want %q", resp.Headers, tt.headers)
			}
			if tt.hdrCount > 0 && len(resp.Headers) != tt.hdrCount {
				t.Errorf("%d headers, want %d", len(resp.Headers), tt.hdrCount)
			}
			if tt.conn != "" && resp.Connection != tt.conn {
				t.Errorf("Connection %q, want %q", resp.Connection, tt.conn)
			}
			if resp.HeadersValid != tt.valid {
				t.Errorf("HeadersValid %v, want %v", resp.HeadersValid, tt.valid)
			}
			if resp.NoBody != tt.noBody {
				t.Errorf("NoBody %v, want %v", resp.NoBody, tt.noBody)
			}
			if !tt.noBody && resp.ContentLength != tt.cl {
				t.Errorf("ContentLength %d, want %d", resp.ContentLength, tt.cl)
			}
			if resp.Chunked != tt.chunked || resp.IgnoredContentLength != tt.ignoredCL {
				t.Errorf("Chunked %v IgnoredCL %v, want %v %v", resp.Chunked, resp.IgnoredContentLength, tt.chunked, tt.ignoredCL)
			}
			if resp.KeepAlive != tt.keepAlive {
				t.Errorf("KeepAlive %v, want %v", resp.KeepAlive, tt.keepAlive)
			}
			body, berr := beReadAll(resp.Body)
			if tt.bodyKind != 0 {
				if beErrKind(berr) != tt.bodyKind {
					t.Fatalf("body err = %v, want kind %v", berr, tt.bodyKind)
				}
				return
			}
			if berr != nil {
				t.Fatalf("body: %v", berr)
			}
			if body != tt.body {
				t.Errorf("body %q, want %q", body, tt.body)
			}
			if fmt.Sprint(resp.Trailers) != fmt.Sprint(Fields(tt.trailers)) {
				t.Errorf("trailers %q, want %q", resp.Trailers, tt.trailers)
			}
			if resp.HeadBytes <= 0 || resp.FirstByte.IsZero() {
				t.Errorf("HeadBytes %d FirstByte %v", resp.HeadBytes, resp.FirstByte)
			}
			if strings.HasPrefix(tt.name, "interim") && fmt.Sprint(interims) != "[103 100]" {
				t.Errorf("interims %v", interims)
			}
		})
	}
}

// TestBackendHeadBytes checks the accounting of the head and the first
// byte's time.
func TestBackendHeadBytes(t *testing.T) {
	head := "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
	fb := newBeFake(t, beServeCanned("HTTP/1.1 100 Continue\r\n\r\n"+head+"hello", false))
	fixed := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	pool := &BackendPool{Now: func() time.Time { return fixed }}
	resp, err := pool.RoundTrip(context.Background(), &backendRequest{Addr: fb.addr, Head: beGetHead("/")})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Close()
	if resp.HeadBytes != len(head) {
		t.Errorf("HeadBytes = %d, want %d", resp.HeadBytes, len(head))
	}
	if !resp.FirstByte.Equal(fixed) {
		t.Errorf("FirstByte = %v", resp.FirstByte)
	}
}

// TestBackendReuse checks that sequential requests share one connection
// and that the body's end returns it to the pool.
func TestBackendReuse(t *testing.T) {
	fb := newBeFake(t, beServeCanned("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false))
	pool := &BackendPool{}
	defer pool.CloseIdle()
	for i := 0; i < 5; i++ {
		resp, err := pool.RoundTrip(context.Background(), &backendRequest{Addr: fb.addr, Head: beGetHead("/")})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Reused != (i > 0) {
			t.Errorf("request %d: Reused = %v", i, resp.Reused)
		}
		if body, err := beReadAll(resp.Body); err != nil || body != "hello" {
			t.Fatalf("body %q %v", body, err)
		}
		if n := pool.IdleCount(fb.addr); n != 1 {
			t.Errorf("after the body's end: %d idle, want 1", n)
		}
		resp.Close()
	}
	if n := fb.accepted.Load(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

// TestBackendNoReuse checks the answers after which the connection is
// closed.
func TestBackendNoReuse(t *testing.T) {
	for _, tc := range []struct {
		name, resp string
		noReuse    bool
	}{
		{"connection close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", false},
		{"http10", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", false},
		{"TE+CL", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", false},
		{"extra bytes after body", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA", false},
		{"request NoReuse", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fb := newBeFake(t, beServeCanned(tc.resp, false))
			pool := &BackendPool{}
			defer pool.CloseIdle()
			for i := 0; i < 2; i++ {
				resp, err := pool.RoundTrip(context.Background(), &backendRequest{Addr: fb.addr, Head: beGetHead("/"), NoReuse: tc.noReuse})
				if err != nil {
					t.Fatal(err)
				}
				if body, err := beReadAll(resp.Body); err != nil || body != "ok" {
					t.Fatalf("body %q %v", body, err)
				}
				resp.Close()
				if n := pool.IdleCount(fb.addr); n != 0 {
					t.Errorf("%d idle, want 0", n)
				}
			}
			if n := fb.accepted.Load(); n != 2 {
				t.Errorf("%d connections, want 2", n)
			}
		})
	}
}

// TestBackendIdleClosed checks that an idle connection the backend closed
// is noticed and a new one used.
func TestBackendIdleClosed(t *testing.T) {
	// Answers one request per connection without saying so, then closes.
	fb := newBeFake(t, beServeCanned("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true))
	pool := &BackendPool{}
	defer pool.CloseIdle()
	for i := 0; i < 3; i++ {
		resp, err := pool.RoundTrip(context.Background(), &backendRequest{Addr: fb.addr, Head: beGetHead("/")})
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if body, err := beReadAll(resp.Body); err != nil || body != "ok" {
			t.Fatalf("body %q %v", body, err)
		}
		resp.Close()
		time.Sleep(20 * time.Millisecond) // let the close arrive
	}
	if n := fb.accepted.Load(); n != 3 {
		t.Errorf("%d connections, want 3", n)
	}
}

// TestBackendRetry checks the retry of an idempotent request when a
// reused connection dies before answering (after the liveness check).
func TestBackendRetry(t *testing.T) {
	script := func(n int, c net.Conn, br *bufio.Reader) {
		if _, err := beReadRequest(br); err != nil {
			return
		}
		if n == 1 {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			// The second request on this connection is read, then the
			// connection is dropped without an answer.
			beReadRequest(br)
			return
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nretry")
		beReadRequest(br)
	}
	for _, idem := range []bool{true, false} {
		t.Run(fmt.Sprint("idempotent=", idem), func(t *testing.T) {
			fb := newBeFake(t, script)
			pool := &BackendPool{}
			defer pool.CloseIdle()
			resp, err := pool.RoundTrip(context.Background(), &backendRequest{Addr: fb.addr, Head: beGetHead("/")})
			if err != nil {
				t.Fatal(err)
			}
			beReadAll(resp.Body)
			resp.Close()
			resp, err = pool.RoundTrip(context.Background(), &backendRequest{Addr: fb.addr, Head: beGetHead("/"), Idempotent: idem})
			if !idem {
				var be *BackendError
				if !errors.As(err, &be) || be.Kind != BackendHangUp || !be.Reused || be.Status() != 502 {
					t.Fatalf("err = %#v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if body, _ := beReadAll(resp.Body); body != "retry" {
				t.Errorf("body %q", body)
			}
			resp.Close()
		})
	}
}

// TestBackendRetryWithBody checks that a small body written with the head
// is sent again on the retry.
func TestBackendRetryWithBody(t *testing.T) {
	got := make(chan string, 4)
	script := func(n int, c net.Conn, br *bufio.Reader) {
		for i := 0; ; i++ {
			r, err := beReadRequest(br)
			if err != nil {
				return
			}
			if n == 1 && i == 1 {
				return // drop the second request
			}
			got <- string(r.body)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		}
	}
	fb := newBeFake(t, script)
	pool := &BackendPool{}
	defer pool.CloseIdle()
	for i := 0; i < 2; i++ {
		body := "payload-" + strconv.Itoa(i)
		head := fmt.Sprintf("PUT /x HTTP/1.1\r\nHost: b\r\nContent-Length: %d\r\n\r\n", len(body))
		resp, err := pool.RoundTrip(context.Background(), &backendRequest{Addr: fb.addr, Head: []byte(head),
			Body: strings.NewReader(body), BodyLen: int64(len(body)), Idempotent: true})
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		beReadAll(resp.Body)
		resp.Close()
		if g := <-got; g != body {
			t.Errorf("backend got %q, want %q", g, body)
		}
	}
}

// TestBackendConcurrent runs requests from many goroutines.
func TestBackendConcurrent(t *testing.T) {
	script := func(_ int, c net.Conn, br *bufio.Reader) {
		for {
			r, err := beReadRequest(br)
			if err != nil {
				return
			}
			path := strings.Fields(r.head)[1]
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(path)+len(r.body), path+string(r.body))
		}
	}
	fb := newBeFake(t, script)
	pool := &BackendPool{MaxIdlePerHost: 4}
	defer pool.CloseIdle()
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				path := fmt.Sprintf("/g%d/%d", g, i)
				body := strings.Repeat("b", i*97)
				head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: b\r\nContent-Length: %d\r\n\r\n", path, len(body))
				resp, err := pool.RoundTrip(context.Background(), &backendRequest{Addr: fb.addr, Head: []byte(head),
					Body: strings.NewReader(body), BodyLen: int64(len(body))})
				if err != nil {
					errs <- err
					return
				}
				got, err := beReadAll(resp.Body)
				resp.Close()
				if err != nil || got != path+body {
					errs <- fmt.Errorf("%s: got %d bytes, %v", path, len(got), err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := pool.IdleCount(fb.addr); n > 4 {
		t.Errorf("%d idle > MaxIdlePerHost", n)
	}
	t.Logf("%d connections for 400 requests", fb.accepted.Load())
}

// TestBackendTimeout checks that a backend that never answers gives a
// timeout (504), and one that stalls in the body a broken body.
func TestBackendTimeout(t *testing.T) {
	t.Run("no answer", func(t *testing.T) {
		fb := newBeFake(t, func(_ int, c net.Conn, br *bufio.Reader) {
			beReadRequest(br)
			beHold(c)
		})
		pool := &BackendPool{}
		start := time.Now()
		_, err := pool.RoundTrip(context.Background(), &backendRequest{Addr: fb.addr, Head: beGetHead("/"), Timeout: 100 * time.Millisecond})
		var be *BackendError
		if !errors.As(err, &be) || be.Kind != BackendTimeout || be.Status() != 504 || !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("err = %v", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("took %v", d)
		}
	})
	t.Run("partial head", func(t *testing.T) {
		fb := newBeFake(t, func(_ int, c net.Conn, br *bufio.Reader) {
			beReadRequest(br)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nX: ")
			beHold(c)
		})
		pool := &BackendPool{}
		_, err := pool.RoundTrip(context.Background(), &backendRequest{Addr: fb.addr, Head: beGetHead("/"), Timeout: 100 * time.Millisecond})
		if beErrKind(err) != BackendTimeout {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("mid body", func(t *testing.T) {
		fb := newBeFake(t, func(_ int, c net.Conn, br *bufio.Reader) {
			beReadRequest(br)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsome")
			beHold(c)
		})
		pool := &BackendPool{}
		resp, err := pool.RoundTrip(context.Background(), &backendRequest{Addr: fb.addr, Head: beGetHead("/"), Timeout: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Close()
		body, err := beReadAll(resp.Body)
		if body != "some" || beErrKind(err) != BackendBodyBroken || !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("body %q err %v", body, err)
		}
	})
	t.Run("slow but active body", func(t *testing.T) {
		fb := newBeFake(t, func(_ int, c net.Conn, br *bufio.Reader) {
			beReadRequest(br)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n")
			for i := 0; i < 6; i++ {
				time.Sleep(100 * time.Millisecond)
				io.WriteString(c, "x")
			}
		})
		pool := &BackendPool{}
		resp, err := pool.RoundTrip(context.Background(), &backendRequest{Addr: fb.addr, Head: beGetHead("/"), Timeout: 400 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Close()
		if body, err := beReadAll(resp.Body); body != "xxxxxx" || err != nil {
			t.Fatalf("body %q err %v", body, err)
		}
	})
}

// TestBackendConnectErrors checks the classification of connect failures.
func TestBackendConnectErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	pool := &BackendPool{}
	_, err = pool.RoundTrip(context.Background(), &backendRequest{Addr: closed, Head: beGetHead("/")})
	if beErrKind(err) != BackendRefused || err.(*BackendError).Status() != 503 {
		t.Errorf("refused: %v", err)
	}

	dnsPool := &BackendPool{Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "nowhere.invalid", IsNotFound: true}}
	}}
	_, err = dnsPool.RoundTrip(context.Background(), &backendRequest{Addr: "nowhere.invalid:80", Head: beGetHead("/")})
	if beErrKind(err) != BackendDNS || err.(*BackendError).Status() != 500 {
		t.Errorf("dns: %v", err)
	}

	slowPool := &BackendPool{ConnectTimeout: 50 * time.Millisecond, Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
		<-ctx.Done()
		return nil, &net.OpError{Op: "dial", Net: network, Err: ctx.Err()}
	}}
	_, err = slowPool.RoundTrip(context.Background(), &backendRequest{Addr: "10.255.255.1:80", Head: beGetHead("/")})
	if beErrKind(err) != BackendUnreachable || err.(*BackendError).Status() != 503 {
		t.Errorf("connect timeout: %v", err)
	}
}

// TestBackendCancel checks that a canceled context ends a waiting
// exchange at once.
func TestBackendCancel(t *testing.T) {
	fb := newBeFake(t, func(_ int, c net.Conn, br *bufio.Reader) {
		beReadRequest(br)
		beHold(c)
	})
	pool := &BackendPool{}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := pool.RoundTrip(ctx, &backendRequest{Addr: fb.addr, Head: beGetHead("/"), Timeout: 5 * time.Second})
	if beErrKind(err) != BackendCanceled || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v", d)
	}
	_, err = pool.RoundTrip(ctx, &backendRequest{Addr: fb.addr, Head: beGetHead("/")})
	if beErrKind(err) != BackendCanceled {
		t.Fatalf("canceled before: %v", err)
	}
}

// TestBackendRequestBody checks the framing of request bodies.
func TestBackendRequestBody(t *testing.T) {
	big := strings.Repeat("0123456789", 10000)
	for _, tc := range []struct {
		name     string
		body     io.Reader
		bodyLen  int64
		trailers []Field
		want     string // body as the backend saw it
		wantRaw  string // framed body, when checked
		kind     BackendErrorKind
	}{
		{name: "length", body: strings.NewReader("hello"), bodyLen: 5, want: "hello", wantRaw: "hello"},
		{name: "length big", body: strings.NewReader(big), bodyLen: int64(len(big)), want: big},
		{name: "length one byte reads", body: &beOneByteReader{r: strings.NewReader("slowly")}, bodyLen: 6, want: "slowly"},
		{name: "chunked", body: strings.NewReader("hello"), bodyLen: -1, want: "hello", wantRaw: "5\r\nhello\r\n0\r\n\r\n"},
		{name: "chunked empty", body: strings.NewReader(""), bodyLen: -1, want: "", wantRaw: "0\r\n\r\n"},
		{name: "chunked pieces", body: &beOneByteReader{r: strings.NewReader("abc")}, bodyLen: -1, want: "abc",
			wantRaw: "1\r\na\r\n1\r\nb\r\n1\r\nc\r\n0\r\n\r\n"},
		{name: "chunked trailers", body: strings.NewReader("hello"), bodyLen: -1,
			trailers: []Field{{Name: "X-T", Value: "tv \"q\""}, {Name: "Bad Name", Value: "x"}, {Name: "X-Split", Value: "a\r\nb"}},
			want:     "hello", wantRaw: "5\r\nhello\r\n0\r\nX-T: tv \"q\"\r\n\r\n"},
		{name: "chunked big", body: strings.NewReader(big), bodyLen: -1, want: big},
		{name: "short body", body: strings.NewReader("abc"), bodyLen: 5, kind: BackendClientBody},
		{name: "failing body", body: io.MultiReader(strings.NewReader("abc"), &beErrReader{errors.New("client reset")}), bodyLen: -1, kind: BackendClientBody},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := make(chan *beFakeRequest, 1)
			fb := newBeFake(t, func(_ int, c net.Conn, br *bufio.Reader) {
				r, err := beReadRequest(br)
				if err != nil {
					return
				}
				got <- r
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			})
			te := "Content-Length: " + strconv.FormatInt(tc.bodyLen, 10)
			if tc.bodyLen < 0 {
				te = "Transfer-Encoding: chunked"
			}
			req := &backendRequest{Addr: fb.addr, Head: []byte("POST /p HTTP/1.1\r\nHost: b\r\n" + te + "\r\n\r\n"),
				Body: tc.body, BodyLen: tc.bodyLen}
			if tc.trailers != nil {
				req.Trailers = func() []Field { return tc.trailers }
			}
			pool := &BackendPool{}
			defer pool.CloseIdle()
			resp, err := pool.RoundTrip(context.Background(), req)
			if tc.kind != 0 {
				if beErrKind(err) != tc.kind || beErrKind(err).Status() != 400 {
					t.Fatalf("err = %v, want %v", err, tc.kind)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			beReadAll(resp.Body)
			resp.Close()
			if !resp.BodySent {
				t.Error("BodySent false")
			}
			r := <-got
			if string(r.body) != tc.want {
				t.Errorf("backend got %d bytes, want %d", len(r.body), len(tc.want))
			}
			if tc.wantRaw != "" && string(r.rawBody) != tc.wantRaw {
				t.Errorf("raw body %q, want %q", r.rawBody, tc.wantRaw)
			}
		})
	}
}

type beOneByteReader struct{ r io.Reader }

func (o *beOneByteReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

type beErrReader struct{ err error }

func (e *beErrReader) Read([]byte) (int, error) { return 0, e.err }

// TestBackendSingleWrite checks that a head and a small body leave in one
// write.
func TestBackendSingleWrite(t *testing.T) {
	var writes []int
	var mu sync.Mutex
	fb := newBeFake(t, beServeCanned("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false))
	pool := &BackendPool{Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &beCountingConn{Conn: c, onWrite: func(n int) { mu.Lock(); writes = append(writes, n); mu.Unlock() }}, nil
	}}
	defer pool.CloseIdle()
	head := "POST /p HTTP/1.1\r\nHost: b\r\nContent-Length: 5\r\n\r\n"
	resp, err := pool.RoundTrip(context.Background(), &backendRequest{Addr: fb.addr, Head: []byte(head), Body: strings.NewReader("hello"), BodyLen: 5})
	if err != nil {
		t.Fatal(err)
	}
	beReadAll(resp.Body)
	resp.Close()
	chead := "POST /p HTTP/1.1\r\nHost: b\r\nTransfer-Encoding: chunked\r\n\r\n"
	resp, err = pool.RoundTrip(context.Background(), &backendRequest{Addr: fb.addr, Head: []byte(chead), Body: &beDataEOFReader{s: "hello"}, BodyLen: -1})
	if err != nil {
		t.Fatal(err)
	}
	beReadAll(resp.Body)
	resp.Close()
	mu.Lock()
	defer mu.Unlock()
	want := fmt.Sprint([]int{len(head) + 5, len(chead) + len("5\r\nhello\r\n0\r\n\r\n")})
	if fmt.Sprint(writes) != want {
		t.Errorf("writes %v, want %v", writes, want)
	}
}

// beHold keeps a fake backend's connection open without answering until
// the client closes it (or a few seconds passed).
func beHold(c net.Conn) {
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	io.Copy(io.Discard, c)
}

// beDataEOFReader returns its data together with io.EOF, as a de-framer
// that has seen the body's end does.
type beDataEOFReader struct{ s string }

func (r *beDataEOFReader) Read(p []byte) (int, error) {
	n := copy(p, r.s)
	r.s = r.s[n:]
	if r.s == "" {
		return n, io.EOF
	}
	return n, nil
}

type beCountingConn struct {
	net.Conn
	onWrite func(int)
}

func (c *beCountingConn) Write(p []byte) (int, error) {
	c.onWrite(len(p))
	return c.Conn.Write(p)
}

// TestBackendExpectContinue covers the 100-continue exchange.
func TestBackendExpectContinue(t *testing.T) {
	const body = "body"
	head := "POST /p HTTP/1.1\r\nHost: b\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"
	for _, tc := range []struct {
		name     string
		script   func(c net.Conn, br *bufio.Reader, got chan<- string)
		status   int
		interims string
		bodySent bool
		keep     bool
	}{
		{name: "100 then body", status: 200, interims: "[100]", bodySent: true, keep: true,
			script: func(c net.Conn, br *bufio.Reader, got chan<- string) {
				r, _ := beReadHead(br)
				io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\n")
				beReadBody(br, r)
				got <- string(r.body)
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			}},
		{name: "103 then 100", status: 200, interims: "[103 100]", bodySent: true, keep: true,
			script: func(c net.Conn, br *bufio.Reader, got chan<- string) {
				r, _ := beReadHead(br)
				io.WriteString(c, "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n")
				time.Sleep(20 * time.Millisecond)
				io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\n")
				beReadBody(br, r)
				got <- string(r.body)
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			}},
		{name: "silent backend gets the body after the timer", status: 200, interims: "[]", bodySent: true, keep: true,
			script: func(c net.Conn, br *bufio.Reader, got chan<- string) {
				r, _ := beReadHead(br)
				beReadBody(br, r)
				got <- string(r.body)
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			}},
		{name: "final with close: no body", status: 401, interims: "[]", bodySent: false, keep: false,
			script: func(c net.Conn, br *bufio.Reader, got chan<- string) {
				beReadHead(br)
				io.WriteString(c, "HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno")
				got <- ""
			}},
		{name: "final keep-alive: body sent anyway", status: 403, interims: "[]", bodySent: true, keep: true,
			script: func(c net.Conn, br *bufio.Reader, got chan<- string) {
				r, _ := beReadHead(br)
				io.WriteString(c, "HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\n\r\nno")
				beReadBody(br, r)
				got <- string(r.body)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := make(chan string, 1)
			fb := newBeFake(t, func(_ int, c net.Conn, br *bufio.Reader) {
				tc.script(c, br, got)
				time.Sleep(50 * time.Millisecond)
			})
			pool := &BackendPool{ContinueTimeout: 100 * time.Millisecond}
			defer pool.CloseIdle()
			var interims []int
			resp, err := pool.RoundTrip(context.Background(), &backendRequest{Addr: fb.addr, Head: []byte(head),
				Body: strings.NewReader(body), BodyLen: 4, ExpectContinue: true,
				OnInterim: func(s int, _ string, _ []Field) error { interims = append(interims, s); return nil }})
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Close()
			if resp.Status != tc.status || fmt.Sprint(interims) != tc.interims {
				t.Errorf("status %d interims %v", resp.Status, interims)
			}
			if resp.BodySent != tc.bodySent || resp.KeepAlive != tc.keep {
				t.Errorf("BodySent %v KeepAlive %v", resp.BodySent, resp.KeepAlive)
			}
			if g := <-got; tc.bodySent && g != body {
				t.Errorf("backend got body %q", g)
			}
		})
	}
}

// TestBackendEarlyAnswer checks that an answer arriving while the body is
// still being sent stops the upload and is returned.
func TestBackendEarlyAnswer(t *testing.T) {
	for _, closeIt := range []bool{true, false} {
		t.Run(fmt.Sprint("close=", closeIt), func(t *testing.T) {
			fb := newBeFake(t, func(_ int, c net.Conn, br *bufio.Reader) {
				beReadHead(br)
				io.WriteString(c, "HTTP/1.1 413 Request Entity Too Large\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbig")
				if closeIt {
					c.(*net.TCPConn).CloseWrite()
				}
				// Lingering: read and drop what comes, for a while.
				c.SetReadDeadline(time.Now().Add(2 * time.Second))
				io.Copy(io.Discard, br)
			})
			pool := &BackendPool{}
			src := &beSlowSource{n: 64 << 20, pause: time.Millisecond}
			head := "POST /up HTTP/1.1\r\nHost: b\r\nContent-Length: 67108864\r\n\r\n"
			start := time.Now()
			resp, err := pool.RoundTrip(context.Background(), &backendRequest{Addr: fb.addr, Head: []byte(head), Body: src, BodyLen: 64 << 20, Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Close()
			if resp.Status != 413 || resp.BodySent || resp.KeepAlive {
				t.Errorf("status %d BodySent %v KeepAlive %v", resp.Status, resp.BodySent, resp.KeepAlive)
			}
			if body, err := beReadAll(resp.Body); body != "big" || err != nil {
				t.Errorf("body %q %v", body, err)
			}
			if src.read >= 64<<20 || time.Since(start) > 2*time.Second {
				t.Errorf("read %d bytes of the body in %v", src.read, time.Since(start))
			}
		})
	}
}

// TestBackendSendFailures covers failures while sending the body: an
// answer followed by an abortive close (RST) is still returned; a close
// without answer is a hang-up; a backend that stops reading is a timeout.
func TestBackendSendFailures(t *testing.T) {
	head := "POST /up HTTP/1.1\r\nHost: b\r\nContent-Length: 67108864\r\n\r\n"
	for _, tc := range []struct {
		name   string
		script func(c net.Conn, br *bufio.Reader)
		kind   BackendErrorKind
	}{
		{"answer then RST", func(c net.Conn, br *bufio.Reader) {
			beReadHead(br)
			io.WriteString(c, "HTTP/1.1 413 Request Entity Too Large\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbig")
			c.(*net.TCPConn).SetLinger(0)
		}, 0},
		{"RST without answer", func(c net.Conn, br *bufio.Reader) {
			beReadHead(br)
			c.(*net.TCPConn).SetLinger(0)
		}, BackendHangUp},
		{"backend stops reading", func(c net.Conn, br *bufio.Reader) {
			beReadHead(br)
			// Long past the 200 ms write timeout, and the read that may
			// follow it (another 200 ms), even on a loaded machine under
			// the race detector: closing sooner turns the timeout into a
			// hang-up.
			time.Sleep(2 * time.Second)
		}, BackendTimeout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fb := newBeFake(t, func(_ int, c net.Conn, br *bufio.Reader) { tc.script(c, br) })
			pool := &BackendPool{}
			src := &beSlowSource{n: 64 << 20}
			resp, err := pool.RoundTrip(context.Background(), &backendRequest{Addr: fb.addr, Head: []byte(head),
				Body: src, BodyLen: 64 << 20, Timeout: 200 * time.Millisecond})
			if tc.kind != 0 {
				if beErrKind(err) != tc.kind {
					t.Fatalf("err = %v, want %v", err, tc.kind)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Close()
			if resp.Status != 413 || resp.BodySent {
				t.Errorf("status %d BodySent %v", resp.Status, resp.BodySent)
			}
		})
	}
}

// beSlowSource yields n bytes, pausing before each read.
type beSlowSource struct {
	n, read int
	pause   time.Duration
}

func (s *beSlowSource) Read(p []byte) (int, error) {
	if s.read >= s.n {
		return 0, io.EOF
	}
	time.Sleep(s.pause)
	if len(p) > s.n-s.read {
		p = p[:s.n-s.read]
	}
	for i := range p {
		p[i] = 'u'
	}
	s.read += len(p)
	return len(p), nil
}

// TestBackendUpgrade checks the 101 handover with bytes the backend sent
// right behind the head.
func TestBackendUpgrade(t *testing.T) {
	fb := newBeFake(t, func(_ int, c net.Conn, br *bufio.Reader) {
		beReadHead(br)
		io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n\r\nhello")
		buf := make([]byte, 4)
		io.ReadFull(br, buf)
		c.Write(buf) // echo
	})
	pool := &BackendPool{}
	head := "GET /ws HTTP/1.1\r\nHost: b\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
	resp, err := pool.RoundTrip(context.Background(), &backendRequest{Addr: fb.addr, Head: []byte(head), Upgrade: "websocket", Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Close()
	if resp.Status != 101 || resp.Conn == nil || !resp.NoBody {
		t.Fatalf("status %d conn %v", resp.Status, resp.Conn)
	}
	defer resp.Conn.Close()
	time.Sleep(150 * time.Millisecond) // past Timeout: the deadlines must be gone
	buf := make([]byte, 5)
	if _, err := io.ReadFull(resp.Conn, buf); err != nil || string(buf) != "hello" {
		t.Fatalf("read %q %v", buf, err)
	}
	resp.Conn.Write([]byte("ping"))
	if _, err := io.ReadFull(resp.Conn, buf[:4]); err != nil || string(buf[:4]) != "ping" {
		t.Fatalf("echo %q %v", buf[:4], err)
	}
	if pool.IdleCount(fb.addr) != 0 {
		t.Error("upgraded connection pooled")
	}
}

// TestBackendCloseUnread checks Close before the body's end.
func TestBackendCloseUnread(t *testing.T) {
	for _, tc := range []struct {
		name string
		size int
		idle int
	}{{"small buffered body reused", 10, 1}, {"big body closed", 1 << 20, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			resp := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", tc.size, strings.Repeat("z", tc.size))
			fb := newBeFake(t, beServeCanned(resp, false))
			pool := &BackendPool{}
			defer pool.CloseIdle()
			r, err := pool.RoundTrip(context.Background(), &backendRequest{Addr: fb.addr, Head: beGetHead("/")})
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond)
			r.Body.Read(make([]byte, 1))
			r.Close()
			r.Close()
			if n := pool.IdleCount(fb.addr); n != tc.idle {
				t.Errorf("%d idle, want %d", n, tc.idle)
			}
			if _, err := r.Body.Read(make([]byte, 1)); err == nil {
				t.Error("read after Close succeeded")
			}
		})
	}
}

// TestBackendInterimAbort checks that a failing OnInterim ends the
// exchange.
func TestBackendInterimAbort(t *testing.T) {
	fb := newBeFake(t, beServeCanned("HTTP/1.1 103 Early Hints\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false))
	pool := &BackendPool{}
	_, err := pool.RoundTrip(context.Background(), &backendRequest{Addr: fb.addr, Head: beGetHead("/"),
		OnInterim: func(int, string, []Field) error { return errors.New("client gone") }})
	if beErrKind(err) != BackendClientAbort || beErrKind(err).Status() != 0 {
		t.Fatalf("err = %v", err)
	}
}

// TestBackendIdleTimeout checks that expired idle connections are not
// used.
func TestBackendIdleTimeout(t *testing.T) {
	fb := newBeFake(t, beServeCanned("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false))
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	pool := &BackendPool{IdleTimeout: time.Minute, Now: func() time.Time { return time.Unix(0, now.Load()) }}
	defer pool.CloseIdle()
	for i := 0; i < 2; i++ {
		resp, err := pool.RoundTrip(context.Background(), &backendRequest{Addr: fb.addr, Head: beGetHead("/")})
		if err != nil {
			t.Fatal(err)
		}
		resp.Close()
		now.Add(int64(2 * time.Minute))
	}
	if n := fb.accepted.Load(); n != 2 {
		t.Errorf("%d connections, want 2", n)
	}
}

// BenchmarkRoundTrip measures a GET with a small answer against an
// in-process backend on loopback over one kept-alive connection (the
// backend's work is in the numbers too).
func BenchmarkRoundTrip(b *testing.B) {
	fb := newBeFake(b, beBenchServe)
	pool := &BackendPool{}
	defer pool.CloseIdle()
	beBenchGet(b, pool, fb.addr)
}

// BenchmarkRoundTripPost is BenchmarkRoundTrip with a 1 KiB request body.
func BenchmarkRoundTripPost(b *testing.B) {
	fb := newBeFake(b, beBenchServe)
	pool := &BackendPool{}
	defer pool.CloseIdle()
	beBenchPost(b, pool, fb.addr)
}

// beBenchResp is the fast backend's answer.
var beBenchResp = []byte("HTTP/1.1 200 OK\r\nDate: Sat, 01 Jan 2000 00:00:00 GMT\r\nServer: jl6-upstream\r\nContent-Type: text/plain\r\nX-JL6-CID: 17\r\nContent-Length: 5\r\n\r\nhello")

// beBenchServe is a fast backend without allocations: it reads a head,
// skips a body of the Content-Length the benchmarks send (0 or 1024) and
// answers beBenchResp.
func beBenchServe(_ int, c net.Conn, br *bufio.Reader) {
	for {
		bodyLen := 0
		for {
			line, err := br.ReadSlice('\n')
			if err != nil {
				return
			}
			if len(line) == 2 {
				break
			}
			if bytes.HasPrefix(line, []byte("Content-Length: 1024")) {
				bodyLen = 1024
			}
		}
		if _, err := br.Discard(bodyLen); err != nil {
			return
		}
		if _, err := c.Write(beBenchResp); err != nil {
			return
		}
	}
}

var beBenchHead = []byte("GET /p/x HTTP/1.1\r\nHost: 127.0.0.1:18090\r\nUser-Agent: jl6-client/1.0\r\nX-Forwarded-For: 127.0.0.1\r\nConnection: Keep-Alive\r\n\r\n")

func beBenchGet(b *testing.B, pool *BackendPool, addr string) {
	req := &backendRequest{Addr: addr, Head: beBenchHead, Idempotent: true}
	buf := make([]byte, 32<<10)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := pool.RoundTrip(ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := r.Body.Read(buf)
			if err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				break
			}
		}
		r.Close()
	}
}

func beBenchPost(b *testing.B, pool *BackendPool, addr string) {
	head := []byte("POST /p HTTP/1.1\r\nHost: b\r\nContent-Length: 1024\r\n\r\n")
	payload := bytes.Repeat([]byte("p"), 1024)
	body := bytes.NewReader(payload)
	req := &backendRequest{Addr: addr, Head: head, Body: body, BodyLen: 1024}
	buf := make([]byte, 4096)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body.Reset(payload)
		r, err := pool.RoundTrip(context.Background(), req)
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Body.Read(buf); err != nil {
				break
			}
		}
		r.Close()
	}
}

// BenchmarkRoundTripCPU runs the fast backend in another process and
// reports the CPU time this process spent per request (user+system, all
// threads: the client's whole cost, syscalls and runtime included).
func BenchmarkRoundTripCPU(b *testing.B) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestBeHelperBackend$")
	cmd.Env = append(os.Environ(), "BE_HELPER_BACKEND=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatal(err)
	}
	addr = strings.TrimSpace(addr)
	for _, bm := range []struct {
		name string
		run  func(*testing.B, *BackendPool, string)
	}{{"GET", beBenchGet}, {"POST1K", beBenchPost}} {
		b.Run(bm.name, func(b *testing.B) {
			pool := &BackendPool{}
			defer pool.CloseIdle()
			var ru0, ru1 syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
			bm.run(b, pool, addr)
			syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
			cpu := time.Duration(ru1.Utime.Nano()-ru0.Utime.Nano()) + time.Duration(ru1.Stime.Nano()-ru0.Stime.Nano())
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}

// TestBeHelperBackend is the backend process of BenchmarkRoundTripCPU; it
// does nothing in a normal run.
func TestBeHelperBackend(t *testing.T) {
	if os.Getenv("BE_HELPER_BACKEND") != "1" {
		return // only runs as the helper process of BenchmarkRoundTripCPU
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(ln.Addr())
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			beBenchServe(0, c, bufio.NewReader(c))
		}()
	}
}

// TestBackendDialOptions: a new backend connection has TCP keep-alive
// probes only with KeepAlive (ProxyPass keepalive=On), as httpd; and a
// request's ConnectTimeout bounds the dial.
func TestBackendDialOptions(t *testing.T) {
	fb := newBeFake(t, beServeCanned("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true))
	for _, tc := range []struct {
		name      string
		keepAlive bool
		want      int
	}{{"default: no probes", false, 0}, {"keepalive=On", true, 1}} {
		t.Run(tc.name, func(t *testing.T) {
			pool := &BackendPool{}
			defer pool.CloseIdle()
			resp, err := pool.RoundTrip(context.Background(), &backendRequest{Addr: fb.addr, KeepAlive: tc.keepAlive,
				Head: []byte("GET / HTTP/1.1\r\nHost: b\r\n\r\n")})
			if err != nil {
				t.Fatal(err)
			}
			beReadAll(resp.Body)
			resp.Close()
			h := pool.lookupHost(fb.addr, nil)
			h.mu.Lock()
			if len(h.idle) != 1 {
				h.mu.Unlock()
				t.Fatalf("%d idle connections, want 1", len(h.idle))
			}
			rc := rawConnOf(h.idle[0].nc)
			h.mu.Unlock()
			var v int
			var gerr error
			rc.Control(func(fd uintptr) { v, gerr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_KEEPALIVE) })
			if gerr != nil || v != tc.want {
				t.Fatalf("SO_KEEPALIVE = %d, %v; want %d", v, gerr, tc.want)
			}
		})
	}
	t.Run("connect timeout", func(t *testing.T) {
		var left time.Duration
		pool := &BackendPool{ConnectTimeout: time.Minute, Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if d, ok := ctx.Deadline(); ok {
				left = time.Until(d)
			}
			return nil, errors.New("no dialing in this test")
		}}
		_, err := pool.RoundTrip(context.Background(), &backendRequest{Addr: fb.addr, ConnectTimeout: 2 * time.Second,
			Head: []byte("GET / HTTP/1.1\r\nHost: b\r\n\r\n")})
		if err == nil {
			t.Fatal("RoundTrip succeeded without a connection")
		}
		if left <= 0 || left > 2*time.Second {
			t.Fatalf("the dial had %v left; want the request's 2s, not the pool's minute", left)
		}
	})
}

// TestBackendMaxConns: with MaxConns (ProxyPass max=), no more than that
// many connections are ever open to the backend; requests beyond it
// wait for one and are all answered; a wait longer than AcquireTimeout
// fails with BackendBusy (503).
func TestBackendMaxConns(t *testing.T) {
	var inFlight, peak atomic.Int32
	fb := newBeFake(t, func(_ int, c net.Conn, br *bufio.Reader) {
		for {
			if _, err := beReadRequest(br); err != nil {
				return
			}
			n := inFlight.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(5 * time.Millisecond)
			inFlight.Add(-1)
			if _, err := io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); err != nil {
				return
			}
		}
	})
	pool := &BackendPool{}
	defer pool.CloseIdle()
	const max, clients = 3, 12
	var wg sync.WaitGroup
	errs := make(chan error, clients*4)
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 4; j++ {
				resp, err := pool.RoundTrip(context.Background(), &backendRequest{Addr: fb.addr, MaxConns: max,
					Head: beGetHead("/"), Idempotent: true})
				if err != nil {
					errs <- err
					return
				}
				beReadAll(resp.Body)
				resp.Close()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("request failed: %v", err)
	}
	if a := fb.accepted.Load(); a > max {
		t.Errorf("%d connections opened, want at most %d", a, max)
	}
	if p := peak.Load(); p > max || p < 2 {
		t.Errorf("at most %d requests at the backend at once, want 2..%d", p, max)
	}
	h := pool.lookupHost(fb.addr, nil)
	h.mu.Lock()
	open := h.open
	h.mu.Unlock()
	if open != int(fb.accepted.Load()) || open > max {
		t.Errorf("the pool counts %d open connections, %d were opened", open, fb.accepted.Load())
	}

	t.Run("acquire timeout", func(t *testing.T) {
		block := make(chan struct{})
		slow := newBeFake(t, func(_ int, c net.Conn, br *bufio.Reader) {
			if _, err := beReadRequest(br); err != nil {
				return
			}
			<-block
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		})
		pool := &BackendPool{}
		defer pool.CloseIdle()
		first := make(chan error, 1)
		go func() {
			resp, err := pool.RoundTrip(context.Background(), &backendRequest{Addr: slow.addr, MaxConns: 1, Head: beGetHead("/")})
			if err == nil {
				beReadAll(resp.Body)
				resp.Close()
			}
			first <- err
		}()
		waitFor(t, 2*time.Second, "the first request to hold the connection", func() bool { return slow.accepted.Load() == 1 })
		start := time.Now()
		_, err := pool.RoundTrip(context.Background(), &backendRequest{Addr: slow.addr, MaxConns: 1,
			AcquireTimeout: 50 * time.Millisecond, Head: beGetHead("/")})
		if k := beErrKind(err); k != BackendBusy || k.Status() != 503 {
			t.Fatalf("second request at the cap: %v (kind %v); want BackendBusy, 503", err, k)
		}
		if d := time.Since(start); d < 40*time.Millisecond {
			t.Fatalf("gave up after %v, before acquire's 50ms", d)
		}
		close(block)
		if err := <-first; err != nil {
			t.Fatalf("first request: %v", err)
		}
		if a := slow.accepted.Load(); a != 1 {
			t.Fatalf("%d connections opened, want 1", a)
		}
	})
}

// TestBackendMaxConnsGiveUp: requests that give up while waiting at the
// cap (canceled, or out of acquire time) leave no room taken: afterwards
// the count matches the connections kept, and a new request is served at
// once.
func TestBackendMaxConnsGiveUp(t *testing.T) {
	release := make(chan struct{})
	fb := newBeFake(t, func(n int, c net.Conn, br *bufio.Reader) {
		for {
			if _, err := beReadRequest(br); err != nil {
				return
			}
			if n == 1 {
				<-release // the first connection's first answer waits
				n = 0
			}
			if _, err := io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); err != nil {
				return
			}
		}
	})
	pool := &BackendPool{}
	defer pool.CloseIdle()
	req := func(ctx context.Context, acquire time.Duration) error {
		resp, err := pool.RoundTrip(ctx, &backendRequest{Addr: fb.addr, MaxConns: 1, AcquireTimeout: acquire, Head: beGetHead("/")})
		if err != nil {
			return err
		}
		beReadAll(resp.Body)
		resp.Close()
		return nil
	}
	first := make(chan error, 1)
	go func() { first <- req(context.Background(), 0) }()
	waitFor(t, 2*time.Second, "the first request to hold the connection", func() bool { return fb.accepted.Load() == 1 })
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if i%2 == 0 {
				ctx, cancel := context.WithTimeout(context.Background(), time.Duration(1+i)*time.Millisecond)
				defer cancel()
				if k := beErrKind(req(ctx, 0)); k != BackendCanceled {
					t.Errorf("canceled waiter: kind %v, want BackendCanceled", k)
				}
			} else if k := beErrKind(req(context.Background(), time.Duration(1+i)*time.Millisecond)); k != BackendBusy {
				t.Errorf("waiter out of acquire time: kind %v, want BackendBusy", k)
			}
		}(i)
	}
	wg.Wait()
	close(release)
	if err := <-first; err != nil {
		t.Fatalf("first request: %v", err)
	}
	start := time.Now()
	if err := req(context.Background(), time.Second); err != nil {
		t.Fatalf("request after the waiters gave up: %v", err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Fatalf("the request after them waited %v", d)
	}
	h := pool.lookupHost(fb.addr, nil)
	h.mu.Lock()
	open, idle, waiting := h.open, len(h.idle), len(h.waiters)
	h.mu.Unlock()
	if open != 1 || idle != 1 || waiting != 0 {
		t.Fatalf("open %d, idle %d, waiting %d; want 1, 1, 0", open, idle, waiting)
	}
}

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(d)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// activeConns is the number of connections the engine serves.
func activeConns(e *Engine) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.active)
}
