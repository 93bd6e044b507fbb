//go:build linux

package proxy

import (
	"syscall"
	"unsafe"
)

// tcpINQ is TCP_INQ (Linux 4.18): recvmsg then reports, in a control
// message, how much the socket still holds after the read.
const tcpINQ = 36

// enableInq turns TCP_INQ on for the socket of rc, a pollFD's raw
// connection (others report false).
func enableInq(rc syscall.RawConn) bool {
	prc, ok := rc.(pollRawConn)
	if !ok {
		return false
	}
	p := prc.p
	if p.incref() != nil {
		return false
	}
	defer p.decref()
	one := int32(1)
	_, _, e := syscall.RawSyscall6(syscall.SYS_SETSOCKOPT, uintptr(p.fd), syscall.SOL_TCP, tcpINQ,
		uintptr(unsafe.Pointer(&one)), 4, 0)
	return e == 0
}

// inqOf reads the TCP_INQ control message out of a recvmsg's msg, whose
// control buffer is cmsg; -1 if there is none.
func inqOf(msg *syscall.Msghdr, cmsg []byte) int {
	const hdr = int(unsafe.Sizeof(syscall.Cmsghdr{}))
	if int(msg.Controllen) < hdr+4 || len(cmsg) < hdr+4 {
		return -1
	}
	h := (*syscall.Cmsghdr)(unsafe.Pointer(&cmsg[0]))
	if h.Level != syscall.SOL_TCP || h.Type != tcpINQ || int(h.Len) < hdr+4 {
		return -1
	}
	return int(*(*int32)(unsafe.Pointer(&cmsg[hdr])))
}
