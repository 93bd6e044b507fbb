package proxy

// The hot path end to end, in process: a client on loopback keeping its
// connection alive, the engine, and a fast raw backend answering 100
// bytes with the application's X-JL6-CID/OID headers, which StripHeader
// X-JL6-* keeps from the client and the access log (combined plus the two
// headers) records.
//
// BenchmarkProxyRequest reports, beside ns/op and allocations, the CPU
// time of the whole process per request (cpu-µs/op, from getrusage) and
// an estimate of the proxy's share of it (proxy-cpu-µs/op): the same
// client against the backend directly is measured first, and its CPU
// per request subtracted.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jl6/logproxy/logformat"
	"github.com/jl6/logproxy/strip"
)

// benchBody is the 100-byte answer of the bench backend.
var benchBody = bytes.Repeat([]byte("0123456789"), 10)

// benchResponse is what the bench backend sends to every request: what a
// Go net/http application sends, plus its logging headers.
var benchResponse = []byte("HTTP/1.1 200 OK\r\n" +
	"Date: Sun, 22 Nov 2026 06:13:55 GMT\r\n" +
	"Content-Type: text/html; charset=utf-8\r\n" +
	"Content-Length: " + strconv.Itoa(len(benchBody)) + "\r\n" +
	"X-JL6-CID: 17\r\n" +
	"X-JL6-OID: 42\r\n" +
	"\r\n" + string(benchBody))

// benchRequest is what the bench client sends.
const benchRequest = "GET /articles/42?page=2 HTTP/1.1\r\n" +
	"Host: www.example.test\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n" +
	"Accept-Language: en-GB,en;q=0.5\r\n" +
	"Accept-Encoding: gzip, deflate\r\n" +
	"Referer: http://www.example.test/articles/\r\n" +
	"Cookie: sessionid=0123456789abcdef\r\n" +
	"\r\n"

var benchRequestBytes = []byte(benchRequest)

// benchLogFormat is "combined" plus the two application headers.
const benchLogFormat = `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %{X-JL6-CID}o %{X-JL6-OID}o`

// benchBackend is a raw HTTP/1.1 backend that answers every request head
// with benchResponse, keeping connections alive. It allocates nothing per
// request, so that allocation counts are the proxy's.
type benchBackend struct {
	ln    net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

func startBenchBackend(tb testing.TB) *benchBackend {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	bb := &benchBackend{ln: ln, conns: make(map[net.Conn]struct{})}
	bb.wg.Add(1)
	go func() {
		defer bb.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			bb.mu.Lock()
			bb.conns[c] = struct{}{}
			bb.mu.Unlock()
			bb.wg.Add(1)
			go bb.serve(c)
		}
	}()
	tb.Cleanup(func() {
		ln.Close()
		bb.mu.Lock()
		for c := range bb.conns {
			c.Close()
		}
		bb.mu.Unlock()
		bb.wg.Wait()
	})
	return bb
}

func (bb *benchBackend) addr() string { return bb.ln.Addr().String() }

func (bb *benchBackend) serve(c net.Conn) {
	defer bb.wg.Done()
	defer c.Close()
	br := bufio.NewReaderSize(c, 4096)
	for {
		if skipHead(br) != nil {
			return
		}
		if _, err := c.Write(benchResponse); err != nil {
			return
		}
	}
}

// skipHead reads a request head (without a body) up to its empty line.
func skipHead(br *bufio.Reader) error {
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) <= 2 {
			return nil
		}
	}
}

// benchSite is the configuration of the benchmark: one server proxying
// everything to backend, with StripHeader X-JL6-* and, when logDir is not
// "", the access log.
func benchSite(tb testing.TB, backend, logDir string) *Site {
	tb.Helper()
	set, err := strip.Compile("X-JL6-*")
	if err != nil {
		tb.Fatal(err)
	}
	rt := DefaultReqTimeout()
	srv := &Server{
		Hostname:             "www.example.test",
		Timeout:              60 * time.Second,
		KeepAlive:            true,
		KeepAliveTimeout:     60 * time.Second,
		MaxKeepAliveRequests: 0, // unlimited: the client keeps one connection
		ReqTimeout:           &rt,
		Dir:                  &DirConfig{Strip: set},
		Routes: []*Route{{
			Path:     "/",
			Target:   "http://" + backend + "/",
			Scheme:   "http",
			HostPort: backend,
			BasePath: "/",
		}},
	}
	site := &Site{Listen: []string{"127.0.0.1:0"}, Main: srv}
	if logDir != "" {
		f, err := logformat.Compile(benchLogFormat, &logformat.Options{Location: time.UTC})
		if err != nil {
			tb.Fatal(err)
		}
		lf := &LogFile{Path: filepath.Join(logDir, "access.log")}
		site.Logs = []*LogFile{lf}
		srv.AccessLogs = []*AccessLog{{File: lf, Format: f}}
	}
	if err := site.Prepare(); err != nil {
		tb.Fatal(err)
	}
	if err := site.OpenLogs(); err != nil {
		tb.Fatal(err)
	}
	return site
}

