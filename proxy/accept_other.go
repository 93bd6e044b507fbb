//go:build !linux

package proxy

import "net"

// rawListen returns ln: accepting through package net.
func rawListen(ln net.Listener) net.Listener { return ln }
