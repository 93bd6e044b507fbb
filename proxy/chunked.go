package proxy

// The chunked transfer coding: decoding as httpd's HTTP_IN filter does
// (modules/http/http_filters.c ap_http_filter, parse_chunk_size and
// read_chunked_trailers -> ap_get_mime_headers), which httpd runs both on
// clients' request bodies and, for mod_proxy_http, on backends' response
// bodies; and the encoding of request bodies sent to backends
// (mod_proxy_http.c stream_reqbody: "%x" CRLF data CRLF ... "0" CRLF
// CRLF).

import (
	"bufio"
	"io"
	"strings"
)

// chunkedError is a malformed chunked body.
type chunkedError struct {
	msg      string
	tooLarge bool
}

func (e *chunkedError) Error() string { return "chunked body: " + e.msg }

// TooLarge reports the failures httpd's ap_http_filter answers with 413
// (APR_ENOSPC from parse_chunk_size: a size overflow or an over-long
// chunk-size line); the others are 400 (for a client's body).
func (e *chunkedError) TooLarge() bool { return e.tooLarge }

// trailer reports whether the error is in the trailer section.
func (e *chunkedError) trailer() bool {
	return e == errChunkTrailer || e == errChunkTrailers || e == errChunkTrailLong
}

var (
	errChunkSize      = &chunkedError{msg: "invalid chunk size line"}
	errChunkOverflow  = &chunkedError{msg: "chunk size overflow", tooLarge: true}
	errChunkLineLong  = &chunkedError{msg: "chunk size line too long", tooLarge: true}
	errChunkEnd       = &chunkedError{msg: "missing CRLF after chunk data"}
	errChunkTrailer   = &chunkedError{msg: "invalid trailer field"}
	errChunkTrailers  = &chunkedError{msg: "too many trailer fields"}
	errChunkTrailLong = &chunkedError{msg: "trailer field too long"}
)

// chunkedState is where a chunkedReader is in the body.
type chunkedState uint8

const (
	ckSize     chunkedState = iota // before a chunk-size line
	ckData                         // inside chunk data (left > 0)
	ckDataEnd                      // after chunk data, before its CRLF
	ckTrailers                     // after the last chunk
	ckDone                         // the body ended (trailers read)
)

// chunkedReader decodes a chunked body from br (a backend's response body,
// or a client's request body: httpd runs the same ap_http_filter code for
// both). Read returns io.EOF once the last chunk and its trailers were
// read; the trailers are then in trailers. Errors are sticky: a
// *chunkedError for malformed framing (TooLarge tells httpd's 413 cases
// from its 400 ones), io.ErrUnexpectedEOF when the input ends inside the
// body, or the read error.
type chunkedReader struct {
	br        *bufio.Reader
	state     chunkedState
	left      int64
	unsafe    bool // HttpProtocolOptions Unsafe: bare LF line ends allowed
	lineLimit int  // LimitRequestFieldSize: chunk-size and trailer lines
	maxFields int  // LimitRequestFields: trailer fields (0: no limit)
	err       error
	trailers  Fields
	// oneChunk makes Read stop at the end of each chunk's data, as
	// httpd's HTTP_IN filter returns at most one chunk per read.
	oneChunk bool
}

// reset starts decoding from br with httpd's default limits
// (LimitRequestFieldSize 8190, LimitRequestFields 100).
func (r *chunkedReader) reset(br *bufio.Reader, unsafe bool) {
	r.resetLimits(br, unsafe, chunkedLineLimit, chunkedMaxTrailers)
}

// resetLimits starts decoding from br with the server's
// LimitRequestFieldSize (lineLimit) and LimitRequestFields (maxFields, 0
// for none). br's buffer must hold lineLimit+2 bytes.
func (r *chunkedReader) resetLimits(br *bufio.Reader, unsafe bool, lineLimit, maxFields int) {
	if lineLimit <= 0 {
		lineLimit = chunkedLineLimit
	}
	*r = chunkedReader{br: br, unsafe: unsafe, lineLimit: lineLimit, maxFields: maxFields}
}

// ready returns a lower bound of what Read can return without blocking:
// the data of the current chunk already buffered, or 1 when all that is
// left of the body is buffered (the last chunk, no trailers).
func (r *chunkedReader) ready() int {
	if r.err != nil {
		return 0
	}
	n := r.br.Buffered()
	switch r.state {
	case ckData:
		return int(min(int64(n), r.left))
	case ckDataEnd:
		const last = "\r\n0\r\n\r\n"
		if b, _ := r.br.Peek(min(n, len(last))); string(b) == last {
			return 1
		}
	}
	return 0
}

