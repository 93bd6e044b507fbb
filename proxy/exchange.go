package proxy

import (
	"bytes"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jl6/logproxy/logformat"
)

// request is the part of httpd's request_rec that an internal redirect
// (ErrorDocument) makes anew: %<U and %>U, %<s and %>s read different ones.
type request struct {
	method   string
	uri      string // r->uri
	args     string
	hasArgs  bool
	filename string
	pathInfo string // r->path_info: the part of the path past the file
	handler  string
	status   int
	// statusReason is the reason phrase of r->status_line when a module
	// set one ("Proxy Error"); "" for httpd's own for status.
	statusReason string
	user         string
	hasUser      bool
	authType     string // r->ap_auth_type

	headersIn     Fields
	headersOut    Fields
	errHeadersOut Fields
	notes         Fields
	env           Fields
	trailersIn    Fields
	trailersOut   Fields

	bytesSent int64 // body bytes sent (%b, %B)

	dir *DirConfig // the merged per-directory configuration
}

// exchange is one request on a connection and its response: httpd's
// request_rec with its connection.
type exchange struct {
	// connectFailed: the last proxying could not connect to the backend
	// (a balancer member then rests, and another is tried).
	connectFailed bool
	// exprContentType is r->content_type while mod_headers' response
	// rules run (their expressions' CONTENT_TYPE), when
	// exprHasContentType.
	exprContentType    string
	exprHasContentType bool

	c    *conn
	head *requestHead
	srv  *Server
	site *Site

	begin      time.Time
	inBefore   int64 // bytes the connection had consumed before this request
	inAfter    int64 // ... and once the response was out
	pipelineIn int64 // what httpd's peek at pipelined input adds to %I
	outBefore  int64

	r    request  // the final request
	orig *request // the request before an internal redirect; nil if none

	useragentIP   string // r->useragent_ip (mod_remoteip may change it)
	useragentHost string
	useragentPort int
	hostname      string // r->hostname, for %V
	hasHostname   bool

	body      io.Reader // the request body, de-framed; nil when none
	bodyChunk *chunkedReader
	bodyLeft  int64 // Content-Length bytes not read yet

	headSent bool // the response head was written
	// outChecked: r.headersOut as the proxy handler built it passed
	// check_headers' test (set only around its writeHead).
	outChecked bool
	// bodyError: reading the request body failed (or its length is over
	// LimitRequestBody). httpd's HTTP_IN filter then sends the error
	// down the output filters itself (bail_out_on_error): the page goes
	// out without Content-Length, ending with the connection.
	bodyError bool
	// filterError: the error page is made inside the output filters
	// after the HTTP header filter already ran once (the byterange
	// filter's 416): it goes out without Content-Length, and
	// ap_set_keepalive counts the connection's keep-alive twice (%k).
	filterError bool
	// noCache is r->no_cache: the header filter adds an Expires field
	// (the request's time) to a head that has none.
	noCache      bool
	continueSent bool // a 100 Continue went to the client
	noResponse   bool // nothing is sent (408 before a request line)
	noLog        bool
	proxied      bool
	// transTarget and transRest are the backend URL and the rest of the
	// path proxy_trans mapped the request to: r->filename is
	// "proxy:"+transTarget+transRest until proxy's fixup canonicalises
	// it (preCanonFilename).
	transTarget, transRest string
	fixedUp                bool // the fixups began: r->filename is canonical
	// ifRedirects are the If sections merged for the request that hold
	// Redirect lines (mod_alias acts on them at fixups).
	ifRedirects []*Section
	ttfb        time.Duration
	keepalive   bool
	recursive   int    // status of an error met while serving an ErrorDocument
	teRefused   bool   // check_headers refused a Transfer-Encoding that is not chunked
	closeAfter  bool   // the connection closes after this request whatever was answered
	prefetched  bool   // mod_proxy_http's blocking prefetch of the body is done
	logID       string // %L, made when an error is logged with a format that shows it
	// origLogID is the original request's log id once an ErrorDocument
	// redirect began (its request gets ids of its own, as httpd's new
	// request_rec starts without one); %L reads the original request.
	origLogID string
	redirect  *redirectTo
	// rewriteEnd: a RewriteRule with [END] acted, on this request or on
	// the one before its internal redirect; the rules do not run again.
	rewriteEnd bool
	// rewriteStatus is the r->status a redirecting rule left set when a
	// later rule made the request a file's: httpd serves the file with it.
	rewriteStatus int
	// rewriteCookies are the names of the cookies [CO] set for the
	// request and the ones before its internal redirects: once each.
	rewriteCookies []string
	// forcedType is r->content_type as ForceType or RewriteRule [T=]
	// forced it at fixups; "" for none.
	forcedType string
	// checkedType is r->content_type once mod_mime's type_checker ran,
	// kept for an HTTP/0.9 request only (see writeHead).
	checkedType string
	// noCanon is proxy-nocanon: r->filename is the backend URL as the
	// client sent its path and query (ProxyPass nocanon, [P,NE]).
	noCanon bool
	// canonBad: the path could not be made canonical for the backend.
	canonBad bool
	// fileMtime is r->finfo.mtime of the file answered for (µs), 0 for
	// none: mod_expires counts from it.
	fileMtime int64

	rec logformat.Record

	// Room the exchange's tables and the backend exchange start in, so
	// that a usual request allocates none of them. The exchange is
	// pooled; they live as long as it serves one request.
	headStore requestHead
	inBuf     [24]Field // headersIn
	outBuf    [16]Field // headersOut of a proxied response
	noteBuf   [4]Field  // notes (Header note, error-notes)
	beReq     backendRequest
	beResp    backendResponse

	// scratch outlives the request: reset keeps it for the exchange's
	// next use.
	scratch exchangeScratch
}

