package logformat

import (
	"strings"
	"time"
)

// strftimeMax is the longest output httpd's %{format}t can produce: it
// passes an 8192-byte buffer to strftime, which fails, returning 0, when
// the output and its terminating NUL do not fit. httpd then logs whatever
// the buffer held; logproxy logs nothing.
const strftimeMax = 8191

// sfKind is what a strftime op renders.
type sfKind uint8

const (
	sfNone   sfKind = iota // not an op: an unknown conversion
	sfLit                  // constant bytes
	sfText                 // a name: weekday, month, AM/PM, zone
	sfNum                  // a number from the broken-down time
	sfUnix                 // %s
	sfOffset               // %z
	sfSub                  // %c %D %F %r %R %T %x %X: a nested layout
)

// sfField selects the value of an sfText or sfNum op.
type sfField uint8

const (
	sfWeekdayAbbr sfField = iota // %a
	sfWeekday                    // %A
	sfMonthAbbr                  // %b %h
	sfMonth                      // %B
	sfAMPM                       // %p %P
	sfZone                       // %Z
	sfCentury                    // %C
	sfMday                       // %d %e
	sfHour                       // %H %k
	sfHour12                     // %I %l
	sfYday                       // %j
	sfMin                        // %M
	sfMon                        // %m
	sfSec                        // %S
	sfWdayMon                    // %u
	sfWeekSun                    // %U
	sfISOWeek                    // %V
	sfISOYear2                   // %g
	sfISOYear                    // %G
	sfWeekMon                    // %W
	sfWday                       // %w
	sfYear                       // %Y
	sfYear2                      // %y
)

// sfOp is one step of a compiled layout. Its fields mirror the state
// glibc's strftime keeps for one conversion.
type sfOp struct {
	kind   sfKind
	field  sfField
	pad    byte // 0, '_', '-' or '0'
	lower  bool // glibc's to_lowcase; wins over upper
	upper  bool // glibc's to_uppcase
	digits int  // numbers: the minimum digit count, max(default, width)
	width  int  // -1 when the conversion has none
	lit    string
	sub    *strftime
}

// strftime is a layout compiled once and rendered per request exactly as
// glibc 2.36's strftime renders it in the C locale.
type strftime struct {
	ops   []sfOp
	empty bool // some constant piece alone is over strftimeMax
}

