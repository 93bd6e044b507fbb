package rotate

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ErrClosed is returned by a Writer's methods after Close.
var ErrClosed = errors.New("rotate: writer closed")

// maxTries bounds how often one Write goes back to the lock file because
// other processes keep filling or rotating the file under it.
const maxTries = 8

// Writer appends lines to a log file that any number of Writers, in this
// process and in others, share and rotate together. Its methods are safe
// for concurrent use.
type Writer struct {
	path  string // the log's path or strftime pattern, absolute or as given
	o     Options
	fs    FS
	loc   *time.Location
	names *nameFormat // NameStamped
	lk    *lockFile

	mu        sync.Mutex
	closed    bool
	f         File
	name      string   // of f
	fid       identity // of f
	gen       uint64   // the generation f belongs to
	periodEnd int64    // when the period of f ends, Unix nanoseconds

	lost    atomic.Int64
	reports lossReport

	mill *mill
	stop chan struct{}
	wg   sync.WaitGroup // the mill, the -c ticker and post-rotate programs
}

// reason is why a new file is opened; the texts are rotatelogs -v's where
// it has them.
type reason uint8

const (
	reasonNew    reason = iota + 1 // no file yet
	reasonResume                   // a rotation was interrupted
	reasonReopen                   // the file was moved or removed by someone else
	reasonTime
	reasonSize
)

var reasonText = [...]string{
	reasonNew:    "Open a new file",
	reasonResume: "Finish an interrupted rotation",
	reasonReopen: "Log file moved away",
	reasonTime:   "Time interval expired",
	reasonSize:   "Maximum size reached",
}

// New returns a Writer for the log at path (a strftime pattern for
// NameStamped). Nil opts means the zero Options. It opens the lock file at
// once, and the log file at the first line unless ForceOpen is set.
func New(path string, opts *Options) (*Writer, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if path == "" {
		return nil, errors.New("rotate: empty log file name")
	}
	if o.Dir != "" {
		path = inDir(o.Dir, path)
		if o.Link != "" {
			o.Link = inDir(o.Dir, o.Link)
		}
	}
	if err := o.check(path); err != nil {
		return nil, err
	}
	if o.Mode == 0 {
		o.Mode = defaultMode
	}
	if o.ReportInterval <= 0 {
		o.ReportInterval = defaultReportInterval
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	w := &Writer{path: path, o: o, fs: o.FS, loc: o.Location, stop: make(chan struct{}),
		reports: lossReport{target: path, errorLog: o.ErrorLog, interval: o.ReportInterval}}
	if w.fs == nil {
		w.fs = osFS{}
	}
	if w.loc == nil {
		w.loc = time.UTC
	}
	if o.Naming == NameStamped {
		nf, err := compileName(path, w.loc)
		if err != nil {
			return nil, fmt.Errorf("rotate: %q: %w", path, err)
		}
		w.names = nf
	}
	lockPath := o.LockFile
	if lockPath == "" {
		lockPath = lockPathFor(path)
	} else if o.Dir != "" {
		lockPath = inDir(o.Dir, lockPath)
	}
	if o.MakeDirs {
		if err := os.MkdirAll(filepath.Dir(lockPath), 0o755); err != nil {
			return nil, fmt.Errorf("rotate: %w", err)
		}
	}
	lk, err := openLock(lockPath, o.Mode)
	if err != nil {
		return nil, err
	}
	w.lk = lk
	if (o.Compress || o.MaxBackups > 0 || o.MaxAge > 0) && (o.Naming == NameBackups || o.Naming == NameStamped) {
		w.mill = &mill{w: w, kick: make(chan struct{}, 1)}
		w.wg.Add(1)
		go w.mill.run()
	}
	if o.CreateEmpty && o.Interval > 0 {
		w.wg.Add(1)
		go w.ticker()
	}
	if o.ForceOpen {
		if err := w.Check(); err != nil {
			w.Close()
			return nil, err
		}
	}
	return w, nil
}

// check refuses options New cannot follow.
func (o *Options) check(path string) error {
	switch {
	case o.MaxSize < 0:
		return fmt.Errorf("rotate: %q: negative MaxSize %d", path, o.MaxSize)
	case o.Interval < 0:
		return fmt.Errorf("rotate: %q: negative Interval %v", path, o.Interval)
	case o.Naming > NameTruncate:
		return fmt.Errorf("rotate: %q: unknown Naming %d", path, o.Naming)
	case o.Naming == NameNumbered && o.Files < 1:
		return fmt.Errorf("rotate: %q: NameNumbered needs Files of 1 or more, not %d", path, o.Files)
	case (o.Naming == NameNumbered || o.Naming == NameTruncate) && strings.Contains(path, "%"):
		return fmt.Errorf("rotate: %q: a strftime pattern needs NameStamped", path)
	}
	return nil
}

func inDir(dir, path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(dir, path)
}

// lockPathFor names the lock file of a log: .NAME.rotate beside it, or for a
// pattern with conversions in its directories, in the last directory
// before them, named after the rest of the pattern.
func lockPathFor(path string) string {
	dir, base := filepath.Split(path)
	if strings.Contains(dir, "%") {
		i := strings.Index(path, "%")
		j := strings.LastIndex(path[:i], "/")
		dir, base = path[:j+1], strings.ReplaceAll(path[j+1:], "/", "_")
	}
	return filepath.Join(dir, "."+base+".rotate")
}

// Write writes p, one line, to the current file with one write(2), after
// rotating if p would not fit in it or its period is over.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return 0, ErrClosed
	}
	// The clock is read only where time rotates the file: it costs as
	// much as a tenth of the write.
	var now time.Time
	if w.o.Interval > 0 {
		now = w.o.Clock()
	}
	n, err := w.write(p, now)
	if w.o.Echo != nil {
		w.o.Echo.Write(p)
	}
	if err != nil {
		w.lost.Add(1)
		if w.o.ErrorLog == nil {
			return n, err
		}
		w.reports.lost(w.o.Clock(), err)
		return len(p), nil
	}
	if w.reports.failing {
		w.reports.ok(w.o.Clock())
	}
	return n, nil
}

