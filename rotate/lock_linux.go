package rotate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"unsafe"
)

// Linux's open-file-description locks (fcntl.h); the syscall package
// lacks the names.
const (
	fOFDGetlk = 36
	fOFDSetlk = 37
)

// openLock opens (creating it if needed) and maps the lock file, and
// claims a slot in it.
func openLock(path string, perm fs.FileMode) (*lockFile, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, perm)
	if err != nil {
		return nil, fmt.Errorf("rotate: lock file: %w", err)
	}
	l := &lockFile{f: f, slot: -1}
	if err := l.lock(); err != nil {
		f.Close()
		return nil, err
	}
	err = l.setUp()
	l.unlock()
	if err != nil {
		l.close()
		return nil, fmt.Errorf("rotate: lock file %q: %w", path, err)
	}
	return l, nil
}

// setUp sizes and maps the file, initialises a new or foreign one, and
// claims a slot. The flock is held.
func (l *lockFile) setUp() error {
	fi, err := l.f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() < lockSize {
		if err := l.f.Truncate(lockSize); err != nil {
			return err
		}
	}
	mem, err := syscall.Mmap(int(l.f.Fd()), 0, lockSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		return fmt.Errorf("mmap: %w", err)
	}
	l.mem = mem
	l.hdr = (*header)(unsafe.Pointer(&mem[0]))
	l.slots = (*[maxSlots]slot)(unsafe.Pointer(&mem[hdrSize]))
	if l.hdr.magic != lockMagic {
		clear(mem)
		l.hdr.magic = lockMagic
	}
	for i := range l.slots {
		lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0, Start: int64(hdrSize + i*slotSize), Len: 1}
		err := syscall.FcntlFlock(l.f.Fd(), fOFDSetlk, &lk)
		if err == nil {
			l.slot = i
			s := &l.slots[i]
			s.busy.Store(0)
			s.pid.Store(int64(os.Getpid()))
			return nil
		}
		if !errors.Is(err, syscall.EAGAIN) && !errors.Is(err, syscall.EACCES) {
			return fmt.Errorf("claiming a writer slot: %w", err)
		}
	}
	return fmt.Errorf("more than %d writers share it", maxSlots)
}

// alive reports whether the Writer that owns slot i still exists: whether
// some open file description holds its byte. Its own slot reads as dead.
func (l *lockFile) alive(i int) bool {
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0, Start: int64(hdrSize + i*slotSize), Len: 1}
	if err := syscall.FcntlFlock(l.f.Fd(), fOFDGetlk, &lk); err != nil {
		return true // cannot tell: assume the worst
	}
	return lk.Type != syscall.F_UNLCK
}

// busyWith reports whether a live Writer other than this one is in the
// middle of writing a line to generation gen.
func (l *lockFile) busyWith(gen uint64) bool {
	for i := range l.slots {
		if i != l.slot && l.slots[i].busy.Load() == gen && l.alive(i) {
			return true
		}
	}
	return false
}

// lock takes the lock file's flock. A flock belongs to the open file
// description, which the Writer and its mill share: the mutex keeps them
// from taking it "twice" and one releasing it under the other.
func (l *lockFile) lock() error {
	l.mu.Lock()
	for {
		err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_EX)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			l.mu.Unlock()
			return fmt.Errorf("rotate: flock %q: %w", l.f.Name(), err)
		}
		return nil
	}
}

func (l *lockFile) unlock() {
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.mu.Unlock()
}

// close releases the slot and the mapping. The slot's busy word is left
// as it is: its owner lock goes with the file description.
func (l *lockFile) close() error {
	if l.mem != nil {
		syscall.Munmap(l.mem)
		l.mem, l.hdr, l.slots = nil, nil, nil
	}
	return l.f.Close()
}

// pipeUnread returns how many bytes wait in the pipe f reads from.
func pipeUnread(f *os.File) int {
	var n int32
	rc, err := f.SyscallConn()
	if err != nil {
		return 0
	}
	rc.Control(func(fd uintptr) {
		syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCINQ, uintptr(unsafe.Pointer(&n)))
	})
	return int(n)
}
