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
	sfLit    sfKind = iota // constant bytes
	sfText                 // a name: weekday, month, AM/PM, zone
	sfNum                  // a number from the broken-down time
	sfUnix                 // %s
	sfOffset               // %z
	sfSub                  // %c %D %F %r %R %T %x %X: a nested layout
)

// sfField selects the value of an sfText or sfNum op.
type sfField uint8

const (
	fWeekdayAbbr sfField = iota // %a
	fWeekday                    // %A
	fMonthAbbr                  // %b %h
	fMonth                      // %B
	fAMPM                       // %p %P
	fZone                       // %Z
	fCentury                    // %C
	fMday                       // %d %e
	fHour                       // %H %k
	fHour12                     // %I %l
	fYday                       // %j
	fMin                        // %M
	fMon                        // %m
	fSec                        // %S
	fWdayMon                    // %u
	fWeekSun                    // %U
	fISOWeek                    // %V
	fISOYear2                   // %g
	fISOYear                    // %G
	fWeekMon                    // %W
	fWday                       // %w
	fYear                       // %Y
	fYear2                      // %y
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
		spec := i // the '%'
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
			if c == 0 {
				end = len(f)
				i = len(f) - 1
			}
			start := strings.LastIndexByte(f[:end], '%')
			if start < spec {
				start = spec
			}
			addLit([]byte(f[start:end]), width, pad, upper)
		}
		num := func(field sfField, d int, spacePad bool) {
			p := pad
			if spacePad && p != '0' && p != '-' {
				p = '_'
			}
			push(sfOp{kind: sfNum, field: field, pad: p, digits: max(d, width), width: width})
		}
		text := func(field sfField, lower, up bool) {
			push(sfOp{kind: sfText, field: field, pad: pad, lower: lower, upper: up, width: width})
		}
		sub := func(layout string) {
			push(sfOp{kind: sfSub, pad: pad, upper: upper, width: width, sub: compileStrftime(layout)})
		}
		switch c {
		case '%':
			if modifier != 0 {
				bad()
				break
			}
			addLit([]byte{'%'}, width, pad, false)
		case 'a', 'A':
			if modifier != 0 {
				bad()
				break
			}
			text(sfPick(c == 'a', fWeekdayAbbr, fWeekday), false, upper || changeCase)
		case 'b', 'h', 'B':
			if modifier == 'E' {
				bad()
				break
			}
			text(sfPick(c == 'B', fMonth, fMonthAbbr), false, upper || changeCase)
		case 'c':
			if modifier == 'O' {
				bad()
				break
			}
			sub(sfFmtC)
		case 'C':
			num(fCentury, 1, false)
		case 'x':
			if modifier == 'O' {
				bad()
				break
			}
			sub(sfFmtX)
		case 'D':
			if modifier != 0 {
				bad()
				break
			}
			sub(sfFmtX)
		case 'd', 'e':
			if modifier == 'E' {
				bad()
				break
			}
			num(fMday, 2, c == 'e')
		case 'F':
			if modifier != 0 {
				bad()
				break
			}
			sub("%Y-%m-%d")
		case 'H', 'k':
			if modifier == 'E' {
				bad()
				break
			}
			num(fHour, 2, c == 'k')
		case 'I', 'l':
			if modifier == 'E' {
				bad()
				break
			}
			num(fHour12, 2, c == 'l')
		case 'j':
			if modifier == 'E' {
				bad()
				break
			}
			num(fYday, 3, false)
		case 'M':
			if modifier == 'E' {
				bad()
				break
			}
			num(fMin, 2, false)
		case 'm':
			if modifier == 'E' {
				bad()
				break
			}
			num(fMon, 2, false)
		case 'n':
			addLit([]byte{'\n'}, width, pad, false)
		case 't':
			addLit([]byte{'\t'}, width, pad, false)
		case 'P', 'p':
			lower := c == 'P' || changeCase
			text(fAMPM, lower, upper && !changeCase)
		case 'R':
			sub("%H:%M")
		case 'r':
			sub(sfFmtR)
		case 'S':
			if modifier == 'E' {
				bad()
				break
			}
			num(fSec, 2, false)
		case 's':
			push(sfOp{kind: sfUnix, pad: pad, digits: 1, width: width})
		case 'X':
			if modifier == 'O' {
				bad()
				break
			}
			sub(sfFmtT)
		case 'T':
			sub(sfFmtT)
		case 'u':
			num(fWdayMon, 1, false)
		case 'U':
			if modifier == 'E' {
				bad()
				break
			}
			num(fWeekSun, 2, false)
		case 'V', 'g', 'G':
			if modifier == 'E' {
				bad()
				break
			}
			switch c {
			case 'V':
				num(fISOWeek, 2, false)
			case 'g':
				num(fISOYear2, 2, false)
			default:
				num(fISOYear, 1, false)
			}
		case 'W':
			if modifier == 'E' {
				bad()
				break
			}
			num(fWeekMon, 2, false)
		case 'w':
			if modifier == 'E' {
				bad()
				break
			}
			num(fWday, 1, false)
		case 'Y':
			if modifier == 'O' {
				bad()
				break
			}
			num(fYear, 1, false)
		case 'y':
			num(fYear2, 2, false)
		case 'Z':
			text(fZone, changeCase, upper && !changeCase)
		case 'z':
			push(sfOp{kind: sfOffset, pad: pad, digits: max(4, width), width: width})
		default: // unknown, or the layout ended inside the conversion
			bad()
		}
	}
	flush()
	if s.empty {
		s.ops = nil
	}
	return s
}

func sfPick(cond bool, a, b sfField) sfField {
	if cond {
		return a
	}
	return b
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
	unix                      int64
}

func (b *sfTime) set(t time.Time) {
	var m time.Month
	b.year, m, b.mday = t.Date()
	b.mon = int(m)
	b.hour, b.min, b.sec = t.Clock()
	b.wday = int(t.Weekday())
	b.yday = t.YearDay() - 1
	b.zone, b.offset = t.Zone()
	b.unix = t.Unix()
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
	case fCentury:
		c := b.year / 100
		if b.year%100 < 0 {
			c--
		}
		return c
	case fMday:
		return b.mday
	case fHour:
		return b.hour
	case fHour12:
		h := b.hour
		if h > 12 {
			h -= 12
		} else if h == 0 {
			h = 12
		}
		return h
	case fYday:
		return b.yday + 1
	case fMin:
		return b.min
	case fMon:
		return b.mon
	case fSec:
		return b.sec
	case fWdayMon:
		return (b.wday-1+7)%7 + 1
	case fWeekSun:
		return (b.yday - b.wday + 7) / 7
	case fWeekMon:
		return (b.yday - (b.wday-1+7)%7 + 7) / 7
	case fWday:
		return b.wday
	case fYear:
		return b.year
	case fYear2:
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
	case fISOYear2:
		return (year%100 + 100) % 100
	case fISOYear:
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
	case fWeekdayAbbr:
		return sfWeekdays[b.wday][:3]
	case fWeekday:
		return sfWeekdays[b.wday]
	case fMonthAbbr:
		return sfMonths[b.mon-1][:3]
	case fMonth:
		return sfMonths[b.mon-1]
	case fAMPM:
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
			u := uint64(b.unix)
			if b.unix < 0 {
				u = -u
			}
			dst, ok = op.appendNumber(dst, start, b.unix < 0, u, op.width)
		case sfOffset:
			off := b.offset
			sign := byte('+')
			if off < 0 {
				sign = '-'
				off = -off
			}
			// glibc pads the sign to the field width too.
			dst, ok = op.appendText(dst, start, string(sign))
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
