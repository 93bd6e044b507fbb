package rotate

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Background work on rotated files, as lumberjack's "mill": compression
// and retention. It runs in one goroutine per Writer, which Close waits
// for.
const (
	// idlePoll and idleTries bound the wait for the writers still busy
	// with a line in a rotated file before it is compressed: a live
	// writer is in the middle of one write(2).
	idlePoll  = time.Millisecond
	idleTries = 10000
	// leftoverAge is how old a file must be before a sweep takes it for
	// the leftover of a Writer that died (a rotated file it did not
	// compress, a half-written .gz).
	leftoverAge = 10 * time.Second
	// sweepEvery is the least time between two sweeps of the directory.
	sweepEvery = time.Second
	// tmpInfix marks a compressed file being written.
	tmpInfix = ".gz.tmp-"
)

type mill struct {
	w         *Writer
	kick      chan struct{} // cap 1
	mu        sync.Mutex
	jobs      []millJob
	lastSweep time.Time // only the mill's goroutine uses it
}

// millJob is a rotated file and the generation it was current in.
type millJob struct {
	name string
	gen  uint64
}

// add queues a rotated file ("" for none) and wakes the mill.
func (m *mill) add(name string, gen uint64) {
	if name != "" {
		m.mu.Lock()
		m.jobs = append(m.jobs, millJob{name, gen})
		m.mu.Unlock()
	}
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

func (m *mill) run() {
	defer m.w.wg.Done()
	for {
		select {
		case <-m.kick:
			m.once(false)
		case <-m.w.stop:
			m.once(true)
			return
		}
	}
}

// once compresses the files queued so far and sweeps the directory.
func (m *mill) once(final bool) {
	m.mu.Lock()
	jobs := m.jobs
	m.jobs = nil
	m.mu.Unlock()
	w := m.w
	if w.o.Compress {
		for _, j := range jobs {
			if m.waitIdle(j.gen) {
				if err := w.compress(j.name); err != nil {
					w.reportAsync(err)
				}
			}
		}
	}
	now := w.o.Clock()
	if final || now.Sub(m.lastSweep) >= sweepEvery || now.Before(m.lastSweep) {
		m.lastSweep = now
		for _, name := range m.sweep(now) {
			if err := w.compress(name); err != nil {
				w.reportAsync(err)
			}
		}
	}
}

// waitIdle waits until no live Writer is writing a line to generation
// gen. Once the rotation has closed gen, no Writer starts a new line in
// it: each one marks its slot busy before it reads the state word, and
// the rotation closes the state word before the mill reads the slots. It
// gives up, leaving the file to a later sweep, if a live writer stays busy
// for idleTries polls.
func (m *mill) waitIdle(gen uint64) bool {
	for range idleTries {
		if !m.w.lk.busyWith(gen) {
			return true
		}
		time.Sleep(idlePoll)
	}
	return false
}

// compress gzips name into name.gz, as lumberjack does, through a
// temporary file renamed into place when complete, so that a reader (or a
// Writer that dies) never sees a partial .gz; then removes name.
func (w *Writer) compress(name string) error {
	src, err := w.fs.OpenFile(name, os.O_RDONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // another process compressed it
	}
	if err != nil {
		return fmt.Errorf("rotate: compressing %q: %w", name, err)
	}
	defer src.Close()
	fi, err := src.Stat()
	if err != nil {
		return fmt.Errorf("rotate: compressing %q: %w", name, err)
	}
	tmp := name + tmpInfix + strconv.Itoa(os.Getpid()) + "-" + strconv.Itoa(w.lk.slot)
	dst, err := w.fs.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fi.Mode().Perm())
	if err != nil {
		return fmt.Errorf("rotate: compressing %q: %w", name, err)
	}
	gz := gzip.NewWriter(dst)
	_, err = io.Copy(gz, src)
	if cerr := gz.Close(); err == nil {
		err = cerr
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = w.fs.Rename(tmp, name+compressSuffix)
	}
	if err != nil {
		w.fs.Remove(tmp)
		return fmt.Errorf("rotate: compressing %q: %w", name, err)
	}
	if err := w.fs.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("rotate: compressing %q: %w", name, err)
	}
	return nil
}

// reportAsync reports an error of the background work.
func (w *Writer) reportAsync(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.errorf(err)
}

// rotated is a rotated file found in the directory.
type rotated struct {
	name  string // without the compression suffix
	key   time.Time
	seq   int64 // orders files of the same key
	plain bool
	gz    bool
	mod   time.Time // of the plain file, or else of the .gz
	gzMod time.Time
}

