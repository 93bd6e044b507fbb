package rotate

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jl6/logproxy/logformat"
	"gopkg.in/natefinch/lumberjack.v2"
)

var t0 = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

func TestWriterAppends(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "access.log")
	if err := os.WriteFile(path, []byte("before\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w := mustNew(t, path, nil)
	writeLine(t, w, "one\n")
	writeLine(t, w, "two\n")
	if got := w.Name(); got != path {
		t.Errorf("Name() = %q, want %q", got, path)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("late\n")); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close: %v, want ErrClosed", err)
	}
	if got := dirFiles(t, dir); !reflect.DeepEqual(got, map[string]string{"access.log": "before\none\ntwo\n"}) {
		t.Errorf("files = %q", got)
	}
}

func TestWriterSizeRotation(t *testing.T) {
	line := func(i int) string { return fmt.Sprintf("line %03d ...............\n", i) } // 25 bytes
	tests := []struct {
		name  string
		o     Options
		files map[string]string
	}{
		{
			name: "backups",
			o:    Options{MaxSize: 60},
			files: map[string]string{
				"access-2026-03-14T15-09-26.000.log": line(0) + line(1),
				"access-2026-03-14T15-09-26.001.log": line(2) + line(3),
				"access.log":                         line(4),
			},
		},
		{
			name: "stamped",
			o:    Options{MaxSize: 60, Naming: NameStamped},
			files: map[string]string{
				"access.log.1773500966":   line(0) + line(1),
				"access.log.1773500966.1": line(2) + line(3),
				"access.log.1773500966.2": line(4),
			},
		},
		{
			name: "numbered ring",
			o:    Options{MaxSize: 50, Naming: NameNumbered, Files: 2},
			files: map[string]string{
				"access.log":   line(4),
				"access.log.1": line(2) + line(3),
			},
		},
		{
			name:  "truncate",
			o:     Options{MaxSize: 50, Naming: NameTruncate},
			files: map[string]string{"access.log": line(4)},
		},
		{
			name: "exact fit",
			o:    Options{MaxSize: 50, Naming: NameStamped},
			files: map[string]string{
				"access.log.1773500966":   line(0) + line(1),
				"access.log.1773500966.1": line(2) + line(3),
				"access.log.1773500966.2": line(4),
			},
		},
		{
			name: "line longer than the limit",
			o:    Options{MaxSize: 10, Naming: NameStamped},
			files: map[string]string{
				"access.log.1773500966":   line(0),
				"access.log.1773500966.1": line(1),
				"access.log.1773500966.2": line(2),
				"access.log.1773500966.3": line(3),
				"access.log.1773500966.4": line(4),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			o := tt.o
			o.Clock = newClock(t0).Now
			w := mustNew(t, filepath.Join(dir, "access.log"), &o)
			for i := range 5 {
				writeLine(t, w, line(i))
			}
			w.Close()
			if got := dirFiles(t, dir); !reflect.DeepEqual(got, tt.files) {
				t.Errorf("files:\n%q\nwant\n%q", got, tt.files)
			}
		})
	}
}

