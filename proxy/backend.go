package proxy

// A keep-alive HTTP/1.1 client for backends, in place of mod_proxy_http's
// connection handling (httpd 2.4 modules/proxy/mod_proxy_http.c and
// proxy_util.c). The caller builds every byte of the request head, as
// mod_proxy does; this client sends it with the body, reads the answer
// (interim responses included), and hands over a body reader that frees
// the connection for the next request as soon as the body has been read.
//
// The common path (no request body, or a small one) runs on the caller's
// goroutine with no other goroutine, one write and, for a small answer,
// one read; buffers come from pools and idle connections hold none.

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Defaults of a zero BackendPool.
const (
	DefaultBackendMaxIdlePerHost  = 64
	DefaultBackendIdleTimeout     = 90 * time.Second
	DefaultBackendTimeout         = 60 * time.Second // httpd's Timeout
	DefaultBackendContinueTimeout = time.Second
)

// BackendPool keeps idle keep-alive connections per backend address and
// runs requests on them. The zero value is ready to use with the defaults
// above; set the fields before the first request and do not change them
// afterwards. A BackendPool is safe for concurrent use.
type BackendPool struct {
	// MaxIdlePerHost bounds the idle connections kept per address
	// (0: DefaultBackendMaxIdlePerHost; negative: keep none).
	MaxIdlePerHost int
	// IdleTimeout closes connections idle for longer (0:
	// DefaultBackendIdleTimeout; negative: never). Expired connections
	// are closed when the pool is next used for their address.
	IdleTimeout time.Duration
	// ConnectTimeout bounds connecting (ProxyPass connectiontimeout=; 0:
	// the request's Timeout, as httpd does).
	ConnectTimeout time.Duration
	// Timeout is the inactivity timeout of requests whose own Timeout is
	// zero (0: DefaultBackendTimeout).
	Timeout time.Duration
	// ContinueTimeout is how long a request with Expect: 100-continue
	// waits for the backend's first byte before sending its body anyway
	// (0: DefaultBackendContinueTimeout; negative: wait up to Timeout).
	ContinueTimeout time.Duration
	// ResponseFieldSize is the longest response head line plus one
	// (ProxyPass responsefieldsize=; 0: 8192 as httpd).
	ResponseFieldSize int
	// MaxResponseHeadBytes bounds a whole response head (0: 1 MiB).
	MaxResponseHeadBytes int
	// IgnoreBadHeader drops response header lines without a colon
	// (ProxyBadHeader Ignore) instead of failing (IsError, the default).
	IgnoreBadHeader bool
	// Dial opens connections (nil: net.Dialer with ConnectTimeout).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Now tells the time for FirstByte and idle expiry (nil: time.Now).
	Now func() time.Time

	mu    sync.Mutex
	hosts atomic.Pointer[[]*backendHost]
}

// backendRequest is one request to send to a backend.
type backendRequest struct {
	// Addr is the backend's host:port.
	Addr string
	// TLS is the client configuration for an https backend (ServerName
	// set), nil for http. Connections are pooled per Addr and TLS.
	TLS *tls.Config
	// Head is the complete request head, request line to the empty line
	// (CRLF CRLF), as the caller built it. It is not modified or kept.
	// A head starting with "HEAD " makes the response bodiless.
	Head []byte
	// Body is the request body, already de-framed, or nil.
	Body io.Reader
	// BodyLen is the number of body bytes to send, or -1 to send Body in
	// the chunked coding (Head then says Transfer-Encoding: chunked).
	// With a nil Body it is ignored.
	BodyLen int64
	// Trailers returns the trailer fields to send after a chunked body
	// (nil: none). It is called once Body has returned io.EOF.
	Trailers func() []Field
	// ExpectContinue: Head has Expect: 100-continue. The body is sent
	// once the backend answers 100, or after the pool's ContinueTimeout
	// without any answer, or (as mod_proxy_http does) after a final
	// answer that lets the connection live on.
	ExpectContinue bool
	// OnInterim is called for every interim (1xx) response before the
	// final one, except 101, which is final. Its arguments are valid only
	// during the call. An error from it ends the exchange.
	OnInterim func(status int, reason string, headers []Field) error
	// Interim is called as OnInterim when OnInterim is nil (an interface
	// value costs no allocation where a method value would).
	Interim interimRelay
	// Resp, when not nil, is where the answer is put instead of a new
	// response; it must not be reused before the response is closed.
	Resp *backendResponse
	// Upgrade is the protocol the client asked to switch to (its Upgrade
	// value) when the caller forwards it; a 101 answer is accepted only
	// if its Upgrade matches it, as httpd requires.
	Upgrade string
	// Timeout is the inactivity timeout of every read and write
	// (ProxyTimeout / Timeout; 0: the pool's).
	Timeout time.Duration
	// ConnectTimeout bounds opening a new connection (ProxyPass
	// connectiontimeout=; 0: the pool's ConnectTimeout, else Timeout).
	ConnectTimeout time.Duration
	// NoFirstByte: the caller has no use for the response's FirstByte,
	// which is then left zero (a clock read saved per request).
	NoFirstByte bool
	// strs, when not nil, is where the response head's string is made
	// (see strArena).
	strs *strArena
	// MaxConns caps the connections open to Addr, busy or idle
	// (ProxyPass max=; 0: no cap). At the cap a request waits for one to
	// come free, at most AcquireTimeout (ProxyPass acquire=; 0: Timeout),
	// then fails with BackendBusy.
	MaxConns       int
	AcquireTimeout time.Duration
	// KeepAlive turns TCP keep-alive probes on for a new connection, with
	// the system's timings (ProxyPass keepalive=On, which httpd applies as
	// SO_KEEPALIVE). Off, as httpd's default, no probe option is set.
	KeepAlive bool
	// Idempotent lets the request be sent again, once, on a new
	// connection when a reused idle connection fails before any response
	// byte arrived (and the body can be sent again).
	Idempotent bool
	// NoReuse closes the connection after this exchange (Head asks the
	// backend to close, e.g. proxy-nokeepalive or HTTP/1.0).
	NoReuse bool
	// Unsafe is HttpProtocolOptions Unsafe: bare LF line ends are
	// accepted in a chunked response body and its trailers.
	Unsafe bool
}

