package logformat

import "strings"

// Redaction names the secrets a format must not write (logproxy's own;
// httpd logs every value as it came). A value it hides is logged as
// Redacted, so the line still shows that there was one. The zero value
// hides nothing.
type Redaction struct {
	// Query names query parameters whose values are hidden wherever a
	// URL's query is logged: %r, %q, %{Referer}i and %{Location}o. A
	// parameter's name is compared after percent-decoding it and reading
	// '+' as a space, as an application reads it (Django's QueryDict,
	// Go's url.ParseQuery), and with case: "token" does not hide "Token".
	Query []string

	// Headers names header fields (any case) whose values %{name}i,
	// %{name}o and their trailer forms %{name}^ti and %{name}^to hide.
	Headers []string

	// Cookies names cookies (any case, as %{name}C matches them) whose
	// values are hidden in %{Cookie}i, %{Set-Cookie}o and %{name}C.
	Cookies []string
}

// Redacted is what a hidden value is logged as.
const Redacted = "REDACTED"

// How an item is redacted (item.redact).
const (
	redactValue     uint8 = 1 + iota // the whole value
	redactURL                        // the query of a URL: from '?' to '#'
	redactLine                       // the query of a request line's URI
	redactQuery                      // a query without its '?' (%q's)
	redactCookies                    // a Cookie header's list
	redactSetCookie                  // each Set-Cookie's first pair
)

// markRedactions sets the redaction of each item that logs a value rd
// hides.
func (f *Format) markRedactions(rd *Redaction) {
	if len(rd.Query) == 0 && len(rd.Headers) == 0 && len(rd.Cookies) == 0 {
		return
	}
	f.redact = rd
	for i := range f.items {
		it := &f.items[i]
		switch it.op {
		case opHeaderIn, opHeaderOut, opTrailerIn, opTrailerOut:
			switch {
			case containsFold(rd.Headers, it.arg):
				it.redact = redactValue
			case len(rd.Query) > 0 && ((it.op == opHeaderIn && equalFold(it.arg, "Referer")) ||
				(it.op == opHeaderOut && equalFold(it.arg, "Location"))):
				it.redact = redactURL
			case len(rd.Cookies) > 0 && it.op == opHeaderIn && equalFold(it.arg, "Cookie"):
				it.redact = redactCookies
			case len(rd.Cookies) > 0 && it.op == opHeaderOut && equalFold(it.arg, "Set-Cookie"):
				it.redact = redactSetCookie
			}
		case opCookie:
			if containsFold(rd.Cookies, it.arg) {
				it.redact = redactValue
			}
		case opRequestLine:
			if len(rd.Query) > 0 {
				it.redact = redactLine
			}
		case opQuery:
			if len(rd.Query) > 0 {
				it.redact = redactQuery
			}
		}
	}
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if equalFold(x, s) {
			return true
		}
	}
	return false
}

// appendRedacted renders an item that has a redaction: the value as
// appendItem finds it, with what rd names hidden.
func (f *Format) appendRedacted(dst []byte, it *item, r *Record) []byte {
	q := &r.Final
	if it.orig && r.Orig != nil {
		q = r.Orig
	}
	switch it.redact {
	case redactValue:
		var ok bool
		switch it.op {
		case opHeaderIn:
			_, ok = q.HeadersIn.Get(it.arg)
		case opHeaderOut:
			_, ok = q.HeadersOut.Get(it.arg)
		case opTrailerIn:
			_, ok = q.TrailersIn.Get(it.arg)
		case opTrailerOut:
			_, ok = q.TrailersOut.Get(it.arg)
		case opCookie:
			_, ok = cookieValue(q.HeadersIn, it.arg)
		}
		if !ok {
			return append(dst, '-')
		}
		return append(dst, Redacted...)
	case redactURL:
		fs := q.HeadersIn
		if it.op == opHeaderOut {
			fs = q.HeadersOut
		}
		v, ok := fs.Get(it.arg)
		if !ok {
			return append(dst, '-')
		}
		return f.appendURLRedacted(dst, v, len(v))
	case redactLine:
		if q.Line == "" && q.LineRead {
			return dst
		}
		if q.Line == "" {
			return append(dst, '-')
		}
		// The URI is the second word; the query ends where it does.
		s := q.Line
		sp := strings.IndexByte(s, ' ')
		if sp < 0 {
			return f.escape(dst, s)
		}
		end := len(s)
		if i := strings.IndexByte(s[sp+1:], ' '); i >= 0 {
			end = sp + 1 + i
		}
		dst = f.escape(dst, s[:sp+1])
		return f.appendURLRedacted(dst, s[sp+1:], end-sp-1)
	case redactQuery:
		if !q.HasQuery {
			return dst
		}
		return f.appendQueryRedacted(append(dst, '?'), q.Query)
	case redactCookies:
		v, ok := q.HeadersIn.Get(it.arg)
		if !ok {
			return append(dst, '-')
		}
		return f.appendCookiesRedacted(dst, v)
	case redactSetCookie:
		n := 0
		for i := range q.HeadersOut {
			if !equalFold(q.HeadersOut[i].Name, it.arg) {
				continue
			}
			if n > 0 {
				dst = append(dst, ',', ' ')
			}
			dst = f.appendSetCookieRedacted(dst, q.HeadersOut[i].Value)
			n++
		}
		if n == 0 {
			return append(dst, '-')
		}
		return dst
	}
	return dst
}

