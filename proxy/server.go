package proxy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Options configure an Engine. The zero value is ready to use.
type Options struct {
	// ErrorLog receives errors and notices; nil means slog.Default().
	ErrorLog *slog.Logger
	// Now tells the time (nil: time.Now). Tests inject a clock.
	Now func() time.Time
	// ShutdownGrace bounds how long Shutdown waits for requests in flight
	// (0: 30 seconds).
	ShutdownGrace time.Duration
	// ServerBanner is the Server header of responses logproxy makes
	// itself (errors, files); "" means the default, see DefaultBanner.
	ServerBanner string
}

// DefaultBanner is the Server header of the responses logproxy generates.
// It is as long as Debian's "Apache/2.4.71 (Debian)", so that %O and %S
// count the same bytes as httpd's.
const DefaultBanner = "logproxy/0.1.0 (Linux)"

// Banner is the Server header for a ServerTokens setting, as
// ap_get_server_banner builds httpd's: the product, then as much of its
// version as the setting allows, then the OS.
func Banner(tokens string) string {
	switch tokens {
	case "prod":
		return "logproxy"
	case "major":
		return "logproxy/0"
	case "minor":
		return "logproxy/0.1"
	case "min":
		return "logproxy/0.1.0"
	}
	return DefaultBanner
}

// Engine accepts connections on a Site's listeners and serves them. It
// switches to a new Site on Reload without dropping connections.
type Engine struct {
	opts   Options
	errLog atomic.Pointer[slog.Logger]
	site   atomic.Pointer[Site]
	// lastLocal is the local address of the last connection accepted,
	// with its text: connections to one listener share it.
	lastLocal atomic.Pointer[ipText]
	backend   BackendPool

	mu        sync.Mutex
	listeners map[string]*listener // by address
	conns     sync.WaitGroup
	active    map[*conn]struct{}
	closing   atomic.Bool
	pid       int

	idle     atomic.Pointer[idlePoller] // parked keep-alive connections; nil until needed or unavailable
	idleOnce sync.Once

	workers      *workers     // the goroutines connections run on
	graceWaiters atomic.Int32 // connections waiting out idleGrace (see waitRequest)

	acme atomic.Pointer[acmeManager] // mod_md's certificates; nil without MDomain
}

// idlePoller returns the engine's idle poller, started on first use, or
// nil when the system has none.
func (e *Engine) idlePoller() *idlePoller {
	e.idleOnce.Do(func() {
		p, err := newIdlePoller()
		if err != nil {
			e.log().Warn("idle connections keep their goroutines", "err", err)
			return
		}
		e.idle.Store(p)
	})
	return e.idle.Load()
}

// listener is one Listen address and its accept loop.
type listener struct {
	addr string
	ln   net.Listener
	done chan struct{}
}

// NewEngine returns an engine that serves site once Start is called.
func NewEngine(site *Site, opts *Options) *Engine {
	e := &Engine{listeners: make(map[string]*listener), active: make(map[*conn]struct{}), pid: os.Getpid(), workers: newWorkers()}
	if opts != nil {
		e.opts = *opts
	}
	l := e.opts.ErrorLog
	if l == nil {
		l = slog.Default()
	}
	e.errLog.Store(l)
	if e.opts.ShutdownGrace <= 0 {
		e.opts.ShutdownGrace = 30 * time.Second
	}
	if e.opts.ServerBanner == "" {
		e.opts.ServerBanner = DefaultBanner
	}
	e.backend.Now = e.opts.Now
	e.site.Store(site)
	return e
}

func (e *Engine) now() time.Time {
	if e.opts.Now != nil {
		return e.opts.Now()
	}
	return time.Now()
}

// acquireSite returns the current site, counted as in use: a site a
// reload retires in between is not taken.
func (e *Engine) acquireSite() *Site {
	for {
		s := e.site.Load()
		s.acquire()
		if e.site.Load() == s {
			return s
		}
		s.release()
	}
}

// log returns the error log.
func (e *Engine) log() *slog.Logger { return e.errLog.Load() }

// SetErrorLog switches the error log, as a restart reopens it.
func (e *Engine) SetErrorLog(l *slog.Logger) { e.errLog.Store(l) }

// Site returns the configuration new requests are served with.
func (e *Engine) Site() *Site { return e.site.Load() }

// Start opens the site's listeners and starts accepting connections.
func (e *Engine) Start() error {
	if err := e.syncListeners(e.site.Load()); err != nil {
		return err
	}
	return e.syncACME(e.site.Load())
}

// syncACME starts, keeps or replaces the ACME manager for site's MDomain
// lines: the same CA, account and store keep the manager, which then
// manages the new names too (names dropped from the configuration are
// no longer served, and CertMagic stops renewing them at the next
// restart).
func (e *Engine) syncACME(site *Site) error {
	old := e.acme.Load()
	if site.ACME == nil {
		if old != nil {
			e.acme.Store(nil)
			old.stop()
		}
		return nil
	}
	if old != nil && old.settings.sameAccount(site.ACME) {
		return old.manage(site.ACME.Names())
	}
	m, err := newACMEManager(site.ACME, e.log)
	if err != nil {
		return err
	}
	if err := m.manage(site.ACME.Names()); err != nil {
		m.stop()
		return err
	}
	e.acme.Store(m)
	if old != nil {
		old.stop()
	}
	return nil
}

