//go:build linux

package proxy

// Accepting connections with accept4(2) made without the runtime's
// syscall bookkeeping.

import (
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// rawListener accepts TCP connections the way nginx does: one accept4(2)
// that returns a non-blocking socket, and nothing else. Package net's
// Accept adds getsockname(2) and setsockopt(TCP_NODELAY) for every
// connection, and makes all three calls through the runtime's syscall
// entry, which wakes the runtime's monitor thread when the process was
// idle; under a new connection per request that cost more CPU than the
// proxying. The listening socket has TCP_NODELAY (see listen) and the
// connections inherit it; the local address is the listener's unless the
// listener is on a wildcard address.
//
// The listening socket is held as an *os.File in the runtime poller (a
// *net.TCPListener's RawConn cannot wait for readability); accepted
// sockets are pollFDs, so that no call on them enters the runtime's
// syscall state either.
type rawListener struct {
	f        *os.File
	rc       syscall.RawConn
	addr     net.Addr
	local    netip.AddrPort // the listener's address
	wildcard bool           // local has an unspecified IP: ask the socket

	// Accept is called by one goroutine at a time (acceptLoop).
	fn    func(fd uintptr) bool
	nfd   int
	sa    syscall.RawSockaddrAny
	salen uint32
	err   error
}

// rawListen returns a rawListener that takes over ln's socket, or ln
// itself when that is not possible.
func rawListen(ln net.Listener) net.Listener {
	tl, ok := ln.(*net.TCPListener)
	if !ok {
		return ln
	}
	la, ok := tl.Addr().(*net.TCPAddr)
	if !ok {
		return ln
	}
	// File duplicates the descriptor; the duplicate shares the socket
	// and its O_NONBLOCK, and os.NewFile puts it in the poller.
	f, err := tl.File()
	if err != nil {
		return ln
	}
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return ln
	}
	l := &rawListener{f: f, rc: rc, addr: la, local: la.AddrPort()}
	l.wildcard = !l.local.Addr().IsValid() || l.local.Addr().IsUnspecified()
	l.fn = l.doAccept
	ln.Close() // the socket stays open through f
	return l
}

func (l *rawListener) Addr() net.Addr { return l.addr }
func (l *rawListener) Close() error   { return l.f.Close() }

// SyscallConn returns the listening socket's raw connection.
func (l *rawListener) SyscallConn() (syscall.RawConn, error) { return l.rc, nil }

// Accept waits for and accepts one connection. The error is net.ErrClosed
// once the listener is closed.
func (l *rawListener) Accept() (net.Conn, error) {
	l.nfd, l.err = -1, nil
	if err := l.rc.Read(l.fn); err != nil {
		// The descriptor was closed (there is no deadline).
		return nil, net.ErrClosed
	}
	if l.err != nil {
		return nil, os.NewSyscallError("accept4", l.err)
	}
	remote := sockaddrAddrPort(&l.sa)
	local := l.local
	if l.wildcard {
		var sa syscall.RawSockaddrAny
		n := uint32(unsafe.Sizeof(sa))
		if _, _, e := syscall.RawSyscall(syscall.SYS_GETSOCKNAME, uintptr(l.nfd), uintptr(unsafe.Pointer(&sa)), uintptr(unsafe.Pointer(&n))); e == 0 {
			local = sockaddrAddrPort(&sa)
		}
	}
	return newSockConn(l.nfd, local, remote), nil
}

func (l *rawListener) doAccept(fd uintptr) bool {
	for {
		l.salen = uint32(unsafe.Sizeof(l.sa))
		nfd, _, e := syscall.RawSyscall6(syscall.SYS_ACCEPT4, fd, uintptr(unsafe.Pointer(&l.sa)), uintptr(unsafe.Pointer(&l.salen)),
			syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0, 0)
		switch e {
		case 0:
			l.nfd = int(nfd)
			return true
		case syscall.EAGAIN:
			return false
		case syscall.EINTR, syscall.ECONNABORTED:
			// A connection reset before it was accepted: take the next.
			continue
		default:
			l.err = e
			return true
		}
	}
}

// ownConn takes a dialed *net.TCPConn's socket over as a sockConn, whose
// reads and writes skip internal/poll's locking and the runtime's
// syscall entry, as accepted connections do. It costs a dup and a close
// once per connection; a backend connection serves many requests. Any
// other net.Conn, or a failure, leaves nc as it is.
func ownConn(nc net.Conn) net.Conn {
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		return nc
	}
	la, ok1 := tc.LocalAddr().(*net.TCPAddr)
	ra, ok2 := tc.RemoteAddr().(*net.TCPAddr)
	rc, err := tc.SyscallConn()
	if !ok1 || !ok2 || err != nil {
		return nc
	}
	nfd := -1
	if err := rc.Control(func(fd uintptr) {
		// The duplicate shares the socket and its O_NONBLOCK.
		r, _, e := syscall.RawSyscall(syscall.SYS_FCNTL, fd, syscall.F_DUPFD_CLOEXEC, 0)
		if e == 0 {
			nfd = int(r)
		}
	}); err != nil || nfd < 0 {
		return nc
	}
	tc.Close() // the socket stays open through nfd
	return newSockConn(nfd, la.AddrPort(), ra.AddrPort())
}

