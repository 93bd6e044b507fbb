package integration

// Comparison of appended log bytes with the corpus' expectation.
//
// The expected bytes are split into per-item values by walking the
// format (literal text between items must match exactly). Items that
// vary from run to run (the volatile column: times, durations, pids,
// client port, log ids, TTFB, date headers) are then checked by shape
// and by meaning (a time must lie inside the test window, in the
// instance's zone; the client port must be the port the test connected
// from; ...); every other item must be byte-identical.

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // zone data for the TZ instances even without /usr/share/zoneinfo
)

// fmtItem is one element of a parsed LogFormat string.
type fmtItem struct {
	Lit       []byte // literal text (after LogFormat backslash processing)
	IsLit     bool
	Directive string // "t", "^FB", ...
	Arg       string
	Conds     []int
	Raw       string // the item as written, for messages
}

// parseLogFormat splits a format (logformat_value, i.e. after the config
// tokenizer) the way mod_log_config's parse_log_string does.
func parseLogFormat(f string) ([]fmtItem, error) {
	var items []fmtItem
	s := f
	for len(s) > 0 {
		if s[0] != '%' {
			// parse_log_misc_string: \\ \r \n \t are escapes, any other
			// backslash is copied verbatim.
			var lit []byte
			i := 0
			for i < len(s) && s[i] != '%' {
				if s[i] != '\\' {
					lit = append(lit, s[i])
					i++
					continue
				}
				i++
				if i < len(s) {
					switch s[i] {
					case '\\':
						lit = append(lit, '\\')
						i++
						continue
					case 'r':
						lit = append(lit, '\r')
						i++
						continue
					case 'n':
						lit = append(lit, '\n')
						i++
						continue
					case 't':
						lit = append(lit, '\t')
						i++
						continue
					}
				}
				lit = append(lit, '\\')
			}
			items = append(items, fmtItem{IsLit: true, Lit: lit, Raw: s[:i]})
			s = s[i:]
			continue
		}
		// parse_log_item
		i := 1
		if i < len(s) && s[i] == '%' {
			items = append(items, fmtItem{IsLit: true, Lit: []byte("%"), Raw: "%%"})
			s = s[2:]
			continue
		}
		it := fmtItem{}
		done := false
		for i < len(s) && !done {
			c := s[i]
			switch {
			case c == '!' || c == '<' || c == '>' || c == ',':
				i++
			case c == '{':
				end := strings.IndexByte(s[i+1:], '}')
				if end < 0 {
					it.Arg = s[i+1:]
					i = len(s)
				} else {
					it.Arg = s[i+1 : i+1+end]
					i += end + 2
				}
			case c >= '0' && c <= '9':
				n := 0
				for i < len(s) && s[i] >= '0' && s[i] <= '9' {
					n = n*10 + int(s[i]-'0')
					i++
				}
				it.Conds = append(it.Conds, n)
			default:
				if c == '^' && i+2 < len(s) {
					it.Directive = s[i : i+3]
					i += 3
				} else {
					it.Directive = s[i : i+1]
					i++
				}
				done = true
			}
		}
		if !done {
			return nil, fmt.Errorf("format %q: ran off end of LogFormat parsing args", f)
		}
		it.Raw = s[:i]
		items = append(items, it)
		s = s[i:]
	}
	return items, nil
}

// Volatile categories of the corpus (column volatile).
const (
	volTime     = "time"
	volDuration = "duration"
	volPid      = "pid/tid"
	volPort     = "client port"
	volLogID    = "log id"
	volTTFB     = "ttfb"
	volPath     = "filesystem path"
	volFileDate = "file mtime/date header"
)

var knownVolatile = map[string]bool{
	volTime: true, volDuration: true, volPid: true, volPort: true,
	volLogID: true, volTTFB: true, volPath: true, volFileDate: true,
}

// volKind says how a volatile item's value is checked.
type volKind int

const (
	vkNone volKind = iota
	vkTime
	vkDurationS
	vkDurationMS
	vkDurationUS
	vkPid
	vkTid
	vkHexTid
	vkRemotePort
	vkLogID
	vkTTFB
	vkHTTPDate
	vkETag
)

