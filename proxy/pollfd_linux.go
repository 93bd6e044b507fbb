//go:build linux

package proxy

// A socket in the runtime's network poller without package net or os:
// accepted connections are registered, waited on and closed with no
// system call made through the runtime's syscall entry.

import (
	"errors"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	_ "unsafe" // go:linkname
)

// The runtime's poller, as internal/poll uses it. The runtime pushes these
// symbols to internal/poll with go:linkname; the linker lets other
// packages refer to pushed symbols. Should a Go release drop one, the
// build fails at link time: nothing degrades silently.
//
//go:linkname runtime_pollOpen internal/poll.runtime_pollOpen
func runtime_pollOpen(fd uintptr) (uintptr, int)

//go:linkname runtime_pollClose internal/poll.runtime_pollClose
func runtime_pollClose(ctx uintptr)

//go:linkname runtime_pollWait internal/poll.runtime_pollWait
func runtime_pollWait(ctx uintptr, mode int) int

//go:linkname runtime_pollSetDeadline internal/poll.runtime_pollSetDeadline
func runtime_pollSetDeadline(ctx uintptr, d int64, mode int)

//go:linkname runtime_pollUnblock internal/poll.runtime_pollUnblock
func runtime_pollUnblock(ctx uintptr)

// The runtime's answers to runtime_pollWait (runtime/netpoll.go).
const (
	pollNoError        = 0
	pollErrClosing     = 1
	pollErrTimeout     = 2
	pollErrNotPollable = 3 // an error event on the socket: ask the socket
)

var errNotPollable = errors.New("not pollable")

// pollFD is a non-blocking socket in the runtime poller. It does what
// internal/poll.FD does for a net.Conn, with every system call (read,
// write, close) made by RawSyscall: entering the runtime's syscall state
// wakes the runtime's monitor thread whenever the process had gone idle,
// which under a new connection per request cost more CPU than the calls
// themselves.
//
// The socket joins the poller (epoll_ctl ADD) only the first time a call
// has to wait, and deadlines set before that are kept until then: a
// connection whose request is there when it is read and whose answer
// fits in the socket buffer is served and closed with no epoll_ctl at
// all (and no EPOLL_CTL_DEL, which the runtime makes on close). Edge-
// triggered registration reports a socket that is already ready, so
// joining late misses nothing.
//
// Any goroutine may call its methods; Close waits, as internal/poll's
// does, for calls in progress to return before the descriptor is closed,
// so that a descriptor number is never used after it is reused.
type pollFD struct {
	fd int

	// state is the count of calls in progress, in units of pollRef, and
	// pollClosing once Close was called: the last call out closes. One
	// atomic operation takes or drops a reference.
	state atomic.Uint64

	mu  sync.Mutex
	ctx atomic.Uintptr // the runtime's pollDesc; 0 until the first wait
	rdl time.Time      // deadlines, kept until the socket joins the poller
	wdl time.Time
}

const (
	pollClosing = 1
	pollRef     = 2
)

func (p *pollFD) incref() error {
	for {
		old := p.state.Load()
		if old&pollClosing != 0 {
			return net.ErrClosed
		}
		if p.state.CompareAndSwap(old, old+pollRef) {
			return nil
		}
	}
}

func (p *pollFD) decref() {
	if p.state.Add(^uint64(pollRef-1)) == pollClosing { // minus pollRef
		p.destroy(p.ctx.Load())
	}
}

// Close wakes the calls waiting on the descriptor and closes it once the
// last of them has returned.
func (p *pollFD) Close() error {
	p.mu.Lock()
	if p.state.Load()&pollClosing != 0 {
		p.mu.Unlock()
		return net.ErrClosed
	}
	// The poller is told first: once pollClosing is set, the last call
	// out may close the pollDesc at once, and the runtime must have been
	// unblocked by then. pollCtx joins the poller only under mu, so ctx
	// is final here.
	ctx := p.ctx.Load()
	if ctx != 0 {
		runtime_pollUnblock(ctx)
	}
	old := p.state.Or(pollClosing)
	p.mu.Unlock()
	if old == 0 {
		p.destroy(ctx)
	}
	return nil
}

func (p *pollFD) destroy(ctx uintptr) {
	if ctx != 0 {
		runtime_pollClose(ctx)
	}
	sysClose(p.fd)
}