// sockaddrAddrPort decodes an IPv4 or IPv6 socket address.
func sockaddrAddrPort(sa *syscall.RawSockaddrAny) netip.AddrPort {
	switch sa.Addr.Family {
	case syscall.AF_INET:
		p := (*syscall.RawSockaddrInet4)(unsafe.Pointer(sa))
		port := (*[2]byte)(unsafe.Pointer(&p.Port))
		return netip.AddrPortFrom(netip.AddrFrom4(p.Addr), uint16(port[0])<<8|uint16(port[1]))
	case syscall.AF_INET6:
		p := (*syscall.RawSockaddrInet6)(unsafe.Pointer(sa))
		port := (*[2]byte)(unsafe.Pointer(&p.Port))
		a := netip.AddrFrom16(p.Addr)
		if p.Scope_id != 0 {
			// A link-local peer: httpd (apr_sockaddr_ip_get) logs the
			// address with its interface, "fe80::1%eth0".
			a = a.WithZone(zoneName(int(p.Scope_id)))
		}
		return netip.AddrPortFrom(a, uint16(port[0])<<8|uint16(port[1]))
	}
	return netip.AddrPort{}
}

// sockConn is an accepted TCP connection: a net.Conn with CloseWrite and
// SyscallConn, as a *net.TCPConn, on a pollFD.
type sockConn struct {
	p             *pollFD // &pd
	pd            pollFD
	local, remote netip.AddrPort
}

// newSockConn makes the connection of the non-blocking socket fd, with
// its pollFD in the same allocation.
func newSockConn(fd int, local, remote netip.AddrPort) *sockConn {
	c := &sockConn{local: local, remote: remote}
	c.pd.fd = fd
	c.p = &c.pd
	return c
}

// Read and Write go through pollFD.do, as the raw connection's calls do;
// their closures stay on the stack (do keeps no reference).
func (c *sockConn) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	var n int
	var err error
	if perr := c.p.do('r', func(fd uintptr) bool {
		for {
			m, e := sysRead(fd, b)
			switch e {
			case 0:
				n = m
				if m == 0 {
					err = io.EOF
				}
				return true
			case syscall.EINTR:
				continue
			case syscall.EAGAIN:
				return false
			}
			err = os.NewSyscallError("read", e)
			return true
		}
	}); perr != nil {
		return 0, perr
	}
	return n, err
}

func (c *sockConn) Write(b []byte) (int, error) {
	done := 0
	var err error
	perr := c.p.do('w', func(fd uintptr) bool {
		for done < len(b) {
			m, e := sysWrite(fd, b[done:])
			switch e {
			case 0:
				done += m
				continue
			case syscall.EINTR:
				continue
			case syscall.EAGAIN:
				return false
			}
			err = os.NewSyscallError("write", e)
			return true
		}
		return true
	})
	if perr != nil {
		return done, perr
	}
	return done, err
}

func (c *sockConn) Close() error                       { return c.p.Close() }
func (c *sockConn) SetDeadline(t time.Time) error      { return c.p.setDeadline(t, 'r'+'w') }
func (c *sockConn) SetReadDeadline(t time.Time) error  { return c.p.setDeadline(t, 'r') }
func (c *sockConn) SetWriteDeadline(t time.Time) error { return c.p.setDeadline(t, 'w') }
func (c *sockConn) LocalAddr() net.Addr                { return net.TCPAddrFromAddrPort(c.local) }
func (c *sockConn) RemoteAddr() net.Addr               { return net.TCPAddrFromAddrPort(c.remote) }

func (c *sockConn) addrPorts() (local, remote netip.AddrPort) { return c.local, c.remote }

// SyscallConn returns the connection's raw connection.
func (c *sockConn) SyscallConn() (syscall.RawConn, error) { return pollRawConn{c.p}, nil }

// CloseWrite shuts down the sending side, as (*net.TCPConn).CloseWrite.
func (c *sockConn) CloseWrite() error {
	var e syscall.Errno
	if err := (pollRawConn{c.p}).Control(func(fd uintptr) {
		_, _, e = syscall.RawSyscall(syscall.SYS_SHUTDOWN, fd, syscall.SHUT_WR, 0)
	}); err != nil {
		return err
	}
	if e != 0 {
		return os.NewSyscallError("shutdown", e)
	}
	return nil
}

// setDeferAccept sets or clears TCP_DEFER_ACCEPT on a listener, as httpd's
// ap_apply_accept_filter does with its 30 seconds: the kernel holds a new
// connection until its first bytes arrive (or the time passes), so that
// accepting it is followed by a read that finds the request.
func setDeferAccept(ln net.Listener, on bool) error {
	rc := rawConnOf(ln)
	if rc == nil {
		return nil
	}
	secs := 0
	if on {
		secs = 30
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_DEFER_ACCEPT, secs)
	}); err != nil {
		return err
	}
	return serr
}

// gettid is the thread id httpd logs (%{tid}P, [tid ...] in the error log).
func gettid() int { return syscall.Gettid() }

// zoneNames caches interface names by index for zoneName, each for a
// minute (as package net's zone cache), so that a link-local peer costs
// no interface lookup per connection.
var zoneNames sync.Map // int -> zoneEntry

type zoneEntry struct {
	name string
	at   time.Time
}

// zoneName returns the name of the interface with index i, or the index
// in decimal when it has none (as if_indextoname's caller falls back to).
func zoneName(i int) string {
	if e, ok := zoneNames.Load(i); ok && time.Since(e.(zoneEntry).at) < time.Minute {
		return e.(zoneEntry).name
	}
	name := strconv.Itoa(i)
	if ifc, err := net.InterfaceByIndex(i); err == nil {
		name = ifc.Name
	}
	zoneNames.Store(i, zoneEntry{name: name, at: time.Now()})
	return name
}
