package proxy

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jl6/logproxy/logformat"
)

// maxPrefetch is how much of a chunked request body is read before the
// request is forwarded: a body that ends within it is sent with a
// Content-Length, as mod_proxy_http's prefetch does.
const maxPrefetch = 16 << 10

// proxyHandler forwards the request to the backend of route and relays the
// answer, as mod_proxy_http does. It returns 0 when a response went out,
// else the status of an error to answer.
func (ex *exchange) proxyHandler(route *Route) int {
	r := &ex.r
	target := strings.TrimPrefix(r.filename, "proxy:")
	scheme, rest, ok := strings.Cut(target, "://")
	https := ok && strings.EqualFold(scheme, "https")
	if !ok || !strings.EqualFold(scheme, "http") && !https {
		ex.logError("AH01144: No protocol handler was valid for the URL", "url", target)
		return 500
	}
	hostport, pathq := rest, "/"
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		hostport, pathq = rest[:i], rest[i:]
	}
	if i := strings.IndexByte(pathq, '?'); i >= 0 {
		pathq = pathq[:i]
	}
	port := "80"
	if https {
		port = "443"
	}
	addr := hostport
	if !strings.Contains(strings.TrimPrefix(addr, "["), "]:") && strings.Count(addr, ":") != 1 {
		addr += ":" + port
	} else if strings.Count(addr, ":") == 1 && strings.HasSuffix(addr, ":") {
		addr += port
	}
	hostHeader := hostport
	hostHeader = strings.TrimSuffix(hostHeader, ":"+port)
	var tlsCfg *tls.Config
	if https {
		host, _, _ := strings.Cut(strings.TrimPrefix(hostport, "["), "]")
		if !strings.HasPrefix(hostport, "[") {
			host, _, _ = strings.Cut(hostport, ":")
		}
		if tlsCfg = ex.srv.ProxyTLS.clientConfig(host); tlsCfg == nil {
			// ap_proxy_connect_backend: mod_ssl would not take the
			// connection (SSLProxyEngine Off).
			ex.logError("AH01961:  failed to enable ssl support [Hint: if using mod_ssl, see SSLProxyEngine]", "module", "core")
			ex.logError("AH00961: https: failed to enable ssl support for "+addr+" ("+host+")", "module", "proxy")
			ex.keepalive = false
			return 500
		}
	}
	if te, ok := r.headersIn.Get("Transfer-Encoding"); ok && !strings.EqualFold(te, "chunked") {
		// ap_proxy_http_prefetch: core took a coding list that ends in
		// chunked; mod_proxy_http relays only chunked itself.
		ex.logError("AH01093: "+te+" Transfer-Encoding is not supported", "module", "proxy_http")
		ex.keepalive = false
		ex.head.Close = true
		return 500
	}

	// The body: a chunked one is prefetched so that a short one goes out
	// with a Content-Length.
	var body io.Reader
	bodyLen := int64(0)
	if ex.body != nil {
		if ex.bodyChunk != nil {
			pre, complete, err := ex.readBody(maxPrefetch)
			if err != nil {
				ex.logError("AH01095: prefetch request body failed to "+addr+" from "+ex.useragentIP, "module", "proxy_http", "err", err)
				return ex.bodyErrorStatus(err)
			}
			if complete {
				body, bodyLen = bytes.NewReader(pre), int64(len(pre))
				r.trailersIn = ex.bodyChunk.trailers
			} else {
				body, bodyLen = io.MultiReader(bytes.NewReader(pre), ex.body), -1
			}
		} else if !ex.head.ExpectContinue {
			// mod_proxy_http prefetches up to MAX_MEM_SPOOL bytes
			// of the body, blocking, before it connects: a body that
			// does not come is a 408 whatever the backend, and one
			// that breaks off a 400.
			pre := make([]byte, min(ex.bodyLeft, maxPrefetchRead))
			ex.c.setReadDeadline(deadline(ex.srv.Timeout))
			if _, err := io.ReadFull(ex.body, pre); err != nil {
				ex.logError("AH01095: prefetch request body failed to "+addr+" from "+ex.useragentIP, "module", "proxy_http", "err", err)
				return ex.bodyErrorStatus(err)
			}
			ex.prefetched = true
			body, bodyLen = io.MultiReader(bytes.NewReader(pre), ex.body), ex.head.ContentLength
		} else {
			// A client that expects a 100: mod_proxy_http prefetches
			// without blocking, so what the client sent without
			// waiting is read now (and counted in %I), whatever the
			// backend then does; the rest waits for the backend's 100.
			body, bodyLen = &continueReader{ex: ex}, ex.head.ContentLength
			if n := min(int64(ex.c.br.Buffered()), ex.bodyLeft, maxPrefetchRead); n > 0 {
				pre := make([]byte, n)
				k, _ := io.ReadFull(ex.body, pre)
				body = io.MultiReader(bytes.NewReader(pre[:k]), body)
			}
		}
	}

	upgrade := ex.upgradeRequested(route)
	if ex.scratch.head == nil {
		ex.scratch.head = make([]byte, 0, 2048)
	}
	head := ex.backendHead(ex.scratch.head[:0], pathq, hostHeader, bodyLen, route, upgrade)
	ex.scratch.head = head[:0]

	timeout := ex.srv.ProxyTimeout
	if route != nil && route.Timeout > 0 {
		timeout = route.Timeout
	}
	if timeout <= 0 {
		timeout = ex.srv.Timeout
	}
	req := &ex.beReq
	*req = backendRequest{
		Addr:           addr,
		TLS:            tlsCfg,
		ConnectTimeout: routeConnectTimeout(route),
		KeepAlive:      route != nil && route.KeepAlive,
		MaxConns:       routeMaxConns(route),
		AcquireTimeout: routeAcquire(route),
		Head:           head,
		Body:           body,
		BodyLen:        bodyLen,
		ExpectContinue: ex.head.ExpectContinue && body != nil,
		Timeout:        timeout,
		Idempotent:     body == nil,
		Unsafe:         ex.srv.Limits.Unsafe,
		Interim:        ex,
		Upgrade:        upgrade,
		Resp:           &ex.beResp,
		NoFirstByte:    ex.logUses()&logformat.UsesTTFB == 0,
		strs:           &ex.scratch.strs,
	}
	if body == nil {
		req.Body = nil
	}
	ctx := context.Background()
	resp, err := ex.c.e.backend.RoundTrip(ctx, req)
	if err != nil {
		var be *BackendError
		if errors.As(err, &be) {
			switch be.Kind {
			case BackendClientAbort, BackendCanceled:
				ex.c.aborted = true
				return 0
			case BackendClientBody:
				ex.logError("AH01095: prefetch request body failed to "+addr+" from "+ex.useragentIP, "module", "proxy_http", "err", be.Err)
				return ex.bodyErrorStatus(be.Err)
			case BackendHangUp:
				if !be.GotBytes {
					// The backend closed before a status line.
					ex.logError("AH01102: error reading status line from remote server "+addr, "module", "proxy_http", "err", err)
					if ex.c.keepalives > 0 {
						// mod_proxy_http (AH01104): a connection that
						// already served a request is closed without an
						// answer, so that the client retries; the request
						// logs 502 and no bytes.
						ex.r.status = 502
						ex.backendBroke()
						return 0
					}
					return ex.proxyError(502, "Error reading from remote server")
				}
			case BackendBadResponse:
				var ue *upgradeError
				if errors.As(err, &ue) {
					return ex.proxyError(502, ue.message())
				}
				if bh := (*badHeaderError)(nil); errors.As(err, &bh) {
					ex.logAt(slog.LevelWarn, fmt.Sprintf("AH01106: bad HTTP/%d.%d header returned by %s (%s)", bh.major, bh.minor, ex.r.uri, ex.r.method), "module", "proxy_http")
					break
				}
				ex.logError("AH01110: error reading response", "module", "proxy_http", "err", err)
				if errors.Is(err, errRespCL) {
					// httpd's HTTP_IN filter refuses the backend's
					// Content-Length only as mod_proxy_http starts reading
					// the body, and ap_proxy_backend_broke's 502 is then
					// made inside the output filters, as the byterange
					// filter's 416: without a length, and with the
					// Expires r->no_cache adds.
					ex.filterError = true
					ex.noCache = true
				}
			case BackendTLS:
				// mod_ssl's handshake fails as the request goes out.
				ex.logAt(slogInfo, "AH01997: SSL handshake failed: sending 502", "module", "ssl", "err", be.Err)
				ex.logError("AH01084: pass request body failed to "+addr+" ("+req.TLS.ServerName+")", "module", "proxy")
				ex.keepalive = false
				return ex.proxyError(500, "Error during SSL Handshake with remote server")
			case BackendRefused, BackendUnreachable, BackendDNS, BackendBusy:
				ex.connectFailed = be.Kind == BackendRefused || be.Kind == BackendUnreachable
				ex.logError("AH01114: HTTP: failed to make connection to backend: "+addr, "module", "proxy", "err", err)
				ex.prefetchBuffered()
			default:
				ex.logError("AH01110: error reading response", "module", "proxy_http", "err", err)
			}
			if st := be.Status(); st != 0 {
				return st
			}
		}
		return 502
	}
	defer resp.Close()
	if resp.Status == 101 && resp.Conn != nil {
		return ex.tunnel(resp, upgrade)
	}
	return ex.relayResponse(resp)
}

