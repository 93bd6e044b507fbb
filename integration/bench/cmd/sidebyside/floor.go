//go:build linux

package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"
	"unsafe"

	"github.com/jl6/logproxy/logformat"
)

// The floor: the least a Go program spends on the benchmark's job, as a
// reference for what the runtime itself costs. A goroutine per client
// connection (Go's network poller, as logproxy), one backend connection
// pinned to each client connection, the request head forwarded as it came
// with the three X-Forwarded fields added, the answer's head scanned only
// for its status, length and the X-JL6 fields (dropped), the body copied
// through, and the line rendered with logproxy's logformat and written
// with one write(2). It is not a proxy: GET and HEAD without a body and
// answers with a Content-Length are all it takes; anything else closes
// the connection. No limits, no timeouts, no HTTP rules beyond that.

const floorBuf = 64 << 10

func runFloor(args []string) int {
	addr, backend, f, out, code := refSetup("floor", args)
	if code != 0 {
		return code
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		return 1
	}
	fwd := []byte("X-Forwarded-For: 127.0.0.1\r\nX-Forwarded-Host: " + l.Addr().String() + "\r\nX-Forwarded-Server: localhost\r\n\r\n")
	for {
		c, err := l.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, "floor:", err)
			return 1
		}
		fc := &floorConn{c: c, backend: backend, format: f, log: out, fwd: fwd}
		go fc.serve()
	}
}

type floorConn struct {
	c       net.Conn
	be      net.Conn
	backend string
	format  *logformat.Format
	log     *os.File
	fwd     []byte

	in, beBuf, send, line []byte
	rec                   logformat.Record
}

func (fc *floorConn) serve() {
	defer fc.c.Close()
	defer func() {
		if fc.be != nil {
			fc.be.Close()
		}
	}()
	fc.in = make([]byte, 0, 16<<10)
	fc.beBuf = make([]byte, floorBuf)
	for fc.one() {
	}
}

// one serves one request; false ends the connection.
func (fc *floorConn) one() bool {
	end := -1
	for end < 0 {
		if len(fc.in) == cap(fc.in) {
			return false
		}
		n, err := fc.c.Read(fc.in[len(fc.in):cap(fc.in)])
		if err != nil {
			return false
		}
		fc.in = fc.in[:len(fc.in)+n]
		end = bytes.Index(fc.in, []byte("\r\n\r\n"))
	}
	begin := time.Now()
	head := fc.in[:end+2]
	rl := head[:bytes.IndexByte(head, '\r')]
	if floorField(head, "Content-Length") != nil || floorField(head, "Transfer-Encoding") != nil {
		return false
	}
	if fc.be == nil {
		be, err := net.Dial("tcp", fc.backend)
		if err != nil {
			return false
		}
		fc.be = be
	}
	fc.send = append(append(fc.send[:0], head...), fc.fwd...)
	if _, err := fc.be.Write(fc.send); err != nil {
		return false
	}

	// The answer's head.
	got, hend := 0, -1
	for hend < 0 {
		if got == len(fc.beBuf) {
			return false
		}
		n, err := fc.be.Read(fc.beBuf[got:])
		if err != nil {
			return false
		}
		got += n
		hend = bytes.Index(fc.beBuf[:got], []byte("\r\n\r\n"))
	}
	rh := fc.beBuf[:hend+2]
	sl := rh[:bytes.IndexByte(rh, '\r')]
	if len(sl) < 12 {
		return false
	}
	status, err := strconv.Atoi(string(sl[9:12]))
	if err != nil {
		return false
	}
	clv := floorField(rh, "Content-Length")
	if clv == nil {
		return false
	}
	cl, err := strconv.ParseInt(string(clv), 10, 64)
	if err != nil || cl < 0 {
		return false
	}
	cid, oid := floorField(rh, headerCID), floorField(rh, headerOID)

	// The client's head: the backend's, less the X-JL6 fields, and what
	// body came with it, in one write.
	fc.send = fc.send[:0]
	for rest := rh; len(rest) > 0; {
		i := bytes.IndexByte(rest, '\n') + 1
		if len(rest) < 6 || !bytes.EqualFold(rest[:6], []byte("X-JL6-")) {
			fc.send = append(fc.send, rest[:i]...)
		}
		rest = rest[i:]
	}
	fc.send = append(fc.send, "\r\n"...)
	body := fc.beBuf[hend+4 : got]
	if int64(len(body)) > cl {
		return false
	}
	isHead := bytes.HasPrefix(rl, []byte("HEAD "))
	if isHead {
		cl = 0
	}
	fc.send = append(fc.send, body...)
	if _, err := fc.c.Write(fc.send); err != nil {
		return false
	}
	// The values go into the line before the buffer is reused.
	rec := &fc.rec
	rec.Final.HeadersOut = rec.Final.HeadersOut[:0]
	if cid != nil {
		rec.Final.HeadersOut = append(rec.Final.HeadersOut, logformat.Field{Name: headerCID, Value: string(cid)})
	}
	if oid != nil {
		rec.Final.HeadersOut = append(rec.Final.HeadersOut, logformat.Field{Name: headerOID, Value: string(oid)})
	}
	for left := cl - int64(len(body)); left > 0; {
		n, err := fc.be.Read(fc.beBuf[:min(int64(len(fc.beBuf)), left)])
		if err != nil {
			return false
		}
		if _, err := fc.c.Write(fc.beBuf[:n]); err != nil {
			return false
		}
		left -= int64(n)
	}

	rec.RemoteHost, rec.RemoteIP = "127.0.0.1", "127.0.0.1"
	rec.Begin, rec.End = begin, time.Now()
	rec.Final.Line = bstr(rl)
	rec.Final.Status = status
	rec.Final.BodyBytes = cl
	rec.Final.HeadersIn = rec.Final.HeadersIn[:0]
	for _, name := range [...]string{"Referer", "User-Agent"} {
		if v := floorField(head, name); v != nil {
			rec.Final.HeadersIn = append(rec.Final.HeadersIn, logformat.Field{Name: name, Value: bstr(v)})
		}
	}
	fc.line = fc.format.Append(fc.line[:0], rec)
	if _, err := fc.log.Write(fc.line); err != nil {
		return false
	}
	fc.in = fc.in[:copy(fc.in, fc.in[end+4:])]
	return true
}

// floorField returns the value of the first field named name in head (a
// request or status line, then fields, each ending in CRLF), or nil.
func floorField(head []byte, name string) []byte {
	for rest := head[bytes.IndexByte(head, '\n')+1:]; len(rest) > 0; {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			return nil
		}
		line := rest[:i]
		rest = rest[i+1:]
		if len(line) > len(name) && line[len(name)] == ':' && bytes.EqualFold(line[:len(name)], []byte(name)) {
			return bytes.TrimSpace(line[len(name)+1:])
		}
	}
	return nil
}

// bstr is b as a string without a copy, for a line rendered before b
// changes.
func bstr(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
