//go:build linux

package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// The backend is the application behind every proxy: a plain net/http
// server that answers every path with a fixed body and the two internal
// headers the proxies must log and strip,
//
//	X-JL6-CID: 17
//	X-JL6-OID: 42 (or the value of the "check" query parameter)
//
// /b100 answers 100 bytes, /b64k 64 KiB and /b1m 1 MiB. It counts the
// requests it served; the harness reads the count from a second listener
// (-admin), so that it knows how many requests each proxy passed on and
// can compare that with the proxy's access-log lines.

const (
	headerCID = "X-JL6-CID"
	headerOID = "X-JL6-OID"
	valueCID  = "17"
	valueOID  = "42"
)

// bodySizes maps the backend's paths to their body sizes.
var bodySizes = map[string]int{
	"/b100": 100,
	"/b64k": 64 << 10,
	"/b1m":  1 << 20,
}

func runBackend(args []string) int {
	fs := flag.NewFlagSet("backend", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "address to serve on")
	admin := fs.String("admin", "127.0.0.1:0", "address of the request counter")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var served atomic.Int64
	// The X-Forwarded-* fields of the check requests, by check number,
	// for the harness's check that every proxy sends them (checkPeer).
	var fwdMu sync.Mutex
	forwarded := map[string]string{}
	bodies := map[string][]byte{}
	for path, n := range bodySizes {
		b := bytes.Repeat([]byte("0123456789abcdef"), n/16+1)[:n-1]
		bodies[path] = append(b, '\n')
	}
	lens := map[string]string{}
	for path, b := range bodies {
		lens[path] = strconv.Itoa(len(b))
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		body, ok := bodies[r.URL.Path]
		if !ok {
			body = bodies["/b100"]
		}
		oid := valueOID
		if r.URL.RawQuery != "" {
			if v := r.URL.Query().Get("check"); v != "" {
				oid = v
				fwdMu.Lock()
				forwarded[v] = r.Header.Get("X-Forwarded-For") + "|" + r.Header.Get("X-Forwarded-Host") + "|" + r.Header.Get("X-Forwarded-Server")
				fwdMu.Unlock()
			}
		}
		hdr := w.Header()
		hdr["Content-Type"] = []string{"text/plain"}
		hdr["Content-Length"] = []string{strconv.Itoa(len(body))}
		hdr[headerCID] = []string{valueCID}
		hdr[headerOID] = []string{oid}
		_, _ = w.Write(body)
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "backend:", err)
		return 1
	}
	aln, err := net.Listen("tcp", *admin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "backend:", err)
		return 1
	}
	go func() {
		_ = http.Serve(aln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/forwarded" {
				fwdMu.Lock()
				v := forwarded[r.URL.Query().Get("check")]
				fwdMu.Unlock()
				_, _ = io.WriteString(w, v)
				return
			}
			_, _ = io.WriteString(w, strconv.FormatInt(served.Load(), 10))
		}))
	}()
	// The harness reads the two addresses from the first line of stdout.
	fmt.Printf("%s %s\n", ln.Addr(), aln.Addr())
	srv := &http.Server{Handler: h, IdleTimeout: 10 * time.Minute, ReadHeaderTimeout: time.Minute}
	err = srv.Serve(ln)
	fmt.Fprintln(os.Stderr, "backend:", err)
	return 1
}