// sysClose is close(2) without the runtime's syscall bookkeeping. Closing
// a socket never blocks (no SO_LINGER here).
func sysClose(fd int) {
	syscall.RawSyscall(syscall.SYS_CLOSE, uintptr(fd), 0, 0)
}

// pollCtx returns the socket's pollDesc, joining the poller first if it
// has not yet, with the deadlines set so far.
func (p *pollFD) pollCtx() (uintptr, error) {
	if ctx := p.ctx.Load(); ctx != 0 {
		return ctx, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if ctx := p.ctx.Load(); ctx != 0 {
		return ctx, nil
	}
	if p.state.Load()&pollClosing != 0 {
		return 0, net.ErrClosed
	}
	ctx, errno := runtime_pollOpen(uintptr(p.fd))
	if errno != 0 {
		return 0, os.NewSyscallError("epoll_ctl", syscall.Errno(errno))
	}
	if !p.rdl.IsZero() {
		runtime_pollSetDeadline(ctx, untilDeadline(p.rdl), 'r')
	}
	if !p.wdl.IsZero() {
		runtime_pollSetDeadline(ctx, untilDeadline(p.wdl), 'w')
	}
	p.ctx.Store(ctx)
	return ctx, nil
}

// wait waits until the descriptor is ready for mode ('r' or 'w'), its
// deadline for mode passes, or it is closed. The caller holds a
// reference (incref).
func (p *pollFD) wait(mode int) error {
	ctx, err := p.pollCtx()
	if err != nil {
		return err
	}
	switch runtime_pollWait(ctx, mode) {
	case pollNoError:
		return nil
	case pollErrClosing:
		return net.ErrClosed
	case pollErrTimeout:
		return os.ErrDeadlineExceeded
	default:
		return errNotPollable
	}
}

// do is syscall.RawConn's Read and Write: call f until it reports done,
// waiting for readiness between calls. After an error event on the
// socket f is called once more, since the call itself reports the
// socket's error; if f still waits, the error is returned.
func (p *pollFD) do(mode int, f func(fd uintptr) bool) error {
	return p.doWithin(mode, f, 0)
}

// doWithin is do with each wait for readiness limited to d from its start
// when d > 0, as httpd's Timeout limits each wait of a socket operation:
// the clock is read and the deadline set only when f has to wait.
func (p *pollFD) doWithin(mode int, f func(fd uintptr) bool, d time.Duration) error {
	if err := p.incref(); err != nil {
		return err
	}
	defer p.decref()
	for !f(uintptr(p.fd)) {
		if d > 0 {
			if err := p.setDeadline(time.Now().Add(d), mode); err != nil {
				return err
			}
		}
		if err := p.wait(mode); err != nil {
			if err == errNotPollable && f(uintptr(p.fd)) {
				return nil
			}
			return err
		}
	}
	return nil
}

// untilDeadline is t as the runtime takes a deadline: nanoseconds from
// now, -1 for one already past, 0 for none.
func untilDeadline(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	d := int64(time.Until(t))
	if d == 0 {
		d = -1 // a deadline of now, not none
	}
	return d
}

func (p *pollFD) setDeadline(t time.Time, mode int) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state.Load()&pollClosing != 0 {
		return net.ErrClosed
	}
	if mode == 'r' || mode == 'r'+'w' {
		p.rdl = t
	}
	if mode == 'w' || mode == 'r'+'w' {
		p.wdl = t
	}
	if ctx := p.ctx.Load(); ctx != 0 {
		runtime_pollSetDeadline(ctx, untilDeadline(t), mode)
	}
	return nil
}

// pollRawConn is a pollFD's syscall.RawConn.
type pollRawConn struct{ p *pollFD }

func (rc pollRawConn) Control(f func(fd uintptr)) error {
	if err := rc.p.incref(); err != nil {
		return err
	}
	defer rc.p.decref()
	f(uintptr(rc.p.fd))
	return nil
}

func (rc pollRawConn) Read(f func(fd uintptr) bool) error  { return rc.p.do('r', f) }
func (rc pollRawConn) Write(f func(fd uintptr) bool) error { return rc.p.do('w', f) }

// waitRead waits for readability without reading first (see
// rawSock.drained). An error event on the socket is left to the read
// that follows.
func (rc pollRawConn) waitRead() error {
	if err := rc.p.incref(); err != nil {
		return err
	}
	defer rc.p.decref()
	if err := rc.p.wait('r'); err != nil && err != errNotPollable {
		return err
	}
	return nil
}