// Read reads decoded body bytes. It does not block for more input once it
// has something to return.
func (r *chunkedReader) Read(p []byte) (n int, err error) {
	if r.err != nil {
		return 0, r.err
	}
	for n < len(p) {
		switch r.state {
		case ckData:
			if n > 0 && r.br.Buffered() == 0 {
				return n, nil
			}
			q := p[n:]
			if int64(len(q)) > r.left {
				q = q[:r.left]
			}
			k, rerr := r.br.Read(q)
			n += k
			r.left -= int64(k)
			if r.left == 0 {
				r.state = ckDataEnd
			}
			if rerr != nil {
				return n, r.fail(rerr)
			}
			if r.oneChunk && r.state == ckDataEnd {
				return n, nil
			}
		case ckDataEnd:
			if n > 0 && r.br.Buffered() < 2 {
				return n, nil
			}
			if err := r.readDataEnd(); err != nil {
				return n, r.fail(err)
			}
			r.state = ckSize
		case ckSize:
			if n > 0 && !r.lineBuffered() {
				return n, nil
			}
			size, err := r.readSizeLine()
			if err != nil {
				return n, r.fail(err)
			}
			if size == 0 {
				r.state = ckTrailers
			} else {
				r.left = size
				r.state = ckData
			}
		case ckTrailers:
			if err := r.readTrailers(); err != nil {
				return n, r.fail(err)
			}
			r.state = ckDone
		case ckDone:
			r.err = io.EOF
			return n, io.EOF
		}
	}
	// Report the end together with the last bytes when it is already here.
	if r.state == ckDone {
		r.err = io.EOF
		return n, io.EOF
	}
	return n, nil
}

// fail makes err sticky; the end of input inside the body is
// io.ErrUnexpectedEOF.
func (r *chunkedReader) fail(err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	r.err = err
	return err
}

// lineBuffered reports whether a whole line is waiting in the buffer.
func (r *chunkedReader) lineBuffered() bool {
	b, _ := r.br.Peek(r.br.Buffered())
	for _, c := range b {
		if c == '\n' {
			return true
		}
	}
	return false
}

// readDataEnd consumes the CRLF after chunk data as httpd's chunk filter
// does in state BODY_CHUNK_END: it reads the rest of the line (through
// its LF, at most chunkedEndLineMax bytes, AP_MODE_GETLINE) and then
// checks it: CR LF, or LF alone when unsafe. Bytes read for a bad line
// are consumed all the same, as %I counts them.
func (r *chunkedReader) readDataEnd() error {
	var first, second byte
	n := 0
	for {
		c, err := r.br.ReadByte()
		if err != nil {
			return err
		}
		n++
		switch n {
		case 1:
			first = c
		case 2:
			second = c
		}
		if c == '\n' || n == chunkedEndLineMax {
			break
		}
	}
	switch {
	case n == 2 && first == '\r' && second == '\n':
		return nil
	case n == 1 && first == '\n' && r.unsafe:
		return nil
	}
	return errChunkEnd
}

// chunkedEndLineMax is the most the core input filter returns for one
// AP_MODE_GETLINE read (HUGE_STRING_LEN).
const chunkedEndLineMax = 8192

// readSizeLine reads and parses one chunk-size line.
func (r *chunkedReader) readSizeLine() (int64, error) {
	line, err := r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull || len(line) > r.lineLimit {
		return 0, errChunkLineLong
	}
	if err != nil {
		return 0, err
	}
	return chunkedParseSize(line, !r.unsafe)
}

// chunkedParseSize is parse_chunk_size for one line ending in LF:
// 1*HEXDIG (leading zeros ignored, at most 63 bits), up to 10 SP/HT
// ("implied *LWS"), an optional ";" extension without control bytes but
// HT, then CRLF (or a bare LF unless strict).
func chunkedParseSize(line []byte, strict bool) (int64, error) {
	if len(line) == 0 || !chunkedIsHex(line[0]) {
		return 0, errChunkSize
	}
	var size int64
	bits := 64
	i := 0
	for ; i < len(line) && chunkedIsHex(line[i]); i++ {
		c := line[i]
		if size == 0 && c == '0' {
			continue
		}
		bits -= 4
		if bits < 0 {
			return 0, errChunkOverflow
		}
		size = size<<4 | int64(chunkedHexValue(c))
		if size < 0 {
			return 0, errChunkOverflow
		}
	}
	bws := 0
	for ; i < len(line) && (line[i] == ' ' || line[i] == '\t'); i++ {
		if bws++; bws > 10 {
			return 0, errChunkSize
		}
	}
	if i < len(line) && line[i] == ';' {
		for i++; i < len(line) && line[i] != '\r' && line[i] != '\n'; i++ {
			if c := line[i]; (c < 0x20 && c != '\t') || c == 0x7f {
				return 0, errChunkSize
			}
		}
	}
	switch {
	case i+2 == len(line) && line[i] == '\r' && line[i+1] == '\n':
		return size, nil
	case i+1 == len(line) && line[i] == '\n' && !strict:
		return size, nil
	}
	return 0, errChunkSize
}

func chunkedIsHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func chunkedHexValue(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// readTrailers reads the trailer section after the last chunk as
// ap_get_mime_headers_core reads header fields: at most
// chunkedMaxTrailers fields of at most chunkedLineLimit bytes; obs-fold lines
// are joined with one SP; strict (the default) requires CRLF line ends, a
// token name directly followed by ':' and a value without control bytes
// but HT.
func (r *chunkedReader) readTrailers() error {
	var last []byte // the field being assembled (folds joined)
	count := 0
	flush := func() error {
		if last == nil {
			return nil
		}
		if count++; r.maxFields > 0 && count > r.maxFields {
			return errChunkTrailers
		}
		f, ok := chunkedParseTrailer(string(last), !r.unsafe)
		if !ok {
			return errChunkTrailer
		}
		// Repeated names merge with ", " into the first, as
		// ap_get_mime_headers_core compresses its table.
		r.trailers = mergeField(r.trailers, f.Name, f.Value)
		last = nil
		return nil
	}
	for {
		line, err := r.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull || len(line) > r.lineLimit+2 {
			return errChunkTrailLong
		}
		if err != nil {
			return err
		}
		content := line[:len(line)-1]
		if k := len(content); k > 0 && content[k-1] == '\r' {
			content = content[:k-1]
		} else if !r.unsafe {
			return errChunkTrailer // AP_GETLINE_CRLF
		}
		// Trailing SP/HT are collapsed away (all but a lone one).
		for len(content) > 1 && (content[len(content)-1] == ' ' || content[len(content)-1] == '\t') {
			content = content[:len(content)-1]
		}
		if len(content) == 0 {
			return flush()
		}
		if content[0] == ' ' || content[0] == '\t' {
			if last == nil || len(content) == 1 {
				return errChunkTrailer // fold before a field, or empty fold
			}
			for len(content) > 1 && (content[1] == ' ' || content[1] == '\t') {
				content = content[1:]
			}
			content = content[1:]
			if len(last)+1+len(content) >= r.lineLimit {
				return errChunkTrailLong
			}
			last = append(append(last, ' '), content...)
			continue
		}
		if err := flush(); err != nil {
			return err
		}
		last = append(make([]byte, 0, len(content)+16), content...)
	}
}

// chunkedParseTrailer splits one (unfolded) trailer line.
func chunkedParseTrailer(line string, strict bool) (Field, bool) {
	colon := strings.IndexByte(line, ':')
	if colon <= 0 {
		return Field{}, false
	}
	name := line[:colon]
	value := strings.TrimLeft(line[colon+1:], " \t")
	value = strings.TrimRight(value, " \t")
	if strict {
		if !isToken(name) {
			return Field{}, false
		}
		for i := 0; i < len(value); i++ {
			if c := value[i]; (c < 0x20 && c != '\t') || c == 0x7f {
				return Field{}, false
			}
		}
	} else {
		if strings.ContainsAny(name, "\t\n\v\f\r ") || strings.ContainsAny(value, "\n\v\f\r") {
			return Field{}, false
		}
	}
	return Field{Name: name, Value: value}, true
}

// chunkedAppendHeader appends the chunk-size line for n bytes, "%x" CRLF as
// stream_reqbody writes it.
func chunkedAppendHeader(dst []byte, n int) []byte {
	const hexDigits = "0123456789abcdef"
	var tmp [16]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = hexDigits[n&15]
		n >>= 4
		if n == 0 {
			break
		}
	}
	dst = append(dst, tmp[i:]...)
	return append(dst, '\r', '\n')
}

// chunkedHeaderLen is len(chunkedAppendHeader(nil, n)).
func chunkedHeaderLen(n int) int {
	l := 3
	for n >= 16 {
		n >>= 4
		l++
	}
	return l
}

// chunkedAppendLast appends the last chunk, the trailer fields and the
// final CRLF. Fields whose name is not a token or whose value holds CR,
// LF or NUL are left out rather than let them split the message.
func chunkedAppendLast(dst []byte, trailers []Field) []byte {
	dst = append(dst, "0\r\n"...)
	for _, f := range trailers {
		if !chunkedTrailerOK(f) {
			continue
		}
		dst = append(dst, f.Name...)
		dst = append(dst, ": "...)
		dst = append(dst, f.Value...)
		dst = append(dst, "\r\n"...)
	}
	return append(dst, "\r\n"...)
}

func chunkedTrailerOK(f Field) bool {
	if !isToken(f.Name) {
		return false
	}
	return !strings.ContainsAny(f.Value, "\r\n\x00")
}
