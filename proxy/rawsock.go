package proxy

// Reads and writes of the hot path as non-blocking system calls made
// without the runtime's syscall bookkeeping.

import (
	"io"
	"os"
	"syscall"
	"time"
)

// rawSock reads and writes a TCP connection through its syscall.RawConn:
// the runtime poller still waits for readiness and enforces the
// connection's deadlines, and a close elsewhere still waits for the call
// in progress, but the read(2) and write(2) themselves are made with
// syscall.RawSyscall. A socket in non-blocking mode never blocks in
// them, so the entersyscall/exitsyscall pair (and the scheduler's habit of
// handing the P to another thread when a "syscall" is preempted by the
// peer it just woke on the same core) is pure cost on this path.
//
// Set rc (see rawConnOf) before use. A rawSock is used by one goroutine
// at a time.
type rawSock struct {
	rc syscall.RawConn

	readFn  func(fd uintptr) bool
	writeFn func(fd uintptr) bool
	waitFn  func(fd uintptr) bool

	buf   []byte
	n     int
	err   error
	first bool // waitFn: the first call, which writes

	// drained: the last read left the socket's receive queue empty, with
	// no end of stream waiting either. With a readWaiter (a pollFD), the
	// next read waits for readiness first instead of calling recvmsg(2)
	// to meet EAGAIN, as nginx does: any byte or end of stream that
	// arrives since raises the edge-triggered readiness, so none is
	// missed, and a readiness left from bytes already read costs one
	// EAGAIN as before.
	//
	// A short read does not tell this: a peer's FIN that came with the
	// bytes read has raised its readiness already (the wait before the
	// read took it), so a wait after the read would miss it, a client's
	// half-close or a backend's end of a read-to-close body. TCP_INQ
	// tells it: recvmsg reports what the socket still holds, 1 for an
	// end of stream not yet read. It is turned on after a socket's second
	// read that brought bytes: a connection that serves one request pays
	// nothing for it, not even when its client closes instead of saying
	// Connection: close.
	drained bool
	reads   uint8 // reads that brought bytes, counted up to 2; 3 once TCP_INQ was tried
	inq     bool  // TCP_INQ is on: reads report what is left (left)
	left    int
}

// readWaiter is a syscall.RawConn that can wait for readability without
// a read first (pollRawConn).
type readWaiter interface {
	waitRead() error
}

// rawConnOf returns the raw connection of nc (a connection or a
// listener), or nil.
func rawConnOf(nc any) syscall.RawConn {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// read reads into p once, as net.Conn's Read.
func (s *rawSock) read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if s.drained {
		if w, ok := s.rc.(readWaiter); ok {
			if err := w.waitRead(); err != nil {
				s.drained = false
				return 0, err
			}
		}
	}
	if s.reads == 2 {
		s.reads = 3
		if recvReportsLeft {
			s.inq = enableInq(s.rc)
		}
	}
	s.buf, s.n, s.err, s.left = p, 0, nil, -1
	var err error
	if prc, ok := s.rc.(pollRawConn); ok {
		err = prc.p.do('r', s.doRead) // the method value stays on the stack
	} else {
		if s.readFn == nil {
			s.readFn = s.doRead
		}
		err = s.rc.Read(s.readFn)
	}
	s.buf = nil
	if err != nil {
		s.drained = false
		return 0, err
	}
	if s.n > 0 && s.reads < 2 {
		s.reads++
	}
	s.drained = s.err == nil && s.left == 0
	return s.n, s.err
}

func (s *rawSock) doRead(fd uintptr) bool {
	for {
		var n int
		var e syscall.Errno
		if s.inq {
			n, s.left, e = sysRecv(fd, s.buf)
		} else {
			n, e = sysRead(fd, s.buf)
		}
		switch e {
		case 0:
			s.n = n
			if n == 0 {
				s.err = io.EOF
			}
			return true
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		}
		s.err = os.NewSyscallError("read", e)
		return true
	}
}

// write writes all of p, as net.Conn's Write.
func (s *rawSock) write(p []byte) (int, error) { return s.writeWithin(p, 0) }

// writeWithin is write with each wait for room limited to d from its
// start (d > 0) on a pollFD socket; on others the caller's deadline
// holds.
func (s *rawSock) writeWithin(p []byte, d time.Duration) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	s.buf, s.n, s.err = p, 0, nil
	var err error
	if prc, ok := s.rc.(pollRawConn); ok {
		err = prc.p.doWithin('w', s.doWrite, d)
	} else {
		if s.writeFn == nil {
			s.writeFn = s.doWrite
		}
		err = s.rc.Write(s.writeFn)
	}
	s.buf = nil
	if err == nil {
		err = s.err
	}
	return s.n, err
}

// doWrite writes what is left of s.buf; it asks to wait for room when
// the socket's buffer is full.
func (s *rawSock) doWrite(fd uintptr) bool {
	for s.n < len(s.buf) {
		b := s.buf[s.n:]
		n, e := sysWrite(fd, b)
		switch e {
		case 0:
			s.n += n
			continue
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		}
		s.err = os.NewSyscallError("write", e)
		return true
	}
	return true
}

// writeThenWait writes all of p and then waits until the connection is
// readable (bytes, the end of the stream or an error wait to be read),
// or its read deadline passes, without reading: the read that follows
// finds its bytes at once. This saves the read(2) that would fail with
// EAGAIN between a request and its answer.
//
// It is correct only when nothing can arrive before p is written (a
// backend connection checked idle, with a request to send): the wait
// starts before the write, so no readiness that the write provokes is
// missed. A write error is returned as such; a failed wait is not an
// error here (the read that follows meets it).
func (s *rawSock) writeThenWait(p []byte) (int, error) {
	if s.waitFn == nil {
		s.waitFn = s.doWriteThenWait
		s.writeFn = s.doWrite
	}
	s.buf, s.n, s.err, s.first = p, 0, nil, true
	// The wait consumes the readiness the answer raises: the read that
	// follows must read, not wait for another edge.
	s.drained = false
	rerr := s.rc.Read(s.waitFn)
	n, err := s.n, s.err
	if err == nil && s.first {
		// The read never started (closed, or its deadline already
		// passed): nothing was written, which is the write's failure.
		err = rerr
		if err == nil {
			err = io.ErrShortWrite
		}
	}
	s.buf = nil
	return n, err
}

func (s *rawSock) doWriteThenWait(fd uintptr) bool {
	if !s.first {
		return true // readable (or the deadline passed): the wait is over
	}
	s.first = false
	if s.doWrite(fd) {
		// All written: wait. A write error ends the call.
		return s.err != nil
	}
	// The socket's buffer is full: finish the write the blocking way (a
	// different lock from the read this runs in), then wait.
	err := s.rc.Write(s.writeFn)
	if err == nil {
		err = s.err
	}
	if err != nil {
		s.err = err
		return true
	}
	return false
}
