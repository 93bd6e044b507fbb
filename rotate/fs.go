package rotate

import (
	"io"
	"io/fs"
	"os"
	"syscall"
)

// FS is the file system the log files live in. The zero Options use the
// operating system's; tests inject one that fails. The lock file that
// coordinates the processes is always on the operating system's file
// system, next to the log files.
type FS interface {
	// OpenFile opens a file as os.OpenFile does.
	OpenFile(name string, flag int, perm fs.FileMode) (File, error)
	Stat(name string) (fs.FileInfo, error)
	Rename(oldpath, newpath string) error
	Remove(name string) error
	Link(oldname, newname string) error
	MkdirAll(path string, perm fs.FileMode) error
	ReadDir(name string) ([]fs.DirEntry, error)
}

// File is an open log file. Write must make exactly one write(2) (or fail
// without writing): it is how a line reaches the file whole.
type File interface {
	io.Reader
	io.Writer
	io.Closer
	Stat() (fs.FileInfo, error)
}

// osFS is the operating system's file system.
type osFS struct{}

func (osFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &osFile{File: f, fd: int(f.Fd())}, nil
}

func (osFS) Stat(name string) (fs.FileInfo, error)        { return os.Stat(name) }
func (osFS) Rename(oldpath, newpath string) error         { return os.Rename(oldpath, newpath) }
func (osFS) Remove(name string) error                     { return os.Remove(name) }
func (osFS) Link(oldname, newname string) error           { return os.Link(oldname, newname) }
func (osFS) MkdirAll(path string, perm fs.FileMode) error { return os.MkdirAll(path, perm) }
func (osFS) ReadDir(name string) ([]fs.DirEntry, error)   { return os.ReadDir(name) }

// osFile writes with one write(2) per call. os.File.Write would loop on a
// short write, and the rest of the line could then land after another
// process's line.
type osFile struct {
	*os.File
	fd int
}

func (f *osFile) Write(p []byte) (int, error) {
	for {
		n, err := syscall.Write(f.fd, p)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return max(n, 0), &fs.PathError{Op: "write", Path: f.Name(), Err: err}
		}
		if n < len(p) {
			return n, io.ErrShortWrite
		}
		return n, nil
	}
}

// identity is what tells two files apart: the device and inode numbers.
type identity struct{ dev, ino uint64 }

func identityOf(fi fs.FileInfo) identity {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return identity{dev: uint64(st.Dev), ino: st.Ino}
	}
	return identity{}
}
