package proxy

import (
	"strconv"
	"strings"
)

// die answers an error status as httpd's ap_die does: through the
// ErrorDocument configured for it (a text, a local path served by an
// internal redirect, or an external URL answered with a 302), else with
// httpd's canned error page. An error once the response head is out can
// only end the connection.
func (ex *exchange) die(status int) {
	r := &ex.r
	if ex.headSent {
		ex.keepalive = false
		return
	}
	if ex.noResponse {
		return
	}
	r.status = status
	if r.dir == nil {
		r.dir = ex.srv.Dir
	}
	if ex.recursive == 0 && ex.orig == nil {
		if doc, ok := r.dir.ErrorDocuments[status]; ok && doc != "" && doc != "default" {
			switch {
			case doc[0] == '"':
				ex.sendErrorText(status, doc[1:])
				return
			case doc[0] == '/':
				ex.internalRedirect(doc, status)
				return
			case isURL(doc):
				r.headersOut = setField(r.headersOut, "Location", doc)
				status = 302
				r.status = status
				// r->status_line was for the first status: the
				// redirect is a plain "302 Found".
				r.statusReason = ""
			}
		}
	}
	ex.sendCanned(status)
}

// internalRedirect serves the local path doc in place of the request, as
// ap_internal_redirect does for an ErrorDocument: the original request
// becomes %<..., the new one keeps the error status, sees the original's
// environment with REDIRECT_ prefixes, and runs through every phase again.
func (ex *exchange) internalRedirect(doc string, status int) {
	old := ex.r
	ex.orig = &old
	path, query, hasQuery := strings.Cut(doc, "?")
	// ap_die: the original request's method goes to REQUEST_METHOD, its
	// error-notes to ERROR_NOTES (both then REDIRECT_ in the new
	// request), and the redirect is a GET whatever the method was (a
	// HEAD still gets no body).
	old.env = setField(old.env, "REQUEST_METHOD", old.method)
	if notes, ok := old.notes.Get("error-notes"); ok {
		old.env = setField(old.env, "ERROR_NOTES", notes)
	}
	method := "GET"
	env := make(Fields, 0, len(old.env)+2)
	for _, f := range old.env {
		env = append(env, Field{Name: "REDIRECT_" + f.Name, Value: f.Value})
	}
	env = append(env, Field{Name: "REDIRECT_STATUS", Value: strconv.Itoa(status)})
	ex.r = request{
		method:        method,
		uri:           path,
		args:          query,
		hasArgs:       hasQuery,
		status:        status,
		user:          old.user,
		hasUser:       old.hasUser,
		authType:      old.authType,
		headersIn:     old.headersIn,
		errHeadersOut: old.errHeadersOut,
		env:           env,
	}
	ex.proxied = false
	ex.recursive = status
	ex.origLogID, ex.logID = ex.logID, ""
	if st := ex.process(); st != 0 {
		// An error while serving the ErrorDocument: ap_die(st) on its
		// request, whose status is still the one it inherited (the
		// original's), which is what ap_die_r passes on as the
		// recursive error. httpd answers the original status with the
		// canned page, its status line the original request's
		// (r_1st_err), with the err_headers_out the two share. The log
		// reads the ErrorDocument's request: status st (ap_die_r's
		// r->status = type), no body bytes of its own (the page went out
		// on the original request), and its own headers_out, which never
		// went out.
		reason := ex.r.statusReason
		ex.r.status, ex.r.statusReason = status, old.statusReason
		own := ex.r.headersOut
		ex.sendCannedRecursive(status, status)
		ex.r.headersOut = own
		ex.r.statusReason = reason
		ex.r.status = st
		ex.orig.bytesSent, ex.r.bytesSent = ex.r.bytesSent, 0
	}
}

// sendErrorText answers with an ErrorDocument text ("..." form).
func (ex *exchange) sendErrorText(status int, text string) {
	if ex.bodyFailsErrorPage(status, []byte(text)) {
		return
	}
	ex.sendGenerated(status, []byte(text), "text/html; charset=iso-8859-1")
}

// sendCanned answers with httpd's canned error page for status.
func (ex *exchange) sendCanned(status int) { ex.sendCannedRecursive(status, 0) }

