package logformat

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// glibc's compiled-in paths (Debian 12, glibc 2.36).
const (
	tzDefault    = "/etc/localtime"      // TZDEFAULT: the zone when TZ is unset
	tzDefaultDir = "/usr/share/zoneinfo" // TZDIR unless $TZDIR says otherwise
	tzDefRules   = "posixrules"          // TZDEFRULES: DST rules for "STDoffDST"
	tzMaxFile    = 8 << 20               // larger files are not read as tzfiles
)

// The years between which POSIX rules become explicit transitions. From
// tzRulesCut on, Go evaluates the rules itself, from the TZif footer, the
// way glibc does for any year after 1970; rules Go cannot express (a change
// more than 167:59:59 into its day) are unrolled up to tzRulesLast, after
// which the last local time stays. Times before tzRulesFirst get the local
// time of its previous second.
const (
	tzRulesFirst = 1800
	tzRulesCut   = 2038
	tzRulesLast  = 3000
)

// LocalZone returns the zone that glibc's localtime would use for this
// process given its environment now: LoadTZ of $TZ when TZ is set (to any
// value, even empty), and when TZ is unset the tzfile /etc/localtime, or UTC
// named "UTC" when that file is missing or not a valid tzfile. A TZ that
// LoadTZ refuses (one holding a NUL byte, which no real environment can)
// gives UTC.
func LocalZone() *time.Location {
	var loc *time.Location
	var err error
	if tz, ok := os.LookupEnv("TZ"); ok {
		loc, err = LoadTZ(tz)
	} else {
		z, zerr := loadTZfile(tzDefault)
		if zerr != nil {
			z = tzFixed("UTC")
		}
		loc, err = z.location("Local")
	}
	if err != nil {
		return time.UTC
	}
	return loc
}

// LoadTZ returns the zone glibc 2.36 would use if the environment variable
// TZ were set to tz. Each period is named with the abbreviation httpd's %Z
// prints, glibc's tzname[tm_isdst] (apr_strftime passes no tm_zone):
//
//   - "" means the tzfile "Universal".
//   - A leading ':' is dropped; what remains names a tzfile, relative to
//     $TZDIR (default /usr/share/zoneinfo) unless it starts with '/'. An
//     empty name means UTC named "UTC", and so does "/etc/localtime" when
//     that is not a valid tzfile.
//   - Failing a readable, valid tzfile, tz is parsed as a POSIX TZ string
//     with glibc's leniency: an invalid string is UTC under whatever name
//     was parsed (TZ=garbage is UTC named "garbage", TZ=ab UTC named "").
//     A DST name without rules takes its changes from the posixrules
//     tzfile and, past that file's last transition, its footer's offsets
//     too. Rules give standard time all year before 1970 (DST all year
//     where DST spans the new year), as glibc computes them.
//
// Leap seconds in "right/" tzfiles are ignored, and POSIX rules are followed
// exactly from 1800 on: earlier times get the local time of the last second
// of 1799. The only error is for a tz holding a NUL byte, which no
// environment variable can, or for a tzfile with more local time types than
// a TZif file can index.
func LoadTZ(tz string) (*time.Location, error) {
	if strings.IndexByte(tz, 0) >= 0 {
		return nil, fmt.Errorf("logformat: TZ value %q contains a NUL byte", tz)
	}
	loc, err := tzLoad(tz).location(tz)
	if err != nil {
		return nil, fmt.Errorf("logformat: TZ value %q: %w", tz, err)
	}
	return loc, nil
}

// tzLoad is glibc's tzset_internal for a set TZ.
func tzLoad(tz string) *tzZone {
	if tz == "" {
		tz = "Universal"
	}
	tz = strings.TrimPrefix(tz, ":")
	if tz == "" {
		return tzFixed("UTC")
	}
	if z, err := loadTZfile(tz); err == nil {
		return z
	}
	if tz == tzDefault {
		return tzFixed("UTC")
	}
	return tzParsePOSIX(tz, true)
}