// Names in the C locale. The O modifier's alternative month names are the
// same there.
var (
	sfWeekdays = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	sfMonths   = [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
)

// The C locale's composite formats.
const (
	sfFmtC = "%a %b %e %H:%M:%S %Y" // %c (D_T_FMT)
	sfFmtX = "%m/%d/%y"             // %x (D_FMT) and %D
	sfFmtT = "%H:%M:%S"             // %X (T_FMT) and %T
	sfFmtR = "%I:%M:%S %p"          // %r (T_FMT_AMPM)
)

// sfConv is how glibc renders one conversion character in the C locale.
type sfConv struct {
	kind     sfKind // sfNone: an unknown conversion, copied literally
	field    sfField
	digits   int    // numbers: the default minimum digit count
	spacePad bool   // numbers: padded with spaces unless a flag says 0 or -
	reject   string // the modifiers, E or O, that make it unknown
	sub      string // sfSub: the nested layout; sfLit: the text
}

// sfConvs is glibc's conversion switch, by conversion character.
var sfConvs = [128]sfConv{
	'%': {kind: sfLit, sub: "%", reject: "EO"},
	'n': {kind: sfLit, sub: "\n"},
	't': {kind: sfLit, sub: "\t"},
	'a': {kind: sfText, field: sfWeekdayAbbr, reject: "EO"},
	'A': {kind: sfText, field: sfWeekday, reject: "EO"},
	'b': {kind: sfText, field: sfMonthAbbr, reject: "E"},
	'h': {kind: sfText, field: sfMonthAbbr, reject: "E"},
	'B': {kind: sfText, field: sfMonth, reject: "E"},
	'p': {kind: sfText, field: sfAMPM},
	'P': {kind: sfText, field: sfAMPM},
	'Z': {kind: sfText, field: sfZone},
	'c': {kind: sfSub, sub: sfFmtC, reject: "O"},
	'x': {kind: sfSub, sub: sfFmtX, reject: "O"},
	'D': {kind: sfSub, sub: sfFmtX, reject: "EO"},
	'F': {kind: sfSub, sub: "%Y-%m-%d", reject: "EO"},
	'R': {kind: sfSub, sub: "%H:%M"},
	'r': {kind: sfSub, sub: sfFmtR},
	'X': {kind: sfSub, sub: sfFmtT, reject: "O"},
	'T': {kind: sfSub, sub: sfFmtT},
	'C': {kind: sfNum, field: sfCentury, digits: 1},
	'd': {kind: sfNum, field: sfMday, digits: 2, reject: "E"},
	'e': {kind: sfNum, field: sfMday, digits: 2, spacePad: true, reject: "E"},
	'H': {kind: sfNum, field: sfHour, digits: 2, reject: "E"},
	'k': {kind: sfNum, field: sfHour, digits: 2, spacePad: true, reject: "E"},
	'I': {kind: sfNum, field: sfHour12, digits: 2, reject: "E"},
	'l': {kind: sfNum, field: sfHour12, digits: 2, spacePad: true, reject: "E"},
	'j': {kind: sfNum, field: sfYday, digits: 3, reject: "E"},
	'M': {kind: sfNum, field: sfMin, digits: 2, reject: "E"},
	'm': {kind: sfNum, field: sfMon, digits: 2, reject: "E"},
	'S': {kind: sfNum, field: sfSec, digits: 2, reject: "E"},
	'u': {kind: sfNum, field: sfWdayMon, digits: 1},
	'U': {kind: sfNum, field: sfWeekSun, digits: 2, reject: "E"},
	'V': {kind: sfNum, field: sfISOWeek, digits: 2, reject: "E"},
	'g': {kind: sfNum, field: sfISOYear2, digits: 2, reject: "E"},
	'G': {kind: sfNum, field: sfISOYear, digits: 1, reject: "E"},
	'W': {kind: sfNum, field: sfWeekMon, digits: 2, reject: "E"},
	'w': {kind: sfNum, field: sfWday, digits: 1, reject: "E"},
	'Y': {kind: sfNum, field: sfYear, digits: 1, reject: "O"},
	'y': {kind: sfNum, field: sfYear2, digits: 2},
	's': {kind: sfUnix, digits: 1},
	'z': {kind: sfOffset, digits: 4},
}

// compileStrftime compiles a strftime layout. Every layout compiles: like
// glibc, it copies unknown conversions through literally. A NUL ends the
// layout, as it ends a C string.
func compileStrftime(layout string) *strftime {
	if i := strings.IndexByte(layout, 0); i >= 0 {
		layout = layout[:i]
	}
	s := &strftime{}
	var lit []byte
	addLit := func(b []byte, width int, pad byte, upper bool) {
		if s.empty {
			return
		}
		n := max(len(b), width)
		if n > strftimeMax || len(lit)+n > strftimeMax {
			s.empty = true
			return
		}
		lit = sfAppendPad(lit, sfPadByte(pad), n-len(b))
		start := len(lit)
		lit = append(lit, b...)
		if upper {
			sfUpper(lit[start:])
		}
	}
	flush := func() {
		if len(lit) > 0 {
			s.ops = append(s.ops, sfOp{kind: sfLit, lit: string(lit)})
			lit = lit[:0]
		}
	}
	push := func(op sfOp) {
		flush()
		s.ops = append(s.ops, op)
	}

	f := layout
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			addLit([]byte{f[i]}, -1, 0, false)
			continue
		}
		var pad byte
		upper, changeCase := false, false
		i++
	flags:
		for ; i < len(f); i++ {
			switch f[i] {
			case '_', '-', '0':
				pad = f[i]
			case '^':
				upper = true
			case '#':
				changeCase = true
			default:
				break flags
			}
		}
		width := -1
		if i < len(f) && sfIsDigit(f[i]) {
			width = 0
			for ; i < len(f) && sfIsDigit(f[i]); i++ {
				d := int(f[i] - '0')
				if width > (1<<31-1-d)/10 {
					width = 1<<31 - 1
				} else {
					width = width*10 + d
				}
			}
		}
		var modifier byte
		if i < len(f) && (f[i] == 'E' || f[i] == 'O') {
			modifier = f[i]
			i++
		}
		var c byte
		if i < len(f) {
			c = f[i]
		}
		bad := func() {
			// glibc copies from the nearest '%' at or before the
			// conversion character through that character.
			end := i + 1
			if c == 0 { // the layout ended inside the conversion
				end = len(f)
				i = len(f) - 1
			}
			start := strings.LastIndexByte(f[:end], '%')
			addLit([]byte(f[start:end]), width, pad, upper)
		}
		var cv sfConv
		if c < 128 {
			cv = sfConvs[c]
		}
		if cv.kind == sfNone || modifier != 0 && strings.IndexByte(cv.reject, modifier) >= 0 {
			bad()
			continue
		}
		op := sfOp{kind: cv.kind, field: cv.field, pad: pad, upper: upper, width: width}
		switch cv.kind {
		case sfLit: // %% %n %t, which glibc does not case-convert
			addLit([]byte(cv.sub), width, pad, false)
			continue
		case sfNum, sfOffset, sfUnix:
			if cv.spacePad && pad != '0' && pad != '-' {
				op.pad = '_'
			}
			op.digits = cv.digits
			if cv.kind != sfUnix {
				op.digits = max(cv.digits, width)
			}
		case sfText:
			switch {
			case c == 'Z' || c == 'p' || c == 'P':
				// The # flag and %P make these lower case.
				op.lower = changeCase || c == 'P'
			case changeCase:
				op.upper = true
			}
		case sfSub:
			op.sub = compileStrftime(cv.sub)
		}
		push(op)
	}
	flush()
	if s.empty {
		s.ops = nil
	}
	return s
}

