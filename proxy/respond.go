package proxy

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jl6/logproxy/logformat"
)

// responseHead describes the response about to be sent, for writeHead.
type responseHead struct {
	status int
	reason string // the backend's reason phrase, or "" for httpd's own
	// rawStatus, when not "", is the status line to send after
	// "HTTP/1.1 " as the backend sent it (validStatusLine).
	rawStatus string
	// contentType is r->content_type: set into Content-Type (keeping the
	// field's place when it already is in the table).
	contentType string
	// hasBody: a body of unknown length follows (chunked for HTTP/1.1
	// clients, else the connection closes after it).
	unknownLength bool
	// noBody: the response has no body by rule (HEAD, 204, 304).
	noBody bool
	// generated: httpd made the response itself (ap_send_error_response):
	// only "Header always" rules apply.
	generated bool
	// noFirstByte: the answer does not pass mod_logio's first-byte
	// filter (TRACE, answered before it is inserted): %^FB logs "-".
	noFirstByte bool
}

// writeHead writes the status line and header section of the response as
// httpd's ap_http_header_filter does: the err_headers_out table overlaid
// on headers_out, Date and Server first (a proxied response keeps the
// backend's), the keep-alive decision of ap_set_keepalive, the framing
// fields, Content-Type, then every field in table order. It returns false
// if a header value would be refused by httpd's check_headers (then the
// caller answers 500 instead).
func (ex *exchange) writeHead(rh *responseHead) bool {
	r := &ex.r
	c := ex.c
	// A table that passed check_headers' test as it was made need not be
	// tested again, unless mod_headers or err_headers_out add to it.
	checked := ex.outChecked && len(r.errHeadersOut) == 0 && (r.dir == nil || len(r.dir.RespHeaders) == 0)
	// mod_headers, then the StripHeader names, once the values were noted.
	// Its output filter runs before the HTTP header filter, so also for
	// HTTP/0.9, whose head that filter then skips ("Header note" logs).
	// mod_expires' filter, then mod_headers'.
	ex.applyExpires(rh.status, rh.contentType)
	ex.applyResponseHeaders(r.dir, rh.generated, &rh.contentType)
	if ex.ttfb == 0 && !rh.generated && !rh.noFirstByte && ex.logUses()&logformat.UsesTTFB != 0 {
		// mod_logio's first-byte filter sees the handler's output (also
		// for HTTP/0.9); a page httpd makes itself for an error
		// (ap_send_error_response) bypasses it, and logs "-".
		ex.ttfb = time.Since(ex.begin)
	}
	if ex.head.HTTP09 {
		// No head goes out, but what %{...}o logs is the table httpd's
		// header filter leaves: ap_set_keepalive's "Connection: close",
		// and r->content_type.
		r.headersOut = setField(r.headersOut, "Connection", "close")
		if rh.contentType != "" && !rh.generated {
			r.headersOut = setField(r.headersOut, "Content-Type", rh.contentType)
		} else if rh.generated && ex.checkedType != "" {
			// ap_send_error_response sets no type for HTTP/0.9: the
			// type mod_mime gave the file name stays (%{Content-Type}o
			// reads r->content_type).
			r.headersOut = setField(r.headersOut, "Content-Type", ex.checkedType)
		}
		ex.headSent = true
		ex.keepalive = false
		return true
	}
	if len(r.errHeadersOut) > 0 {
		merged := make(Fields, 0, len(r.errHeadersOut)+len(r.headersOut))
		merged = append(merged, r.errHeadersOut...)
		merged = append(merged, r.headersOut...)
		r.headersOut = merged
		r.errHeadersOut = nil
	}
	// (A table checked as it was made has no Transfer-Encoding unless
	// it answers a HEAD request: mod_proxy_http took it out.)
	if !checked || ex.head.HeaderOnly {
		if te, ok := r.headersOut.Get("Transfer-Encoding"); ok {
			// check_headers: a Transfer-Encoding still in the table (a
			// HEAD answer's from a backend, or one Header rules set)
			// drops Content-Length and the connection's keep-alive,
			// and one that does not end in chunked is refused, without
			// a message.
			if _, ok := r.headersOut.Get("Content-Length"); ok {
				r.headersOut = unsetField(r.headersOut, "Content-Length")
				ex.head.Close = true
			}
			if !isChunkedTE(te) {
				ex.head.Close = true
				ex.teRefused = true
				return false
			}
		}
	}
	if !checked && !checkHeaders(r.headersOut, r.dir) {
		return false
	}
	if ex.noCache {
		if _, ok := r.headersOut.Get("Expires"); !ok {
			r.headersOut = append(r.headersOut, Field{Name: "Expires", Value: dateHeader(ex.begin)})
		}
	}

	bw := c.bw
	bw.WriteString("HTTP/1.1 ")
	if rh.rawStatus != "" {
		bw.WriteString(rh.rawStatus)
	} else if rh.reason != "" {
		writeStatusCode(bw, rh.status)
		bw.WriteByte(' ')
		bw.WriteString(rh.reason)
	} else {
		bw.WriteString(statusLine(rh.status))
	}
	bw.WriteString("\r\n")

	var date, server string
	date, server, r.headersOut = takeDateServer(r.headersOut)
	if !ex.proxied || date == "" {
		date = dateHeader(ex.begin)
	}
	if !ex.proxied || server == "" {
		server = c.e.opts.ServerBanner
	}
	writeField(bw, "Date", date)
	writeField(bw, "Server", server)

	chunked := ex.setKeepalive(rh)
	if rh.noBody && (rh.status == 204 || rh.status == 304) {
		r.headersOut = unsetField(r.headersOut, "Transfer-Encoding")
		r.headersOut = unsetField(r.headersOut, "Content-Length")
		rh.contentType = ""
	} else if chunked {
		r.headersOut = mergeField(r.headersOut, "Transfer-Encoding", "chunked")
		r.headersOut = unsetField(r.headersOut, "Content-Length")
	}
	if rh.contentType != "" {
		r.headersOut = setField(r.headersOut, "Content-Type", rh.contentType)
	}
	if ex.head.HeaderOnly {
		// The header filter's "hack" (RBB): no "Content-Length: 0" goes
		// out for a HEAD request; a backend's is dropped too.
		if v, ok := r.headersOut.Get("Content-Length"); ok && v == "0" {
			r.headersOut = unsetField(r.headersOut, "Content-Length")
		}
	}
	if d := r.dir; d != nil && !d.Strip.Empty() {
		// StripHeader: logged (the table keeps them), never sent.
		writeStripped(bw, r.headersOut, d)
	} else {
		for _, f := range r.headersOut {
			writeField(bw, f.Name, f.Value)
		}
	}
	bw.WriteString("\r\n")
	ex.headSent = true
	return true
}