func (ex *exchange) sendCannedRecursive(status, recursiveError int) {
	r := &ex.r
	location, _ := r.headersOut.Get("Location")
	if location == "" {
		location, _ = r.errHeadersOut.Get("Location")
	}
	// ap_send_error_response: the "normal" headers are dropped, the
	// err_headers_out ones kept.
	r.headersOut, r.errHeadersOut = r.errHeadersOut, nil
	if !errorHasBody(status) {
		if recursiveError == 0 && ex.bodyFailsErrorPage(status, nil) {
			return
		}
		rh := responseHead{status: status, noBody: true, generated: true}
		ex.sendHead(&rh)
		return
	}
	_, suppress := r.env.Get("suppress-error-charset")
	info := errorPageInfo{
		Method:          r.method,
		Location:        location,
		Recursive:       recursiveError,
		SuppressCharset: suppress,
		Banner:          ex.c.e.opts.ServerBanner,
		ServerAdmin:     ex.srv.Admin,
		Signature:       signatureOf(r.dir),
		ServerName:      ex.serverName(),
		Port:            ex.requestPort(),
	}
	if notes, ok := r.notes.Get("error-notes"); ok {
		info.ErrorNotes, info.HasErrorNotes = notes, true
	}
	if v, ok := r.notes.Get("verbose-error-to"); ok && v == "*" {
		info.VerboseErrorTo = true
	}
	if r.statusReason != "" && r.status == status {
		info.StatusLine = strconv.Itoa(status) + " " + r.statusReason
	}
	if expect, ok := r.headersIn.Get("Expect"); ok {
		info.Expect, info.HasExpect = expect, true
	}
	if status == 405 || status == 501 {
		if ex.proxied {
			info.Allow = allowNoHandler(!ex.srv.TraceDisabled)
		} else {
			info.Allow = allowForStatic(!ex.srv.TraceDisabled)
		}
	}
	fields, ctype := errorHead(status, &info)
	for _, f := range fields {
		r.headersOut = setField(r.headersOut, f.Name, f.Value)
	}
	body := errorPage(nil, status, &info)
	if recursiveError == 0 && ex.bodyFailsErrorPage(status, body) {
		return
	}
	ex.sendGenerated(status, body, ctype)
}

// bodyFailsErrorPage reads away the request's body before the error page
// for status (page) goes out, and answers the body's own error instead
// when it fails, as httpd does (see discardBeforeErrorPage): the new page
// notes status as a recursive error, the head has none of the first
// page's fields, and %b counts both pages, as the first had passed the
// content-length filter.
func (ex *exchange) bodyFailsErrorPage(status int, page []byte) bool {
	st, trailer := ex.discardBeforeErrorPage(status)
	if st == 0 {
		return false
	}
	recursive := status
	if trailer {
		recursive = st
	}
	r := &ex.r
	r.status, r.statusReason = st, ""
	r.headersOut, r.errHeadersOut = nil, nil
	ex.sendCannedRecursive(st, recursive)
	if !ex.head.HeaderOnly || ex.head.HTTP09 {
		r.bytesSent += int64(len(page))
	}
	return true
}

// sendGenerated sends a response whose whole body logproxy made: its
// length is known, as httpd's content-length filter knows it.
func (ex *exchange) sendGenerated(status int, body []byte, ctype string) {
	r := &ex.r
	// ap_send_error_response stops after the head for HEAD only when
	// there is a head: an HTTP/0.9 HEAD gets the page.
	headOnly := ex.head.HeaderOnly && !ex.head.HTTP09
	noLength := ex.bodyError || ex.filterError
	if !headOnly && !noLength {
		r.headersOut = setField(r.headersOut, "Content-Length", strconv.Itoa(len(body)))
	}
	rh := responseHead{status: status, contentType: ctype, noBody: headOnly, generated: true, unknownLength: noLength}
	if r.statusReason != "" && r.status == status {
		rh.reason = r.statusReason // r->status_line, when it is for status
	}
	if !ex.sendHead(&rh) {
		return
	}
	if !headOnly {
		if _, chunked := r.headersOut.Get("Transfer-Encoding"); chunked && len(body) > 0 {
			// A page without length on a connection kept open: one chunk.
			ex.c.bw.Write(chunkedAppendHeader(nil, len(body)))
			ex.c.bw.Write(body)
			ex.c.bw.WriteString("\r\n0\r\n\r\n")
		} else {
			ex.c.bw.Write(body)
		}
		r.bytesSent = int64(len(body))
	}
}

// sendHead writes the head, falling back to a 500 when a header value is
// one httpd refuses to send.
func (ex *exchange) sendHead(rh *responseHead) bool {
	if ex.writeHead(rh) {
		return true
	}
	// httpd's check_headers failed (AH02430): answer 500 with minimal
	// headers instead.
	r := &ex.r
	r.headersOut, r.errHeadersOut = nil, nil
	r.status = 500
	ex.proxied = false
	ex.sendCannedRecursive(500, 0)
	return false
}

// signatureOf reads ServerSignature from the request's directory.
func signatureOf(d *DirConfig) signatureMode {
	if d == nil || d.Signature == nil {
		return signatureOff
	}
	switch *d.Signature {
	case "on":
		return signatureOn
	case "email":
		return signatureEMail
	}
	return signatureOff
}
