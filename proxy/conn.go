package proxy

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/jl6/logproxy/logformat"
)

// conn is one client connection: httpd's conn_rec. It is served by one
// goroutine, which reads requests one after the other (pipelined requests
// wait in the read buffer) and writes each response before reading the
// next request.
type conn struct {
	e  *Engine
	nc net.Conn
	cw countingWriter
	rc countingReader
	rs rawSock // the reads of rc (the 101 tunnel reads and writes at once)
	ws rawSock // the writes of cw
	br *bufio.Reader
	bw *bufio.Writer
	// spare is the exchange of the last request, reset, kept with its
	// scratch for the next one while the connection has its goroutine.
	spare *exchange

	localAddr  netip.AddrPort
	remoteAddr netip.AddrPort
	localIP    string
	remoteIP   string

	// base is the server chosen by the local address (the default
	// virtual host of the address), as ap_update_vhost_given_ip.
	base *Server
	site *Site

	keepalives int  // requests answered with keep-alive so far (c->keepalives)
	keepalive  bool // c->keepalive == AP_CONN_KEEPALIVE after the last response
	aborted    bool // c->aborted: the client went away mid-response
	ended      bool // end ran: closed and the engine told

	idleMu sync.Mutex
	idle   bool // waiting for a request, nothing in flight
	parked bool // in the engine's idle poller (see park)

	// The keep-alive wait, which parking interrupts: the number of the
	// request waited for, and when KeepAliveTimeout ends it.
	next      int
	idleUntil time.Time
	graceAt   time.Time // the grace deadline of the last keep-alive wait
	woken     bool      // resumed by the idle poller, not read since

	// When the read stage of the request head began, and how many bytes
	// the connection had read then: a head read whole from what was
	// already buffered began at that time (see requestBegin).
	stageAt time.Time
	stageN  int64

	// For the idle poller: the socket (-1 until looked up or when there
	// is none), the place in its deadline heap, the number of the last
	// parking, and whether epoll knows the socket.
	fd         int
	heapIdx    int
	parkSeq    uint32
	epollAdded bool

	logID string // %{c}L, made when an error is logged with a format that shows it

	// tls is the connection's TLS session, nil for plain HTTP; tlsServer
	// is the server whose settings its handshake used. plainOnTLS marks
	// a client that spoke plain HTTP to a TLS port: its one request is
	// made up and answered 400, as mod_ssl does.
	tls        *logformat.TLS
	tlsServer  *Server
	plainOnTLS bool
	mdFallback bool // served mod_md's fallback certificate: every request is 503

	hostName, hostFor string // the DNS name of an address, for HostnameLookups
}

// countingWriter counts the bytes written to the connection (%O) and
// limits each write by Timeout, as httpd's Timeout applies to each write.
// On a pollFD socket the deadline is set, Timeout ahead, only when a
// write has to wait for room: a write the socket takes at once costs no
// clock read. Elsewhere it keeps the deadline Timeout ahead of every
// write, moved only once a 64th of Timeout has passed since it was last
// set, so that a busy connection does not reset it for every response.
type countingWriter struct {
	nc  net.Conn
	raw *rawSock // nil: write through nc
	n   int64
	// limitsWaits: raw is a pollFD's, whose writeWithin limits each wait.
	limitsWaits bool

	timeout  time.Duration // Timeout of the server answering; 0: none
	armedFor time.Duration // the timeout the deadline was set for
	armedAt  time.Time     // when it was set; zero: no deadline set
}

func (c *countingWriter) Write(p []byte) (int, error) {
	var n int
	var err error
	if c.limitsWaits && c.timeout > 0 {
		// Any deadline the socket has now was set for a wait by
		// writeWithin: should arm take over, this makes it set its own
		// (or clear it).
		c.armedAt, c.armedFor = time.Unix(1, 0), -1
		n, err = c.raw.writeWithin(p, c.timeout)
	} else if c.raw != nil {
		c.arm()
		n, err = c.raw.write(p)
	} else {
		c.arm()
		n, err = c.nc.Write(p)
	}
	c.n += int64(n)
	return n, err
}