// startBenchEngine serves site on a loopback port until the test ends.
func startBenchEngine(tb testing.TB, site *Site) (*Engine, string) {
	tb.Helper()
	e := NewEngine(site, nil)
	if err := e.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		e.Shutdown(ctx)
		site.CloseLogs()
	})
	return e, e.Addrs()[0].String()
}

// benchClient sends benchRequest on one kept-alive connection and reads
// the answer, allocating nothing per request.
type benchClient struct {
	c      net.Conn
	br     *bufio.Reader
	direct bool // to the backend: its X-JL6-* headers are expected
}

func dialBench(tb testing.TB, addr string) *benchClient {
	tb.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return &benchClient{c: c, br: bufio.NewReaderSize(c, 4096)}
}

var errBenchAnswer = errors.New("bench: bad answer")

// do runs one request; it fails unless the answer is a 200 with the
// 100-byte body and without the application's headers.
func (bc *benchClient) do() error {
	if _, err := bc.c.Write(benchRequestBytes); err != nil {
		return err
	}
	line, err := bc.br.ReadSlice('\n')
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(line, []byte("HTTP/1.1 200 ")) {
		return errBenchAnswer
	}
	length := -1
	for {
		line, err := bc.br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) <= 2 {
			break
		}
		if !bc.direct && len(line) > 6 && (line[0] == 'X' || line[0] == 'x') && line[1] == '-' && (line[2] == 'J' || line[2] == 'j') {
			return errBenchAnswer // X-JL6-*: a leak
		}
		const cl = "content-length:"
		if len(line) > len(cl) && asciiEqualFold(line[:len(cl)], cl) {
			n := 0
			for _, c := range bytes.TrimSpace(line[len(cl):]) {
				n = n*10 + int(c-'0')
			}
			length = n
		}
	}
	if length != len(benchBody) {
		return errBenchAnswer
	}
	_, err = bc.br.Discard(length)
	return err
}