// tzfilePath is where glibc's __tzfile_read looks for the tzfile name.
func tzfilePath(name string) string {
	if strings.HasPrefix(name, "/") {
		return name
	}
	dir := os.Getenv("TZDIR")
	if dir == "" {
		dir = tzDefaultDir
	}
	return dir + "/" + name
}

var errNotTZfile = errors.New("not a valid tzfile")

// loadTZfile reads the tzfile name as glibc's __tzfile_read does.
func loadTZfile(name string) (*tzZone, error) {
	tf, err := readTZfile(name)
	if err != nil {
		return nil, err
	}
	z := &tzZone{trans: tf.trans, idx: tf.idx}
	for _, t := range tf.types {
		z.types = append(z.types, t.tzType)
	}
	// Before the first transition: the first standard-time type.
	z.first = max(slices.IndexFunc(z.types, func(t tzType) bool { return !t.isDST }), 0)
	if len(z.trans) > 0 && tf.spec != "" {
		r := tzParsePOSIX(tf.spec, false)
		z.rules = r.rules
		z.ruleNames = r.ruleNames
	}
	return z, nil
}

func readTZfile(name string) (*tzfile, error) {
	f, err := os.Open(tzfilePath(name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, tzMaxFile+1))
	if err != nil {
		return nil, err
	}
	if tf, ok := parseTZfile(data); ok && len(data) <= tzMaxFile {
		return tf, nil
	}
	return nil, errNotTZfile
}

// tzfile is the content of a TZif file as glibc keeps it.
type tzfile struct {
	trans []int64
	idx   []uint8 // the type each transition starts
	types []tzfileType
	spec  string // the footer TZ string; "" when none
}

type tzfileType struct {
	tzType
	isStd, isGMT bool // how posixrules' transition times are given
}

// cString is the NUL-terminated string at the start of b.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// parseTZfile decodes a TZif file, accepting and refusing what glibc 2.36's
// __tzfile_read does: for any nonzero version byte it reads the 64-bit data
// and then takes the footer to be everything after the first newline but
// the last byte.
func parseTZfile(data []byte) (*tzfile, bool) {
	const headerLen = 44
	type counts struct{ isGMT, isStd, leaps, trans, types, chars uint64 }
	header := func(p []byte) (counts, bool) {
		if len(p) < headerLen || string(p[:4]) != "TZif" {
			return counts{}, false
		}
		n := func(i int) uint64 { return uint64(binary.BigEndian.Uint32(p[20+4*i:])) }
		c := counts{n(0), n(1), n(2), n(3), n(4), n(5)}
		// glibc decodes the counts as signed ints: a negative one
		// becomes huge and fails the checks below.
		for _, v := range []uint64{c.isGMT, c.isStd, c.leaps, c.trans, c.types, c.chars} {
			if v >= 1<<31 {
				return counts{}, false
			}
		}
		return c, c.isStd <= c.types && c.isGMT <= c.types
	}
	c, ok := header(data)
	if !ok {
		return nil, false
	}
	width := uint64(4)
	p := data[headerLen:]
	if data[4] != 0 {
		skip := c.trans*5 + c.types*6 + c.chars + c.leaps*8 + c.isStd + c.isGMT
		if skip > uint64(len(p)) {
			return nil, false
		}
		p = p[skip:]
		if c, ok = header(p); !ok {
			return nil, false
		}
		p = p[headerLen:]
		width = 8
		need := c.trans*9 + c.types*6 + c.chars + c.leaps*12 + c.isStd + c.isGMT + 2
		if uint64(len(p)) < need {
			return nil, false
		}
	}
	tf := &tzfile{}
	short := false
	take := func(n uint64) []byte {
		if short = short || n > uint64(len(p)); short {
			return nil
		}
		b := p[:n]
		p = p[n:]
		return b
	}
	tb, ib, yb, cb := take(c.trans*width), take(c.trans), take(c.types*6), take(c.chars)
	_, sb, gb := take(c.leaps*(width+4)), take(c.isStd), take(c.isGMT)
	if short || c.types == 0 {
		return nil, false
	}
	for i := uint64(0); i < c.trans; i++ {
		if width == 8 {
			tf.trans = append(tf.trans, int64(binary.BigEndian.Uint64(tb[8*i:])))
		} else {
			tf.trans = append(tf.trans, int64(int32(binary.BigEndian.Uint32(tb[4*i:]))))
		}
		if uint64(ib[i]) >= c.types {
			return nil, false
		}
	}
	tf.idx = ib
	for i := uint64(0); i < c.types; i++ {
		e := yb[6*i:]
		if e[4] > 1 || uint64(e[5]) > c.chars {
			return nil, false
		}
		name := cString(cb[e[5]:])
		t := tzfileType{tzType: tzType{name, int(int32(binary.BigEndian.Uint32(e))), e[4] == 1}}
		t.isStd = i < c.isStd && sb[i] != 0
		t.isGMT = i < c.isGMT && gb[i] != 0
		tf.types = append(tf.types, t)
	}
	if width == 8 && len(p) >= 2 && p[0] == '\n' {
		tf.spec = cString(p[1 : len(p)-1])
	}
	return tf, true
}