// interimRelay relays the interim (1xx) responses of a backend.
type interimRelay interface {
	relayInterim(status int, reason string, headers []Field) error
}

// backendResponse is a backend's final answer.
type backendResponse struct {
	// Proto is the status line's version ("HTTP/1.1", "HTTP/1.0").
	Proto      string
	ProtoMajor int
	ProtoMinor int
	// Status is the status code (100-999).
	Status int
	// Reason is the reason phrase as received ("" when missing).
	Reason string
	// StatusLine is the status line past "HTTP/x.y ", as received
	// (mod_proxy_http's r->status_line).
	StatusLine string
	// Headers are the header fields in order, names as sent, values
	// trimmed of surrounding whitespace; folded lines are joined as httpd
	// joins them. Framing fields (Content-Length, Transfer-Encoding,
	// Connection) are included: dropping hop-by-hop fields is the
	// caller's job.
	Headers Fields
	// HeadersValid reports that every header passes httpd's strict
	// check_header (respFieldValid): when false, httpd would refuse to
	// relay the answer and send a 500 (AH02429/AH02430).
	HeadersValid bool
	// Connection is the first Connection value of Headers ("" for none).
	Connection string
	// ContentLength is the number of bytes Body yields when known in
	// advance (0 when NoBody), else -1.
	ContentLength int64
	// Chunked: the body came in the chunked coding (Body decodes it).
	Chunked bool
	// IgnoredContentLength: the answer had both Transfer-Encoding and
	// Content-Length; Content-Length does not apply and must not be
	// relayed (httpd unsets it and closes the backend connection).
	IgnoredContentLength bool
	// NoBody: the answer has no body by rule (HEAD request, 1xx, 204,
	// 304); Body yields nothing.
	NoBody bool
	// Body yields the body (de-chunked, exactly ContentLength bytes, or
	// up to the connection's end), then io.EOF, possibly together with
	// the last bytes. A body that breaks off yields a *BackendError of
	// kind BackendBodyBroken: the caller should then abort the client
	// connection. Never nil.
	Body io.Reader
	// Trailers are the trailer fields of a chunked body, set when Body
	// has returned io.EOF.
	Trailers Fields
	// Conn is, for 101 Switching Protocols, the raw connection handed
	// over (bytes the backend already sent are read first). It is no
	// longer pooled; the caller closes it.
	Conn net.Conn
	// HeadBytes is the size of the status line and header section as
	// received, final empty line included.
	HeadBytes int
	// FirstByte is when the first byte of the answer arrived (of the
	// first interim response if there was one).
	FirstByte time.Time
	// BodySent reports that the whole request body reached the backend.
	// It is false when the backend answered before the body was sent
	// (mod_proxy_http's 100-continue rule, or an early answer): the rest
	// of the client's body was not read.
	BodySent bool
	// Reused: the exchange ran on an idle connection used before.
	Reused bool
	// KeepAlive reports that the connection may serve another request
	// once the body has been read.
	KeepAlive bool

	head     respHead
	body     respBody
	fieldBuf [16]Field
}