// cpuTime is the CPU time the process used so far, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// driveBench runs n requests over the clients, one goroutine each.
func driveBench(clients []*benchClient, n int) error {
	if len(clients) == 1 {
		for range n {
			if err := clients[0].do(); err != nil {
				return err
			}
		}
		return nil
	}
	var wg sync.WaitGroup
	errc := make(chan error, len(clients))
	for i, bc := range clients {
		k := n / len(clients)
		if i < n%len(clients) {
			k++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range k {
				if err := bc.do(); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	return <-errc
}

func dialBenchN(tb testing.TB, addr string, conns int) []*benchClient {
	clients := make([]*benchClient, conns)
	for i := range clients {
		clients[i] = dialBench(tb, addr)
	}
	return clients
}

// runProxyBench measures requests over conns kept-alive connections,
// with or without the access log.
func runProxyBench(b *testing.B, conns int, withLog bool) {
	bb := startBenchBackend(b)
	logDir := ""
	if withLog {
		logDir = b.TempDir()
	}
	_, addr := startBenchEngine(b, benchSite(b, bb.addr(), logDir))

	// What the client and the backend cost without the proxy.
	const calib = 4000
	direct := dialBenchN(b, bb.addr(), conns)
	for _, bc := range direct {
		bc.direct = true
	}
	if err := driveBench(direct, calib/4); err != nil {
		b.Fatal(err)
	}
	c0 := cpuTime()
	if err := driveBench(direct, calib); err != nil {
		b.Fatal(err)
	}
	base := float64(cpuTime()-c0) / calib

	clients := dialBenchN(b, addr, conns)
	if err := driveBench(clients, 2*conns+200); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	c1 := cpuTime()
	if err := driveBench(clients, b.N); err != nil {
		b.Fatal(err)
	}
	cpu := float64(cpuTime()-c1) / float64(b.N)
	b.StopTimer()
	b.ReportMetric(cpu/1e3, "cpu-µs/op")
	b.ReportMetric((cpu-base)/1e3, "proxy-cpu-µs/op")
}

// BenchmarkProxyRequest is one client keeping one connection alive.
func BenchmarkProxyRequest(b *testing.B) { runProxyBench(b, 1, true) }

// BenchmarkProxyRequestNoLog is BenchmarkProxyRequest without the access
// log: the difference is what logging costs.
func BenchmarkProxyRequestNoLog(b *testing.B) { runProxyBench(b, 1, false) }

// BenchmarkProxyRequest64 is 64 clients, each keeping a connection alive.
func BenchmarkProxyRequest64(b *testing.B) { runProxyBench(b, 64, true) }

// BenchmarkProxyRequestParked is BenchmarkProxyRequest with every
// request on a parked connection (idleGrace 0): the cost of parking and
// waking up, which only connections idle for longer than idleGrace pay.
func BenchmarkProxyRequestParked(b *testing.B) {
	old := idleGrace
	idleGrace = 0
	defer func() { idleGrace = old }()
	runProxyBench(b, 1, true)
}

// BenchmarkAccessLogLine is the logging of one request alone: the record
// filled, the line rendered and written to the file.
func BenchmarkAccessLogLine(b *testing.B) {
	site := benchSite(b, "127.0.0.1:1", b.TempDir())
	defer site.CloseLogs()
	ex, done := benchExchange(b, site)
	defer done()
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	for range b.N {
		ex.log()
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(b.N)/1e3, "cpu-µs/op")
}

// benchExchange makes an exchange that looks like a proxied request of
// the benchmark after its response was sent, on a connection to nowhere.
func benchExchange(tb testing.TB, site *Site) (*exchange, func()) {
	tb.Helper()
	e := NewEngine(site, nil)
	c1, c2 := net.Pipe()
	c := newConn(e, c1)
	c.site, c.base = site, site.Main
	c.remoteIP, c.localIP = "192.0.2.7", "192.0.2.1"
	br := bufio.NewReader(bytes.NewReader([]byte(benchRequest)))
	head := readRequestHead(br, &site.Main.Limits)
	if head.Status != 0 {
		tb.Fatalf("bench request: status %d", head.Status)
	}
	ex := newExchange(c, &head, 0, 0)
	ex.srv = site.Main
	ex.r.dir = site.Main.Dir
	ex.r.status = 200
	ex.proxied = true
	ex.r.handler = "proxy-server"
	ex.r.filename = "proxy:http://127.0.0.1:1/articles/42?page=2"
	ex.r.headersOut = Fields{
		{Name: "Date", Value: "Sun, 22 Nov 2026 06:13:55 GMT"},
		{Name: "Content-Type", Value: "text/html; charset=utf-8"},
		{Name: "Content-Length", Value: "100"},
		{Name: "X-JL6-CID", Value: "17"},
		{Name: "X-JL6-OID", Value: "42"},
	}
	ex.r.bytesSent = 100
	ex.inAfter = head.BytesRead
	c.cw.n = 250
	return ex, func() { c1.Close(); c2.Close() }
}

// proxyRequestAllocBudget is how many allocations one proxied request
// (read, forwarded, answered, logged) may make at most on average,
// counted over the whole process: the bench client and backend allocate
// nothing per request. The request's strings come from the exchange's
// strArena, which allocates a chunk every dozen or so requests of this
// size. Lower it when a change saves allocations; a change that adds
// some must justify raising it.
const proxyRequestAllocBudget = 0.5

// TestProxyRequestAllocs holds the hot path to its allocation budget.
func TestProxyRequestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	bb := startBenchBackend(t)
	_, addr := startBenchEngine(t, benchSite(t, bb.addr(), t.TempDir()))
	bc := dialBench(t, addr)
	for range 200 {
		if err := bc.do(); err != nil {
			t.Fatal(err)
		}
	}
	// The mean over many requests, not testing.AllocsPerRun's rounded
	// down one: an allocation every other request must show.
	const runs = 2000
	var failed error
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		if err := bc.do(); err != nil && failed == nil {
			failed = err
		}
	}
	runtime.ReadMemStats(&after)
	allocs := float64(after.Mallocs-before.Mallocs) / runs
	if failed != nil {
		t.Fatal(failed)
	}
	t.Logf("%.2f allocations per request (budget %.2f)", allocs, proxyRequestAllocBudget)
	if allocs > proxyRequestAllocBudget {
		t.Errorf("%.2f allocations per request, over the budget of %.2f", allocs, proxyRequestAllocBudget)
	}
}

// TestBenchSetup checks that the benchmark's configuration does what it
// claims: the client gets the body without the application's headers, and
// the access log records them.
func TestBenchSetup(t *testing.T) {
	bb := startBenchBackend(t)
	dir := t.TempDir()
	site := benchSite(t, bb.addr(), dir)
	e, addr := startBenchEngine(t, site)
	bc := dialBench(t, addr)
	for range 3 {
		if err := bc.do(); err != nil {
			t.Fatal(err)
		}
	}
	bc.c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	e.Shutdown(ctx)
	data, err := os.ReadFile(filepath.Join(dir, "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	if len(lines) != 3 {
		t.Fatalf("%d log lines:\n%s", len(lines), data)
	}
	for _, l := range lines {
		if !bytes.HasSuffix(l, []byte(`"GET /articles/42?page=2 HTTP/1.1" 200 100 "http://www.example.test/articles/" "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0" 17 42`)) ||
			!bytes.HasPrefix(l, []byte("127.0.0.1 - - [")) {
			t.Errorf("log line %q", l)
		}
	}
}

// BenchmarkProxyNewConn is one request per connection: the client dials,
// asks, reads the answer and closes. Allocations include the client's
// dial.
func BenchmarkProxyNewConn(b *testing.B) {
	bb := startBenchBackend(b)
	_, addr := startBenchEngine(b, benchSite(b, bb.addr(), b.TempDir()))
	b.ReportAllocs()
	for b.Loop() {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		bc := &benchClient{c: c, br: bufio.NewReaderSize(c, 4096)}
		err = bc.do()
		c.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
}