func TestWriterTimeBoundaries(t *testing.T) {
	ny, err := logformat.LoadTZ("EST5EDT,M3.2.0,M11.1.0")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		pattern  string
		o        Options
		start    time.Time
		steps    []time.Duration // the clock moves by each, then a line is written
		files    []string
		lastFile string
	}{
		{
			name: "hourly utc stamp", pattern: "access.log",
			o:     Options{Interval: time.Hour, Naming: NameStamped},
			start: time.Date(2026, 3, 14, 15, 59, 59, 0, time.UTC),
			steps: []time.Duration{0, 999 * time.Millisecond, time.Millisecond, time.Hour},
			// 15:00, 16:00 and 17:00, in seconds since the epoch
			files: []string{"access.log.1773500400", "access.log.1773504000", "access.log.1773507600"},
		},
		{
			name: "daily at local midnight", pattern: "access.%Y-%m-%d.log",
			o:     Options{Interval: 24 * time.Hour, Naming: NameStamped, Location: ny},
			start: time.Date(2026, 3, 7, 4, 59, 59, 0, time.UTC), // 23:59:59 EST
			// across the change to summer time at 2:00 on the 8th: that
			// day has 23 hours
			steps: []time.Duration{0, time.Second, 24 * time.Hour, 23*time.Hour - time.Second, time.Second},
			files: []string{"access.2026-03-06.log", "access.2026-03-07.log", "access.2026-03-08.log", "access.2026-03-09.log"},
		},
		{
			name: "local time in the stamp", pattern: "access.log",
			o:     Options{Interval: 24 * time.Hour, Naming: NameStamped, Location: ny},
			start: time.Date(2026, 3, 1, 5, 0, 0, 0, time.UTC), // midnight EST
			steps: []time.Duration{0},
			// rotatelogs -l names the file after local time in seconds
			files: []string{"access.log.1772323200"},
		},
		{
			name: "every seven seconds", pattern: "access.%H%M%S",
			o:     Options{Interval: 7 * time.Second, Naming: NameStamped},
			start: time.Date(2026, 3, 14, 0, 0, 6, 0, time.UTC),
			steps: []time.Duration{0, time.Second, 6 * time.Second, 7 * time.Second},
			// 1773446400 is a multiple of 7 plus 5: boundaries at 00:00:02, 09, 16
			files: []string{"access.000002", "access.000009", "access.000016"},
		},
		{
			name: "backups by time", pattern: "access.log",
			o:     Options{Interval: time.Hour},
			start: time.Date(2026, 3, 14, 15, 30, 0, 0, time.UTC),
			steps: []time.Duration{0, 30 * time.Minute, time.Hour + 5*time.Millisecond},
			files: []string{"access-2026-03-14T16-00-00.000.log", "access-2026-03-14T17-00-00.005.log", "access.log"},
		},
		{
			name: "size and time together", pattern: "access.log",
			o:     Options{Interval: time.Hour, MaxSize: 12, Naming: NameStamped},
			start: time.Date(2026, 3, 14, 15, 0, 0, 0, time.UTC),
			steps: []time.Duration{0, 0, 10 * time.Second, time.Hour},
			// a size rotation names its file from the time it happens, with
			// a suffix if that is the name of the file it leaves
			files: []string{"access.log.1773500400", "access.log.1773500400.1", "access.log.1773500410", "access.log.1773504000"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			clock := newClock(tt.start)
			o := tt.o
			o.Clock = clock.Now
			w := mustNew(t, filepath.Join(dir, tt.pattern), &o)
			for i, d := range tt.steps {
				clock.Add(d)
				writeLine(t, w, fmt.Sprintf("step %d\n", i))
			}
			w.Close()
			if got := names(dirFiles(t, dir)); !slices.Equal(got, tt.files) {
				t.Errorf("files %q, want %q", got, tt.files)
			}
		})
	}
}

// TestWriterSharedFollows checks that Writers sharing a path (each with its
// own lock file description, as separate processes have) rotate each
// boundary once and follow each other's rotations at their next line.
func TestWriterSharedFollows(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "access.log")
	clock := newClock(time.Date(2026, 3, 14, 15, 0, 0, 0, time.UTC))
	o := Options{Interval: time.Hour, MaxSize: 30, Naming: NameStamped, Clock: clock.Now}
	a, b := mustNew(t, path, &o), mustNew(t, path, &o)
	writeLine(t, a, "a1 .......\n") // 11 bytes
	writeLine(t, b, "b1 .......\n")
	if a.Name() != b.Name() {
		t.Fatalf("a writes to %q, b to %q", a.Name(), b.Name())
	}
	writeLine(t, a, "a2 .......\n") // does not fit: a rotates for size
	writeLine(t, b, "b2 .......\n") // b follows at once
	if a.Name() != b.Name() || a.Name() == path+".1773500400" {
		t.Fatalf("after a size rotation a writes to %q, b to %q", a.Name(), b.Name())
	}
	clock.Add(time.Hour)
	writeLine(t, b, "b3 .......\n") // b rotates for time
	writeLine(t, a, "a3 .......\n")
	a.Close()
	b.Close()
	want := map[string]string{
		"access.log.1773500400":   "a1 .......\nb1 .......\n",
		"access.log.1773500400.1": "a2 .......\nb2 .......\n",
		"access.log.1773504000":   "b3 .......\na3 .......\n",
	}
	if got := dirFiles(t, dir); !reflect.DeepEqual(got, want) {
		t.Errorf("files:\n%q\nwant\n%q", got, want)
	}
}

