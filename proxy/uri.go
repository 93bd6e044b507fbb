package proxy

// This file holds the URI and host-name rules httpd 2.4 applies to a request
// head: apr-util's apr_uri_parse, apr_uri_parse_hostinfo and apr_uri_unparse
// (uri/apr_uri.c, 1.6.x), APR's apr_parse_addr_port and inet_pton, and from
// httpd server/util.c ap_normalize_path and unescape_url, server/vhost.c
// fix_hostname, and the character classes of server/gen_test_char.c. Each
// function says which C function it follows; the C behaviour is kept even
// where it looks odd, since the access log shows its results.

// Character classes of gen_test_char.c (test_char_table), computed for the
// C locale as httpd's build does: only ASCII letters and digits are alnum,
// only 0x00-0x1f and 0x7f are control characters.
const (
	tcHTTPTokenStop = 1 << iota // T_HTTP_TOKEN_STOP: not an RFC 7230 tchar (NUL stops too)
	tcHTTPCtrls                 // T_HTTP_CTRLS: NUL and C0 controls but HT, and DEL
	tcVcharObstext              // T_VCHAR_OBSTEXT: 0x21-0x7e and 0x80-0xff
	tcURIUnreserved             // T_URI_UNRESERVED: ALPHA DIGIT - . _ ~
)

var h1CharClass = func() (t [256]uint8) {
	for i := 0; i < 256; i++ {
		c := byte(i)
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		cntrl := c < 0x20 || c == 0x7f
		if c == 0 || !(alnum || byteIn(c, "!#$%&'*+-.^_`|~")) {
			t[i] |= tcHTTPTokenStop
		}
		if c == 0 || (cntrl && c != '\t') {
			t[i] |= tcHTTPCtrls
		}
		if c != 0 && !cntrl && c != ' ' {
			t[i] |= tcVcharObstext
		}
		if c != 0 && (alnum || byteIn(c, "-._~")) {
			t[i] |= tcURIUnreserved
		}
	}
	return t
}()

func byteIn(c byte, set string) bool {
	for i := 0; i < len(set); i++ {
		if set[i] == c {
			return true
		}
	}
	return false
}

// cSpace is the C locale's isspace: SP, HT, LF, VT, FF, CR.
func cSpace(c byte) bool { return c == ' ' || c-'\t' <= '\r'-'\t' }

func cDigit(c byte) bool { return '0' <= c && c <= '9' }
func cAlpha(c byte) bool { return 'A' <= c&^0x20 && c&^0x20 <= 'Z' }
func cXdigit(c byte) bool {
	return cDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'f'
}
func cLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// at returns b[i], or 0 past the end: the NUL terminator of a C string.
func at(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	return 0
}

// uriSpan is one piece of a parsed URI as offsets into the parsed text; ok
// false is the NULL pointer of an apr_uri_t field that was not present.
type uriSpan struct {
	a, b int
	ok   bool
}

func mkSpan(a, b int) uriSpan { return uriSpan{a, b, true} }

// uriParts is apr_uri_t as apr_uri_parse leaves it.
type uriParts struct {
	scheme, hostinfo, user, password, hostname, portStr, path, query, fragment uriSpan
	port                                                                       uint16
}

// uriNotEndPath: the characters that end a path (apr_uri.c NOTEND_PATH).
func uriEndsPath(c byte) bool { return c == '?' || c == '#' || c == 0 }

// uriEndsHostinfo: NOTEND_HOSTINFO.
func uriEndsHostinfo(c byte) bool { return c == '/' || c == '?' || c == '#' || c == 0 }

// URLParses reports whether apr_uri_parse takes u, as httpd requires of
// a ProxyPass URL ("Unable to parse URL" otherwise).
func URLParses(u string) bool {
	for i := 0; i < len(u); i++ {
		if u[i] == 0 { // a C string ends there
			return false
		}
	}
	_, ok := aprURIParse([]byte(u))
	return ok
}

