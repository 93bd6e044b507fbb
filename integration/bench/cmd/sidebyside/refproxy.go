//go:build linux

package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/jl6/logproxy/logformat"
)

// The reference proxy: the standard library's httputil.ReverseProxy with
// the same job as the others (keep-alive to the backend, X-JL6-* removed
// from the response, one access-log line per request with the backend's
// values), written the obvious way. It is what "just use Go's reverse
// proxy" costs, for comparison with logproxy; the line is rendered with
// logproxy's logformat, so the difference is in the proxying.

const refFormat = `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %{X-JL6-CID}o %{X-JL6-OID}o`

type refState struct {
	status int
	bytes  int64
	cid    string
	oid    string
}

type refKey struct{}

type refWriter struct {
	http.ResponseWriter
	st *refState
}

func (w *refWriter) WriteHeader(code int) {
	if w.st.status == 0 {
		w.st.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *refWriter) Write(b []byte) (int, error) {
	if w.st.status == 0 {
		w.st.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.st.bytes += int64(n)
	return n, err
}

// refSetup reads the flags of a reference proxy (name is its
// subcommand) and makes what it needs: the format of its line and its
// access log. A code other than 0 is the exit status of a proxy that
// cannot run.
func refSetup(name string, args []string) (addr, backend string, f *logformat.Format, out *os.File, code int) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fAddr := fs.String("addr", "127.0.0.1:0", "address to serve on")
	fBackend := fs.String("backend", "", "backend address host:port")
	logPath := fs.String("log", "", "access log file")
	if err := fs.Parse(args); err != nil {
		return "", "", nil, nil, 2
	}
	f, err := logformat.Compile(refFormat, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		return "", "", nil, nil, 1
	}
	out, err = os.OpenFile(*logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		return "", "", nil, nil, 1
	}
	return *fAddr, *fBackend, f, out, 0
}

func runRefProxy(args []string) int {
	addr, backend, f, out, code := refSetup("httputil", args)
	if code != 0 {
		return code
	}
	target := &url.URL{Scheme: "http", Host: backend}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host // the client's Host, as the other proxies send
			// X-Forwarded-For and -Host (and -Proto); the third field
			// Apache's mod_proxy adds by default:
			pr.SetXForwarded()
			pr.Out.Header.Set("X-Forwarded-Server", "localhost")
		},
	}
	rp.Transport = &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        64,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     5 * time.Minute,
	}
	rp.ModifyResponse = func(resp *http.Response) error {
		if st, ok := resp.Request.Context().Value(refKey{}).(*refState); ok {
			st.cid = resp.Header.Get(headerCID)
			st.oid = resp.Header.Get(headerOID)
		}
		resp.Header.Del(headerCID)
		resp.Header.Del(headerOID)
		return nil
	}
	pool := sync.Pool{New: func() any { return &refLine{buf: make([]byte, 0, 512)} }}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		begin := time.Now()
		st := &refState{}
		rp.ServeHTTP(&refWriter{ResponseWriter: w, st: st}, r.WithContext(context.WithValue(r.Context(), refKey{}, st)))
		ln := pool.Get().(*refLine)
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		rec := &ln.rec
		rec.RemoteHost, rec.RemoteIP = host, host
		rec.Begin, rec.End = begin, time.Now()
		rec.Final.Line = r.Method + " " + r.RequestURI + " " + r.Proto
		rec.Final.Status = st.status
		rec.Final.BodyBytes = st.bytes
		rec.Final.HeadersIn = append(rec.Final.HeadersIn[:0],
			logformat.Field{Name: "Referer", Value: r.Header.Get("Referer")},
			logformat.Field{Name: "User-Agent", Value: r.Header.Get("User-Agent")})
		rec.Final.HeadersOut = rec.Final.HeadersOut[:0]
		if st.cid != "" {
			rec.Final.HeadersOut = append(rec.Final.HeadersOut, logformat.Field{Name: headerCID, Value: st.cid})
		}
		if st.oid != "" {
			rec.Final.HeadersOut = append(rec.Final.HeadersOut, logformat.Field{Name: headerOID, Value: st.oid})
		}
		ln.buf = f.Append(ln.buf[:0], rec)
		_, _ = out.Write(ln.buf)
		pool.Put(ln)
	})
	l, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "httputil:", err)
		return 1
	}
	srv := &http.Server{Handler: h, IdleTimeout: 5 * time.Minute, ReadHeaderTimeout: time.Minute}
	err = srv.Serve(l)
	fmt.Fprintln(os.Stderr, "httputil:", err)
	return 1
}

type refLine struct {
	rec logformat.Record
	buf []byte
}