// exchangeScratch is the working memory of an exchange that it keeps
// from one request to the next, rather than taking it from a pool each
// time: the request-head parser, the backend request head and the access
// log line. Each is made on first use.
type exchangeScratch struct {
	parser *h1Parser
	head   []byte
	line   []byte
	strs   strArena // the request's strings: its head, the backend's, r->filename
}

// trim drops what grew too big to keep, so that one huge request or
// line does not pin its memory.
func (s *exchangeScratch) trim() {
	if p := s.parser; p != nil && p.tooBigToKeep() {
		s.parser = nil
	}
	if cap(s.head) > 64<<10 {
		s.head = nil
	}
	if cap(s.line) > maxPooledLine {
		s.line = nil
	}
}

var exchangePool = sync.Pool{New: func() any { return new(exchange) }}

// newExchange returns an exchange for head, a request read on c.
func newExchange(c *conn, head *requestHead, inBefore, outBefore int64) *exchange {
	ex := exchangePool.Get().(*exchange)
	ex.start(c, head, inBefore, outBefore)
	return ex
}

// readExchange reads the next request head of c into a new exchange; it
// returns nil when no request came (stageNoRequest).
func readExchange(c *conn, lim *Limits, inBefore, outBefore int64) *exchange {
	ex := c.spare
	if ex != nil {
		c.spare = nil
	} else {
		ex = exchangePool.Get().(*exchange)
	}
	if ex.scratch.parser == nil {
		ex.scratch.parser = newH1Parser()
		ex.scratch.parser.strs = &ex.scratch.strs
	}
	ex.scratch.parser.read(&ex.headStore, c.br, lim, c.tls != nil, ex.inBuf[:0])
	if ex.headStore.Stage == stageNoRequest {
		ex.release()
		return nil
	}
	ex.start(c, &ex.headStore, inBefore, outBefore)
	return ex
}

// start sets the exchange up for head, a request read on c. The exchange
// is zero but for headStore and inBuf, which head may live in.
func (ex *exchange) start(c *conn, head *requestHead, inBefore, outBefore int64) {
	ex.c = c
	ex.head = head
	ex.srv = c.base
	ex.site = c.site
	ex.begin = c.requestBegin()
	ex.inBefore = inBefore
	ex.outBefore = outBefore
	ex.useragentIP = c.remoteIP
	ex.useragentHost = c.remoteIP
	ex.useragentPort = int(c.remoteAddr.Port())
	r := &ex.r
	r.method = head.Method
	r.uri = head.URI
	r.args, r.hasArgs = head.Args, head.HasArgs
	r.headersIn = head.Headers
	r.status = 200
	r.notes = ex.noteBuf[:0]
	if head.ErrorNotes != "" {
		r.notes = append(r.notes, Field{Name: "error-notes", Value: head.ErrorNotes})
	}
	ex.hostname, ex.hasHostname = head.Hostname, head.HasHostname
}

func (ex *exchange) release() {
	ex.reset()
	exchangePool.Put(ex)
}

// reset makes the exchange zero but for its scratch.
func (ex *exchange) reset() {
	s := ex.scratch
	*ex = exchange{}
	s.trim()
	ex.scratch = s
}

