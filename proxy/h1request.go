package proxy

// This file reads one HTTP/1.x request head the way httpd 2.4's
// ap_read_request does (server/protocol.c: read_request_line,
// ap_rgetline_core, ap_parse_request_line, ap_parse_uri,
// ap_get_mime_headers_core, ap_check_request_header), plus the URI
// normalisation ap_process_request_internal (server/request.c) applies
// before %U is final. What httpd keeps in its request_rec at the moment it
// gives up on a request is what the access log shows, so the parser keeps
// the same values in the same order, including half-parsed ones.

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
)

// httpd's compiled-in defaults (include/httpd.h).
const (
	defaultLimitRequestLine      = 8190 // DEFAULT_LIMIT_REQUEST_LINE
	defaultLimitRequestFieldSize = 8190 // DEFAULT_LIMIT_REQUEST_FIELDSIZE
	defaultLimitRequestFields    = 100  // DEFAULT_LIMIT_REQUEST_FIELDS
	defaultLimitBlankLines       = 10   // DEFAULT_LIMIT_BLANK_LINES: empty lines skipped before a request line
	// getlineChunk is HUGE_STRING_LEN, the most the core input filter hands
	// ap_rgetline per AP_MODE_GETLINE read when no LF comes first. It only
	// decides how much of an over-long line is consumed (and counted by %I).
	getlineChunk = 8192
)

// limitValue maps a Limits field to httpd's value: positive is the
// directive's value, 0 is httpd's default, negative stands for the
// directive set to 0 (which Limits' zero value cannot express).
func limitValue(v, def int) int {
	switch {
	case v > 0:
		return v
	case v < 0:
		return 0
	}
	return def
}

// headStage says how far httpd got with a request head.
type headStage uint8

const (
	// stageNoRequest: the connection ended (EOF, reset) before a
	// request line was read, possibly after some of it. httpd logs
	// nothing and sends nothing (connect_and_close).
	stageNoRequest headStage = iota
	// stageRequestLine: read_request_line or ap_parse_request_line
	// failed. Status is 400, 414 or 501 (httpd answers, logs and
	// closes), or 408 (a timeout: httpd sends nothing, and logs the
	// request only if it is the first on the connection).
	stageRequestLine
	// stageHeaders: reading the header fields failed (400, or 408 on a
	// timeout, both answered), or Content-Length / Transfer-Encoding are
	// invalid (400). httpd answers, logs and closes.
	stageHeaders
	// stageHostCheck: ap_check_request_header refused the request: a bad
	// or missing Host (400) or an unknown Expect (417). httpd answers
	// without running the post_read_request hooks (no mod_remoteip, no
	// SetEnvIf) and logs.
	stageHostCheck
	// stageURI: the head was fine and post_read_request hooks ran, but
	// the path normalisation of ap_process_request_internal failed: 400
	// (bad %-escape, ".." above the root) or 404 (%2F with
	// AllowEncodedSlashes Off, %00).
	stageURI
	// stageDone: Status is 0 and the request can be served.
	stageDone
)

// requestHead is one request as httpd's request_rec holds it after
// ap_read_request, with r->uri normalised as ap_process_request_internal
// leaves it. Strings are sliced from one copy of the head. A Has flag
// false is a NULL pointer in httpd, which logs as "-"; an empty string
// with Has true logs as "".
type requestHead struct {
	// Stage is how far httpd got; Status is 0 when the request can be
	// served, else the status httpd fails it with (r->status, %>s): 400,
	// 404, 408, 414, 417 or 501.
	Stage  headStage
	Status int

	// TheRequest is r->the_request, what %r logs (see LogLine for the
	// password mask): once the line is parsed it is rebuilt from method,
	// target and protocol with single spaces; when the line could not be
	// read it is what ap_rgetline kept (cut at a NUL byte or at
	// LimitRequestLine+1 bytes), unset if nothing was kept.
	TheRequest    string
	HasTheRequest bool
	// Method is r->method (%m), the first word of the line, even a bad
	// one; unset when the line could not be read.
	Method    string
	HasMethod bool
	// UnparsedURI is r->unparsed_uri: the request target as sent.
	UnparsedURI    string
	HasUnparsedURI bool
	// Protocol is r->protocol (%H): as sent ("HTTP/1.2" too), "HTTP/0.9"
	// for a simple request, "HTTP/1.0" when the line could not be read
	// or was not a valid HTTP/1.x line, and "HTTP" upper-cased under
	// HttpProtocolOptions Unsafe ("http/1.1" stays as sent under Strict,
	// which refuses it).
	Protocol string
	// ProtoNum is r->proto_num, 1000*major+minor (9 for HTTP/0.9).
	ProtoNum int
	// HTTP09 is r->assbackwards: a simple request, which has no header
	// fields and gets a response without status line or headers.
	HTTP09 bool
	// HeaderOnly is r->header_only: the method is HEAD.
	HeaderOnly bool

	// Headers is r->headers_in (%{X}i): the fields in arrival order,
	// values stripped of leading and trailing blanks, obs-fold lines
	// joined with one space. Once the whole head was read, repeated
	// names are merged into the first with ", " (apr_table_compress);
	// when reading stopped early they are not, and Get returns the first
	// (apr_table_get). A field is stored only when the line after it has
	// been read, so the last line read before a failure is never in it.
	// Content-Length is removed when Transfer-Encoding wins, and under
	// Strict the Host value is replaced by the host of an absolute URI.
	Headers Fields

	// URI is r->uri (%U): the path of the target, "/" when it has none
	// ("*" for OPTIONS). At stageDone and stageURI it is normalised and
	// percent-decoded (a decoded %00 ends it); before, it is as parsed.
	URI    string
	HasURI bool
	// Args is r->args (%q): the query, not decoded; HasArgs when the
	// target had a '?'.
	Args    string
	HasArgs bool
	// Hostname is r->hostname (%V under UseCanonicalName Off): from an
	// absolute http URI, else from Host, lower-cased, without port or
	// trailing dot, IPv6 literals without brackets (fix_hostname). When
	// the Host header is invalid it stays unset; when an absolute URI's
	// host is invalid it stays as sent.
	Hostname    string
	HasHostname bool
	// Port is r->parsed_uri.port when port_str is set (HasPort): the
	// port of an absolute URI (its scheme's default for "host:"), or the
	// port of the Host header.
	Port    int
	HasPort bool
	// HasPassword is r->parsed_uri.password != NULL: LogLine masks it.
	HasPassword bool

	// ExpectContinue is r->expecting_100 (Expect: 100-continue).
	ExpectContinue bool
	// Chunked: Transfer-Encoding is present and ends in "chunked"
	// (ap_is_chunked); the body is chunked.
	Chunked bool
	// ContentLength is the Content-Length (ap_parse_strict_length);
	// HasContentLength is false without one or when chunked won.
	ContentLength    int64
	HasContentLength bool
	// ConnClose and ConnKeepAlive: the Connection header has a "close" or
	// "keep-alive" token, as ap_set_keepalive's ap_find_token sees it
	// (which also takes any prefix of the word, "clo" for "close").
	ConnClose, ConnKeepAlive bool
	// Close: httpd will close the connection after this request whatever
	// the response: the head was unusable (die_unusable_input), both
	// Content-Length and Transfer-Encoding came, an HTTP/0.9 request, or
	// Status is one of ap_status_drops_connection.
	Close bool

	// ErrorNotes is r->notes "error-notes" set while reading the head,
	// which httpd's canned 400 page shows.
	ErrorNotes string

	// BytesRead is how many bytes httpd consumed for this head, blank
	// lines before it included: the %I of a request without body.
	BytesRead int64

	methodNumber int
	uri          uriStrings // r->parsed_uri, for LogLine
	rawPath      optString  // r->parsed_uri.path as parsed, before normalisation
	closeBase    bool       // Close as it was before the URI normalisation
	// vhostByName: at stageHostCheck, ap_update_vhost_from_headers had
	// run (the host name was valid) before the request was refused: the
	// name-based virtual host answers it.
	vhostByName bool
}

