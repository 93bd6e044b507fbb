//go:build linux

package proxy

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCloseQuietOrLinger: a connection that ends after a bodiless request
// with nothing behind it closes at once (a later write from the client is
// answered with a reset); one with unread input behind the request
// lingers (httpd's ap_lingering_close: the server reads and discards
// what the client still sends, so the client sees the end of the stream,
// never a reset that could destroy the response in its receive buffer).
func TestCloseQuietOrLinger(t *testing.T) {
	bb := startBenchBackend(t)
	_, addr := startBenchEngine(t, benchSite(t, bb.addr(), t.TempDir()))
	const req = "GET /b100 HTTP/1.1\r\nHost: www.example.test\r\nConnection: close\r\n\r\n"
	for _, tc := range []struct {
		name    string
		send    string
		linger  bool
		answers int
	}{
		{"bodiless request, nothing after it", req, false, 1},
		{"input after the last request", req + "GET /b100 HTTP/1.1\r\nHost: www.example.test\r\n\r\n", true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(5 * time.Second))
			if _, err := io.WriteString(c, tc.send); err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(c)
			if err != nil {
				t.Fatalf("reading the answer: %v", err)
			}
			if n := strings.Count(string(got), "HTTP/1.1 200 OK\r\n"); n != tc.answers {
				t.Fatalf("%d answers, want %d:\n%s", n, tc.answers, got)
			}
			// The server has closed its side. Write again: a closed socket
			// resets, a lingering one reads and discards.
			reset := false
			for i := 0; i < 5 && !reset; i++ {
				if _, err := io.WriteString(c, "more\r\n"); err != nil {
					reset = isReset(err)
					break
				}
				time.Sleep(20 * time.Millisecond)
				var b [16]byte
				c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
				if _, err := c.Read(b[:]); err != nil && isReset(err) {
					reset = true
				}
			}
			if reset == tc.linger {
				t.Errorf("reset after the server's close: %v; want %v (linger %v)", reset, !tc.linger, tc.linger)
			}
		})
	}
}

func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// TestClientHalfCloseEndsConnection: a client that sends its last bytes
// and shuts down its side at once, after requests on the same keep-alive
// connection, has the connection end as soon as the server reads the end
// of the stream, as httpd does; not at KeepAliveTimeout or the request's
// read timeout (60 s and more here). The end of the stream arrives with
// the bytes, in one readiness of the socket.
func TestClientHalfCloseEndsConnection(t *testing.T) {
	bb := startBenchBackend(t)
	_, addr := startBenchEngine(t, benchSite(t, bb.addr(), t.TempDir()))
	const req = "GET /b100 HTTP/1.1\r\nHost: www.example.test\r\n\r\n"
	for _, tc := range []struct {
		name    string
		last    string
		answers int // answers to the last bytes
	}{
		{"keep-alive request", req, 1},
		{"part of a request head", "GET /b100 HTTP/1.1\r\nHost: www.ex", 0},
		{"part of a request body", "POST /b100 HTTP/1.1\r\nHost: www.example.test\r\nContent-Length: 10\r\n\r\nabcd", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			br := bufio.NewReader(c)
			// Two requests first, answered one by one: the server's reads
			// of this connection are past the first two.
			for i := range 2 {
				c.SetDeadline(time.Now().Add(5 * time.Second))
				io.WriteString(c, req)
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					t.Fatalf("answer %d: %v", i, err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			time.Sleep(20 * time.Millisecond) // the server waits for the next request
			// Corked, the bytes wait for the FIN and go out with it in one
			// segment (tcp_send_fin tacks the FIN on an unsent segment).
			rc, _ := c.(*net.TCPConn).SyscallConn()
			rc.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_TCP, syscall.TCP_CORK, 1) })
			io.WriteString(c, tc.last)
			c.(*net.TCPConn).CloseWrite()
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			rest, err := io.ReadAll(br)
			if err != nil {
				t.Fatalf("the server did not end the connection: %v (read %q)", err, rest)
			}
			if n := strings.Count(string(rest), "HTTP/1.1 200 OK\r\n"); n != tc.answers {
				t.Errorf("%d answers to the last bytes, want %d:\n%s", n, tc.answers, rest)
			}
		})
	}
}