// run serves the request and reports whether the connection may carry
// another one.
func (ex *exchange) run() bool {
	h := ex.head
	if h.Stage == stageURI || h.Stage == stageDone {
		// The path was normalised with httpd's defaults; the server
		// that serves the request may have other settings.
		ex.srv = ex.site.serverForHost(ex.c.localAddr, ex.hostname, ex.hasHostname)
		if o := ex.srv.uriOptions(); o != (uriOptions{}) {
			h.normalizeURI(o)
			ex.r.uri = h.URI
		}
	}
	if h.Status != 0 {
		return ex.runFailed()
	}
	ex.c.cw.timeout = ex.srv.Timeout
	ex.postReadRequest()
	if st := ex.checkSNI(); st != 0 {
		// mod_ssl's post_read_request hook refused the request.
		ex.r.dir = ex.srv.Dir
		ex.die(st)
		return ex.keepalive && !ex.c.plainOnTLS && !ex.c.mdFallback
	}
	if st := ex.requireHTTPS(); st != 0 {
		ex.r.dir = ex.srv.Dir
		ex.die(st)
		return ex.keepalive
	}
	if m := ex.c.e.acme.Load(); m != nil && m.answerHTTPChallenge(ex) {
		return ex.keepalive // mod_md's post_read_request hook answered
	}
	if u := &h.uri; u.scheme.ok && !isHTTPScheme(u.scheme.s) {
		// ap_read_request, once the post_read_request hooks ran: a
		// server that is no forward proxy takes absolute URIs of the
		// http and https schemes only.
		ex.r.dir = ex.srv.Dir
		ex.die(400)
		return ex.keepalive
	}
	ex.prepareBody()

	status := ex.process()
	if status != 0 {
		ex.die(status)
	}
	ex.finishBody()
	return ex.keepalive
}

// isHTTPScheme reports whether s is http or https, in any case.
func isHTTPScheme(s string) bool {
	return len(s) >= 4 && asciiEqualFold(s[:4], "http") && (len(s) == 4 || len(s) == 5 && (s[4] == 's' || s[4] == 'S'))
}

// runFailed answers a request whose head httpd refuses.
func (ex *exchange) runFailed() bool {
	h := ex.head
	ex.r.status = h.Status
	if h.Stage == stageHostCheck && h.vhostByName {
		// ap_check_request_header picked the name-based virtual host
		// (from an absolute URI's host) before it refused the request
		// (HTTP/1.1 without Host, an unknown Expect).
		ex.srv = ex.site.serverForHost(ex.c.localAddr, ex.hostname, ex.hasHostname)
		ex.c.cw.timeout = ex.srv.Timeout
	}
	if h.Stage == stageURI {
		// The head was complete: the virtual host and the
		// post_read_request hooks ran before the path was refused.
		ex.srv = ex.site.serverForHost(ex.c.localAddr, ex.hostname, ex.hasHostname)
		ex.c.cw.timeout = ex.srv.Timeout
		ex.postReadRequest()
		if h.Status == 400 {
			// ap_normalize_path refused the path.
			ex.logError("AH10244: invalid URI path ("+h.UnparsedURI+")", "module", "core")
		}
	}
	if h.Status == 408 && h.Stage == stageRequestLine {
		// httpd gives up silently on a request line that never came, and
		// logs it only when it is the first request of the connection.
		ex.noResponse = true
		ex.noLog = ex.c.keepalives > 0
		return false
	}
	ex.r.dir = ex.srv.Dir
	// The head was whole: a body follows it, which httpd reads away
	// before the error page goes out (ap_read_request added the HTTP_IN
	// filter before ap_check_request_header's refusals, an unknown
	// Expect among them) or after the answer; else it would be read as
	// the next request.
	withBody := h.Stage == stageURI || h.Stage == stageHostCheck && !h.Close
	if withBody {
		ex.prepareBody()
	}
	ex.die(h.Status)
	if withBody {
		ex.finishBody()
	}
	// ap_read_request returns no request after its own refusals: the
	// connection then lingers and closes, though the answer (and %X)
	// said it would stay open.
	ex.closeAfter = h.Stage == stageHostCheck
	return ex.keepalive && !h.Close
}

// postReadRequest runs the post_read_request hooks logproxy implements:
// mod_headers' early rules, mod_remoteip and the server-level SetEnvIf
// rules of mod_setenvif.
func (ex *exchange) postReadRequest() {
	ex.applyEarlyHeaders()
	if ri := ex.srv.RemoteIP; ri != nil {
		ex.applyRemoteIP(ri)
	}
	ex.applyEnvRules(ex.srv.Dir.SetEnv, envPostRead)
}