// Close releases the response: the connection goes back to the pool if
// the body was read to its end (or what is left of it is already
// buffered) and the answer allows keep-alive; else it is closed. Further
// Body reads fail. Close is idempotent and never closes Conn.
func (r *backendResponse) Close() error {
	r.body.close()
	return nil
}

// BackendErrorKind classifies backend failures for the status to answer.
type BackendErrorKind uint8

const (
	// BackendRefused: the connection was refused. 503.
	BackendRefused BackendErrorKind = iota + 1
	// BackendUnreachable: connecting failed otherwise (no route, connect
	// timeout, out of sockets). 503.
	BackendUnreachable
	// BackendDNS: the backend's name did not resolve. 500, as httpd
	// 2.4.x ("DNS lookup failure for:").
	BackendDNS
	// BackendTimeout: no complete answer, or the request could not be
	// sent, within the inactivity timeout. 504 (a project decision for
	// reads; httpd answers 504 for writes, 502 for reads).
	BackendTimeout
	// BackendHangUp: the backend closed or reset the connection before
	// answering, or sending the request failed. 502.
	BackendHangUp
	// BackendBadResponse: the answer is not valid HTTP/1.x (status line,
	// header lines, framing, too many interim answers, unexpected 101).
	// 502.
	BackendBadResponse
	// BackendClientBody: reading the request body from Body failed or it
	// ended early; Err is that error. The caller answers as for a broken
	// request body (400, 408, ...).
	BackendClientBody
	// BackendClientAbort: OnInterim failed (the client is gone). No
	// answer.
	BackendClientAbort
	// BackendCanceled: the context ended. No answer.
	BackendCanceled
	// BackendBodyBroken: the response body broke off (returned by
	// Body.Read): truncated, timed out, reset or badly chunked. The
	// caller aborts the client connection, as httpd does after
	// "error reading response" (ap_proxy_backend_broke).
	BackendBodyBroken
	// BackendBusy: MaxConns connections were open and none came free
	// within AcquireTimeout (or Timeout). 503, as httpd's SERVER_BUSY.
	BackendBusy
	// BackendTLS: the TLS handshake with an https backend failed.
	BackendTLS
)

var backendKindNames = [...]string{
	"", "connection refused", "backend unreachable", "DNS lookup failure",
	"backend timeout", "backend hung up", "bad backend response",
	"request body failed", "client aborted", "canceled",
	"response body broke off", "no free backend connection", "TLS handshake failed",
}

func (k BackendErrorKind) String() string {
	if int(k) < len(backendKindNames) && k != 0 {
		return backendKindNames[k]
	}
	return "backend error " + strconv.Itoa(int(k))
}

// Status is the HTTP status to answer the client with for this kind of
// failure, or 0 when there is none to send (abort the connection, or the
// caller decides).
func (k BackendErrorKind) Status() int {
	switch k {
	case BackendRefused, BackendUnreachable, BackendBusy:
		return 503
	case BackendDNS, BackendTLS:
		return 500
	case BackendTimeout:
		return 504
	case BackendHangUp, BackendBadResponse:
		return 502
	case BackendClientBody:
		return 400
	}
	return 0
}

// BackendError is a failed exchange with a backend.
type BackendError struct {
	Kind BackendErrorKind
	// Err is the underlying error.
	Err error
	// Reused: the failure happened on a reused idle connection (for
	// BackendHangUp, httpd then assumes a keep-alive race).
	Reused bool
	// GotBytes: part of an answer had arrived.
	GotBytes bool
}

func (e *BackendError) Error() string {
	if e.Err == nil {
		return e.Kind.String()
	}
	return e.Kind.String() + ": " + e.Err.Error()
}

func (e *BackendError) Unwrap() error { return e.Err }

// Status is e.Kind.Status().
func (e *BackendError) Status() int { return e.Kind.Status() }

func (p *BackendPool) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *BackendPool) maxIdle() int {
	switch {
	case p.MaxIdlePerHost == 0:
		return DefaultBackendMaxIdlePerHost
	case p.MaxIdlePerHost < 0:
		return 0
	}
	return p.MaxIdlePerHost
}

func (p *BackendPool) idleTimeout() time.Duration {
	if p.IdleTimeout == 0 {
		return DefaultBackendIdleTimeout
	}
	return p.IdleTimeout
}

func (p *BackendPool) continueTimeout() time.Duration {
	if p.ContinueTimeout == 0 {
		return DefaultBackendContinueTimeout
	}
	return p.ContinueTimeout
}