// volatileKind classifies an item. Items whose value necessarily changes
// between runs are volatile whatever the column says; the column adds the
// response date headers. "filesystem path" needs no special treatment:
// {ServerRoot} in the expectation is replaced by the instance's root.
func volatileKind(it fmtItem, cats map[string]bool) volKind {
	if it.IsLit {
		return vkNone
	}
	a := it.Arg
	switch it.Directive {
	case "t":
		return vkTime
	case "T":
		switch strings.ToLower(a) {
		case "", "s":
			return vkDurationS
		case "ms":
			return vkDurationMS
		case "us":
			return vkDurationUS
		}
	case "D":
		return vkDurationUS
	case "P":
		switch {
		case a == "" || strings.EqualFold(a, "pid"):
			return vkPid
		case strings.EqualFold(a, "tid") || strings.EqualFold(a, "hextid"):
			if a[0] == 'h' {
				return vkHexTid
			}
			return vkTid
		}
	case "p":
		if strings.EqualFold(a, "remote") {
			return vkRemotePort
		}
	case "L":
		return vkLogID
	case "^FB":
		return vkTTFB
	case "o":
		if cats[volFileDate] {
			switch strings.ToLower(a) {
			case "date", "last-modified", "expires":
				return vkHTTPDate
			case "etag":
				return vkETag
			}
		}
	}
	return vkNone
}

// Time formats of %{...}t, mirroring log_request_time in mod_log_config.
const (
	tfCustom = iota
	tfCLF
	tfSec
	tfMsec
	tfUsec
	tfMsecFrac
	tfUsecFrac
)

type timeSpec struct {
	Type int
	Fmt  string // strftime format for tfCustom
	End  bool   // request end time instead of start
}

func parseTimeArg(a string) timeSpec {
	ts := timeSpec{Type: tfCustom, Fmt: a}
	if a == "" {
		ts.Type = tfCLF
		return ts
	}
	f := a
	if strings.HasPrefix(f, "begin") {
		f = f[5:]
		if f == "" {
			ts.Type = tfCLF
		} else if f[0] == ':' {
			f = f[1:]
			ts.Fmt = f
		}
	} else if strings.HasPrefix(f, "end") {
		f = f[3:]
		if f == "" {
			ts.End = true
			ts.Type = tfCLF
		} else if f[0] == ':' {
			f = f[1:]
			ts.Fmt = f
			ts.End = true
		}
	}
	switch {
	case strings.HasPrefix(f, "msec"):
		if f[4:] == "" {
			ts.Type = tfMsec
		} else if f[4:] == "_frac" {
			ts.Type = tfMsecFrac
		}
	case strings.HasPrefix(f, "usec"):
		if f[4:] == "" {
			ts.Type = tfUsec
		} else if f[4:] == "_frac" {
			ts.Type = tfUsecFrac
		}
	case f == "sec":
		ts.Type = tfSec
	case f == "":
		ts.Type = tfCLF
	}
	return ts
}

// clfTime renders Apache's %t.
func clfTime(t time.Time) string {
	_, off := t.Zone()
	sign := byte('+')
	if off < 0 {
		sign = '-'
		off = -off
	}
	return fmt.Sprintf("[%02d/%s/%d:%02d:%02d:%02d %c%02d%02d]",
		t.Day(), t.Month().String()[:3], t.Year(), t.Hour(), t.Minute(), t.Second(),
		sign, off/3600, (off%3600)/60)
}

// checkEnv is what the semantic checks of volatile items know about the run.
type checkEnv struct {
	Lo, Hi     time.Time      // the test window for this case
	Loc        *time.Location // the instance's zone
	ClientPort int            // local port of the test's connection, 0 if unknown
}

// window slack: clocks are shared, but second-resolution values round down
// and httpd takes the request time a little before logging.
const windowSlack = time.Second

func (e *checkEnv) secondsInWindow() []time.Time {
	lo := e.Lo.Add(-windowSlack).Truncate(time.Second)
	hi := e.Hi.Add(windowSlack)
	var out []time.Time
	for t := lo; !t.After(hi) && len(out) < 600; t = t.Add(time.Second) {
		out = append(out, t.In(e.Loc))
	}
	return out
}

func (e *checkEnv) windowDuration() time.Duration {
	return e.Hi.Sub(e.Lo) + 2*windowSlack
}

func isDigits(v string) bool {
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}