func sfIsDigit(c byte) bool { return '0' <= c && c <= '9' }

// sfPadByte is the byte glibc pads a field with: '0' under the 0 flag, else
// a space.
func sfPadByte(pad byte) byte {
	if pad == '0' {
		return '0'
	}
	return ' '
}

const (
	sfSpaces = "                                "
	sfZeros  = "00000000000000000000000000000000"
)

// sfAppendPad appends n copies of c, which is ' ' or '0'.
func sfAppendPad(dst []byte, c byte, n int) []byte {
	src := sfSpaces
	if c == '0' {
		src = sfZeros
	}
	for n > 0 {
		k := min(n, len(src))
		dst = append(dst, src[:k]...)
		n -= k
	}
	return dst
}

func sfUpper(b []byte) {
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - ('a' - 'A')
		}
	}
}

func sfLower(b []byte) {
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
}

// sfTime is the struct tm strftime reads.
type sfTime struct {
	year                      int // full year, not year-1900
	mon, mday, hour, min, sec int // mon is 1-12
	wday, yday                int // yday is 0-365
	zone                      string
	offset                    int // seconds east of UTC
	t                         time.Time
}

func (b *sfTime) set(t time.Time) {
	b.t = t
	b.zone, b.offset = t.Zone()
	// The civil date of the local time, computed once rather than by
	// t.Date, t.Clock, t.Weekday and t.YearDay, which each look the zone
	// up again.
	u := t.Unix() + int64(b.offset)
	days, sod := u/86400, u%86400
	if sod < 0 {
		days, sod = days-1, sod+86400
	}
	b.hour, b.min, b.sec = int(sod/3600), int(sod/60%60), int(sod%60)
	b.wday = int((days%7 + 11) % 7) // 1970-01-01 was a Thursday
	// Howard Hinnant's civil_from_days, in 400-year eras from 0000-03-01.
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	b.mday = int(doy - (153*mp+2)/5 + 1)
	b.mon = int(mp + 3)
	b.year = int(yoe + era*400)
	if b.mon > 12 {
		b.mon -= 12
		b.year++
	}
	b.yday = tzMonYday[sfB2i(sfIsLeap(b.year))][b.mon-1] + b.mday - 1
}

