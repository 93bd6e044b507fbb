//go:build conformance

package integration

// The client modes of the conformance corpus (README, column client_mode):
//
//	sequential  send a request, read its whole response, repeat
//	pipeline    send all requests, then read the responses
//	abort       send, read a little, then reset the connection (SO_LINGER 0)
//	partial     send incomplete bytes, wait for the server to give up
//	empty       connect and close
//	expect      send the head, wait up to 2 s for an interim reply, send the body
//	eof         send everything and read until the server closes
//
// Every wait is bounded: reads give up after the listener's Timeout plus a
// margin.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

// clientResult is what one case's connection saw.
type clientResult struct {
	Received  []byte   // everything read, in order
	Responses [][]byte // Received cut into responses (client_saw segments)
	LocalPort int
	Problems  []string // transport trouble, reported with a failure
}

// expectInterimWait is how long the expect mode waits for "100 Continue".
const expectInterimWait = 2 * time.Second

type caseConn struct {
	conn    *net.TCPConn
	buf     []byte
	eof     bool
	readErr error
	res     *clientResult
}

// fill reads more bytes; false when the connection ended or the deadline
// passed (then readErr says which).
func (c *caseConn) fill(deadline time.Time) bool {
	if c.eof || c.readErr != nil {
		return false
	}
	if err := c.conn.SetReadDeadline(deadline); err != nil {
		c.readErr = err
		return false
	}
	var tmp [64 << 10]byte
	n, err := c.conn.Read(tmp[:])
	c.buf = append(c.buf, tmp[:n]...)
	switch {
	case err == nil:
		return true
	case errors.Is(err, io.EOF):
		c.eof = true
		return n > 0
	case n > 0:
		c.readErr = err
		return true
	default:
		c.readErr = err
		return false
	}
}

// readUntilClose reads until the server closes or the deadline.
func (c *caseConn) readUntilClose(deadline time.Time) {
	for c.fill(deadline) {
	}
	if c.readErr != nil && !isReset(c.readErr) {
		c.problem("reading until close: %v", c.readErr)
	}
}

// readResponse reads one final response starting at offset from (1xx
// responses before it included) and returns the offset after it.
func (c *caseConn) readResponse(from int, head bool, deadline time.Time) (int, bool) {
	for {
		f := frameResponse(c.buf[from:], head)
		switch {
		case f.Complete && f.Interim:
			from += f.N
			continue
		case f.Complete:
			return from + f.N, true
		case f.UntilClose && c.eof:
			return len(c.buf), true
		}
		if !c.fill(deadline) {
			if c.eof {
				if f := frameResponse(c.buf[from:], head); f.UntilClose && len(c.buf) > from {
					return len(c.buf), true
				}
				if len(c.buf) > from {
					c.problem("connection closed inside a response")
				}
				return len(c.buf), false
			}
			c.problem("reading a response: %v", c.readErr)
			return len(c.buf), false
		}
	}
}

func (c *caseConn) write(b []byte) bool {
	if len(b) == 0 {
		return true
	}
	if err := c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second)); err != nil {
		c.problem("write deadline: %v", err)
		return false
	}
	if _, err := c.conn.Write(b); err != nil {
		c.problem("writing %d bytes: %v", len(b), err)
		return false
	}
	return true
}

func (c *caseConn) problem(format string, args ...any) {
	c.res.Problems = append(c.res.Problems, fmt.Sprintf(format, args...))
}

func isReset(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "broken pipe"))
}

// runClient connects to the case's port and plays its client mode.
// timeout is the listener's httpd Timeout; reads wait at most that plus a
// margin.
func runClient(c *confCase, timeout time.Duration) *clientResult {
	res := &clientResult{}
	d := net.Dialer{Timeout: 5 * time.Second}
	nc, err := d.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", c.Port))
	if err != nil {
		res.Problems = append(res.Problems, "connect: "+err.Error())
		return res
	}
	conn := nc.(*net.TCPConn)
	if a, ok := conn.LocalAddr().(*net.TCPAddr); ok {
		res.LocalPort = a.Port
	}
	cc := &caseConn{conn: conn, res: res}
	readWait := timeout + 5*time.Second
	if readWait > 30*time.Second {
		readWait = 30 * time.Second
	}
	all := c.RequestBytes()
	chunks := splitRequests(all)
	var methods []string
	for _, ch := range chunks {
		methods = append(methods, ch.Method)
	}
	isHead := func(i int) bool { return i < len(methods) && strings.EqualFold(methods[i], "HEAD") }
	var prelude []byte // expect mode: what arrived before the body was sent
	streamStart := 0

	switch c.Mode {
	case modeSequential:
		pos := 0
		for i, ch := range chunks {
			if cc.eof {
				cc.problem("server closed the connection before request %d of %d", i+1, len(chunks))
				break
			}
			if !cc.write(ch.Bytes) {
				break
			}
			next, ok := cc.readResponse(pos, isHead(i), time.Now().Add(readWait))
			pos = next
			if !ok {
				break
			}
		}
	case modePipeline:
		if cc.write(all) {
			pos := 0
			for i := range chunks {
				next, ok := cc.readResponse(pos, isHead(i), time.Now().Add(readWait))
				pos = next
				if !ok {
					break
				}
			}
			// Anything more (an unexpected extra response) shows up here.
			if !cc.eof {
				cc.fill(time.Now().Add(100 * time.Millisecond))
			}
		}
	case modeAbort:
		if cc.write(all) {
			cc.fill(time.Now().Add(readWait))
		}
		if err := conn.SetLinger(0); err != nil {
			cc.problem("SO_LINGER: %v", err)
		}
	case modePartial, modeEOF:
		if cc.write(all) {
			cc.readUntilClose(time.Now().Add(readWait))
			if !cc.eof {
				cc.problem("server did not close the connection within %v", readWait)
			}
		}
	case modeEmpty:
	case modeExpect:
		if cc.write(c.Request[0]) {
			deadline := time.Now().Add(expectInterimWait)
			for !bytes.Contains(cc.buf, []byte("\r\n\r\n")) && cc.fill(deadline) {
			}
			if cc.readErr != nil && !os.IsTimeout(cc.readErr) {
				cc.problem("waiting for the interim reply: %v", cc.readErr)
			}
			cc.readErr = nil
			prelude = append([]byte(beforeBodyMarker), cc.buf...)
			streamStart = len(cc.buf)
			if cc.write(c.Request[1]) {
				cc.readResponse(streamStart, isHead(0), time.Now().Add(readWait))
			}
		}
	}
	_ = conn.Close()
	res.Received = cc.buf
	if c.Mode == modeExpect {
		res.Responses = append([][]byte{prelude}, splitResponses(cc.buf[streamStart:], methods)...)
	} else {
		res.Responses = splitResponses(cc.buf, methods)
	}
	return res
}
