//go:build !linux

package proxy

import (
	"errors"
	"net"
	"os"
	"syscall"
	"time"
)

// rawListen returns ln: accepting through package net.
func rawListen(ln net.Listener) net.Listener { return ln }

// ownConn returns nc: reading and writing through package net.
func ownConn(nc net.Conn) net.Conn { return nc }

// enableInq reports false: TCP_INQ is Linux's.
func enableInq(rc syscall.RawConn) bool { return false }

// inqOf reports -1: not reported.
func inqOf(msg *syscall.Msghdr, cmsg []byte) int { return -1 }

// setDeferAccept does nothing: TCP_DEFER_ACCEPT is Linux's (httpd uses
// accept filters elsewhere, which logproxy does not).
func setDeferAccept(ln net.Listener, on bool) error { return nil }

// gettid returns the process id: no portable thread id.
func gettid() int { return os.Getpid() }

// pollFD is Linux's own poller; elsewhere no connection has one, and
// pollRawConn never matches a connection's RawConn.
type pollFD struct{}

func (p *pollFD) do(mode int, f func(fd uintptr) bool) error { return errors.ErrUnsupported }
func (p *pollFD) doWithin(mode int, f func(fd uintptr) bool, d time.Duration) error {
	return errors.ErrUnsupported
}

// pollRawConn is the RawConn of a pollFD.
type pollRawConn struct{ p *pollFD }

func (rc pollRawConn) Control(f func(fd uintptr)) error    { return errors.ErrUnsupported }
func (rc pollRawConn) Read(f func(fd uintptr) bool) error  { return errors.ErrUnsupported }
func (rc pollRawConn) Write(f func(fd uintptr) bool) error { return errors.ErrUnsupported }