// Get returns the value of the first request header named name (ASCII
// case-insensitively), as apr_table_get does.
func (h *requestHead) Get(name string) (string, bool) { return h.Headers.Get(name) }

// LogLine returns what %r logs before escaping: r->the_request, or, when
// the target held a password, the method, the URI with the password
// replaced by XXXXXXXX (apr_uri_unparse, with the path as normalised so
// far) and the protocol, as mod_log_config's log_request_line builds it.
// It returns "-" when r->the_request is unset, which logs the same bytes
// as the NULL httpd has.
func (h *requestHead) LogLine() string {
	if h.HasPassword {
		s := h.Method + " " + h.uri.unparse()
		if !h.HTTP09 {
			s += " " + h.Protocol
		}
		return s
	}
	if !h.HasTheRequest {
		return "-"
	}
	return h.TheRequest
}

// errNoteFieldSize is the error note of a header field over
// LimitRequestFieldSize.
const errNoteFieldSize = "Size of a request header field exceeds server limit."

// dropsConnection is ap_status_drops_connection.
func dropsConnection(status int) bool {
	switch status {
	case 400, 408, 411, 413, 414, 500, 503, 501:
		return true
	}
	return false
}

// readRequestHead reads one request head from r, as httpd's ap_read_request
// does for a connection of a server with the limits lim (nil for httpd's
// defaults; the limits of the connection's default virtual host, which
// httpd uses until the Host header picks another). It consumes nothing
// after the LF that ends the head, or the line it failed on (an over-long
// line is consumed as httpd would, up to its LF or about 16 KB). The
// caller sets read deadlines; a timeout error from r
// becomes 408, EOF or another error before the request line is complete
// stageNoRequest, and during the header fields 400. r->uri is normalised
// with the default AllowEncodedSlashes Off and MergeSlashes On; call
// normalizeURI again with the options of the virtual host that serves the
// request if they differ.
func readRequestHead(r *bufio.Reader, lim *Limits) requestHead {
	return readRequestHeadScheme(r, lim, false)
}

// readRequestHeadScheme is readRequestHead for a connection whose
// ap_http_scheme is https when https is true: an absolute URI names the
// host only with the connection's scheme.
func readRequestHeadScheme(r *bufio.Reader, lim *Limits, https bool) requestHead {
	var h requestHead
	readRequestHeadInto(&h, r, lim, https, nil)
	return h
}

// readRequestHeadInto is readRequestHeadScheme reading into h, which must
// be zero; the header fields are appended to fields (which may have room
// for them, saving an allocation).
func readRequestHeadInto(h *requestHead, r *bufio.Reader, lim *Limits, https bool, fields Fields) {
	p := h1ParserPool.Get().(*h1Parser)
	p.read(h, r, lim, https, fields)
	if !p.tooBigToKeep() {
		h1ParserPool.Put(p)
	}
}

// tooBigToKeep reports whether the parser grew too big to keep for the
// next request: one huge head should not pin its memory.
func (p *h1Parser) tooBigToKeep() bool {
	return cap(p.buf) > 64<<10 || cap(p.fields) > 1024
}

// read is readRequestHeadInto with this parser, which holds nothing of the
// request afterwards.
func (p *h1Parser) read(h *requestHead, r *bufio.Reader, lim *Limits, https bool, fields Fields) {
	if lim == nil {
		lim = &Limits{}
	}
	p.reset(r, lim, https)
	p.run(h)
	p.finish(h, fields)
	p.r = nil
}

func newH1Parser() *h1Parser {
	return &h1Parser{buf: make([]byte, 0, 2048), fields: make([]h1Field, 0, 32)}
}

var h1ParserPool = sync.Pool{New: func() any { return newH1Parser() }}

// strRef is a string of the result: a span of the parser's buffer, a
// literal, or unset (NULL).
type strRef struct {
	a, b int
	lit  string
	kind uint8
}

const (
	refUnset uint8 = iota
	refSpan
	refLit
)

func spanRef(a, b int) strRef { return strRef{a: a, b: b, kind: refSpan} }
func litRef(s string) strRef  { return strRef{lit: s, kind: refLit} }

func (s strRef) str(head string) (string, bool) {
	switch s.kind {
	case refSpan:
		return head[s.a:s.b], true
	case refLit:
		return s.lit, true
	}
	return "", false
}

// bytes returns the value while parsing, from the buffer.
func (s strRef) bytes(buf []byte) []byte {
	switch s.kind {
	case refSpan:
		return buf[s.a:s.b]
	case refLit:
		return []byte(s.lit)
	}
	return nil
}

// h1Field is one header field: name buf[na:nb], value buf[va:vb].
type h1Field struct {
	na, nb, va, vb int
	gone           bool // merged into an earlier field, or unset
}