// TestWriterCrashInRotation kills a Writer at each step of a rotation and
// checks that another one finishes it: no line lost or duplicated, no file
// over the limit, nothing stuck.
func TestWriterCrashInRotation(t *testing.T) {
	steps := []string{"before-rename", "after-rename", "before-create", "after-create"}
	for _, naming := range []Naming{NameBackups, NameStamped} {
		for _, step := range steps {
			if naming == NameStamped && strings.Contains(step, "rename") {
				continue
			}
			t.Run(fmt.Sprintf("naming %d %s", naming, step), func(t *testing.T) {
				dir := t.TempDir()
				path := filepath.Join(dir, "access.log")
				clock := newClock(t0)
				cfs := &crashFS{}
				o := Options{MaxSize: 40, Naming: naming, Clock: clock.Now, FS: cfs}
				victim, other := mustNew(t, path, &o), mustNew(t, path, &o)
				n := 0
				write := func(w *Writer) {
					writeLine(t, w, fmt.Sprintf("line %04d\n", n))
					n++
				}
				for range 4 {
					write(victim)
				}
				cfs.arm(step)
				func() {
					defer func() {
						if r := recover(); r == nil {
							t.Fatal("the victim did not rotate")
						} else if _, ok := r.(crash); !ok {
							panic(r)
						}
					}()
					victim.Write([]byte("lost 0000\n")) // dies in the rotation
				}()
				victim.lk.close() // what the kernel does when it dies
				victim.lk = &lockFile{}
				clock.Add(time.Millisecond)
				for range 10 {
					write(other)
				}
				other.Close()
				files := dirFiles(t, dir)
				for name, content := range files {
					if len(content) > 40 {
						t.Errorf("%s: %d bytes, over the limit", name, len(content))
					}
				}
				if got, want := allLines(files), numbered("line", n); !slices.Equal(got, want) {
					t.Errorf("lines %q\nwant %q\nfiles %q", got, want, files)
				}
			})
		}
	}
}

func TestWriterDiskFull(t *testing.T) {
	dir := t.TempDir()
	clock := newClock(t0)
	ffs := &failFS{}
	var reports []string
	o := Options{FS: ffs, Clock: clock.Now, ReportInterval: time.Minute,
		ErrorLog: func(err error) { reports = append(reports, err.Error()) }}
	w := mustNew(t, filepath.Join(dir, "access.log"), &o)
	writeLine(t, w, "before\n")
	ffs.set(true, false)
	for i := range 100 {
		clock.Add(time.Second) // 100 seconds of a full disk
		if n, err := w.Write([]byte(fmt.Sprintf("lost %d\n", i))); err != nil || n == 0 {
			t.Fatalf("Write while the disk is full = %d, %v; want the line counted and no error", n, err)
		}
	}
	if got := w.Lost(); got != 100 {
		t.Errorf("Lost() = %d, want 100", got)
	}
	if len(reports) != 2 {
		t.Errorf("%d reports while failing, want 2 (one a minute): %q", len(reports), reports)
	}
	ffs.set(false, false)
	writeLine(t, w, "after\n")
	w.Close()
	if got := dirFiles(t, dir)["access.log"]; got != "before\nafter\n" {
		t.Errorf("file %q", got)
	}
	want := []string{
		"rotate: 1 lines could not be written to",
		"rotate: 60 lines could not be written to",
		"works again; 39 more lines were lost",
	}
	if len(reports) != len(want) {
		t.Fatalf("reports %q", reports)
	}
	for i, r := range reports {
		if !strings.Contains(r, want[i]) || !strings.Contains(r, "no space left on device") {
			t.Errorf("report %d = %q, want it to contain %q and the error", i, r, want[i])
		}
	}
}