// process runs the request through httpd's phases and the handler. It
// returns 0 when a response was sent, or the status of an error to answer.
func (ex *exchange) process() int {
	r := &ex.r
	if r.method == "TRACE" && ex.srv.TraceDisabled {
		return 405
	}
	if r.uri == "*" && r.method != "OPTIONS" {
		// ap_process_request_internal: "*" is a URI for OPTIONS only.
		r.dir = ex.srv.Dir
		return 400
	}
	route := ex.translate()
	if rd := ex.redirect; rd != nil {
		// mod_alias answers at translate time, before access checks,
		// with the configuration walked so far: the server's, the
		// <Location> sections and the <If> sections.
		r.dir, _ = ex.walkLocationIf()
		if rd.url != "" {
			r.headersOut = setField(r.headersOut, "Location", rd.url)
		}
		return rd.status
	}
	if r.method == "CONNECT" && ex.proxied {
		// logproxy is no forward proxy: CONNECT is refused rather than
		// passed to an application as an ordinary request (a deliberate
		// difference from a ProxyPass / that would forward it). One
		// that maps to a file goes on as in httpd: r->uri is "/", and
		// the default handler answers 405.
		r.dir, _ = ex.walkLocationIf()
		return 405
	}
	if r.method == "TRACE" && !ex.proxied {
		// map_to_storage: core answers TRACE itself (mod_proxy's
		// hook, which runs first, keeps proxied ones), before the
		// directory walk splits r->filename and path_info.
		r.filename, r.pathInfo = r.filename+r.pathInfo, ""
		return ex.traceHandler(false)
	}
	if r.uri == "*" && !ex.proxied {
		// "OPTIONS *" names the server, not a resource: core's
		// map_to_storage answers 200 with an empty body, with the
		// server's configuration and before the fixups (no SetEnv, no
		// RequestHeader). Core's translate made the file name.
		r.dir = ex.srv.Dir
		r.filename = strings.TrimSuffix(ex.srv.Dir.DocumentRoot, "/") + "/*"
		if st, _ := ex.discardBeforeErrorPage(200); st != 0 {
			// DONE, then ap_finalize_request_protocol's discard of
			// the body failed before anything went out.
			return st
		}
		ex.sendGenerated(200, nil, "")
		return 0
	}
	ex.mergeDir(route)
	if ex.orig != nil {
		// The redirect's post_read_request: the early header rules act
		// again on the tables it shares with the request before it
		// (headers_in, err_headers_out), as in httpd.
		ex.applyEarlyHeaders()
		ex.applyEnvRules(ex.srv.Dir.SetEnv, envRedirect)
	}
	ex.applyEnvRules(r.dir.SetEnv, envHeaderParser)
	if st := ex.checkAccess(); st != 0 {
		return st
	}
	ex.fixedUp = true // proxy_fixup (APR_HOOK_FIRST) has run
	if ex.c.tls != nil {
		// mod_ssl's fixup: the always present HTTPS flag.
		r.env = setField(r.env, "HTTPS", "on")
	}
	if ex.proxied && ex.canonBad {
		return 400 // ap_proxy_canonenc_ex refused a '%' without two hex digits
	}
	if ex.proxied && ex.noCanon {
		// proxy_http_canon: a raw URL must not hold a space or a
		// control character.
		raw := strings.TrimPrefix(r.filename, "proxy:")
		if i := strings.Index(raw, "://"); i >= 0 {
			raw = raw[i+3:]
		}
		if i := strings.IndexByte(raw, '/'); i >= 0 && hasCtlOrSpace(raw[i:]) {
			ex.logError("AH10415: To be forwarded path contains control characters or spaces", "module", "proxy_http")
			return 403
		}
	}
	if ex.redirect == nil {
		// mod_alias' fixup_redir, also for proxied requests, and before
		// mod_env's and mod_headers' fixups (Debian loads alias first): the
		// one-argument Redirect of the last merged section that has one,
		// else the first Redirect with a path of the sections, the later
		// merged first (If sections merge last).
		var one, path *Redirect
		var pathTarget string
		consider := func(rds []Redirect) {
			for i := range rds {
				if rd := &rds[i]; rd.Path == "" && rd.Regex == nil {
					one = rd
				}
			}
			if rd, target, ok := matchRedirect(rds, r.uri, ""); ok {
				path, pathTarget = rd, target
			}
		}
		for _, sec := range ex.srv.Sections {
			if sec.Kind == SectionLocation && len(sec.Dir.Redirects) > 0 && sec.matchesURI(r.uri) {
				consider(sec.Dir.Redirects)
			}
		}
		for _, sec := range ex.ifRedirects {
			consider(sec.Dir.Redirects)
		}
		switch {
		case one != nil:
			target := one.Target
			if one.TargetExpr != nil {
				target = one.TargetExpr(ex.exprRecord(r.headersIn, requestTable, false))
			}
			ex.redirect = ex.redirectTo(one.Status, target)
		case path != nil:
			ex.redirect = ex.redirectTo(path.Status, pathTarget)
		}
	}
	if rd := ex.redirect; rd != nil {
		if rd.url != "" {
			r.headersOut = setField(r.headersOut, "Location", rd.url)
		}
		return rd.status
	}
	ex.fixups()
	if ex.head.HTTP09 && ex.site.types != nil {
		// mod_mime's type_checker has run: r->content_type is the file
		// name's type (a proxied one's too), and an error page for
		// HTTP/0.9 leaves it in place for %{Content-Type}o.
		ex.checkedType = ex.forcedType
		if ex.checkedType == "" {
			ex.checkedType = ex.site.types.find(r.filename, dirMime(r.dir)).ContentType
		}
	}
	if st := ex.checkBodyLimit(); st != 0 {
		return st
	}
	if ex.proxied {
		if st, done := ex.proxyPreHandler(); done {
			return st
		}
		if b := ex.balancerFor(route); b != nil {
			return ex.balancerHandler(b)
		}
		return ex.proxyHandler(route)
	}
	return ex.staticHandler()
}