// aprURIParse follows apr_uri_parse of apr-util 1.6 on u, which holds no
// NUL byte. It reports false where apr_uri_parse returns APR_EGENERAL.
func aprURIParse(u []byte) (p uriParts, ok bool) {
	if at(u, 0) == '/' {
		if at(u, 1) == '/' && at(u, 2) != '/' {
			return p, p.authority(u, 2)
		}
		p.pathFrom(u, 0)
		return p, true
	}
	// The scheme: a letter, then letters, digits, '+', '-' or '.'.
	s := 0
	if cAlpha(at(u, 0)) {
		s++
		for c := at(u, s); cAlpha(c) || cDigit(c) || c == '+' || c == '-' || c == '.'; c = at(u, s) {
			s++
		}
	}
	if s != 0 && at(u, s) == ':' {
		p.scheme = mkSpan(0, s)
		s++
	} else {
		s = 0
	}
	if at(u, s) != '/' || at(u, s+1) != '/' {
		if s == 0 {
			// RFC 3986 3.3: without scheme and authority, the first
			// segment of a relative path must not contain a ':'.
			end := len(u)
			for i := 0; i < len(u); i++ {
				if u[i] == '/' {
					end = i
					break
				}
			}
			for i := 0; i < end; i++ {
				if u[i] == ':' {
					return p, false
				}
			}
		}
		p.pathFrom(u, s)
		return p, true
	}
	return p, p.authority(u, s+2)
}

// pathFrom is apr_uri_parse's deal_with_path.
func (p *uriParts) pathFrom(u []byte, from int) {
	s := from
	for !uriEndsPath(at(u, s)) {
		s++
	}
	if s != from {
		p.path = mkSpan(from, s)
	}
	if s >= len(u) {
		return
	}
	if u[s] == '?' {
		s++
		for i := s; i < len(u); i++ {
			if u[i] == '#' {
				p.fragment = mkSpan(i+1, len(u))
				p.query = mkSpan(s, i)
				return
			}
		}
		p.query = mkSpan(s, len(u))
		return
	}
	p.fragment = mkSpan(s+1, len(u))
}

// authority is apr_uri_parse's deal_with_authority and deal_with_host.
func (p *uriParts) authority(u []byte, s int) bool {
	hostinfo := s
	for !uriEndsHostinfo(at(u, s)) {
		s++
	}
	uri := s
	p.hostinfo = mkSpan(hostinfo, uri)
	// The '@' of user:password@host is the last one.
	for s--; s >= hostinfo && u[s] != '@'; s-- {
	}
	if s >= hostinfo {
		colon := -1
		for i := hostinfo; i < s; i++ {
			if u[i] == ':' {
				colon = i
				break
			}
		}
		if colon >= 0 {
			p.user = mkSpan(hostinfo, colon)
			p.password = mkSpan(colon+1, s)
		} else {
			p.user = mkSpan(hostinfo, s)
		}
		hostinfo = s + 1
	}
	// deal_with_host: a port follows the first colon, or the ']' of an
	// IPv6 literal.
	v1, v2 := 0, 0
	s = -1
	if at(u, hostinfo) == '[' {
		v1, v2 = 1, 2
		rb := -1
		for i := hostinfo; i < uri; i++ {
			if u[i] == ']' {
				rb = i
				break
			}
		}
		if rb < 0 {
			return false
		}
		if at(u, rb+1) == ':' {
			s = rb + 1
		}
	} else {
		for i := hostinfo; i < uri; i++ {
			if u[i] == ':' {
				s = i
				break
			}
		}
	}
	if s < 0 {
		p.hostname = mkSpan(hostinfo+v1, uri+v1-v2)
		p.pathFrom(u, uri)
		return true
	}
	p.hostname = mkSpan(hostinfo+v1, s+v1-v2)
	s++
	p.portStr = mkSpan(s, uri)
	if uri != s {
		port, end := cStrtol(u[s:uri])
		p.port = uint16(port)
		if end != uri-s {
			return false // invalid characters after ':'
		}
	} else {
		p.port = uriDefaultPort(u[p.scheme.a:p.scheme.b], p.scheme.ok)
	}
	p.pathFrom(u, uri)
	return true
}