// h1Parser holds the state of one readRequestHead. Everything the result
// refers to lives in buf, which becomes one string at the end.
type h1Parser struct {
	r     *bufio.Reader
	buf   []byte
	nread int64

	strict, https     bool
	registeredMethods bool
	require10         bool
	lineLimit         int
	fieldSize         int
	maxFields         int

	fields []h1Field
	strs   *strArena // where the head's string is made; nil: an allocation

	theRequest, method, unparsedURI, protocol strRef
	uri, args, hostname, rawPath              strRef
	pu                                        struct {
		scheme, user, password, hostname, portStr, path, query, fragment strRef
		port                                                             uint16
	}
}

func (p *h1Parser) reset(r *bufio.Reader, lim *Limits, https bool) {
	fields, buf, strs := p.fields[:0], p.buf[:0], p.strs
	*p = h1Parser{r: r, buf: buf, fields: fields, strs: strs, https: https}
	p.strict = !lim.Unsafe
	p.registeredMethods = lim.RegisteredMethods
	p.require10 = lim.Require10
	p.lineLimit = limitValue(lim.RequestLine, defaultLimitRequestLine)
	p.fieldSize = limitValue(lim.RequestFieldSize, defaultLimitRequestFieldSize)
	p.maxFields = limitValue(lim.RequestFields, defaultLimitRequestFields)
}

// run is ap_read_request up to the point where the request is handed to
// the hooks, then the URI part of ap_process_request_internal.
func (p *h1Parser) run(h *requestHead) {
	if !p.readRequestLine(h) {
		h.Close = true
		return
	}
	if !p.parseRequestLine(h) {
		h.Stage = stageRequestLine
		h.Close = true
		return
	}
	if !h.HTTP09 {
		if !p.readHeaders(h) || !p.checkBodyHeaders(h) {
			h.Stage = stageHeaders
			h.Close = true
			return
		}
	} else {
		h.Close = true // no keep-alive without headers
	}
	if !p.checkRequestHeader(h) {
		h.Stage = stageHostCheck
		h.Close = h.Close || dropsConnection(h.Status)
		return
	}
	h.Stage = stageDone
	h.closeBase = h.Close
	p.rawPath = p.pu.path
	if path := p.pu.path; path.kind == refSpan && pathNeedsWork(p.buf[path.a:path.b]) {
		a := len(p.buf)
		p.buf = append(p.buf, p.buf[path.a:path.b]...)
		np, st := processPath(p.buf[a:], uriOptions{})
		p.buf = p.buf[:a+len(np)]
		p.uri = spanRef(a, len(p.buf))
		p.pu.path = p.uri
		if st != 0 {
			h.Stage, h.Status = stageURI, st
			h.Close = h.Close || dropsConnection(st)
		}
	}
}

// normalizeURI redoes ap_process_request_internal's path normalisation of
// a request that reached it (stageURI or stageDone) with the
// AllowEncodedSlashes and MergeSlashes settings of the virtual host and
// location that serve it (readRequestHead used httpd's defaults). It
// sets URI, and Stage, Status and Close from the outcome.
func (h *requestHead) normalizeURI(o uriOptions) {
	if h.Stage != stageURI && h.Stage != stageDone || !h.rawPath.ok {
		return
	}
	raw := h.rawPath.s
	h.Stage, h.Status, h.Close = stageDone, 0, h.closeBase
	if !pathNeedsWork(raw) {
		h.URI, h.uri.path.s = raw, raw
		return
	}
	np, st := processPath([]byte(raw), o)
	s := string(np)
	h.URI, h.uri.path.s = s, s
	if st != 0 {
		h.Stage, h.Status = stageURI, st
		h.Close = h.Close || dropsConnection(st)
	}
}

// Results of ap_rgetline_core.
type rgetStatus uint8

const (
	rvOK      rgetStatus = iota
	rvNoSpace            // APR_ENOSPC: the line is longer than the buffer
	rvInval              // APR_EINVAL: a NUL byte, or a bare LF where CRLF is required
	rvTimeout            // APR_TIMEUP
	rvEOF                // APR_EOF
	rvOther              // any other read error
)

func readErrStatus(err error) rgetStatus {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return rvEOF
	}
	var ne net.Error
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return rvTimeout
	}
	return rvOther
}

// getlineChunk appends to buf what one AP_MODE_GETLINE read of httpd's
// core input filter returns: the bytes up to and including the next LF,
// or getlineChunk bytes without one. Bytes read count for %I even when
// the read then fails (mod_logio counts what the filter passed up); at EOF
// the bytes before it come first and the EOF with the next call.
func (p *h1Parser) getline() (int, error) {
	n := 0
	for n < getlineChunk {
		if p.r.Buffered() == 0 {
			if _, err := p.r.Peek(1); err != nil {
				if n > 0 && errors.Is(err, io.EOF) {
					return n, nil
				}
				return n, err
			}
		}
		avail, _ := p.r.Peek(p.r.Buffered())
		if max := getlineChunk - n; len(avail) > max {
			avail = avail[:max]
		}
		lf := bytes.IndexByte(avail, '\n')
		if lf >= 0 {
			avail = avail[:lf+1]
		}
		p.buf = append(p.buf, avail...)
		p.r.Discard(len(avail))
		p.nread += int64(len(avail))
		n += len(avail)
		if lf >= 0 {
			break
		}
	}
	return n, nil
}

// lineResult is what ap_rgetline_core returns: the line buf[start:start+n]
// (*s up to *read, without CR LF), whether *s was allocated at all, and the
// status.
type lineResult struct {
	start, n int
	hasS     bool
	rv       rgetStatus
}

