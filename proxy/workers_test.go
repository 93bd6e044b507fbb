package proxy

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// TestWorkersReused: connections one after the other run on the same
// worker goroutine, and Shutdown ends the idle workers.
func TestWorkersReused(t *testing.T) {
	bb := startBenchBackend(t)
	e, addr := startBenchEngine(t, benchSite(t, bb.addr(), t.TempDir()))
	const n = 20
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(c, "GET /b100 HTTP/1.1\r\nHost: www.example.test\r\nConnection: close\r\n\r\n")
		got, err := io.ReadAll(c)
		c.Close()
		if err != nil || !strings.HasPrefix(string(got), "HTTP/1.1 200 OK\r\n") {
			t.Fatalf("connection %d: %q, %v", i, got, err)
		}
		// The worker is idle again once the engine forgot the connection.
		waitFor(t, 2*time.Second, "the connection to end", func() bool { return activeConns(e) == 0 })
	}
	if s := e.workers.started.Load(); s > 2 {
		t.Errorf("%d connections in a row started %d worker goroutines; want them reused (at most 2)", n, s)
	}
	if e.workers.idle.Load() < 1 {
		t.Error("no idle worker after the connections ended")
	}
	e.workers.stop()
	if i := e.workers.idle.Load(); i != 0 {
		t.Errorf("%d idle workers after stop, want 0", i)
	}
}