// tzType is one kind of local time: an abbreviation and an offset.
type tzType struct {
	name   string
	offset int // seconds east of UTC
	isDST  bool
}

// tzZone is a zone as glibc's tzfile.c and tzset.c compute it.
type tzZone struct {
	types []tzType
	trans []int64 // transition times, ascending
	idx   []uint8 // the type each transition starts
	first int     // the type before the first transition

	// rules, when set, decide local time from the last transition on,
	// or always when there are no transitions.
	rules     *[2]tzRule
	ruleNames [2]string // the names httpd prints for rules[0] and rules[1]
}

// tzFixed is glibc's fallback: UTC with a name.
func tzFixed(name string) *tzZone {
	return &tzZone{types: []tzType{{name: name}}}
}

// tzRuleKind is how a POSIX TZ rule names the day of a change.
type tzRuleKind uint8

const (
	tzRuleJ0 tzRuleKind = iota // n: zero-based day of the year
	tzRuleJ1                   // Jn: one-based day, February 29 not counted
	tzRuleM                    // Mm.w.d: day d of week w of month m
)

// tzRule is glibc's tz_rule: a period's name and offset, and the change
// into it.
type tzRule struct {
	name    string
	kind    tzRuleKind
	m, n, d uint16
	secs    int // the time of day of the change, in local time
	offset  int // seconds east of UTC
}

// glibc's __mon_yday.
var tzMonYday = [2][13]int{
	{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365},
	{0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366},
}

// change is glibc's compute_change: when in year the rule takes effect.
// Like glibc, it starts every year up to 1970 at 1970-01-01.
func (r *tzRule) change(year int) int64 {
	var t int64
	if year > 1970 {
		days := (year-1970)*365 + (year-1)/4 - 1970/4 - ((year-1)/100 - 1970/100) + ((year-1)/400 - 1970/400)
		t = int64(days) * 86400
	}
	leap := sfB2i(sfIsLeap(year))
	switch r.kind {
	case tzRuleJ1:
		t += (int64(r.d) - 1) * 86400
		if r.d >= 60 && leap == 1 {
			t += 86400
		}
	case tzRuleJ0:
		t += int64(r.d) * 86400
	case tzRuleM:
		// A month outside 1-12 can only be left by a rejected rule;
		// glibc then reads outside its table. Clamp instead.
		m := min(max(int(r.m), 1), 12)
		t += int64(tzMonYday[leap][m-1]) * 86400
		m1 := (m+9)%12 + 1
		yy0 := year
		if m <= 2 {
			yy0--
		}
		yy1 := yy0 / 100
		yy2 := yy0 % 100
		dow := ((26*m1-2)/10 + 1 + yy2 + yy2/4 + yy1/4 - 2*yy1) % 7
		if dow < 0 {
			dow += 7
		}
		d := int(r.d) - dow
		if d < 0 {
			d += 7
		}
		for i := 1; i < int(r.n); i++ {
			if d+7 >= tzMonYday[leap][m]-tzMonYday[leap][m-1] {
				break
			}
			d += 7
		}
		t += int64(d) * 86400
	}
	return t - int64(r.offset) + int64(r.secs)
}

