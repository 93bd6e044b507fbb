package proxy

// Reading and parsing a backend's response head the way mod_proxy_http does
// (httpd 2.4 modules/proxy/mod_proxy_http.c, ap_proxy_http_process_response
// and ap_proxy_read_headers, on top of server/protocol.c ap_rgetline_core),
// with the project's deliberate differences:
//
//   - an answer without a valid status line is an error (502), where httpd
//     relays it as an HTTP/0.9 body;
//   - the status code must be 100-999 and be followed by SP or the end of
//     the line; the reason phrase must hold no control bytes but HT;
//   - NUL bytes anywhere in the head, and CR inside a header name, are
//     errors (httpd cuts the line at a NUL, and refuses a CR in a name
//     later with a 500);
//   - two Content-Length fields that differ are an error (httpd uses the
//     first one).
//
// Everything else follows httpd: lines end at LF with one optional CR
// before it; one empty line before the status line is skipped; header
// lines folded with leading SP/HT are glued to the previous line as they
// are (the fold's whitespace is kept, the CRLF removed); a line without a
// colon is an error unless it looks like a status line ("HTTP/1.0 200, OK"
// sprinkled by IIS), which is dropped; a logical header line is at most
// ResponseFieldSize-1 bytes and the status line at most
// ResponseFieldSize-2; names are kept as sent (not trimmed); values are
// trimmed of leading and trailing apr_isspace bytes.

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
)

const (
	// defaultResponseFieldSize is httpd's HUGE_STRING_LEN, the buffer
	// ap_proxygetline reads each backend head line into unless ProxyPass
	// responsefieldsize= says otherwise.
	defaultResponseFieldSize = 8192
	// defaultMaxResponseHead bounds the memory one response head may use;
	// httpd has no such bound (only the per-line one).
	defaultMaxResponseHead = 1 << 20
	// respMaxInterim is AP_MAX_INTERIM_RESPONSES: the 10th interim
	// (1xx) response in a row makes httpd answer 502.
	respMaxInterim = 10
	// chunkedLineLimit is LimitRequestFieldSize's default (8190), which
	// ap_http_filter applies to a chunk-size line and the trailer lines
	// of a backend's chunked body.
	chunkedLineLimit = 8190
	// chunkedMaxTrailers is LimitRequestFields' default, which
	// ap_get_mime_headers applies to trailers.
	chunkedMaxTrailers = 100
)

// respError is a malformed backend answer; it becomes a BackendError of
// kind BackendBadResponse.
type respError struct{ msg string }

func (e *respError) Error() string { return "backend response: " + e.msg }

var (
	errRespNoStatus     = &respError{"no valid HTTP/1.x status line"}
	errRespEmptyLines   = &respError{"empty lines instead of a status line"}
	errRespVersion      = &respError{"not an HTTP/1 response"}
	errRespStatusLong   = &respError{"status line too long"}
	errRespStatusCode   = &respError{"invalid status code"}
	errRespReason       = &respError{"control byte in the reason phrase"}
	errRespNUL          = &respError{"NUL byte in the head"}
	errRespFieldLong    = &respError{"header line longer than ResponseFieldSize"}
	errRespHeadLong     = &respError{"response head too large"}
	errRespNoColon      = &respError{"header line without a colon"}
	errRespNameCR       = &respError{"CR in a header name"}
	errRespTruncated    = &respError{"connection closed inside the response head"}
	errRespCL           = &respError{"invalid Content-Length"}
	errRespCLConflict   = &respError{"conflicting Content-Length fields"}
	errRespTooManyInter = &respError{"too many interim responses"}
)

// respHeadOptions are the parsing limits and policies of one pool.
type respHeadOptions struct {
	fieldSize int       // ResponseFieldSize (line buffer, one byte for NUL)
	maxHead   int       // bound on the whole head
	ignoreBad bool      // ProxyBadHeader Ignore: drop lines without a colon
	strs      *strArena // where the head's string is made; nil: an allocation
}

func (o *respHeadOptions) fieldSizeOrDefault() int {
	if o.fieldSize <= 0 {
		return defaultResponseFieldSize
	}
	return o.fieldSize
}

