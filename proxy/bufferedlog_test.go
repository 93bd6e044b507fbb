package proxy

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// recordWriter is a lineWriter that keeps each write apart, and fails
// the writes whose number (from 1) is in fail.
type recordWriter struct {
	mu     sync.Mutex
	writes [][]byte
	fail   map[int]bool
	closed bool
	count  bool  // counts a failed write as one lost (as rotate does)
	lost   int64 // with count
}

func (r *recordWriter) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return 0, os.ErrClosed
	}
	r.writes = append(r.writes, bytes.Clone(p))
	if r.fail[len(r.writes)] {
		if r.count {
			r.lost++
			return len(p), nil // rotate and pipes report it themselves
		}
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func (r *recordWriter) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	return nil
}

func (r *recordWriter) snapshot() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.writes...)
}

type countingRecordWriter struct{ *recordWriter }

func (c countingRecordWriter) Lost() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lost
}

// logLine is line i of a test, n bytes long with its newline.
func logLine(i, n int) []byte {
	s := fmt.Sprintf("line %d ", i)
	return []byte(s + strings.Repeat("x", n-len(s)-1) + "\n")
}

// TestBufferedLogWrites: lines are held until the next one would not fit
// in logBufSize, and then written together, whole and in order; a line
// that fills the buffer alone is written by itself after the lines
// before it; Close writes the rest; a write after Close is refused.
func TestBufferedLogWrites(t *testing.T) {
	for _, tc := range []struct {
		name  string
		sizes []int
		want  []int // the number of lines in each write, Close's included
	}{
		{"nothing", nil, nil},
		{"one line", []int{100}, []int{1}},
		{"exactly full", []int{2048, 2048}, []int{2}},
		{"a line over", []int{2048, 2048, 20}, []int{2, 1}},
		{"fills up twice", []int{1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}, []int{4, 4, 1}},
		{"long line after short ones", []int{10, 20, 4096, 30}, []int{2, 1, 1}},
		{"long line first", []int{5000, 10}, []int{1, 1}},
		{"one short of full then long", []int{4095, 4096}, []int{1, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recordWriter{}
			b := newBufferedLog(rec, nil)
			b.after = time.Hour
			var all []byte
			for i, n := range tc.sizes {
				line := logLine(i, n)
				all = append(all, line...)
				if got, err := b.Write(line); err != nil || got != n {
					t.Fatalf("Write(line %d) = %d, %v", i, got, err)
				}
			}
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
			writes := rec.snapshot()
			var got []int
			var joined []byte
			for _, w := range writes {
				if len(w) > logBufSize && bytes.Count(w, []byte("\n")) > 1 {
					t.Errorf("a write of %d bytes holds several lines", len(w))
				}
				if len(w) == 0 || w[len(w)-1] != '\n' {
					t.Errorf("write %q does not end with a whole line", w)
				}
				got = append(got, bytes.Count(w, []byte("\n")))
				joined = append(joined, w...)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("lines per write %v, want %v", got, tc.want)
			}
			if !bytes.Equal(joined, all) {
				t.Errorf("the writes hold %q, want the lines in order %q", joined, all)
			}
			if _, err := b.Write([]byte("late\n")); !errors.Is(err, os.ErrClosed) {
				t.Errorf("Write after Close: %v, want os.ErrClosed", err)
			}
			if b.Lost() != 1 {
				t.Errorf("Lost() = %d after a write to a closed log, want 1", b.Lost())
			}
		})
	}
}

// TestBufferedLogTimedFlush: a buffer that does not fill is written
// after the flush delay, and the timer runs again for the next lines.
func TestBufferedLogTimedFlush(t *testing.T) {
	rec := &recordWriter{}
	b := newBufferedLog(rec, nil)
	b.after = 10 * time.Millisecond
	defer b.Close()
	waitWrites := func(n int) [][]byte {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			w := rec.snapshot()
			if len(w) >= n {
				return w
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d writes after 10 s, want %d", len(w), n)
			}
			time.Sleep(time.Millisecond)
		}
	}
	b.Write([]byte("one\n"))
	b.Write([]byte("two\n"))
	if w := waitWrites(1); string(w[0]) != "one\ntwo\n" {
		t.Fatalf("first timed write %q", w[0])
	}
	b.Write([]byte("three\n"))
	if w := waitWrites(2); string(w[1]) != "three\n" {
		t.Fatalf("second timed write %q", w[1])
	}
}