// rgetline follows ap_rgetline_core(&s, n, &read, r, crlf ?
// AP_GETLINE_CRLF : 0, bb) with s allocated by it: it reads one line into
// a buffer of n bytes (NUL included), so at most n-1 bytes are kept; a
// line of n-1 bytes plus CR LF still fits. Only the kept bytes stay in
// p.buf.
func (p *h1Parser) rgetline(n int, crlf bool) lineResult {
	if l, ok := p.bufferedLine(n, crlf); ok {
		return l
	}
	start := len(p.buf)
	handled := 0 // bytes_handled
	hasS := false
	rv := rvOK
	sawEOL, sawNospc := 0, false
	for sawEOL == 0 {
		cs := len(p.buf)
		clen, err := p.getline()
		if err != nil {
			p.buf = p.buf[:cs]
			return p.lineCleanup(start, handled, n, hasS, readErrStatus(err))
		}
		if n < handled+clen {
			// Fill the buffer up to its limit. A line overrunning it by
			// its final LF only is no overrun: the CR becomes the NUL.
			if p.buf[cs+clen-1] == '\n' {
				sawEOL = 1
			}
			if sawEOL == 1 && !sawNospc &&
				((clen == 1 && handled > 0 && p.buf[start+handled-1] == '\r') ||
					(clen > 1 && p.buf[cs+clen-2] == '\r' && n-handled+1 == clen)) {
				sawEOL = 2
			} else {
				rv = rvNoSpace
				sawNospc = true
			}
			clen = n - handled
			p.buf = p.buf[:cs+clen]
			if clen == 0 {
				if sawEOL != 0 {
					break
				}
				return p.lineCleanup(start, handled, n, hasS, rv)
			}
		}
		hasS = true
		handled += clen
		if p.buf[start+handled-1] == '\n' {
			sawEOL = 1
		}
	}
	if rv != rvOK {
		return p.lineCleanup(start, handled, n, hasS, rv)
	}
	if sawEOL < 2 {
		last := start + handled - 1 // the LF
		if last > start && p.buf[last-1] == '\r' {
			last--
		} else if crlf {
			return p.lineCleanup(start, handled, n, hasS, rvInval)
		}
		handled = last - start
	} else {
		handled-- // the CR that took the LF's place
	}
	return p.lineCleanup(start, handled, n, hasS, rv)
}

// bufferedLine is rgetline's common case in one step: the reader already
// holds the whole line, it fits in n bytes and one getline chunk, it
// ends in CR LF (or a bare LF where crlf is false) and has no NUL. Then
// rgetline would read it with one getline and keep it without its end;
// this does the same without the general loop. ok is false, with nothing
// consumed, for any other line.
func (p *h1Parser) bufferedLine(n int, crlf bool) (lineResult, bool) {
	avail, _ := p.r.Peek(p.r.Buffered())
	lf := bytes.IndexByte(avail, '\n')
	if lf < 0 || lf >= n || lf >= getlineChunk {
		return lineResult{}, false
	}
	end := lf
	if lf > 0 && avail[lf-1] == '\r' {
		end--
	} else if crlf {
		return lineResult{}, false
	}
	line := avail[:end]
	if bytes.IndexByte(line, 0) >= 0 {
		return lineResult{}, false
	}
	start := len(p.buf)
	p.buf = append(p.buf, line...)
	p.r.Discard(lf + 1)
	p.nread += int64(lf + 1)
	return lineResult{start: start, n: end, hasS: true, rv: rvOK}, true
}

// lineCleanup is the cleanup: label of ap_rgetline_core: cap the length to
// n-1, cut the line at a NUL byte (PR#43039), which fails the read.
func (p *h1Parser) lineCleanup(start, handled, n int, hasS bool, rv rgetStatus) lineResult {
	if handled >= n {
		handled = n - 1
	}
	if handled < 0 {
		handled = 0
	}
	read := handled
	if hasS {
		if i := bytes.IndexByte(p.buf[start:start+read], 0); i >= 0 {
			read = i
			if rv == rvOK {
				rv = rvInval
			}
		}
	} else {
		read = 0
	}
	p.buf = p.buf[:start+read]
	return lineResult{start: start, n: read, hasS: hasS, rv: rv}
}

// readRequestLine is read_request_line: skip up to ten empty lines, then
// read the request line. It reports false when reading failed.
func (p *h1Parser) readRequestLine(h *requestHead) bool {
	blank := defaultLimitBlankLines
	for {
		p.buf = p.buf[:0]
		l := p.rgetline(p.lineLimit+2, p.strict)
		if l.rv != rvOK {
			switch l.rv {
			case rvNoSpace:
				h.Status = 414
			case rvTimeout:
				h.Status = 408
			case rvInval:
				h.Status = 400
			}
			if h.Status == 0 {
				h.Stage = stageNoRequest
			} else {
				h.Stage = stageRequestLine
				if l.hasS {
					p.theRequest = spanRef(l.start, l.start+l.n)
				}
			}
			h.ProtoNum = 1000
			p.protocol = litRef("HTTP/1.0")
			return false
		}
		if l.n > 0 {
			p.theRequest = spanRef(l.start, l.start+l.n)
			return true
		}
		if blank--; blank < 0 {
			p.theRequest = spanRef(l.start, l.start) // "" after too many empty lines
			return true
		}
	}
}

// Deferred errors of ap_parse_request_line.
const (
	rrlNone = iota
	rrlBadMethod
	rrlBadWhitespace
	rrlExcessWhitespace
	rrlMissingURI
	rrlBadURI
	rrlBadProtocol
	rrlTrailingText
	rrlBadMethod09
	rrlReject09
)

// Method numbers that matter here (ap_method_number_of).
const (
	mInvalid = iota
	mGet     // GET and HEAD
	mOptions
	mConnect
	mOther // another method httpd knows
)

// methodNumber is ap_method_number_of for the methods httpd 2.4 registers
// itself (modules and <Limit> sections can register more).
func methodNumber(m []byte) int {
	switch string(m) {
	case "GET", "HEAD":
		return mGet
	case "OPTIONS":
		return mOptions
	case "CONNECT":
		return mConnect
	case "PUT", "POST", "DELETE", "TRACE", "PATCH", "PROPFIND", "PROPPATCH",
		"MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "VERSION-CONTROL",
		"CHECKOUT", "UNCHECKOUT", "CHECKIN", "UPDATE", "LABEL", "REPORT",
		"MKWORKSPACE", "MKACTIVITY", "BASELINE-CONTROL", "MERGE":
		return mOther
	}
	return mInvalid
}

func scanVchar(b []byte, i int) int {
	for h1CharClass[b[i]]&tcVcharObstext != 0 {
		i++
	}
	return i
}

// strpbrkWS is strpbrk(s, "\t\n\v\f\r "): the first white space at or
// after i, -1 if the NUL comes first.
func strpbrkWS(b []byte, i int) int {
	for ; b[i] != 0; i++ {
		if cSpace(b[i]) {
			return i
		}
	}
	return -1
}

func cEnd(b []byte, i int) int {
	for b[i] != 0 {
		i++
	}
	return i
}

