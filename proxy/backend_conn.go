package proxy

// One keep-alive connection to a backend, the per-address idle lists, and
// the pooled buffers they borrow while busy.

import (
	"bufio"
	"context"
	"crypto/tls"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

const (
	// backendReadBufSize is the size of the pooled response readers. It
	// must hold a chunk-size line (chunkedLineLimit) and a whole
	// ResponseFieldSize line for the fast head path; bigger heads take a
	// slower path.
	backendReadBufSize = 8192
	// backendWriteBufSize is the size of the pooled request-body buffers;
	// a head and a small body go out in one write from it.
	backendWriteBufSize = 32 << 10
	// chunkedHeaderRoom is room left before chunk data for its size line:
	// a chunk of at most backendWriteBufSize bytes has 4 hex digits.
	chunkedHeaderRoom = 6
)

var (
	backendReaderPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, backendReadBufSize) }}
	backendBufPool    = sync.Pool{New: func() any { return new([backendWriteBufSize]byte) }}
)

// beLongAgo is a deadline in the past, to make blocked I/O return.
var beLongAgo = time.Unix(1, 0)

// backendHost is the idle list of one backend address.
type backendHost struct {
	addr string
	tls  *tls.Config // an https backend's client configuration; nil for http
	mu   sync.Mutex
	idle []*backendConn // most recently used last
	open int            // connections open, busy or idle (for MaxConns)
	// waiters are the requests waiting at MaxConns, first come first:
	// a connection that goes idle, or the room one leaves by closing, is
	// handed to the first of them, never to a request that came later.
	waiters []*beWaiter
}

// beWaiter is a request waiting for a connection at the cap. Its channel
// gets one hand-over: a connection to use, or nil: room to open one
// (already counted in open).
type beWaiter struct {
	ch chan *backendConn
}

// reserve asks for a connection under a cap of max (0: none). ok: a new
// one may be opened (it is counted in open); retry: an idle connection
// waits to be taken; else w waits in line for a hand-over.
func (h *backendHost) reserve(max int) (ok, retry bool, w *beWaiter) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if max <= 0 {
		h.open++
		return true, false, nil
	}
	if len(h.waiters) == 0 {
		if h.open < max {
			h.open++
			return true, false, nil
		}
		if len(h.idle) > 0 {
			return false, true, nil
		}
	}
	w = &beWaiter{ch: make(chan *backendConn, 1)}
	h.waiters = append(h.waiters, w)
	return false, false, w
}

// leave takes w out of the line when it gives up; it reports false when
// w was handed something meanwhile (then in w.ch).
func (h *backendHost) leave(w *beWaiter) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, x := range h.waiters {
		if x == w {
			h.waiters = append(h.waiters[:i], h.waiters[i+1:]...)
			return true
		}
	}
	return false
}

// handLocked gives c (nil: room for a new connection) to the first
// waiter, if any; h.mu is held.
func (h *backendHost) handLocked(c *backendConn) bool {
	if len(h.waiters) == 0 {
		return false
	}
	w := h.waiters[0]
	copy(h.waiters, h.waiters[1:])
	h.waiters[len(h.waiters)-1] = nil
	h.waiters = h.waiters[:len(h.waiters)-1]
	w.ch <- c
	return true
}

// gone counts a connection of h as closed (or handed over); its room
// goes to the first waiter.
func (h *backendHost) gone() {
	h.mu.Lock()
	if !h.handLocked(nil) {
		h.open--
	}
	h.mu.Unlock()
}

// backendConn is one connection to a backend. While busy it belongs to a
// single exchange; while idle it sits in its host's idle list with no
// buffers attached.
type backendConn struct {
	nc   net.Conn
	host *backendHost
	pool *BackendPool
	br   *bufio.Reader // borrowed from backendReaderPool while busy

	rc     syscall.RawConn // for the non-blocking peek; nil if unavailable
	raw    rawSock         // reads and writes, when rc is set
	peekFn func(fd uintptr) bool
	peekB  [1]byte
	peekN  int
	peekE  error

	idleSince time.Time

	timeout     time.Duration
	slack       time.Duration // re-arm deadlines once this much time passed
	armedR      time.Time
	armedW      time.Time
	armedFor    time.Duration // the timeout armedR and armedW were armed with
	freshR      bool          // no read or write since begin armed the deadlines
	freshW      bool
	gotByte     bool // a response byte arrived during this exchange
	firstByte   time.Time
	noFirstByte bool // the exchange has no use for firstByte
	noReuse     bool // something made the connection unfit for another request

	counted bool // counted in host.open until closed or handed over

	canceled atomic.Bool // the exchange's context was canceled
	stopCtx  func() bool // stops the context watcher, nil if none
}