// TestBufferedLogLost: the lines of a failed write are counted lost,
// also when the writer counts a failed write as one itself; the error of
// a failed write reaches the line that made it, and a timed write's
// error goes to report.
func TestBufferedLogLost(t *testing.T) {
	line := logLine(0, 1024) // four fill the buffer
	t.Run("writer returns the error", func(t *testing.T) {
		rec := &recordWriter{fail: map[int]bool{1: true}}
		b := newBufferedLog(rec, nil)
		b.after = time.Hour
		for i := range 4 {
			if _, err := b.Write(line); err != nil {
				t.Fatalf("line %d: %v", i, err)
			}
		}
		if _, err := b.Write(line); err == nil || err.Error() != "disk full" {
			t.Fatalf("the line that writes a failing buffer: %v, want disk full", err)
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		if b.Lost() != 4 {
			t.Fatalf("Lost() = %d, want 4", b.Lost())
		}
	})
	t.Run("writer counts it", func(t *testing.T) {
		rec := &recordWriter{fail: map[int]bool{1: true}, count: true}
		b := newBufferedLog(countingRecordWriter{rec}, nil)
		b.after = time.Hour
		for range 5 {
			b.Write(line)
		}
		b.Close()
		if b.Lost() != 4 {
			t.Fatalf("Lost() = %d, want 4", b.Lost())
		}
	})
	t.Run("timed write reports", func(t *testing.T) {
		rec := &recordWriter{fail: map[int]bool{1: true}}
		reported := make(chan error, 1)
		b := newBufferedLog(rec, func(err error) { reported <- err })
		b.after = time.Millisecond
		defer b.Close()
		b.Write(line)
		select {
		case err := <-reported:
			if err.Error() != "disk full" {
				t.Fatalf("reported %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a failed timed write was not reported")
		}
		if b.Lost() != 1 {
			t.Fatalf("Lost() = %d, want 1", b.Lost())
		}
	})
}

// TestBufferedLogConcurrent: lines written at once by many goroutines
// all arrive, each whole, and each write holds whole lines.
func TestBufferedLogConcurrent(t *testing.T) {
	rec := &recordWriter{}
	b := newBufferedLog(rec, nil)
	b.after = time.Millisecond
	const workers, each = 8, 500
	var wg sync.WaitGroup
	for g := range workers {
		wg.Go(func() {
			for i := range each {
				b.Write(logLine(g*each+i, 40+(i*37)%300))
			}
		})
	}
	wg.Wait()
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	seen := make(map[string]bool)
	for _, w := range rec.snapshot() {
		if len(w) > logBufSize || w[len(w)-1] != '\n' {
			t.Fatalf("a write of %d bytes, ending %q", len(w), w[len(w)-1])
		}
		for _, l := range strings.SplitAfter(string(w), "\n") {
			if l != "" {
				seen[l] = true
			}
		}
	}
	for g := range workers {
		for i := range each {
			if !seen[string(logLine(g*each+i, 40+(i*37)%300))] {
				t.Fatalf("line %d is missing", g*each+i)
			}
		}
	}
	if len(seen) != workers*each {
		t.Fatalf("%d distinct lines, want %d", len(seen), workers*each)
	}
}

// TestSiteBufferedLogs: with BufferedLogs, a site's access log holds its
// lines until the log closes, and then holds them all.
func TestSiteBufferedLogs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	s := &Site{BufferedLogs: true, Logs: []*LogFile{{Path: path}}}
	if err := s.OpenLogs(); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Logs[0].w.(*bufferedLog); !ok {
		t.Fatalf("the log's writer is a %T, want *bufferedLog", s.Logs[0].w)
	}
	s.Logs[0].w.(*bufferedLog).after = time.Hour
	for _, l := range []string{"a\n", "b\n", "c\n"} {
		if _, err := s.Logs[0].w.Write([]byte(l)); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := os.ReadFile(path); len(got) != 0 {
		t.Fatalf("before close the file holds %q, want nothing yet", got)
	}
	if err := s.CloseLogs(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "a\nb\nc\n" {
		t.Fatalf("after close the file holds %q", got)
	}
}