func (p *BackendPool) headOptions() respHeadOptions {
	return respHeadOptions{
		fieldSize: p.ResponseFieldSize,
		maxHead:   p.MaxResponseHeadBytes,
		ignoreBad: p.IgnoreBadHeader,
	}
}

// RoundTrip sends req and returns the backend's final answer. The caller
// reads resp.Body and must call resp.Close. Errors are *BackendError.
func (p *BackendPool) RoundTrip(ctx context.Context, req *backendRequest) (*backendResponse, error) {
	if err := ctx.Err(); err != nil {
		return nil, &BackendError{Kind: BackendCanceled, Err: err}
	}
	h := p.host(req.Addr, req.TLS)
	timeout := req.Timeout
	if timeout <= 0 {
		timeout = p.Timeout
		if timeout <= 0 {
			timeout = DefaultBackendTimeout
		}
	}
	st := beSendState{req: req}
	st.init()
	defer st.free()
	fresh := false
	for {
		c, reused, err := p.acquire(ctx, h, req, timeout, fresh)
		if err != nil {
			return nil, err
		}
		resp, err := p.exchange(ctx, c, &st, reused)
		if err == nil {
			return resp, nil
		}
		be, _ := err.(*BackendError)
		if be != nil && be.Kind == BackendHangUp && be.Reused && !be.GotBytes &&
			!fresh && req.Idempotent && st.rewind() && ctx.Err() == nil {
			fresh = true
			continue
		}
		return nil, err
	}
}

// acquire returns a live idle connection to h, or a new one.
func (p *BackendPool) acquire(ctx context.Context, h *backendHost, req *backendRequest, timeout time.Duration, fresh bool) (*backendConn, bool, error) {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		if !fresh {
			// One clock read for the idle list's expiry and the deadlines.
			now := time.Now()
			for {
				c := p.popIdle(h, now)
				if c == nil {
					break
				}
				c.begin(ctx, req, timeout, now)
				if c.alive() {
					return c, true, nil
				}
				c.release(false)
			}
		}
		ok, retry, w := h.reserve(req.MaxConns)
		if ok {
			break
		}
		if retry {
			fresh = false // at the cap, an idle connection will do
			continue
		}
		if timer == nil {
			d := req.AcquireTimeout
			if d <= 0 {
				d = timeout
			}
			timer = time.NewTimer(d)
		}
		var got *backendConn
		select {
		case got = <-w.ch:
		case <-ctx.Done():
			if h.leave(w) {
				return nil, false, &BackendError{Kind: BackendCanceled, Err: ctx.Err()}
			}
			got = <-w.ch // handed over as it gave up: use it
		case <-timer.C:
			if h.leave(w) {
				return nil, false, &BackendError{Kind: BackendBusy, Err: fmt.Errorf("all %d connections to %s busy", req.MaxConns, h.addr)}
			}
			got = <-w.ch
		}
		if got == nil {
			break // room for a new connection, counted for it
		}
		got.begin(ctx, req, timeout, time.Now())
		if got.alive() {
			return got, true, nil
		}
		got.release(false) // its room goes to the next in line; wait again
	}
	ct := req.ConnectTimeout
	if ct <= 0 {
		ct = p.ConnectTimeout
	}
	if ct <= 0 {
		ct = timeout
	}
	var nc net.Conn
	var err error
	if p.Dial != nil {
		dctx, cancel := context.WithTimeout(ctx, ct)
		nc, err = p.Dial(dctx, "tcp", h.addr)
		cancel()
	} else {
		// No keep-alive probes unless asked for: Go's default (15 s
		// probes) is four setsockopt calls per connection httpd does not
		// make.
		d := net.Dialer{Timeout: ct, KeepAlive: -1}
		if req.KeepAlive {
			d.KeepAliveConfig = net.KeepAliveConfig{Enable: true, Idle: -1, Interval: -1, Count: -1}
		}
		nc, err = d.DialContext(ctx, "tcp", h.addr)
		if err == nil {
			nc = ownConn(nc)
		}
	}
	if err != nil {
		h.gone()
		return nil, false, beDialErrorKind(ctx, err)
	}
	if h.tls != nil {
		tc := tls.Client(nc, h.tls)
		hctx, cancel := context.WithTimeout(ctx, ct)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			nc.Close()
			h.gone()
			if ctx.Err() != nil {
				return nil, false, &BackendError{Kind: BackendCanceled, Err: ctx.Err()}
			}
			return nil, false, &BackendError{Kind: BackendTLS, Err: err}
		}
		nc = tc
	}
	c := newBackendConn(p, h, nc)
	c.counted = true
	c.begin(ctx, req, timeout, time.Now())
	return c, false, nil
}

