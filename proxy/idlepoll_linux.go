//go:build linux

package proxy

// The idle poller: keep-alive connections that stay idle for longer than
// idleGrace are parked here, with no goroutine and no buffer, as httpd's
// event MPM hands them to its listener thread. One goroutine owned by the
// engine waits for any of them to become readable, and ends those whose
// KeepAliveTimeout passes; a connection that wakes up gets a new
// goroutine, which takes buffers from the pools again.
//
// The parked sockets are in an epoll instance of their own (one-shot,
// level-triggered), whose descriptor is itself waited for through the Go
// runtime's network poller, with the soonest KeepAliveTimeout as its read
// deadline: the poller's goroutine parks like any other and no thread
// blocks in epoll_wait.

import (
	"os"
	"sync"
	"syscall"
	"time"
)

// idlePoller holds the parked connections of an engine.
type idlePoller struct {
	ep   *os.File        // the epoll instance, non-blocking, runtime-polled
	raw  syscall.RawConn // ep's
	epfd int

	// mu guards what follows. Lock order: conn.idleMu, then mu.
	mu       sync.Mutex
	byFD     []*conn   // parked connections by socket
	heap     []*conn   // parked connections with a deadline, soonest first
	deadline time.Time // ep's read deadline: when the poller wakes to expire
	seq      uint32    // parkings so far
	stopped  bool
	done     chan struct{}

	// The poller goroutine's: the last epoll_wait.
	events []syscall.EpollEvent
	nev    int
	everr  error
	waitFn func(fd uintptr) bool
}

// newIdlePoller starts a poller.
func newIdlePoller() (*idlePoller, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	if err := syscall.SetNonblock(epfd, true); err != nil {
		syscall.Close(epfd)
		return nil, err
	}
	ep := os.NewFile(uintptr(epfd), "idle-epoll")
	raw, err := ep.SyscallConn()
	if err == nil {
		// Only a descriptor the runtime polls takes deadlines.
		err = ep.SetReadDeadline(time.Time{})
	}
	if err != nil {
		ep.Close()
		return nil, err
	}
	p := &idlePoller{ep: ep, raw: raw, epfd: epfd, done: make(chan struct{}),
		events: make([]syscall.EpollEvent, 128)}
	p.waitFn = func(fd uintptr) bool {
		p.nev, p.everr = syscall.EpollWait(int(fd), p.events, 0)
		return p.everr != nil || p.nev > 0
	}
	go p.loop()
	return p, nil
}

// park hands c over until its socket is readable or until (when not
// zero) passes; it reports false when c cannot be parked (the caller then
// waits for it as before). The caller holds c.idleMu; once park returned
// true, c belongs to the poller.
func (p *idlePoller) park(c *conn, until time.Time) bool {
	if c.fd < 0 {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return false
	}
	p.seq++ // tells this parking from any other, of any connection
	c.parkSeq = p.seq
	ev := syscall.EpollEvent{
		Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLONESHOT,
		Fd:     int32(c.fd),
		Pad:    int32(c.parkSeq),
	}
	for len(p.byFD) <= c.fd {
		p.byFD = append(p.byFD, nil)
	}
	p.byFD[c.fd] = c
	c.idleUntil = until
	c.heapIdx = -1
	if !until.IsZero() {
		p.heapPush(c)
	}
	// Armed last, under mu, so that the wake-up finds c in place.
	op := syscall.EPOLL_CTL_MOD
	if !c.epollAdded {
		op = syscall.EPOLL_CTL_ADD
	}
	err := syscall.EpollCtl(p.epfd, op, c.fd, &ev)
	switch {
	case err == syscall.EEXIST:
		err = syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_MOD, c.fd, &ev)
	case err == syscall.ENOENT:
		err = syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_ADD, c.fd, &ev)
	}
	if err != nil {
		p.remove(c)
		return false
	}
	c.epollAdded = true
	if !until.IsZero() && (p.deadline.IsZero() || until.Before(p.deadline)) {
		// Sooner than the poller means to wake up: move its deadline.
		p.deadline = until
		p.ep.SetReadDeadline(until)
	}
	return true
}

