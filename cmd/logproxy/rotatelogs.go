package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/jl6/logproxy/rotate"
)

// rotatelogsUsage is Apache rotatelogs' usage text, for logproxy's.
const rotatelogsUsage = `Usage: logproxy rotatelogs [-vlfDtTecz] [-L linkname] [-p prog] [-n number] <logfile> {<rotation time in seconds>|<rotation size>(B|K|M|G)} [offset minutes from UTC]

Add this:

TransferLog "|logproxy rotatelogs /some/where 86400"

or 

TransferLog "|logproxy rotatelogs /some/where 5M"

to httpd.conf. By default, the generated name will be
<logfile>.nnnn where nnnn is the system time at which the log
nominally starts (N.B. if using a rotation time, the time will
always be a multiple of the rotation time, so you can synchronize
cron scripts with it). If <logfile> contains strftime conversion
specifications, those will be used instead. At the end of each
rotation time or when the file size is reached a new log is
started.

Options:
  -v       Verbose operation. Messages are written to stderr.
  -l       Base rotation on local time instead of UTC.
  -L path  Create hard link from current log to specified path.
  -p prog  Run specified program after opening a new log file. See below.
  -f       Force opening of log on program start.
  -D       Create parent directories of log file.
  -t       Truncate logfile instead of rotating, tail friendly.
  -T       Truncate logfiles opened for rotation, but not the initial logfile.
  -e       Echo log to stdout for further processing.
  -c       Create log even if it is empty.
  -n num   Rotate file by adding suffixes '.1', '.2', ..., '.num'.
  -z       Compress rotated files with gzip, in the background (logproxy's).

The program for '-p' is invoked as "[prog] <curfile> [<prevfile>]"
where <curfile> is the filename of the newly opened logfile, and
<prevfile>, if given, is the filename of the previously used logfile.

Any number of logproxy rotatelogs, and logproxy itself, may write to
the same log: they rotate it together.

`

// maxLine is the longest line written with one write; a longer one is
// written in pieces of this size, as rotatelogs writes what it read.
const maxLine = 1 << 20

// rotatelogsMain is `logproxy rotatelogs`, a drop-in for Apache's
// rotatelogs: it reads lines on stdin and writes each with one write to
// the log, rotating it as the arguments say, until stdin ends. Its exit
// statuses are rotatelogs': 1 for a bad command line, 2 when the log
// cannot be opened at start (-f), 3 when stdin cannot be read.
func rotatelogsMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	r, err := rotate.ParseRotatelogsArgs(args)
	if err != nil {
		var ae *rotate.ArgError
		if errors.As(err, &ae) && ae.Usage {
			fmt.Fprintf(stderr, "%s\n%s", ae.Msg, rotatelogsUsage)
		} else {
			fmt.Fprintln(stderr, err)
		}
		return 1
	}
	o := r.Options
	if r.Echo {
		o.Echo = stdout
	}
	if r.Verbose {
		o.Verbose = stderr
		r.DumpConfig(stderr)
	}
	o.ErrorLog = func(err error) { fmt.Fprintf(stderr, "logproxy rotatelogs: %v\n", err) }
	w, err := rotate.New(r.Path, &o)
	if err != nil {
		fmt.Fprintf(stderr, "Could not open log file '%s' (%v)\n", r.Path, err)
		return 2
	}
	code := copyLines(w, stdin, stderr)
	if err := w.Close(); err != nil && code == 0 {
		fmt.Fprintf(stderr, "logproxy rotatelogs: %v\n", err)
	}
	return code
}

// copyLines writes each line of in to w with one Write, and what follows
// the last newline too when in ends.
func copyLines(w io.Writer, in io.Reader, stderr io.Writer) int {
	br := bufio.NewReaderSize(in, 64<<10)
	var long []byte
	for {
		chunk, err := br.ReadSlice('\n')
		switch {
		case err == bufio.ErrBufferFull:
			long = append(long, chunk...)
			if len(long) >= maxLine {
				w.Write(long)
				long = long[:0]
			}
			continue
		case len(long) > 0:
			long = append(long, chunk...)
			chunk = long
			long = long[:0]
		}
		if len(chunk) > 0 {
			w.Write(chunk) // a line lost is counted and reported by w
		}
		switch {
		case err == io.EOF:
			return 0
		case err != nil:
			fmt.Fprintf(stderr, "logproxy rotatelogs: reading stdin: %v\n", err)
			return 3
		}
	}
}