// parseRequestLine is ap_parse_request_line with ap_parse_uri. It reports
// false with h.Status set when httpd fails the request.
func (p *h1Parser) parseRequestLine(h *requestHead) bool {
	ls, le := p.theRequest.a, p.theRequest.b
	// httpd works in place on a NUL-terminated copy of the line.
	sc := len(p.buf)
	p.buf = append(p.buf, p.buf[ls:le]...)
	p.buf = append(p.buf, 0)
	b := p.buf[sc:]
	nul := len(b) - 1 // an empty C string

	var uri, proto, plen, ll int
	deferred := rrlNone
	m := 0
	if cSpace(b[m]) {
		deferred = rrlBadWhitespace
		for cSpace(b[m]) {
			m++
		}
	}
	if p.strict {
		for ll = m; h1CharClass[b[ll]]&tcHTTPTokenStop == 0; ll++ {
		}
	} else {
		ll = scanVchar(b, m)
	}
	if (ll == m || (b[ll] != 0 && !cSpace(b[ll]))) && deferred == rrlNone {
		deferred = rrlBadMethod
		ll = strpbrkWS(b, ll)
	}
	if ll < 0 {
		if deferred == rrlNone {
			deferred = rrlMissingURI
		}
		uri, proto = nul, nul
		goto done
	} else if p.strict && b[ll] != 0 && cSpace(b[ll+1]) && deferred == rrlNone {
		deferred = rrlExcessWhitespace
	}
	for uri = ll; cSpace(b[uri]); uri++ {
		if b[uri] != ' ' && deferred == rrlNone {
			deferred = rrlBadWhitespace
		}
	}
	b[ll] = 0
	if b[uri] == 0 && deferred == rrlNone {
		deferred = rrlMissingURI
	}
	ll = scanVchar(b, uri)
	if ll == uri || (b[ll] != 0 && !cSpace(b[ll])) {
		deferred = rrlBadURI
		ll = strpbrkWS(b, ll)
	}
	if ll < 0 {
		proto = nul
		goto done
	} else if p.strict && b[ll] != 0 && cSpace(b[ll+1]) && deferred == rrlNone {
		deferred = rrlExcessWhitespace
	}
	for proto = ll; cSpace(b[proto]); proto++ {
		if b[proto] != ' ' && deferred == rrlNone {
			deferred = rrlBadWhitespace
		}
	}
	b[ll] = 0
	ll = scanVchar(b, proto)
	plen = ll - proto
	switch {
	case b[ll] != 0 && !cSpace(b[ll]):
		deferred = rrlBadProtocol
	case p.strict && b[ll] != 0:
		deferred = rrlExcessWhitespace
	default:
		for ; cSpace(b[ll]); ll++ {
			if b[ll] != ' ' && deferred == rrlNone {
				deferred = rrlBadWhitespace
			}
		}
		if b[ll] != 0 && deferred == rrlNone {
			deferred = rrlTrailingText
		}
	}
	b[proto+plen] = 0

done:
	mEnd, uEnd, pEnd := cEnd(b, m), cEnd(b, uri), cEnd(b, proto)
	p.method = spanRef(sc+m, sc+mEnd)
	h.HasMethod = true

	// r->the_request = apr_pstrcat(method, *uri ? " " : NULL, uri,
	// *protocol ? " " : NULL, protocol, NULL); kept as read when equal.
	{
		mb, ub, pb := b[m:mEnd], b[uri:uEnd], b[proto:pEnd]
		line := p.buf[ls:le]
		same := bytes.HasPrefix(line, mb)
		rest := line[len(mb):]
		if len(ub) > 0 {
			same = same && len(rest) > len(ub) && rest[0] == ' ' && bytes.Equal(rest[1:1+len(ub)], ub)
			if same {
				rest = rest[1+len(ub):]
			}
			if len(pb) > 0 {
				same = same && len(rest) == 1+len(pb) && rest[0] == ' ' && bytes.Equal(rest[1:], pb)
			} else {
				same = same && len(rest) == 0
			}
		} else {
			same = same && len(rest) == 0
		}
		if !same {
			a := len(p.buf)
			p.buf = append(p.buf, mb...)
			if len(ub) > 0 {
				p.buf = append(p.buf, ' ')
				p.buf = append(p.buf, p.buf[sc+uri:sc+uEnd]...)
				if len(pb) > 0 {
					p.buf = append(p.buf, ' ')
					p.buf = append(p.buf, p.buf[sc+proto:sc+pEnd]...)
				}
			}
			p.theRequest = spanRef(a, len(p.buf))
			b = p.buf[sc : sc+nul+1]
		}
	}

	pr := b[proto : proto+plen]
	httpVersion := func() bool {
		return pr[4] == '/' && cDigit(pr[5]) && pr[6] == '.' && cDigit(pr[7]) && pr[5] != '0'
	}
	switch {
	case plen == 8 && pr[0] == 'H' && pr[1] == 'T' && pr[2] == 'T' && pr[3] == 'P' && httpVersion():
		h.ProtoNum = int(pr[5]-'0')*1000 + int(pr[7]-'0')
		p.protocol = spanRef(sc+proto, sc+proto+plen)
	case plen == 8 && (pr[0] == 'H' || pr[0] == 'h') && (pr[1] == 'T' || pr[1] == 't') &&
		(pr[2] == 'T' || pr[2] == 't') && (pr[3] == 'P' || pr[3] == 'p') && httpVersion():
		h.ProtoNum = int(pr[5]-'0')*1000 + int(pr[7]-'0')
		if p.strict && deferred == rrlNone {
			deferred = rrlBadProtocol
		} else {
			copy(pr, "HTTP")
		}
		p.protocol = spanRef(sc+proto, sc+proto+plen)
	case b[proto] != 0:
		h.ProtoNum = 9
		p.protocol = spanRef(sc+proto, sc+pEnd)
		if deferred == rrlNone {
			deferred = rrlBadProtocol
		}
	default:
		h.HTTP09 = true
		p.protocol = litRef("HTTP/0.9")
		h.ProtoNum = 9
	}

	h.methodNumber = methodNumber(b[m:mEnd])
	if h.methodNumber == mGet && b[m] == 'H' {
		h.HeaderOnly = true
	}

	p.parseURI(h, sc, uri, uEnd)
	if h.Status == 0 && p.pu.path.kind == refSpan {
		path := p.pu.path.bytes(p.buf)
		if path[0] != '/' && (h.methodNumber != mOptions || string(path) != "*") {
			h.Status = 400 // RFC 7230 5.3: invalid request-target
		}
	}

	if h.ProtoNum == 9 && deferred == rrlNone {
		if p.require10 {
			deferred = rrlReject09
		} else if p.strict && (h.methodNumber != mGet || h.HeaderOnly) {
			deferred = rrlBadMethod09
		}
	}
	if deferred != rrlNone {
		h.Status = 400
		return p.requestLineFailed(h)
	}
	if p.registeredMethods && h.methodNumber == mInvalid {
		h.Status = 501
		return false
	}
	if h.Status != 0 {
		return p.requestLineFailed(h)
	}
	if p.strict && (p.pu.fragment.kind != refUnset || p.pu.user.kind != refUnset ||
		p.pu.password.kind != refUnset) {
		// RFC 3986 3.5: no fragment; no user name or password.
		h.Status = 400
		return p.requestLineFailed(h)
	}
	return true
}

