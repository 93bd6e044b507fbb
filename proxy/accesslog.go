package proxy

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"

	"github.com/jl6/logproxy/logformat"
)

// lineWriter takes whole log lines; each call writes one line with one
// write, so that lines of concurrent requests and of other processes
// appending to the same file never interleave.
type lineWriter interface {
	io.Writer
	io.Closer
}

// Open opens the file of every access log of the site, in append mode,
// creating it with mode 0644 (as httpd's APR_OS_DEFAULT under the usual
// umask). Paths must already be absolute. On error the files opened so far
// are closed again.
func (s *Site) OpenLogs() error {
	for i, lf := range s.Logs {
		if lf.w != nil {
			continue
		}
		if lf.Piped {
			s.CloseLogs()
			return fmt.Errorf("piped log %q: piped logs are not supported yet", lf.Path)
		}
		f, err := os.OpenFile(lf.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			for _, o := range s.Logs[:i] {
				o.close()
			}
			return fmt.Errorf("could not open transfer log file %s: %w", lf.Path, err)
		}
		lf.w = &appendFile{f: f}
	}
	return nil
}

// CloseLogs closes every access-log file of the site.
func (s *Site) CloseLogs() error {
	var errs []error
	for _, lf := range s.Logs {
		errs = append(errs, lf.close())
	}
	return errors.Join(errs...)
}

func (lf *LogFile) close() error {
	if lf.w == nil {
		return nil
	}
	err := lf.w.Close()
	lf.w = nil
	return err
}

// Dropped returns how many lines could not be written to the file.
func (lf *LogFile) Dropped() int64 {
	if a, ok := lf.w.(*appendFile); ok {
		return a.dropped.Load()
	}
	return 0
}

// appendFile is a file opened O_APPEND: every Write is one write(2), which
// the kernel appends atomically at the end of the file.
type appendFile struct {
	f       *os.File
	dropped atomic.Int64
}

func (a *appendFile) Write(line []byte) (int, error) {
	n, err := a.f.Write(line)
	if err != nil {
		a.dropped.Add(1)
	}
	return n, err
}

func (a *appendFile) Close() error { return a.f.Close() }

// linePool holds the buffers log lines are rendered into. Buffers that grew
// past maxPooledLine are dropped, so that one huge line does not pin memory.
var linePool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

const maxPooledLine = 64 << 10

// writeAccessLogs renders r with every access log that applies and writes
// each line with one write. env is the request's environment for the env=
// conditions.
func writeAccessLogs(logs []*AccessLog, r *logformat.Record, env Fields) error {
	if len(logs) == 0 {
		return nil
	}
	bp := linePool.Get().(*[]byte)
	var errs []error
	for _, l := range logs {
		if l.EnvVar != "" {
			_, set := env.Get(l.EnvVar)
			if set == l.Negate {
				continue
			}
		}
		if l.File == nil || l.File.w == nil {
			continue
		}
		*bp = l.Format.Append((*bp)[:0], r)
		if _, err := l.File.w.Write(*bp); err != nil {
			errs = append(errs, fmt.Errorf("error writing to %s: %w", l.File.Path, err))
		}
	}
	if cap(*bp) <= maxPooledLine {
		linePool.Put(bp)
	}
	return errors.Join(errs...)
}
