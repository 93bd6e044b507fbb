package proxy

import (
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
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

// TestWorkerPanic: a panic while serving a connection is logged, the
// connection is closed and forgotten, and the worker lives on.
func TestWorkerPanic(t *testing.T) {
	var logged strings.Builder
	e := NewEngine(nil, &Options{ErrorLog: slog.New(slog.NewTextHandler(&syncWriter{w: &logged}, nil))})
	a, b := tcpPair(t)
	c := newConn(e, b)
	e.mu.Lock()
	e.active[c] = struct{}{}
	e.conns.Add(1)
	e.mu.Unlock()
	e.workers.run(workerTask{c: c}) // no site: serving panics at once
	a.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := a.Read(make([]byte, 1)); err == nil {
		t.Fatal("the connection stayed open after the panic")
	}
	done := make(chan struct{})
	go func() { e.conns.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the engine still counts the connection")
	}
	waitFor(t, 2*time.Second, "the worker to be idle again", func() bool { return e.workers.idle.Load() == 1 })
	e.workers.stop()
	if s := logged.String(); !strings.Contains(s, "panic serving") || !strings.Contains(s, "stack=") {
		t.Errorf("error log: %q; want the panic and its stack", s)
	}
}

// syncWriter serializes writes to w.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