// appendURLRedacted appends s escaped, with the values of the query
// parameters f.redact names hidden in the query of the URL s[:end]: from
// its first '?' to a '#' or end.
func (f *Format) appendURLRedacted(dst []byte, s string, end int) []byte {
	qs := strings.IndexByte(s[:end], '?')
	if qs < 0 {
		return f.escape(dst, s)
	}
	qe := end
	if i := strings.IndexByte(s[qs:end], '#'); i >= 0 {
		qe = qs + i
	}
	dst = f.escape(dst, s[:qs+1])
	dst = f.appendQueryRedacted(dst, s[qs+1:qe])
	return f.escape(dst, s[qe:])
}

// appendQueryRedacted appends the query q (without '?') escaped, each
// '&'-separated parameter whose name f.redact.Query names with its value
// as Redacted.
func (f *Format) appendQueryRedacted(dst []byte, q string) []byte {
	for {
		param, rest, more := strings.Cut(q, "&")
		if name, _, hasValue := strings.Cut(param, "="); hasValue && queryNameIn(name, f.redact.Query) {
			dst = f.escape(dst, name)
			dst = append(dst, '=')
			dst = append(dst, Redacted...)
		} else {
			dst = f.escape(dst, param)
		}
		if !more {
			return dst
		}
		dst = append(dst, '&')
		q = rest
	}
}

// queryNameIn reports whether the raw parameter name raw, percent-decoded
// with '+' as a space, is one of names.
func queryNameIn(raw string, names []string) bool {
	for _, n := range names {
		if queryNameIs(raw, n) {
			return true
		}
	}
	return false
}

// queryNameIs compares raw, decoded on the fly, with name. A '%' not
// followed by two hex digits stands for itself, as most decoders keep it.
func queryNameIs(raw, name string) bool {
	j := 0
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '+':
			c = ' '
		case c == '%' && i+2 < len(raw) && isHexDigit(raw[i+1]) && isHexDigit(raw[i+2]):
			c = hexValue(raw[i+1])<<4 | hexValue(raw[i+2])
			i += 2
		}
		if j >= len(name) || name[j] != c {
			return false
		}
		j++
	}
	return j == len(name)
}

// hexValue is the value of the hex digit c, of either case.
func hexValue(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// appendCookiesRedacted appends a Cookie header's list escaped, the value
// of each cookie f.redact.Cookies names as Redacted. Pieces are read as
// cookieValue reads them (split at ';', leading '=' skipped, a name up to
// the next '=' with blanks trimmed, pieces with no value left alone);
// everything else is kept as it came.
func (f *Format) appendCookiesRedacted(dst []byte, v string) []byte {
	for {
		piece, rest, more := strings.Cut(v, ";")
		off := 0
		for off < len(piece) && piece[off] == '=' {
			off++
		}
		eq := strings.IndexByte(piece[off:], '=')
		if eq > 0 && off+eq < len(piece)-1 &&
			containsFold(f.redact.Cookies, trimRightSpace(strings.TrimLeft(piece[off:off+eq], " \t"))) {
			dst = f.escape(dst, piece[:off+eq+1])
			dst = append(dst, Redacted...)
		} else {
			dst = f.escape(dst, piece)
		}
		if !more {
			return dst
		}
		dst = append(dst, ';')
		v = rest
	}
}

// appendSetCookieRedacted appends one Set-Cookie value escaped, its
// cookie's value as Redacted when f.redact.Cookies names it; the
// attributes after the first ';' are kept.
func (f *Format) appendSetCookieRedacted(dst []byte, v string) []byte {
	pair, attrs, hasAttrs := strings.Cut(v, ";")
	dst = f.appendCookiesRedacted(dst, pair)
	if hasAttrs {
		dst = append(dst, ';')
		dst = f.escape(dst, attrs)
	}
	return dst
}