// Reload switches to a new site: new requests are served with it, requests
// in flight finish with the old one. Listeners the new site no longer has
// are closed, new ones opened. The caller opens the new site's logs before
// (see Site.OpenLogs); the old site's logs are closed by the engine once
// its last request has been logged.
func (e *Engine) Reload(site *Site) error {
	if err := e.syncListeners(site); err != nil {
		return err
	}
	if err := e.syncACME(site); err != nil {
		return err
	}
	old := e.site.Swap(site)
	if old != nil && old != site {
		// Its logs close when the last request served with it is logged.
		old.retire()
	}
	return nil
}

// listen opens a listener as httpd does: SO_KEEPALIVE on the listening
// socket, which accepted connections inherit with the system's keep-alive
// timings, and no per-connection keep-alive settings (Go's default of 15 s
// probes costs four setsockopt calls per accepted connection).
func listen(addr string) (net.Listener, error) {
	lc := net.ListenConfig{KeepAlive: -1, Control: keepAliveListener}
	ln, err := lc.Listen(context.Background(), "tcp", addr)
	if err != nil {
		return nil, err
	}
	return rawListen(ln), nil
}

func keepAliveListener(network, address string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_KEEPALIVE, 1)
		if serr == nil {
			// Accepted connections inherit it (see rawAccepter).
			serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
		}

	})
	if err != nil {
		return err
	}
	return serr
}

// syncListeners opens the listeners of site that are not open yet and
// closes those it does not have.
func (e *Engine) syncListeners(site *Site) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	want := make(map[string]bool)
	var opened []*listener
	for _, addr := range site.Listen {
		want[addr] = true
		if _, ok := e.listeners[addr]; ok {
			continue
		}
		ln, err := listen(addr)
		if err != nil {
			for _, l := range opened {
				l.ln.Close()
				delete(e.listeners, l.addr)
			}
			return fmt.Errorf("could not bind to address %s: %w", addr, err)
		}
		l := &listener{addr: addr, ln: ln, done: make(chan struct{})}
		e.listeners[addr] = l
		opened = append(opened, l)
	}
	for addr, l := range e.listeners {
		if !want[addr] {
			l.ln.Close()
			delete(e.listeners, addr)
			continue
		}
		// On every listener, also the ones a reload keeps: AcceptFilter
		// may have changed.
		if err := setDeferAccept(l.ln, !site.NoDeferAccept); err != nil {
			e.log().Warn("could not set the accept filter", "addr", addr, "err", err)
		}
	}
	for _, l := range opened {
		go e.acceptLoop(l)
	}
	return nil
}

// Addrs returns the addresses the engine listens on (useful with port 0).
func (e *Engine) Addrs() []net.Addr {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []net.Addr
	for _, l := range e.listeners {
		out = append(out, l.ln.Addr())
	}
	return out
}

// acceptLoop accepts connections until the listener is closed; each
// connection is served by its own goroutine, which the engine waits for on
// Shutdown.
func (e *Engine) acceptLoop(l *listener) {
	defer close(l.done)
	var delay time.Duration
	for {
		nc, err := l.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: back off and retry.
			if delay == 0 {
				delay = 5 * time.Millisecond
			} else if delay *= 2; delay > time.Second {
				delay = time.Second
			}
			e.log().Error("accept failed", "addr", l.addr, "err", err)
			time.Sleep(delay)
			continue
		}
		delay = 0
		c := newConn(e, nc)
		e.mu.Lock()
		if e.closing.Load() {
			e.mu.Unlock()
			nc.Close()
			continue
		}
		e.active[c] = struct{}{}
		e.conns.Add(1)
		e.mu.Unlock()
		e.workers.run(workerTask{c: c})
	}
}

func (e *Engine) connDone(c *conn) {
	e.mu.Lock()
	delete(e.active, c)
	e.mu.Unlock()
	e.conns.Done()
}

// Shutdown stops accepting connections, lets requests in flight finish
// (idle keep-alive connections are closed at once), and returns when every
// connection is gone or ctx ends, whichever comes first; then the remaining
// connections are closed.
func (e *Engine) Shutdown(ctx context.Context) error {
	e.closing.Store(true)
	e.mu.Lock()
	for addr, l := range e.listeners {
		l.ln.Close()
		delete(e.listeners, addr)
	}
	for c := range e.active {
		c.closeIfIdle()
	}
	e.mu.Unlock()

	done := make(chan struct{})
	go func() {
		e.conns.Wait()
		close(done)
	}()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
		e.mu.Lock()
		for c := range e.active {
			c.nc.Close()
		}
		e.mu.Unlock()
		<-done
	}
	e.idleOnce.Do(func() {}) // no poller starts any more
	if p := e.idle.Load(); p != nil {
		p.stop()
	}
	e.workers.stop()
	e.backend.CloseIdle()
	if m := e.acme.Swap(nil); m != nil {
		m.stop()
	}
	return err
}

// ipText is an address with its text.
type ipText struct {
	addr netip.Addr
	text string
}

// localIPText returns a.String(), made once for the connections that
// arrive at one address in a row.
func (e *Engine) localIPText(a netip.Addr) string {
	if t := e.lastLocal.Load(); t != nil && t.addr == a {
		return t.text
	}
	t := &ipText{addr: a, text: a.String()}
	e.lastLocal.Store(t)
	return t.text
}