// routeConnectTimeout is the route's connectiontimeout=, or 0.
func routeConnectTimeout(route *Route) time.Duration {
	if route == nil {
		return 0
	}
	return route.ConnectTimeout
}

// routeMaxConns is the route's max=, or 0.
func routeMaxConns(route *Route) int {
	if route == nil {
		return 0
	}
	return route.MaxConns
}

// routeAcquire is the route's acquire=, or 0.
func routeAcquire(route *Route) time.Duration {
	if route == nil {
		return 0
	}
	return route.AcquireTimeout
}

// upgradeRequested returns the protocol the client asks to switch to when
// the route allows it (ProxyPass upgrade=websocket), else "".
func (ex *exchange) upgradeRequested(route *Route) string {
	if route == nil || !route.UpgradeWebSocket || ex.head.ProtoNum < 1001 {
		return ""
	}
	up, ok := ex.r.headersIn.Get("Upgrade")
	conn, _ := ex.r.headersIn.Get("Connection")
	if !ok || !hasToken(conn, "upgrade") || !hasToken(up, "websocket") {
		return ""
	}
	return up
}

// tunnel completes a 101 Switching Protocols: it sends the backend's
// answer to the client (with Header rules and StripHeader applied, a
// deliberate difference from httpd, which leaves 101 heads alone) and then
// copies bytes both ways until either side closes, as mod_proxy's
// ap_proxy_tunnel. The client connection is not reused afterwards.
func (ex *exchange) tunnel(resp *backendResponse, upgrade string) int {
	r := &ex.r
	backend := resp.Conn
	defer backend.Close()
	out := make(Fields, 0, len(resp.Headers))
	for _, f := range resp.Headers {
		if equalFold(f.Name, "Connection") || equalFold(f.Name, "Upgrade") || equalFold(f.Name, "Keep-Alive") {
			continue
		}
		out = append(out, f)
	}
	out = append(out, Field{Name: "Upgrade", Value: upgrade}, Field{Name: "Connection", Value: "Upgrade"})
	r.headersOut, _ = proxyHeadersOut(out, r.headersOut)
	r.status = 101
	ex.applyResponseHeaders(r.dir, false, nil)
	sent := r.headersOut
	if r.dir != nil && !r.dir.Strip.Empty() {
		sent = stripFields(sent, r.dir)
	}
	bw := ex.c.bw
	bw.WriteString("HTTP/1.1 101 ")
	if resp.Reason != "" {
		bw.WriteString(resp.Reason)
	} else {
		bw.WriteString("Switching Protocols")
	}
	bw.WriteString("\r\n")
	writeField(bw, "Date", dateHeader(ex.begin))
	writeField(bw, "Server", ex.c.e.opts.ServerBanner)
	for _, f := range sent {
		if equalFold(f.Name, "Date") || equalFold(f.Name, "Server") {
			continue
		}
		writeField(bw, f.Name, f.Value)
	}
	bw.WriteString("\r\n")
	ex.headSent = true
	ex.keepalive = false
	if err := bw.Flush(); err != nil {
		ex.c.aborted = true
		return 0
	}
	c := ex.c
	c.nc.SetDeadline(time.Time{})
	c.cw.timeout = 0 // the tunnel has no inactivity timeout
	done := make(chan struct{}, 2)
	// Client to backend: what the client already sent sits in the read
	// buffer first.
	go func() {
		defer func() { done <- struct{}{} }()
		if n := c.br.Buffered(); n > 0 {
			b, _ := c.br.Peek(n)
			if _, err := backend.Write(b); err != nil {
				return
			}
			c.br.Discard(n)
		}
		io.Copy(backend, c.nc)
		if cw, ok := backend.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
	}()
	n, _ := io.Copy(&c.cw, backend)
	r.bytesSent = n
	c.nc.(interface{ CloseWrite() error }).CloseWrite()
	<-done
	return 0
}

