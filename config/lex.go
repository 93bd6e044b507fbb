package config

import "strings"

// This file holds the two lowest layers of httpd's configuration reader:
// ap_cfg_getline (physical lines to logical lines) and ap_getword_conf
// (a logical line to words), both in server/util.c.

// isSpace reports whether b is white space for apr_isspace in the C locale.
func isSpace(b byte) bool {
	switch b {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

// trimSpace removes leading and trailing apr_isspace bytes.
func trimSpace(s string) string {
	i, j := 0, len(s)
	for i < j && isSpace(s[i]) {
		i++
	}
	for j > i && isSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

// logicalLine is one line as ap_cfg_getline returns it.
type logicalLine struct {
	text  string // trimmed, continuations joined
	first int    // line number of the first physical line
	last  int    // line number of the last physical line
}

// source hands out the logical lines of one file, as ap_cfg_getline does:
//
//   - a backslash right before the newline (or before "\r\n") joins the next
//     physical line, the backslash and the line break removed, the next
//     line's leading white space kept. White space after the backslash
//     stops the continuation, as in httpd;
//   - a NUL byte ends the line's content (httpd reads C strings); the rest of
//     that physical line is dropped and it cannot continue;
//   - leading and trailing white space is trimmed.
//
// Comment and blank lines are returned too; the caller skips them, so that
// a comment ending in a backslash swallows the next line, as in httpd.
type source struct {
	name string
	data string
	pos  int
	line int // physical lines consumed so far
}

// next returns the next logical line, or false at the end of the data.
func (s *source) next() (logicalLine, bool) {
	if s.pos >= len(s.data) {
		return logicalLine{}, false
	}
	var b strings.Builder
	first := s.line + 1
	for s.pos < len(s.data) {
		s.line++
		rest := s.data[s.pos:]
		phys, hasLF := rest, false
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			phys, hasLF = rest[:i], true
			s.pos += i + 1
		} else {
			s.pos = len(s.data)
		}
		if i := strings.IndexByte(phys, 0); i >= 0 {
			b.WriteString(phys[:i])
			break
		}
		if hasLF {
			body := strings.TrimSuffix(phys, "\r")
			if strings.HasSuffix(body, `\`) {
				b.WriteString(body[:len(body)-1])
				continue
			}
		}
		b.WriteString(phys)
		break
	}
	return logicalLine{text: trimSpace(b.String()), first: first, last: s.line}, true
}

// getword returns the first word of s and what follows it with its leading
// white space removed, exactly as ap_getword_conf does:
//
//   - a word starting with a double or single quote runs to the matching
//     quote, or to the end of s if there is none; inside it a backslash
//     escapes only that quote character or a backslash. No white space is
//     needed after the closing quote: `"a"b` is the two words a and b;
//   - any other word runs to the next white space; inside it a doubled
//     backslash stands for one backslash and any other backslash is kept.
//
// At the end of s it returns "", "".
func getword(s string) (word, rest string) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	s = s[i:]
	if s == "" {
		return "", ""
	}
	var end int
	if q := s[0]; q == '"' || q == '\'' {
		j := 1
		for j < len(s) && s[j] != q {
			if s[j] == '\\' && j+1 < len(s) && (s[j+1] == q || s[j+1] == '\\') {
				j += 2
			} else {
				j++
			}
		}
		word = unescapeWord(s[1:j], q)
		if j < len(s) {
			j++ // the closing quote
		}
		end = j
	} else {
		j := 0
		for j < len(s) && !isSpace(s[j]) {
			j++
		}
		word = unescapeWord(s[:j], 0)
		end = j
	}
	for end < len(s) && isSpace(s[end]) {
		end++
	}
	return word, s[end:]
}

// unescapeWord is httpd's substring_conf: a backslash followed by a
// backslash, or by the quote character of a quoted word, stands for that
// character. quote is 0 for an unquoted word.
func unescapeWord(s string, quote byte) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '\\' || (quote != 0 && s[i+1] == quote)) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// splitWords returns every word of s as repeated ap_getword_conf calls
// see them. An empty quoted string is a word of its own.
func splitWords(s string) []string {
	var words []string
	for s != "" {
		var w string
		w, s = getword(s)
		words = append(words, w)
	}
	return words
}

// quoteWord returns w written so that getword reads it back unchanged:
// bare if it can be, otherwise in double quotes with backslashes and
// double quotes escaped. lineStart marks the first word of a line, which
// must not look like a comment.
func quoteWord(w string, lineStart bool) string {
	needs := w == "" || w[0] == '"' || w[0] == '\'' || (lineStart && w[0] == '#')
	for i := 0; i < len(w) && !needs; i++ {
		needs = isSpace(w[i]) || w[i] == '\\'
	}
	if !needs {
		return w
	}
	var b strings.Builder
	b.Grow(len(w) + 2)
	b.WriteByte('"')
	for i := 0; i < len(w); i++ {
		if w[i] == '\\' || w[i] == '"' {
			b.WriteByte('\\')
		}
		b.WriteByte(w[i])
	}
	b.WriteByte('"')
	return b.String()
}

// envLookup finds the value of a ${NAME} reference.
type envLookup func(name string) (string, bool)

// resolveEnv replaces each ${NAME} in s as ap_resolve_env does: one pass,
// the name running to the first '}', looked up among the Define'd
// variables and then the process environment. An unknown name is left as
// written and reported through undefined, unless it contains ':' (httpd
// keeps quiet about those, they are usually mod_rewrite-style syntax).
func resolveEnv(s string, lookup envLookup, undefined func(name string)) string {
	if strings.IndexByte(s, '$') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i+2:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		name := s[i+2 : i+2+j]
		b.WriteString(s[:i])
		if v, ok := lookup(name); ok {
			b.WriteString(v)
		} else {
			if strings.IndexByte(name, ':') < 0 {
				undefined(name)
			}
			b.WriteString(s[i : i+3+j])
		}
		s = s[i+3+j:]
	}
}