func (w *Writer) write(p []byte, now time.Time) (int, error) {
	size := int64(len(p))
	if w.f != nil && (w.o.Interval <= 0 || now.UnixNano() < w.periodEnd) {
		if ok, n, err := w.tryWrite(p, size); ok {
			return n, err
		}
	}
	for range maxTries {
		ok, n, err := w.sync(p, size)
		if ok || err != nil {
			return n, err
		}
	}
	return 0, fmt.Errorf("rotate: %q: other processes rotated it %d times in a row", w.path, maxTries)
}

// tryWrite writes p if the file this Writer has open is still the current
// one and has room for it. It reports false, having written nothing, if
// not.
func (w *Writer) tryWrite(p []byte, size int64) (bool, int, error) {
	h := w.lk.hdr
	var s *slot
	if w.o.Compress {
		// Marked before the state is read, for mill.waitIdle; only
		// compression needs to know, and all Writers of a log compress
		// or none.
		s = w.lk.mine()
		s.busy.Store(w.gen)
	}
	for {
		st := h.state.Load()
		ok := st>>genShift == w.gen && st&closedBit == 0
		if ok && w.o.MaxSize > 0 {
			used := int64(st & usedMask)
			if used > 0 && used+size > w.o.MaxSize {
				ok = false
			} else if !h.state.CompareAndSwap(st, st&^usedMask|uint64(min(used+size, usedMask))) {
				continue // another line took its room first
			}
		}
		if !ok {
			if s != nil {
				s.busy.Store(0)
			}
			return false, 0, nil
		}
		break
	}
	n, err := w.f.Write(p)
	if s != nil {
		s.busy.Store(0)
	}
	return true, n, err
}

// sync brings this Writer up to date under the lock, rotating if needed,
// and then tries to write p.
func (w *Writer) sync(p []byte, size int64) (bool, int, error) {
	if err := w.lk.lock(); err != nil {
		return false, 0, err
	}
	defer w.lk.unlock()
	if err := w.reconcile(w.o.Clock(), size); err != nil {
		return false, 0, err
	}
	return w.tryWrite(p, size)
}

