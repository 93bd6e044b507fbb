package bench

// The fixtures shared by the benchmarks and the tests: one fixed request,
// the two peers' combined-log formatters, and a minimal ResponseWriter.

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"time"
	"unsafe"

	"github.com/gorilla/handlers"
	"github.com/jl6/logproxy/logformat"
)

// combinedFormat is Apache's "combined" LogFormat (httpd.conf's default
// spelling, with %b: "-" for an empty body).
const combinedFormat = `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"`

const (
	benchTarget  = "/p/hello?x=1"
	benchRemote  = "127.0.0.1:43522"
	benchReferer = "http://ref.test/page?a=b"
	// benchUA has a quote and a backslash, which both peers escape the same
	// way, and a non-ASCII character (é, UTF-8 c3 a9), which httpd writes
	// as \xc3\xa9 and gorilla writes raw: the lines differ by those bytes.
	benchUA = `Mozilla/5.0 (X11; Linux x86_64) "quoted" \ é`
	// plainUA is ASCII with nothing to escape: both peers write it as is.
	plainUA = `Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0`

	benchStatus = http.StatusOK
)

// benchBody is the 5-byte response body.
var benchBody = []byte("hello")

// benchBegin is the fixed start time of the request.
var benchBegin = time.Date(2026, 11, 21, 22, 11, 49, 130302000, time.UTC)

// newRequest returns the fixed request as net/http's server would hand it
// to a handler: GET /p/hello?x=1 HTTP/1.1 from 127.0.0.1, with a Referer and
// the given User-Agent.
func newRequest(ua string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, benchTarget, nil)
	req.RemoteAddr = benchRemote
	req.Header.Set("Referer", benchReferer)
	req.Header.Set("User-Agent", ua)
	return req
}

// newParams returns what gorilla's logging handler hands its formatter for
// the fixed request: the request, a copy of its URL, the start time, the
// status and the body size.
func newParams(req *http.Request, ts time.Time) handlers.LogFormatterParams {
	return handlers.LogFormatterParams{
		Request:    req,
		URL:        *req.URL,
		TimeStamp:  ts,
		StatusCode: benchStatus,
		Size:       len(benchBody),
	}
}

// okHandler is the application behind the logging handlers: status 200 and
// the 5-byte body, no headers.
var okHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(benchStatus)
	_, _ = w.Write(benchBody)
})

// nopResponseWriter is the smallest http.ResponseWriter: it keeps the status
// and counts the body, like httptest.ResponseRecorder without the buffering
// and header snapshots (which allocate). One is reused for every request. It
// implements none of the optional interfaces (Flusher, Hijacker, ...), so
// httpsnoop picks its plainest wrapper.
type nopResponseWriter struct {
	header http.Header
	status int
	n      int
}

func newResponseWriter() *nopResponseWriter {
	return &nopResponseWriter{header: make(http.Header)}
}

func (w *nopResponseWriter) Header() http.Header { return w.header }

func (w *nopResponseWriter) WriteHeader(status int) { w.status = status }

func (w *nopResponseWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	return len(p), nil
}

// gorillaCombined returns the LogFormatter that handlers.CombinedLoggingHandler
// uses: gorilla's unexported writeCombinedLog. gorilla exports no part of its
// formatter (buildCommonLogLine and appendQuoted are unexported too), so to
// time the formatting without the handler around it the function value is
// read out of the handler that CombinedLoggingHandler returns: an unexported
// struct whose "formatter" field holds it. TestHandlersSameLine
// checks that it writes what the handler writes.
func gorillaCombined() (handlers.LogFormatter, error) {
	h := handlers.CombinedLoggingHandler(io.Discard, okHandler)
	v := reflect.ValueOf(h)
	if v.Kind() != reflect.Struct {
		return nil, errors.New("gorilla: CombinedLoggingHandler no longer returns a struct")
	}
	addressable := reflect.New(v.Type()).Elem()
	addressable.Set(v)
	fv := addressable.FieldByName("formatter")
	if !fv.IsValid() || fv.Type() != reflect.TypeFor[handlers.LogFormatter]() {
		return nil, errors.New("gorilla: the logging handler has no formatter field of type LogFormatter")
	}
	f := *(*handlers.LogFormatter)(unsafe.Pointer(fv.UnsafeAddr()))
	if f == nil {
		return nil, errors.New("gorilla: the combined formatter is nil")
	}
	return f, nil
}

func mustCompile(loc *time.Location) *logformat.Format {
	f, err := logformat.Compile(combinedFormat, &logformat.Options{Location: loc})
	if err != nil {
		panic(err)
	}
	return f
}