// beDialErrorKind: mod_proxy_http.c proxy_http_handler answers 503 when
// ap_proxy_connect_backend fails ("HTTP: failed to make connection to
// backend", AH01114), whatever the reason; a name that does not resolve is
// a 500 from ap_proxy_determine_connection (proxy_util.c, "DNS lookup
// failure for:").
func beDialErrorKind(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return &BackendError{Kind: BackendCanceled, Err: ctx.Err()}
	}
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr):
		return &BackendError{Kind: BackendDNS, Err: err}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &BackendError{Kind: BackendRefused, Err: err}
	}
	return &BackendError{Kind: BackendUnreachable, Err: err}
}

// beBodyPhase is how far the request body got.
type beBodyPhase uint8

const (
	beBodyNotStarted beBodyPhase = iota // head not sent yet
	beBodyWaiting                       // head sent, body held for 100-continue
	beBodySending                       // body partly sent, resumable
	beBodyDone                          // all sent
	beBodyAbandoned                     // will not be sent (further)
)

// beSendState is the request side of an exchange, kept across a retry.
type beSendState struct {
	req     *backendRequest
	c       *backendConn // the connection of the current attempt
	phase   beBodyPhase
	hasBody bool
	chunked bool
	left    int64 // Content-Length bytes still to send
	eof     bool  // Body is exhausted (chunked: last chunk still to send)
	touched bool  // something was read from Body
	buf     *[backendWriteBufSize]byte
	wire    []byte // the whole request as written once, for a retry
}

func (st *beSendState) init() {
	req := st.req
	st.hasBody = req.Body != nil && req.BodyLen != 0
	st.chunked = st.hasBody && req.BodyLen < 0
	st.left = req.BodyLen
}

func (st *beSendState) free() {
	if st.buf != nil {
		putBackendBuf(st.buf)
		st.buf = nil
		st.wire = nil
	}
}

// rewind prepares a second attempt; it reports false when the body cannot
// be sent again.
func (st *beSendState) rewind() bool {
	switch {
	case st.wire != nil:
	case !st.touched:
		st.phase = beBodyNotStarted
	default:
		return false
	}
	st.phase = beBodyNotStarted
	return true
}

// beClientBodyError marks a failure to read the request body.
type beClientBodyError struct{ err error }

func (e *beClientBodyError) Error() string { return e.err.Error() }

// sendHead writes the head, with as much of the body as fits in one write
// unless the body waits for 100-continue.
func (st *beSendState) sendHead(c *backendConn) (early bool, err error) {
	req := st.req
	if st.wire != nil { // a retry of a request written in one piece
		st.phase = beBodyDone
		return false, c.writeAndWait(st.wire)
	}
	if !st.hasBody {
		st.phase = beBodyDone
		return false, c.writeAndWait(req.Head)
	}
	if req.ExpectContinue {
		st.phase = beBodyWaiting
		return false, c.write(req.Head)
	}
	st.phase = beBodySending
	return st.sendBody(c, true)
}

// sendBody sends (the rest of) the body, with the head first when
// withHead. Between writes it checks whether the backend started to
// answer, and if so stops (early).
func (st *beSendState) sendBody(c *backendConn, withHead bool) (early bool, err error) {
	if st.buf == nil {
		st.buf = getBackendBuf()
	}
	buf := st.buf[:]
	head := st.req.Head
	if withHead && len(head) > len(buf)/2 {
		if err := c.write(head); err != nil {
			return false, err
		}
		withHead = false
	}
	st.phase = beBodySending
	first := true
	for {
		if !first && c.readable() {
			return true, nil
		}
		var out []byte
		var err error
		if st.chunked {
			out, err = st.fillChunk(buf, withHead)
		} else {
			out, err = st.fillLength(buf, withHead)
		}
		if err != nil {
			return false, err
		}
		if len(out) > 0 {
			if first && withHead && st.phase == beBodyDone {
				st.wire = out // the whole request in one piece, for a retry
			}
			if werr := c.write(out); werr != nil {
				return false, werr
			}
		}
		withHead = false
		first = false
		if st.phase == beBodyDone {
			return false, nil
		}
	}
}