func (o *respHeadOptions) maxHeadOrDefault() int {
	if o.maxHead <= 0 {
		return defaultMaxResponseHead
	}
	return o.maxHead
}

// respHead is one parsed response head (interim or final) and the framing
// facts gathered while parsing it.
type respHead struct {
	proto        string
	major, minor int
	status       int
	reason       string
	statusLine   string // what follows "HTTP/x.y ": httpd's r->status_line
	fields       []Field
	clean        bool // every field passes respFieldValid(strict)

	connClose     bool   // a Connection field lists "close"
	connection    string // the first Connection value
	hasConnection bool
	hasTE         bool   // Transfer-Encoding present
	te            string // the last Transfer-Encoding value
	clCount       int    // number of Content-Length fields
	cl            string // the first Content-Length value
	clDiffer      bool   // Content-Length fields with different values
	upgrade       string // the first Upgrade value
}

// respHeadScan finds the end of a response head line by line, checking the
// status line as soon as it is complete so that garbage fails at once.
type respHeadScan struct {
	fieldSize int
	maxHead   int
	n         int  // bytes seen, including a skipped empty line
	start     int  // offset of the status line
	status    bool // status line seen
	stray     bool // the one stray empty line was skipped
}

// feed takes the next complete line (ending in LF) and reports whether it
// ended the head.
func (s *respHeadScan) feed(line []byte) (end bool, err error) {
	s.n += len(line)
	content := line[:len(line)-1]
	if k := len(content); k > 0 && content[k-1] == '\r' {
		content = content[:k-1]
	}
	if !s.status {
		if len(content) == 0 {
			// mod_proxy_http.c: "handle one potential stray CRLF"; a
			// second empty line is "error reading status line".
			if s.stray {
				return false, errRespEmptyLines
			}
			s.stray = true
			s.start = s.n
			return false, nil
		}
		if err := respCheckStatusLine(content, s.fieldSize); err != nil {
			return false, err
		}
		s.status = true
		return false, nil
	}
	if len(content) == 0 {
		return true, nil
	}
	if s.n-s.start > s.maxHead {
		return false, errRespHeadLong
	}
	return false, nil
}

// readRespHeadRaw reads one response head from br, from its status line
// through the empty line that ends it, and consumes exactly those bytes
// (plus one stray empty line before the status line, if any). The head is
// returned as one string so that parsed names and values can share it.
// errors: io.EOF (nothing at all was read), errRespTruncated (the
// connection ended inside the head), a *respError, or the read error.
func readRespHeadRaw(br *bufio.Reader, o *respHeadOptions) (string, error) {
	if _, err := br.Peek(1); err != nil {
		return "", err
	}
	s := respHeadScan{fieldSize: o.fieldSizeOrDefault(), maxHead: o.maxHeadOrDefault()}
	// Fast path: the whole head arrives within the reader's buffer.
	pos, lineStart := 0, 0
	for {
		buf, _ := br.Peek(br.Buffered())
		for {
			i := bytes.IndexByte(buf[pos:], '\n')
			if i < 0 {
				pos = len(buf)
				break
			}
			lf := pos + i
			end, err := s.feed(buf[lineStart : lf+1])
			if err != nil {
				return "", err
			}
			pos, lineStart = lf+1, lf+1
			if end {
				raw := o.strs.str(buf[s.start:pos])
				_, _ = br.Discard(pos)
				return raw, nil
			}
		}
		if len(buf) >= br.Size() {
			break // a head larger than the buffer
		}
		if !s.status && pos-lineStart >= s.fieldSize {
			return "", errRespStatusLong
		}
		if _, err := br.Peek(len(buf) + 1); err != nil {
			return "", respTruncated(err)
		}
	}
	return readRespHeadSlow(br, s.fieldSize, s.maxHead)
}