// translate maps the URI: to a backend when a ProxyPass rule matches
// (r->filename "proxy:URL", handler proxy-server), else to a file under
// DocumentRoot. It returns the matching route, or nil.
func (ex *exchange) translate() *Route {
	r := &ex.r
	ex.fixedUp = false
	if rw := ex.srv.Rewrite; rw != nil {
		// mod_rewrite's translate hook runs first; unless it finished
		// translation, ProxyPass, mod_alias and core follow.
		if done, route := ex.rewrite(rw); done {
			return route
		}
	}
	for _, rt := range ex.srv.Routes {
		if target, rest, ok := rt.matchParts(r.uri); ok {
			if rt.Exclude {
				break
			}
			ex.proxied = true
			r.handler = "proxy-server"
			if rt.NoCanon {
				if raw, ok := rt.matchRaw(r.uri, ex.head.UnparsedURI); ok {
					// proxy-nocanon: the URL as it came, query and all.
					ex.noCanon = true
					r.filename = "proxy:" + raw
					ex.transTarget, ex.transRest = raw, ""
					return rt
				}
				ex.logAt(slog.LevelWarn, "AH01136: Unescaped URL path matched ProxyPass; ignoring unsafe nocanon", "module", "proxy")
			}
			r.filename = ex.proxyFilename(target, rest)
			ex.transTarget, ex.transRest = target, rest
			return rt
		}
	}
	// <Location> sections with a one-argument ProxyPass.
	for _, sec := range ex.srv.Sections {
		if sec.Kind != SectionLocation || sec.Dir.ProxyPass == nil || !sec.matchesURI(r.uri) {
			continue
		}
		rt := sec.Dir.ProxyPass
		if rt.Exclude {
			continue
		}
		// proxy_trans: alias_match of the section's path, where runs of
		// '/' count as one.
		rest := strings.TrimPrefix(r.uri, sec.Path)
		if sec.Regex == nil && !sec.Wildcard {
			n := aliasMatchLen(r.uri, sec.Path)
			if n < 0 {
				continue
			}
			rest = r.uri[n:]
		}
		ex.proxied = true
		r.handler = "proxy-server"
		ex.transTarget, ex.transRest = rt.Target, rest
		r.filename = ex.proxyFilename(ex.transTarget, ex.transRest)
		return rt
	}
	if ex.srv.SectionRedirects {
		if _, rd := ex.walkLocationIf(); rd != nil {
			target := rd.Target
			if rd.TargetExpr != nil {
				target = rd.TargetExpr(ex.exprRecord(r.headersIn, requestTable, false))
			}
			ex.redirect = ex.redirectTo(rd.Status, target)
			return nil
		}
	}
	if rd, target, ok := matchRedirect(ex.srv.Dir.Redirects, r.uri, ""); ok {
		ex.redirect = ex.redirectTo(rd.Status, target)
		return nil
	}
	r.filename, r.pathInfo = walkPath(mapToFile(ex.srv.Dir.DocumentRoot, r.uri, ex.srv.Dir.Aliases))
	return nil
}

// redirectTo is a mod_alias redirect chosen for the request.
type redirectTo struct {
	status int
	url    string
}

// redirectTo finishes a mod_alias redirect as translate_alias_redir and
// fixup_redir do: for a 3xx, a target that is a path gets this server's
// URL before it (ap_construct_url) and the request's query after it; a
// target that is then no URL makes a 500 (AH00676).
func (ex *exchange) redirectTo(status int, target string) *redirectTo {
	if status < 300 || status > 399 {
		return &redirectTo{status: status, url: target}
	}
	if strings.HasPrefix(target, "/") {
		target = ex.selfURL() + target
	}
	if !isURL(target) {
		ex.logError("AH00676: cannot redirect '"+ex.r.uri+"' to '"+target+"'; target is not a valid absoluteURI or abs_path", "module", "alias")
		return &redirectTo{status: 500}
	}
	return &redirectTo{status: status, url: ex.withArgs(target)}
}

// withArgs appends the query of the request to a redirect target, as
// mod_alias does.
func (ex *exchange) withArgs(target string) string {
	// "append requested query only, if the config didn't supply its own"
	if ex.r.hasArgs && target != "" && strings.IndexByte(target, '?') < 0 {
		return target + "?" + ex.r.args
	}
	return target
}

