package proxy

import (
	"strconv"
)

// This file renders the responses httpd generates itself for errors and
// redirects: ap_send_error_response and get_canned_error_string
// (modules/http/http_protocol.c) and ap_psignature (server/core.c), as
// Debian's Apache/2.4.71 sends them. The bytes matter: %b and %O log them.
// Golden files recorded from the real server are in testdata/apache.

// statusLines is httpd's status_lines table: index i holds the status line
// of code 100+i, "" where httpd has none.
var statusLines = func() [500]string {
	var t [500]string
	for _, s := range []string{
		"100 Continue",
		"101 Switching Protocols",
		"102 Processing",
		"200 OK",
		"201 Created",
		"202 Accepted",
		"203 Non-Authoritative Information",
		"204 No Content",
		"205 Reset Content",
		"206 Partial Content",
		"207 Multi-Status",
		"208 Already Reported",
		"226 IM Used",
		"300 Multiple Choices",
		"301 Moved Permanently",
		"302 Found",
		"303 See Other",
		"304 Not Modified",
		"305 Use Proxy",
		"307 Temporary Redirect",
		"308 Permanent Redirect",
		"400 Bad Request",
		"401 Unauthorized",
		"402 Payment Required",
		"403 Forbidden",
		"404 Not Found",
		"405 Method Not Allowed",
		"406 Not Acceptable",
		"407 Proxy Authentication Required",
		"408 Request Timeout",
		"409 Conflict",
		"410 Gone",
		"411 Length Required",
		"412 Precondition Failed",
		"413 Request Entity Too Large",
		"414 Request-URI Too Long",
		"415 Unsupported Media Type",
		"416 Requested Range Not Satisfiable",
		"417 Expectation Failed",
		"421 Misdirected Request",
		"422 Unprocessable Entity",
		"423 Locked",
		"424 Failed Dependency",
		"426 Upgrade Required",
		"428 Precondition Required",
		"429 Too Many Requests",
		"431 Request Header Fields Too Large",
		"451 Unavailable For Legal Reasons",
		"500 Internal Server Error",
		"501 Not Implemented",
		"502 Bad Gateway",
		"503 Service Unavailable",
		"504 Gateway Timeout",
		"505 HTTP Version Not Supported",
		"506 Variant Also Negotiates",
		"507 Insufficient Storage",
		"508 Loop Detected",
		"510 Not Extended",
		"511 Network Authentication Required",
	} {
		code, _ := strconv.Atoi(s[:3])
		t[code-100] = s
	}
	return t
}()

// knownStatus reports whether httpd's table has a line for status
// (index_of_response >= 0).
func knownStatus(status int) bool {
	return status >= 100 && status < 600 && statusLines[status-100] != ""
}

// KnownStatus reports whether status has a line in httpd's status table,
// the codes ErrorDocument takes.
func KnownStatus(status int) bool { return knownStatus(status) }

// statusLine is ap_get_status_line: the table's line for status, and for a
// code the table lacks (a gap such as 418, or anything outside 100-599)
// "500 Internal Server Error", which is what httpd both titles its error
// page with and puts in the response head when no module supplied a
// status line of its own.
func statusLine(status int) string {
	if knownStatus(status) {
		return statusLines[status-100]
	}
	return statusLines[500-100]
}

// statusLineEx is ap_get_status_line_ex: like statusLine except that a
// three-digit code in a gap of the table reads "NNN Status NNN".
func statusLineEx(status int) string {
	if knownStatus(status) {
		return statusLines[status-100]
	}
	if status >= 100 && status <= 999 {
		s := strconv.Itoa(status)
		return s + " Status " + s
	}
	return statusLines[500-100]
}

// signatureMode is the ServerSignature setting.
type signatureMode uint8

const (
	signatureOff   signatureMode = iota // Off (the default): no signature
	signatureOn                         // On: banner, server name and port
	signatureEMail                      // EMail: as On, the name linked to ServerAdmin
)

// defaultServerAdmin is httpd's DEFAULT_ADMIN, the ServerAdmin of a server
// whose configuration sets none.
const defaultServerAdmin = "[no address given]"

// serverAdmin is the server's ServerAdmin, or httpd's default.
func (ex *exchange) serverAdmin() string {
	if ex.srv.Admin == "" {
		return defaultServerAdmin
	}
	return ex.srv.Admin
}

