//go:build linux

package proxy

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"strconv"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// acceptOne dials ln and returns both ends.
func acceptOne(t *testing.T, ln net.Listener, network, addr string) (client, server net.Conn) {
	t.Helper()
	client, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	server, err = ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close() })
	return client, server
}

// loopbackPair is one connection accepted by a raw listener on IPv4
// loopback: the client's end and the server's (a sockConn).
func loopbackPair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	ln, err := listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return acceptOne(t, ln, "tcp", ln.Addr().String())
}

// TestRawListenerAddrs: the accepted connection reports the addresses the
// client sees, reversed, on IPv4, IPv6 and wildcard listeners (where the
// local address comes from the socket, not the listener).
func TestRawListenerAddrs(t *testing.T) {
	cases := []struct {
		name, listen, dial string
	}{
		{"ipv4", "127.0.0.1:0", "127.0.0.1"},
		{"ipv4 wildcard", "0.0.0.0:0", "127.0.0.1"},
		{"ipv6", "[::1]:0", "::1"},
		{"dual-stack wildcard, ipv4 client", ":0", "127.0.0.1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// IPv6 loopback is part of the test machine: a listener on
			// [::1] that cannot be opened is a failure, not a skip.
			ln, err := listen(tc.listen)
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			if _, ok := ln.(*rawListener); !ok {
				t.Fatalf("listen returned %T; want *rawListener", ln)
			}
			port := ln.Addr().(*net.TCPAddr).Port
			client, server := acceptOne(t, ln, "tcp", net.JoinHostPort(tc.dial, strconv.Itoa(port)))
			cl := client.LocalAddr().(*net.TCPAddr).AddrPort()
			cr := client.RemoteAddr().(*net.TCPAddr).AddrPort()
			sl := server.LocalAddr().(*net.TCPAddr).AddrPort()
			sr := server.RemoteAddr().(*net.TCPAddr).AddrPort()
			if unmap(sl) != unmap(cr) || unmap(sr) != unmap(cl) {
				t.Errorf("server sees local %v remote %v; client sees local %v remote %v", sl, sr, cl, cr)
			}
			c := newConn(&Engine{}, server)
			if unmap(c.localAddr) != unmap(cr) || unmap(c.remoteAddr) != unmap(cl) {
				t.Errorf("conn addresses %v %v; want %v %v", c.localAddr, c.remoteAddr, cr, cl)
			}
		})
	}
}

func unmap(ap netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// TestRawListenerSocketOptions: accepted sockets are non-blocking (in the
// poller) and inherit TCP_NODELAY and SO_KEEPALIVE from the listener, as
// httpd's do, without per-connection settings.
func TestRawListenerSocketOptions(t *testing.T) {
	_, server := loopbackPair(t)
	rc := rawConnOf(server)
	if rc == nil {
		t.Fatal("no raw connection")
	}
	for _, o := range []struct {
		name       string
		level, opt int
	}{
		{"TCP_NODELAY", syscall.IPPROTO_TCP, syscall.TCP_NODELAY},
		{"SO_KEEPALIVE", syscall.SOL_SOCKET, syscall.SO_KEEPALIVE},
	} {
		var v int
		var gerr error
		rc.Control(func(fd uintptr) { v, gerr = syscall.GetsockoptInt(int(fd), o.level, o.opt) })
		if gerr != nil || v == 0 {
			t.Errorf("%s of an accepted connection: %d, %v; want on", o.name, v, gerr)
		}
	}
	var fl int
	rc.Control(func(fd uintptr) {
		r, _, e := syscall.RawSyscall(syscall.SYS_FCNTL, fd, syscall.F_GETFL, 0)
		if e == 0 {
			fl = int(r)
		}
	})
	if fl&syscall.O_NONBLOCK == 0 {
		t.Errorf("accepted socket flags %#x: not O_NONBLOCK", fl)
	}
}

// TestRawListenerConn: an accepted connection works as a net.Conn:
// reads, writes, deadlines, CloseWrite (the peer reads EOF) and Close.
func TestRawListenerConn(t *testing.T) {
	client, server := loopbackPair(t)

	if _, err := client.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	n, err := server.Read(buf)
	if err != nil || string(buf[:n]) != "ping" {
		t.Fatalf("server read %q, %v; want ping", buf[:n], err)
	}

	server.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	if _, err := server.Read(buf); !isTimeout(err) {
		t.Fatalf("read past its deadline: %v; want a timeout", err)
	}
	server.SetReadDeadline(time.Time{})

	if _, err := server.Write([]byte("pong")); err != nil {
		t.Fatal(err)
	}
	cw, ok := server.(interface{ CloseWrite() error })
	if !ok {
		t.Fatalf("%T has no CloseWrite", server)
	}
	if err := cw.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, err := io.ReadAll(client)
	if err != nil || string(got) != "pong" {
		t.Fatalf("client read %q, %v; want pong then EOF", got, err)
	}
	// The read side is still open after CloseWrite.
	if _, err := client.Write([]byte("more")); err != nil {
		t.Fatal(err)
	}
	n, err = server.Read(buf)
	if err != nil || string(buf[:n]) != "more" {
		t.Fatalf("server read after CloseWrite %q, %v; want more", buf[:n], err)
	}
	if err := server.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := server.Read(buf); err == nil {
		t.Fatal("read on a closed connection succeeded")
	}
}

// TestRawListenerClose: closing the listener ends an Accept that waits
// with net.ErrClosed, and the port is free again.
func TestRawListenerClose(t *testing.T) {
	ln, err := listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	done := make(chan error, 1)
	go func() {
		_, err := ln.Accept()
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	ln.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Accept after Close: %v; want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Accept still waits after Close")
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Fatal("the closed listener still accepts connections")
	}
	ln2, err := listen(addr)
	if err != nil {
		t.Fatalf("listening again on %s: %v", addr, err)
	}
	ln2.Close()
}

// TestRawListenerAcceptError: an accept4 failure other than a connection
// that went away (here: out of descriptors) is returned, not retried in
// a loop, and accepting works again once descriptors are free.
func TestRawListenerAcceptError(t *testing.T) {
	ln, err := listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatal(err)
	}
	// Use up the descriptors below a low limit, then lower the limit.
	var held []int
	defer func() {
		for _, fd := range held {
			syscall.Close(fd)
		}
	}()
	low := rl
	low.Cur = 64
	for {
		fd, err := syscall.Open("/dev/null", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		if fd >= int(low.Cur) {
			syscall.Close(fd)
			break
		}
		held = append(held, fd)
	}
	// Lowering the soft limit needs no privilege.
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Fatalf("lowering RLIMIT_NOFILE: %v", err)
	}
	_, aerr := ln.Accept()
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(aerr, syscall.EMFILE) {
		t.Fatalf("Accept with no descriptor free: %v; want EMFILE", aerr)
	}
	sc, err := ln.Accept()
	if err != nil {
		t.Fatalf("Accept once descriptors are free: %v", err)
	}
	sc.Close()
}