func newBackendConn(p *BackendPool, h *backendHost, nc net.Conn) *backendConn {
	c := &backendConn{nc: nc, host: h, pool: p}
	if rc := rawConnOf(nc); rc != nil {
		c.rc = rc
		c.raw.rc = rc
		c.peekFn = c.peek
	}
	return c
}

// close closes the connection and takes it off its host's count.
func (c *backendConn) close() {
	_ = c.nc.Close()
	c.uncount()
}

// uncount takes the connection off its host's count, once.
func (c *backendConn) uncount() {
	if c.counted {
		c.counted = false
		c.host.gone()
	}
}

// peek is a non-blocking MSG_PEEK of one byte, for readable and alive.
func (c *backendConn) peek(fd uintptr) bool {
	for {
		n, _, e := syscall.RawSyscall6(syscall.SYS_RECVFROM, fd, uintptr(unsafe.Pointer(&c.peekB[0])), 1,
			syscall.MSG_PEEK|syscall.MSG_DONTWAIT, 0, 0)
		if e == syscall.EINTR {
			continue
		}
		c.peekN, c.peekE = int(n), nil
		if e != 0 {
			c.peekN, c.peekE = 0, e
		}
		return true
	}
}

// begin prepares the connection for one exchange: buffers, deadlines and
// the context watcher.
func (c *backendConn) begin(ctx context.Context, req *backendRequest, timeout time.Duration, now time.Time) {
	c.timeout = timeout
	c.noFirstByte = req.NoFirstByte
	c.slack = timeout / 64
	c.gotByte = false
	c.firstByte = time.Time{}
	c.noReuse = false
	c.canceled.Store(false)
	if c.br == nil {
		c.br = backendReaderPool.Get().(*bufio.Reader)
		c.br.Reset(c)
	}
	// The deadlines are re-armed only when they are more than slack
	// behind, as in Read and write: a busy connection does not pay for a
	// timer change per request. now is the time (time.Now) at acquire.
	if c.armedFor != timeout || now.Sub(c.armedR) > c.slack || now.Sub(c.armedW) > c.slack {
		_ = c.nc.SetDeadline(now.Add(timeout))
		c.armedR, c.armedW, c.armedFor = now, now, timeout
	}
	c.freshR, c.freshW = true, true
	if ctx.Done() != nil {
		c.stopCtx = context.AfterFunc(ctx, c.cancel)
	}
}

// cancel runs when the exchange's context ends: it makes any blocked or
// future read or write fail.
func (c *backendConn) cancel() {
	c.canceled.Store(true)
	_ = c.nc.SetDeadline(beLongAgo)
}

// unwatch stops the context watcher; it reports false if the context
// already ended (the connection's deadlines are then spoiled).
func (c *backendConn) unwatch() bool {
	if c.stopCtx == nil {
		return !c.canceled.Load()
	}
	stopped := c.stopCtx()
	c.stopCtx = nil
	return stopped && !c.canceled.Load()
}

// Read reads from the connection for the response reader, keeping the
// read deadline Timeout ahead and noting the first response byte.
func (c *backendConn) Read(p []byte) (int, error) {
	if c.freshR {
		// The first read follows begin at once: the deadline is fresh.
		c.freshR = false
	} else if time.Since(c.armedR) > c.slack {
		now := time.Now()
		_ = c.nc.SetReadDeadline(now.Add(c.timeout))
		c.armedR = now
		if c.canceled.Load() {
			return 0, context.Canceled
		}
	}
	var n int
	var err error
	if c.rc != nil {
		n, err = c.raw.read(p)
	} else {
		n, err = c.nc.Read(p)
	}
	if n > 0 && !c.gotByte {
		c.gotByte = true
		if !c.noFirstByte {
			c.firstByte = c.pool.now()
		}
	}
	return n, err
}