// sweep applies retention, finishes what dead Writers left (a file both
// plain and compressed, a temporary .gz) and returns the rotated files
// that should have been compressed long ago. It holds the lock so as to
// know which file is current.
func (m *mill) sweep(now time.Time) []string {
	w := m.w
	match := w.matcher()
	if match == nil {
		return nil
	}
	if err := w.lk.lock(); err != nil {
		w.reportAsync(err)
		return nil
	}
	defer w.lk.unlock()
	current := ""
	if st := w.lk.hdr.state.Load(); st>>genShift != 0 {
		current = w.lk.hdr.record().name
	}
	dir := filepath.Dir(w.path)
	entries, err := w.fs.ReadDir(dir)
	if err != nil {
		w.reportAsync(fmt.Errorf("rotate: %w", err))
		return nil
	}
	files := map[string]*rotated{}
	for _, e := range entries {
		name := e.Name()
		full := filepath.Join(dir, name)
		if i := strings.Index(name, tmpInfix); i >= 0 {
			if fi, err := e.Info(); err == nil && now.Sub(fi.ModTime()) > leftoverAge {
				w.fs.Remove(full)
			}
			continue
		}
		gz := strings.HasSuffix(name, compressSuffix)
		plainName := strings.TrimSuffix(full, compressSuffix)
		if plainName == current {
			continue
		}
		key, seq, ok := match(filepath.Base(plainName))
		if !ok {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		r := files[plainName]
		if r == nil {
			r = &rotated{name: plainName, key: key, seq: seq}
			files[plainName] = r
		}
		if gz {
			r.gz, r.gzMod = true, fi.ModTime()
			if !r.plain {
				r.mod = fi.ModTime()
			}
		} else {
			r.plain, r.mod = true, fi.ModTime()
		}
	}
	list := make([]*rotated, 0, len(files))
	for _, r := range files {
		if r.key.IsZero() {
			r.key = r.mod
		}
		list = append(list, r)
	}
	slices.SortFunc(list, func(a, b *rotated) int { // newest first
		if c := b.key.Compare(a.key); c != 0 {
			return c
		}
		return int(b.seq - a.seq)
	})
	var compress []string
	for i, r := range list {
		age := now.Sub(r.key)
		if w.o.Naming == NameStamped {
			age = now.Sub(r.mod)
		}
		old := w.o.MaxBackups > 0 && i >= w.o.MaxBackups || w.o.MaxAge > 0 && age > w.o.MaxAge
		switch {
		case old:
			w.fs.Remove(r.name)
			w.fs.Remove(r.name + compressSuffix)
		case r.plain && r.gz && now.Sub(r.gzMod) > leftoverAge:
			// A compression that died before removing the original.
			w.fs.Remove(r.name)
		case r.plain && !r.gz && w.o.Compress && now.Sub(r.mod) > leftoverAge:
			compress = append(compress, r.name)
		}
	}
	return compress
}

// matcher returns a function that recognises the base names of the
// rotated files of this log and returns their key (time) and sequence, or
// nil if the naming has no rotated files to look after.
func (w *Writer) matcher() func(string) (time.Time, int64, bool) {
	switch w.o.Naming {
	case NameBackups:
		return func(name string) (time.Time, int64, bool) {
			t, ok := backupTime(w.path, name)
			return t, 0, ok
		}
	case NameStamped:
		if strings.Contains(filepath.Dir(w.path), "%") {
			return nil
		}
		base := filepath.Base(w.path)
		var re *regexp.Regexp
		if !w.names.strftime {
			re = regexp.MustCompile(`^` + regexp.QuoteMeta(base) + `\.(-?[0-9]+)(?:\.([0-9]+))?$`)
		} else {
			var b strings.Builder
			b.WriteString("^")
			for i := 0; i < len(base); {
				if base[i] == '%' {
					j := convEnd(base, i)
					b.WriteString(".+?")
					i = j
					continue
				}
				b.WriteString(regexp.QuoteMeta(base[i : i+1]))
				i++
			}
			b.WriteString(`(?:\.([0-9]+))?$`)
			re = regexp.MustCompile(b.String())
		}
		return func(name string) (time.Time, int64, bool) {
			m := re.FindStringSubmatch(name)
			if m == nil {
				return time.Time{}, 0, false
			}
			var key time.Time // zero: by modification time
			if !w.names.strftime {
				s, err := strconv.ParseInt(m[1], 10, 64)
				if err != nil {
					return time.Time{}, 0, false
				}
				key = time.Unix(s, 0)
			}
			seq, _ := strconv.ParseInt(m[len(m)-1], 10, 64)
			return key, seq, true
		}
	}
	return nil
}
