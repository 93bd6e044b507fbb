package rotate

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// LogWriter is what a piped log target gives the proxy: a Writer for
// rotatelogs, a Pipe for any other program.
type LogWriter interface {
	io.Writer
	io.Closer
	// Lost returns how many lines could not be written.
	Lost() int64
}

// PipeOptions configure OpenPiped and StartPipe. The zero value works.
type PipeOptions struct {
	// Dir is where the program runs and relative names are taken from
	// (httpd's ServerRoot). Empty: the current directory.
	Dir string
	// Stdout and Stderr receive the program's output, and rotatelogs -e
	// and -v's when it runs in-process. Nil: discarded.
	Stdout, Stderr io.Writer
	// Env is the program's environment. Nil: this process's.
	Env []string
	// Buffer is how many bytes of lines are kept while the program is
	// down or slow, on top of the pipe's own buffer; lines that do not fit
	// are dropped and counted. Zero: 1 MiB.
	Buffer int
	// RestartDelay is how long a program that died within RestartDelay of
	// its start waits before it is started again; one that ran longer is
	// restarted at once, as httpd does. Zero: one second.
	RestartDelay time.Duration
	// CloseTimeout is how long Close waits for the program to read what
	// is left and exit before it sends SIGTERM, and then SIGKILL. Zero:
	// five seconds.
	CloseTimeout time.Duration
	// ErrorLog, ReportInterval and Clock are as in Options, for both kinds
	// of target.
	ErrorLog       func(error)
	ReportInterval time.Duration
	Clock          func() time.Time
}

// OpenPiped opens a piped log: target is what follows the '|' of CustomLog
// "|program args" (so "||program args" gives "|program args", which is the
// same, and "|$command" gives "$command", run by /bin/sh). A program whose
// name is rotatelogs, or logproxy followed by rotatelogs, runs in-process:
// its arguments are read by ParseRotatelogsArgs and a Writer does what it
// would, relative names taken from Dir. Any other program is started by
// StartPipe.
func OpenPiped(target string, opts *PipeOptions) (LogWriter, error) {
	var o PipeOptions
	if opts != nil {
		o = *opts
	}
	argv, shell := PipedCommand(target)
	if len(argv) == 0 {
		return nil, fmt.Errorf("rotate: piped log %q: no program", target)
	}
	if args, ok := rotatelogsArgs(argv); ok && !shell {
		r, err := ParseRotatelogsArgs(args)
		if err != nil {
			return nil, fmt.Errorf("rotate: piped log %q: %w", target, err)
		}
		wo := r.Options
		wo.Dir, wo.ErrorLog, wo.ReportInterval, wo.Clock = o.Dir, o.ErrorLog, o.ReportInterval, o.Clock
		if r.Echo {
			wo.Echo = o.Stdout
		}
		if r.Verbose {
			wo.Verbose = o.Stderr
			if o.Stderr != nil {
				r.DumpConfig(o.Stderr)
			}
		}
		w, err := New(r.Path, &wo)
		if err != nil {
			return nil, fmt.Errorf("rotate: piped log %q: %w", target, err)
		}
		return w, nil
	}
	return StartPipe(argv, &o)
}

// PipedCommand returns the argument vector of a piped log target (see
// OpenPiped): the words of apr_tokenize_to_argv, or /bin/sh -c for
// "$command".
func PipedCommand(target string) (argv []string, shell bool) {
	if len(target) > 0 && target[0] == '|' {
		target = target[1:]
	}
	if len(target) > 0 && target[0] == '$' {
		return []string{"/bin/sh", "-c", target[1:]}, true
	}
	return Tokenize(target), false
}

// rotatelogsArgs returns the rotatelogs arguments of argv, if argv runs
// rotatelogs: Apache's (any path ending in rotatelogs) or logproxy's.
func rotatelogsArgs(argv []string) ([]string, bool) {
	switch filepath.Base(argv[0]) {
	case "rotatelogs":
		return argv[1:], true
	case "logproxy":
		if len(argv) > 1 && argv[1] == "rotatelogs" {
			return argv[2:], true
		}
	}
	return nil, false
}

