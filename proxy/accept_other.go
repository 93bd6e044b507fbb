//go:build !linux

package proxy

import (
	"net"
	"syscall"
)

// rawListen returns ln: accepting through package net.
func rawListen(ln net.Listener) net.Listener { return ln }

// ownConn returns nc: reading and writing through package net.
func ownConn(nc net.Conn) net.Conn { return nc }

// enableInq reports false: TCP_INQ is Linux's.
func enableInq(rc syscall.RawConn) bool { return false }

// inqOf reports -1: not reported.
func inqOf(msg *syscall.Msghdr, cmsg []byte) int { return -1 }