// readRespHeadSlow reads a head that does not fit in br's buffer, line by
// line into a growing copy.
func readRespHeadSlow(br *bufio.Reader, fieldSize, maxHead int) (string, error) {
	s := respHeadScan{fieldSize: fieldSize, maxHead: maxHead}
	acc := make([]byte, 0, 2*br.Size())
	lineStart := 0
	for {
		frag, err := br.ReadSlice('\n')
		acc = append(acc, frag...)
		if err == bufio.ErrBufferFull {
			// A line longer than any limit can fail before its end.
			if len(acc)-lineStart > fieldSize+1 {
				if !s.status {
					return "", errRespStatusLong
				}
				return "", errRespFieldLong
			}
			if len(acc)-s.start > maxHead {
				return "", errRespHeadLong
			}
			continue
		}
		if err != nil {
			return "", respTruncated(err)
		}
		end, ferr := s.feed(acc[lineStart:])
		if ferr != nil {
			return "", ferr
		}
		lineStart = len(acc)
		if end {
			return string(acc[s.start:]), nil
		}
	}
}

// respTruncated turns the end of the stream inside a head into
// errRespTruncated and passes other errors (timeouts, resets) through.
func respTruncated(err error) error {
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return errRespTruncated
	}
	return err
}

// respLooksLikeStatus is apr_date_checkmask(line, "HTTP/#.# ###*").
func respLooksLikeStatus[T string | []byte](s T) bool {
	return len(s) >= 12 && s[0] == 'H' && s[1] == 'T' && s[2] == 'T' &&
		s[3] == 'P' && s[4] == '/' && respIsDigit(s[5]) && s[6] == '.' &&
		respIsDigit(s[7]) && s[8] == ' ' && respIsDigit(s[9]) &&
		respIsDigit(s[10]) && respIsDigit(s[11])
}

func respIsDigit(c byte) bool { return '0' <= c && c <= '9' }

// respCheckStatusLine validates a status line (without its line end).
func respCheckStatusLine[T string | []byte](line T, fieldSize int) error {
	if !respLooksLikeStatus(line) {
		// httpd: "an http/0.9 response"; the project answers 502.
		return errRespNoStatus
	}
	// mod_proxy_http.c: "If not an HTTP/1 message or if the status line
	// was > 8192 bytes" -> 502 "Corrupt status line".
	if line[5] != '1' {
		return errRespVersion
	}
	if len(line) >= fieldSize-1 {
		return errRespStatusLong
	}
	if line[9] == '0' {
		return errRespStatusCode
	}
	if len(line) > 12 {
		if line[12] != ' ' {
			return errRespStatusCode
		}
		for i := 13; i < len(line); i++ {
			if c := line[i]; (c < 0x20 && c != '\t') || c == 0x7f {
				if c == 0 {
					return errRespNUL
				}
				return errRespReason
			}
		}
	}
	return nil
}

// parseRespHead parses a head returned by readRespHeadRaw into h, reusing
// h.fields' storage. Names and values are substrings of raw except for
// folded values.
func parseRespHead(raw string, h *respHead, o *respHeadOptions) error {
	fieldSize := o.fieldSizeOrDefault()
	nl := strings.IndexByte(raw, '\n')
	if nl < 0 {
		return errRespTruncated
	}
	line := respTrimCR(raw[:nl])
	if err := respCheckStatusLine(line, fieldSize); err != nil {
		return err
	}
	switch line[:8] {
	case "HTTP/1.1":
		h.proto = "HTTP/1.1"
	case "HTTP/1.0":
		h.proto = "HTTP/1.0"
	default:
		h.proto = line[:8]
	}
	h.major = int(line[5] - '0')
	h.minor = int(line[7] - '0')
	h.status = int(line[9]-'0')*100 + int(line[10]-'0')*10 + int(line[11]-'0')
	h.reason = ""
	if len(line) > 13 {
		h.reason = line[13:]
	}
	h.statusLine = line[9:]
	h.fields = h.fields[:0]
	h.clean = true
	h.connClose, h.connection, h.hasConnection, h.hasTE, h.te = false, "", false, false, ""
	h.clCount, h.cl, h.clDiffer, h.upgrade = 0, "", false, ""

	p := nl + 1
	for p < len(raw) {
		if next, ok := h.addPlainField(raw, p, fieldSize); ok {
			p = next
			continue
		}
		next, end, err := h.addField(raw, p, fieldSize, o)
		if err != nil {
			return &badHeaderError{err: err, major: h.major, minor: h.minor}
		}
		if end {
			return nil
		}
		p = next
	}
	return nil
}

