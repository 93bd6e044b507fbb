package proxy

import (
	"os"
	"sync"
	"time"
)

// BufferedLogs On: mod_log_config's buffered writer. Whole lines gather
// in a buffer of LOG_BUFSIZE bytes (PIPE_BUF, 4096 on Linux), written
// with one write when the next line would not fit; a line that alone
// fills the buffer is written by itself, after the lines before it. So
// the lines of several processes still never interleave, and a log costs
// one write per few dozen lines instead of one per line.
//
// httpd writes a buffer only when it is full or when its child exits, so
// a quiet server can hold its lines for hours; here a buffer is also
// written at the latest logFlushAfter after its first line went in, and
// when the log closes (shutdown, reload). What a crash can lose is what
// the buffer held, as with httpd.

const (
	logBufSize    = 4096
	logFlushAfter = time.Second
)

// bufferedLog is a lineWriter that keeps lines in a buffer for w. Its
// timer is its only goroutine, and Close stops it.
type bufferedLog struct {
	w      lineWriter
	report func(error)   // failures of a timed write; nil drops them
	after  time.Duration // logFlushAfter; tests shorten it

	mu     sync.Mutex
	buf    []byte // whole lines, at most logBufSize bytes
	lines  int64  // lines in buf
	lost   int64  // lines of writes that failed
	timer  *time.Timer
	armed  bool // timer runs for what buf holds
	closed bool
}

func newBufferedLog(w lineWriter, report func(error)) *bufferedLog {
	b := &bufferedLog{w: w, report: report, after: logFlushAfter, buf: make([]byte, 0, logBufSize)}
	b.timer = time.AfterFunc(time.Hour, b.timedFlush)
	b.timer.Stop()
	return b
}

// Write takes one whole line. An error is that of writing the lines
// that were buffered before it, or of the line itself when it is written
// at once; the line is kept either way.
func (b *bufferedLog) Write(line []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		b.lost++
		return 0, os.ErrClosed
	}
	var err error
	if len(b.buf)+len(line) > logBufSize {
		err = b.flushLocked()
	}
	if len(line) >= logBufSize {
		if e := b.writeLocked(line, 1); e != nil {
			err = e
		}
		return len(line), err
	}
	b.buf = append(b.buf, line...)
	b.lines++
	if !b.armed {
		b.armed = true
		b.timer.Reset(b.after)
	}
	return len(line), err
}

// flushLocked writes what the buffer holds.
func (b *bufferedLog) flushLocked() error {
	if len(b.buf) == 0 {
		return nil
	}
	err := b.writeLocked(b.buf, b.lines)
	b.buf, b.lines = b.buf[:0], 0
	return err
}

// writeLocked writes p, which holds n lines, and counts them lost if the
// write fails: as many as the writer did not count itself (a rotating
// or piped writer counts a lost write as one).
func (b *bufferedLog) writeLocked(p []byte, n int64) error {
	before := dropped(b.w)
	_, err := b.w.Write(p)
	if counted := dropped(b.w) - before; counted > 0 {
		b.lost += n - counted
	} else if err != nil {
		b.lost += n
	}
	return err
}

// timedFlush writes the buffer logFlushAfter after its first line.
func (b *bufferedLog) timedFlush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.armed = false
	if b.closed {
		return
	}
	if err := b.flushLocked(); err != nil && b.report != nil {
		b.report(err)
	}
}

// Lost returns how many lines could not be written.
func (b *bufferedLog) Lost() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.lost + dropped(b.w)
}

// Close writes what the buffer holds and closes the writer.
func (b *bufferedLog) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return os.ErrClosed
	}
	b.closed = true
	b.timer.Stop()
	err := b.flushLocked()
	if e := b.w.Close(); err == nil {
		err = e
	}
	return err
}