func TestWriterCannotOpen(t *testing.T) {
	dir := t.TempDir()
	clock := newClock(t0)
	ffs := &failFS{}
	var reports []string
	o := Options{FS: ffs, Clock: clock.Now, MaxSize: 10, ErrorLog: func(err error) { reports = append(reports, err.Error()) }}
	w := mustNew(t, filepath.Join(dir, "access.log"), &o)
	writeLine(t, w, "first\n")
	ffs.set(false, true)
	writeLine(t, w, "lost 1\n") // the rotation cannot create the new file
	writeLine(t, w, "lost 2\n")
	ffs.set(false, false)
	writeLine(t, w, "again\n")
	w.Close()
	if got := w.Lost(); got != 2 {
		t.Errorf("Lost() = %d, want 2", got)
	}
	if got := allLines(dirFiles(t, dir)); !slices.Equal(got, []string{"again\n", "first\n"}) {
		t.Errorf("lines %q", got)
	}
	if len(reports) != 2 || !strings.Contains(reports[0], "permission denied") {
		t.Errorf("reports %q", reports)
	}
}

func TestWriterWithoutErrorLog(t *testing.T) {
	ffs := &failFS{}
	w := mustNew(t, filepath.Join(t.TempDir(), "access.log"), &Options{FS: ffs})
	ffs.set(true, false)
	if _, err := w.Write([]byte("x\n")); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("Write = %v, want ENOSPC", err)
	}
	if w.Lost() != 1 {
		t.Errorf("Lost() = %d", w.Lost())
	}
}

func TestWriterCompressAndRetention(t *testing.T) {
	tests := []struct {
		name  string
		o     Options
		files []string
	}{
		{
			name: "compress",
			o:    Options{MaxSize: 10, Compress: true},
			files: []string{"access-2026-03-14T15-09-27.000.log.gz", "access-2026-03-14T15-09-28.000.log.gz",
				"access-2026-03-14T15-09-29.000.log.gz", "access.log"},
		},
		{
			name:  "max backups",
			o:     Options{MaxSize: 10, MaxBackups: 2},
			files: []string{"access-2026-03-14T15-09-28.000.log", "access-2026-03-14T15-09-29.000.log", "access.log"},
		},
		{
			name:  "max age",
			o:     Options{MaxSize: 10, MaxAge: 1500 * time.Millisecond},
			files: []string{"access-2026-03-14T15-09-29.000.log", "access.log"},
		},
		{
			name:  "stamped max backups",
			o:     Options{MaxSize: 10, MaxBackups: 1, Naming: NameStamped, Compress: true},
			files: []string{"access.log.1773500968.gz", "access.log.1773500969"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			clock := newClock(t0)
			o := tt.o
			o.Clock = clock.Now
			w := mustNew(t, filepath.Join(dir, "access.log"), &o)
			for i := range 4 {
				writeLine(t, w, fmt.Sprintf("line %d...\n", i))
				clock.Add(time.Second)
			}
			w.Close()
			files := dirFiles(t, dir)
			if got := names(files); !slices.Equal(got, tt.files) {
				t.Errorf("files %q, want %q", got, tt.files)
			}
			for name, c := range files {
				if !strings.HasPrefix(c, "line ") || strings.Count(c, "\n") != 1 {
					t.Errorf("%s: %q", name, c)
				}
			}
		})
	}
}