// Check rotates if the period is over and opens the current file,
// creating it if needed. It is how a Writer notices at once that the log
// file was moved away by another program (an external logrotate, before a
// graceful restart), rather than at its next rotation.
func (w *Writer) Check() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	if err := w.lk.lock(); err != nil {
		return err
	}
	defer w.lk.unlock()
	return w.reconcile(w.o.Clock(), 0)
}

// reconcile decides, under the lock, whether the log needs a new file for
// a line of size bytes at now, and opens the current file. It re-reads
// nothing from this Writer's past: the lock file and the file system say
// it all, so a Writer that died half way through a rotation leaves nothing
// that the next one cannot finish.
func (w *Writer) reconcile(now time.Time, size int64) error {
	h := w.lk.hdr
	st := h.state.Load()
	switch {
	case st>>genShift == 0:
		return w.rotate(now, size, reasonNew, st)
	case st&closedBit != 0:
		return w.rotate(now, size, reasonResume, st)
	}
	rec := h.record()
	if fi, err := w.fs.Stat(rec.name); err != nil || identityOf(fi) != rec.id {
		return w.rotate(now, size, reasonReopen, st)
	}
	if w.o.Interval > 0 && w.periodOf(now) > rec.period {
		return w.rotate(now, size, reasonTime, st)
	}
	if used := int64(st & usedMask); w.o.MaxSize > 0 && used > 0 && used+size > w.o.MaxSize {
		return w.rotate(now, size, reasonSize, st)
	}
	if w.f == nil || w.fid != rec.id {
		f, err := w.fs.OpenFile(rec.name, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return fmt.Errorf("rotate: could not reopen log file %q: %w", rec.name, err)
		}
		w.setFile(f, rec.name, rec.id)
	}
	w.gen = st >> genShift
	w.periodEnd = w.endOf(rec.period, now)
	return nil
}

// target is the file a rotation opens.
type target struct {
	name    string
	seq     int64
	trunc   bool
	backup  string // NameBackups: where the current file is renamed to
	retired string // the file that is done with, to compress
}

// rotate opens a new current file and publishes it to the other Writers.
// The lock is held.
func (w *Writer) rotate(now time.Time, size int64, why reason, st uint64) error {
	h := w.lk.hdr
	gen := st >> genShift
	var old record
	if gen != 0 {
		old = h.record()
		// No new line goes to the old file from here on.
		for st&closedBit == 0 && !h.state.CompareAndSwap(st, st|closedBit) {
			st = h.state.Load()
		}
	}
	w.verbosef("File rotation needed, reason: %s\n", reasonText[why])
	var period int64
	if w.o.Interval > 0 {
		period = w.periodOf(now)
	}
	var t target
	switch w.o.Naming {
	case NameBackups:
		t = w.targetBackups(now, size, why, old)
	case NameStamped:
		t = w.targetStamped(now, size, why, gen != 0, old, period)
	case NameNumbered:
		t = w.targetNumbered(size, why, gen != 0, old)
	case NameTruncate:
		t = target{name: w.path, trunc: why != reasonReopen}
	}
	if t.backup != "" {
		if err := w.fs.Rename(w.path, t.backup); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("rotate: could not rename log file: %w", err)
		}
	}
	if w.o.MakeDirs {
		if dir := filepath.Dir(t.name); dir != "" {
			w.verbosef("Creating directory tree %s\n", dir)
			if err := w.fs.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("rotate: could not create directory %q: %w", dir, err)
			}
		}
	}
	w.verbosef("Opening file %s\n", t.name)
	flags := os.O_WRONLY | os.O_APPEND | os.O_CREATE
	if t.trunc {
		flags |= os.O_TRUNC
	}
	f, err := w.fs.OpenFile(t.name, flags, w.o.Mode)
	if err != nil {
		return fmt.Errorf("rotate: could not open log file %q: %w", t.name, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("rotate: %q: %w", t.name, err)
	}
	id := identityOf(fi)
	next := (gen + 1) & genMask
	if next == 0 {
		next = 1
	}
	h.setRecord(record{period: period, seq: t.seq, id: id, name: t.name})
	h.state.Store(next<<genShift | uint64(min(fi.Size(), usedMask)))
	if w.f != nil && w.name != t.name {
		w.verbosef("Closing file %s\n", w.name)
	}
	w.setFile(f, t.name, id)
	w.gen = next
	w.periodEnd = w.endOf(period, now)

	prev := t.retired
	if prev == "" && gen != 0 && why != reasonReopen && old.name != t.name {
		prev = old.name
	}
	w.afterOpen(t.name, prev)
	if w.mill != nil {
		w.mill.add(t.retired, gen)
	}
	return nil
}

