package logformat

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
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	start := 0
	i := 0
	for i < len(s) {
		if len(s)-i >= 8 {
			// Eight bytes at a time, the common case of log text: a byte
			// below 0x20, 0x7f or above, '"' or '\\' (each test exact as
			// to whether some byte matches, not which) sends the eight
			// to the byte-at-a-time loop.
			w := s[i : i+8]
			x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
				uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
			q, b, d := x^(ones*'"'), x^(ones*'\\'), x^(ones*0x7f)
			bad := (x-ones*0x20)&^x | x | (q-ones)&^q | (b-ones)&^b | (d-ones)&^d
			if bad&highs == 0 {
				i += 8
				continue
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