// armWrite keeps the write deadline Timeout ahead for a write about to
// be made.
func (c *backendConn) armWrite() error {
	if c.freshW {
		c.freshW = false
	} else if time.Since(c.armedW) > c.slack {
		now := time.Now()
		_ = c.nc.SetWriteDeadline(now.Add(c.timeout))
		c.armedW = now
		if c.canceled.Load() {
			return context.Canceled
		}
	}
	return nil
}

// write writes b, keeping the write deadline Timeout ahead.
func (c *backendConn) write(b []byte) error {
	if err := c.armWrite(); err != nil {
		return err
	}
	if c.rc != nil {
		_, err := c.raw.write(b)
		return err
	}
	_, err := c.nc.Write(b)
	return err
}

// writeAndWait writes b, a whole request to which nothing can have been
// answered yet, and waits until the answer can be read (see
// rawSock.writeThenWait): the first read of the answer then does not
// fail with EAGAIN first. It returns only the write's error.
func (c *backendConn) writeAndWait(b []byte) error {
	if c.rc == nil || c.br == nil || c.br.Buffered() > 0 {
		return c.write(b)
	}
	if err := c.armWrite(); err != nil {
		return err
	}
	if !c.freshR && time.Since(c.armedR) > c.slack {
		// The wait is the answer's first read: its deadline as in Read.
		now := time.Now()
		_ = c.nc.SetReadDeadline(now.Add(c.timeout))
		c.armedR = now
	}
	_, err := c.raw.writeThenWait(b)
	return err
}

// setReadDeadline sets the read deadline for a wait shorter than Timeout.
func (c *backendConn) setReadDeadline(t time.Time) {
	_ = c.nc.SetReadDeadline(t)
	c.armedR = time.Now()
}

// readable reports whether the backend has sent something (bytes or the
// end of the stream) without blocking: a non-blocking MSG_PEEK, as
// httpd's ap_proxy_is_socket_connected does. Buffered bytes count.
// Without a raw socket it reports false.
func (c *backendConn) readable() bool {
	if c.br != nil && c.br.Buffered() > 0 {
		return true
	}
	return c.socketReadable()
}

// socketReadable reports whether a read of the socket would not block
// (bytes or the end of the stream wait there), whatever is buffered.
func (c *backendConn) socketReadable() bool {
	if c.rc == nil {
		return false
	}
	c.peekN, c.peekE = 0, nil
	if err := c.rc.Read(c.peekFn); err != nil {
		return false
	}
	return c.peekE == nil // data (n > 0) or the end of the stream (n == 0)
}

// alive reports whether an idle connection can carry a request: the
// backend has neither closed it nor sent unexpected bytes.
func (c *backendConn) alive() bool {
	if c.rc == nil {
		return true
	}
	c.peekN, c.peekE = 0, nil
	if err := c.rc.Read(c.peekFn); err != nil {
		return false
	}
	return c.peekE == syscall.EAGAIN || c.peekE == syscall.EWOULDBLOCK
}

// release ends an exchange: with reuse, the connection goes back to its
// host's idle list, else it is closed.
func (c *backendConn) release(reuse bool) {
	if !c.unwatch() {
		reuse = false
	}
	if c.noReuse || (c.br != nil && c.br.Buffered() > 0) {
		reuse = false
	}
	if c.br != nil {
		c.br.Reset(nil)
		backendReaderPool.Put(c.br)
		c.br = nil
	}
	if !reuse {
		c.close()
		return
	}
	c.pool.putIdle(c)
}

// detach hands the raw connection over (101 Switching Protocols): the
// bytes already buffered are read first, deadlines are cleared and the
// connection leaves the pool for good.
func (c *backendConn) detach() net.Conn {
	c.unwatch()
	c.uncount()
	_ = c.nc.SetDeadline(time.Time{})
	var pending []byte
	if c.br != nil {
		if n := c.br.Buffered(); n > 0 {
			b, _ := c.br.Peek(n)
			pending = append([]byte(nil), b...)
		}
		c.br.Reset(nil)
		backendReaderPool.Put(c.br)
		c.br = nil
	}
	if len(pending) == 0 {
		return c.nc
	}
	return &beUpgradedConn{Conn: c.nc, pending: pending}
}

// beUpgradedConn is a connection whose first bytes were already read.
type beUpgradedConn struct {
	net.Conn
	pending []byte
}