// dateCache is the Date header of one second.
type dateCache struct {
	sec  int64
	text string
}

var lastDate atomic.Pointer[dateCache]

// dateHeader returns the Date header for a response to a request that
// began at t (http.TimeFormat). Like httpd's ap_recent_rfc822_date it
// formats once per second and hands out the text of the second.
func dateHeader(t time.Time) string {
	sec := t.Unix()
	if d := lastDate.Load(); d != nil && d.sec == sec {
		return d.text
	}
	d := &dateCache{sec: sec, text: t.UTC().Format(http.TimeFormat)}
	lastDate.Store(d)
	return d.text
}

// writeStatusCode writes a status code in decimal.
func writeStatusCode(bw *bufio.Writer, n int) {
	if n < 100 || n > 999 {
		bw.WriteString(strconv.Itoa(n))
		return
	}
	bw.WriteByte(byte('0' + n/100))
	bw.WriteByte(byte('0' + n/10%10))
	bw.WriteByte(byte('0' + n%10))
}

func writeField(bw *bufio.Writer, name, value string) {
	if n := len(name) + len(value) + 4; n <= bw.Available() {
		// One copy into the writer's free space: four WriteString calls
		// cost more than the bytes.
		b := appendField(bw.AvailableBuffer(), name, value)
		bw.Write(b)
		return
	}
	bw.WriteString(name)
	bw.WriteString(": ")
	bw.WriteString(value)
	bw.WriteString("\r\n")
}