// TestPollFDCloseWakesReader: Close wakes a Read that waits, which
// returns net.ErrClosed, and the descriptor is closed only after the
// reader has left it: the peer then reads EOF.
func TestPollFDCloseWakesReader(t *testing.T) {
	client, server := loopbackPair(t)
	done := make(chan error, 1)
	go func() {
		var b [8]byte
		_, err := server.Read(b[:])
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	if err := server.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Read after Close: %v; want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not wake the Read")
	}
	if err := server.Close(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("second Close: %v; want net.ErrClosed", err)
	}
	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	var b [1]byte
	if _, err := client.Read(b[:]); err != io.EOF {
		t.Fatalf("peer read after Close: %v; want EOF", err)
	}
	rc, _ := server.(syscall.Conn).SyscallConn()
	if err := rc.Control(func(uintptr) {}); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Control after Close: %v; want net.ErrClosed", err)
	}
}

// TestPollFDWriteWaits: a write bigger than the socket buffers waits for
// room, honours its deadline when the peer does not read, and a reset
// peer is reported as ECONNRESET or EPIPE rather than waited on.
func TestPollFDWriteWaits(t *testing.T) {
	client, server := loopbackPair(t)
	big := make([]byte, 16<<20)
	server.SetWriteDeadline(time.Now().Add(50 * time.Millisecond))
	n, err := server.Write(big)
	if !isTimeout(err) || n == 0 || n >= len(big) {
		t.Fatalf("write to a peer that does not read: %d, %v; want part written and a timeout", n, err)
	}
	server.SetWriteDeadline(time.Time{})
	client.(*net.TCPConn).SetLinger(0)
	client.Close() // a reset
	done := make(chan error, 1)
	go func() {
		_, err := server.Write(big)
		done <- err
	}()
	select {
	case err := <-done:
		if !isReset(err) {
			t.Fatalf("write to a reset peer: %v; want ECONNRESET or EPIPE", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("write to a reset peer still waits")
	}
}

// TestDeferAccept: listeners defer accept (TCP_DEFER_ACCEPT) unless the
// site says AcceptFilter http none, also after a reload that keeps them.
func TestDeferAccept(t *testing.T) {
	site := &Site{Listen: []string{"127.0.0.1:0"}}
	e := NewEngine(site, nil)
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	defer e.Shutdown(context.Background())
	deferSecs := func() int {
		t.Helper()
		e.mu.Lock()
		defer e.mu.Unlock()
		for _, l := range e.listeners {
			rc, err := l.ln.(syscall.Conn).SyscallConn()
			if err != nil {
				t.Fatal(err)
			}
			v, gerr := 0, error(nil)
			rc.Control(func(fd uintptr) {
				v, gerr = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_DEFER_ACCEPT)
			})
			if gerr != nil {
				t.Fatal(gerr)
			}
			return v
		}
		t.Fatal("no listener")
		return 0
	}
	if v := deferSecs(); v == 0 {
		t.Error("TCP_DEFER_ACCEPT is off by default; httpd's AcceptFilter http data sets it")
	}
	// A reload with the same Listen keeps the listener.
	off := &Site{Listen: []string{"127.0.0.1:0"}, NoDeferAccept: true}
	if err := e.syncListeners(off); err != nil {
		t.Fatal(err)
	}
	if v := deferSecs(); v != 0 {
		t.Errorf("TCP_DEFER_ACCEPT = %d with AcceptFilter http none; want 0", v)
	}
}

// TestPollFDCloseRace: Close racing with reads, writes, deadlines and
// Control on the same connection. Every call returns, the calls started
// after Close fail with net.ErrClosed, and the descriptor is closed once
// the last call is out (a pollDesc closed before the poller is unblocked
// would make the runtime throw).
func TestPollFDCloseRace(t *testing.T) {
	ln, err := listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	for round := range 100 {
		client, server := acceptOne(t, ln, "tcp", ln.Addr().String())
		sc := server.(*sockConn)
		fd := sc.p.fd
		rc, _ := sc.SyscallConn()
		// A read that times out joins the poller first, as a served
		// connection has.
		server.SetReadDeadline(time.Now().Add(time.Millisecond))
		if _, err := server.Read(make([]byte, 1)); !isTimeout(err) {
			t.Fatalf("read with nothing sent: %v; want a timeout", err)
		}
		start := make(chan struct{})
		done := make(chan struct{})
		// Odd rounds have a reader blocked in the poller, which holds a
		// reference until Close wakes it; even rounds have only calls
		// that never wait, so the last reference can drop at any point
		// of Close.
		callers := []int{1, 2, 3}
		if round%2 == 1 {
			callers = append(callers, 0)
		}
		for _, i := range callers {
			go func() {
				defer func() { done <- struct{}{} }()
				<-start
				var b [64]byte
				for {
					var err error
					switch i {
					case 0:
						_, err = server.Read(b[:])
					case 1:
						_, err = server.Write(b[:])
					case 2:
						err = server.SetDeadline(time.Now().Add(time.Hour))
					case 3:
						err = rc.Control(func(uintptr) {})
					}
					if errors.Is(err, net.ErrClosed) {
						return
					}
				}
			}()
		}
		close(start)
		time.Sleep(time.Duration(round%7) * 50 * time.Microsecond)
		if err := server.Close(); err != nil {
			t.Fatal(err)
		}
		timeout := time.After(5 * time.Second)
		for range callers {
			select {
			case <-done:
			case <-timeout:
				t.Fatalf("round %d: a call still runs 5 s after Close", round)
			}
		}
		if _, _, e := syscall.RawSyscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0); e != syscall.EBADF {
			t.Fatalf("round %d: descriptor %d still open after Close and the last call (fcntl: %v)", round, fd, e)
		}
		client.Close()
	}
}