// exists reports what is at name: its size, and whether it or its
// compressed form is there.
func (w *Writer) exists(name string) (size int64, plain, gz bool) {
	if fi, err := w.fs.Stat(name); err == nil {
		size, plain = fi.Size(), true
	}
	if _, err := w.fs.Stat(name + compressSuffix); err == nil {
		gz = true
	}
	return size, plain, gz
}

// fits reports whether a line of size bytes may go into a file of have
// bytes.
func (w *Writer) fits(have, size int64) bool {
	return w.o.MaxSize <= 0 || have == 0 || have+size <= w.o.MaxSize
}

func (w *Writer) targetBackups(now time.Time, size int64, why reason, old record) target {
	t := target{name: w.path}
	move := false
	switch why {
	case reasonTime, reasonSize:
		move = true
	case reasonResume:
		fi, err := w.fs.Stat(w.path)
		move = err == nil && identityOf(fi) == old.id
	case reasonNew, reasonReopen:
		if fi, err := w.fs.Stat(w.path); err == nil && fi.Size() > 0 {
			move = !w.fits(fi.Size(), size) ||
				w.o.Interval > 0 && w.periodOf(fi.ModTime()) < w.periodOf(now)
		}
	}
	if move {
		bt := now.In(w.loc)
		b := backupName(w.path, bt)
		for {
			if _, plain, gz := w.exists(b); !plain && !gz {
				break
			}
			bt = bt.Add(time.Millisecond)
			b = backupName(w.path, bt)
		}
		t.backup, t.retired = b, b
	}
	return t
}

func (w *Writer) targetStamped(now time.Time, size int64, why reason, hadOld bool, old record, period int64) target {
	_, off := now.In(w.loc).Zone()
	stamp := now.Unix() + int64(off)
	newPeriod := w.o.Interval > 0 && (why == reasonTime || why == reasonNew || why == reasonReopen ||
		why == reasonResume && period > old.period)
	if newPeriod {
		stamp = floorDiv(period*int64(w.o.Interval), int64(time.Second))
	}
	base := w.names.render(stamp, int64(off))
	oldBase := old.name
	if hadOld && old.seq > 0 {
		oldBase = strings.TrimSuffix(old.name, "."+strconv.FormatInt(old.seq, 10))
	}
	rotated := why == reasonTime || why == reasonSize || why == reasonResume
	t := target{}
	switch {
	case hadOld && rotated && base == oldBase && why == reasonTime:
		// A pattern coarser than the interval: the same file goes on.
		return target{name: old.name, seq: old.seq}
	case hadOld && rotated && base == oldBase:
		t.seq = old.seq + 1
	case !rotated:
		// Join the newest file of this name, as rotatelogs reopens the
		// file of the period when it starts.
		for t.seq < math.MaxInt32 {
			if _, plain, gz := w.exists(withSeq(base, t.seq+1)); !plain && !gz {
				break
			}
			t.seq++
		}
	}
	for {
		have, plain, gz := w.exists(withSeq(base, t.seq))
		if gz || plain && !w.o.TruncateRotated && !w.fits(have, size) {
			t.seq++
			continue
		}
		if plain && w.o.TruncateRotated && rotated {
			t.trunc = true
		}
		break
	}
	t.name = withSeq(base, t.seq)
	if hadOld && why != reasonReopen && old.name != t.name {
		t.retired = old.name
	}
	return t
}

func (w *Writer) targetNumbered(size int64, why reason, hadOld bool, old record) target {
	switch {
	case !hadOld:
		if have, plain, _ := w.exists(w.path); plain && !w.fits(have, size) && w.o.Files > 1 {
			return target{name: withSeq(w.path, 1), seq: 1, trunc: true}
		}
		return target{name: w.path}
	case why == reasonReopen:
		return target{name: old.name, seq: old.seq}
	}
	seq := (old.seq + 1) % int64(w.o.Files)
	return target{name: withSeq(w.path, seq), seq: seq, trunc: true}
}