// matchRedirect finds the first redirect that applies to uri; in a
// <Location> (base set) a Redirect without path applies to the whole
// section.
func matchRedirect(rs []Redirect, uri, base string) (*Redirect, string, bool) {
	for i := range rs {
		rd := &rs[i]
		switch {
		case rd.Regex != nil:
			if m := rd.Regex.FindStringSubmatchIndex(uri); m != nil {
				return rd, regsub(rd.Target, uri, m), true
			}
		case rd.Path == "" && base != "":
			return rd, rd.Target, true
		case rd.Path != "":
			if n := aliasMatchLen(uri, rd.Path); n >= 0 {
				if rd.Target == "" {
					return rd, "", true
				}
				return rd, rd.Target + uri[n:], true
			}
		}
	}
	return nil, "", false
}

// appendCanonURL appends the backend URL u with its path encoded as
// mod_proxy_http's proxy_http_canon does.
func appendCanonURL(dst, u []byte) []byte {
	i := bytes.Index(u, []byte("://"))
	if i < 0 {
		return append(dst, u...)
	}
	dst = append(dst, u[:i+3]...)
	rest := u[i+3:]
	j := bytes.IndexByte(rest, '/')
	if j < 0 {
		dst = append(dst, rest...)
		return append(dst, '/')
	}
	dst = append(dst, rest[:j]...)
	return appendCanonPath(dst, rest[j:])
}

// proxyFilename returns r->filename of a request proxied to the backend
// URL target+rest: "proxy:", the URL with its path encoded (canonURL),
// and the query as sent, made in the exchange's strArena.
func (ex *exchange) proxyFilename(target, rest string) string {
	var ub, fb [512]byte
	u := append(append(ub[:0], target...), rest...)
	b := append(fb[:0], "proxy:"...)
	if ex.srv.EncodedSlashes == EncodedSlashesNoDecode {
		// AllowEncodedSlashes NoDecode: the %2F of the path stay.
		var ok bool
		if b, ok = appendCanonURLKeep2F(b, u); !ok {
			// r->filename stays as proxy_trans made it.
			ex.canonBad = true
			return "proxy:" + target + rest
		}
	} else {
		b = appendCanonURL(b, u)
	}
	if ex.r.hasArgs {
		b = append(b, '?')
		b = append(b, ex.r.args...)
	}
	return ex.scratch.strs.str(b)
}

// mergeDir computes the request's per-directory configuration: the
// server's, then the matching <Directory> and <Files> sections, then the
// matching <Location> sections, each in file order.
func (ex *exchange) mergeDir(route *Route) {
	r := &ex.r
	d := ex.srv.Dir
	merged := false
	for _, kind := range [...]SectionKind{SectionDirectory, SectionFiles, SectionLocation} {
		for _, sec := range ex.srv.Sections {
			if sec.Kind != kind {
				continue
			}
			var ok bool
			switch kind {
			case SectionLocation:
				ok = sec.matchesURI(r.uri)
			default:
				ok = !ex.proxied && sec.matchesFile(r.filename)
			}
			if !ok {
				continue
			}
			if !merged {
				d = d.Clone()
				merged = true
			}
			d.Merge(sec.Dir)
		}
	}
	if len(d.Ifs) > 0 {
		d = ex.mergeIfs(d, merged)
	}
	r.dir = d
}

// mergeIfs merges the If sections of d that hold into it (ap_if_walk),
// once the other sections are merged.
func (ex *exchange) mergeIfs(d *DirConfig, merged bool) *DirConfig {
	var rec *logformat.Record
	ex.walkIfs(d.Ifs, &rec, func(s *Section) {
		if !merged {
			d = d.Clone()
			merged = true
		}
		d.Merge(s.Dir)
		if len(s.Dir.Redirects) > 0 {
			ex.ifRedirects = append(ex.ifRedirects, s)
		}
	})
	return d
}

// walkIfs calls visit for each If section of list whose condition holds
// (for <ElseIf> and <Else>: when none before them in their chain held),
// in ap_if_walk's order: a section's own If sections right after it. The
// conditions see the request as it is now (*rec, made when first
// needed).
func (ex *exchange) walkIfs(list []*Section, rec **logformat.Record, visit func(*Section)) {
	taken := false // a section of the current chain held
	for _, s := range list {
		if s.Chain != ChainIf && taken {
			continue
		}
		ok := s.Chain == ChainElse
		if !ok && s.Cond != nil {
			if *rec == nil {
				*rec = ex.exprRecord(ex.r.headersIn, requestTable, false)
			}
			ok = s.Cond(*rec)
		}
		taken = ok
		if !ok {
			continue
		}
		visit(s)
		if len(s.Dir.Ifs) > 0 {
			ex.walkIfs(s.Dir.Ifs, rec, visit)
		}
	}
}