// bodyErrorStatus maps a failure to read the client's body to a status.
func (ex *exchange) bodyErrorStatus(err error) int {
	st, ce := ex.bodyFailed(err)
	if ce != nil {
		// The HTTP_IN filter's own refusals (bail_out_on_error) go out
		// without Content-Length; a bad trailer section fails
		// ap_get_mime_headers and is answered the usual way.
		ex.bodyError = !ce.trailer()
		if ex.bodyError && ex.ttfb == 0 && ex.logUses()&logformat.UsesTTFB != 0 {
			// bail_out_on_error sends its error bucket down the
			// handler's output filters, mod_logio's first-byte
			// filter among them: %^FB logs when the body failed.
			ex.ttfb = time.Since(ex.begin)
		}
	}
	return st
}

// bodyFailed is what a failure to read the client's body answers: 408
// for a timeout (a plain error answer, with its length), 413 or 400 for
// the chunked coding's refusals (ce, nil else), 400 for a client that
// left. The connection closes after it.
func (ex *exchange) bodyFailed(err error) (status int, ce *chunkedError) {
	ex.keepalive = false
	ex.head.Close = true
	if isTimeout(err) {
		return 408, nil
	}
	if errors.As(err, &ce) {
		if ce.TooLarge() {
			return 413, ce
		}
		return 400, ce
	}
	ex.c.aborted = true
	return 400, nil
}

// continueReader reads a Content-Length body, first telling a client that
// sent Expect: 100-continue to go ahead (unless the backend's own 100 was
// already relayed).
type continueReader struct {
	ex *exchange
}

func (cr *continueReader) Read(p []byte) (int, error) {
	ex := cr.ex
	if ex.head.ExpectContinue && !ex.continueSent && ex.bodyLeft > 0 {
		// (HTTP_IN sends it only while body bytes remain to be read.)
		ex.sendContinue()
	}
	return ex.body.Read(p)
}

// sendContinue tells the client to send its body.
func (ex *exchange) sendContinue() {
	ex.continueSent = true
	if ex.head.ProtoNum < 1001 {
		return
	}
	ex.c.bw.WriteString("HTTP/1.1 100 Continue\r\n\r\n")
	ex.c.bw.Flush()
}

// relayInterim forwards an interim (1xx) response of the backend to an
// HTTP/1.1 client, without the StripHeader names and the headers that
// "Header unset" removes (a deliberate difference: httpd lets 1xx headers
// through untouched).
func (ex *exchange) relayInterim(status int, reason string, headers []Field) error {
	if ex.head.ProtoNum < 1001 {
		return nil
	}
	if status == 100 {
		if !ex.head.ExpectContinue || ex.continueSent {
			return nil
		}
		ex.continueSent = true
	}
	bw := ex.c.bw
	bw.WriteString("HTTP/1.1 ")
	bw.WriteString(strconv.Itoa(status))
	bw.WriteByte(' ')
	if reason == "" {
		reason = strings.TrimPrefix(statusLine(status), strconv.Itoa(status)+" ")
	}
	bw.WriteString(reason)
	bw.WriteString("\r\n")
	d := ex.r.dir
	for _, f := range headers {
		if d != nil && (d.Strip.Match(f.Name) || unsetsHeader(d, f.Name)) {
			continue
		}
		writeField(bw, f.Name, f.Value)
	}
	bw.WriteString("\r\n")
	return bw.Flush()
}

// unsetsHeader reports whether a "Header unset" rule of d names the field.
func unsetsHeader(d *DirConfig, name string) bool {
	for _, h := range d.RespHeaders {
		if h.Action == HeaderUnset && asciiEqualFold(h.Name, name) {
			return true
		}
	}
	return false
}

