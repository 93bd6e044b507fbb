package logformat

import "strings"

// cookieValue finds cookie name in the request's Cookie header as httpd's
// log_cookie does: the header is split at ';' (empty pieces skipped), each
// piece at its first '=' (leading '=' skipped), pieces without a value are
// ignored, names compare without regard to case after trimming blanks, and
// the value of the first match is returned with blanks trimmed. Quoted
// values and ',' separators get no special treatment, as in httpd.
func cookieValue(in Fields, name string) (string, bool) {
	header, ok := in.Get("Cookie")
	if !ok {
		return "", false
	}
	rest := header
	for {
		// apr_strtok(cookies, ";"): skip separators, take up to the next one.
		for rest != "" && rest[0] == ';' {
			rest = rest[1:]
		}
		if rest == "" {
			return "", false
		}
		piece := rest
		if i := strings.IndexByte(rest, ';'); i >= 0 {
			piece, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		// apr_strtok(cookie, "="): the name is what follows any leading '='
		// up to the next '='; the value is everything after that '='.
		for piece != "" && piece[0] == '=' {
			piece = piece[1:]
		}
		eq := strings.IndexByte(piece, '=')
		if eq <= 0 || eq == len(piece)-1 {
			continue // no name, or no value
		}
		n, v := piece[:eq], piece[eq+1:]
		n = trimRightSpace(strings.TrimLeft(n, " \t"))
		if !equalFold(n, name) {
			continue
		}
		return trimRightSpace(strings.TrimLeft(v, " \t")), true
	}
}

// trimRightSpace drops trailing C isspace bytes.
func trimRightSpace(s string) string {
	for s != "" && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}
