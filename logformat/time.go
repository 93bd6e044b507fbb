package logformat

import (
	"strings"
	"sync/atomic"
	"time"
)

// timeKind is the rendering of a %t item, chosen from its argument as
// httpd's log_request_time chooses it.
type timeKind uint8

const (
	timeCLF      timeKind = iota // [02/Jan/2006:15:04:05 -0700]
	timeCustom                   // strftime
	timeSec                      // seconds since the epoch
	timeMsec                     // milliseconds since the epoch
	timeUsec                     // microseconds since the epoch
	timeMsecFrac                 // milliseconds within the second, 3 digits
	timeUsecFrac                 // microseconds within the second, 6 digits
)

// timeItem is a compiled %t.
type timeItem struct {
	kind   timeKind
	end    bool      // the end of the request instead of its start
	layout *strftime // timeCustom only
}

// compileTime reads the argument of %{...}t with the rules, and the quirks,
// of httpd's log_request_time: an optional "begin" or "end" prefix (which is
// only a prefix when followed by ':' or nothing), then sec, msec, usec,
// msec_frac, usec_frac, or a strftime format.
func compileTime(a string) *timeItem {
	t := &timeItem{kind: timeCustom}
	if a == "" {
		t.kind = timeCLF
		return t
	}
	f := a
	if strings.HasPrefix(f, "begin") {
		f = f[len("begin"):]
		if f == "" {
			t.kind = timeCLF
		} else if f[0] == ':' {
			f = f[1:]
			a = f
		}
	} else if strings.HasPrefix(f, "end") {
		f = f[len("end"):]
		if f == "" {
			t.end = true
			t.kind = timeCLF
		} else if f[0] == ':' {
			f = f[1:]
			a = f
			t.end = true
		}
	}
	switch {
	case strings.HasPrefix(f, "msec"):
		switch f[len("msec"):] {
		case "":
			t.kind = timeMsec
		case "_frac":
			t.kind = timeMsecFrac
		}
	case strings.HasPrefix(f, "usec"):
		switch f[len("usec"):] {
		case "":
			t.kind = timeUsec
		case "_frac":
			t.kind = timeUsecFrac
		}
	case f == "sec":
		t.kind = timeSec
	case f == "":
		t.kind = timeCLF
	}
	if t.kind == timeCustom {
		t.layout = compileStrftime(a)
	}
	return t
}

// appendTime renders a %t item for r.
func (f *Format) appendTime(dst []byte, t *timeItem, r *Record) []byte {
	when := r.Begin
	if t.end {
		when = r.End
	}
	us := when.UnixMicro()
	switch t.kind {
	case timeCLF:
		return f.clf.append(dst, when, f.loc)
	case timeSec:
		return appendInt(dst, floorDiv(us, 1e6))
	case timeMsec:
		return appendInt(dst, floorDiv(us, 1e3))
	case timeUsec:
		return appendInt(dst, us)
	case timeMsecFrac:
		return appendPadded(dst, (us%1e6)/1e3, 3)
	case timeUsecFrac:
		return appendPadded(dst, us%1e6, 6)
	}
	return t.layout.append(dst, when.In(f.loc))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// clfEntry is one rendered [dd/Mon/yyyy:hh:mm:ss +zzzz].
type clfEntry struct {
	sec int64
	n   int
	buf [40]byte
}

// clfCache keeps the last CLF time string, so that %t is formatted once per
// second, as httpd's request_time_cache does.
type clfCache struct {
	last atomic.Pointer[clfEntry]
}

func (c *clfCache) append(dst []byte, t time.Time, loc *time.Location) []byte {
	sec := t.Unix()
	if e := c.last.Load(); e != nil && e.sec == sec {
		return append(dst, e.buf[:e.n]...)
	}
	e := &clfEntry{sec: sec}
	e.n = len(appendCLF(e.buf[:0], t.In(loc)))
	c.last.Store(e)
	return append(dst, e.buf[:e.n]...)
}

var monthNames = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// appendCLF renders t as httpd's "[%02d/%s/%d:%02d:%02d:%02d %c%.2d%.2d]":
// the zone offset is written in hours and minutes, any seconds dropped.
func appendCLF(dst []byte, t time.Time) []byte {
	year, month, day := t.Date()
	hour, min, sec := t.Clock()
	_, off := t.Zone()
	dst = append(dst, '[')
	dst = appendPadded(dst, int64(day), 2)
	dst = append(dst, '/')
	dst = append(dst, monthNames[month-1]...)
	dst = append(dst, '/')
	dst = appendInt(dst, int64(year))
	dst = append(dst, ':')
	dst = appendPadded(dst, int64(hour), 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, int64(min), 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, int64(sec), 2)
	dst = append(dst, ' ')
	sign := byte('+')
	if off < 0 {
		sign = '-'
		off = -off
	}
	dst = append(dst, sign)
	dst = appendPadded(dst, int64(off/3600), 2)
	dst = appendPadded(dst, int64(off%3600/60), 2)
	return append(dst, ']')
}

// appendInt appends the decimal form of n.
func appendInt(dst []byte, n int64) []byte {
	if n < 0 {
		dst = append(dst, '-')
		if n == -n { // math.MinInt64
			return append(dst, "9223372036854775808"...)
		}
		n = -n
	}
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(dst, b[i:]...)
}

// appendPadded appends n, which must not be negative, with at least width
// digits.
func appendPadded(dst []byte, n int64, width int) []byte {
	var b [20]byte
	i := len(b)
	for n > 0 || len(b)-i < width {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return append(dst, b[i:]...)
}