// aprURIParseHostinfo follows apr_uri_parse_hostinfo, used for CONNECT:
// the target is host:port only.
func aprURIParseHostinfo(u []byte) (p uriParts, ok bool) {
	p.hostinfo = mkSpan(0, len(u))
	s, hi, v1 := -1, 0, 0
	if at(u, 0) == '[' {
		rb := -1
		for i := range u {
			if u[i] == ']' {
				rb = i
				break
			}
		}
		if rb < 0 || at(u, rb+1) != ':' {
			return p, false
		}
		s, hi, v1 = rb+1, 1, 1
	} else {
		for i := range u {
			if u[i] == ':' {
				s = i
				break
			}
		}
	}
	if s < 0 {
		return p, false
	}
	p.hostname = mkSpan(hi, s-v1)
	s++
	p.portStr = mkSpan(s, len(u))
	if s < len(u) {
		port, end := cStrtol(u[s:])
		p.port = uint16(port)
		if end == len(u)-s {
			return p, true
		}
	}
	return p, false
}

// cStrtol is strtol(s, &end, 10) on a string without leading white space:
// it returns the value (clamped to the int64 range as strtol clamps to
// long) and how many bytes it used, 0 when there are no digits.
func cStrtol(s []byte) (int64, int) {
	i, neg := 0, false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	const maxU = 1<<64 - 1
	var v uint64
	over := false
	for ; i < len(s) && cDigit(s[i]); i++ {
		d := uint64(s[i] - '0')
		if over || v > (maxU-d)/10 {
			over = true
			continue
		}
		v = v*10 + d
	}
	if i == start {
		return 0, 0
	}
	switch {
	case neg && (over || v >= 1<<63):
		return -1 << 63, i
	case neg:
		return -int64(v), i
	case over || v > 1<<63-1:
		return 1<<63 - 1, i
	}
	return int64(v), i
}

// uriDefaultPort is apr_uri_port_of_scheme: the default port of a scheme
// named case-insensitively, 0 for an unknown one or none.
func uriDefaultPort(scheme []byte, ok bool) uint16 {
	if !ok {
		return 0
	}
	for _, s := range uriSchemes {
		if len(s.name) == len(scheme) && equalFoldBytes(scheme, s.name) {
			return s.port
		}
	}
	return 0
}

var uriSchemes = [...]struct {
	name string
	port uint16
}{
	{"http", 80}, {"ftp", 21}, {"https", 443}, {"gopher", 70}, {"ldap", 389},
	{"nntp", 119}, {"snews", 563}, {"imap", 143}, {"pop", 110}, {"sip", 5060},
	{"rtsp", 554}, {"wais", 210}, {"z39.50r", 210}, {"z39.50s", 210},
	{"prospero", 191}, {"nfs", 2049}, {"tip", 3372}, {"acap", 674},
	{"telnet", 23}, {"ssh", 22},
}

// equalFoldBytes compares b and s under ASCII case folding (strcasecmp in
// the C locale).
func equalFoldBytes(b []byte, s string) bool { return asciiEqualFold(b, s) }

// asciiEqualFold compares a and b under ASCII case folding.
func asciiEqualFold[A, B string | []byte](a A, b B) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if cLower(a[i]) != cLower(b[i]) {
			return false
		}
	}
	return true
}

// optString is a C string pointer: ok false stands for NULL.
type optString struct {
	s  string
	ok bool
}

// uriStrings is parsed_uri kept past the parse, for %r's password masking.
type uriStrings struct {
	scheme, user, password, hostname, portStr, path, query, fragment optString
	port                                                             uint16
}

