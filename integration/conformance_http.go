package integration

// HTTP/1.x framing for the conformance driver: splitting a case's request
// bytes into requests (the sequential mode sends them one at a time),
// delimiting responses in what the client received, and comparing that
// and upstream.py's journal with the corpus.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/jl6/logproxy/proxy"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// reqChunk is one request of a case's byte stream.
type reqChunk struct {
	Bytes  []byte
	Method string // "" when the request line could not be parsed
}

// splitRequests splits b into HTTP/1.x requests: optional leading empty
// lines, the request line, the header fields up to the empty line, and a
// body delimited by Transfer-Encoding: chunked or Content-Length. An
// HTTP/0.9 request is its request line alone. Bytes that do not parse as
// a request (or an incomplete request) form the last chunk.
func splitRequests(b []byte) []reqChunk {
	var out []reqChunk
	pos := 0
	for pos < len(b) {
		n, method, ok := requestLen(b[pos:])
		if !ok {
			out = append(out, reqChunk{Bytes: b[pos:], Method: method})
			break
		}
		out = append(out, reqChunk{Bytes: b[pos : pos+n], Method: method})
		pos += n
	}
	return out
}

// lineAt returns the line starting at pos (without CR LF or LF) and the
// offset after its terminator; ok is false if there is no terminator.
func lineAt(b []byte, pos int) (line []byte, next int, ok bool) {
	i := bytes.IndexByte(b[pos:], '\n')
	if i < 0 {
		return nil, 0, false
	}
	line = b[pos : pos+i]
	line = bytes.TrimSuffix(line, []byte("\r"))
	return line, pos + i + 1, true
}

func requestLen(b []byte) (n int, method string, ok bool) {
	pos := 0
	var line []byte
	for {
		var next int
		line, next, ok = lineAt(b, pos)
		if !ok {
			return 0, "", false
		}
		pos = next
		if len(line) > 0 {
			break
		}
	}
	fields := strings.Fields(string(line))
	if len(fields) == 0 {
		return 0, "", false
	}
	method = fields[0]
	if len(fields) < 3 {
		return pos, method, true // HTTP/0.9: no header fields
	}
	cl, chunked := -1, false
	for {
		var next int
		line, next, ok = lineAt(b, pos)
		if !ok {
			return 0, method, false
		}
		pos = next
		if len(line) == 0 {
			break
		}
		name, value, found := bytes.Cut(line, []byte(":"))
		if !found {
			continue
		}
		v := strings.TrimSpace(string(value))
		switch strings.ToLower(strings.TrimSpace(string(name))) {
		case "content-length":
			if x, err := strconv.Atoi(v); err == nil {
				cl = x
			}
		case "transfer-encoding":
			if strings.Contains(strings.ToLower(v), "chunked") {
				chunked = true
			}
		}
	}
	switch {
	case chunked:
		m, ok := chunkedLen(b[pos:])
		if !ok {
			return 0, method, false
		}
		pos += m
	case cl > 0:
		if pos+cl > len(b) {
			return 0, method, false
		}
		pos += cl
	}
	return pos, method, true
}

// chunkedLen is the length of a chunked body including trailers.
func chunkedLen(b []byte) (int, bool) {
	pos := 0
	for {
		line, next, ok := lineAt(b, pos)
		if !ok {
			return 0, false
		}
		sizeText, _, _ := strings.Cut(string(line), ";")
		size, err := strconv.ParseUint(strings.TrimSpace(sizeText), 16, 31)
		if err != nil {
			return 0, false
		}
		pos = next
		if size == 0 {
			for {
				line, next, ok := lineAt(b, pos)
				if !ok {
					return 0, false
				}
				pos = next
				if len(line) == 0 {
					return pos, true
				}
			}
		}
		if pos+int(size) > len(b) {
			return 0, false
		}
		pos += int(size)
		_, next, ok = lineAt(b, pos)
		if !ok {
			return 0, false
		}
		pos = next
	}
}

// respFrame says where the first response in a buffer ends.
type respFrame struct {
	N          int  // length when Complete
	Complete   bool // N bytes form a whole response (or interim response)
	Interim    bool // a 1xx response: the final one follows
	UntilClose bool // the body (or HTTP/0.9 response) ends at connection close
}