// arm sets the write deadline for a write about to be made.
func (c *countingWriter) arm() {
	if c.timeout <= 0 {
		if !c.armedAt.IsZero() {
			c.nc.SetWriteDeadline(time.Time{})
			c.armedAt, c.armedFor = time.Time{}, 0
		}
		return
	}
	if c.armedFor != c.timeout || c.armedAt.IsZero() || time.Since(c.armedAt) > c.timeout/64 {
		now := time.Now()
		c.nc.SetWriteDeadline(now.Add(c.timeout))
		c.armedAt, c.armedFor = now, c.timeout
	}
}

// countingReader counts the bytes read from the connection; what the
// requests consumed is that less what waits in the read buffer: %I. The
// read deadline is set only when a read reaches the connection: a
// request that arrived whole sets none but the one it was waited for
// with.
type countingReader struct {
	nc  net.Conn
	raw *rawSock // nil: read through nc
	n   int64
	// drained: the last read got less than it asked for, so the socket
	// had nothing more at that moment.
	drained bool
	clock   readClock // RequestReadTimeout of the stage being read
	want    time.Time // the read deadline reads should have
	armed   time.Time // the read deadline the connection has
}

func (c *countingReader) Read(p []byte) (int, error) {
	if !c.want.Equal(c.armed) {
		c.nc.SetReadDeadline(c.want)
		c.armed = c.want
	}
	var n int
	var err error
	if c.raw != nil {
		n, err = c.raw.read(p)
	} else {
		n, err = c.nc.Read(p)
	}
	c.n += int64(n)
	c.drained = err == nil && n < len(p)
	if d := c.clock.read(n); !d.IsZero() {
		c.want = d
	}
	return n, err
}

// setReadDeadline sets the deadline of the next reads.
func (c *conn) setReadDeadline(t time.Time) { c.rc.want = t }

// startReadStage sets the read deadline for a stage of the request: the
// sooner of Timeout and RequestReadTimeout's, which then moves as bytes
// arrive at MinRate.
func (c *conn) startReadStage(srv *Server, body bool) {
	now := time.Now()
	c.stageAt, c.stageN = now, c.rc.n
	var d time.Time
	if srv.Timeout > 0 {
		d = now.Add(srv.Timeout)
	}
	c.rc.clock = readClock{}
	if rt := srv.ReqTimeout; rt != nil {
		stage := rt.Header
		if body {
			stage = rt.Body
		}
		if rd := c.rc.clock.start(stage, now); !rd.IsZero() && (d.IsZero() || rd.Before(d)) {
			d = rd
		}
	}
	c.setReadDeadline(d)
}

// requestBegin is the time a request read just now began (r->request_time):
// the start of its read stage when the head came whole from bytes already
// read by then (reading it took no wait, only parsing), else the clock.
func (c *conn) requestBegin() time.Time {
	if c.e.opts.Now == nil && c.rc.n == c.stageN && !c.stageAt.IsZero() {
		return c.stageAt
	}
	return c.e.now()
}

// consumed returns how many bytes the requests of the connection used so
// far.
func (c *conn) consumed() int64 { return c.rc.n - int64(c.br.Buffered()) }

var (
	readerPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 16<<10) }}
	writerPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 16<<10) }}
)

func newConn(e *Engine, nc net.Conn) *conn {
	c := &conn{e: e, nc: nc}
	if sc, ok := nc.(interface {
		addrPorts() (local, remote netip.AddrPort)
	}); ok {
		c.localAddr, c.remoteAddr = sc.addrPorts()
	} else {
		if a, ok := nc.LocalAddr().(*net.TCPAddr); ok {
			c.localAddr = a.AddrPort()
		}
		if a, ok := nc.RemoteAddr().(*net.TCPAddr); ok {
			c.remoteAddr = a.AddrPort()
		}
	}
	c.localIP = e.localIPText(c.localAddr.Addr().Unmap())
	c.remoteIP = c.remoteAddr.Addr().Unmap().String()
	return c
}