// walkLocationIf is walk_location_and_if as httpd runs it before
// translate_name: the server's configuration with the <Location>
// sections that match and the <If> sections that hold merged in (r->
// filename is not made yet), and the one-argument Redirect of the last of
// them that has one (mod_alias' try_redirect), or nil.
func (ex *exchange) walkLocationIf() (*DirConfig, *Redirect) {
	r := &ex.r
	d := ex.srv.Dir
	merged := false
	var last *Redirect
	merge := func(s *Section) {
		if !merged {
			d = d.Clone()
			merged = true
		}
		d.Merge(s.Dir)
		for i := range s.Dir.Redirects {
			if rd := &s.Dir.Redirects[i]; rd.Path == "" && rd.Regex == nil {
				last = rd
			}
		}
	}
	for _, sec := range ex.srv.Sections {
		if sec.Kind == SectionLocation && sec.matchesURI(r.uri) {
			merge(sec)
		}
	}
	if len(d.Ifs) > 0 {
		var rec *logformat.Record
		ex.walkIfs(d.Ifs, &rec, merge)
	}
	return d, last
}

// checkAccess runs authentication and authorisation (mod_auth_basic,
// mod_authn_file, mod_authz_core) and returns 0 when access is granted.
func (ex *exchange) checkAccess() int {
	d := ex.r.dir
	if d.SSLRequired && ex.c.tls == nil {
		// mod_ssl's check_access hook.
		ex.logError("AH02219: access to "+ex.r.filename+" failed, reason: SSL connection required", "module", "ssl")
		return 403
	}
	if d.Require == nil {
		return 0
	}
	return ex.authorize(d)
}

// fixups runs the fixup hooks: mod_env's SetEnv and mod_headers'
// RequestHeader (the ones not marked early).
func (ex *exchange) fixups() {
	r := &ex.r
	// core_override_type (REALLY_FIRST): ForceType; mod_rewrite's
	// hook_mimetype (LAST): a type from RewriteRule [T=].
	ex.forcedType = ""
	if ft := r.dir.ForceType; ft != "" && ft != "none" {
		ex.forcedType = ft
	}
	ex.applyEnvRules(r.dir.SetEnv, envFixups)
	ex.applyRequestHeaders(r.dir.ReqHeaders)
	if t, ok := r.notes.Get("rewrite-forced-mimetype"); ok && t != "" {
		ex.forcedType = t
	}
}

// prepareBody sets up the reader of the request body.
func (ex *exchange) prepareBody() {
	h := ex.head
	if h.Chunked || h.HasContentLength && h.ContentLength > 0 {
		ex.c.startReadStage(ex.srv, true)
	}
	switch {
	case h.Chunked:
		ex.bodyChunk = new(chunkedReader)
		ex.bodyChunk.reset(ex.c.br, ex.c.base.Limits.Unsafe)
		ex.body = ex.bodyChunk
	case h.HasContentLength && h.ContentLength > 0:
		ex.bodyLeft = h.ContentLength
		ex.body = &clReader{ex: ex}
	}
}

// checkBodyLimit applies LimitRequestBody: a Content-Length over the
// limit is refused with 413 before anything is read; a chunked body is cut
// off (413) when it goes over while being read. A proxied request is not
// limited: httpd's HTTP_IN filter sets no limit for a request with
// r->proxyreq set, and mod_proxy_http reads the body through it.
func (ex *exchange) checkBodyLimit() int {
	d := ex.r.dir
	if ex.proxied || d == nil || d.LimitRequestBody == nil || *d.LimitRequestBody <= 0 || ex.body == nil {
		return 0
	}
	limit := *d.LimitRequestBody
	if ex.head.HasContentLength && ex.head.ContentLength > limit {
		ex.keepalive = false
		ex.head.Close = true
		ex.bodyError = true
		return 413
	}
	if ex.bodyChunk != nil {
		ex.body = &limitedBody{r: ex.body, left: limit}
	}
	return 0
}

// errBodyTooLarge ends a chunked body that goes over LimitRequestBody.
var errBodyTooLarge = &chunkedError{msg: "request body over LimitRequestBody", tooLarge: true}

// limitedBody fails once more than left bytes were read.
type limitedBody struct {
	r    io.Reader
	left int64
}

func (l *limitedBody) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n, errBodyTooLarge
	}
	return n, err
}

// clReader reads a Content-Length body from the connection.
type clReader struct{ ex *exchange }