// frameResponse finds the end of the response at the start of buf.
// headReq tells whether it answers a HEAD request (no body).
func frameResponse(buf []byte, headReq bool) respFrame {
	if len(buf) < 5 {
		if !bytes.HasPrefix([]byte("HTTP/"), buf) {
			return respFrame{UntilClose: true}
		}
		return respFrame{}
	}
	if !bytes.HasPrefix(buf, []byte("HTTP/")) {
		return respFrame{UntilClose: true} // HTTP/0.9: body only
	}
	headEnd := bytes.Index(buf, []byte("\r\n\r\n"))
	if headEnd < 0 {
		return respFrame{}
	}
	headEnd += 4
	head := buf[:headEnd]
	statusLine, _, _ := bytes.Cut(head, []byte("\r\n"))
	parts := strings.Fields(string(statusLine))
	status := 0
	if len(parts) >= 2 {
		status, _ = strconv.Atoi(parts[1])
	}
	if status >= 100 && status < 200 && status != 101 {
		return respFrame{N: headEnd, Complete: true, Interim: true}
	}
	if headReq || status == 204 || status == 304 {
		return respFrame{N: headEnd, Complete: true}
	}
	tp := textprotoHeader(head)
	if strings.Contains(strings.ToLower(tp.Get("Transfer-Encoding")), "chunked") {
		m, ok := chunkedLen(buf[headEnd:])
		if !ok {
			return respFrame{}
		}
		return respFrame{N: headEnd + m, Complete: true}
	}
	if cl := tp.Get("Content-Length"); cl != "" {
		n, err := strconv.Atoi(strings.TrimSpace(cl))
		if err == nil {
			if headEnd+n > len(buf) {
				return respFrame{}
			}
			return respFrame{N: headEnd + n, Complete: true}
		}
	}
	return respFrame{UntilClose: true}
}

// textprotoHeader parses the header fields of a response head leniently.
func textprotoHeader(head []byte) http.Header {
	h := http.Header{}
	sc := bufio.NewScanner(bytes.NewReader(head))
	first := true
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if first {
			first = false
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		h.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	return h
}

// splitResponses cuts a received byte stream into responses. methods are
// the methods of the requests sent, in order (for HEAD). Interim 1xx
// responses are segments of their own.
func splitResponses(stream []byte, methods []string) [][]byte {
	var out [][]byte
	pos, k := 0, 0
	for pos < len(stream) {
		head := k < len(methods) && strings.EqualFold(methods[k], "HEAD")
		f := frameResponse(stream[pos:], head)
		if !f.Complete {
			out = append(out, stream[pos:])
			break
		}
		out = append(out, stream[pos:pos+f.N])
		pos += f.N
		if !f.Interim {
			k++
		}
	}
	return out
}

// beforeBodyMarker is how the corpus shows, in the expect mode, what the
// client received before it sent the body.
const beforeBodyMarker = "[before body] "

// Response header fields whose values change from run to run. Date must
// be an HTTP date inside the test window unless it is passed through
// unchanged (upstream.py's fixed date); the others are checked by shape.
var volatileRespHeaders = map[string]bool{"date": true, "last-modified": true, "etag": true, "expires": true}

// compareClientSaw checks what the client received against client_saw.
func compareClientSaw(want []sawSegment, got [][]byte, env *checkEnv) error {
	if len(want) == 1 && len(want[0].Data) == 0 && !want[0].Prefix {
		want = nil // b'': the client received nothing
	}
	var nonEmpty [][]byte
	for _, g := range got {
		if len(g) > 0 {
			nonEmpty = append(nonEmpty, g)
		}
	}
	got = nonEmpty
	for i, w := range want {
		if i >= len(got) {
			return fmt.Errorf("client: response %d missing; want %q; got %d responses", i+1, clip(string(w.Data), 80), len(got))
		}
		if err := compareResponse(w.Data, w.Prefix, got[i], env); err != nil {
			return fmt.Errorf("client: response %d: %v\n  got  %q\n  want %q", i+1, err, clip(string(got[i]), 300), clip(string(w.Data), 300))
		}
	}
	if len(got) > len(want) {
		return fmt.Errorf("client: %d responses, want %d; extra: %q", len(got), len(want), clip(string(got[len(want)]), 200))
	}
	return nil
}

// compareResponse compares one response: the status line, header lines
// (volatile ones by shape) and body. If prefix, want is only the start.
func compareResponse(want []byte, prefix bool, got []byte, env *checkEnv) error {
	wi, gi := 0, 0
	inHead := bytes.HasPrefix(want, []byte("HTTP/")) || bytes.HasPrefix(want, []byte(beforeBodyMarker+"HTTP/"))
	for inHead {
		we := bytes.Index(want[wi:], []byte("\r\n"))
		if we < 0 {
			break // want ends inside the head
		}
		wLine := want[wi : wi+we]
		ge := bytes.Index(got[gi:], []byte("\r\n"))
		if ge < 0 {
			return fmt.Errorf("head line %q missing", wLine)
		}
		gLine := got[gi : gi+ge]
		if err := compareHeadLine(wLine, gLine, env); err != nil {
			return err
		}
		wi += we + 2
		gi += ge + 2
		if len(wLine) == 0 {
			inHead = false
		}
	}
	wRest, gRest := want[wi:], got[gi:]
	if inHead && prefix {
		// want stops inside a head line: compare the start of that line.
		if bytes.HasPrefix(gRest, wRest) {
			return nil
		}
		ge := bytes.Index(gRest, []byte("\r\n"))
		gLine := gRest
		if ge >= 0 {
			gLine = gRest[:ge]
		}
		name, _, hasColon := bytes.Cut(wRest, []byte(":"))
		if hasColon && volatileRespHeaders[strings.ToLower(string(name))] {
			gName, _, _ := bytes.Cut(gLine, []byte(":"))
			if !bytes.EqualFold(gName, name) {
				return fmt.Errorf("head line %q, want one starting %q", gLine, wRest)
			}
			return nil
		}
		if !bytes.HasPrefix(gLine, wRest) {
			return fmt.Errorf("head line %q, want one starting %q", gLine, wRest)
		}
		return nil
	}
	if prefix {
		if !bytes.HasPrefix(gRest, wRest) {
			return fmt.Errorf("body does not start with the expected bytes (%s)", firstDiff(gRest, wRest))
		}
		return nil
	}
	if !bytes.Equal(gRest, wRest) {
		return fmt.Errorf("body differs (%s)", firstDiff(gRest, wRest))
	}
	return nil
}

// apacheBanner is the Server header of the responses httpd generated in
// the corpus.
const apacheBanner = "Apache/2.4.71 (Debian)"

// upstreamFixedDate is the Date header upstream.py always sends.
const upstreamFixedDate = "Sat, 01 Jan 2000 00:00:00 GMT"

func compareHeadLine(want, got []byte, env *checkEnv) error {
	if bytes.Equal(want, got) {
		return nil
	}
	wName, wVal, wok := bytes.Cut(want, []byte(": "))
	gName, gVal, gok := bytes.Cut(got, []byte(": "))
	if wok && gok && string(wName) == "Server" && string(gName) == "Server" &&
		string(wVal) == apacheBanner && string(gVal) == proxy.DefaultBanner {
		// logproxy names itself in the responses it generates, with a
		// banner as long as Apache's so that %O counts the same bytes.
		return nil
	}
	if !wok || !gok || !bytes.Equal(wName, gName) || !volatileRespHeaders[strings.ToLower(string(wName))] {
		return fmt.Errorf("head line %q, want %q", got, want)
	}
	switch strings.ToLower(string(wName)) {
	case "etag":
		em, gm := etagRE.FindStringSubmatch(strings.ReplaceAll(string(wVal), `"`, `\"`)), etagRE.FindStringSubmatch(strings.ReplaceAll(string(gVal), `"`, `\"`))
		if gm == nil || (em != nil && em[1] != gm[1]) {
			return fmt.Errorf("head line %q, want an ETag like %q", got, want)
		}
		return nil
	case "date":
		if string(wVal) == upstreamFixedDate {
			return fmt.Errorf("head line %q, want %q (passed through from upstream)", got, want)
		}
		t, err := time.Parse(http.TimeFormat, string(gVal))
		if err != nil || !httpDateRE.Match(gVal) {
			return fmt.Errorf("head line %q: not an HTTP date", got)
		}
		if env != nil && (t.Before(env.Lo.Add(-windowSlack).Truncate(time.Second)) || t.After(env.Hi.Add(windowSlack))) {
			return fmt.Errorf("head line %q: date outside the test window %s..%s", got, env.Lo.UTC().Format(time.RFC3339), env.Hi.UTC().Format(time.RFC3339))
		}
		return nil
	default:
		if !httpDateRE.Match(gVal) {
			return fmt.Errorf("head line %q: not an HTTP date", got)
		}
		return nil
	}
}

// journalEntry is one line of upstream.py's journal.
type journalEntry struct {
	Time           float64  `json:"time"`
	XUp            string   `json:"x_up"`
	RequestHead    string   `json:"request_head"`
	RequestBodyLen int      `json:"request_body_len"`
	RequestTrailer []string `json:"request_trailers"`
	ResponseHead   string   `json:"response_head"`
	ResponseLen    int      `json:"response_body_len"`
	Chunked        bool     `json:"chunked"`
}

// parseJournal parses complete journal lines (a partial last line is left).
func parseJournal(data []byte) ([]journalEntry, error) {
	var out []journalEntry
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		var e journalEntry
		if err := json.Unmarshal(data[:i], &e); err != nil {
			return nil, fmt.Errorf("journal line %q: %v", clip(string(data[:i]), 100), err)
		}
		out = append(out, e)
		data = data[i+1:]
	}
	return out, nil
}