// closeIfIdle closes the connection if it is waiting for a request; a
// connection in the middle of a request finishes it first. The caller
// may hold e.mu.
func (c *conn) closeIfIdle() {
	c.idleMu.Lock()
	defer c.idleMu.Unlock()
	if !c.idle {
		return
	}
	if c.parked && c.e.idle.Load().unpark(c) {
		// Parked: no goroutine waits on it; end it on one of its own
		// (ending takes e.mu).
		c.parked = false
		go c.end()
		return
	}
	c.nc.SetReadDeadline(time.Unix(1, 0))
}

// setIdle marks the connection as waiting for a request (or not). It
// returns false when the engine is shutting down and the connection should
// end instead of waiting: the check and the mark are one step with respect
// to closeIfIdle, so that Shutdown never misses a connection that is about
// to wait.
func (c *conn) setIdle(idle bool) bool {
	c.idleMu.Lock()
	defer c.idleMu.Unlock()
	c.idle = idle
	return !idle || !c.e.closing.Load()
}

// idleGrace is how long a keep-alive connection waits for its next
// request on its goroutine, with its read buffer, before it is parked in
// the engine's idle poller, which holds neither: a busy connection does
// not pay for parking, an idle one costs little memory. (A variable for
// the benchmark of parked connections.)
var idleGrace = 100 * time.Millisecond

// When more than maxGraceWaiters connections wait out their grace at once,
// the others wait only floodGrace: memory stays bounded however fast idle
// connections arrive.
const (
	// maxSpareWaiters is how many connections at most wait out idleGrace
	// with the exchange of their last request (some 11 KiB with its
	// scratch) for the next; the others return it at once.
	maxSpareWaiters = 64
	maxGraceWaiters = 256
	floodGrace      = 5 * time.Millisecond
)

// serve runs a new connection until the client leaves, an error ends
// it, or keep-alive ends.
func (c *conn) serve() {
	c.site = c.e.acquireSite()
	c.base = c.site.serverForAddr(c.localAddr)
	if c.base.TLS != nil && !c.startTLS() {
		c.fd = -1
		c.end()
		return
	}
	c.cw.nc = c.nc
	c.rc.nc = c.nc
	if rc := rawConnOf(c.nc); rc != nil {
		c.rs.rc, c.ws.rc = rc, rc
		c.rc.raw, c.cw.raw = &c.rs, &c.ws
		_, c.cw.limitsWaits = rc.(pollRawConn)
	}
	c.fd = -1
	c.run(0)
}

// resume goes on serving a parked connection the idle poller found
// readable.
func (c *conn) resume() {
	c.idleMu.Lock()
	c.parked = false
	c.idleMu.Unlock()
	c.woken = true
	c.run(c.next)
}

// expire ends a parked connection whose KeepAliveTimeout passed.
func (c *conn) expire() {
	c.idleMu.Lock()
	c.parked = false
	c.idleMu.Unlock()
	c.end()
}

// end closes the connection and lets the engine know.
func (c *conn) end() {
	c.ended = true
	c.putBuffers()
	c.site.release()
	c.nc.Close()
	c.e.connDone(c)
}

// getBuffers takes the read and write buffers from the pools.
func (c *conn) getBuffers() {
	if c.br == nil {
		c.br = readerPool.Get().(*bufio.Reader)
		c.br.Reset(&c.rc)
	}
	if c.bw == nil {
		c.bw = writerPool.Get().(*bufio.Writer)
		c.bw.Reset(&c.cw)
	}
}

// putBuffers returns the buffers to the pools; the read buffer must be
// empty, the write buffer flushed.
func (c *conn) putBuffers() {
	if c.br != nil {
		c.br.Reset(nil)
		readerPool.Put(c.br)
		c.br = nil
	}
	c.putWriter()
	c.putSpare()
}

func (c *conn) putSpare() {
	if c.spare != nil {
		exchangePool.Put(c.spare)
		c.spare = nil
	}
}

// recycle is the end of ex, the connection's last exchange: it is kept
// for the next request.
func (c *conn) recycle(ex *exchange) {
	ex.reset()
	if c.spare == nil {
		c.spare = ex
	} else {
		exchangePool.Put(ex)
	}
}