// takeDateServer removes every Date and Server field from fs, in place,
// and returns the first value of each ("" for none): the head writer
// sends its own, from the proxied answer's when it has them.
func takeDateServer(fs Fields) (date, server string, out Fields) {
	out = fs[:0]
	hasDate, hasServer := false, false
	for _, f := range fs {
		switch {
		case len(f.Name) == 4 && asciiEqualFold(f.Name, "date"):
			if !hasDate {
				date, hasDate = f.Value, true
			}
			continue
		case len(f.Name) == 6 && asciiEqualFold(f.Name, "server"):
			if !hasServer {
				server, hasServer = f.Value, true
			}
			continue
		}
		out = append(out, f)
	}
	return date, server, out
}

// outFields are the first values of the fields of headers_out the HTTP
// header filter looks at, found in one pass over the table.
type outFields struct {
	connection, contentType, transferEncoding string
	hasContentLength                          bool
}

// scanOutFields is apr_table_get of Connection, Content-Type,
// Content-Length and Transfer-Encoding in fs, in one pass.
func scanOutFields(fs Fields) (o outFields) {
	var seen [4]bool
	for i := range fs {
		n := fs[i].Name
		switch len(n) {
		case 10:
			if !seen[0] && asciiEqualFold(n, "connection") {
				o.connection, seen[0] = fs[i].Value, true
			}
		case 12:
			if !seen[1] && asciiEqualFold(n, "content-type") {
				o.contentType, seen[1] = fs[i].Value, true
			}
		case 14:
			if !seen[2] && asciiEqualFold(n, "content-length") {
				o.hasContentLength, seen[2] = true, true
			}
		case 17:
			if !seen[3] && asciiEqualFold(n, "transfer-encoding") {
				o.transferEncoding, seen[3] = fs[i].Value, true
			}
		}
	}
	return o
}

// setKeepalive decides, as ap_set_keepalive, whether the connection stays
// open after this response, adds Keep-Alive and Connection accordingly,
// and reports whether the body must be sent chunked.
func (ex *exchange) setKeepalive(rh *responseHead) (chunked bool) {
	r := &ex.r
	c := ex.c
	srv := ex.srv
	h := ex.head
	left := srv.MaxKeepAliveRequests - c.keepalives
	facts := scanOutFields(r.headersOut)
	wimpy := hasToken(facts.connection, "close")
	lengthKnown := h.HeaderOnly || rh.noBody || rh.status == 204 || rh.status == 304 || facts.hasContentLength || isChunkedTE(facts.transferEncoding)
	if !lengthKnown && rh.unknownLength && h.ProtoNum >= 1001 && !h.Close {
		// ap_set_keepalive chunks only a connection not already marked
		// AP_CONN_CLOSE; else the body ends with the connection.
		chunked = true
		lengthKnown = true
	} else if !lengthKnown && !rh.unknownLength {
		lengthKnown = true
	}
	_, nokeepalive := r.env.Get("nokeepalive")
	kaSent := h.ConnKeepAlive
	if !h.Close && !(h.ExpectContinue && !ex.continueSent) && lengthKnown &&
		srv.KeepAlive && srv.KeepAliveTimeout > 0 &&
		(srv.MaxKeepAliveRequests == 0 || left > 0) &&
		!dropsConnection(rh.status) && !wimpy && !h.ConnClose &&
		!nokeepalive &&
		(kaSent || h.ProtoNum >= 1001) &&
		!c.e.closing.Load() {
		c.keepalive = true
		c.keepalives++
		if ex.filterError {
			c.keepalives++ // the header filter's first pass counted too
		}
		ex.keepalive = true
		if kaSent {
			ka := "timeout=" + strconv.Itoa(int(srv.KeepAliveTimeout/time.Second))
			if srv.MaxKeepAliveRequests > 0 {
				ka += ", max=" + strconv.Itoa(left)
			}
			r.headersOut = setField(r.headersOut, "Keep-Alive", ka)
			r.headersOut = mergeField(r.headersOut, "Connection", "Keep-Alive")
		}
		return chunked
	}
	if !wimpy {
		r.headersOut = mergeField(r.headersOut, "Connection", "close")
	}
	if c.keepalive && srv.MaxKeepAliveRequests > 0 && left == 0 {
		c.keepalives++
	}
	c.keepalive = false
	ex.keepalive = false
	return chunked
}