func (pc *beUpgradedConn) Read(p []byte) (int, error) {
	if len(pc.pending) > 0 {
		n := copy(p, pc.pending)
		pc.pending = pc.pending[n:]
		return n, nil
	}
	return pc.Conn.Read(p)
}

// CloseWrite half-closes the connection when the underlying one can.
func (pc *beUpgradedConn) CloseWrite() error {
	if cw, ok := pc.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// getBackendBuf borrows a request-body buffer.
func getBackendBuf() *[backendWriteBufSize]byte {
	return backendBufPool.Get().(*[backendWriteBufSize]byte)
}

func putBackendBuf(b *[backendWriteBufSize]byte) { backendBufPool.Put(b) }

// popIdle takes the most recently used idle connection of h that has not
// outlived the idle timeout at now (the pool's Now, when set, instead);
// expired ones are closed.
func (p *BackendPool) popIdle(h *backendHost, now time.Time) *backendConn {
	ttl := p.idleTimeout()
	if p.Now != nil {
		now = p.Now()
	}
	var stale [4]*backendConn
	nstale := 0
	h.mu.Lock()
	var c *backendConn
	for len(h.idle) > 0 {
		last := len(h.idle) - 1
		c = h.idle[last]
		h.idle[last] = nil
		h.idle = h.idle[:last]
		if ttl <= 0 {
			break
		}
		if now.Sub(c.idleSince) < ttl {
			break
		}
		if nstale < len(stale) {
			stale[nstale] = c
			nstale++
		} else {
			h.mu.Unlock()
			c.close()
			h.mu.Lock()
		}
		c = nil
	}
	h.mu.Unlock()
	for _, s := range stale[:nstale] {
		s.close()
	}
	return c
}

// putIdle returns c to its host's idle list, or closes it when the list
// is full.
func (p *BackendPool) putIdle(c *backendConn) {
	max := p.maxIdle()
	c.idleSince = p.now()
	h := c.host
	h.mu.Lock()
	if h.handLocked(c) {
		h.mu.Unlock()
		return
	}
	if len(h.idle) >= max {
		h.mu.Unlock()
		c.close()
		return
	}
	h.idle = append(h.idle, c)
	// The oldest connection (first) may have expired meanwhile.
	var old *backendConn
	if ttl := p.idleTimeout(); ttl > 0 && len(h.idle) > 1 && c.idleSince.Sub(h.idle[0].idleSince) >= ttl {
		old = h.idle[0]
		copy(h.idle, h.idle[1:])
		h.idle[len(h.idle)-1] = nil
		h.idle = h.idle[:len(h.idle)-1]
	}
	h.mu.Unlock()
	if old != nil {
		old.close()
	}
}

// CloseIdle closes every idle connection of the pool.
func (p *BackendPool) CloseIdle() {
	hosts := p.hosts.Load()
	if hosts == nil {
		return
	}
	for _, h := range *hosts {
		h.mu.Lock()
		idle := h.idle
		h.idle = nil
		h.mu.Unlock()
		for _, c := range idle {
			c.close()
		}
	}
}

// IdleCount returns the number of idle connections kept for the http
// backend addr.
func (p *BackendPool) IdleCount(addr string) int {
	h := p.lookupHost(addr, nil)
	if h == nil {
		return 0
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.idle)
}

// lookupHost finds the idle list of addr, or nil.
func (p *BackendPool) lookupHost(addr string, tc *tls.Config) *backendHost {
	if hosts := p.hosts.Load(); hosts != nil {
		for _, h := range *hosts {
			if h.addr == addr && h.tls == tc {
				return h
			}
		}
	}
	return nil
}

// host finds or creates the idle list of addr with client configuration
// tc (nil for http; a configuration is one per backend name and server).
// Lookups scan a copy-on-write slice: a proxy talks to few backends.
func (p *BackendPool) host(addr string, tc *tls.Config) *backendHost {
	if h := p.lookupHost(addr, tc); h != nil {
		return h
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if h := p.lookupHost(addr, tc); h != nil {
		return h
	}
	var hosts []*backendHost
	if old := p.hosts.Load(); old != nil {
		hosts = append(hosts, (*old)...)
	}
	h := &backendHost{addr: addr, tls: tc}
	hosts = append(hosts, h)
	p.hosts.Store(&hosts)
	return h
}