func tzUTCYear(t int64) int { return time.Unix(t, 0).UTC().Year() }

func tzYearStart(y int) int64 { return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Unix() }

// tzIsDSTAt is glibc's __tz_compute: whether rules put t in rules[1].
func tzIsDSTAt(rules *[2]tzRule, t int64) bool {
	y := tzUTCYear(t)
	c0, c1 := rules[0].change(y), rules[1].change(y)
	if c0 > c1 {
		return t < c1 || t >= c0
	}
	return t >= c0 && t < c1
}

// tzParser parses a POSIX TZ string as glibc's __tzset_parse_tz.
type tzParser struct {
	s     string
	i     int
	rules [2]tzRule
}

func (p *tzParser) at(i int) byte {
	if i < len(p.s) {
		return p.s[i]
	}
	return 0
}

func tzIsAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// tzScanUshort is sscanf's %hu at s[i:]: optional white space, an optional
// sign, decimal digits, converted by strtoul (which saturates, and negates
// for '-') and truncated to 16 bits.
func tzScanUshort(s string, i int) (v uint16, next int, ok bool) {
	for i < len(s) && strings.IndexByte(" \t\n\v\f\r", s[i]) >= 0 {
		i++
	}
	j := i
	if j < len(s) && (s[j] == '+' || s[j] == '-') {
		j++
	}
	k := j
	for k < len(s) && sfIsDigit(s[k]) {
		k++
	}
	if k == j {
		return 0, k, false
	}
	u, err := strconv.ParseUint(s[j:k], 10, 64)
	if err != nil {
		u = 1<<64 - 1
	} else if s[i] == '-' {
		u = -u
	}
	return uint16(u), k, true
}

// tzScan is sscanf(s+i, "%hu%n<sep>%hu%n..."): it fills out in order, and
// returns how many values it assigned and how many bytes the last %n
// counted.
func tzScan(s string, i int, sep byte, out []uint16) (n, consumed int) {
	pos := i
	for ; n < len(out); n++ {
		if n > 0 {
			if pos >= len(s) || s[pos] != sep {
				break
			}
			pos++
		}
		v, next, ok := tzScanUshort(s, pos)
		if !ok {
			break
		}
		out[n], pos, consumed = v, next, next-i
	}
	return n, consumed
}

// name is glibc's parse_tzname.
func (p *tzParser) name(which int) bool {
	j := p.i
	for tzIsAlpha(p.at(j)) {
		j++
	}
	start := p.i
	if j-p.i < 3 {
		if p.at(p.i) != '<' {
			return false
		}
		start = p.i + 1
		for j = start; ; j++ {
			c := p.at(j)
			if !(tzIsAlpha(c) || sfIsDigit(c) || c == '+' || c == '-') {
				break
			}
		}
		if p.at(j) != '>' || j-start < 3 {
			return false
		}
		p.rules[which].name = p.s[start:j]
		p.i = j + 1
		return true
	}
	p.rules[which].name = p.s[start:j]
	p.i = j
	return true
}

// offset is glibc's parse_offset.
func (p *tzParser) offset(which int) bool {
	c := p.at(p.i)
	if which == 0 && c != '+' && c != '-' && !sfIsDigit(c) {
		return false
	}
	sign := -1
	if c == '+' || c == '-' {
		if c == '-' {
			sign = 1
		}
		p.i++
	}
	var hms [3]uint16
	n, consumed := tzScan(p.s, p.i, ':', hms[:])
	switch {
	case n > 0:
		hh, mm, ss := min(int(hms[0]), 24), min(int(hms[1]), 59), min(int(hms[2]), 59)
		p.rules[which].offset = sign * (ss + mm*60 + hh*3600)
	case which == 0:
		p.rules[0].offset = 0
		return false
	default:
		p.rules[1].offset = p.rules[0].offset + 3600
	}
	p.i += consumed
	return true
}