// requestLineFailed is the rrl_failed: label: a line that was no valid
// HTTP/0.9 request is answered as HTTP/1.0.
func (p *h1Parser) requestLineFailed(h *requestHead) bool {
	if h.ProtoNum == 9 {
		h.HTTP09 = false
		h.ProtoNum = 1000
		p.protocol = litRef("HTTP/1.0")
	}
	return false
}

// parseURI is ap_parse_uri on the target b[uri:uEnd] of the scratch copy
// at sc.
func (p *h1Parser) parseURI(h *requestHead, sc, uri, uEnd int) {
	p.unparsedURI = spanRef(sc+uri, sc+uEnd)
	u := sc + uri
	for p.buf[u] == '/' && p.buf[u+1] == '/' { // a path, not an authority
		u++
	}
	var pu uriParts
	var ok bool
	if h.methodNumber == mConnect {
		pu, ok = aprURIParseHostinfo(p.buf[u : sc+uEnd])
	} else {
		pu, ok = aprURIParse(p.buf[u : sc+uEnd])
	}
	rb := func(s uriSpan) strRef {
		if !s.ok {
			return strRef{}
		}
		return spanRef(u+s.a, u+s.b)
	}
	p.pu.scheme, p.pu.user, p.pu.password = rb(pu.scheme), rb(pu.user), rb(pu.password)
	p.pu.hostname, p.pu.portStr, p.pu.path = rb(pu.hostname), rb(pu.portStr), rb(pu.path)
	p.pu.query, p.pu.fragment, p.pu.port = rb(pu.query), rb(pu.fragment), pu.port
	if !ok {
		h.Status = 400
		p.uri = spanRef(u, sc+uEnd)
		return
	}
	scheme := "http"
	if p.https {
		scheme = "https"
	}
	if pu.scheme.ok && equalFoldBytes(p.buf[u+pu.scheme.a:u+pu.scheme.b], scheme) ||
		h.methodNumber == mConnect {
		p.hostname = p.pu.hostname
	}
	p.args = p.pu.query
	switch {
	case pu.path.ok:
		p.uri = p.pu.path
	case h.methodNumber == mOptions:
		p.uri = litRef("*")
	default:
		p.uri = litRef("/")
	}
}

// readHeaders is ap_get_mime_headers_core. It reports false with
// h.Status set when reading fails.
func (p *h1Parser) readHeaders(h *requestHead) bool {
	n := p.fieldSize + 2
	lastA, lastLen := -1, 0 // last_field: read, not yet stored
	fieldsRead := 0
	for {
		l := p.rgetline(n, p.strict)
		if l.rv != rvOK {
			h.Status = 400
			if l.rv == rvTimeout {
				h.Status = 408
			}
			if l.rv == rvNoSpace {
				h.ErrorNotes = errNoteFieldSize
			}
			return false
		}
		fa, ln := l.start, l.n
		// Trailing blanks go, but not the last byte.
		for ln > 1 && (p.buf[fa+ln-1] == '\t' || p.buf[fa+ln-1] == ' ') {
			ln--
		}
		p.buf = p.buf[:fa+ln]
		if ln > 0 && (p.buf[fa] == '\t' || p.buf[fa] == ' ') {
			// obs-fold: append to last_field, with one space.
			if lastA < 0 || ln == 1 { // before any field, or empty
				h.Status = 400
				return false
			}
			for p.buf[fa+1] == '\t' || p.buf[fa+1] == ' ' {
				fa++
				ln--
			}
			if lastLen+ln+1 >= p.fieldSize {
				h.Status = 400
				h.ErrorNotes = errNoteFieldSize
				return false
			}
			dst := lastA + lastLen
			copy(p.buf[dst:], p.buf[fa:fa+ln])
			p.buf[dst] = ' '
			lastLen += ln
			p.buf = p.buf[:dst+ln]
			continue
		}
		if lastA >= 0 {
			fieldsRead++
			if p.maxFields > 0 && fieldsRead > p.maxFields {
				h.Status = 400
				h.ErrorNotes = "The number of request header fields exceeds this server's limit."
				return false
			}
			if !p.addField(lastA, lastA+lastLen) {
				h.Status = 400
				return false
			}
		}
		if ln == 0 {
			break
		}
		lastA, lastLen = fa, ln
	}
	p.mergeFields()
	// LimitRequestFieldSize holds for merged values too.
	for _, f := range p.fields {
		if !f.gone && f.vb-f.va > p.fieldSize {
			h.Status = 400
			h.ErrorNotes = errNoteFieldSize
			return false
		}
	}
	return true
}

// addField checks the header line buf[a:e] and stores it in
// r->headers_in (the Strict RFC 7230 parser or the Unsafe legacy one).
func (p *h1Parser) addField(a, e int) bool {
	b := p.buf
	var nb, v int
	if p.strict {
		// The name runs to the first byte that is no tchar, which must be
		// a ':' after at least one tchar. The ':' is found first, then the
		// bytes before it are checked all together.
		colon := bytes.IndexByte(b[a:e], ':')
		if colon < 0 || !isToken(b[a:a+colon]) {
			return false // malformed field name
		}
		nb, v = a+colon, a+colon+1
		for v < e && (b[v] == ' ' || b[v] == '\t') {
			v++
		}
		if hasHTTPCtrl(b[v:e]) {
			return false // control characters but HT
		}
	} else {
		colon := bytes.IndexByte(b[a:e], ':')
		if colon <= 0 {
			return false // no ':' or an empty name
		}
		nb = a + colon
		for i := a; i < nb; i++ {
			if cSpace(b[i]) {
				return false
			}
		}
		v = nb + 1
		for v < e && (b[v] == ' ' || b[v] == '\t') {
			v++
		}
		for i := v; i < e; i++ {
			if c := b[i]; c == '\n' || c == '\v' || c == '\f' || c == '\r' {
				return false
			}
		}
	}
	p.fields = append(p.fields, h1Field{na: a, nb: nb, va: v, vb: e})
	return true
}