var (
	hexRE      = regexp.MustCompile(`^[0-9a-f]+$`)
	logIDRE    = regexp.MustCompile(`^[A-Za-z0-9@+/=_-]+$`)
	etagRE     = regexp.MustCompile(`^(?:W/)?\\"([0-9a-f]+)(?:-[0-9a-f]+)*\\"$`)
	httpDateRE = regexp.MustCompile(`^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$`)
)

// shapeOK is the phase-1 check, used to split the expected line: the value
// has the form of the item (or is "-", which every item can log).
func shapeOK(k volKind, it fmtItem, v string) bool {
	if v == "-" {
		return true
	}
	switch k {
	case vkTime:
		return timeShapeRE(parseTimeArg(it.Arg)).MatchString(v)
	case vkDurationS, vkDurationMS, vkDurationUS, vkPid, vkTid, vkRemotePort, vkTTFB:
		return isDigits(v)
	case vkHexTid:
		return hexRE.MatchString(v)
	case vkLogID:
		return logIDRE.MatchString(v)
	case vkHTTPDate:
		return httpDateRE.MatchString(v)
	case vkETag:
		return etagRE.MatchString(v)
	}
	return true
}

// checkVolatile is the phase-2 check of an actual value against the
// expected one: same class ("-" or not), right shape, plausible meaning.
func checkVolatile(k volKind, it fmtItem, expected, actual string, env *checkEnv) error {
	if expected == "-" || actual == "-" {
		if expected != actual {
			return fmt.Errorf("%s: got %q, want %q", it.Raw, actual, expected)
		}
		return nil
	}
	bad := func(why string) error {
		return fmt.Errorf("%s: got %q (expected shape like %q): %s", it.Raw, actual, expected, why)
	}
	num := func() (int64, error) {
		if !isDigits(actual) {
			return 0, bad("not a non-negative integer")
		}
		n, err := strconv.ParseInt(actual, 10, 64)
		if err != nil {
			return 0, bad(err.Error())
		}
		return n, nil
	}
	switch k {
	case vkTime:
		return checkTime(parseTimeArg(it.Arg), actual, env, it.Raw)
	case vkDurationS, vkDurationMS, vkDurationUS, vkTTFB:
		n, err := num()
		if err != nil {
			return err
		}
		var limit int64
		switch k {
		case vkDurationS:
			limit = int64(env.windowDuration()/time.Second) + 1
		case vkDurationMS:
			limit = env.windowDuration().Milliseconds() + 1
		default:
			limit = env.windowDuration().Microseconds() + 1
		}
		if n > limit {
			return bad(fmt.Sprintf("longer than the test window (%d)", limit))
		}
	case vkPid, vkTid:
		if n, err := num(); err != nil {
			return err
		} else if n == 0 {
			return bad("zero")
		}
	case vkHexTid:
		if !hexRE.MatchString(actual) {
			return bad("not lower-case hex")
		}
	case vkRemotePort:
		n, err := num()
		if err != nil {
			return err
		}
		if expected == "0" {
			// mod_remoteip replaced the client address: the
			// useragent's port is 0, on both sides or neither.
			if n != 0 {
				return bad("the reference logged 0 (an address from mod_remoteip)")
			}
			return nil
		}
		if env.ClientPort != 0 && n != int64(env.ClientPort) {
			return bad(fmt.Sprintf("the client connected from port %d", env.ClientPort))
		}
		if n < 1 || n > 65535 {
			return bad("not a port")
		}
	case vkLogID:
		if !logIDRE.MatchString(actual) {
			return bad("not a log id")
		}
	case vkHTTPDate:
		if _, err := time.Parse(http.TimeFormat, actual); err != nil || !httpDateRE.MatchString(actual) {
			return bad("not an HTTP date")
		}
	case vkETag:
		em, am := etagRE.FindStringSubmatch(expected), etagRE.FindStringSubmatch(actual)
		if am == nil {
			return bad("not an ETag")
		}
		if em != nil && em[1] != am[1] {
			return bad("the size part differs")
		}
	}
	return nil
}

