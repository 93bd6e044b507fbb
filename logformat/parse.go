package logformat

import (
	"errors"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrNoMatch is returned by Parse for a line that the format cannot have
// rendered.
var ErrNoMatch = errors.New("logformat: line does not match the format")

// class is the set of texts an item can render to, used to split a line
// back into its items.
type class uint8

const (
	classEscaped    class = iota // escaped text, or "-"
	classUser                    // escaped text, `""` or "-"
	classQuery                   // "" or "?" + escaped text
	classNumber                  // decimal number, maybe negative, or "-"
	classHex                     // hexadecimal number
	classRaw                     // printable bytes without spaces (addresses, log ids), or "-"
	classCLF                     // [dd/Mon/yyyy:hh:mm:ss +hhmm]
	classAny                     // anything: strftime output, echoed arguments
	classStatusChar              // one of X + -
)

func (it *item) class() class {
	switch it.op {
	case opUser:
		return classUser
	case opQuery:
		return classQuery
	case opBytesCLF, opBytes, opServerPort, opRemotePort, opLocalPort, opPid, opTid,
		opKeepAlives, opDurationUS, opDurationMS, opDurationS, opStatus,
		opBytesIn, opBytesOut, opBytesBoth, opTTFB:
		return classNumber
	case opHexTid:
		return classHex
	case opRemoteIP, opPeerIP, opLocalIP, opLogID, opConnLogID:
		return classRaw
	case opConnStatus:
		return classStatusChar
	case opLiteral:
		return classAny
	case opTime:
		switch it.time.kind {
		case timeCLF:
			return classCLF
		case timeCustom:
			return classAny
		}
		return classNumber
	}
	return classEscaped
}

// escaped reports whether the item's text went through ap_escape_logitem,
// so that Parse must undo the escaping.
func (it *item) escaped() bool {
	switch it.class() {
	case classEscaped, classUser, classQuery:
		return true
	}
	return false
}

// Fields returns the items of the format that Parse returns values for, in
// order, each written as in a LogFormat ("%>s", "%{Referer}i", ...).
func (f *Format) Fields() []string {
	var out []string
	for i := range f.items {
		it := &f.items[i]
		if it.op == opLiteral && len(it.conds) == 0 {
			continue
		}
		out = append(out, f.itemSource(it))
	}
	return out
}

// itemSource returns the text of the format that compiled to it.
func (f *Format) itemSource(it *item) string {
	s := f.src[it.itemOff:]
	for i := 1; i < len(s); i++ {
		c := s[i]
		if c == '{' {
			if j := strings.IndexByte(s[i:], '}'); j >= 0 {
				i += j
				for i+1 < len(s) && s[i+1] == '}' {
					i++
				}
			}
			continue
		}
		if c == '!' || c == '<' || c == '>' || c == ',' || ('0' <= c && c <= '9') {
			continue
		}
		if c == '^' && i+2 < len(s) {
			return s[:i+3]
		}
		return s[:i+1]
	}
	return s
}

// Parse splits a line that Append rendered with this format back into the
// values of its items (one per entry of Fields), undoing httpd's escaping,
// and appends them to dst. A missing value is "-", as in the log. The line
// may end with or without its newline.
//
// Where a format is ambiguous — two items with no literal text between them,
// or a value that may contain the text that follows it — Parse returns the
// split with the shortest values first; formats that quote their free text,
// as "combined" does, split exactly.
func (f *Format) Parse(line string, dst []string) ([]string, error) {
	if !strings.HasSuffix(line, "\n") {
		line += "\n"
	}
	p := parser{f: f, line: line, failed: make(map[[2]int]bool)}
	ends := make([]int, len(f.items))
	if !p.match(0, 0, ends) {
		return dst, ErrNoMatch
	}
	start := 0
	for i := range f.items {
		it := &f.items[i]
		text := line[start:ends[i]]
		start = ends[i]
		if it.op == opLiteral && len(it.conds) == 0 {
			continue
		}
		if it.bare && text == "null" {
			text = "-" // what httpd's escaping logs for the same value
		}
		if it.escaped() {
			if f.esc == EscapeJSON {
				text = unescapeJSON(text)
			} else {
				text = unescape(text)
			}
		}
		dst = append(dst, text)
	}
	return dst, nil
}

// parser is a backtracking matcher of a line against a format's items. It
// remembers the (item, offset) pairs that failed, so a line is matched in
// time bounded by items × length × candidate ends.
type parser struct {
	f      *Format
	line   string
	failed map[[2]int]bool
}

// match reports whether items[i:] can render line[pos:], recording where
// each item ends.
func (p *parser) match(i, pos int, ends []int) bool {
	if i == len(p.f.items) {
		return pos == len(p.line)
	}
	key := [2]int{i, pos}
	if p.failed[key] {
		return false
	}
	it := &p.f.items[i]
	if it.op == opLiteral && len(it.conds) == 0 {
		if strings.HasPrefix(p.line[pos:], it.arg) {
			ends[i] = pos + len(it.arg)
			if p.match(i+1, ends[i], ends) {
				return true
			}
		}
		p.failed[key] = true
		return false
	}
	// The text after the item: the next literal, if any, anchors its end.
	var next string
	if i+1 < len(p.f.items) && p.f.items[i+1].op == opLiteral && len(p.f.items[i+1].conds) == 0 {
		next = p.f.items[i+1].arg
	}
	found := false
	p.candidates(it, pos, func(end int) bool {
		if next != "" && !strings.HasPrefix(p.line[end:], next) {
			return true
		}
		ends[i] = end
		if p.match(i+1, end, ends) {
			found = true
			return false
		}
		return true
	})
	if !found {
		p.failed[key] = true
	}
	return found
}

// candidates calls yield with every end, in increasing order, at which a
// text that it could have rendered may end when it starts at pos, until
// yield returns false. It walks the line once.
func (p *parser) candidates(it *item, pos int, yield func(end int) bool) {
	line := p.line
	if it.bare && strings.HasPrefix(line[pos:], "null") && !yield(pos+4) {
		return
	}
	if len(it.conds) > 0 && strings.HasPrefix(line[pos:], "-") {
		if !yield(pos + 1) {
			return
		}
	}
	switch it.class() {
	case classEscaped:
		p.escapedEnds(pos, yield)
	case classUser:
		if p.f.esc == EscapeJSON {
			p.escapedEnds(pos, yield) // an empty name logs nothing
			return
		}
		if strings.HasPrefix(line[pos:], `""`) && !yield(pos+2) {
			return
		}
		p.escapedEnds(pos, func(end int) bool { return end == pos || yield(end) })
	case classQuery:
		if !yield(pos) {
			return
		}
		if pos < len(line) && line[pos] == '?' {
			p.escapedEnds(pos+1, yield)
		}
	case classNumber:
		if strings.HasPrefix(line[pos:], "-") {
			if !yield(pos + 1) {
				return
			}
			pos++
		}
		p.runEnds(pos, isDigit, yield)
	case classHex:
		p.runEnds(pos, isLowerHex, yield)
	case classRaw:
		p.runEnds(pos, isGraphic, yield)
	case classStatusChar:
		if pos < len(line) && (line[pos] == 'X' || line[pos] == '+' || line[pos] == '-') {
			yield(pos + 1)
		}
	case classCLF:
		// [dd/Mon/yyyy:hh:mm:ss +hhmm]: a digit after the bracket and no
		// second bracket before the closing one.
		if pos+1 < len(line) && line[pos] == '[' && isDigit(line[pos+1]) {
			span := line[pos+1 : min(len(line), pos+64)]
			if j := strings.IndexByte(span, ']'); j >= 0 && strings.IndexByte(span[:j], '[') < 0 {
				yield(pos + j + 2)
			}
		}
	default:
		if it.op == opLiteral {
			if strings.HasPrefix(line[pos:], it.arg) {
				yield(pos + len(it.arg))
			}
			return
		}
		for end := pos; end <= len(line); end++ {
			if !yield(end) {
				return
			}
		}
	}
}

// escapedEnds yields the ends of the texts starting at pos that
// appendEscaped can produce: printable ASCII in which '"' appears only as
// \" and every backslash starts one of httpd's escapes.
func (p *parser) escapedEnds(pos int, yield func(int) bool) {
	if p.f.esc == EscapeJSON {
		p.jsonEnds(pos, yield)
		return
	}
	line := p.line
	if !yield(pos) {
		return
	}
	for i := pos; i < len(line); {
		c := line[i]
		switch {
		case c == '\\':
			if i+1 >= len(line) {
				return
			}
			switch line[i+1] {
			case '\\', '"', 'b', 'n', 'r', 't', 'v':
				i += 2
			case 'x':
				if i+3 >= len(line) || !isLowerHex(line[i+2]) || !isLowerHex(line[i+3]) {
					return
				}
				i += 4
			default:
				return
			}
		case c == '"' || c < 0x20 || c > 0x7e:
			return
		default:
			i++
		}
		if !yield(i) {
			return
		}
	}
}

// jsonEnds yields the ends of the texts starting at pos that
// appendJSONEscaped can produce: printable ASCII in which '"' appears only
// as \" and every backslash starts a JSON escape, and whole UTF-8
// sequences.
func (p *parser) jsonEnds(pos int, yield func(int) bool) {
	line := p.line
	if !yield(pos) {
		return
	}
	for i := pos; i < len(line); {
		c := line[i]
		switch {
		case c == '\\':
			if i+1 >= len(line) {
				return
			}
			switch line[i+1] {
			case '\\', '"', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(line) || !isHex4(line[i+2:i+6]) {
					return
				}
				i += 6
			default:
				return
			}
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(line[i:])
			if r == utf8.RuneError && size == 1 {
				return
			}
			i += size
		case c == '"' || c < 0x20 || c == 0x7f:
			return
		default:
			i++
		}
		if !yield(i) {
			return
		}
	}
}

func isHex4(s string) bool {
	for i := 0; i < 4; i++ {
		c := s[i]
		if !isDigit(c) && !('a' <= c && c <= 'f') && !('A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// runEnds yields the ends of the non-empty runs of bytes that ok accepts,
// starting at pos.
func (p *parser) runEnds(pos int, ok func(byte) bool, yield func(int) bool) {
	for i := pos; i < len(p.line) && ok(p.line[i]); i++ {
		if !yield(i + 1) {
			return
		}
	}
}

func isDigit(c byte) bool   { return '0' <= c && c <= '9' }
func isGraphic(c byte) bool { return c > ' ' && c <= '~' }

func isLowerHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f')
}

// unescape undoes appendEscaped on text that validEscaped accepts.
func unescape(text string) string {
	if strings.IndexByte(text, '\\') < 0 {
		return text
	}
	b := make([]byte, 0, len(text))
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != '\\' || i+1 >= len(text) {
			b = append(b, c)
			continue
		}
		i++
		switch text[i] {
		case 'b':
			b = append(b, '\b')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'v':
			b = append(b, '\v')
		case 'x':
			if i+2 < len(text) {
				b = append(b, unhex(text[i+1])<<4|unhex(text[i+2]))
				i += 2
			}
		default:
			b = append(b, text[i])
		}
	}
	return string(b)
}

// unescapeJSON undoes appendJSONEscaped (and any other JSON escaping) on
// text that jsonEnds accepts. A \u escape of half a surrogate pair that
// has no other half becomes U+FFFD, as encoding/json reads it.
func unescapeJSON(text string) string {
	if strings.IndexByte(text, '\\') < 0 {
		return text
	}
	b := make([]byte, 0, len(text))
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != '\\' || i+1 >= len(text) {
			b = append(b, c)
			continue
		}
		i++
		switch text[i] {
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			if i+5 > len(text) {
				b = append(b, text[i-1:]...)
				return string(b)
			}
			r := rune(hex4(text[i+1 : i+5]))
			i += 4
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if i+6 < len(text) && text[i+1] == '\\' && text[i+2] == 'u' {
					r2 = rune(hex4(text[i+3 : i+7]))
				}
				if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
					r = pair
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			b = utf8.AppendRune(b, r)
		default:
			b = append(b, text[i])
		}
	}
	return string(b)
}

// hex4 is the value of four hexadecimal digits, either case.
func hex4(s string) uint16 {
	var v uint16
	for i := 0; i < 4; i++ {
		c := s[i] | 0x20 // lower case; digits are unchanged
		d := c - '0'
		if c >= 'a' {
			d = c - 'a' + 10
		}
		v = v<<4 | uint16(d)
	}
	return v
}

func unhex(c byte) byte {
	if c >= 'a' {
		return c - 'a' + 10
	}
	return c - '0'
}
