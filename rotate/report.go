package rotate

import (
	"fmt"
	"time"
)

// lossReport counts the lines a Writer or a Pipe could not write and
// reports them to an error log at most once per interval, and once when
// writing works again. Its user serialises the calls.
type lossReport struct {
	target   string // what the lines were for, quoted in the reports
	errorLog func(error)
	interval time.Duration

	failing bool      // the last line was lost
	pending int64     // lines lost and not reported yet
	since   time.Time // of the first of them
	err     error     // the last error
	last    time.Time // of the last report
	lastOK  time.Time // of the last report that writing works again
}

// lost counts a line lost at now for err, and reports if it is time.
func (r *lossReport) lost(now time.Time, err error) {
	if r.pending == 0 {
		r.since = now
	}
	r.failing = true
	r.pending++
	r.err = err
	if r.last.IsZero() || now.Sub(r.last) >= r.interval || now.Before(r.last) {
		r.report(now)
	}
}

// ok notes that a line was written at now, reporting the end of a run of
// failures. Recoveries are reported at most once per interval too: when
// writing flaps between failing and working (a piped log's buffer that
// the program drains slower than lines come), the lines lost in between
// wait for the next report that is due, and are never reported once per
// flap.
func (r *lossReport) ok(now time.Time) {
	if !r.failing && r.pending == 0 {
		return
	}
	r.failing = false
	if !r.lastOK.IsZero() && now.Sub(r.lastOK) < r.interval && !now.Before(r.lastOK) {
		return
	}
	if r.pending == 0 {
		r.errorLog(fmt.Errorf("rotate: writing to %q works again", r.target))
	} else {
		r.errorLog(fmt.Errorf("rotate: writing to %q works again; %d more lines were lost since %s: %w",
			r.target, r.pending, r.since.Format(time.RFC3339), r.err))
	}
	r.pending, r.last, r.lastOK = 0, now, now
}

// flush reports the lines lost and not reported yet.
func (r *lossReport) flush(now time.Time) {
	if r.pending > 0 {
		r.report(now)
	}
}

func (r *lossReport) report(now time.Time) {
	r.errorLog(fmt.Errorf("rotate: %d lines could not be written to %q since %s: %w",
		r.pending, r.target, r.since.Format(time.RFC3339), r.err))
	r.pending, r.last = 0, now
}