// TestBusyWith checks what the compressor waits for: a live Writer marked
// busy with the generation, and not a dead one.
func TestBusyWith(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	a, b := mustNew(t, path, nil), mustNew(t, path, nil)
	b.lk.mine().busy.Store(7)
	if !a.lk.busyWith(7) {
		t.Error("a live writer busy with generation 7: busyWith(7) = false")
	}
	if a.lk.busyWith(8) {
		t.Error("busyWith(8) = true")
	}
	if b.lk.busyWith(7) {
		t.Error("a writer waits for itself")
	}
	b.lk.close() // dies with its slot still marked
	b.lk = &lockFile{}
	if a.lk.busyWith(7) {
		t.Error("a dead writer's slot is waited for")
	}
	c := mustNew(t, path, nil) // takes the dead writer's slot
	if c.lk.slot != 1 || c.lk.mine().busy.Load() != 0 {
		t.Errorf("new writer slot %d busy %d, want slot 1 cleared", c.lk.slot, c.lk.mine().busy.Load())
	}
}

// TestLumberjackDirectory checks that rotate takes over a directory that
// lumberjack managed: its retention counts lumberjack's backups.
func TestLumberjackDirectory(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "access.log")
	lj := &lumberjack.Logger{Filename: path}
	for i := range 3 {
		fmt.Fprintf(lj, "lumberjack %d\n", i)
		if err := lj.Rotate(); err != nil {
			t.Fatal(err)
		}
		// lumberjack names backups by the real clock, to the millisecond:
		// the next one must not take this one's name
		for ms := time.Now().UnixMilli(); time.Now().UnixMilli() == ms; {
			runtime.Gosched()
		}
	}
	lj.Close()
	ljNames := names(dirFiles(t, dir))
	clock := newClock(time.Now().Add(time.Minute))
	w := mustNew(t, path, &Options{MaxSize: 5, MaxBackups: 2, Clock: clock.Now})
	writeLine(t, w, "rotate\n") // the empty access.log lumberjack left is used
	writeLine(t, w, "rotate\n") // a rotation: rotate's backup and lumberjack's newest stay
	w.Close()
	got := names(dirFiles(t, dir))
	want := []string{ljNames[2], "access-" + clock.Now().UTC().Format(backupTimeFormat) + ".log", "access.log"}
	if !slices.Equal(got, want) {
		t.Errorf("files %q, want %q (lumberjack left %q)", got, want, ljNames)
	}
}

func TestWriterLinkAndPostRotate(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "post.sh")
	out := filepath.Join(dir, "post.out")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"$@\" >> "+out+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	logs := filepath.Join(dir, "logs")
	clock := newClock(t0)
	w := mustNew(t, "logs/access.log", &Options{Dir: dir, MaxSize: 10, Naming: NameStamped, MakeDirs: true,
		Link: "current.log", PostRotate: "post.sh", Clock: clock.Now})
	writeLine(t, w, "one......\n")
	clock.Add(time.Second)
	writeLine(t, w, "two......\n")
	w.Close() // waits for the programs
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	first, second := filepath.Join(logs, "access.log.1773500966"), filepath.Join(logs, "access.log.1773500967")
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	slices.Sort(lines)
	if want := []string{first, second + " " + first}; !slices.Equal(lines, want) {
		t.Errorf("post-rotate calls %q, want %q", lines, want)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "current.log")); err != nil || string(got) != "two......\n" {
		t.Errorf("link reads %q, %v", got, err)
	}
}

func TestWriterCheckAndReopen(t *testing.T) {
	t.Run("create empty at the boundary", func(t *testing.T) {
		dir := t.TempDir()
		clock := newClock(time.Date(2026, 3, 14, 15, 0, 0, 0, time.UTC))
		w := mustNew(t, filepath.Join(dir, "access.log"), &Options{Interval: time.Hour, Naming: NameStamped, ForceOpen: true, Clock: clock.Now})
		clock.Add(time.Hour)
		if err := w.Check(); err != nil {
			t.Fatal(err)
		}
		w.Close()
		if got := names(dirFiles(t, dir)); !slices.Equal(got, []string{"access.log.1773500400", "access.log.1773504000"}) {
			t.Errorf("files %q", got)
		}
	})
	t.Run("moved away by logrotate", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "access.log")
		w := mustNew(t, path, nil)
		writeLine(t, w, "one\n")
		if err := os.Rename(path, path+".1"); err != nil {
			t.Fatal(err)
		}
		if err := w.Check(); err != nil {
			t.Fatal(err)
		}
		writeLine(t, w, "two\n")
		w.Close()
		if got := dirFiles(t, dir); !reflect.DeepEqual(got, map[string]string{"access.log": "two\n", "access.log.1": "one\n"}) {
			t.Errorf("files %q", got)
		}
	})
}