// Tokenize splits a command line into words as APR's
// apr_tokenize_to_argv does, which httpd uses for piped logs: words are
// separated by spaces and tabs, may be quoted with " or ', and a backslash
// escapes a space, tab or quote (and is dropped before any character).
func Tokenize(s string) []string {
	var argv []string
	i := 0
	skip := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
	}
	skip()
	for i < len(s) {
		quote := byte(0)
		if s[i] == '"' || s[i] == '\'' {
			quote = s[i]
			i++
		}
		start := i
		for ; i < len(s); i++ {
			c := s[i]
			if c == '\\' && i+1 < len(s) && (s[i+1] == ' ' || s[i+1] == '\t' || s[i+1] == '"' || s[i+1] == '\'') {
				i++
				continue
			}
			if quote == 0 && (c == ' ' || c == '\t') || quote != 0 && c == quote {
				break
			}
		}
		argv = append(argv, unescape(s[start:i]))
		if i < len(s) {
			i++
		}
		skip()
	}
	return argv
}

// unescape drops every backslash but an escaped one, as
// apr_tokenize_to_argv's REMOVE_ESCAPE_CHARS.
func unescape(s string) string {
	b := make([]byte, 0, len(s))
	escaped := false
	for i := 0; i < len(s); i++ {
		if !escaped && s[i] == '\\' {
			escaped = true
			continue
		}
		escaped = false
		b = append(b, s[i])
	}
	return string(b)
}

// ErrBufferFull is the error of a line a Pipe dropped because its buffer
// was full.
var ErrBufferFull = errors.New("rotate: piped log buffer full")

// Pipe feeds lines to a program's standard input, as httpd feeds a piped
// log: the program is restarted when it dies, and the pipe, whose both
// ends the Pipe keeps, holds the lines meanwhile, with a bounded buffer in
// front of it.
type Pipe struct {
	argv []string
	o    PipeOptions
	r, w *os.File // the pipe

	mu      sync.Mutex
	wake    *sync.Cond // the pump waits for lines or closing
	buf     []byte     // lines not yet handed to the pipe
	spare   []byte
	closing bool
	cmd     *exec.Cmd // the running program, nil between two
	reports lossReport
	lost    atomic.Int64

	pumped chan struct{}  // closed when the pump has ended
	done   chan struct{}  // closed by Close: restarts only for lines left in the pipe
	stop   chan struct{}  // closed when Close gives up waiting: no more restarts
	wg     sync.WaitGroup // the supervisor
}

// StartPipe starts the program argv (argv[0] is not looked up in $PATH;
// relative to Dir if relative) with the read end of a new pipe as its
// standard input.
func StartPipe(argv []string, opts *PipeOptions) (*Pipe, error) {
	var o PipeOptions
	if opts != nil {
		o = *opts
	}
	if len(argv) == 0 {
		return nil, errors.New("rotate: piped log: no program")
	}
	if o.Buffer <= 0 {
		o.Buffer = 1 << 20
	}
	if o.RestartDelay <= 0 {
		o.RestartDelay = time.Second
	}
	if o.CloseTimeout <= 0 {
		o.CloseTimeout = 5 * time.Second
	}
	if o.ReportInterval <= 0 {
		o.ReportInterval = defaultReportInterval
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("rotate: piped log: %w", err)
	}
	p := &Pipe{argv: argv, o: o, r: r, w: w, done: make(chan struct{}), stop: make(chan struct{}), pumped: make(chan struct{}),
		reports: lossReport{target: "|" + argv[0], errorLog: o.ErrorLog, interval: o.ReportInterval}}
	p.wake = sync.NewCond(&p.mu)
	cmd, err := p.start()
	if err != nil {
		r.Close()
		w.Close()
		return nil, err
	}
	p.cmd = cmd
	p.wg.Add(1)
	go p.pump()
	go p.supervise(cmd, o.Clock())
	return p, nil
}

func (p *Pipe) start() (*exec.Cmd, error) {
	cmd := &exec.Cmd{Path: p.argv[0], Args: p.argv, Dir: p.o.Dir, Env: p.o.Env,
		Stdin: p.r, Stdout: p.o.Stdout, Stderr: p.o.Stderr}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("rotate: unable to start piped log program %q: %w", p.argv[0], err)
	}
	return cmd, nil
}

// Write queues line for the program. It never blocks on the program: a
// line that does not fit in the buffer is dropped and counted.
func (p *Pipe) Write(line []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closing {
		return 0, ErrClosed
	}
	if len(p.buf)+len(line) > p.o.Buffer && len(p.buf) > 0 {
		p.lost.Add(1)
		if p.o.ErrorLog == nil {
			return 0, ErrBufferFull
		}
		p.reports.lost(p.o.Clock(), ErrBufferFull)
		return len(line), nil
	}
	p.buf = append(p.buf, line...)
	p.wake.Signal()
	if p.reports.failing {
		p.reports.ok(p.o.Clock())
	}
	return len(line), nil
}