// badHeaderError is a header line ap_proxy_read_headers refuses, after a
// valid status line of version major.minor (AH01106).
type badHeaderError struct {
	err          error
	major, minor int
}

func (e *badHeaderError) Error() string { return e.err.Error() }
func (e *badHeaderError) Unwrap() error { return e.err }

// addField takes the line at raw[p:] (with its continuation lines) as
// ap_proxy_read_headers does: a field, an ignored extra status line, or
// the empty line that ends the head (end).
func (h *respHead) addField(raw string, p, fieldSize int, o *respHeadOptions) (next int, end bool, err error) {
	nl := strings.IndexByte(raw[p:], '\n')
	if nl < 0 {
		return 0, false, errRespTruncated
	}
	line := respTrimCR(raw[p : p+nl])
	p += nl + 1
	if line == "" {
		return p, true, nil
	}
	// obs-fold: ap_rgetline_core with AP_GETLINE_FOLD appends the
	// next line as it is when it starts with SP or HT.
	if p < len(raw) && (raw[p] == ' ' || raw[p] == '\t') {
		folded := append(make([]byte, 0, 2*len(line)), line...)
		for p < len(raw) && (raw[p] == ' ' || raw[p] == '\t') {
			nl = strings.IndexByte(raw[p:], '\n')
			if nl < 0 {
				return 0, false, errRespTruncated
			}
			folded = append(folded, respTrimCR(raw[p:p+nl])...)
			p += nl + 1
			if len(folded) > fieldSize-1 {
				return 0, false, errRespFieldLong
			}
		}
		line = string(folded)
	}
	if len(line) > fieldSize-1 {
		return 0, false, errRespFieldLong
	}
	if strings.IndexByte(line, 0) >= 0 {
		return 0, false, errRespNUL
	}
	colon := strings.IndexByte(line, ':')
	if colon < 0 {
		// ap_proxy_read_headers: an extra "HTTP/1.0 200, OK" line
		// is ignored; anything else is bogus (ProxyBadHeader).
		if respLooksLikeStatus(line) || o.ignoreBad {
			return p, false, nil
		}
		return 0, false, errRespNoColon
	}
	name := line[:colon]
	if strings.IndexByte(name, '\r') >= 0 {
		return 0, false, errRespNameCR
	}
	value := respTrimSpace(line[colon+1:])
	h.fields = append(h.fields, Field{Name: name, Value: value})
	if h.clean && !respFieldValid(name, value, true) {
		h.clean = false
	}
	h.noteFraming(name, value)
	return p, false, nil
}

// addPlainField takes the field line at raw[p:] in one pass when it is
// the plain kind nearly every backend sends: a token name, a colon, a
// value with no control byte but HT, CRLF or LF, no continuation line
// and no more than fieldSize-1 bytes. It reports false for any other
// line, which the caller's general path then parses (and refuses); for a
// plain line both paths give the same field.
func (h *respHead) addPlainField(raw string, p, fieldSize int) (next int, ok bool) {
	rest := raw[p:]
	lf := strings.IndexByte(rest, '\n')
	if lf <= 0 {
		return 0, false
	}
	colon := strings.IndexByte(rest[:lf], ':')
	if colon <= 0 || !isToken(rest[:colon]) {
		return 0, false
	}
	end := lf
	if rest[end-1] == '\r' {
		end--
	}
	if end > fieldSize-1 || hasHTTPCtrl(rest[colon+1:end]) {
		return 0, false
	}
	next = p + lf + 1
	if next < len(raw) && (raw[next] == ' ' || raw[next] == '\t') {
		return 0, false // obs-fold
	}
	name, value := rest[:colon], respTrimSpace(rest[colon+1:end])
	h.fields = append(h.fields, Field{Name: name, Value: value})
	h.noteFraming(name, value)
	return next, true
}

