//go:build linux && !race

package proxy

// The drained reads of rawSock, which only the build without the race
// detector makes (under it reads are read(2), which reports nothing of
// what is left; see rawsock_race.go). make test runs this package both
// ways.

import (
	"io"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// drainedPair is an accepted connection (server, a pollFD) with its
// rawSock past the reads after which TCP_INQ is on, and the client.
func drainedPair(t *testing.T) (client, server net.Conn, rs *rawSock) {
	t.Helper()
	client, server = loopbackPair(t)
	rs = newRawSock(t, server)
	if _, ok := rs.rc.(readWaiter); !ok {
		t.Fatalf("%T cannot wait without reading", rs.rc)
	}
	buf := make([]byte, 64)
	for i := range 3 {
		client.Write([]byte("warm-up"))
		server.SetReadDeadline(time.Now().Add(5 * time.Second))
		if n, err := rs.read(buf); err != nil || string(buf[:n]) != "warm-up" {
			t.Fatalf("warm-up read %d: %q, %v", i, buf[:n], err)
		}
	}
	if !rs.inq {
		t.Fatal("TCP_INQ is not on after three reads")
	}
	return client, server, rs
}

// TestRawSockWaitsAfterDrainingRead: after a read that emptied the
// socket, the next read waits for readiness without a read first, and
// still gets every byte: bytes sent before the wait began and bytes sent
// during it.
func TestRawSockWaitsAfterDrainingRead(t *testing.T) {
	client, server, rs := drainedPair(t)
	buf := make([]byte, 64)
	for i, when := range []string{"before", "during", "before", "during"} {
		msg := []byte("message " + strconv.Itoa(i))
		if when == "before" {
			client.Write(msg)
			time.Sleep(10 * time.Millisecond)
		} else {
			go func() {
				time.Sleep(20 * time.Millisecond)
				client.Write(msg)
			}()
		}
		server.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := rs.read(buf)
		if err != nil || string(buf[:n]) != string(msg) {
			t.Fatalf("read %d (sent %s the wait): %q, %v; want %q", i, when, buf[:n], err, msg)
		}
		if !rs.drained {
			t.Fatalf("read %d emptied the socket but is not marked drained", i)
		}
	}
	// A read that leaves bytes behind is not drained.
	client.Write([]byte("0123456789"))
	time.Sleep(10 * time.Millisecond)
	if n, err := rs.read(buf[:4]); err != nil || n != 4 || rs.drained {
		t.Fatalf("read of 4 of 10 bytes: %d, %v, drained %v; want 4, not drained", n, err, rs.drained)
	}
	if n, err := rs.read(buf); err != nil || string(buf[:n]) != "456789" {
		t.Fatalf("read of the rest: %q, %v", buf[:n], err)
	}
	// A deadline ends the wait.
	server.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	if _, err := rs.read(buf); !isTimeout(err) {
		t.Fatalf("drained read past its deadline: %v; want a timeout", err)
	}
}

// TestRawSockEndOfStreamWithBytes: a peer's FIN that arrives with its
// last bytes raises one readiness, which the wait before the read takes.
// The read of the bytes must not count as drained, or the next read
// would wait for an edge that never comes (a client's half-close after
// its request, a backend's end of a read-to-close body): it gets the end
// of the stream at once.
func TestRawSockEndOfStreamWithBytes(t *testing.T) {
	for _, when := range []string{"before", "during"} {
		t.Run("sent "+when+" the wait", func(t *testing.T) {
			client, server, rs := drainedPair(t)
			if !rs.drained {
				t.Fatal("the warm-up read did not drain the socket")
			}
			// Corked, the bytes go out with the FIN in one segment:
			// otherwise the read may come between them, and rightly
			// find the socket drained.
			rc, _ := client.(*net.TCPConn).SyscallConn()
			rc.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_TCP, syscall.TCP_CORK, 1) })
			send := func() {
				client.Write([]byte("last"))
				client.(*net.TCPConn).CloseWrite()
			}
			if when == "before" {
				send()
				time.Sleep(20 * time.Millisecond)
			} else {
				go func() {
					time.Sleep(20 * time.Millisecond)
					send()
				}()
			}
			buf := make([]byte, 64)
			server.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, err := rs.read(buf)
			if err != nil || string(buf[:n]) != "last" {
				t.Fatalf("read: %q, %v; want \"last\"", buf[:n], err)
			}
			if rs.drained {
				t.Fatal("a read with the end of the stream behind it is marked drained")
			}
			if n, err := rs.read(buf); n != 0 || err != io.EOF {
				t.Fatalf("read after the last bytes: %d, %v; want the end of the stream", n, err)
			}
		})
	}
}

// TestRawSockInqAfterTwoReads: a connection's first two reads are plain
// reads, and TCP_INQ comes on at the third when both brought bytes: a
// connection that serves one request makes no setsockopt, also when its
// client closes instead of sending Connection: close (the second read
// brings the end of the stream, no bytes).
func TestRawSockInqAfterTwoReads(t *testing.T) {
	client, server := loopbackPair(t)
	rs := newRawSock(t, server)
	buf := make([]byte, 64)
	for i, wantInq := range []bool{false, false, true, true} {
		client.Write([]byte("x"))
		server.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := rs.read(buf); err != nil {
			t.Fatal(err)
		}
		if rs.inq != wantInq || rs.drained != wantInq {
			t.Fatalf("after read %d: inq %v, drained %v; want %v", i+1, rs.inq, rs.drained, wantInq)
		}
	}

	client, server = loopbackPair(t)
	rs = newRawSock(t, server)
	client.Write([]byte("one request"))
	client.Close()
	server.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := rs.read(buf); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if n, err := rs.read(buf); n != 0 || err != io.EOF {
			t.Fatalf("read after the close: %d, %v; want the end of the stream", n, err)
		}
	}
	if rs.inq || rs.reads != 1 {
		t.Fatalf("one read with bytes, then the end: inq %v after %d reads with bytes; want off after 1", rs.inq, rs.reads)
	}
}
