//go:build linux

package proxy

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// parkedConns counts the connections the engine's idle poller holds.
func parkedConns(e *Engine) int {
	p := e.idle.Load()
	if p == nil {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, c := range p.byFD {
		if c != nil {
			n++
		}
	}
	return n
}

// TestIdleConnParkResumeExpire: a keep-alive connection idle for longer
// than idleGrace is parked, serves its next request when it comes, and is
// closed once KeepAliveTimeout passes, counted from its last response.
func TestIdleConnParkResumeExpire(t *testing.T) {
	bb := startBenchBackend(t)
	site := benchSite(t, bb.addr(), t.TempDir())
	site.Main.KeepAliveTimeout = time.Second
	e, addr := startBenchEngine(t, site)
	bc := dialBench(t, addr)
	if err := bc.do(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "the connection to be parked", func() bool { return parkedConns(e) == 1 })
	if err := bc.do(); err != nil {
		t.Fatalf("request on a parked connection: %v", err)
	}
	last := time.Now()
	waitFor(t, 2*time.Second, "the connection to be parked again", func() bool { return parkedConns(e) == 1 })
	bc.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var b [1]byte
	if n, err := bc.c.Read(b[:]); n != 0 || err == nil {
		t.Fatalf("read %d bytes, err %v; want the connection closed", n, err)
	}
	if d := time.Since(last); d < 900*time.Millisecond || d > 2500*time.Millisecond {
		t.Errorf("closed %v after the last response; KeepAliveTimeout is 1s", d)
	}
	waitFor(t, 2*time.Second, "the connection to end", func() bool { return activeConns(e) == 0 })
	if n := parkedConns(e); n != 0 {
		t.Errorf("%d connections still parked", n)
	}
}

// TestIdleConnShutdown: Shutdown closes parked connections at once.
func TestIdleConnShutdown(t *testing.T) {
	bb := startBenchBackend(t)
	site := benchSite(t, bb.addr(), t.TempDir())
	e, addr := startBenchEngine(t, site)
	bc := dialBench(t, addr)
	if err := bc.do(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "the connection to be parked", func() bool { return parkedConns(e) == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := e.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Shutdown took %v", d)
	}
	bc.c.SetReadDeadline(time.Now().Add(2 * time.Second))
	var b [1]byte
	if n, err := bc.c.Read(b[:]); n != 0 || err == nil {
		t.Fatalf("read %d bytes, err %v; want the connection closed", n, err)
	}
}

// TestIdleConnClientLeaves: a parked connection the client closes ends.
func TestIdleConnClientLeaves(t *testing.T) {
	bb := startBenchBackend(t)
	e, addr := startBenchEngine(t, benchSite(t, bb.addr(), t.TempDir()))
	bc := dialBench(t, addr)
	if err := bc.do(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "the connection to be parked", func() bool { return parkedConns(e) == 1 })
	bc.c.Close()
	waitFor(t, 2*time.Second, "the connection to end", func() bool { return activeConns(e) == 0 })
	if n := parkedConns(e); n != 0 {
		t.Errorf("%d connections still parked", n)
	}
}

// TestIdleConnReload: a reload applies to a parked connection's next
// request, and the old site's logs close once that request left it.
func TestIdleConnReload(t *testing.T) {
	bb := startBenchBackend(t)
	dir1, dir2 := t.TempDir(), t.TempDir()
	site1 := benchSite(t, bb.addr(), dir1)
	e, addr := startBenchEngine(t, site1)
	bc := dialBench(t, addr)
	if err := bc.do(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "the connection to be parked", func() bool { return parkedConns(e) == 1 })
	site2 := benchSite(t, bb.addr(), dir2)
	t.Cleanup(func() { site2.CloseLogs() })
	if err := e.Reload(site2); err != nil {
		t.Fatal(err)
	}
	if site1.Logs[0].w == nil {
		t.Fatal("the old site's log closed while a parked connection still uses the site")
	}
	if err := bc.do(); err != nil {
		t.Fatal(err)
	}
	lines := func(dir string) int {
		data, _ := os.ReadFile(filepath.Join(dir, "access.log"))
		return bytes.Count(data, []byte("\n"))
	}
	bc.c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	e.Shutdown(ctx)
	if n1, n2 := lines(dir1), lines(dir2); n1 != 1 || n2 != 1 {
		t.Errorf("log lines: %d in the old site's log, %d in the new one's; want 1 and 1", n1, n2)
	}
	if site1.Logs[0].w != nil {
		t.Error("the old site's log is still open")
	}
}

// TestIdleConnFloodParksSooner: when more than maxGraceWaiters connections
// wait for their next request at once, those beyond it are parked after
// floodGrace instead of idleGrace.
func TestIdleConnFloodParksSooner(t *testing.T) {
	old := idleGrace
	idleGrace = 3 * time.Second // longer than the test: only the flood parks
	t.Cleanup(func() { idleGrace = old })
	bb := startBenchBackend(t)
	e, addr := startBenchEngine(t, benchSite(t, bb.addr(), t.TempDir()))
	n := maxGraceWaiters + 64
	clients := make([]*benchClient, n)
	for i := range clients {
		clients[i] = dialBench(t, addr)
	}
	start := time.Now()
	for i, bc := range clients {
		if err := bc.do(); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	waitFor(t, 2*time.Second, "the connections beyond maxGraceWaiters to be parked",
		func() bool { return parkedConns(e) >= n-maxGraceWaiters })
	if d := time.Since(start); d >= idleGrace {
		t.Fatalf("the test took %v, longer than idleGrace", d)
	}
	if p := parkedConns(e); p > n-maxGraceWaiters {
		t.Fatalf("%d connections parked before idleGrace; want only the %d beyond maxGraceWaiters", p, n-maxGraceWaiters)
	}
	// And every one is served again.
	for i, bc := range clients {
		if err := bc.do(); err != nil {
			t.Fatalf("request %d after parking: %v", i, err)
		}
	}
}