// unparse is apr_uri_unparse(p, uptr, 0): the URI with the password
// replaced by XXXXXXXX.
func (u *uriStrings) unparse() string {
	site := ""
	if u.user.ok || u.password.ok {
		site = u.user.s
		if u.password.ok {
			site += ":XXXXXXXX"
		}
		site += "@"
	}
	if u.hostname.ok {
		lb, rb := "", ""
		for i := 0; i < len(u.hostname.s); i++ {
			if u.hostname.s[i] == ':' { // IPv6 literal
				lb, rb = "[", "]"
				break
			}
		}
		port := ""
		if u.portStr.ok && u.port != 0 &&
			u.port != uriDefaultPort([]byte(u.scheme.s), u.scheme.ok) {
			port = ":" + u.portStr.s
		}
		site = "//" + site + lb + u.hostname.s + rb + port
	}
	if u.scheme.ok {
		site = u.scheme.s + ":" + site
	}
	s := site + u.path.s
	if u.query.ok {
		s += "?" + u.query.s
	}
	if u.fragment.ok {
		s += "#" + u.fragment.s
	}
	return s
}

// URI normalisation options of the virtual host and location a request
// maps to (core_dir_config / core_server_config); the zero value is
// httpd's default.
// uriOptions are the settings of s that ap_process_request_internal
// normalises the path with.
func (s *Server) uriOptions() uriOptions {
	return uriOptions{EncodedSlashes: s.EncodedSlashes, NoMergeSlashes: s.NoMergeSlashes}
}

type uriOptions struct {
	// EncodedSlashes is AllowEncodedSlashes: Off (a %2F makes a 404),
	// On (decoded), NoDecode (kept encoded).
	EncodedSlashes EncodedSlashes
	// NoMergeSlashes is MergeSlashes Off; by default runs of '/' collapse.
	NoMergeSlashes bool
}

// EncodedSlashes is an AllowEncodedSlashes setting.
type EncodedSlashes uint8

// The AllowEncodedSlashes settings.
const (
	EncodedSlashesOff      EncodedSlashes = iota // a %2F in the path is a 404
	EncodedSlashesOn                             // decoded
	EncodedSlashesNoDecode                       // kept encoded, also to the backend
)

// Flags of ap_normalize_path.
const (
	normNotAboveRoot = 1 << iota
	normDecodeUnreserved
	normMergeSlashes
)

func x2c(a, b byte) byte {
	hex := func(c byte) byte {
		if c >= 'A' {
			return (c & 0xdf) - 'A' + 10
		}
		return c - '0'
	}
	return hex(a)<<4 + hex(b)
}

// normalizePath is ap_normalize_path on the NUL-free path b, in place. It
// returns the new length and false where httpd's returns 0 (the request
// then fails with 400); like httpd it still normalises the whole path.
func normalizePath(b []byte, flags int) (int, bool) {
	ret := true
	l, w := 1, 1
	decode := flags&normDecodeUnreserved != 0
	merge := flags&normMergeSlashes != 0
	if len(b) == 0 || b[0] != '/' {
		if len(b) == 1 && b[0] == '*' {
			return 1, true
		}
		return len(b), false // AP_NORMALIZE_ALLOW_RELATIVE is for subrequests only
	}
	slashOrNul := func(i int) bool { c := at(b, i); return c == 0 || c == '/' }
	for l < len(b) {
		if decode && b[l] == '%' {
			if cXdigit(at(b, l+1)) && cXdigit(at(b, l+2)) {
				c := x2c(b[l+1], b[l+2])
				if h1CharClass[c]&tcURIUnreserved != 0 {
					l += 2
					b[l] = c
				}
			} else {
				ret = false // invalid encoding
			}
		}
		if w == 0 || b[w-1] == '/' {
			if merge && b[l] == '/' {
				for l < len(b) && b[l] == '/' {
					l++
				}
				continue
			}
			if b[l] == '.' {
				if slashOrNul(l + 1) { // "/./"
					l++
					if l < len(b) {
						l++
					}
					continue
				}
				n := l + 1
				dotdot := false
				if at(b, n) == '.' {
					dotdot = true
				} else if decode && at(b, n) == '%' {
					n++
					if at(b, n) == '2' {
						n++
						dotdot = at(b, n) == 'e' || at(b, n) == 'E'
					}
				}
				if dotdot && slashOrNul(n+1) { // "/../"
					if w > 1 {
						for {
							w--
							if w == 0 || b[w-1] == '/' {
								break
							}
						}
					} else if flags&normNotAboveRoot != 0 {
						ret = false
					}
					l = n + 1
					if l < len(b) {
						l++
					}
					continue
				}
			}
		}
		b[w] = b[l]
		w++
		l++
	}
	return w, ret
}