// backendHead builds the request head mod_proxy_http sends
// (ap_proxy_create_hdrbrgd): the request line with the canonical path and
// the query as sent, Host first, the client's fields less the hop-by-hop
// ones, X-Forwarded-For, -Host and -Server, then the body framing and
// Connection.
func (ex *exchange) backendHead(b []byte, path, hostHeader string, bodyLen int64, route *Route, upgrade string) []byte {
	r := &ex.r
	d := r.dir
	b = append(b, r.method...)
	b = append(b, ' ')
	if path == "" || path[0] != '/' {
		b = append(b, '/')
	}
	b = append(b, path...)
	if r.hasArgs {
		b = append(b, '?')
		b = append(b, r.args...)
	}
	b = append(b, " HTTP/1.1\r\n"...)

	in := r.headersIn
	clientHost, hasHost := in.Get("Host")
	preserve := d.ProxyPreserveHost != nil && *d.ProxyPreserveHost
	host := hostHeader
	if preserve {
		if hasHost {
			host = clientHost
		} else {
			host = ex.srv.Hostname
		}
	}
	b = append(b, "Host: "...)
	b = append(b, host...)
	b = append(b, "\r\n"...)

	connTokens, _ := in.Get("Connection")
	// The client's Expect: 100-continue goes to the backend, body or not
	// (r->expecting_100, Proxy100Continue's default), and the backend's
	// 100 comes back to an HTTP/1.1 client (relayInterim).
	expect := ex.head.ExpectContinue
	// Whether the client sent X-Forwarded-For, -Host, -Server, found on
	// the way through the fields (an ASCII match, as in.Get's).
	var sentXFF, sentXFH, sentXFS bool
	for _, f := range in {
		k := fieldKindOf(f.Name)
		switch {
		case k == fkHost, k == fkTransferEncoding, k == fkContentLength, k == fkConnection,
			k == fkKeepAlive, k == fkUpgrade, k == fkTrailer, k == fkTE, k == fkProxyConnection:
			continue
		case k == fkExpect && !expect:
			continue
		case k == fkProxyAuthorization && r.hasUser:
			continue
		case connTokens != "" && hasToken(connTokens, f.Name):
			continue
		case k == fkXForwardedFor, k == fkXForwardedHost, k == fkXForwardedServer:
			// merged in place (forwardedValue)
			b = appendField(b, f.Name, ex.forwardedValue(f, k, clientHost, hasHost, d))
			ascii := asciiEqualFold(f.Name, fieldKindNames[k])
			sentXFF = sentXFF || k == fkXForwardedFor && ascii
			sentXFH = sentXFH || k == fkXForwardedHost && ascii
			sentXFS = sentXFS || k == fkXForwardedServer && ascii
			continue
		}
		b = appendField(b, f.Name, f.Value)
	}
	if d.ProxyAddHeaders == nil || *d.ProxyAddHeaders {
		if !sentXFF {
			b = appendField(b, "X-Forwarded-For", ex.useragentIP)
		}
		if !sentXFH && hasHost {
			b = appendField(b, "X-Forwarded-Host", clientHost)
		}
		if !sentXFS {
			b = appendField(b, "X-Forwarded-Server", ex.srv.Hostname)
		}
	}
	switch {
	case bodyLen > 0:
		b = appendField(b, "Content-Length", strconv.FormatInt(bodyLen, 10))
	case bodyLen < 0:
		b = appendField(b, "Transfer-Encoding", "chunked")
	case ex.body != nil:
		b = appendField(b, "Content-Length", "0")
	}
	switch {
	case upgrade != "":
		b = append(b, "Connection: Upgrade\r\n"...)
		b = appendField(b, "Upgrade", upgrade)
	case route != nil && route.DisableReuse:
		b = append(b, "Connection: close\r\n"...)
	default:
		b = append(b, "Connection: Keep-Alive\r\n"...)
	}
	return append(b, "\r\n"...)
}

// forwardedValue returns the value to forward for f: the X-Forwarded-*
// fields get the proxy's own entry merged in, as apr_table_mergen does.
func (ex *exchange) forwardedValue(f Field, k fieldKind, clientHost string, hasHost bool, d *DirConfig) string {
	if d.ProxyAddHeaders != nil && !*d.ProxyAddHeaders {
		return f.Value
	}
	switch {
	case k == fkXForwardedFor:
		return f.Value + ", " + ex.useragentIP
	case k == fkXForwardedHost && hasHost:
		return f.Value + ", " + clientHost
	case k == fkXForwardedServer:
		return f.Value + ", " + ex.srv.Hostname
	}
	return f.Value
}

// fieldKind names the header fields the forwarding code treats apart.
type fieldKind uint8

const (
	fkOther fieldKind = iota
	fkHost
	fkTransferEncoding
	fkContentLength
	fkConnection
	fkKeepAlive
	fkUpgrade
	fkTrailer
	fkTE
	fkProxyConnection
	fkExpect
	fkProxyAuthorization
	fkProxyAuthenticate
	fkXForwardedFor
	fkXForwardedHost
	fkXForwardedServer
)

var fieldKindNames = [...]string{
	fkHost: "Host", fkTransferEncoding: "Transfer-Encoding", fkContentLength: "Content-Length",
	fkConnection: "Connection", fkKeepAlive: "Keep-Alive", fkUpgrade: "Upgrade",
	fkTrailer: "Trailer", fkTE: "TE", fkProxyConnection: "Proxy-Connection",
	fkExpect: "Expect", fkProxyAuthorization: "Proxy-Authorization",
	fkProxyAuthenticate: "Proxy-Authenticate", fkXForwardedFor: "X-Forwarded-For",
	fkXForwardedHost: "X-Forwarded-Host", fkXForwardedServer: "X-Forwarded-Server",
}

// fieldKindOf returns the kind of a header name, compared as httpd's
// apr_table compares names (equalFold): a name with a byte outside ASCII
// is of no kind.
func fieldKindOf(name string) fieldKind {
	var cands [2]fieldKind
	switch len(name) {
	case 2:
		cands[0] = fkTE
	case 4:
		cands[0] = fkHost
	case 6:
		cands[0] = fkExpect
	case 7:
		cands[0], cands[1] = fkUpgrade, fkTrailer
	case 10:
		cands[0], cands[1] = fkConnection, fkKeepAlive
	case 14:
		cands[0] = fkContentLength
	case 15:
		cands[0] = fkXForwardedFor
	case 16:
		cands[0], cands[1] = fkProxyConnection, fkXForwardedHost
	case 17:
		cands[0] = fkTransferEncoding
	case 18:
		cands[0], cands[1] = fkProxyAuthenticate, fkXForwardedServer
	case 19:
		cands[0] = fkProxyAuthorization
	default:
		return fkOther
	}
	for _, k := range cands {
		if k != fkOther && asciiEqualFold(name, fieldKindNames[k]) {
			return k
		}
	}
	return fkOther
}

func appendField(b []byte, name, value string) []byte {
	b = append(b, name...)
	b = append(b, ": "...)
	b = append(b, value...)
	return append(b, "\r\n"...)
}

// equalFold compares header names as httpd's apr_table does (strcasecmp
// in the C locale): ASCII letters without regard to case, every other
// byte as itself.
func equalFold(a, b string) bool { return asciiEqualFold(a, b) }