func (c *conn) putWriter() {
	if c.bw != nil {
		c.bw.Reset(nil)
		writerPool.Put(c.bw)
		c.bw = nil
	}
}

// waitResult is the outcome of waiting for a request.
type waitResult uint8

const (
	waitData   waitResult = iota // read the next request
	waitEnd                      // end the connection
	waitParked                   // the idle poller has the connection now
)

// run serves requests on the connection, from its n-th on, until the
// connection ends or is parked.
func (c *conn) run(n int) {
	parked := false
	defer func() {
		if !parked {
			c.end()
		}
	}()
	for ; ; n++ {
		switch c.waitRequest(n) {
		case waitEnd:
			return
		case waitParked:
			parked = true
			return
		}
		srv := c.base
		if n > 0 {
			// A reload applies from the next request on: the one whose
			// first byte just came.
			if s := c.e.site.Load(); s != c.site {
				s = c.e.acquireSite()
				c.site.release()
				c.site = s
				c.base = s.serverForAddr(c.localAddr)
				srv = c.base
			}
			c.startReadStage(srv, false)
		}
		c.getBuffers()
		inBefore, outBefore := c.consumed(), c.cw.n
		ex := readExchange(c, &srv.Limits, inBefore, outBefore)
		if ex == nil {
			return
		}
		// The head is in: Timeout applies until the body is read.
		c.rc.clock = readClock{}
		if srv.Timeout <= 0 {
			c.setReadDeadline(time.Time{})
		} else if c.e.opts.Now == nil {
			c.setReadDeadline(ex.begin.Add(srv.Timeout)) // begin is now
		} else {
			c.setReadDeadline(time.Now().Add(srv.Timeout))
		}
		c.cw.timeout = srv.Timeout
		keep := ex.run()
		if err := c.bw.Flush(); err != nil {
			c.aborted = true
		}
		ex.inAfter = c.consumed()
		if ex.closeAfter {
			// (No ap_check_pipeline either: there was no request.)
			keep = false
		}
		if keep && !c.aborted {
			// httpd peeks at pipelined input before it logs, and mod_logio
			// counts what it peeked at for this request (ap_check_pipeline).
			counted, _, closeConn := checkPipeline(c.br)
			ex.pipelineIn = counted
			if closeConn {
				keep = false
			}
		}
		// A request without a body, read whole, with nothing after it in
		// the buffer or the socket: closing cannot reset the connection
		// under the response, so it closes at once, as nginx does. Else
		// it lingers, as httpd's ap_lingering_close.
		quiet := ex.body == nil && c.br.Buffered() == 0 && c.rc.drained
		ex.log()
		c.recycle(ex)
		if !keep || c.aborted {
			if !quiet {
				c.lingerClose()
			}
			return
		}
	}
}