// TestSockaddrZone: an IPv6 peer with a scope (a link-local address)
// gets its interface as the zone, as apr_sockaddr_ip_get writes it
// ("fe80::1%lo"); one without keeps none. A zoned address still finds
// the virtual host of its address and matches Require ip, which compare
// the address alone.
func TestSockaddrZone(t *testing.T) {
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		t.Fatal(err)
	}
	var sa syscall.RawSockaddrAny
	p := (*syscall.RawSockaddrInet6)(unsafe.Pointer(&sa))
	p.Family = syscall.AF_INET6
	p.Addr = netip.MustParseAddr("fe80::1").As16()
	p.Port = 0x5000 // 80, in network byte order
	p.Scope_id = uint32(lo.Index)
	ap := sockaddrAddrPort(&sa)
	if got := ap.String(); got != "[fe80::1%lo]:80" {
		t.Errorf("with a scope: %s, want [fe80::1%%lo]:80", got)
	}
	p.Scope_id = 0
	if got := sockaddrAddrPort(&sa).String(); got != "[fe80::1]:80" {
		t.Errorf("without a scope: %s, want [fe80::1]:80", got)
	}

	v := &Server{Hostname: "v.test", Addrs: []VHostAddr{{Addr: netip.MustParseAddr("fe80::1"), Port: 80}}}
	site := &Site{Main: &Server{Hostname: "main.test"}, VHosts: []*Server{v}}
	if got := site.serverForAddr(ap); got != v {
		t.Errorf("zoned local address: served by %q, want v.test", got.Hostname)
	}
	ex := &exchange{useragentIP: ap.Addr().String()}
	if !ex.ipMatches([]netip.Prefix{netip.MustParsePrefix("fe80::/10")}) {
		t.Errorf("%s does not match Require ip fe80::/10", ex.useragentIP)
	}
}