// errorDoctype is what Debian's 2.4.71 puts first in a generated page (the
// upstream 2.4.x source has DOCTYPE_HTML_2_0 there).
const errorDoctype = `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">` + "\n"

// errorPageInfo holds what ap_send_error_response reads besides the
// status: parts of request_rec and of the server and directory
// configuration. Strings are used as they are; the page escapes what httpd
// escapes.
type errorPageInfo struct {
	// Method is r->method (405, 411, 413, 501 name it).
	Method string
	// Location is the Location response header of a redirect (3xx, and
	// 201), "" for none.
	Location string
	// StatusLine is r->status_line when a module set one, such as
	// mod_proxy's "502 Proxy Error"; it replaces the title when it starts
	// with the status code followed by a space and a letter or digit.
	StatusLine string
	// ErrorNotes is r->notes "error-notes" (400, 403, 411, 414, 417, 501,
	// 502, 451 append it); HasErrorNotes says whether the note was set.
	ErrorNotes    string
	HasErrorNotes bool
	// VerboseErrorTo is r->notes "verbose-error-to" == "*", which
	// mod_proxy sets: a status without canned text (500 and the ones the
	// table's switch lacks) then shows ErrorNotes instead of the
	// ServerAdmin text.
	VerboseErrorTo bool
	// VariantList is r->notes "variant-list" (300 and 406).
	VariantList string
	// Expect is the Expect request header for 417; HasExpect says whether
	// the request had one.
	Expect    string
	HasExpect bool
	// ServerAdmin is the server's ServerAdmin; "" stands for httpd's
	// default, "[no address given]".
	ServerAdmin string
	// Signature is the ServerSignature of the request's directory.
	Signature signatureMode
	// Banner is ap_get_server_banner(), such as "Apache/2.4.71 (Debian)".
	Banner string
	// ServerName and Port are ap_get_server_name and ap_get_server_port for
	// the request (they follow UseCanonicalName: with the default Off, the
	// Host header's name and port, port 80 when it names none).
	ServerName string
	Port       int
	// Recursive is the status of an ErrorDocument that failed in turn (ap_die
	// passes it as recursive_error), 0 for none.
	Recursive int
	// Custom is the text of an ErrorDocument "string" for this status,
	// without httpd's leading quote; HasCustom says whether one applies.
	Custom    string
	HasCustom bool
	// SuppressCharset is the suppress-error-charset environment variable.
	SuppressCharset bool
	// Allow is the Allow value httpd computes for 405 and 501
	// (make_allow); see allowForStatic.
	Allow string
}

// errorHead is the header side of ap_send_error_response: the fields it
// adds to the response head, in order, and the Content-Type.
//
// The head httpd sends for a canned response is: Date, Server, the
// err_headers_out fields the request carried (WWW-Authenticate from
// mod_auth_basic, 'Header always' fields), then these (Location for a
// redirect, Allow for 405 and 501), then Content-Length, then Keep-Alive and
// Connection, then Content-Type. Content-Length is missing (so the body is
// chunked or ends the connection) for a HEAD request and for errors raised
// inside a filter rather than by a handler: 413 from LimitRequestBody, 416
// from the byte-range filter, 400 or 408 while reading a request body.
func errorHead(status int, p *errorPageInfo) (fields []Field, contentType string) {
	if isRedirect(status) || status == 201 {
		if p.Location != "" {
			fields = append(fields, Field{Name: "Location", Value: p.Location})
		}
	}
	if status == 405 || status == 501 {
		fields = append(fields, Field{Name: "Allow", Value: p.Allow})
	}
	if p.SuppressCharset {
		return fields, "text/html"
	}
	return fields, "text/html; charset=iso-8859-1"
}

// errorHasBody reports whether ap_send_error_response writes a body for
// status: not for 204 and 304 (nor for HEAD, which the caller knows).
func errorHasBody(status int) bool {
	return status != 204 && status != 304
}

// isRedirect is ap_is_HTTP_REDIRECT.
func isRedirect(status int) bool { return status >= 300 && status <= 399 }