// Flags of unescape_url.
const (
	unescKeepSlashes = 1 << iota
	unescForbidSlashes
	unescKeepUnreserved
)

// unescapeURL is server/util.c unescape_url(url, NULL, NULL, flags) on
// the NUL-free b, in place. It returns the new length of the C string (a
// decoded %00 ends it) and 0, 400 for a bad escape or 404 for %00 or a
// forbidden slash; like httpd it decodes the whole path either way.
func unescapeURL(b []byte, flags int) (int, int) {
	y := -1
	for i, c := range b {
		if c == '%' {
			y = i
			break
		}
	}
	if y < 0 {
		return len(b), 0
	}
	badesc, badpath := false, false
	x := y
	for ; y < len(b); x, y = x+1, y+1 {
		if b[y] != '%' {
			b[x] = b[y]
			continue
		}
		if !cXdigit(at(b, y+1)) || !cXdigit(at(b, y+2)) {
			badesc = true
			b[x] = '%'
			continue
		}
		d := x2c(b[y+1], b[y+2])
		switch {
		case d == 0 || (flags&unescForbidSlashes != 0 && d == '/'):
			badpath = true
			b[x] = d
			y += 2
		case (flags&unescKeepUnreserved != 0 && h1CharClass[d]&tcURIUnreserved != 0) ||
			(flags&unescKeepSlashes != 0 && d == '/'):
			b[x], b[x+1], b[x+2] = b[y], b[y+1], b[y+2]
			x += 2
			y += 2
		default:
			b[x] = d
			y += 2
		}
	}
	n := x
	for i := 0; i < x; i++ {
		if b[i] == 0 {
			n = i
			break
		}
	}
	switch {
	case badesc:
		return n, 400
	case badpath:
		return n, 404
	}
	return n, 0
}

// processPath does what ap_process_request_internal does to
// r->parsed_uri.path (which r->uri shares) before translate_name: it
// normalises the path and percent-decodes it in place. It returns the new
// path and the status httpd fails the request with (0 if none).
func processPath(path []byte, o uriOptions) ([]byte, int) {
	flags := normNotAboveRoot
	if !o.NoMergeSlashes {
		flags |= normMergeSlashes
	}
	n, ok := normalizePath(path, flags|normDecodeUnreserved)
	path = path[:n]
	if !ok {
		return path, 400
	}
	uf := unescKeepUnreserved
	switch o.EncodedSlashes {
	case EncodedSlashesOff:
		uf |= unescForbidSlashes
	case EncodedSlashesNoDecode:
		uf |= unescKeepSlashes
	}
	n, st := unescapeURL(path, uf)
	path = path[:n]
	if st != 0 {
		return path, st
	}
	if o.EncodedSlashes == EncodedSlashesOn {
		// Decoded slashes may have made new "//", "/./" or "/../".
		n, _ = normalizePath(path, flags)
		path = path[:n]
	}
	return path, 0
}

