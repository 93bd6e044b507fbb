package proxy

import (
	"errors"
	"io"
	"net"
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