func TestWriterEchoAndVerbose(t *testing.T) {
	var echo, verbose bytes.Buffer
	dir := t.TempDir()
	w := mustNew(t, filepath.Join(dir, "access.log"), &Options{Naming: NameNumbered, Files: 2, MaxSize: 5,
		Echo: &echo, Verbose: &verbose, Clock: newClock(t0).Now})
	writeLine(t, w, "abc\n")
	writeLine(t, w, "def\n")
	w.Close()
	if echo.String() != "abc\ndef\n" {
		t.Errorf("echo %q", echo.String())
	}
	want := "File rotation needed, reason: Open a new file\nOpening file " + filepath.Join(dir, "access.log") + "\n" +
		"File rotation needed, reason: Maximum size reached\nOpening file " + filepath.Join(dir, "access.log.1") + "\n" +
		"Closing file " + filepath.Join(dir, "access.log") + "\n"
	if verbose.String() != want {
		t.Errorf("verbose:\n%s\nwant\n%s", verbose.String(), want)
	}
}

func TestNewRefuses(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, path string
		o          Options
		want       string
	}{
		{"empty path", "", Options{}, "empty log file name"},
		{"negative size", "a", Options{MaxSize: -1}, "negative MaxSize"},
		{"negative interval", "a", Options{Interval: -1}, "negative Interval"},
		{"ring of none", "a", Options{Naming: NameNumbered}, "Files of 1 or more"},
		{"pattern numbered", "a%Y", Options{Naming: NameNumbered, Files: 2}, "needs NameStamped"},
		{"no directory", "missing/a", Options{}, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.Dir = dir
			_, err := New(tt.path, &tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New(%q) error %v, want %q", tt.path, err, tt.want)
			}
		})
	}
}

func TestLockPathFor(t *testing.T) {
	tests := []struct{ path, want string }{
		{"/var/log/access.log", "/var/log/.access.log.rotate"},
		{"/var/log/access.%Y%m%d", "/var/log/.access.%Y%m%d.rotate"},
		{"/var/log/%Y/%m/access.log", "/var/log/.%Y_%m_access.log.rotate"},
		{"access.log", ".access.log.rotate"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got := lockPathFor(tt.path); got != tt.want {
				t.Errorf("lockPathFor(%q) = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}

func TestNameRender(t *testing.T) {
	ny, err := logformat.LoadTZ("EST5EDT,M3.2.0,M11.1.0")
	if err != nil {
		t.Fatal(err)
	}
	when := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	tests := []struct {
		pattern string
		loc     *time.Location
		want    string
	}{
		{"access.log", time.UTC, "access.log.1772600767"},
		{"a.%Y-%m-%d_%H:%M:%S", time.UTC, "a.2026-03-04_05:06:07"},
		{"a.%Y%m%d.%H", ny, "a.20260304.00"},
		{"%j %a %b %e %-d %_H %%", time.UTC, "063 Wed Mar  4 4  5 %"},
		{"a%}b%", time.UTC, "a%}b%"},
		{"tail%", time.UTC, "tail%"},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			nf, err := compileName(tt.pattern, tt.loc)
			if err != nil {
				t.Fatal(err)
			}
			_, off := when.In(tt.loc).Zone()
			if got := nf.render(when.Unix()+int64(off), int64(off)); got != tt.want {
				t.Errorf("render = %q, want %q", got, tt.want)
			}
		})
	}
}
