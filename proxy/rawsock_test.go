package proxy

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// tcpPair returns both ends of a loopback TCP connection.
func tcpPair(t *testing.T) (a, b net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ch := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			ch <- nil
			return
		}
		ch <- c
	}()
	a, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	b = <-ch
	if b == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

func newRawSock(t *testing.T, nc net.Conn) *rawSock {
	t.Helper()
	rc := rawConnOf(nc)
	if rc == nil {
		t.Fatal("no raw connection for a TCP connection")
	}
	return &rawSock{rc: rc}
}

func TestRawSockReadWrite(t *testing.T) {
	a, b := tcpPair(t)
	ra, rb := newRawSock(t, a), newRawSock(t, b)

	// A write bigger than the socket buffers must wait for room and
	// still deliver every byte in order.
	want := bytes.Repeat([]byte("0123456789abcdefghijklmnopqrstu\n"), 1<<17) // 4 MiB
	done := make(chan error, 1)
	go func() {
		n, err := ra.write(want)
		if err == nil && n != len(want) {
			err = errors.New("short write")
		}
		done <- err
	}()
	got := make([]byte, 0, len(want))
	buf := make([]byte, 32<<10)
	b.SetReadDeadline(time.Now().Add(10 * time.Second))
	for len(got) < len(want) {
		n, err := rb.read(buf)
		if err != nil {
			t.Fatalf("read after %d bytes: %v", len(got), err)
		}
		got = append(got, buf[:n]...)
	}
	if err := <-done; err != nil {
		t.Fatalf("write: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("the bytes read differ from the bytes written")
	}

	// The end of the stream is io.EOF.
	a.Close()
	if n, err := rb.read(buf); n != 0 || err != io.EOF {
		t.Fatalf("read at the end: %d, %v; want 0, EOF", n, err)
	}
}

func TestRawSockReadDeadline(t *testing.T) {
	_, b := tcpPair(t)
	rb := newRawSock(t, b)
	b.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	var buf [16]byte
	_, err := rb.read(buf[:])
	if !errors.Is(err, os.ErrDeadlineExceeded) || !isTimeout(err) {
		t.Fatalf("read past the deadline: %v; want a timeout", err)
	}
}

func TestRawSockWriteThenWait(t *testing.T) {
	for _, tc := range []struct {
		name string
		size int
	}{{"one write", 100}, {"waits for room", 8 << 20}} {
		size := tc.size
		t.Run(tc.name, func(t *testing.T) {
			a, b := tcpPair(t)
			ra := newRawSock(t, a)
			req := bytes.Repeat([]byte{'q'}, size)
			// The peer reads the whole request, then answers after a while.
			go func() {
				b.SetReadDeadline(time.Now().Add(10 * time.Second))
				if _, err := io.ReadFull(b, make([]byte, size)); err != nil {
					return
				}
				time.Sleep(50 * time.Millisecond)
				b.Write([]byte("answer"))
			}()
			a.SetReadDeadline(time.Now().Add(10 * time.Second))
			start := time.Now()
			n, err := ra.writeThenWait(req)
			if err != nil || n != size {
				t.Fatalf("writeThenWait: %d, %v; want %d, nil", n, err, size)
			}
			if time.Since(start) < 40*time.Millisecond {
				t.Fatalf("writeThenWait returned after %v, before the answer was sent", time.Since(start))
			}
			// The answer is there to read.
			var buf [16]byte
			got, err := ra.read(buf[:])
			if err != nil || string(buf[:got]) != "answer" {
				t.Fatalf("read after the wait: %q, %v", buf[:got], err)
			}
		})
	}
}

func TestRawSockWriteThenWaitErrors(t *testing.T) {
	t.Run("deadline", func(t *testing.T) {
		a, _ := tcpPair(t)
		ra := newRawSock(t, a)
		a.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		if _, err := ra.writeThenWait([]byte("GET / HTTP/1.1\r\n\r\n")); err != nil {
			t.Fatalf("a wait that times out is not a write error: %v", err)
		}
		var buf [4]byte
		if _, err := ra.read(buf[:]); !isTimeout(err) {
			t.Fatalf("the read after it: %v; want a timeout", err)
		}
	})
	t.Run("peer gone", func(t *testing.T) {
		a, b := tcpPair(t)
		ra := newRawSock(t, a)
		b.Close()
		a.SetReadDeadline(time.Now().Add(5 * time.Second))
		// The first write after the peer closed succeeds (the peer answers
		// it with a reset), and the wait ends with the end of the stream.
		start := time.Now()
		if _, err := ra.writeThenWait([]byte("GET / HTTP/1.1\r\n\r\n")); err != nil {
			t.Logf("write: %v", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("the wait lasted %v: it missed the peer's end", d)
		}
		var buf [4]byte
		if n, err := ra.read(buf[:]); err == nil {
			t.Fatalf("read %d bytes from a closed peer", n)
		}
	})
}

// TestRawSockWriteThenWaitPastDeadline: when the wait cannot even start,
// the write did not happen and that is reported.
func TestRawSockWriteThenWaitPastDeadline(t *testing.T) {
	a, _ := tcpPair(t)
	ra := newRawSock(t, a)
	a.SetReadDeadline(time.Unix(1, 0))
	n, err := ra.writeThenWait([]byte("GET / HTTP/1.1\r\n\r\n"))
	if n != 0 || err == nil {
		t.Fatalf("writeThenWait past the read deadline: %d, %v; want 0 and an error", n, err)
	}
}
