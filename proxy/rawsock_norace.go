//go:build !race

package proxy

import (
	"syscall"
	"unsafe"
)

// sysRead is read(2) without the runtime's syscall bookkeeping; p is not
// empty.
func sysRead(fd uintptr, p []byte) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	return int(n), e
}

// sysWrite is write(2) without the runtime's syscall bookkeeping; p is
// not empty.
func sysWrite(fd uintptr, p []byte) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	return int(n), e
}

// recvReportsLeft: sysRecv reports what a read left (TCP_INQ).
const recvReportsLeft = true

// sysRecv is recvmsg(2) into p (not empty) without the runtime's syscall
// bookkeeping, on a socket with TCP_INQ on. left is what the socket
// still holds after the read, as TCP_INQ reports it: the bytes waiting,
// or 1 when none wait but the peer's end of stream is yet to be read;
// -1 when the socket did not report it.
func sysRecv(fd uintptr, p []byte) (n, left int, e syscall.Errno) {
	iov := syscall.Iovec{Base: &p[0]}
	iov.SetLen(len(p))
	var cmsg [24]byte // a cmsghdr and an int, aligned
	msg := syscall.Msghdr{Iov: &iov, Iovlen: 1, Control: &cmsg[0]}
	msg.SetControllen(len(cmsg))
	r, _, e := syscall.RawSyscall(syscall.SYS_RECVMSG, fd, uintptr(unsafe.Pointer(&msg)), 0)
	return int(r), inqOf(&msg, cmsg[:]), e
}