func (cr *clReader) Read(p []byte) (int, error) {
	ex := cr.ex
	if ex.bodyLeft <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > ex.bodyLeft {
		p = p[:ex.bodyLeft]
	}
	n, err := ex.c.br.Read(p)
	ex.bodyLeft -= int64(n)
	if err == io.EOF && ex.bodyLeft > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// finishBody reads and discards what is left of the request body so that
// the next request can be read (ap_discard_request_body); if that fails the
// connection cannot be kept alive.
//
// As in httpd it is read also when the connection is to close after the
// answer: ap_set_keepalive leaves c->keepalive undecided then, so
// ap_finalize_request_protocol's ap_discard_request_body reads the body
// (and mod_logio counts it in %I) unless the status drops the connection
// or the connection was marked to close before (h.Close: both
// Content-Length and Transfer-Encoding, HTTP/0.9, ...).
func (ex *exchange) finishBody() {
	if ex.body == nil {
		return
	}
	if ex.waitsForContinue() && (ex.r.status < 200 || ex.r.status > 299) {
		// HTTP_IN takes the body of an unsuccessful request whose
		// client waits for a 100 Continue as empty: nothing is read.
		ex.keepalive = false
	} else if ex.keepalive || (!ex.c.aborted && !ex.head.Close && ex.r.status != 0 && !dropsConnection(ex.r.status)) {
		ex.c.setReadDeadline(deadline(ex.srv.Timeout))
		if _, err := io.Copy(io.Discard, ex.body); err != nil {
			ex.keepalive = false
		}
	}
	if ex.bodyChunk != nil {
		ex.r.trailersIn = ex.bodyChunk.trailers
	}
}

// discardBeforeErrorPage reads away the body of a request answered with
// an error page made before its handler read it, as httpd's
// ap_send_error_response does (ap_finalize_request_protocol runs
// ap_discard_request_body before the buffered page reaches the header
// filter). It returns the status of a body that failed (400 or 413 from
// the HTTP_IN filter, 408 for a timeout), else 0. Nothing is read when
// the connection is to close anyway, for an ErrorDocument's own request,
// or for a client that waits for a 100 Continue (HTTP_IN takes the body
// of an unsuccessful request as empty).
//
// trailer reports a broken trailer section: ap_get_mime_headers then set
// r->status to 400 itself, which ap_die takes as the recursive error.
func (ex *exchange) discardBeforeErrorPage(status int) (st int, trailer bool) {
	if ex.body == nil || ex.head.Close || ex.c.aborted || dropsConnection(status) ||
		ex.recursive != 0 || ex.orig != nil || ex.waitsForContinue() {
		return 0, false
	}
	ex.c.setReadDeadline(deadline(ex.srv.Timeout))
	_, err := io.Copy(io.Discard, ex.body)
	if err == nil {
		return 0, false
	}
	// The error reaches the header filter as an error bucket: the page
	// ap_die then makes goes out without a length.
	ex.bodyError = true
	st, ce := ex.bodyFailed(err)
	return st, ce != nil && ce.trailer()
}

// waitsForContinue reports an HTTP/1.1 client that asked for a 100
// Continue and got none: HTTP_IN takes its body as empty when the answer
// is no success. (An HTTP/1.0 client gets no 100, and its body is read.)
func (ex *exchange) waitsForContinue() bool {
	return ex.head.ExpectContinue && !ex.continueSent && ex.head.ProtoNum >= 1001
}

// readBody reads the whole request body into memory, up to limit bytes;
// ok is false when the body is longer.
func (ex *exchange) readBody(limit int64) ([]byte, bool, error) {
	if ex.body == nil {
		return nil, true, nil
	}
	var buf []byte
	for {
		if int64(len(buf)) > limit {
			return buf, false, nil
		}
		if cap(buf)-len(buf) < 4096 {
			nb := make([]byte, len(buf), 2*cap(buf)+4096)
			copy(nb, buf)
			buf = nb
		}
		n, err := ex.body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, true, nil
		}
		if err != nil {
			return buf, false, err
		}
	}
}

// traceHandler is core's ap_send_http_trace, which answers a TRACE at
// map_to_storage time, with the server's configuration (no <Location>
// merged, no access check, no fixups): the request line and the request
// headers echoed as message/http, or a 413 for a request with a body.
//
// inHandler: it runs from mod_proxy's handler (Max-Forwards: 0), where
// mod_logio's first-byte filter is in place; at map_to_storage it is not.
func (ex *exchange) traceHandler(inHandler bool) int {
	r := &ex.r
	r.dir = ex.srv.Dir
	if ex.body != nil {
		r.notes = setField(r.notes, "error-notes", "TRACE with a request body is not allowed")
		return 413
	}
	b := make([]byte, 0, 512)
	b = append(append(b, ex.head.TheRequest...), "\r\n"...)
	for _, f := range r.headersIn {
		b = append(append(append(append(b, f.Name...), ": "...), f.Value...), "\r\n"...)
	}
	b = append(b, "\r\n"...)
	// Core answers at map_to_storage, before mod_logio's first-byte
	// filter is inserted: %^FB logs "-", as for an error page.
	rh := responseHead{status: 200, contentType: "message/http", noBody: ex.head.HeaderOnly, unknownLength: !ex.head.HeaderOnly, noFirstByte: !inHandler}
	r.status = 200
	if !ex.sendHead(&rh) || rh.noBody {
		return 0
	}
	_, chunked := r.headersOut.Get("Transfer-Encoding")
	n, err := ex.copyBody(bytes.NewReader(b), chunked)
	r.bytesSent = n
	if err != nil {
		ex.c.aborted = true
		ex.keepalive = false
		return 0
	}
	if chunked {
		ex.c.bw.WriteString("0\r\n\r\n")
	}
	return 0
}
