package proxy

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"syscall"

	"github.com/jl6/logproxy/logformat"
	"github.com/jl6/logproxy/rotate"
)

// lineWriter takes whole log lines; each call writes one line with one
// write, so that lines of concurrent requests and of other processes
// appending to the same file never interleave.
type lineWriter interface {
	io.Writer
	io.Closer
}

// OpenLogs opens every access log of the site: a file in append mode,
// created with mode 0644 (as httpd's APR_OS_DEFAULT under the usual
// umask), or a piped log ("|program" or "||program"): rotatelogs, Apache's
// or logproxy's, runs in-process with the same rules; any other program is
// started as httpd starts it, restarted if it dies, with a bounded buffer
// meanwhile. Paths must already be absolute. On error the logs opened so
// far are closed again. Write failures are counted and reported through
// s.LogErrors at most once per interval, never once per line. With
// s.BufferedLogs each log gathers lines into writes of up to 4 KiB
// (bufferedlog.go).
func (s *Site) OpenLogs() error {
	for i, lf := range s.Logs {
		if lf.w != nil {
			continue
		}
		var w lineWriter
		if lf.Piped {
			pw, err := rotate.OpenPiped(lf.Path, &rotate.PipeOptions{
				Dir:      s.ServerRoot,
				Stdout:   os.Stdout,
				Stderr:   os.Stderr,
				ErrorLog: s.reportLogError,
			})
			if err != nil {
				for _, o := range s.Logs[:i] {
					o.close()
				}
				return fmt.Errorf("could not open piped log %q: %w", lf.Path, err)
			}
			w = pw
		} else {
			f, err := os.OpenFile(lf.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
			if err != nil {
				for _, o := range s.Logs[:i] {
					o.close()
				}
				return fmt.Errorf("could not open transfer log file %s: %w", lf.Path, err)
			}
			w = &appendFile{f: f, fd: f.Fd()}
		}
		if s.BufferedLogs {
			w = newBufferedLog(w, s.reportLogError)
		}
		lf.w = w
	}
	return nil
}

// reportLogError passes a write failure of a log to s.LogErrors.
func (s *Site) reportLogError(err error) {
	if s.LogErrors != nil {
		s.LogErrors(err)
	}
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

// Dropped returns how many lines could not be written to the log.
func (lf *LogFile) Dropped() int64 { return dropped(lf.w) }

func dropped(w lineWriter) int64 {
	switch w := w.(type) {
	case *appendFile:
		return w.dropped.Load()
	case interface{ Lost() int64 }:
		return w.Lost()
	}
	return 0
}

// appendFile is a file opened O_APPEND: every Write is one write(2), which
// the kernel appends atomically at the end of the file.
//
// The write is made without the runtime's syscall bookkeeping (sysWrite),
// as nginx's and httpd's workers write their logs: measured side by side,
// a log write through os.File cost about 4 us per request more, because a
// write preempted on the shared core left the P in a syscall long enough
// for sysmon to hand it to another thread. The cost is that a write the
// kernel blocks (a stalled disk) holds its P meanwhile; other Ps steal
// its goroutines, and every request would block at its own log write
// anyway.
type appendFile struct {
	f       *os.File
	fd      uintptr
	dropped atomic.Int64
}

func (a *appendFile) Write(line []byte) (int, error) {
	done := 0
	for done < len(line) {
		n, e := sysWrite(a.fd, line[done:])
		if e == syscall.EINTR {
			continue
		}
		if e != 0 || n <= 0 {
			var err error = io.ErrShortWrite
			if e != 0 {
				err = e
			}
			a.dropped.Add(1)
			return done, &os.PathError{Op: "write", Path: a.f.Name(), Err: err}
		}
		done += n
	}
	return done, nil
}

func (a *appendFile) Close() error { return a.f.Close() }

// maxPooledLine is the most line buffer an exchange keeps for the next
// request, so that one huge line does not pin memory.
const maxPooledLine = 64 << 10

// writeAccessLogs renders r with every access log that applies and writes
// each line with one write, rendered into *bp (which keeps what it grew
// to). env is the request's environment for the env= conditions.
func writeAccessLogs(bp *[]byte, logs []*AccessLog, r *logformat.Record, env Fields) error {
	if len(logs) == 0 {
		return nil
	}
	if *bp == nil {
		*bp = make([]byte, 0, 1024)
	}
	var errs []error
	for _, l := range logs {
		if l.EnvVar != "" {
			_, set := env.Get(l.EnvVar)
			if set == l.Negate {
				continue
			}
		}
		if l.Cond != nil && !l.Cond(r) {
			continue
		}
		if l.File == nil || l.File.w == nil {
			continue
		}
		*bp = l.Format.Append((*bp)[:0], r)
		if _, err := l.File.w.Write(*bp); err != nil {
			errs = append(errs, fmt.Errorf("error writing to %s: %w", l.File.Path, err))
		}
	}
	return errors.Join(errs...)
}
