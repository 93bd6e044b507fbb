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
	start := 0
	for i := 0; i < len(s); i++ {
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
	return append(dst, s[start:]...)
}
