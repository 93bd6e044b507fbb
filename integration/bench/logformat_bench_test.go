package bench

// Benchmarks of the Apache "combined" access-log line,
//
//	%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"
//
// for one fixed request (GET /p/hello?x=1 HTTP/1.1 from 127.0.0.1, a
// Referer, a User-Agent with a quote, a backslash and a non-ASCII character,
// status 200, a 5-byte body), rendered by logproxy's logformat and by
// gorilla/handlers v1.5.2. Three levels, each comparing like with like:
//
// Append (logproxy only): Format.Append of a Record filled beforehand from
// the request, into a reused buffer. This is what the proxy itself calls.
// gorilla has no counterpart: its formatting starts from an *http.Request.
//
// Formatter: a gorilla handlers.LogFormatter, called directly with the
// LogFormatterParams gorilla's handler would pass, writing to a discarding
// io.Writer (countingWriter).
//   - gorilla: writeCombinedLog, the formatter of CombinedLoggingHandler,
//     read out of the handler (see gorillaCombined). Per line it allocates a
//     buffer, formats the time with time.Time.Format, converts the status
//     with strconv.Itoa, escapes the URI, Referer and User-Agent, and writes.
//   - logproxy: logproxyCombined: takes a pooled Record, fills it from the
//     same parameters (client address, request line, URL, user, status,
//     size, and a copy of every request header), Appends, and writes.
//
// Handler: the whole gorilla logging handler serving the request, with the
// inner handler writing status 200 and the 5-byte body to a reused minimal
// ResponseWriter (nopResponseWriter), the log going to countingWriter.
//   - gorilla: handlers.CombinedLoggingHandler(w, okHandler).
//   - logproxy: handlers.CustomLoggingHandler(w, okHandler,
//     logproxyCombined(f)): the same handler code (time.Now, the httpsnoop
//     wrapper that captures status and size, the URL copy), so both sides
//     pay the same handler overhead and differ only in the formatter.
//
// Time: logformat renders %t once per second and reuses the text, as httpd
// does; gorilla formats the time for every line. The sameSecond benchmarks
// log every line at the same instant (the cache always hits, as for a busy
// server); newSecond moves the time one second per line, so logproxy misses
// its cache on every line (its worst case; gorilla is unaffected). The
// Handler benchmarks use the real clock, as in production. The Formatter
// benchmarks pass times in UTC and compile logproxy's format with
// Location UTC; the Handler ones use time.Local on both sides (gorilla
// writes time.Now() in its own zone, Local).

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/handlers"
)

// BenchmarkAppend is logproxy alone: Format.Append of a ready Record.
func BenchmarkAppend(b *testing.B) {
	f := mustCompile(time.UTC)
	run := func(b *testing.B, tick time.Duration) {
		r := recordFor(newRequest(benchUA), benchBegin)
		buf := make([]byte, 0, 1024)
		b.ReportAllocs()
		for b.Loop() {
			r.Begin = r.Begin.Add(tick)
			buf = f.Append(buf[:0], r)
		}
		b.SetBytes(int64(len(buf)))
	}
	b.Run("logproxy/sameSecond", func(b *testing.B) { run(b, 0) })
	b.Run("logproxy/newSecond", func(b *testing.B) { run(b, time.Second) })
}

// BenchmarkFormatter calls each peer's LogFormatter with the same
// LogFormatterParams, as gorilla's logging handler calls it.
func BenchmarkFormatter(b *testing.B) {
	gorilla, err := gorillaCombined()
	if err != nil {
		b.Skip(err)
	}
	peers := []struct {
		name string
		f    handlers.LogFormatter
	}{
		{"gorilla", gorilla},
		{"logproxy", logproxyCombined(mustCompile(time.UTC))},
	}
	for _, peer := range peers {
		for _, tc := range []struct {
			name string
			tick time.Duration
		}{{"sameSecond", 0}, {"newSecond", time.Second}} {
			b.Run(peer.name+"/"+tc.name, func(b *testing.B) {
				p := newParams(newRequest(benchUA), benchBegin)
				w := &countingWriter{}
				b.ReportAllocs()
				for b.Loop() {
					p.TimeStamp = p.TimeStamp.Add(tc.tick)
					peer.f(w, p)
				}
				b.SetBytes(int64(w.last))
			})
		}
	}
}

// BenchmarkHandler serves the request through gorilla's logging handler,
// with gorilla's combined formatter or with logproxy's.
func BenchmarkHandler(b *testing.B) {
	peers := []struct {
		name string
		h    func(io.Writer) http.Handler
	}{
		{"gorilla", func(w io.Writer) http.Handler { return handlers.CombinedLoggingHandler(w, okHandler) }},
		{"logproxy", func(w io.Writer) http.Handler {
			return handlers.CustomLoggingHandler(w, okHandler, logproxyCombined(mustCompile(time.Local)))
		}},
	}
	for _, peer := range peers {
		b.Run(peer.name, func(b *testing.B) {
			w := &countingWriter{}
			h := peer.h(w)
			req := newRequest(benchUA)
			rw := newResponseWriter()
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(rw, req)
			}
			b.SetBytes(int64(w.last))
		})
	}
}

// countingWriter is the log destination of the Formatter and Handler
// benchmarks: io.Discard that also remembers the length of the last write,
// for b.SetBytes. Both peers write each line to it in one Write call.
type countingWriter struct{ last int }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.last = len(p)
	return len(p), nil
}