// pump hands the queued lines to the pipe, blocking while the pipe is
// full, until Close; then it finishes with what is queued, or counts it
// lost if Close gave up and closed the pipe.
func (p *Pipe) pump() {
	defer close(p.pumped)
	for {
		p.mu.Lock()
		for len(p.buf) == 0 && !p.closing {
			p.wake.Wait()
		}
		if len(p.buf) == 0 {
			p.mu.Unlock()
			return
		}
		chunk := p.buf
		p.buf, p.spare = p.spare[:0], nil
		p.mu.Unlock()
		if _, err := p.w.Write(chunk); err != nil {
			p.mu.Lock()
			n := countLines(chunk) + countLines(p.buf)
			p.lost.Add(n)
			p.buf = nil
			if p.o.ErrorLog != nil {
				p.o.ErrorLog(fmt.Errorf("rotate: %d lines for %q dropped at close: %w", n, p.argv[0], err))
			}
			p.mu.Unlock()
			return
		}
		p.mu.Lock()
		p.spare = chunk
		p.mu.Unlock()
	}
}

func countLines(b []byte) int64 {
	n := int64(0)
	for _, c := range b {
		if c == '\n' {
			n++
		}
	}
	return n
}

// supervise restarts the program whenever it dies, until Close; while
// closing, only as long as lines wait in the pipe, and not once Close has
// given up.
func (p *Pipe) supervise(cmd *exec.Cmd, started time.Time) {
	defer p.wg.Done()
	for {
		err := cmd.Wait()
		p.mu.Lock()
		p.cmd = nil
		p.mu.Unlock()
		if isClosed(p.stop) {
			return
		}
		closing := isClosed(p.done)
		if err != nil || !closing {
			p.report(fmt.Errorf("rotate: piped log program %q failed unexpectedly: %w", p.argv[0], errOrExit(err)))
		}
		if closing && pipeUnread(p.r) == 0 {
			return
		}
		for {
			if p.o.Clock().Sub(started) < p.o.RestartDelay {
				t := time.NewTimer(p.o.RestartDelay)
				select {
				case <-p.stop:
					t.Stop()
					return
				case <-t.C:
				}
			}
			started = p.o.Clock()
			next, err := p.start()
			if err == nil {
				p.mu.Lock()
				p.cmd = next
				p.mu.Unlock()
				cmd = next
				break
			}
			p.report(err)
		}
	}
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

func errOrExit(err error) error {
	if err == nil {
		return errors.New("exit status 0")
	}
	return err
}

func (p *Pipe) report(err error) {
	if p.o.ErrorLog == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.o.ErrorLog(err)
}

// Lost returns how many lines were dropped.
func (p *Pipe) Lost() int64 { return p.lost.Load() }

// Close hands the queued lines to the program, closes the pipe so that
// the program reads its end, and waits for it to exit, sending SIGTERM and
// then SIGKILL if it takes longer than CloseTimeout each time.
func (p *Pipe) Close() error {
	p.mu.Lock()
	if p.closing {
		p.mu.Unlock()
		return nil
	}
	p.closing = true
	p.wake.Broadcast()
	p.mu.Unlock()

	t := time.NewTimer(p.o.CloseTimeout)
	select {
	case <-p.pumped:
	case <-t.C:
	}
	p.w.Close() // the program reads what is in the pipe, then end of file
	<-p.pumped
	close(p.done)

	exited := make(chan struct{})
	go func() {
		p.wg.Wait()
		close(exited)
	}()
	var err error
	for _, sig := range []syscall.Signal{0, syscall.SIGTERM, syscall.SIGKILL} {
		if sig != 0 {
			if sig == syscall.SIGTERM {
				close(p.stop)
				err = fmt.Errorf("rotate: piped log program %q did not exit by itself", p.argv[0])
			}
			p.mu.Lock()
			if p.cmd != nil && p.cmd.Process != nil {
				p.cmd.Process.Signal(sig)
			}
			p.mu.Unlock()
		}
		t.Reset(p.o.CloseTimeout)
		select {
		case <-exited:
		case <-t.C:
			continue
		}
		break
	}
	t.Stop()
	<-exited
	p.r.Close()
	p.mu.Lock()
	if p.o.ErrorLog != nil {
		p.reports.flush(p.o.Clock())
	}
	p.mu.Unlock()
	return err
}