// rule is glibc's parse_rule. Like glibc, it leaves what it had parsed in
// place when it fails.
func (p *tzParser) rule(which int) bool {
	r := &p.rules[which]
	i := p.i
	if p.at(i) == ',' {
		i++
	}
	switch c := p.at(i); {
	case c == 'J' || sfIsDigit(c):
		r.kind = tzRuleJ0
		if c == 'J' {
			r.kind = tzRuleJ1
			i++
			if !sfIsDigit(p.at(i)) {
				return false
			}
		}
		var d uint64
		j := i
		for ; sfIsDigit(p.at(j)); j++ {
			d = min(d*10+uint64(p.s[j]-'0'), 1<<32)
		}
		if d > 365 || r.kind == tzRuleJ1 && d == 0 {
			return false
		}
		r.d = uint16(d)
		i = j
	case c == 'M':
		r.kind = tzRuleM
		mnd := [3]uint16{r.m, r.n, r.d}
		n, consumed := tzScan(p.s, i+1, '.', mnd[:])
		r.m, r.n, r.d = mnd[0], mnd[1], mnd[2]
		if n != 3 || r.m < 1 || r.m > 12 || r.n < 1 || r.n > 5 || r.d > 6 {
			return false
		}
		i += 1 + consumed
	case c == 0:
		r.kind = tzRuleM
		r.m, r.n, r.d = 3, 2, 0
		if which == 1 {
			r.m, r.n, r.d = 11, 1, 0
		}
	default:
		return false
	}
	switch p.at(i) {
	case 0, ',':
		r.secs = 2 * 3600
	case '/':
		i++
		if p.at(i) == 0 {
			return false
		}
		neg := p.at(i) == '-'
		if neg {
			i++
		}
		hms := [3]uint16{2, 0, 0}
		_, consumed := tzScan(p.s, i, ':', hms[:])
		i += consumed
		r.secs = int(hms[0])*3600 + int(hms[1])*60 + int(hms[2])
		if neg {
			r.secs = -r.secs
		}
	default:
		return false
	}
	p.i = i
	return true
}

// tzParsePOSIX is glibc's __tzset_parse_tz. With useDefRules, a DST name
// without rules takes its changes from the posixrules tzfile, as for TZ
// itself; otherwise (for a tzfile's footer) it takes glibc's built-in
// default, M3.2.0,M11.1.0.
func tzParsePOSIX(s string, useDefRules bool) *tzZone {
	p := &tzParser{s: s}
	if p.name(0) && p.offset(0) {
		if p.i < len(s) {
			if p.name(1) {
				p.offset(1)
				if rest := s[p.i:]; useDefRules && (rest == "" || rest == ",") {
					if z := tzfileDefault(&p.rules); z != nil {
						return z
					}
				}
			}
			if p.rule(0) {
				p.rule(1)
			}
		} else {
			p.rules[1].name = p.rules[0].name
			p.rules[1].offset = p.rules[0].offset
		}
	}
	return &tzZone{
		types:     []tzType{{name: p.rules[0].name, offset: p.rules[0].offset}},
		rules:     &p.rules,
		ruleNames: [2]string{p.rules[0].name, p.rules[1].name},
	}
}