// pathNeedsWork reports whether processPath could change path: without
// '%', "//" or a '.' segment it leaves the path as it is.
func pathNeedsWork[T string | []byte](p T) bool {
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '%':
			return true
		case '/':
			if i+1 < len(p) && (p[i+1] == '/' || p[i+1] == '.') {
				return true
			}
		}
	}
	return false
}

// hostCheck is the outcome of fix_hostname.
type hostCheck struct {
	a, b    int  // the new r->hostname: b[a:b] of the buffer fixHostname worked on
	setHost bool // r->hostname was replaced
	port    int  // the Host header's port, when portSet (r->parsed_uri.port)
	portSet bool
	v6      bool // is_v6literal
	bad     bool // r->status = 400
}

// fixHostname follows vhost.c fix_hostname on b, a private copy of the
// Host header value (fromHeader) or of r->hostname from an absolute URI,
// which it lower-cases in place.
func fixHostname(b []byte, fromHeader, strict bool) (hc hostCheck) {
	if len(b) == 0 {
		return hc // RFC 2616: Host can be blank
	}
	allDigits := true
	for _, c := range b {
		if !cDigit(c) {
			allDigits = false
			break
		}
	}
	if allDigits {
		if strict {
			hc.bad = true // RFC 3986 7.4: no purely numeric host names
			return hc
		}
		hc.a, hc.b, hc.setHost = 0, len(b), true
		return hc
	}
	a, e := 0, len(b)
	if fromHeader {
		ha, he, port, ok := aprParseAddrPort(b)
		if !ok {
			hc.bad = true
			return hc
		}
		if port != 0 {
			hc.port, hc.portSet = port, true
		}
		a, e = ha, he
		hc.v6 = b[0] == '['
	} else {
		for _, c := range b {
			if c == ':' {
				hc.v6 = true
			}
		}
	}
	var ok bool
	if hc.v6 {
		ok = fixHostnameV6(b[a:e])
	} else {
		var n int
		n, ok = fixHostnameNonV6(b[a:e])
		e = a + n
		if strict && ok {
			ok = strictHostnameCheck(b[a:e])
		}
	}
	if !ok {
		hc.bad = true
		return hc
	}
	hc.a, hc.b, hc.setHost = a, e, true
	return hc
}