// proxyHeadersOut is headers_out once mod_proxy_http read the backend's
// head: the backend's fields replace what the table had, but for its
// Set-Cookie fields, which go last, the table's before the backend's
// (save_table in ap_proxy_http_process_response). kept is how many fields
// came from old. The backend's fields are not copied when no cookie
// moves.
func proxyHeadersOut(backend, old Fields) (out Fields, kept int) {
	nNew, lastOther := 0, -1
	for i, f := range backend {
		if equalFold(f.Name, "Set-Cookie") {
			nNew++
		} else {
			lastOther = i
		}
	}
	for _, f := range old {
		if equalFold(f.Name, "Set-Cookie") {
			kept++
		}
	}
	if kept == 0 && (nNew == 0 || lastOther < len(backend)-nNew) {
		return backend, 0 // the cookies, if any, are last already
	}
	out = make(Fields, 0, len(backend)+kept)
	for _, f := range backend {
		if !equalFold(f.Name, "Set-Cookie") {
			out = append(out, f)
		}
	}
	for _, f := range old {
		if equalFold(f.Name, "Set-Cookie") {
			out = append(out, f)
		}
	}
	for _, f := range backend {
		if equalFold(f.Name, "Set-Cookie") {
			out = append(out, f)
		}
	}
	return out, kept
}

// relayResponse sends the backend's answer to the client.
func (ex *exchange) relayResponse(resp *backendResponse) int {
	r := &ex.r
	if !resp.FirstByte.IsZero() {
		ex.ttfb = resp.FirstByte.Sub(ex.begin)
	}
	out := ex.outBuf[:0]
	if len(resp.Headers)+4 > len(ex.outBuf) || ex.orig != nil {
		// (After an internal redirect the original request's table may
		// live in outBuf.)
		out = make(Fields, 0, len(resp.Headers)+4)
	}
	connTokens := resp.Connection
	for _, f := range resp.Headers {
		k := fieldKindOf(f.Name)
		switch {
		case k == fkTransferEncoding && ex.head.HeaderOnly:
			// mod_proxy_http takes Transfer-Encoding out of the
			// answer only when it reads a body: a HEAD answer keeps it.
		case k == fkConnection, k == fkKeepAlive, k == fkProxyAuthenticate, k == fkTE,
			k == fkTrailer, k == fkUpgrade, k == fkTransferEncoding:
			continue
		case k == fkContentLength && (resp.IgnoredContentLength || resp.Chunked):
			continue
		case connTokens != "" && hasToken(connTokens, f.Name):
			continue
		}
		out = append(out, f)
	}
	ex.reverseMap(out)
	out, kept := proxyHeadersOut(out, r.headersOut)
	r.headersOut = out
	facts := scanOutFields(out)
	contentType := facts.contentType
	if contentType == "" {
		// mod_proxy_http sets r->content_type only from a Content-Type
		// the backend sent: without one a forced type stays.
		contentType = ex.forcedType
	}
	if cs := r.dir.DefaultCharset; cs != nil && *cs != "" {
		// The header filter makes the type (ap_make_content_type):
		// AddDefaultCharset applies to the backend's too.
		contentType = makeContentType(contentType, *cs)
	}

	if r.dir.overridesError(resp.Status) && ex.recursive == 0 {
		// ProxyErrorOverride On: the backend's error page is replaced by
		// the local ErrorDocument or canned page. A 401 keeps the
		// backend's challenge (mod_proxy_http moves it to
		// err_headers_out).
		if resp.Status == 401 {
			if v, ok := r.headersOut.Get("WWW-Authenticate"); ok {
				r.errHeadersOut = setField(r.errHeadersOut, "WWW-Authenticate", v)
			}
		}
		io.Copy(io.Discard, resp.Body)
		r.headersOut = nil
		return resp.Status
	}
	// An ErrorDocument served by the backend answers with the backend's
	// status, as mod_proxy_http sets r->status from it (the original
	// request keeps the error for %s).
	status := resp.Status
	r.status = status
	noBody := resp.NoBody || ex.head.HeaderOnly
	hasCL := facts.hasContentLength
	rh := responseHead{
		status:        status,
		reason:        resp.Reason,
		contentType:   contentType,
		noBody:        noBody,
		unknownLength: !noBody && !hasCL,
	}
	if status != resp.Status {
		rh.reason = ""
	} else if sl, ok := validStatusLine(resp.StatusLine, status); ok {
		// The backend's status line as it came, even with an empty
		// reason, as httpd relays r->status_line.
		rh.reason, rh.rawStatus = "", sl
	}
	if rh.reason == "" && rh.rawStatus == "" && resp.Status == status {
		rh.reason = strings.TrimPrefix(statusLine(status), strconv.Itoa(status)+" ")
	}
	// Every field of the table came from the backend's head, which passed
	// check_headers' test as it was parsed (HeadersValid), unless the
	// table had fields before or ProxyPassReverse rewrote values. A head
	// that did not pass is tested in the header filter, after Header
	// rules and StripHeader, as httpd tests it: a field they take out
	// does not count.
	ex.outChecked = resp.HeadersValid && kept == 0 && len(ex.srv.ReverseRoutes) == 0
	var body io.Reader = resp.Body
	var ranged *fileResponse
	if status == 200 && !noBody && !ex.head.HTTP09 && resp.ContentLength > 0 &&
		resp.ContentLength <= proxyIOBufferSize && ex.wantsRanges() && bodyReady(resp) {
		var st int
		if ranged, body, st = ex.proxiedRanges(resp, &rh); st != 0 {
			ex.outChecked = false
			return st
		}
		if ranged != nil {
			ex.outChecked = false // the range fields were added
		}
	}
	ok := ex.writeHead(&rh)
	ex.outChecked = false
	if !ok {
		return ex.headersRefused(r.headersOut)
	}
	if noBody {
		io.Copy(io.Discard, resp.Body)
		return 0
	}
	if ranged != nil {
		ex.writeFileBody(ranged)
		return 0
	}
	_, chunkedOut := r.headersOut.Get("Transfer-Encoding")
	n, err := ex.copyBody(body, chunkedOut)
	r.bytesSent = n
	if err != nil {
		// The client left (c->aborted, %X "X"), or the backend broke
		// off: then ap_proxy_backend_broke only closes the client
		// connection once what came is sent (%X "-").
		var be *BackendError
		if errors.As(err, &be) && be.Kind == BackendBodyBroken {
			ex.backendBroke()
			ex.logError("AH01110: error reading response", "module", "proxy_http", "err", err)
			return 0
		}
		ex.c.aborted = true
		ex.keepalive = false
		return 0
	}
	r.trailersOut = resp.Trailers
	if chunkedOut {
		ex.c.bw.WriteString("0\r\n\r\n")
	}
	if !ex.keepalive {
		return 0
	}
	return 0
}