// noteFraming records the fields that decide the body's framing and the
// connection's fate.
func (h *respHead) noteFraming(name, value string) {
	switch len(name) {
	case 14:
		if asciiEqualFold(name, "content-length") {
			if h.clCount == 0 {
				h.cl = value
			} else if value != h.cl {
				h.clDiffer = true
			}
			h.clCount++
		}
	case 17:
		if asciiEqualFold(name, "transfer-encoding") {
			h.hasTE = true
			h.te = value
		}
	case 10:
		if asciiEqualFold(name, "connection") {
			if !h.hasConnection {
				h.connection, h.hasConnection = value, true
			}
			if respHasToken(value, "close") {
				h.connClose = true
			}
		}
	case 7:
		if asciiEqualFold(name, "upgrade") && h.upgrade == "" {
			h.upgrade = value
		}
	}
}

func respTrimCR(s string) string {
	if n := len(s); n > 0 && s[n-1] == '\r' {
		return s[:n-1]
	}
	return s
}

// respIsSpace is apr_isspace in the C locale.
func respIsSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

// respTrimSpace trims what ap_proxy_read_headers trims around a value.
func respTrimSpace(s string) string {
	i := 0
	for i < len(s) && respIsSpace(s[i]) {
		i++
	}
	j := len(s)
	for j > i && respIsSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

// respHasToken reports whether a Connection value lists tok, splitting as
// proxy_util.c find_conn_headers does (on ',' and ';', tokens trimmed).
func respHasToken(v, tok string) bool {
	for len(v) > 0 {
		i := strings.IndexAny(v, ",;")
		part := v
		if i >= 0 {
			part, v = v[:i], v[i+1:]
		} else {
			v = ""
		}
		if asciiEqualFold(strings.Trim(part, " \t"), tok) {
			return true
		}
	}
	return false
}

// respIsChunked is server/util.c ap_is_chunked: the Transfer-Encoding
// value is "chunked" or ends in a "chunked" token.
func respIsChunked(v string) bool {
	if asciiEqualFold(v, "chunked") {
		return true
	}
	const tok = "chunked"
	i := len(v) - len(tok)
	if i <= 0 || !asciiEqualFold(v[i:], tok) {
		return false
	}
	if c := v[i-1]; !respIsSpace(c) && c != ',' {
		return false
	}
	j := i - 1
	for j > 0 && v[j] == ' ' {
		j--
	}
	return v[j] == ',' || v[j] == ' '
}

// respParseLength is ap_parse_strict_length: digits only, no sign, no
// overflow.
func respParseLength(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (1<<63-1-int64(c-'0'))/10 {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// respFieldValid is modules/http/http_filters.c check_header, which httpd
// runs on every response header before sending it: a failure there is
// AH02428/AH02429/AH02430 and a 500 (corpus row resp_header_ctl_bytes).
// strict is HttpProtocolOptions Strict (the default): the name must be a
// token; otherwise it must be VCHAR or obs-text. The value must be
// field-content (VCHAR, obs-text, SP, HT), where an obs-fold CRLF+WSP
// would be tolerated (it cannot occur in a parsed value).
func respFieldValid(name, value string, strict bool) bool {
	if strict {
		if !isToken(name) {
			return false
		}
	} else {
		if name == "" {
			return false
		}
		for i := 0; i < len(name); i++ {
			if c := name[i]; c <= 0x20 || c == 0x7f {
				return false
			}
		}
	}
	return !hasHTTPCtrl(value)
}

// upgradeError is a 101 answer to a request that did not ask for that
// protocol (got and want: the backend's Upgrade and the request's, ""
// for none).
type upgradeError struct{ got, want string }

func (e *upgradeError) Error() string { return "unexpected 101 Switching Protocols" }

// message is mod_proxy_http's reason for its 502.
func (e *upgradeError) message() string {
	na := func(s string) string {
		if s == "" {
			return "n/a"
		}
		return s
	}
	return "Unexpected Upgrade: " + na(e.got) + " (expecting " + na(e.want) + ")"
}