// fillLength reads Content-Length body bytes into buf (after the head when
// withHead) until the buffer is full or the body complete.
func (st *beSendState) fillLength(buf []byte, withHead bool) ([]byte, error) {
	off := 0
	if withHead {
		off = copy(buf, st.req.Head)
	}
	for st.left > 0 && off < len(buf) {
		q := buf[off:]
		if int64(len(q)) > st.left {
			q = q[:st.left]
		}
		n, err := st.req.Body.Read(q)
		if n > 0 {
			st.touched = true
		}
		off += n
		st.left -= int64(n)
		if err != nil {
			if err == io.EOF {
				if st.left > 0 {
					return nil, &beClientBodyError{io.ErrUnexpectedEOF}
				}
				break
			}
			return nil, &beClientBodyError{err}
		}
	}
	if st.left == 0 {
		st.phase = beBodyDone
	}
	return buf[:off], nil
}

// fillChunk reads once from Body and frames what came as one chunk (with
// the head first when withHead); at the body's end it adds the last chunk
// and the trailers.
func (st *beSendState) fillChunk(buf []byte, withHead bool) ([]byte, error) {
	hl := 0
	if withHead {
		hl = len(st.req.Head)
	}
	dataAt := hl + chunkedHeaderRoom
	n := 0
	if !st.eof {
		// Leave room for the data's CRLF and a bare last chunk.
		q := buf[dataAt : len(buf)-7]
		for n == 0 {
			var err error
			n, err = st.req.Body.Read(q)
			if n > 0 {
				st.touched = true
			}
			if err == io.EOF {
				st.eof = true
				break
			}
			if err != nil {
				return nil, &beClientBodyError{err}
			}
		}
	}
	var out []byte
	if n > 0 {
		start := dataAt - chunkedHeaderLen(n)
		chunkedAppendHeader(buf[start:start], n)
		if withHead {
			start -= hl
			copy(buf[start:], st.req.Head)
		}
		out = append(buf[start:dataAt+n], '\r', '\n')
	} else if withHead {
		out = append(buf[:0], st.req.Head...)
	} else {
		out = buf[:0]
	}
	if st.eof {
		var tr []Field
		if st.req.Trailers != nil {
			tr = st.req.Trailers()
		}
		out = chunkedAppendLast(out, tr)
		st.phase = beBodyDone
	}
	return out, nil
}

// exchange runs one request on c and reads the final answer.
func (p *BackendPool) exchange(ctx context.Context, c *backendConn, st *beSendState, reused bool) (*backendResponse, error) {
	req := st.req
	st.c = c
	if kind, err := st.judge(st.sendHead(c)); kind != 0 {
		return nil, c.fail(ctx, kind, err, reused)
	}
	resp := req.Resp
	if resp == nil {
		resp = &backendResponse{}
	} else {
		*resp = backendResponse{}
	}
	resp.head.fields = resp.fieldBuf[:0]
	opts := p.headOptions()
	opts.strs = req.strs
	interim := 0
	for {
		if st.phase == beBodyWaiting {
			if ct := p.continueTimeout(); ct > 0 && ct < c.timeout {
				c.setReadDeadline(time.Now().Add(ct))
				_, err := c.br.Peek(1)
				c.setReadDeadline(time.Now().Add(c.timeout))
				if err != nil && beIsTimeout(err) && !c.canceled.Load() {
					// No word from the backend: send the body anyway.
					if kind, err := st.judge(st.sendBody(c, false)); kind != 0 {
						return nil, c.fail(ctx, kind, err, reused)
					}
					continue
				}
			}
		}
		raw, err := readRespHeadRaw(c.br, &opts)
		if err != nil {
			if err == io.EOF && !c.gotByte {
				return nil, c.fail(ctx, BackendHangUp, io.ErrUnexpectedEOF, reused)
			}
			return nil, c.fail(ctx, beHeadErrorKind(err), err, reused)
		}
		h := &resp.head
		if err := parseRespHead(raw, h, &opts); err != nil {
			return nil, c.fail(ctx, BackendBadResponse, err, reused)
		}
		if h.status < 200 && h.status != 101 {
			interim++
			if interim >= respMaxInterim {
				return nil, c.fail(ctx, BackendBadResponse, errRespTooManyInter, reused)
			}
			var err error
			switch {
			case req.OnInterim != nil:
				err = req.OnInterim(h.status, h.reason, h.fields)
			case req.Interim != nil:
				err = req.Interim.relayInterim(h.status, h.reason, h.fields)
			}
			if err != nil {
				return nil, c.fail(ctx, BackendClientAbort, err, reused)
			}
			if (st.phase == beBodyWaiting && h.status == 100) || st.phase == beBodySending {
				if kind, err := st.judge(st.sendBody(c, false)); kind != 0 {
					return nil, c.fail(ctx, kind, err, reused)
				}
			}
			continue
		}
		// The final answer.
		switch st.phase {
		case beBodyWaiting:
			// mod_proxy_http.c: after a final answer to 100-continue, the
			// body is sent if the backend keeps the connection (HTTP/1.1
			// without Connection: close), and before a 101's tunnel.
			if h.status == 101 || (!h.connClose && h.minor > 0) {
				if kind, err := st.judge(st.sendBody(c, false)); kind != 0 {
					return nil, c.fail(ctx, kind, err, reused)
				}
			}
			if st.phase != beBodyDone {
				st.phase = beBodyAbandoned
			}
		case beBodySending:
			st.phase = beBodyAbandoned
		}
		if err := p.finish(c, c.br, st, resp, raw, reused); err != nil {
			return nil, c.fail(ctx, BackendBadResponse, err, reused)
		}
		return resp, nil
	}
}