// checkHeaders is httpd's check_headers (HttpProtocolOptions Strict): a
// field value with a control character other than HT, or a name that is
// not a token, is refused. Fields StripHeader keeps from the client (d)
// are not sent, so not tested, as a field "Header unset" took out.
func checkHeaders(fs Fields, d *DirConfig) bool {
	return refusedHeader(fs, d) < 0
}

// refusedHeader returns the index of the first field of fs that
// check_header refuses, -1 if none.
func refusedHeader(fs Fields, d *DirConfig) int {
	for i, f := range fs {
		if f.Name != "" && isToken(f.Name) && !hasHTTPCtrl(f.Value) {
			continue
		}
		if d != nil && !d.Strip.Empty() && d.Strip.Match(f.Name) {
			continue
		}
		return i
	}
	return -1
}

// refusedHeaderMessage is the message of check_header for the first field
// of fs it refuses: an empty name (AH02428), a name that is no token
// (AH02429), or a value with a control byte other than HT (AH02430).
func refusedHeaderMessage(fs Fields, d *DirConfig) string {
	i := refusedHeader(fs, d)
	if i < 0 {
		return "AH02430: Response header contains invalid characters, aborting request"
	}
	switch f := fs[i]; {
	case f.Name == "":
		return "AH02428: Empty response header name, aborting request"
	case !isToken(f.Name):
		return "AH02429: Response header name '" + f.Name + "' contains invalid characters, aborting request"
	default:
		return "AH02430: Response header '" + f.Name + "' value of '" + f.Value + "' contains invalid characters, aborting request"
	}
}

// hasToken reports whether the comma-separated list v holds token t,
// compared without regard to case.
func hasToken(v, t string) bool {
	for v != "" {
		var item string
		item, v, _ = strings.Cut(v, ",")
		if strings.EqualFold(strings.TrimSpace(item), t) {
			return true
		}
	}
	return false
}

// isChunkedTE reports whether a Transfer-Encoding value ends in chunked.
func isChunkedTE(v string) bool {
	if v == "" {
		return false
	}
	i := strings.LastIndexByte(v, ',')
	return strings.EqualFold(strings.TrimSpace(v[i+1:]), "chunked")
}

// mergeField appends value to the first field named name with ", " as
// apr_table_mergen, or adds the field.
func mergeField(fs Fields, name, value string) Fields {
	for i := range fs {
		if equalFold(fs[i].Name, name) {
			fs[i].Value += ", " + value
			return fs
		}
	}
	return append(fs, Field{Name: name, Value: value})
}

// unsetField removes every field named name.
func unsetField(fs Fields, name string) Fields { return unsetFrom(fs, name, 0) }

func unsetFrom(fs Fields, name string, from int) Fields {
	out := fs[:from]
	for _, f := range fs[from:] {
		if !equalFold(f.Name, name) {
			out = append(out, f)
		}
	}
	return out
}

// addField appends a field, as apr_table_addn.
func addField(fs Fields, name, value string) Fields {
	return append(fs, Field{Name: name, Value: value})
}