// allowForStatic is the Allow value httpd sends with a 405 or 501 for a URL
// that core's default handler serves (a file, a directory, a missing
// file): make_allow walks httpd's method registry, a hash table whose order
// for the methods the default handler allows is OPTIONS, HEAD, GET, POST;
// TRACE follows unless TraceEnable is Off.
//
// Where no handler ran before the error (TRACE refused by TraceEnable Off,
// or a proxied URL) the mask is empty and httpd sends "Allow: " with
// nothing after it, or "TRACE" alone when TraceEnable is not Off.
func allowForStatic(traceEnable bool) string {
	if traceEnable {
		return "OPTIONS,HEAD,GET,POST,TRACE"
	}
	return "OPTIONS,HEAD,GET,POST"
}

// allowNoHandler is make_allow with an empty method mask (see
// allowForStatic).
func allowNoHandler(traceEnable bool) string {
	if traceEnable {
		return "TRACE"
	}
	return ""
}

// errorPage appends to dst the body ap_send_error_response writes for
// status (which must be one with a body: see errorHasBody).
func errorPage(dst []byte, status int, p *errorPageInfo) []byte {
	if p.HasCustom {
		return append(dst, p.Custom...)
	}
	title := statusLine(status)
	if sl := p.StatusLine; sl != "" && validModuleStatusLine(sl, status) {
		switch len(sl) {
		case 3:
			title = sl + " Unknown Reason"
		case 4:
			title = sl + "Unknown Reason"
		default:
			title = sl
		}
	}
	dst = append(dst, errorDoctype...)
	dst = append(dst, "<html><head>\n<title>"...)
	dst = append(dst, title...)
	dst = append(dst, "</title>\n</head><body>\n<h1>"...)
	dst = append(dst, title[4:]...)
	dst = append(dst, "</h1>\n"...)
	dst = cannedErrorString(dst, status, p)
	if p.Recursive != 0 {
		dst = append(dst, "<p>Additionally, a "...)
		dst = append(dst, statusLine(p.Recursive)...)
		dst = append(dst, "\nerror was encountered while trying to use an ErrorDocument to handle the request.</p>\n"...)
	}
	dst = appendSignature(dst, "<hr>\n", p)
	return append(dst, "</body></html>\n"...)
}

// validModuleStatusLine is the check ap_send_error_response makes before
// it titles the page with r->status_line: the line starts with exactly the
// status's three digits, then (if longer) a space, then (if longer still)
// a letter or digit.
func validModuleStatusLine(sl string, status int) bool {
	if len(sl) < 3 || !cDigit(sl[0]) || !cDigit(sl[1]) || !cDigit(sl[2]) {
		return false
	}
	if len(sl) > 3 && cDigit(sl[3]) {
		return false // more digits: a different number
	}
	n := int(sl[0]-'0')*100 + int(sl[1]-'0')*10 + int(sl[2]-'0')
	if n != status {
		return false
	}
	if len(sl) >= 4 && !cSpace(sl[3]) {
		return false
	}
	if len(sl) >= 5 && !(cDigit(sl[4]) || cAlpha(sl[4])) {
		return false
	}
	return true
}

// appendSignature is ap_psignature(prefix, r).
func appendSignature(dst []byte, prefix string, p *errorPageInfo) []byte {
	if p.Signature != signatureOn && p.Signature != signatureEMail {
		return dst
	}
	dst = append(dst, prefix...)
	dst = append(dst, "<address>"...)
	dst = append(dst, p.Banner...)
	if p.Signature == signatureEMail {
		admin := p.ServerAdmin
		if admin == "" {
			admin = defaultServerAdmin
		}
		dst = append(dst, " Server at <a href=\""...)
		if !isURL(admin) {
			dst = append(dst, "mailto:"...)
		}
		dst = appendEscapeHTML(dst, admin)
		dst = append(dst, "\">"...)
		dst = appendEscapeHTML(dst, p.ServerName)
		dst = append(dst, "</a> Port "...)
	} else {
		dst = append(dst, " Server at "...)
		dst = appendEscapeHTML(dst, p.ServerName)
		dst = append(dst, " Port "...)
	}
	dst = strconv.AppendUint(dst, uint64(uint16(p.Port)), 10)
	return append(dst, "</address>\n"...)
}