// latin1 turns the journal's latin-1-decoded text back into bytes.
func latin1(s string) []byte {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = append(b, byte(r))
	}
	return b
}

// compareUpstream checks the backend exchanges of a case.
func compareUpstream(want []upstreamRequest, got []journalEntry) error {
	var errs []string
	for i := 0; i < len(want) || i < len(got); i++ {
		switch {
		case i >= len(got):
			errs = append(errs, fmt.Sprintf("request %d never reached upstream; want %q", i+1, want[i].Head))
		case i >= len(want):
			errs = append(errs, fmt.Sprintf("unexpected upstream request %d: %q", i+1, latin1(got[i].RequestHead+"\r\n\r\n")))
		default:
			head := latin1(got[i].RequestHead + "\r\n\r\n")
			if !bytes.Equal(head, want[i].Head) {
				errs = append(errs, fmt.Sprintf("request %d head differs\n  got  %q\n  want %q\n  %s", i+1, head, want[i].Head, firstDiff(head, want[i].Head)))
			}
			if got[i].RequestBodyLen != want[i].BodyLen {
				errs = append(errs, fmt.Sprintf("request %d body: %d bytes, want %d", i+1, got[i].RequestBodyLen, want[i].BodyLen))
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("upstream: %s", strings.Join(errs, "; "))
	}
	return nil
}