// sfMktime is what %s prints: glibc's mktime of the broken-down local time,
// not the time itself. The two differ when the clock went back without a
// change of tm_isdst, as when a zone moves to a smaller standard offset:
// in the repeated interval mktime, starting from the offset it found last
// time, which in a steady stream of log lines is the offset from before
// the change, finds the earlier of the two times that read the same.
func sfMktime(t time.Time) int64 {
	unix := t.Unix()
	start, _ := t.ZoneBounds()
	if start.IsZero() {
		return unix
	}
	_, off := t.Zone()
	prev := start.Add(-time.Second)
	_, prevOff := prev.Zone()
	if prevOff <= off || prev.IsDST() != t.IsDST() {
		return unix
	}
	earlier := unix - int64(prevOff-off)
	if earlier >= start.Unix() {
		return unix
	}
	e := time.Unix(earlier, 0).In(t.Location())
	if _, eOff := e.Zone(); eOff != prevOff || e.IsDST() != t.IsDST() {
		return unix
	}
	return earlier
}

func sfIsLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// sfISOWeekDays is glibc's iso_week_days: the days from the Monday of ISO
// week 1 of the year to the year day yday falling on weekday wday.
func sfISOWeekDays(yday, wday int) int {
	const bigEnoughMultipleOf7 = (366/7 + 2) * 7
	return yday - (yday-wday+4+bigEnoughMultipleOf7)%7 + 3
}

func (b *sfTime) number(f sfField) int {
	switch f {
	case sfCentury:
		c := b.year / 100
		if b.year%100 < 0 {
			c--
		}
		return c
	case sfMday:
		return b.mday
	case sfHour:
		return b.hour
	case sfHour12:
		h := b.hour
		if h > 12 {
			h -= 12
		} else if h == 0 {
			h = 12
		}
		return h
	case sfYday:
		return b.yday + 1
	case sfMin:
		return b.min
	case sfMon:
		return b.mon
	case sfSec:
		return b.sec
	case sfWdayMon:
		return (b.wday-1+7)%7 + 1
	case sfWeekSun:
		return (b.yday - b.wday + 7) / 7
	case sfWeekMon:
		return (b.yday - (b.wday-1+7)%7 + 7) / 7
	case sfWday:
		return b.wday
	case sfYear:
		return b.year
	case sfYear2:
		return ((b.year-1900)%100 + 100) % 100
	}
	// ISO 8601 week-based fields.
	year := b.year
	days := sfISOWeekDays(b.yday, b.wday)
	if days < 0 {
		year--
		days = sfISOWeekDays(b.yday+365+sfB2i(sfIsLeap(year)), b.wday)
	} else if d := sfISOWeekDays(b.yday-(365+sfB2i(sfIsLeap(year))), b.wday); d >= 0 {
		year++
		days = d
	}
	switch f {
	case sfISOYear2:
		return (year%100 + 100) % 100
	case sfISOYear:
		return year
	}
	return days/7 + 1
}

func sfB2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (b *sfTime) text(f sfField) string {
	switch f {
	case sfWeekdayAbbr:
		return sfWeekdays[b.wday][:3]
	case sfWeekday:
		return sfWeekdays[b.wday]
	case sfMonthAbbr:
		return sfMonths[b.mon-1][:3]
	case sfMonth:
		return sfMonths[b.mon-1]
	case sfAMPM:
		if b.hour > 11 {
			return "PM"
		}
		return "AM"
	}
	return b.zone
}

// append renders t, which must already be in the zone to render it in, and
// appends the result to dst. When glibc's strftime would fail because the
// result does not fit httpd's buffer, it appends nothing.
func (s *strftime) append(dst []byte, t time.Time) []byte {
	if s.empty {
		return dst
	}
	var b sfTime
	b.set(t)
	start := len(dst)
	out, ok := s.render(dst, start, &b)
	if !ok {
		return dst[:start]
	}
	return out
}

// sfFits reports whether n more bytes keep the output, which began at start,
// within strftimeMax.
func sfFits(dst []byte, start, n int) bool {
	return n >= 0 && n <= strftimeMax-(len(dst)-start)
}