// proxyIOBufferSize is ProxyIOBufferSize's default: what mod_proxy_http
// asks its first read of a body for.
const proxyIOBufferSize = 8192

// bodyReady reports whether the whole body of a Content-Length answer has
// come already. mod_proxy_http's first read of a body does not block: a
// body that came whole by then reaches httpd's byte-range filter with its
// end (EOS), which the filter needs to cut ranges; else the filter sees a
// flush alone and steps aside.
func bodyReady(resp *backendResponse) bool {
	b, ok := resp.Body.(*respBody)
	return ok && b.arrived()
}

// wantsRanges is the first test of ap_set_byterange: a Range of bytes.
func (ex *exchange) wantsRanges() bool {
	v, ok := ex.r.headersIn.Get("Range")
	return ok && len(v) >= 6 && asciiEqualFold(v[:6], "bytes=")
}

// proxiedRanges is httpd's byte-range filter on a proxied 200 whose small
// body came with its head (see bodyReady): the ranges the request asks
// for (after If-Range, checked against the backend's ETag, Last-Modified
// and Date) are cut from it as from a file: a 206 with Content-Range or a
// multipart/byteranges body (ranged, with rh and the table updated), or a
// 416 (st, made in the output filters, so without a length). Else ranged
// is nil and body yields the whole body again.
func (ex *exchange) proxiedRanges(resp *backendResponse, rh *responseHead) (ranged *fileResponse, body io.Reader, st int) {
	r := &ex.r
	buf := make([]byte, resp.ContentLength)
	n, err := io.ReadFull(resp.Body, buf)
	body = io.MultiReader(bytes.NewReader(buf[:n]), resp.Body)
	if err != nil {
		return nil, body, 0
	}
	if _, ok := r.headersOut.Get("Content-Range"); ok {
		return nil, body, 0
	}
	if len(rh.contentType) >= 20 && asciiEqualFold(rh.contentType[:20], "multipart/byteranges") {
		return nil, body, 0
	}
	// ap_condition_if_range: the answer's Last-Modified, else now (a
	// proxied request has no r->mtime); its Date, else the request's
	// time.
	cond := condInput{method: r.method, headers: r.headersIn}
	cond.etag, _ = r.headersOut.Get("ETag")
	if lm, ok := r.headersOut.Get("Last-Modified"); ok {
		cond.lastMod = aprDateParseHTTP(lm) / 1e6
	}
	if cond.lastMod == 0 {
		cond.lastMod = time.Now().Unix()
	}
	if d, ok := r.headersOut.Get("Date"); ok {
		cond.requestTime = aprDateParseHTTP(d) / 1e6
	}
	if cond.requestTime == 0 {
		cond.requestTime = ex.begin.Unix()
	}
	fr := &fileResponse{Status: 200, ContentType: rh.contentType, Body: memBody{bytes.NewReader(buf)},
		Length: int64(n), ContentLength: int64(n)}
	applyByteRanges(&fileRequest{}, &cond, fr, int64(n))
	switch fr.Status {
	case 416:
		// send_416: an error bucket, ap_die in the header filter.
		ex.filterError = true
		r.headersOut = nil
		return nil, nil, 416
	case 206:
		r.status, rh.status = 206, 206
		rh.rawStatus, rh.reason = "", "Partial Content"
		rh.contentType = fr.ContentType
		for _, f := range fr.Headers {
			r.headersOut = setField(r.headersOut, f.Name, f.Value)
		}
		if fr.ContentLength < 0 {
			r.headersOut = unsetField(r.headersOut, "Content-Length")
			rh.unknownLength = true
		}
		return fr, nil, 0
	}
	return nil, body, 0
}