// lineState is what the logproxy formatter needs per line: a Record, the
// scratch bytes behind the strings it builds (the request line, merged
// header values), and the output buffer. A sync.Pool hands them out, so the
// formatter is safe for concurrent requests and allocates nothing once warm.
type lineState struct {
	rec     logformat.Record
	scratch []byte
	out     []byte
}

var statePool = sync.Pool{New: func() any {
	return &lineState{scratch: make([]byte, 0, 512), out: make([]byte, 0, 1024)}
}}

// scratchString appends the parts to st.scratch and returns them as one
// string sharing its bytes. The string is only read while the line is
// rendered, before st is reused; appends that move st.scratch leave the
// bytes it points at in place.
func (st *lineState) scratchString(parts ...string) string {
	start := len(st.scratch)
	for _, p := range parts {
		st.scratch = append(st.scratch, p...)
	}
	if len(st.scratch) == start {
		return ""
	}
	return unsafe.String(&st.scratch[start], len(st.scratch)-start)
}

// fillRecord fills st.rec from what gorilla's handler knows of a request:
// the same inputs writeCombinedLog reads, and in the same way where the
// combined line is concerned (the client address from RemoteAddr, the user
// from the URL's userinfo, RequestURI for the request line, the start time,
// the status and body size the ResponseWriter saw). Every request header is
// copied, as the proxy does, not just the two the combined line shows.
func fillRecord(st *lineState, p *handlers.LogFormatterParams) {
	req := p.Request
	st.scratch = st.scratch[:0]
	hdr := st.rec.Final.HeadersIn[:0]
	st.rec = logformat.Record{}

	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		host = req.RemoteAddr
	}
	st.rec.RemoteIP, st.rec.PeerIP = host, host
	st.rec.RemoteHost, st.rec.PeerHost = host, host
	st.rec.Begin, st.rec.End = p.TimeStamp, p.TimeStamp // the formatter is not told when the request ended

	q := &st.rec.Final
	uri := req.RequestURI
	if uri == "" {
		uri = p.URL.RequestURI()
	}
	q.Line = st.scratchString(req.Method, " ", uri, " ", req.Proto)
	q.Method = req.Method
	q.URI = p.URL.Path
	q.Query, q.HasQuery = p.URL.RawQuery, p.URL.ForceQuery || p.URL.RawQuery != ""
	q.Protocol = req.Proto
	q.Status = p.StatusCode
	q.BodyBytes = int64(p.Size)
	if p.URL.User != nil {
		q.User = p.URL.User.Username()
		q.HasUser = q.User != ""
	}

	if req.Host != "" {
		hdr = append(hdr, logformat.Field{Name: "Host", Value: req.Host})
	}
	for name, vs := range req.Header {
		switch len(vs) {
		case 0:
		case 1:
			hdr = append(hdr, logformat.Field{Name: name, Value: vs[0]})
		default: // httpd merges a repeated request header with ", "
			start := len(st.scratch)
			for i, v := range vs {
				if i > 0 {
					st.scratch = append(st.scratch, ", "...)
				}
				st.scratch = append(st.scratch, v...)
			}
			hdr = append(hdr, logformat.Field{Name: name, Value: unsafe.String(&st.scratch[start], len(st.scratch)-start)})
		}
	}
	q.HeadersIn = hdr
}

// reset drops the references st holds into the last request before it goes
// back to the pool.
func (st *lineState) reset() {
	hdr := st.rec.Final.HeadersIn
	clear(hdr)
	st.rec = logformat.Record{}
	st.rec.Final.HeadersIn = hdr[:0]
}

// logproxyCombined returns a gorilla LogFormatter that writes the combined
// line with logproxy's logformat: it fills a pooled Record from the
// parameters (fillRecord), renders it with Append into a pooled buffer, and
// writes the buffer to w in one Write, as gorilla's writeCombinedLog does.
func logproxyCombined(f *logformat.Format) handlers.LogFormatter {
	return func(w io.Writer, p handlers.LogFormatterParams) {
		st := statePool.Get().(*lineState)
		fillRecord(st, &p)
		st.out = f.Append(st.out[:0], &st.rec)
		_, _ = w.Write(st.out)
		st.reset()
		statePool.Put(st)
	}
}

// recordFor returns a Record filled by fillRecord for req, detached from
// any pool: the strings it points at stay valid.
func recordFor(req *http.Request, ts time.Time) *logformat.Record {
	st := &lineState{}
	p := newParams(req, ts)
	fillRecord(st, &p)
	return &st.rec
}