// tzfileDefault is glibc's __tzfile_default: the posixrules tzfile's
// transitions moved to the given offsets, under the given names. Past its
// last transition glibc applies that file's footer, offsets included, and
// httpd prints the given names. It returns nil when glibc would fall back to
// the built-in rules.
func tzfileDefault(rules *[2]tzRule) *tzZone {
	tf, err := readTZfile(tzDefRules)
	if err != nil || len(tf.types) < 2 {
		return nil
	}
	// glibc 2.36 recomputes the file's standard offset, from its last
	// standard-time transition, but not its DST offset: that is left from
	// the previous call, which set it to the DST offset of TZ. So from the
	// second call on, which strftime's %Z and mktime (%s) make, changes
	// made in DST wall-clock time keep the file's times.
	ruleStd := 0
	for i := len(tf.trans) - 1; i >= 0; i-- {
		if t := tf.types[tf.idx[i]]; !t.isDST {
			ruleStd = t.offset
			break
		}
	}
	std, dst := rules[0], rules[1]
	z := &tzZone{
		types: []tzType{
			{name: std.name, offset: std.offset},
			{name: dst.name, offset: dst.offset, isDST: true},
		},
		trans: make([]int64, len(tf.trans)),
		idx:   make([]uint8, len(tf.trans)),
	}
	wasDST := false
	for i, when := range tf.trans {
		t := tf.types[tf.idx[i]]
		z.idx[i] = uint8(sfB2i(t.isDST))
		if !t.isGMT && (!wasDST || t.isStd) {
			when += int64(std.offset - ruleStd)
		}
		z.trans[i] = when
		wasDST = t.isDST
	}
	if len(z.trans) > 0 && tf.spec != "" {
		r := tzParsePOSIX(tf.spec, false)
		z.rules = r.rules
		z.ruleNames = [2]string{std.name, dst.name}
	}
	return z
}

// location turns z into a *time.Location. Go's time package can only build
// zones with transitions from TZif data, so it writes a TZif file: the
// tzfile's own transitions, then glibc's POSIX rules unrolled year by year
// up to tzRulesCut, then a footer from which Go computes later years the
// way glibc does.
func (z *tzZone) location(name string) (*time.Location, error) {
	var b tzBuilder
	switch {
	case z.rules == nil:
		b.pre = z.types[z.first]
		for i, when := range z.trans {
			b.add(when, z.types[z.idx[i]])
		}
	case len(z.trans) == 0:
		from := tzYearStart(tzRulesFirst)
		b.pre = z.ruleType(tzIsDSTAt(z.rules, from-1))
		b.unroll(z, from)
	default:
		b.pre = z.types[z.first]
		last := len(z.trans) - 1
		for i, when := range z.trans[:last] {
			b.add(when, z.types[z.idx[i]])
		}
		b.unroll(z, z.trans[last])
	}
	data, err := b.tzif()
	if err != nil {
		return nil, err
	}
	return time.LoadLocationFromTZData(name, data)
}

// ruleType is the local time type rules[1] (dst) or rules[0] give.
func (z *tzZone) ruleType(dst bool) tzType {
	i := sfB2i(dst)
	return tzType{name: z.ruleNames[i], offset: z.rules[i].offset, isDST: dst}
}

// tzBuilder collects the transitions of a zone and writes them as TZif.
type tzBuilder struct {
	pre    tzType // before the first transition
	when   []int64
	types  []tzType
	extend string
}

func (b *tzBuilder) add(when int64, t tzType) {
	b.when = append(b.when, when)
	b.types = append(b.types, t)
}

// unroll adds the changes z.rules make from the time from on.
func (b *tzBuilder) unroll(z *tzZone, from int64) {
	footer, ok := tzGoFooter(z.rules, z.ruleNames)
	cut := max(tzRulesCut, tzUTCYear(from)+1)
	if !ok {
		cut = max(tzRulesLast, tzUTCYear(from)+1)
	}
	end := tzYearStart(cut)
	cur := tzIsDSTAt(z.rules, from)
	b.add(from, z.ruleType(cur))
	for y := tzUTCYear(from); y < cut; y++ {
		pts := [3]int64{tzYearStart(y), z.rules[0].change(y), z.rules[1].change(y)}
		if pts[1] > pts[2] {
			pts[1], pts[2] = pts[2], pts[1]
		}
		lo, hi := max(from+1, pts[0]), min(end, tzYearStart(y+1))
		for _, t := range pts {
			if t < lo || t >= hi {
				continue
			}
			if st := tzIsDSTAt(z.rules, t); st != cur {
				b.add(t, z.ruleType(st))
				cur = st
			}
		}
	}
	// A last transition at the cut, so that Go applies the footer only
	// from there on.
	b.add(end, z.ruleType(tzIsDSTAt(z.rules, end)))
	if ok {
		b.extend = footer
	}
}