// checkTime verifies a %{...}t value: it must be what httpd renders for
// some instant in the test window, in the instance's time zone.
func checkTime(ts timeSpec, v string, env *checkEnv, raw string) error {
	lo := env.Lo.Add(-windowSlack)
	hi := env.Hi.Add(windowSlack)
	switch ts.Type {
	case tfSec, tfMsec, tfUsec:
		if !isDigits(v) {
			return fmt.Errorf("%s: %q is not a number", raw, v)
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		var l, h int64
		switch ts.Type {
		case tfSec:
			l, h = lo.Unix(), hi.Unix()
		case tfMsec:
			l, h = lo.UnixMilli(), hi.UnixMilli()
		default:
			l, h = lo.UnixMicro(), hi.UnixMicro()
		}
		if n < l || n > h {
			return fmt.Errorf("%s: %s is outside the test window [%d, %d]", raw, v, l, h)
		}
		return nil
	case tfMsecFrac, tfUsecFrac:
		want := 3
		if ts.Type == tfUsecFrac {
			want = 6
		}
		if len(v) != want || !isDigits(v) {
			return fmt.Errorf("%s: %q is not a %d-digit fraction", raw, v, want)
		}
		return nil
	}
	var tried []string
	for _, t := range env.secondsInWindow() {
		var s string
		if ts.Type == tfCLF {
			s = clfTime(t)
		} else {
			s = strftime(ts.Fmt, t)
		}
		if s == v {
			return nil
		}
		if len(tried) < 3 {
			tried = append(tried, s)
		}
	}
	return fmt.Errorf("%s: %q is not a time in the test window in zone %s (window renders as %q...)", raw, v, env.Loc, tried)
}

// timeShapeRE is a regexp for the form of a %{...}t value.
func timeShapeRE(ts timeSpec) *regexp.Regexp {
	var pat string
	switch ts.Type {
	case tfCLF:
		pat = `\[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\]`
	case tfSec, tfMsec, tfUsec:
		pat = `\d+`
	case tfMsecFrac:
		pat = `\d{3}`
	case tfUsecFrac:
		pat = `\d{6}`
	default:
		pat = strftimeRegexp(ts.Fmt)
	}
	return regexp.MustCompile(`^(?s:` + pat + `)$`)
}

// ---------------------------------------------------------------------
// strftime as glibc does it in the C locale (httpd calls apr_strftime,
// which is strftime on Linux).

var (
	cWeekdays = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	cMonths   = []string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
)

type strfConv struct {
	flags      string
	width      int // -1: none
	conv       byte
	raw        string
	start, end int
}

// scanStrftime splits a strftime format into literal bytes and conversions.
func scanStrftime(f string, lit func(byte), conv func(strfConv)) {
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			lit(f[i])
			continue
		}
		start := i
		i++
		c := strfConv{width: -1, start: start}
		for i < len(f) && strings.IndexByte("_-0^#", f[i]) >= 0 {
			c.flags += f[i : i+1]
			i++
		}
		if i < len(f) && f[i] >= '1' && f[i] <= '9' {
			c.width = 0
			for i < len(f) && f[i] >= '0' && f[i] <= '9' {
				c.width = c.width*10 + int(f[i]-'0')
				i++
			}
		}
		if i < len(f) && (f[i] == 'E' || f[i] == 'O') {
			i++
		}
		if i >= len(f) {
			// glibc copies an incomplete conversion at the end as is
			c.conv = 0
			c.raw = f[start:]
			c.end = len(f)
			conv(c)
			return
		}
		c.conv = f[i]
		c.raw = f[start : i+1]
		c.end = i + 1
		conv(c)
	}
}

func strftime(f string, t time.Time) string {
	var b strings.Builder
	scanStrftime(f, func(c byte) { b.WriteByte(c) }, func(c strfConv) {
		b.WriteString(strftimeConv(c, t))
	})
	return b.String()
}