// copyBody relays a response body, as the chunked coding when chunked,
// flushing to the client whenever the backend has nothing more ready. The
// end of the body is left in the buffer: the caller flushes it with what
// follows (the last chunk), so that a small response goes out in one
// write, head and body together.
func (ex *exchange) copyBody(body io.Reader, chunked bool) (int64, error) {
	bw := ex.c.bw
	ready, _ := body.(interface{ buffered() int })
	bp := copyBufPool.Get().(*[]byte)
	big := false
	defer func() {
		if big {
			bigCopyBufPool.Put(bp)
		} else {
			copyBufPool.Put(bp)
		}
	}()
	buf := *bp
	var total int64
	for {
		n, err := body.Read(buf)
		if n > 0 {
			total += int64(n)
			if chunked {
				var hex [16]byte
				bw.Write(strconv.AppendInt(hex[:0], int64(n), 16))
				bw.WriteString("\r\n")
				bw.Write(buf[:n])
				bw.WriteString("\r\n")
			} else {
				bw.Write(buf[:n])
			}
			if err == nil && (ready == nil || ready.buffered() == 0) {
				// The backend has nothing more ready: what came so far
				// goes to the client now.
				if werr := bw.Flush(); werr != nil {
					return total, werr
				}
			}
			if n == len(buf) && !big && err == nil {
				// A big body: go on with a big buffer, so that it takes
				// a few reads and writes rather than one per 8 KiB.
				copyBufPool.Put(bp)
				bp, big = bigCopyBufPool.Get().(*[]byte), true
				buf = *bp
			}
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// The buffers bodies are copied through: a small one first, a big one
// once a read fills the small one. They are pooled, not kept with the
// exchange: an exchange waits for its backend with them only while it
// copies.
var (
	copyBufPool    = sync.Pool{New: func() any { b := make([]byte, 8192); return &b }}
	bigCopyBufPool = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}
)

// reverseMap applies ProxyPassReverse to Location, Content-Location and
// URI, and the cookie rules to Set-Cookie.
func (ex *exchange) reverseMap(fs Fields) {
	if len(ex.srv.ReverseRoutes) == 0 {
		return
	}
	for i := range fs {
		f := &fs[i]
		switch {
		case equalFold(f.Name, "Location"), equalFold(f.Name, "Content-Location"), equalFold(f.Name, "URI"):
			f.Value = ex.reverseLocation(f.Value)
		case equalFold(f.Name, "Set-Cookie"):
			f.Value = ex.reverseCookie(f.Value)
		}
	}
}

func (ex *exchange) reverseLocation(v string) string {
	for _, rr := range ex.srv.ReverseRoutes {
		if rr.Kind != ReverseLocation {
			continue
		}
		target := rr.Target
		if hasPrefixFold(target, "balancer://") {
			if u, ok := ex.balancerReverse(rr.Path, target, v); ok {
				if isAbsoluteURL(u) {
					return u
				}
				return ex.selfURL() + u
			}
			continue
		}
		if strings.HasPrefix(v, target) {
			return ex.selfURL() + rr.Path + v[len(target):]
		}
	}
	return v
}

// balancerReverse maps v, a URL of one of the members of the balancer
// that target (balancer://name/path) names, to fake, as httpd's
// ap_proxy_location_reverse_map does: the member's URL (its name) and
// target's path are replaced by fake; with no path in target, only the
// member's URL is, which leaves "fake/" + "/rest" unless fake is "/".
func (ex *exchange) balancerReverse(fake, target, v string) (string, bool) {
	for _, b := range ex.srv.Balancers {
		if !hasPrefixFold(target, b.Name) {
			continue
		}
		urlpart := target[len(b.Name):]
		if urlpart == "/" {
			urlpart = ""
		}
		for _, m := range b.Members {
			name := m.Name
			if urlpart != "" {
				name = strings.TrimSuffix(name, "/")
				if n := len(name); len(v) >= n+len(urlpart) && strings.EqualFold(v[:n], name) && v[n:n+len(urlpart)] == urlpart {
					return fake + v[n+len(urlpart):], true
				}
				continue
			}
			if n := len(name); len(v) >= n && strings.EqualFold(v[:n], name) {
				if fake == "/" && len(v) > n && v[n] == '/' {
					return v[n:], true
				}
				return fake + v[n:], true
			}
		}
	}
	return "", false
}

// isAbsoluteURL reports whether u starts with a scheme and "://", as
// ap_is_url tells.
func isAbsoluteURL(u string) bool {
	i := strings.Index(u, "://")
	if i <= 0 {
		return false
	}
	for j := 0; j < i; j++ {
		c := u[j]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// selfURL is the scheme, host and port of this server as a client reaches
// it (ap_construct_url without the path): ap_http_scheme,
// ap_get_server_name_for_url and ap_get_server_port when it is not the
// scheme's default.
func (ex *exchange) selfURL() string {
	name := ex.serverName()
	if strings.IndexByte(name, ':') >= 0 {
		name = "[" + name + "]"
	}
	port := ex.requestPort()
	if port == ex.defaultPort() {
		return ex.scheme() + "://" + name
	}
	return ex.scheme() + "://" + name + ":" + strconv.Itoa(port)
}

func (ex *exchange) reverseCookie(v string) string {
	parts := strings.Split(v, ";")
	changed := false
	for i, p := range parts {
		name, val, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok {
			continue
		}
		for _, rr := range ex.srv.ReverseRoutes {
			switch {
			case rr.Kind == ReverseCookiePath && strings.EqualFold(name, "path") && strings.HasPrefix(val, rr.Target):
				val = rr.Path + val[len(rr.Target):]
			case rr.Kind == ReverseCookieDomain && strings.EqualFold(name, "domain") && strings.EqualFold(val, rr.Target):
				val = rr.Path
			default:
				continue
			}
			lead := p[:len(p)-len(strings.TrimLeft(p, " "))]
			parts[i] = lead + name + "=" + val
			changed = true
			break
		}
	}
	if !changed {
		return v
	}
	return strings.Join(parts, ";")
}

// appendCanonPath appends the decoded path p re-encoded for the backend
// as mod_proxy's ap_proxy_canonenc (enc_path) does: every byte that is
// not alphanumeric or one of "$-_.+!*'(),;:@&=~/" becomes %XX (upper
// case).
func appendCanonPath(dst, p []byte) []byte {
	const hex = "0123456789ABCDEF"
	for _, c := range p {
		if canonKeep[c] {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', hex[c>>4], hex[c&15])
	}
	return dst
}

// appendCanonURLKeep2F is appendCanonURL for AllowEncodedSlashes
// NoDecode (ap_proxy_canonenc_ex with PROXY_CANONENC_NOENCODEDSLASHENCODING):
// a %2F stays as it is, any other '%' is encoded, and one not followed
// by two hex digits makes the URL unusable (false).
func appendCanonURLKeep2F(dst, u []byte) ([]byte, bool) {
	i := bytes.Index(u, []byte("://"))
	if i < 0 {
		return append(dst, u...), true
	}
	dst = append(dst, u[:i+3]...)
	rest := u[i+3:]
	j := bytes.IndexByte(rest, '/')
	if j < 0 {
		return append(append(dst, rest...), '/'), true
	}
	dst = append(dst, rest[:j]...)
	p := rest[j:]
	for k := 0; k < len(p); k++ {
		if p[k] != '%' {
			dst = appendCanonPath(dst, p[k:k+1])
			continue
		}
		if k+2 >= len(p) || !cXdigit(p[k+1]) || !cXdigit(p[k+2]) {
			return dst, false
		}
		if x2c(p[k+1], p[k+2]) == '/' {
			dst = append(dst, p[k:k+3]...)
			k += 2
			continue
		}
		dst = append(dst, "%25"...)
	}
	return dst, true
}

// canonKeep marks the bytes canonEncodePath leaves alone.
var canonKeep = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = isAlnum(byte(c)) || strings.IndexByte("$-_.+!*'(),;:@&=~/", byte(c)) >= 0
	}
	return t
}()

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// overridesError is ap_proxy_should_override: whether ProxyErrorOverride
// replaces a backend answer of this status. d may be nil.
func (d *DirConfig) overridesError(status int) bool {
	if d == nil || d.ProxyErrorOverride == nil || !*d.ProxyErrorOverride {
		return false
	}
	if len(d.ProxyErrorOverrideCodes) == 0 {
		return status >= 400 && status < 600
	}
	return slices.Contains(d.ProxyErrorOverrideCodes, status)
}

// proxyPreHandler is what mod_proxy's proxy_handler does before the
// scheme handler: Max-Forwards. At zero a TRACE or OPTIONS is answered by
// core and any other method refused as a loop; a value that is no number
// is refused; else the request goes on with one less. It reports whether
// the request ends here, and the status to answer (0 when an answer went
// out).
func (ex *exchange) proxyPreHandler() (int, bool) {
	r := &ex.r
	if v, ok := r.headersIn.Get("Max-Forwards"); ok {
		n, ok := strtoi64(v)
		if !ok || n < 0 || n == math.MaxInt64 {
			ex.logAt(slog.LevelWarn, "AH10188: Max-Forwards value '"+v+"' could not be parsed", "module", "proxy")
			return ex.proxyError(400, "Max-Forwards request header could not be parsed"), true
		}
		if n == 0 {
			switch r.method {
			case "TRACE":
				// From the handler phase: mod_logio's first-byte
				// filter is in place.
				ex.proxied = false
				return ex.traceHandler(true), true
			case "OPTIONS":
				// ap_send_http_options: Allow, and no body.
				ex.proxied = false
				r.status = 200
				r.headersOut = setField(r.headersOut, "Allow", allowNoHandler(!ex.srv.TraceDisabled))
				r.headersOut = setField(r.headersOut, "Content-Length", "0")
				rh := responseHead{status: 200}
				ex.sendHead(&rh)
				return 0, true
			}
			return ex.proxyError(400, "Max-Forwards has reached zero - proxy loop?"), true
		}
		r.headersIn = setField(r.headersIn, "Max-Forwards", strconv.FormatInt(n-1, 10))
	} else if ex.srv.HasMaxForwards && ex.srv.MaxForwards >= 0 {
		// ProxyMaxForwards: a request without the field gets one.
		r.headersIn = append(r.headersIn, Field{Name: "Max-Forwards", Value: strconv.FormatInt(ex.srv.MaxForwards, 10)})
	}
	// (proxy_handler's 413 for a TRACE with a body tests r->remaining
	// before anything set it up: a TRACE with a body is proxied.)
	return 0, false
}

// strtoi64 is apr_strtoi64(s, &end, 10) with *end required to be the end
// of s: C's strtoll (leading blanks, a sign, decimal digits; the limits
// on overflow). "" reads as 0, as strtoll leaves end at the empty string.
func strtoi64(s string) (int64, bool) {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var n uint64
	over := false
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		d := uint64(s[i] - '0')
		if n > (math.MaxUint64-d)/10 {
			over = true
		} else {
			n = n*10 + d
		}
	}
	if i == start {
		return 0, s == "" // no digits: end stays at the start of s
	}
	if i != len(s) {
		return 0, false
	}
	switch {
	case neg && (over || n > 1<<63):
		return math.MinInt64, true
	case neg:
		return -int64(n), true
	case over || n > math.MaxInt64:
		return math.MaxInt64, true
	}
	return int64(n), true
}

// proxyError is mod_proxy's ap_proxyerror: the failure is logged
// (AH00898), noted for the error page ("error-notes", shown since
// "verbose-error-to" is "*"), and the status line says "Proxy Error".
func (ex *exchange) proxyError(status int, message string) int {
	r := &ex.r
	ex.logError("AH00898: "+message+" returned by "+r.uri, "module", "proxy")
	notes := "The proxy server could not handle the request<p>Reason: <strong>" +
		string(appendEscapeHTML(nil, message)) + "</strong></p>"
	r.notes = setField(r.notes, "error-notes", notes)
	r.notes = setField(r.notes, "verbose-error-to", "*")
	r.statusReason = "Proxy Error"
	return status
}

// validStatusLine is validate_status_line of httpd's HTTP header filter
// for r->status_line sl: it must start with the three digits of status,
// then a blank (a line of the three digits alone gets one). It returns
// the line to send after "HTTP/1.1 ", and false where httpd sends its own
// status line instead.
func validStatusLine(sl string, status int) (string, bool) {
	if len(sl) < 3 || sl[0] < '0' || sl[0] > '9' || sl[1] < '0' || sl[1] > '9' || sl[2] < '0' || sl[2] > '9' {
		return "", false
	}
	if int(sl[0]-'0')*100+int(sl[1]-'0')*10+int(sl[2]-'0') != status {
		return "", false
	}
	if len(sl) == 3 {
		return sl + " ", true
	}
	switch sl[3] {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return sl, true
	}
	return "", false
}

// prefetchBuffered reads the part of a Content-Length request body that
// has already arrived, as mod_proxy_http's prefetch does (a non-blocking
// read of up to 16 KiB) before it connects to the backend: when the
// connection then fails, those bytes were read, and %I counts them. A
// client waiting for a 100 Continue gets no prefetch, as in httpd.
func (ex *exchange) prefetchBuffered() {
	if ex.body == nil || ex.bodyChunk != nil || ex.head.ExpectContinue || ex.prefetched {
		return
	}
	n := min(int64(ex.c.br.Buffered()), ex.bodyLeft, maxPrefetchRead)
	if n <= 0 {
		return
	}
	var buf [4096]byte
	for n > 0 {
		k, err := ex.body.Read(buf[:min(n, int64(len(buf)))])
		n -= int64(k)
		if err != nil || k == 0 {
			return
		}
	}
}

// maxPrefetchRead is MAX_MEM_SPOOL, what mod_proxy_http's prefetch
// (ap_proxy_prefetch_input) reads at most; apache2 2.4.71 counted 16384
// body bytes in %I for a longer body to a backend that was down.
const maxPrefetchRead = 16 * 1024

// backendBroke ends the client connection after this exchange, as
// ap_proxy_backend_broke's EOC does (AP_CONN_CLOSE): no keep-alive, and
// %X logs "-".
func (ex *exchange) backendBroke() {
	ex.keepalive = false
	ex.c.keepalive = false
	ex.head.Close = true
}

// headersRefused is check_headers' refusal of a field of fs: a 500,
// after which the connection closes. (The corpus' resp_header_ctl_bytes
// has its Content-Length.)
func (ex *exchange) headersRefused(fs Fields) int {
	if !ex.teRefused {
		ex.logError(refusedHeaderMessage(fs, ex.r.dir), "module", "http")
	}
	ex.r.headersOut = nil
	ex.keepalive = false
	ex.head.Close = true
	return 500
}