// tzGoFooter writes rules as a TZ string that Go's time package evaluates as
// glibc does for years after 1970, if there is one.
func tzGoFooter(rules *[2]tzRule, names [2]string) (string, bool) {
	var s []byte
	for i := range rules {
		s = fmt.Appendf(s, "<%s>", names[i])
		s = tzAppendHMS(s, -rules[i].offset)
	}
	for i := range rules {
		r := &rules[i]
		secs := r.secs
		switch {
		case r.kind == tzRuleJ0:
			s = fmt.Appendf(s, ",%d", r.d)
		case r.kind == tzRuleJ1 && r.d == 0: // the day before January 1
			s = append(s, ",0"...)
			secs -= 86400
		case r.kind == tzRuleJ1:
			s = fmt.Appendf(s, ",J%d", r.d)
		case r.d > 6:
			return "", false
		default: // with a week and month clamped as change clamps them
			s = fmt.Appendf(s, ",M%d.%d.%d", min(max(r.m, 1), 12), min(max(r.n, 1), 5), r.d)
		}
		if max(secs, -secs) > 167*3600+59*60+59 { // Go's limit
			return "", false
		}
		s = tzAppendHMS(append(s, '/'), secs)
	}
	return string(s), true
}

// tzAppendHMS appends secs as [-]h:mm:ss.
func tzAppendHMS(s []byte, secs int) []byte {
	if secs < 0 {
		s = append(s, '-')
		secs = -secs
	}
	return fmt.Appendf(s, "%d:%02d:%02d", secs/3600, secs/60%60, secs%60)
}

// tzif encodes the zone as a version 2 TZif file. Type 0 is b.pre, used by
// no transition, which makes Go use it before the first one.
func (b *tzBuilder) tzif() ([]byte, error) {
	types := []tzType{b.pre}
	index := map[tzType]int{}
	idx := make([]byte, len(b.types))
	for i, t := range b.types {
		j, ok := index[t]
		if !ok {
			j = len(types)
			index[t] = j
			types = append(types, t)
		}
		if j > 255 {
			return nil, errors.New("too many local time types")
		}
		idx[i] = byte(j)
	}
	chars, at := tzAbbrevs(types)
	out := tzifHeader(nil, 0, 0, 0)
	out = tzifHeader(out, len(b.when), len(types), len(chars))
	for _, w := range b.when {
		out = binary.BigEndian.AppendUint64(out, uint64(w))
	}
	out = append(out, idx...)
	for _, t := range types {
		out = binary.BigEndian.AppendUint32(out, uint32(int32(t.offset)))
		out = append(out, byte(sfB2i(t.isDST)), byte(at[t.name]))
	}
	out = append(out, chars...)
	out = append(out, '\n')
	out = append(out, b.extend...)
	return append(out, '\n'), nil
}

func tzifHeader(out []byte, nTime, nType, nChar int) []byte {
	out = append(out, "TZif2\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"...)
	for _, n := range [6]int{0, 0, 0, nTime, nType, nChar} {
		out = binary.BigEndian.AppendUint32(out, uint32(n))
	}
	return out
}

// tzAbbrevs lays out the NUL-terminated names of types, each starting within
// the first 256 bytes as TZif requires, shortening names when they are too
// long for that.
func tzAbbrevs(types []tzType) ([]byte, map[string]int) {
	var names []string
	at := map[string]int{}
	for _, t := range types {
		if _, ok := at[t.name]; !ok {
			at[t.name] = 0
			names = append(names, t.name)
		}
	}
	limit := 1 << 30 // no shortening
	for {
		var chars []byte
		for _, n := range names {
			at[n] = len(chars)
			chars = append(append(chars, n[:min(len(n), limit)]...), 0)
		}
		if at[names[len(names)-1]] <= 255 {
			return chars, at
		}
		limit = 255/len(names) - 1
	}
}
