package proxy

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/netip"
	"sync"
	"time"
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
	br *bufio.Reader
	bw *bufio.Writer

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

	idleMu sync.Mutex
	idle   bool // waiting for a request, nothing in flight

	logID string // %{c}L, made when an error is logged with a format that shows it

	hostName, hostFor string // the DNS name of an address, for HostnameLookups
}

// countingWriter counts the bytes written to the connection: %O.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// countingReader counts the bytes read from the connection; what the
// requests consumed is that less what waits in the read buffer: %I.
type countingReader struct {
	r     io.Reader
	n     int64
	nc    net.Conn
	clock readClock // RequestReadTimeout of the stage being read
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if d := c.clock.read(n); !d.IsZero() {
		c.nc.SetReadDeadline(d)
	}
	return n, err
}

// startReadStage sets the read deadline for a stage of the request: the
// sooner of Timeout and RequestReadTimeout's, which then moves as bytes
// arrive at MinRate.
func (c *conn) startReadStage(srv *Server, body bool) {
	now := time.Now()
	d := deadline(srv.Timeout)
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
	c.nc.SetReadDeadline(d)
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
	if a, ok := nc.LocalAddr().(*net.TCPAddr); ok {
		c.localAddr = a.AddrPort()
	}
	if a, ok := nc.RemoteAddr().(*net.TCPAddr); ok {
		c.remoteAddr = a.AddrPort()
	}
	c.localIP = c.localAddr.Addr().Unmap().String()
	c.remoteIP = c.remoteAddr.Addr().Unmap().String()
	return c
}

// closeIfIdle closes the connection if it is waiting for a request; a
// connection in the middle of a request finishes it first.
func (c *conn) closeIfIdle() {
	c.idleMu.Lock()
	defer c.idleMu.Unlock()
	if c.idle {
		c.nc.SetReadDeadline(time.Unix(1, 0))
	}
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

// serve runs the connection until the client leaves, an error ends it, or
// keep-alive ends.
func (c *conn) serve() {
	defer c.e.connDone(c)
	defer c.nc.Close()
	c.site = c.e.acquireSite()
	defer func() { c.site.release() }()
	c.base = c.site.serverForAddr(c.localAddr)

	c.cw.w = c.nc
	c.rc.r = c.nc
	c.rc.nc = c.nc
	c.br = readerPool.Get().(*bufio.Reader)
	c.br.Reset(&c.rc)
	c.bw = writerPool.Get().(*bufio.Writer)
	c.bw.Reset(&c.cw)
	defer func() {
		c.br.Reset(nil)
		readerPool.Put(c.br)
		c.bw.Reset(nil)
		writerPool.Put(c.bw)
	}()

	for n := 0; ; n++ {
		srv := c.base
		if n == 0 {
			// mod_reqtimeout's header stage starts with the connection.
			c.startReadStage(srv, false)
		} else {
			c.nc.SetReadDeadline(deadline(srv.KeepAliveTimeout))
		}
		if c.br.Buffered() == 0 {
			// Waiting for a request: nothing is in flight, so Shutdown
			// may end the connection now (closeIfIdle).
			if !c.setIdle(true) {
				return
			}
			_, err := c.br.Peek(1)
			c.setIdle(false)
			if err != nil && (n > 0 || c.e.closing.Load()) {
				return
			}
		}
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
		inBefore, outBefore := c.consumed(), c.cw.n
		head := readRequestHead(c.br, &srv.Limits)
		if head.Stage == stageNoRequest {
			return
		}
		// The head is in: Timeout applies until the body is read.
		c.rc.clock = readClock{}
		c.nc.SetReadDeadline(deadline(srv.Timeout))
		ex := newExchange(c, &head, inBefore, outBefore)
		keep := ex.run()
		if err := c.bw.Flush(); err != nil {
			c.aborted = true
		}
		ex.inAfter = c.consumed()
		if keep && !c.aborted {
			// httpd peeks at pipelined input before it logs, and mod_logio
			// counts what it peeked at for this request (ap_check_pipeline).
			counted, _, closeConn := checkPipeline(c.br)
			ex.pipelineIn = counted
			if closeConn {
				keep = false
			}
		}
		ex.log()
		ex.release()
		if !keep || c.aborted {
			c.lingerClose()
			return
		}
	}
}

// lingerClose closes the connection the way httpd's ap_lingering_close
// does: stop writing, then read and discard what the client still sends
// for a short while, so that a response is not lost to a TCP reset.
func (c *conn) lingerClose() {
	tc, ok := c.nc.(*net.TCPConn)
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
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