// isToken reports whether s is a token: one or more tchars (RFC 9110),
// checked all together rather than byte by byte.
func isToken[T ~string | ~[]byte](s T) bool {
	var cls uint8
	for i := range len(s) {
		cls |= h1CharClass[s[i]]
	}
	return len(s) > 0 && cls&tcHTTPTokenStop == 0
}

// le64 is the first eight bytes of b as a little-endian word (one load).
func le64[T ~string | ~[]byte](b T) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// hasHTTPCtrl reports whether b has a byte of class tcHTTPCtrls (NUL, C0
// controls but HT, DEL), looking at eight bytes at a time: the check of
// request and response field values.
func hasHTTPCtrl[T ~string | ~[]byte](b T) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	n := len(b)
	if n < 8 {
		for i := range n {
			if h1CharClass[b[i]]&tcHTTPCtrls != 0 {
				return true
			}
		}
		return false
	}
	for i := 0; i < n; i += 8 {
		if i > n-8 {
			i = n - 8 // the last word, overlapping one already checked
		}
		x := le64(b[i:])
		y := x ^ (ones * 0x7f)
		// A byte below 0x20, or a DEL (a zero byte of y): exact as to
		// whether there is one, not which; an HT is let through below.
		if ((x-ones*0x20)&^x|(y-ones)&^y)&highs != 0 {
			for j := i; j < i+8; j++ {
				if h1CharClass[b[j]]&tcHTTPCtrls != 0 {
					return true
				}
			}
		}
	}
	return false
}

func (p *h1Parser) nameIs(f *h1Field, name string) bool {
	return equalFoldBytes(p.buf[f.na:f.nb], name)
}

// mergeFields is apr_table_compress(headers_in, APR_OVERLAP_TABLES_MERGE):
// each name keeps its first place, its values joined with ", " in
// arrival order.
func (p *h1Parser) mergeFields() {
	fs := p.fields
	for i := range fs {
		if fs[i].gone {
			continue
		}
		dup := false
		n := fs[i].nb - fs[i].na
		for j := i + 1; j < len(fs); j++ {
			// Names of other lengths differ: most pairs end at the length.
			if !fs[j].gone && fs[j].nb-fs[j].na == n && asciiEqualFold(p.buf[fs[j].na:fs[j].nb], p.buf[fs[i].na:fs[i].nb]) {
				dup = true
				break
			}
		}
		if !dup {
			continue
		}
		a := len(p.buf)
		p.buf = append(p.buf, p.buf[fs[i].va:fs[i].vb]...)
		for j := i + 1; j < len(fs); j++ {
			if !fs[j].gone && asciiEqualFold(p.buf[fs[j].na:fs[j].nb], p.buf[fs[i].na:fs[i].nb]) {
				p.buf = append(p.buf, ", "...)
				p.buf = append(p.buf, p.buf[fs[j].va:fs[j].vb]...)
				fs[j].gone = true
			}
		}
		fs[i].va, fs[i].vb = a, len(p.buf)
	}
}

// field returns the index of the first field named name (without regard
// to ASCII case), -1 if none.
func (p *h1Parser) field(name string) int {
	for i := range p.fields {
		if f := &p.fields[i]; !f.gone && f.nb-f.na == len(name) && p.nameIs(f, name) {
			return i
		}
	}
	return -1
}

func (p *h1Parser) value(i int) []byte { return p.buf[p.fields[i].va:p.fields[i].vb] }

// checkBodyHeaders is the Content-Length and Transfer-Encoding part of
// ap_read_request.
func (p *h1Parser) checkBodyHeaders(h *requestHead) bool {
	cl := p.field("content-length")
	if cl >= 0 {
		n, ok := parseStrictLength(p.value(cl))
		if !ok {
			h.Status = 400
			return false
		}
		h.ContentLength, h.HasContentLength = n, true
	}
	if te := p.field("transfer-encoding"); te >= 0 {
		if !isChunked(p.value(te)) {
			h.Status = 400 // RFC 7230 3.3.3: chunked must be last
			return false
		}
		h.Chunked = true
		if cl >= 0 {
			// Transfer-Encoding wins; Content-Length goes and so does
			// the connection afterwards.
			for i := range p.fields {
				if f := &p.fields[i]; !f.gone && p.nameIs(f, "Content-Length") {
					f.gone = true
				}
			}
			h.ContentLength, h.HasContentLength = 0, false
			h.Close = true
		}
	}
	return true
}

