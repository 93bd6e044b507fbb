package logformat

import "unicode/utf8"

// escapeShort holds the one-letter escapes; other marked bytes become \xhh.
var escapeShort = [256]byte{
	'\b': 'b',
	'\n': 'n',
	'\r': 'r',
	'\t': 't',
	'\v': 'v',
	'\\': '\\',
	'"':  '"',
}

const hexDigits = "0123456789abcdef"

// logSafe marks the bytes ap_escape_logitem leaves alone: printable ASCII
// other than '"' and '\\'.
var logSafe = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendEscaped appends s escaped as httpd's ap_escape_logitem escapes it
// (T_ESCAPE_LOGITEM in gen_test_char.c): \" \\ \b \n \r \t \v, and \xhh
// in lower-case hex for the other control bytes and every byte above 0x7e.
// httpd strings end at NUL, so httpd never meets one; here NUL becomes \x00
// so that no byte of request data can reach the log raw.
func appendEscaped(dst []byte, s string) []byte {
	start := 0
	i := 0
	for i < len(s) {
		if len(s)-i >= 8 {
			// Eight bytes at a time, the common case of log text; a word
			// with a byte to escape goes to the byte-at-a-time loop.
			if !wordNeedsEscape(le64(s[i:])) {
				i += 8
				continue
			}
		} else if len(s) >= 8 {
			// Fewer than eight left: the last eight bytes, overlapping
			// some already looked at, are tested as one word.
			if !wordNeedsEscape(le64(s[len(s)-8:])) {
				break
			}
		}
		end := min(i+8, len(s))
		for ; i < end; i++ {
			c := s[i]
			if logSafe[c] {
				continue
			}
			dst = append(dst, s[start:i]...)
			if e := escapeShort[c]; e != 0 {
				dst = append(dst, '\\', e)
			} else {
				dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
			}
			start = i + 1
		}
	}
	return append(dst, s[start:]...)
}

// wordNeedsEscape reports whether one of the eight bytes of x is one
// appendEscaped escapes: below 0x20, 0x7f or above, '"' or '\\'. Each
// test is exact as to whether some byte matches, not which.
func wordNeedsEscape(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q, b, d := x^(ones*'"'), x^(ones*'\\'), x^(ones*0x7f)
	bad := (x-ones*0x20)&^x | x | (q-ones)&^q | (b-ones)&^b | (d-ones)&^d
	return bad&highs != 0
}

// le64 is the first eight bytes of s as a little-endian word (one load).
func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// Escape is how a format escapes the text it logs.
type Escape uint8

const (
	// EscapeApache escapes as httpd's ap_escape_logitem: lines are
	// byte-identical to httpd's.
	EscapeApache Escape = iota
	// EscapeJSON escapes text as the inside of a JSON string (RFC 8259),
	// for formats that are JSON objects with the items in quotes: see
	// appendJSONEscaped. An empty %u logs nothing, where httpd writes "".
	EscapeJSON
)

// String names the escaping as the configuration writes it.
func (e Escape) String() string {
	if e == EscapeJSON {
		return "json"
	}
	return "apache"
}

// jsonShort holds JSON's one-letter escapes; other control bytes and DEL
// become \u00hh.
var jsonShort = [256]byte{
	'\b': 'b',
	'\f': 'f',
	'\n': 'n',
	'\r': 'r',
	'\t': 't',
	'\\': '\\',
	'"':  '"',
}

// appendJSONEscaped appends s escaped as the inside of a JSON string: \"
// \\ \b \f \n \r \t, \u00hh for the other bytes below 0x20 and for DEL,
// and \u2028 and \u2029 (line and paragraph separators, which some tools
// take for line ends). Valid UTF-8 is kept as it is; each byte that is not
// part of a valid UTF-8 sequence becomes \ufffd, as encoding/json writes
// it, so that the line is valid JSON text whatever a client sent. Like
// appendEscaped, it leaves no byte below 0x20 in the line.
func appendJSONEscaped(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		if len(s)-i >= 8 && !wordNeedsEscape(le64(s[i:])) {
			i += 8
			continue
		}
		c := s[i]
		if logSafe[c] {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError && r != '\u2028' && r != '\u2029' {
				i += size
				continue
			}
			dst = append(dst, s[start:i]...)
			switch r {
			case '\u2028':
				dst = append(dst, `\u2028`...)
			case '\u2029':
				dst = append(dst, `\u2029`...)
			default:
				// size is 1 for an invalid byte; a valid U+FFFD is
				// written as the escape as well, with its three bytes.
				dst = append(dst, `\ufffd`...)
			}
			i += size
			start = i
			continue
		}
		dst = append(dst, s[start:i]...)
		if e := jsonShort[c]; e != 0 {
			dst = append(dst, '\\', e)
		} else {
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	return append(dst, s[start:]...)
}
