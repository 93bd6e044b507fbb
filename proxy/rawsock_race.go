//go:build race

package proxy

import "syscall"

// Under the race detector the reads and writes go through package
// syscall, whose Read and Write tell the detector that what one
// goroutine wrote to a descriptor happens before what another reads from
// one (as the standard library's connections do): raw system calls would
// hide that order and turn a test's hand-off over a socket into a
// reported race.

func sysRead(fd uintptr, p []byte) (int, syscall.Errno) {
	n, err := syscall.Read(int(fd), p)
	if err != nil {
		if n < 0 {
			n = 0
		}
		return n, err.(syscall.Errno)
	}
	return n, 0
}

func sysWrite(fd uintptr, p []byte) (int, syscall.Errno) {
	n, err := syscall.Write(int(fd), p)
	if err != nil {
		if n < 0 {
			n = 0
		}
		return n, err.(syscall.Errno)
	}
	return n, 0
}

// recvReportsLeft: under the race detector reads are read(2) (see
// sysRead), which reports nothing of what is left.
const recvReportsLeft = false

// sysRecv is sysRead; left is -1: not reported.
func sysRecv(fd uintptr, p []byte) (n, left int, e syscall.Errno) {
	n, e = sysRead(fd, p)
	return n, -1, e
}