func strftimeConv(c strfConv, t time.Time) string {
	has := func(fl byte) bool { return strings.IndexByte(c.flags, fl) >= 0 }
	num := func(v int, digits int, pad byte) string {
		neg := v < 0
		if neg {
			v = -v
		}
		s := strconv.Itoa(v)
		w := digits
		if c.width >= 0 {
			w = c.width
		}
		switch {
		case has('-'):
			w = 0
		case has('_'):
			pad = ' '
		case has('0'):
			pad = '0'
		}
		if neg {
			s = "-" + s
		}
		for len(s) < w {
			s = string(pad) + s
		}
		return s
	}
	str := func(s string, upOnHash bool) string {
		if has('^') || (upOnHash && has('#')) {
			s = strings.ToUpper(s)
		} else if !upOnHash && has('#') {
			s = strings.ToLower(s)
		}
		if c.width > len(s) {
			pad := " "
			if has('0') {
				pad = "0"
			}
			s = strings.Repeat(pad, c.width-len(s)) + s
		}
		return s
	}
	sub := func(f string) string { return str(strftime(f, t), false) }
	hour12 := t.Hour() % 12
	if hour12 == 0 {
		hour12 = 12
	}
	wday := int(t.Weekday())
	yday := t.YearDay() - 1
	switch c.conv {
	case 'a':
		return str(cWeekdays[wday][:3], true)
	case 'A':
		return str(cWeekdays[wday], true)
	case 'b', 'h':
		return str(cMonths[t.Month()-1][:3], true)
	case 'B':
		return str(cMonths[t.Month()-1], true)
	case 'c':
		return sub("%a %b %e %H:%M:%S %Y")
	case 'C':
		return num(t.Year()/100, 2, '0')
	case 'd':
		return num(t.Day(), 2, '0')
	case 'D', 'x':
		return sub("%m/%d/%y")
	case 'e':
		return num(t.Day(), 2, ' ')
	case 'F':
		return sub("%Y-%m-%d")
	case 'g':
		y, _ := t.ISOWeek()
		return num(y%100, 2, '0')
	case 'G':
		y, _ := t.ISOWeek()
		return num(y, 1, '0')
	case 'H':
		return num(t.Hour(), 2, '0')
	case 'I':
		return num(hour12, 2, '0')
	case 'j':
		return num(yday+1, 3, '0')
	case 'k':
		return num(t.Hour(), 2, ' ')
	case 'l':
		return num(hour12, 2, ' ')
	case 'm':
		return num(int(t.Month()), 2, '0')
	case 'M':
		return num(t.Minute(), 2, '0')
	case 'n':
		return "\n"
	case 'p':
		s := "AM"
		if t.Hour() >= 12 {
			s = "PM"
		}
		if has('#') {
			return strings.ToLower(s)
		}
		return str(s, false)
	case 'P':
		if t.Hour() >= 12 {
			return "pm"
		}
		return "am"
	case 'r':
		return sub("%I:%M:%S %p")
	case 'R':
		return sub("%H:%M")
	case 's':
		return num(int(t.Unix()), 1, '0')
	case 'S':
		return num(t.Second(), 2, '0')
	case 't':
		return "\t"
	case 'T', 'X':
		return sub("%H:%M:%S")
	case 'u':
		return num((wday+6)%7+1, 1, '0')
	case 'U':
		return num((yday+7-wday)/7, 2, '0')
	case 'V':
		_, w := t.ISOWeek()
		return num(w, 2, '0')
	case 'w':
		return num(wday, 1, '0')
	case 'W':
		return num((yday+7-(wday+6)%7)/7, 2, '0')
	case 'y':
		return num(t.Year()%100, 2, '0')
	case 'Y':
		return num(t.Year(), 1, '0')
	case 'z':
		_, off := t.Zone()
		sign := "+"
		if off < 0 {
			sign = "-"
			off = -off
		}
		off /= 60
		return sign + num(off/60*100+off%60, 4, '0')
	case 'Z':
		name, _ := t.Zone()
		if has('#') {
			return strings.ToLower(name)
		}
		return str(name, false)
	case '%':
		return "%"
	}
	return c.raw // unknown conversion: glibc copies it
}

// strftimeRegexp is a regexp matching what strftime(f) can produce.
func strftimeRegexp(f string) string {
	var b strings.Builder
	scanStrftime(f, func(c byte) { b.WriteString(regexp.QuoteMeta(string(c))) }, func(c strfConv) {
		if c.flags != "" || c.width >= 0 {
			b.WriteString(`.*?`)
			return
		}
		b.WriteString(strftimeConvRegexp(c))
	})
	return b.String()
}