// parseStrictLength is ap_parse_strict_length: digits only, no sign, no
// blanks, within the range of apr_off_t.
func parseStrictLength(b []byte) (int64, bool) {
	if len(b) == 0 || !cDigit(b[0]) {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if !cDigit(c) {
			return 0, false
		}
		d := int64(c - '0')
		if n > (1<<63-1-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// isChunked is ap_is_chunked: the value is "chunked", or ends in a
// "chunked" token after ',' or spaces.
func isChunked(b []byte) bool {
	const tok = "chunked"
	if equalFoldBytes(b, tok) {
		return true
	}
	lidx := len(b) - len(tok)
	if lidx < 0 || (lidx > 0 && !(cSpace(b[lidx-1]) || b[lidx-1] == ',')) {
		return false
	}
	if !equalFoldBytes(b[lidx:], tok) {
		return false
	}
	s := lidx
	for s--; s > 0; s-- {
		if b[s] != ' ' {
			break
		}
	}
	if s < 0 {
		s = 0
	}
	return b[s] == ',' || b[s] == ' '
}

// findToken is ap_find_token: whether a token of line (split at
// non-token characters) equals tok ignoring case; like httpd's, it also
// matches a token that is a prefix of tok.
func findToken(line, tok string) bool {
	s := 0
	for {
		for s < len(line) && h1CharClass[line[s]]&tcHTTPTokenStop != 0 {
			s++
		}
		if s == len(line) {
			return false
		}
		start := s
		for s < len(line) && h1CharClass[line[s]]&tcHTTPTokenStop == 0 {
			s++
		}
		if n := s - start; n <= len(tok) && asciiEqualFold(line[start:s], tok[:n]) {
			return true
		}
		if s == len(line) {
			return false
		}
	}
}

// checkRequestHeader is ap_check_request_header with
// ap_update_vhost_from_headers_ex (StrictHostCheck Off): validate the host
// name, require one for HTTP/1.1, check Expect.
func (p *h1Parser) checkRequestHeader(h *requestHead) bool {
	host := p.field("host")
	fromURL := p.hostname.kind != refUnset
	var hc hostCheck
	if fromURL || host >= 0 {
		var src []byte
		if fromURL {
			src = p.hostname.bytes(p.buf)
		} else {
			src = p.value(host)
		}
		a := len(p.buf)
		p.buf = append(p.buf, src...)
		hc = fixHostname(p.buf[a:], !fromURL, p.strict)
		if hc.setHost {
			p.hostname = spanRef(a+hc.a, a+hc.b)
		}
		if hc.portSet {
			p.pu.port = uint16(hc.port)
			pa := len(p.buf)
			p.buf = strconv.AppendInt(p.buf, int64(hc.port), 10)
			p.pu.portStr = spanRef(pa, len(p.buf))
		}
	}
	if hc.bad {
		h.Status = 400
		return false
	}
	h.vhostByName = true
	if p.strict && fromURL && host >= 0 {
		// RFC 2616 5.2: the absolute URI's host wins over Host.
		a := len(p.buf)
		if hc.v6 {
			p.buf = append(p.buf, '[')
		}
		p.buf = append(p.buf, p.hostname.bytes(p.buf)...)
		if hc.v6 {
			p.buf = append(p.buf, ']')
		}
		if p.pu.portStr.kind != refUnset {
			p.buf = append(p.buf, ':')
			p.buf = append(p.buf, p.pu.portStr.bytes(p.buf)...)
		}
		p.fields[host].va, p.fields[host].vb = a, len(p.buf)
	}
	if (p.hostname.kind == refUnset && h.ProtoNum >= 1001) || (h.ProtoNum == 1001 && host < 0) {
		h.Status = 400 // HTTP/1.1 without a host name
		return false
	}
	if e := p.field("expect"); e >= 0 && len(p.value(e)) > 0 {
		if !equalFoldBytes(p.value(e), "100-continue") {
			h.Status = 417
			return false
		}
		h.ExpectContinue = true
	}
	return true
}

// finish turns the spans into strings of one copy of the buffer; the
// fields are appended to fields[:0].
func (p *h1Parser) finish(h *requestHead, fields Fields) {
	head := p.strs.str(p.buf)
	h.BytesRead = p.nread
	h.TheRequest, h.HasTheRequest = p.theRequest.str(head)
	h.Method, h.HasMethod = p.method.str(head)
	h.UnparsedURI, h.HasUnparsedURI = p.unparsedURI.str(head)
	h.Protocol, _ = p.protocol.str(head)
	h.URI, h.HasURI = p.uri.str(head)
	h.Args, h.HasArgs = p.args.str(head)
	h.Hostname, h.HasHostname = p.hostname.str(head)
	if p.pu.portStr.kind != refUnset {
		h.Port, h.HasPort = int(p.pu.port), true
	}
	h.HasPassword = p.pu.password.kind != refUnset
	u := &h.uri
	u.scheme.s, u.scheme.ok = p.pu.scheme.str(head)
	u.user.s, u.user.ok = p.pu.user.str(head)
	u.password.s, u.password.ok = p.pu.password.str(head)
	u.hostname.s, u.hostname.ok = p.pu.hostname.str(head)
	u.portStr.s, u.portStr.ok = p.pu.portStr.str(head)
	u.path.s, u.path.ok = p.pu.path.str(head)
	u.query.s, u.query.ok = p.pu.query.str(head)
	u.fragment.s, u.fragment.ok = p.pu.fragment.str(head)
	u.port = p.pu.port
	h.rawPath.s, h.rawPath.ok = p.rawPath.str(head)
	n := 0
	for i := range p.fields {
		if !p.fields[i].gone {
			n++
		}
	}
	if n > 0 {
		h.Headers = fields[:0]
		if cap(h.Headers) < n {
			h.Headers = make(Fields, 0, n)
		}
		for _, f := range p.fields {
			if !f.gone {
				h.Headers = append(h.Headers, Field{Name: head[f.na:f.nb], Value: head[f.va:f.vb]})
			}
		}
	}
	if v, ok := h.Headers.Get("Connection"); ok {
		h.ConnClose = findToken(v, "close")
		h.ConnKeepAlive = findToken(v, "keep-alive")
	}
}

// checkPipeline is ap_check_pipeline(c, bb, DEFAULT_LIMIT_BLANK_LINES),
// which httpd runs after each response of a connection it keeps open: it
// peeks at the next input without blocking and consumes empty lines
// (CRLF or LF) before a pipelined request. This version looks only at
// what r already buffers, as a non-blocking read would find it.
//
// counted is what mod_logio adds to %I for it: every byte of its
// speculative peeks as well as the empty lines it consumes (five bytes a
// CRLF, two a LF). httpd adds them to the request not yet logged: in the
// corpus (pipelined_two) the first request's %I is one byte more than its
// head, the peek at the pipelined second request. data reports that a
// next request's bytes are waiting; closeConn that httpd gives up on the
// connection (more than ten empty lines, or a failed read).
func checkPipeline(r *bufio.Reader) (counted int64, data, closeConn bool) {
	const maxBlankLines = defaultLimitBlankLines
	consume := false // AP_MODE_READBYTES, else AP_MODE_SPECULATIVE
	cr, blanks := 0, 0
	for {
		n := cr + 1
		k := min(n, r.Buffered())
		if k == 0 {
			return counted, false, consume
		}
		b, _ := r.Peek(k)
		c0, c1 := b[0], byte(0)
		if k > 1 {
			c1 = b[1]
		}
		counted += int64(k)
		if consume {
			r.Discard(k)
		}
		if k != n {
			if consume {
				return counted, false, true
			}
			return counted, true, false // the blocking read will tell
		}
		switch {
		case consume:
			consume, cr = false, 0
		case cr != 0:
			if c1 != '\n' {
				return counted, true, false // CR not followed by LF is data
			}
			consume = true
			blanks++
		case c0 == '\n':
			consume = true
			blanks++
		case c0 == '\r':
			cr = 1
		default:
			return counted, true, false
		}
		if blanks > maxBlankLines {
			return counted, false, true
		}
	}
}