// judge judges the outcome of sending: kind 0 lets the exchange go on
// to read the answer (also after a failed write when an answer is
// waiting, the body then abandoned); else the exchange fails with kind.
func (st *beSendState) judge(early bool, err error) (BackendErrorKind, error) {
	c := st.c
	if early || err == nil {
		return 0, nil
	}
	var cbe *beClientBodyError
	if errors.As(err, &cbe) {
		return BackendClientBody, cbe.err
	}
	if !c.canceled.Load() && c.readable() {
		st.phase = beBodyAbandoned
		return 0, nil
	}
	return beIOErrorKind(err), err
}

// fail ends a failed exchange: the connection is closed.
func (c *backendConn) fail(ctx context.Context, kind BackendErrorKind, err error, reused bool) error {
	c.noReuse = true
	gotBytes := c.gotByte
	if c.canceled.Load() || (ctx.Err() != nil && kind == BackendTimeout) {
		kind, err = BackendCanceled, context.Cause(ctx)
	}
	c.release(false)
	return &BackendError{Kind: kind, Err: err, Reused: reused, GotBytes: gotBytes}
}

// finish sets up the final response and its body, read from br; c is the
// connection to release at the body's end (nil when there is none).
func (p *BackendPool) finish(c *backendConn, br *bufio.Reader, st *beSendState, resp *backendResponse, raw string, reused bool) error {
	h := &resp.head
	req := st.req
	resp.Proto, resp.ProtoMajor, resp.ProtoMinor = h.proto, h.major, h.minor
	resp.Status, resp.Reason, resp.StatusLine = h.status, h.reason, h.statusLine
	resp.Headers = h.fields
	resp.HeadersValid = h.clean
	resp.Connection = h.connection
	resp.HeadBytes = len(raw)
	if c != nil {
		resp.FirstByte = c.firstByte
	}
	resp.BodySent = st.phase == beBodyDone
	resp.Reused = reused
	resp.ContentLength = -1

	keep := !req.NoReuse && !h.connClose && h.minor > 0 && st.phase == beBodyDone
	isHead := len(req.Head) >= 5 && string(req.Head[:5]) == "HEAD "
	b := &resp.body
	b.resp = resp
	b.br = br
	b.c = c
	resp.Body = b
	switch {
	case h.status == 101:
		if req.Upgrade == "" || h.upgrade == "" || !asciiEqualFold(h.upgrade, req.Upgrade) {
			return &upgradeError{got: h.upgrade, want: req.Upgrade}
		}
		resp.NoBody = true
		resp.ContentLength = 0
		b.mode = respBodyNone
		b.c, b.br = nil, nil
		if c != nil {
			resp.Conn = c.detach()
		}
		return nil
	case isHead || h.status < 200 || h.status == 204 || h.status == 304:
		resp.NoBody = true
		resp.ContentLength = 0
		b.mode = respBodyNone
		if h.hasTE && h.clCount > 0 {
			// mod_proxy_http unsets Content-Length beside a
			// Transfer-Encoding before it looks at the status or the
			// method, and closes the backend connection (AH01107).
			resp.IgnoredContentLength = true
			keep = false
		}
	case h.hasTE:
		// RFC 9112 6.3 / http_filters.c: chunked as the final coding, else
		// read until close; Content-Length is then ignored and the
		// connection not reused (mod_proxy_http.c, AH01107).
		if h.clCount > 0 {
			resp.IgnoredContentLength = true
			keep = false
		}
		if respIsChunked(h.te) {
			resp.Chunked = true
			b.mode = respBodyChunked
			b.ck.reset(br, req.Unsafe)
			// Relay chunk by chunk, as httpd's HTTP_IN filter hands a
			// proxied body over: the client then gets the same chunks.
			b.ck.oneChunk = true
		} else {
			b.mode = respBodyClose
			keep = false
		}
	case h.clCount > 0:
		if h.clDiffer {
			return errRespCLConflict
		}
		n, ok := respParseLength(h.cl)
		if !ok {
			return errRespCL
		}
		resp.ContentLength = n
		b.mode = respBodyLength
		b.left = n
	default:
		b.mode = respBodyClose
		keep = false
	}
	resp.KeepAlive = keep
	b.keep = keep
	if b.mode == respBodyNone || (b.mode == respBodyLength && b.left == 0) {
		b.mode = respBodyNone
		b.release(true)
	}
	return nil
}