// appendNotes is add_optional_notes(r, prefix, "error-notes", suffix).
func appendNotes(dst []byte, prefix string, p *errorPageInfo, suffix string) []byte {
	dst = append(dst, prefix...)
	if p.HasErrorNotes {
		dst = append(dst, p.ErrorNotes...)
	}
	return append(dst, suffix...)
}

// cannedErrorString is get_canned_error_string.
func cannedErrorString(dst []byte, status int, p *errorPageInfo) []byte {
	switch status {
	case 301, 302, 307, 308:
		dst = append(dst, "<p>The document has moved <a href=\""...)
		dst = appendEscapeHTML(dst, p.Location)
		return append(dst, "\">here</a>.</p>\n"...)
	case 303:
		dst = append(dst, "<p>The answer to your request is located <a href=\""...)
		dst = appendEscapeHTML(dst, p.Location)
		return append(dst, "\">here</a>.</p>\n"...)
	case 305:
		return append(dst, "<p>This resource is only accessible through the proxy\n"+
			"<br />\nYou will need to configure your client to use that proxy.</p>\n"...)
	case 407, 401:
		return append(dst, "<p>This server could not verify that you\n"+
			"are authorized to access the document\n"+
			"requested.  Either you supplied the wrong\n"+
			"credentials (e.g., bad password), or your\n"+
			"browser doesn't understand how to supply\n"+
			"the credentials required.</p>\n"...)
	case 400:
		return appendNotes(dst, "<p>Your browser sent a request that this server could not understand.<br />\n", p, "</p>\n")
	case 403:
		return appendNotes(dst, "<p>You don't have permission to access this resource.", p, "</p>\n")
	case 404:
		return append(dst, "<p>The requested URL was not found on this server.</p>\n"...)
	case 405:
		dst = append(dst, "<p>The requested method "...)
		dst = appendEscapeHTML(dst, p.Method)
		return append(dst, " is not allowed for this URL.</p>\n"...)
	case 406:
		dst = append(dst, "<p>An appropriate representation of the requested resource could not be found on this server.</p>\n"...)
		return append(dst, p.VariantList...)
	case 300:
		return append(dst, p.VariantList...)
	case 411:
		dst = append(dst, "<p>A request of the requested method "...)
		dst = appendEscapeHTML(dst, p.Method)
		return appendNotes(dst, " requires a valid Content-length.<br />\n", p, "</p>\n")
	case 412:
		return append(dst, "<p>The precondition on the request for this URL evaluated to false.</p>\n"...)
	case 501:
		dst = append(dst, "<p>"...)
		dst = appendEscapeHTML(dst, p.Method)
		return appendNotes(dst, " not supported for current URL.<br />\n", p, "</p>\n")
	case 502:
		return appendNotes(dst, "<p>The proxy server received an invalid\r\nresponse from an upstream server.<br />\r\n", p, "</p>\n")
	case 506:
		return append(dst, "<p>A variant for the requested resource\n<pre>\n\n</pre>\n"+
			"is itself a negotiable resource. This indicates a configuration error.</p>\n"...)
	case 408:
		return append(dst, "<p>Server timeout waiting for the HTTP request from the client.</p>\n"...)
	case 410:
		return append(dst, "<p>The requested resource is no longer available on this server and there is no forwarding address.\n"+
			"Please remove all references to this resource.</p>\n"...)
	case 413:
		dst = append(dst, "The requested resource does not allow request data with "...)
		dst = appendEscapeHTML(dst, p.Method)
		return append(dst, " requests, or the amount of data provided in\nthe request exceeds the capacity limit.\n"...)
	case 414:
		return appendNotes(dst, "<p>The requested URL's length exceeds the capacity\nlimit for this server.<br />\n", p, "</p>\n")
	case 415:
		return append(dst, "<p>The supplied request data is not in a format\nacceptable for processing by this resource.</p>\n"...)
	case 416:
		return append(dst, "<p>None of the range-specifier values in the Range\n"+
			"request-header field overlap the current extent\n"+
			"of the selected resource.</p>\n"...)
	case 417:
		if p.HasExpect {
			dst = append(dst, "<p>The expectation given in the Expect request-header\n"+
				"field could not be met by this server.\n"+
				"The client sent<pre>\n    Expect: "...)
			dst = appendEscapeHTML(dst, p.Expect)
			dst = append(dst, "\n</pre>\n"...)
		} else {
			dst = append(dst, "<p>No expectation was seen, the Expect request-header \n"+
				"field was not presented by the client.\n"...)
		}
		return appendNotes(dst, "", p, "</p><p>Only the 100-continue expectation is supported.</p>\n")
	case 422:
		return append(dst, "<p>The server understands the media type of the\n"+
			"request entity, but was unable to process the\n"+
			"contained instructions.</p>\n"...)
	case 423:
		return append(dst, "<p>The requested resource is currently locked.\n"+
			"The lock must be released or proper identification\n"+
			"given before the method can be applied.</p>\n"...)
	case 424:
		return append(dst, "<p>The method could not be performed on the resource\n"+
			"because the requested action depended on another\n"+
			"action and that other action failed.</p>\n"...)
	case 426:
		return append(dst, "<p>The requested resource can only be retrieved\n"+
			"using SSL.  The server is willing to upgrade the current\n"+
			"connection to SSL, but your client doesn't support it.\n"+
			"Either upgrade your client, or try requesting the page\n"+
			"using https://\n"...)
	case 428:
		return append(dst, "<p>The request is required to be conditional.</p>\n"...)
	case 429:
		return append(dst, "<p>The user has sent too many requests\n"+
			"in a given amount of time.</p>\n"...)
	case 431:
		return append(dst, "<p>The server refused this request because\n"+
			"the request header fields are too large.</p>\n"...)
	case 507:
		return append(dst, "<p>The method could not be performed on the resource\n"+
			"because the server is unable to store the\n"+
			"representation needed to successfully complete the\n"+
			"request.  There is insufficient free space left in\n"+
			"your storage allocation.</p>\n"...)
	case 503:
		return append(dst, "<p>The server is temporarily unable to service your\n"+
			"request due to maintenance downtime or capacity\n"+
			"problems. Please try again later.</p>\n"...)
	case 504:
		return append(dst, "<p>The gateway did not receive a timely response\n"+
			"from the upstream server or application.</p>\n"...)
	case 508:
		return append(dst, "<p>The server terminated an operation because\n"+
			"it encountered an infinite loop.</p>\n"...)
	case 510:
		return append(dst, "<p>A mandatory extension policy in the request is not\n"+
			"accepted by the server for this resource.</p>\n"...)
	case 511:
		return append(dst, "<p>The client needs to authenticate to gain\n"+
			"network access.</p>\n"...)
	case 421:
		return append(dst, "<p>The client needs a new connection for this\n"+
			"request as the requested host name does not match\n"+
			"the Server Name Indication (SNI) in use for this\n"+
			"connection.</p>\n"...)
	case 451:
		return appendNotes(dst, "<p>Access to this URL has been denied for legal reasons.<br />\n", p, "</p>\n")
	}
	// HTTP_INTERNAL_SERVER_ERROR, and every status the switch lacks.
	if p.HasErrorNotes && p.VerboseErrorTo {
		dst = append(dst, p.ErrorNotes...)
		return append(dst, "<p />\n"...)
	}
	admin := p.ServerAdmin
	if admin == "" {
		admin = defaultServerAdmin
	}
	dst = append(dst, "<p>The server encountered an internal error or\n"+
		"misconfiguration and was unable to complete\n"+
		"your request.</p>\n"+
		"<p>Please contact the server administrator at \n "...)
	dst = appendEscapeHTML(dst, admin)
	return append(dst, " to inform them of the time this error occurred,\n"+
		" and the actions you performed just before this error.</p>\n"+
		"<p>More information about this error may be available\n"+
		"in the server error log.</p>\n"...)
}

// appendEscapeHTML is ap_escape_html: <, >, & and " become entities.
func appendEscapeHTML(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '<':
			dst = append(dst, "&lt;"...)
		case '>':
			dst = append(dst, "&gt;"...)
		case '&':
			dst = append(dst, "&amp;"...)
		case '"':
			dst = append(dst, "&quot;"...)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// isURL is ap_is_url: a scheme of letters, digits, '+', '-' and '.'
// followed by ':'.
func isURL(u string) bool {
	for x := 0; x < len(u); x++ {
		c := u[x]
		if c == ':' {
			return x > 0
		}
		if !(cAlpha(c) || cDigit(c) || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return false
}