func strftimeConvRegexp(c strfConv) string {
	const (
		d2  = `\d\d`
		sp2 = `[ \d]\d`
		abb = `[A-Z][a-z]{2}`
	)
	switch c.conv {
	case 'a', 'b', 'h':
		return abb
	case 'A', 'B':
		return `[A-Z][a-z]+`
	case 'c':
		return abb + ` ` + abb + ` ` + sp2 + ` \d\d:\d\d:\d\d \d+`
	case 'C', 'd', 'g', 'H', 'I', 'm', 'M', 'S', 'U', 'V', 'W', 'y':
		return d2
	case 'D', 'x':
		return `\d\d/\d\d/\d\d`
	case 'e', 'k', 'l':
		return sp2
	case 'F':
		return `-?\d+-\d\d-\d\d`
	case 'G', 'Y':
		return `-?\d+`
	case 'j':
		return `\d{3}`
	case 'n':
		return `\n`
	case 't':
		return `\t`
	case 'p':
		return `(?:AM|PM)`
	case 'P':
		return `(?:am|pm)`
	case 'r':
		return `\d\d:\d\d:\d\d (?:AM|PM)`
	case 'R':
		return `\d\d:\d\d`
	case 's':
		return `-?\d+`
	case 'T', 'X':
		return `\d\d:\d\d:\d\d`
	case 'u', 'w':
		return `\d`
	case 'z':
		return `[+-]\d{4}`
	case 'Z':
		return `[A-Za-z0-9+-]*`
	case '%':
		return `%`
	}
	return regexp.QuoteMeta(c.raw)
}

// ---------------------------------------------------------------------
// Matching

// logExpectation is the parsed expectation for one case's log file.
type logExpectation struct {
	Items   []fmtItem
	Kinds   []volKind
	Entries int        // number of log entries (requests logged)
	Values  [][]string // expected value per entry and item (literals: "")
}

// newLogExpectation splits the expected bytes into entries and item
// values. expected must already have {ServerRoot} substituted.
func newLogExpectation(format string, volatile []string, expected []byte) (*logExpectation, error) {
	items, err := parseLogFormat(format)
	if err != nil {
		return nil, err
	}
	cats := map[string]bool{}
	for _, v := range volatile {
		cats[v] = true
	}
	le := &logExpectation{Items: items}
	litNL := 0
	for _, it := range items {
		le.Kinds = append(le.Kinds, volatileKind(it, cats))
		if it.IsLit {
			litNL += bytes.Count(it.Lit, []byte("\n"))
		}
	}
	nl := bytes.Count(expected, []byte("\n"))
	if nl%(litNL+1) != 0 {
		return nil, fmt.Errorf("expected bytes hold %d newlines, not a multiple of %d per entry", nl, litNL+1)
	}
	le.Entries = nl / (litNL + 1)
	var elems []matchElem
	for e := 0; e < le.Entries; e++ {
		for i, it := range items {
			if it.IsLit {
				elems = append(elems, matchElem{lit: it.Lit})
				continue
			}
			k, it := le.Kinds[i], it
			elems = append(elems, matchElem{capture: true, name: it.Raw,
				pred: func(v []byte) bool { return k == vkNone || shapeOK(k, it, string(v)) }})
		}
		elems = append(elems, matchElem{lit: []byte("\n")})
	}
	caps, ok := matchElems(elems, expected)
	if !ok {
		return nil, fmt.Errorf("cannot split the expected bytes %q with format %q (driver bug?)", expected, format)
	}
	n := 0
	for e := 0; e < le.Entries; e++ {
		vals := make([]string, len(items))
		for i, it := range items {
			if !it.IsLit {
				vals[i] = string(caps[n])
				n++
			}
		}
		le.Values = append(le.Values, vals)
	}
	return le, nil
}

// compare checks actual log bytes against the expectation.
func (le *logExpectation) compare(actual []byte, env *checkEnv) error {
	if le.Entries == 0 {
		if len(actual) != 0 {
			return fmt.Errorf("expected nothing logged, got %q", actual)
		}
		return nil
	}
	build := func(semantic bool) []matchElem {
		var elems []matchElem
		addLit := func(b []byte) {
			if n := len(elems); n > 0 && !elems[n-1].capture {
				elems[n-1].lit = append(elems[n-1].lit, b...)
				return
			}
			elems = append(elems, matchElem{lit: append([]byte(nil), b...)})
		}
		for e := 0; e < le.Entries; e++ {
			for i, it := range le.Items {
				k := le.Kinds[i]
				switch {
				case it.IsLit:
					addLit(it.Lit)
				case k == vkNone || le.Values[e][i] == "-":
					addLit([]byte(le.Values[e][i]))
				default:
					it, want := it, le.Values[e][i]
					elems = append(elems, matchElem{capture: true, name: it.Raw, pred: func(v []byte) bool {
						if !shapeOK(k, it, string(v)) || string(v) == "-" {
							return false
						}
						return !semantic || checkVolatile(k, it, want, string(v), env) == nil
					}})
				}
			}
			addLit([]byte("\n"))
		}
		return elems
	}
	if _, ok := matchElems(build(true), actual); ok {
		return nil
	}
	// Explain: either the fixed parts differ, or a volatile value is off.
	caps, ok := matchElems(build(false), actual)
	if !ok {
		return fmt.Errorf("log bytes differ\n  got  %q\n  want %q\n  %s", actual, le.render(), firstDiff(actual, le.render()))
	}
	var errs []string
	n := 0
	for e := 0; e < le.Entries; e++ {
		for i, it := range le.Items {
			k := le.Kinds[i]
			if it.IsLit || k == vkNone || le.Values[e][i] == "-" {
				continue
			}
			if err := checkVolatile(k, it, le.Values[e][i], string(caps[n]), env); err != nil {
				errs = append(errs, err.Error())
			}
			n++
		}
	}
	return fmt.Errorf("volatile values wrong in %q: %s", actual, strings.Join(errs, "; "))
}