func (s *strftime) render(dst []byte, start int, b *sfTime) ([]byte, bool) {
	ok := true
	for i := range s.ops {
		op := &s.ops[i]
		switch op.kind {
		case sfLit:
			if !sfFits(dst, start, len(op.lit)) {
				return dst, false
			}
			dst = append(dst, op.lit...)
		case sfText:
			dst, ok = op.appendText(dst, start, b.text(op.field))
		case sfNum:
			n := b.number(op.field)
			neg := n < 0
			u := uint64(n)
			if neg {
				u = -u
			}
			dst, ok = op.appendNumber(dst, start, neg, u, op.width)
		case sfUnix:
			unix := sfMktime(b.t)
			u := uint64(unix)
			if unix < 0 {
				u = -u
			}
			dst, ok = op.appendNumber(dst, start, unix < 0, u, op.width)
		case sfOffset:
			off, sign := b.offset, "+"
			if off < 0 {
				off, sign = -off, "-"
			}
			// glibc pads the sign to the field width too.
			dst, ok = op.appendText(dst, start, sign)
			if ok {
				off /= 60
				dst, ok = op.appendNumber(dst, start, false, uint64(off/60*100+off%60), op.width)
			}
		case sfSub:
			dst, ok = op.appendSub(dst, start, b)
		}
		if !ok {
			return dst, false
		}
	}
	return dst, true
}

// appendText is glibc's cpy: the text right-aligned in the field width,
// then case-converted.
func (op *sfOp) appendText(dst []byte, start int, text string) ([]byte, bool) {
	n := max(len(text), op.width)
	if !sfFits(dst, start, n) {
		return dst, false
	}
	dst = sfAppendPad(dst, sfPadByte(op.pad), n-len(text))
	at := len(dst)
	dst = append(dst, text...)
	if op.lower {
		sfLower(dst[at:])
	} else if op.upper {
		sfUpper(dst[at:])
	}
	return dst, true
}

// appendNumber is glibc's do_number_sign_and_padding for the magnitude u
// and sign neg.
func (op *sfOp) appendNumber(dst []byte, start int, neg bool, u uint64, width int) ([]byte, bool) {
	if width < 0 && op.pad != '_' && op.pad != '-' && !neg && u < 10000 && op.digits <= 4 {
		// The common case: zero-padded to the default digit count.
		n := max(op.digits, 1+sfB2i(u >= 10)+sfB2i(u >= 100)+sfB2i(u >= 1000))
		if !sfFits(dst, start, n) {
			return dst, false
		}
		var buf [4]byte
		for i := 3; i >= 0; i-- {
			buf[i] = byte('0' + u%10)
			u /= 10
		}
		return append(dst, buf[4-n:]...), true
	}
	var buf [21]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	if neg {
		i--
		buf[i] = '-'
	}
	num := buf[i:]
	if op.pad != '-' {
		if padding := op.digits - len(num); padding > 0 {
			if op.pad == '_' {
				if !sfFits(dst, start, padding) {
					return dst, false
				}
				dst = sfAppendPad(dst, ' ', padding)
				width = max(width-padding, 0)
			} else {
				if !sfFits(dst, start, op.digits) {
					return dst, false
				}
				if neg {
					dst = append(dst, '-')
					num = num[1:]
				}
				dst = sfAppendPad(dst, '0', padding)
				width = 0
			}
		}
	}
	n := max(len(num), width)
	if !sfFits(dst, start, n) {
		return dst, false
	}
	dst = sfAppendPad(dst, sfPadByte(op.pad), n-len(num))
	return append(dst, num...), true
}

// appendSub renders a composite conversion: the nested layout without
// flags, right-aligned in the field width, upper-cased under the ^ flag.
func (op *sfOp) appendSub(dst []byte, start int, b *sfTime) ([]byte, bool) {
	at := len(dst)
	dst, ok := op.sub.render(dst, start, b)
	if !ok {
		return dst, false
	}
	if n := len(dst) - at; op.width > n {
		delta := op.width - n
		if !sfFits(dst, start, delta) {
			return dst, false
		}
		dst = sfAppendPad(dst, sfPadByte(op.pad), delta)
		copy(dst[at+delta:], dst[at:at+n])
		fill := sfSpaces
		if sfPadByte(op.pad) == '0' {
			fill = sfZeros
		}
		for j := at; j < at+delta; j += len(fill) {
			copy(dst[j:at+delta], fill)
		}
	}
	if op.upper {
		sfUpper(dst[at:])
	}
	return dst, true
}