func (w *Writer) setFile(f File, name string, id identity) {
	if w.f != nil {
		w.f.Close()
	}
	w.f, w.name, w.fid = f, name, id
}

// afterOpen makes the -L link and starts the -p program for a file this
// Writer has just opened.
func (w *Writer) afterOpen(name, prev string) {
	if w.o.Link != "" {
		w.fs.Remove(w.o.Link)
		w.verbosef("Linking %s to %s\n", name, w.o.Link)
		if err := w.fs.Link(name, w.o.Link); err != nil {
			w.errorf(fmt.Errorf("rotate: could not link %q to %q: %w", name, w.o.Link, err))
		}
	}
	if w.o.PostRotate == "" {
		return
	}
	args := []string{w.o.PostRotate, name}
	if prev != "" {
		args = append(args, prev)
	}
	w.verbosef("Calling post-rotate program: %s\n", w.o.PostRotate)
	cmd := &exec.Cmd{Path: w.o.PostRotate, Args: args, Dir: w.o.Dir, Stdout: os.Stdout, Stderr: os.Stderr}
	if err := cmd.Start(); err != nil {
		w.errorf(fmt.Errorf("rotate: could not spawn post-rotate process %q: %w", w.o.PostRotate, err))
		return
	}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		cmd.Wait()
	}()
}

// periodOf returns the number of the period t is in.
func (w *Writer) periodOf(t time.Time) int64 {
	_, off := t.In(w.loc).Zone()
	return floorDiv(t.UnixNano()+int64(off)*int64(time.Second), int64(w.o.Interval))
}

// endOf returns when period ends, in Unix nanoseconds, or earlier if the
// zone's offset changes before then (the fast path then checks again).
func (w *Writer) endOf(period int64, now time.Time) int64 {
	if w.o.Interval <= 0 {
		return math.MaxInt64
	}
	lt := now.In(w.loc)
	_, off := lt.Zone()
	end := (period+1)*int64(w.o.Interval) - int64(off)*int64(time.Second)
	if _, zend := lt.ZoneBounds(); !zend.IsZero() && zend.UnixNano() < end {
		end = zend.UnixNano()
	}
	return end
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func (w *Writer) errorf(err error) {
	if w.o.ErrorLog != nil {
		w.o.ErrorLog(err)
	}
}

func (w *Writer) verbosef(format string, args ...any) {
	if w.o.Verbose != nil {
		fmt.Fprintf(w.o.Verbose, format, args...)
	}
}

// Lost returns how many lines could not be written.
func (w *Writer) Lost() int64 { return w.lost.Load() }

// Name returns the name of the file the Writer last wrote to or opened,
// or "" before it opened one.
func (w *Writer) Name() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.name
}

// Close closes the file, reports lines lost and not reported yet, and
// waits for the background work to finish: compression of the files this
// Writer rotated, and the post-rotate programs it started. Lines are
// never buffered, so there is nothing to flush.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	var err error
	if w.f != nil {
		err = w.f.Close()
		w.f = nil
	}
	if w.o.ErrorLog != nil {
		w.reports.flush(w.o.Clock())
	}
	close(w.stop)
	w.mu.Unlock()
	w.wg.Wait()
	if cerr := w.lk.close(); err == nil {
		err = cerr
	}
	return err
}

// ticker opens the file of each new period when it starts, for
// CreateEmpty.
func (w *Writer) ticker() {
	defer w.wg.Done()
	for {
		now := w.o.Clock()
		wait := time.Duration(w.endOf(w.periodOf(now), now)-now.UnixNano()) + time.Millisecond
		t := time.NewTimer(max(wait, time.Millisecond))
		select {
		case <-w.stop:
			t.Stop()
			return
		case <-t.C:
		}
		if err := w.Check(); err != nil && !errors.Is(err, ErrClosed) {
			w.mu.Lock()
			w.errorf(err)
			w.mu.Unlock()
		}
	}
}