// fixHostnameV6 is fix_hostname_v6_literal: lower-case hex digits, allow
// ':' and '.' only in valid places.
func fixHostnameV6(b []byte) bool {
	doubleColon := false
	for i, c := range b {
		next := at(b, i+1)
		switch {
		case cXdigit(c):
			b[i] = cLower(c)
		case c == ':':
			if next == ':' {
				if doubleColon {
					return false
				}
				doubleColon = true
			} else if next == '.' {
				return false
			}
		case c == '.':
			if next == ':' || next == '.' {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// fixHostnameNonV6 is fix_hostname_non_v6: lower-case, refuse '/', '\\'
// and "..", drop one trailing dot.
func fixHostnameNonV6(b []byte) (int, bool) {
	for i, c := range b {
		switch {
		case c == '.':
			if at(b, i+1) == '.' {
				return len(b), false
			}
		case 'A' <= c && c <= 'Z':
			b[i] = c + 'a' - 'A'
		case c == '/' || c == '\\':
			return len(b), false
		}
	}
	if len(b) > 0 && b[len(b)-1] == '.' {
		return len(b) - 1, true
	}
	return len(b), true
}

// strictHostnameCheck is strict_hostname_check (HttpProtocolOptions
// Strict): letters, digits, '-', '_' and dots; a dotted-decimal address
// needs four parts without leading zeros; a name's last label starts with
// a letter.
func strictHostnameCheck(h []byte) bool {
	dotted, zeros, dots := true, false, 0
	for i, c := range h {
		switch {
		case cAlpha(c) || c == '-' || c == '_':
			dotted = false
		case c == '.':
			dots++
			if at(h, i+1) == '0' && cDigit(at(h, i+2)) {
				zeros = true
			}
		case !cDigit(c):
			return false
		}
	}
	if dotted {
		if at(h, 0) == '.' || (at(h, 0) == '0' && cDigit(at(h, 1))) {
			zeros = true
		}
		return !zeros && dots == 3
	}
	ch := len(h)
	for ch > 0 && at(h, ch) != '.' {
		ch--
	}
	if at(h, ch) == '.' && at(h, ch+1) != 0 && !cAlpha(at(h, ch+1)) {
		return false
	}
	return true
}

// aprParseAddrPort follows APR's apr_parse_addr_port for a Host header
// value that is not all digits (fix_hostname handles those first). The
// address is s[a:e]; it fails for a bad port, a bad IPv6 literal or one
// with a scope id (which fix_hostname refuses).
func aprParseAddrPort(s []byte) (a, e, port int, ok bool) {
	last := len(s) - 1
	ch := last
	for ch >= 0 && cDigit(s[ch]) {
		ch--
	}
	if ch < 0 {
		return 0, 0, 0, false // a bare port: not a host
	}
	if s[ch] == ':' && ch < last {
		if ch == 0 {
			return 0, 0, 0, false
		}
		p := 0
		for _, c := range s[ch+1:] {
			p = p*10 + int(c-'0')
			if p > 65535 {
				return 0, 0, 0, false
			}
		}
		if p < 1 {
			return 0, 0, 0, false
		}
		port = p
		last = ch - 1
	}
	a, e = 0, last+1
	if s[0] == '[' {
		end := -1
		for i := 0; i < e; i++ {
			if s[i] == ']' {
				end = i
				break
			}
		}
		if end != e-1 {
			return 0, 0, 0, false
		}
		for i := 0; i < e; i++ {
			if s[i] == '%' {
				return 0, 0, 0, false
			}
		}
		a, e = 1, e-1
		if !inetPton6(s[a:e]) {
			return 0, 0, 0, false
		}
	}
	return a, e, port, true
}

// inetPton4 is APR's inet_pton4: four decimal octets of at most 255
// (this version accepts leading zeros).
func inetPton4(s []byte) bool {
	sawDigit, octets, cur := false, 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case cDigit(c):
			n := cur*10 + int(c-'0')
			if n > 255 {
				return false
			}
			cur = n
			if !sawDigit {
				octets++
				if octets > 4 {
					return false
				}
				sawDigit = true
			}
		case c == '.' && sawDigit:
			if octets == 4 {
				return false
			}
			cur = 0
			sawDigit = false
		default:
			return false
		}
	}
	return octets >= 4
}

// inetPton6 is APR's inet_pton6 (BIND's): reports whether s is an IPv6
// address in presentation form.
func inetPton6(s []byte) bool {
	i := 0
	if i < len(s) && s[i] == ':' {
		i++
		if i >= len(s) || s[i] != ':' {
			return false
		}
	}
	const size = 16
	tp, colonp := 0, -1
	curtok := i
	sawX := false
	val := 0
	for i < len(s) {
		c := s[i]
		i++
		if cXdigit(c) {
			val <<= 4
			if cDigit(c) {
				val |= int(c - '0')
			} else {
				val |= int(c|0x20-'a') + 10
			}
			if val > 0xffff {
				return false
			}
			sawX = true
			continue
		}
		if c == ':' {
			curtok = i
			if !sawX {
				if colonp >= 0 {
					return false
				}
				colonp = tp
				continue
			}
			if tp+2 > size {
				return false
			}
			tp += 2
			sawX, val = false, 0
			continue
		}
		if c == '.' && tp+4 <= size && inetPton4(s[curtok:]) {
			tp += 4
			sawX = false
			break
		}
		return false
	}
	if sawX {
		if tp+2 > size {
			return false
		}
		tp += 2
	}
	if colonp >= 0 {
		tp = size
	}
	return tp == size
}