// waitRequest waits for the first byte of the connection's n-th request.
// A keep-alive connection waits idleGrace on this goroutine; then it is
// parked in the engine's idle poller, without buffers, until the byte
// comes (resume) or KeepAliveTimeout passes (expire).
func (c *conn) waitRequest(n int) waitResult {
	srv := c.base
	if n == 0 {
		// mod_reqtimeout's header stage starts with the connection.
		c.getReader()
		c.startReadStage(srv, false)
		if c.br.Buffered() > 0 {
			return waitData
		}
		// Waiting for a request: nothing is in flight, so Shutdown may
		// end the connection now (closeIfIdle).
		if !c.setIdle(true) {
			return waitEnd
		}
		_, err := c.br.Peek(1)
		c.setIdle(false)
		if err != nil && c.e.closing.Load() {
			return waitEnd
		}
		return waitData // an error is the request's to report
	}
	if c.br != nil && c.br.Buffered() > 0 {
		return waitData // pipelined
	}
	now := time.Now()
	if c.next != n {
		// The keep-alive wait starts: KeepAliveTimeout counts from now,
		// across parking.
		c.next = n
		c.idleUntil = time.Time{}
		if srv.KeepAliveTimeout > 0 {
			c.idleUntil = now.Add(srv.KeepAliveTimeout)
		}
		c.putWriter()
		if c.e.graceWaiters.Load() >= maxSpareWaiters {
			// Many connections waiting: each holds no more than its
			// read buffer until it parks (which returns the spare).
			c.putSpare()
		}
	}
	if !c.setIdle(true) {
		return waitEnd
	}
	c.getReader()
	want := c.idleUntil
	grace := now.Add(idleGrace)
	// Woken by the poller, the connection has bytes (or the end) to read:
	// it is not parked again before reading them.
	canPark := !c.woken && (want.IsZero() || grace.Before(want))
	c.woken = false
	if canPark {
		// Many connections waiting at once (a flood of idle ones) park
		// sooner: each holds a read buffer and a goroutine meanwhile.
		if c.e.graceWaiters.Add(1) > maxGraceWaiters {
			grace = now.Add(floodGrace)
		}
		want = grace
		// The grace deadline of an earlier wait, if the connection still
		// has it and it is most of idleGrace ahead, will do: the
		// connection parks a little sooner, and a busy one does not
		// change its timer for every request.
		if g := c.graceAt; c.rc.armed.Equal(g) && g.Before(grace) && g.Sub(now) > idleGrace/2 {
			want = g
		}
		c.graceAt = want
	}
	c.setReadDeadline(want)
	_, err := c.br.Peek(1)
	if canPark {
		c.e.graceWaiters.Add(-1)
	}
	if err == nil {
		c.setIdle(false)
		return waitData
	}
	if !canPark || !isTimeout(err) || c.e.closing.Load() {
		c.setIdle(false)
		return waitEnd
	}
	if c.park() {
		return waitParked
	}
	if c.e.closing.Load() {
		c.setIdle(false)
		return waitEnd
	}
	// No poller: wait here until KeepAliveTimeout.
	c.getReader()
	c.setReadDeadline(c.idleUntil)
	_, err = c.br.Peek(1)
	c.setIdle(false)
	if err != nil {
		return waitEnd
	}
	return waitData
}

// getReader takes a read buffer from the pool if the connection has none.
func (c *conn) getReader() {
	if c.br == nil {
		c.br = readerPool.Get().(*bufio.Reader)
		c.br.Reset(&c.rc)
	}
}

// park hands the idle connection, its buffers returned, to the engine's
// idle poller; it reports false when there is no poller or the engine
// is shutting down (the connection then keeps its goroutine).
func (c *conn) park() bool {
	p := c.e.idlePoller()
	if p == nil {
		return false
	}
	if c.fd < 0 {
		c.fd = rawFD(c.rs.rc)
		if c.fd < 0 {
			return false
		}
	}
	c.idleMu.Lock()
	defer c.idleMu.Unlock()
	if c.e.closing.Load() {
		return false
	}
	c.putBuffers()
	if !p.park(c, c.idleUntil) {
		return false
	}
	c.parked = true
	return true
}

// rawFD returns the socket of rc (from serve's rawConnOf), or -1.
func rawFD(rc syscall.RawConn) int {
	if rc == nil {
		return -1
	}
	fd := -1
	rc.Control(func(s uintptr) { fd = int(s) })
	return fd
}

// lingerClose closes the connection the way httpd's ap_lingering_close
// does: stop writing, then read and discard what the client still sends
// for a short while, so that a response is not lost to a TCP reset.
func (c *conn) lingerClose() {
	tc, ok := c.nc.(interface {
		net.Conn
		CloseWrite() error
	})
	if !ok {
		return
	}
	if err := tc.CloseWrite(); err != nil {
		return
	}
	tc.SetReadDeadline(time.Now().Add(2 * time.Second))
	var buf [512]byte
	for {
		if _, err := tc.Read(buf[:]); err != nil {
			return
		}
	}
}

func deadline(d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return time.Now().Add(d)
}

// isTimeout reports whether err is a read or write timeout.
func isTimeout(err error) bool {
	switch err {
	case nil, io.EOF:
		return false // the common ends of a read, without errors.As's allocation
	case os.ErrDeadlineExceeded:
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