// unpark takes c back from the poller, if it still has it.
func (p *idlePoller) unpark(c *conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c.fd < 0 || c.fd >= len(p.byFD) || p.byFD[c.fd] != c {
		return false
	}
	p.remove(c)
	return true
}

// remove drops c from the tables; p.mu is held.
func (p *idlePoller) remove(c *conn) {
	p.byFD[c.fd] = nil
	if c.heapIdx >= 0 {
		p.heapRemove(c.heapIdx)
	}
}

// stop ends the poller's goroutine; connections still parked stay so.
func (p *idlePoller) stop() {
	p.mu.Lock()
	p.stopped = true
	p.ep.SetReadDeadline(time.Unix(1, 0))
	p.mu.Unlock()
	<-p.done
}

func (p *idlePoller) loop() {
	defer close(p.done)
	defer p.ep.Close()
	var expired, woken []*conn
	for {
		// Expire what is due and set the deadline for the next.
		p.mu.Lock()
		if p.stopped {
			p.mu.Unlock()
			return
		}
		now := time.Now()
		for len(p.heap) > 0 && !p.heap[0].idleUntil.After(now) {
			c := p.heap[0]
			p.remove(c)
			expired = append(expired, c)
		}
		next := time.Time{}
		if len(p.heap) > 0 {
			next = p.heap[0].idleUntil
		}
		if !next.Equal(p.deadline) {
			p.deadline = next
			p.ep.SetReadDeadline(next)
		}
		p.mu.Unlock()
		// KeepAliveTimeout passed: the connection ends, as httpd's does,
		// without a response.
		for i, c := range expired {
			c.expire()
			expired[i] = nil
		}
		expired = expired[:0]

		// Wait for parked sockets to become readable, or the deadline.
		p.nev, p.everr = 0, nil
		err := p.raw.Read(p.waitFn)
		if err == nil {
			err = p.everr
		}
		if err != nil && err != syscall.EINTR && !os.IsTimeout(err) {
			p.mu.Lock()
			stopped := p.stopped
			p.mu.Unlock()
			if stopped {
				return
			}
			// Nothing sensible is left to do but to try again later.
			time.Sleep(10 * time.Millisecond)
			continue
		}
		p.mu.Lock()
		for _, ev := range p.events[:p.nev] {
			fd := int(ev.Fd)
			if fd < len(p.byFD) {
				if c := p.byFD[fd]; c != nil && int32(c.parkSeq) == ev.Pad {
					p.remove(c)
					woken = append(woken, c)
				}
			}
		}
		p.mu.Unlock()
		for i, c := range woken {
			c.e.workers.run(workerTask{c: c, resume: true})
			woken[i] = nil
		}
		woken = woken[:0]
	}
}

// The deadline heap, soonest first; c.heapIdx is each one's place.

func (p *idlePoller) heapPush(c *conn) {
	c.heapIdx = len(p.heap)
	p.heap = append(p.heap, c)
	p.heapUp(c.heapIdx)
}

func (p *idlePoller) heapRemove(i int) {
	last := len(p.heap) - 1
	c := p.heap[i]
	if i != last {
		p.heapSwap(i, last)
	}
	p.heap[last] = nil
	p.heap = p.heap[:last]
	c.heapIdx = -1
	if i < last {
		if !p.heapDown(i) {
			p.heapUp(i)
		}
	}
}

func (p *idlePoller) heapLess(i, j int) bool {
	return p.heap[i].idleUntil.Before(p.heap[j].idleUntil)
}

func (p *idlePoller) heapSwap(i, j int) {
	p.heap[i], p.heap[j] = p.heap[j], p.heap[i]
	p.heap[i].heapIdx = i
	p.heap[j].heapIdx = j
}

func (p *idlePoller) heapUp(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !p.heapLess(i, parent) {
			return
		}
		p.heapSwap(i, parent)
		i = parent
	}
}

func (p *idlePoller) heapDown(i int) bool {
	start := i
	for {
		l := 2*i + 1
		if l >= len(p.heap) {
			break
		}
		m := l
		if r := l + 1; r < len(p.heap) && p.heapLess(r, l) {
			m = r
		}
		if !p.heapLess(m, i) {
			break
		}
		p.heapSwap(i, m)
		i = m
	}
	return i > start
}