// beIOErrorKind classifies a failed read or write on the connection.
func beIOErrorKind(err error) BackendErrorKind {
	if beIsTimeout(err) {
		return BackendTimeout
	}
	return BackendHangUp
}

// beHeadErrorKind classifies a failure to read a response head.
func beHeadErrorKind(err error) BackendErrorKind {
	var re *respError
	if errors.As(err, &re) {
		return BackendBadResponse
	}
	return beIOErrorKind(err)
}

func beIsTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// respBodyMode is how a response body is delimited.
type respBodyMode uint8

const (
	respBodyNone respBodyMode = iota
	respBodyLength
	respBodyChunked
	respBodyClose
)

// respBody reads a response body off the connection and releases the
// connection when the body ends.
type respBody struct {
	resp *backendResponse
	c    *backendConn // nil once released
	br   *bufio.Reader
	mode respBodyMode
	left int64
	keep bool
	ck   chunkedReader
	err  error
}

var errRespBodyClosed = errors.New("backend response body closed")

func (b *respBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	switch b.mode {
	case respBodyNone:
		b.err = io.EOF
		return 0, io.EOF
	case respBodyLength:
		if int64(len(p)) > b.left {
			p = p[:b.left]
		}
		n, err := b.br.Read(p)
		b.left -= int64(n)
		if b.left == 0 {
			b.err = io.EOF
			b.release(true)
			return n, io.EOF
		}
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return n, b.broke(err)
		}
		return n, nil
	case respBodyChunked:
		n, err := b.ck.Read(p)
		if err == io.EOF {
			b.resp.Trailers = b.ck.trailers
			b.err = io.EOF
			b.release(true)
			return n, io.EOF
		}
		if err != nil {
			return n, b.broke(err)
		}
		return n, nil
	default: // respBodyClose
		n, err := b.br.Read(p)
		if err == io.EOF {
			b.err = io.EOF
			b.release(false)
			return n, io.EOF
		}
		if err != nil {
			return n, b.broke(err)
		}
		return n, nil
	}
}

// buffered reports how much of the body can be read without waiting for
// the backend (a lower bound; 0 when the next read may block). The relay
// flushes to the client only when it is 0.
func (b *respBody) buffered() int {
	if b.err != nil || b.br == nil {
		return 0
	}
	n := b.br.Buffered()
	switch b.mode {
	case respBodyLength:
		return int(min(int64(n), b.left))
	case respBodyChunked:
		return b.ck.ready()
	case respBodyClose:
		return n
	}
	return 0
}

// arrived reports whether the whole of a Content-Length body can be read
// without waiting: it takes what the socket holds already, reading only
// while the socket is readable, as a non-blocking read would.
func (b *respBody) arrived() bool {
	if b.mode != respBodyLength || b.err != nil || b.br == nil {
		return false
	}
	for int64(b.br.Buffered()) < b.left {
		if b.c == nil || !b.c.socketReadable() {
			return false
		}
		if _, err := b.br.Peek(b.br.Buffered() + 1); err != nil {
			return false
		}
	}
	return true
}

// broke ends the body with an error and closes the connection.
func (b *respBody) broke(err error) error {
	if b.c != nil && b.c.canceled.Load() {
		err = context.Canceled
	}
	b.err = &BackendError{Kind: BackendBodyBroken, Err: err, GotBytes: true}
	b.release(false)
	return b.err
}

// release gives the connection back (reuse when allowed) or closes it.
func (b *respBody) release(ok bool) {
	if b.c == nil {
		return
	}
	c := b.c
	b.c, b.br = nil, nil
	b.ck.br = nil
	c.release(ok && b.keep)
}

// close is backendResponse.Close: what is left of a Content-Length body
// that is already buffered is skipped so the connection can be reused.
func (b *respBody) close() {
	if b.c != nil {
		reuse := false
		if b.err == nil && b.mode == respBodyLength && b.left <= int64(b.br.Buffered()) {
			_, _ = b.br.Discard(int(b.left))
			b.left = 0
			reuse = true
		}
		b.release(reuse)
	}
	if b.err == nil {
		b.err = errRespBodyClosed
	}
}
