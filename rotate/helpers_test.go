package rotate

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fakeClock is an injected clock that moves only when told.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *fakeClock { return &fakeClock{t: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// dirFiles returns the log files of dir (not the lock file) with their
// content, .gz files decompressed under their own name.
func dirFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") || e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(e.Name(), ".gz") {
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("%s: %v", e.Name(), err)
			}
			if data, err = io.ReadAll(zr); err != nil {
				t.Fatalf("%s: %v", e.Name(), err)
			}
		}
		out[e.Name()] = string(data)
	}
	return out
}

func names(files map[string]string) []string {
	var n []string
	for k := range files {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// allLines returns every line of every file, sorted.
func allLines(files map[string]string) []string {
	var all []string
	for _, c := range files {
		all = append(all, strings.SplitAfter(c, "\n")...)
	}
	out := all[:0]
	for _, l := range all {
		if l != "" {
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

func numbered(prefix string, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("%s %04d\n", prefix, i))
	}
	sort.Strings(out)
	return out
}

func mustNew(t *testing.T, path string, o *Options) *Writer {
	t.Helper()
	w, err := New(path, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func writeLine(t *testing.T, w *Writer, line string) {
	t.Helper()
	if n, err := w.Write([]byte(line)); err != nil || n != len(line) {
		t.Fatalf("Write(%q) = %d, %v", line, n, err)
	}
}

// failFS is the operating system's file system with failures switched on
// and off by the test: writes fail with ENOSPC, opens for writing with
// EACCES.
type failFS struct {
	osFS
	mu        sync.Mutex
	diskFull  bool
	noOpen    bool
	failWrite int // writes that failed
}

func (f *failFS) set(diskFull, noOpen bool) {
	f.mu.Lock()
	f.diskFull, f.noOpen = diskFull, noOpen
	f.mu.Unlock()
}

func (f *failFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	f.mu.Lock()
	noOpen := f.noOpen
	f.mu.Unlock()
	if noOpen && flag&(os.O_WRONLY|os.O_RDWR) != 0 {
		return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.EACCES}
	}
	file, err := f.osFS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &failFile{File: file, fs: f}, nil
}

type failFile struct {
	File
	fs *failFS
}

func (f *failFile) Write(p []byte) (int, error) {
	f.fs.mu.Lock()
	full := f.fs.diskFull
	if full {
		f.fs.failWrite++
	}
	f.fs.mu.Unlock()
	if full {
		return 0, &fs.PathError{Op: "write", Path: "log", Err: syscall.ENOSPC}
	}
	return f.File.Write(p)
}

// crashFS makes the Writer die at a chosen step of a rotation: the step's
// file operation panics, as if the process were killed there.
type crashFS struct {
	osFS
	mu    sync.Mutex
	armed string // "rename" or "create"
}

type crash struct{}

func (c *crashFS) arm(step string) {
	c.mu.Lock()
	c.armed = step
	c.mu.Unlock()
}

func (c *crashFS) hit(step string) {
	c.mu.Lock()
	hit := c.armed == step
	if hit {
		c.armed = ""
	}
	c.mu.Unlock()
	if hit {
		panic(crash{})
	}
}

func (c *crashFS) Rename(oldpath, newpath string) error {
	c.hit("before-rename")
	err := c.osFS.Rename(oldpath, newpath)
	c.hit("after-rename")
	return err
}

func (c *crashFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	if flag&os.O_CREATE != 0 {
		c.hit("before-create")
	}
	f, err := c.osFS.OpenFile(name, flag, perm)
	if err == nil && flag&os.O_CREATE != 0 {
		c.hit("after-create")
	}
	return f, err
}