// render is the expectation as bytes (volatile values as recorded).
func (le *logExpectation) render() []byte {
	var b []byte
	for e := 0; e < le.Entries; e++ {
		for i, it := range le.Items {
			if it.IsLit {
				b = append(b, it.Lit...)
			} else {
				b = append(b, le.Values[e][i]...)
			}
		}
		b = append(b, '\n')
	}
	return b
}

func firstDiff(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := i - 20
	if from < 0 {
		from = 0
	}
	tail := func(x []byte) []byte {
		if i >= len(x) {
			return nil
		}
		end := i + 40
		if end > len(x) {
			end = len(x)
		}
		return x[i:end]
	}
	return fmt.Sprintf("first difference at byte %d (after %q): got %q, want %q", i, a[from:i], tail(a), tail(b))
}

// matchElem is a literal or a capture with an optional predicate.
type matchElem struct {
	lit     []byte
	capture bool
	pred    func([]byte) bool
	name    string
}

// matchElems matches s exactly against the element sequence, trying the
// shortest captures first, and returns the captured values.
func matchElems(elems []matchElem, s []byte) ([][]byte, bool) {
	failed := map[[2]int]bool{}
	caps := make([][]byte, 0, len(elems))
	var rec func(i, pos int) bool
	rec = func(i, pos int) bool {
		if i == len(elems) {
			return pos == len(s)
		}
		key := [2]int{i, pos}
		if failed[key] {
			return false
		}
		el := elems[i]
		if !el.capture {
			if bytes.HasPrefix(s[pos:], el.lit) && rec(i+1, pos+len(el.lit)) {
				return true
			}
			failed[key] = true
			return false
		}
		try := func(end int) bool {
			v := s[pos:end]
			if el.pred != nil && !el.pred(v) {
				return false
			}
			caps = append(caps, v)
			if rec(i+1, end) {
				return true
			}
			caps = caps[:len(caps)-1]
			return false
		}
		switch {
		case i+1 == len(elems):
			if try(len(s)) {
				return true
			}
		case !elems[i+1].capture && len(elems[i+1].lit) > 0:
			next := elems[i+1].lit
			for from := pos; from <= len(s); {
				j := bytes.Index(s[from:], next)
				if j < 0 {
					break
				}
				if try(from + j) {
					return true
				}
				from += j + 1
			}
		default:
			for end := pos; end <= len(s); end++ {
				if try(end) {
					return true
				}
			}
		}
		failed[key] = true
		return false
	}
	if !rec(0, 0) {
		return nil, false
	}
	return caps, true
}

// loadZone resolves a TZ value: a zone name, or a POSIX string without
// DST rules such as "JLS-5:30:45" (offsets west of Greenwich are positive).
func loadZone(tz string) (*time.Location, error) {
	if m := posixTZRE.FindStringSubmatch(tz); m != nil {
		atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
		off := atoi(m[3])*3600 + atoi(m[4])*60 + atoi(m[5])
		if m[2] != "-" {
			off = -off
		}
		return time.FixedZone(m[1], off), nil
	}
	return time.LoadLocation(tz)
}

var posixTZRE = regexp.MustCompile(`^([A-Za-z]{3,})([+-]?)(\d{1,2})(?::(\d{1,2}))?(?::(\d{1,2}))?$`)
