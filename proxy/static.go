package proxy

import (
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// This file serves files as httpd's core does: mod_dir's fixup for
// directories (the trailing-slash redirect and DirectoryIndex), the
// default handler (server/core.c default_handler), the validators
// (http_etag.c, ap_set_last_modified), the conditional requests
// (ap_meets_conditions) and the byte-range filter (byterange_filter.c),
// as Debian's Apache/2.4.71 behaves. Golden responses recorded from it are
// in testdata/apache.

// etagComponents is the FileETag setting.
type etagComponents uint8

const (
	etagInode etagComponents = 1 << iota
	etagMTime
	etagSize
	etagDigest
	etagNone

	// etagDefault is httpd 2.4's default, "FileETag MTime Size".
	etagDefault = etagMTime | etagSize
)

// Range limits (MaxRanges, MaxRangeOverlaps, MaxRangeReversals): the zero
// value is httpd's default; a positive number is that limit.
const (
	rangesDefault   = 0
	rangesNone      = -1 // MaxRanges none: no ranges, "Accept-Ranges: none"
	rangesUnlimited = -2

	defaultMaxRanges    = 200
	defaultMaxOverlaps  = 20
	defaultMaxReversals = 20
)

// dirMagicType is DIR_MAGIC_TYPE, the content type mod_mime gives a
// directory.
const dirMagicType = "httpd/unix-directory"

// fileRequest is what serving a mapped file reads from request_rec and the
// per-directory configuration.
type fileRequest struct {
	// Method is r->method ("HEAD" is served as GET without a body).
	Method string
	// HTTP09 is r->assbackwards: no head goes out, and
	// ap_set_last_modified sets no Last-Modified.
	HTTP09 bool
	// ErrorDocument says the file answers for an error (an ErrorDocument
	// redirect, r->status not 2xx): no conditional request and no range
	// applies (ap_meets_conditions and the byterange filter want success).
	ErrorDocument bool
	// URI is r->uri, the decoded path, and Args the query string (HasArgs:
	// the request had a '?'); mod_dir builds its redirect from them.
	URI     string
	Args    string
	HasArgs bool
	// Filename is r->filename, what the URI mapped to, and PathInfo
	// r->path_info, the part of the URI past an existing file.
	Filename string
	PathInfo string
	// HeadersIn are the request's header fields. Repeated fields are read
	// joined with ", " as httpd merges them.
	HeadersIn Fields
	// RequestTime is r->request_time; Now the clock for Last-Modified of a
	// file modified after the request began (nil: time.Now).
	RequestTime time.Time
	Now         func() time.Time
	// Types is the TypesConfig table and Mime the directory's mod_mime
	// settings (nil for none).
	Types *mimeTypes
	Mime  *mimeDirConfig
	// DefaultCharset is AddDefaultCharset: "" for Off, else the charset
	// ("iso-8859-1" for On).
	DefaultCharset string
	// ForceType, when not "", is the type ForceType or RewriteRule [T=]
	// set, in place of mod_mime's.
	ForceType string
	// NoDir: mod_dir is not loaded (see Site.NoDirModule).
	NoDir bool
	// FileETag is the FileETag setting; 0 means the default, MTime Size.
	FileETag etagComponents
	// DirectoryIndex is the DirectoryIndex list; nil means httpd's default,
	// "index.html". DirectorySlashOff is "DirectorySlash Off".
	DirectoryIndex    []string
	DirectorySlashOff bool
	// MaxRanges, MaxRangeOverlaps and MaxRangeReversals: see rangesDefault.
	MaxRanges         int
	MaxRangeOverlaps  int
	MaxRangeReversals int
	// TraceDisabled is "TraceEnable Off" (it changes the Allow value).
	// TRACE itself is answered before any handler (ap_send_http_trace):
	// here it is just a method the default handler refuses with 405.
	TraceDisabled bool
	// Scheme, ServerName and ServerPort are what ap_construct_url uses for
	// mod_dir's redirect: ap_http_scheme, ap_get_server_name_for_url and
	// ap_get_server_port (which, with UseCanonicalName Off, come from the
	// Host header, port 80 when it names none). Scheme "" is "http".
	Scheme     string
	ServerName string
	ServerPort int
	// Boundary is ap_multipart_boundary, the process's multipart/byteranges
	// boundary (see newMultipartBoundary); "" makes one per call.
	Boundary string
}

// fileResponse is what httpd answers.
//
// When Canned is set httpd does not send Headers and Body: it sends its
// canned page for Status (errorPage and errorHead, with Location for a
// redirect and Allow for 405 and 501), through ap_die, as for any error.
// Otherwise the head is: the status line, Date, Server, Headers in order,
// Keep-Alive and Connection, then Content-Type (ContentType, when not
// ""), Content-Encoding and Content-Language; then the body.
type fileResponse struct {
	Status int
	// Canned: see above. CannedNoLength says that the page is produced by
	// an output filter (416), so its head has no Content-Length and the
	// body is chunked or ends the connection.
	Canned         bool
	CannedNoLength bool
	// Location is the redirect target of a canned 301; Allow the Allow
	// value of a canned 405 or 501 (the 200 answer to OPTIONS carries it in
	// Headers).
	Location string
	Allow    string

	// Headers are r->headers_out when the handler is done: Last-Modified,
	// ETag, Accept-Ranges, Content-Length, Content-Range (or Allow and
	// Content-Length for OPTIONS), in the order httpd emits them.
	Headers         Fields
	ContentType     string
	ContentEncoding string
	ContentLanguage string

	// ContentLength is the body's length, -1 when httpd sends the body
	// without a Content-Length (more than 32 ranges).
	ContentLength int64
	// Body is the open file (the caller closes it), nil when there is no
	// body: HEAD, 304, 412, OPTIONS, Canned. A body is Offset and Length of
	// it, or, when Parts is not empty, each part's Head followed by its
	// span of the file, then Tail.
	Body           rangeBody
	Offset, Length int64
	Parts          []rangePart
	Tail           []byte

	// IndexFile is the DirectoryIndex file served for a directory, "" when
	// the request was for a file.
	IndexFile string
	// Mtime is r->finfo.mtime of the file answered for (µs since the
	// epoch), 0 when there is none.
	Mtime int64
}

// rangePart is one part of a multipart/byteranges body.
type rangePart struct {
	Head           []byte
	Offset, Length int64
}

// WriteBody writes the response body (not for HEAD) to w.
func (r *fileResponse) WriteBody(w io.Writer) (int64, error) {
	if r.Body == nil {
		return 0, nil
	}
	if len(r.Parts) == 0 {
		return io.Copy(w, io.NewSectionReader(r.Body, r.Offset, r.Length))
	}
	var n int64
	for _, p := range r.Parts {
		m, err := w.Write(p.Head)
		n += int64(m)
		if err != nil {
			return n, err
		}
		k, err := io.Copy(w, io.NewSectionReader(r.Body, p.Offset, p.Length))
		n += k
		if err != nil {
			return n, err
		}
	}
	m, err := w.Write(r.Tail)
	return n + int64(m), err
}

// rangeBody is what a fileResponse's body is read from: the file, or the
// bytes of a proxied answer (memBody) the byte-range filter cuts.
type rangeBody interface {
	io.ReaderAt
	Close() error
}

// memBody is a body held in memory, as a rangeBody.
type memBody struct{ *bytes.Reader }

func (memBody) Close() error { return nil }

// newMultipartBoundary makes a boundary as httpd does at start-up: a random
// 64-bit number in lower-case hex without leading zeros.
func newMultipartBoundary() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return strconv.FormatUint(binary.LittleEndian.Uint64(b[:]), 16)
}

// httpMethods are the methods httpd's registry knows (M_GET ... M_MERGE);
// any other is M_INVALID, which the default handler answers with 501.
var httpMethods = map[string]bool{
	"GET": true, "HEAD": true, "PUT": true, "POST": true, "DELETE": true,
	"CONNECT": true, "OPTIONS": true, "TRACE": true, "PATCH": true,
	"PROPFIND": true, "PROPPATCH": true, "MKCOL": true, "COPY": true,
	"MOVE": true, "LOCK": true, "UNLOCK": true, "VERSION-CONTROL": true,
	"CHECKOUT": true, "UNCHECKOUT": true, "CHECKIN": true, "UPDATE": true,
	"LABEL": true, "REPORT": true, "MKWORKSPACE": true, "MKACTIVITY": true,
	"BASELINE-CONTROL": true, "MERGE": true,
}

// fileInfo is the part of apr_finfo_t that matters here.
type fileInfo struct {
	exists bool
	dir    bool
	reg    bool
	size   int64
	mtime  int64 // microseconds since the epoch, as apr keeps it
	inode  uint64
}

func statFile(name string) (fileInfo, error) {
	st, err := os.Stat(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return fileInfo{}, nil
		}
		return fileInfo{}, err
	}
	fi := fileInfo{
		exists: true,
		dir:    st.IsDir(),
		reg:    st.Mode().IsRegular(),
		size:   st.Size(),
		mtime:  st.ModTime().UnixMicro(),
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		fi.inode = sys.Ino
	}
	return fi, nil
}

// serveFile answers a request mapped to Filename as mod_mime, mod_dir and
// core's default handler do. The error is for failures httpd would log but
// still answer (it is returned with a usable response, a canned 403 or
// 404).
func serveFile(req *fileRequest) (fileResponse, error) {
	fi, err := statFile(req.Filename)
	if err != nil {
		// Denied search or read permission on the way: the directory walk
		// answers 403.
		return fileResponse{Status: 403, Canned: true}, err
	}
	if fi.dir && !req.NoDir {
		if resp, done := fixupDir(req); done {
			return resp, nil
		}
	}
	return defaultHandler(req, fi, "")
}

// fixupDir is mod_dir's fixup_dir. done is false when it declines and the
// default handler answers for the directory itself.
func fixupDir(req *fileRequest) (resp fileResponse, done bool) {
	if req.PathInfo != "" {
		return resp, false
	}
	if req.URI == "" || req.URI[len(req.URI)-1] != '/' {
		if req.DirectorySlashOff {
			return resp, false
		}
		loc := osEscapePath(req.URI) + "/"
		if req.HasArgs {
			loc += "?" + req.Args
		}
		return fileResponse{Status: 301, Canned: true, Location: constructURL(req, loc)}, true
	}
	name, path, fi, ok := findIndex(req)
	if !ok {
		return resp, false
	}
	sub := *req
	sub.Filename = path
	sub.URI = req.URI + name
	r, _ := defaultHandler(&sub, fi, path)
	r.IndexFile = path
	return r, true
}

// findIndex is mod_dir's search of a directory (req.Filename, its URI
// ending in '/') for the first DirectoryIndex name that is a file.
func findIndex(req *fileRequest) (name, path string, fi fileInfo, ok bool) {
	names := req.DirectoryIndex
	if names == nil {
		names = []string{"index.html"}
	}
	dir := req.Filename
	if !strings.HasSuffix(dir, "/") {
		dir += "/"
	}
	for _, name := range names {
		if name == "" || name[0] == '/' || strings.Contains(name, "://") {
			// An index given as a URL path of its own needs the URI mapping,
			// which is the caller's; none of those is tried here.
			continue
		}
		path := dir + name
		fi, err := statFile(path)
		if err != nil || !fi.reg {
			continue
		}
		return name, path, fi, true
	}
	return "", "", fileInfo{}, false
}

// indexOf is the file mod_dir's fixup maps a request for a directory to
// (before the handler reads the body), "" when it maps none.
func indexOf(req *fileRequest) string {
	if req.NoDir || req.PathInfo != "" || req.URI == "" || req.URI[len(req.URI)-1] != '/' {
		return ""
	}
	if fi, err := statFile(req.Filename); err != nil || !fi.dir {
		return ""
	}
	_, path, _, _ := findIndex(req)
	return path
}

// constructURL is ap_construct_url: scheme, host and, unless it is the
// scheme's default, port, then uri.
func constructURL(req *fileRequest, uri string) string {
	scheme := req.Scheme
	if scheme == "" {
		scheme = "http"
	}
	port := req.ServerPort
	def := 80
	if scheme == "https" {
		def = 443
	}
	if port == 0 || port == def {
		return scheme + "://" + req.ServerName + uri
	}
	return scheme + "://" + req.ServerName + ":" + strconv.Itoa(port) + uri
}

// EscapeURI is ap_escape_uri (ap_expr's escape, mod_rewrite's
// int:escape): osEscapePath.
func EscapeURI(s string) string { return osEscapePath(s) }

// UnescapeURLKeep2F is ap_unescape_url_keep2f(s, 0) (ap_expr's
// unescape): every escape decoded but %2F; false for a bad escape or a
// %00.
func UnescapeURLKeep2F(s string) (string, bool) {
	b := []byte(s)
	n, st := unescapeURL(b, unescKeepSlashes)
	return string(b[:n]), st == 0
}

// osEscapePath is ap_os_escape_path(p, path, 1): every byte but letters,
// digits and $-_.+!*'(),:;@&=/~ as %xx with lower-case hex digits.
func osEscapePath(s string) string {
	const hex = "0123456789abcdef"
	n := 0
	for i := 0; i < len(s); i++ {
		if pathNeedsEscape(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if pathNeedsEscape(c) {
			b = append(b, '%', hex[c>>4], hex[c&15])
		} else {
			b = append(b, c)
		}
	}
	return string(b)
}

func pathNeedsEscape(c byte) bool {
	if cAlpha(c) && c < 0x80 || cDigit(c) {
		return false
	}
	return strings.IndexByte("$-_.+!*'(),:;@&=/~", c) < 0
}

// headerIn returns the request header name, repeated fields joined with
// ", " as httpd merges them.
func headerIn(h Fields, name string) (string, bool) {
	var v string
	found := false
	for _, f := range h {
		if asciiEqualFold(f.Name, name) {
			if found {
				v += ", " + f.Value
			} else {
				v, found = f.Value, true
			}
		}
	}
	return v, found
}

// defaultHandler is core's default_handler for a file or directory whose
// stat is fi; index names the DirectoryIndex file being served, if any.
func defaultHandler(req *fileRequest, fi fileInfo, index string) (resp fileResponse, err error) {
	if fi.exists {
		defer func() { resp.Mtime = fi.mtime }()
	}
	method := req.Method
	headerOnly := method == "HEAD"
	if headerOnly {
		method = "GET"
	}
	allow := allowForStatic(!req.TraceDisabled)
	var mres mimeResult
	if fi.dir {
		mres.ContentType = dirMagicType
	} else if req.Filename != "" {
		mres = req.Types.find(req.Filename, req.Mime)
	}
	if req.ForceType != "" {
		// ap_set_content_type_ex(r, type, 1) at fixups, after mod_mime.
		mres.ContentType = req.ForceType
	}

	if method != "GET" && method != "POST" {
		if !httpMethods[method] {
			return fileResponse{Status: 501, Canned: true, Allow: allow}, nil
		}
		if method == "OPTIONS" {
			if req.HTTP09 {
				// ap_send_http_options declines an HTTP/0.9 request, and
				// a handler that declines is a 500 (ap_invoke_handler).
				return fileResponse{Status: 500, Canned: true, IndexFile: index}, nil
			}
			resp := fileResponse{Status: 200, IndexFile: index}
			resp.Headers = Fields{{Name: "Allow", Value: allow}, {Name: "Content-Length", Value: "0"}}
			setMimeHeaders(&resp, req, mres)
			return resp, nil
		}
		return fileResponse{Status: 405, Canned: true, Allow: allow}, nil
	}
	if !fi.exists || fi.dir || req.PathInfo != "" {
		return fileResponse{Status: 404, Canned: true}, nil
	}
	f, err := os.Open(req.Filename)
	if err != nil {
		return fileResponse{Status: 403, Canned: true}, err
	}

	reqTime := req.RequestTime.UnixMicro()
	now := req.Now
	if now == nil {
		now = time.Now
	}
	// ap_update_mtime, ap_set_last_modified (ap_rationalize_mtime).
	mtime := fi.mtime
	lastMod := mtime
	if lastMod >= reqTime {
		if n := now().UnixMicro(); lastMod > n {
			lastMod = n
		}
	}
	resp = fileResponse{Status: 200, IndexFile: index}
	if !req.HTTP09 {
		resp.Headers = append(resp.Headers, Field{Name: "Last-Modified", Value: httpDate(lastMod)})
	}
	etag, err := makeETag(req, fi, f)
	if err != nil {
		f.Close()
		return fileResponse{Status: 500, Canned: true}, err
	}
	if etag != "" {
		resp.Headers = append(resp.Headers, Field{Name: "ETag", Value: etag})
	}
	maxRanges := req.MaxRanges
	if maxRanges == rangesNone {
		resp.Headers = append(resp.Headers, Field{Name: "Accept-Ranges", Value: "none"})
	} else {
		resp.Headers = append(resp.Headers, Field{Name: "Accept-Ranges", Value: "bytes"})
	}
	resp.Headers = append(resp.Headers, Field{Name: "Content-Length", Value: strconv.FormatInt(fi.size, 10)})
	setMimeHeaders(&resp, req, mres)

	cond := condInput{
		method:      method,
		headers:     req.HeadersIn,
		etag:        etag,
		lastMod:     lastMod / 1e6,
		requestTime: reqTime / 1e6,
	}
	if st := meetsConditions(&cond); st != 200 && !req.ErrorDocument {
		f.Close()
		resp.Status = st
		if st == 304 {
			// 304 carries no content headers.
			resp.Headers = fieldsWithout(resp.Headers, "Content-Length")
			resp.ContentType, resp.ContentEncoding, resp.ContentLanguage = "", "", ""
		} else if !headerOnly {
			// The handler sent nothing: the content-length filter counts 0.
			resp.Headers = setField(resp.Headers, "Content-Length", "0")
		} else if fi.size == 0 {
			// For HEAD the filter leaves the file's length, and the header
			// filter drops a zero one.
			resp.Headers = fieldsWithout(resp.Headers, "Content-Length")
		}
		resp.ContentLength = 0
		return resp, nil
	}

	resp.Body = f
	resp.Offset, resp.Length = 0, fi.size
	resp.ContentLength = fi.size
	if fi.size > 0 && !req.ErrorDocument {
		applyByteRanges(req, &cond, &resp, fi.size)
		if resp.Canned {
			f.Close()
			resp.Body = nil
			return resp, nil
		}
	}
	if headerOnly && !req.HTTP09 {
		// (HTTP/0.9 has no head to send instead: the file goes out.)
		if resp.ContentLength == 0 {
			resp.Headers = fieldsWithout(resp.Headers, "Content-Length")
		}
		f.Close()
		resp.Body = nil
	}
	return resp, nil
}

// setMimeHeaders sets what the header filter derives from mod_mime's
// result: Content-Type (through ap_make_content_type), Content-Encoding
// and Content-Language.
func setMimeHeaders(resp *fileResponse, req *fileRequest, m mimeResult) {
	resp.ContentType = makeContentType(m.ContentType, req.DefaultCharset)
	resp.ContentEncoding = m.Encoding
	resp.ContentLanguage = ""
	if len(m.Languages) > 0 {
		resp.ContentLanguage = strings.Join(m.Languages, ",")
	}
}

func fieldsWithout(h Fields, name string) Fields {
	out := h[:0]
	for _, f := range h {
		if !asciiEqualFold(f.Name, name) {
			out = append(out, f)
		}
	}
	return out
}

// setField is apr_table_setn: replace the first field named name in place
// (dropping any others), or append one.
func setField(h Fields, name, value string) Fields {
	for i := range h {
		if asciiEqualFold(h[i].Name, name) {
			h[i].Value = value
			out := h[:i+1]
			for _, f := range h[i+1:] {
				if !asciiEqualFold(f.Name, name) {
					out = append(out, f)
				}
			}
			return out
		}
	}
	return append(h, Field{Name: name, Value: value})
}

// httpDate is apr_rfc822_date for a time in microseconds.
func httpDate(usec int64) string {
	return time.UnixMicro(usec).UTC().Format(http.TimeFormat)
}

// makeETag is ap_make_etag_ex for a file: [W/]"inode-size-mtime" in hex
// with the parts FileETag selects, weak when the file changed less than a
// second before the request; a SHA-1 digest for FileETag Digest; "" for
// FileETag None.
func makeETag(req *fileRequest, fi fileInfo, f *os.File) (string, error) {
	bits := req.FileETag
	if bits == 0 {
		bits = etagDefault
	}
	if bits&etagDigest != 0 && fi.reg {
		h := sha1.New()
		if _, err := io.Copy(h, io.NewSectionReader(f, 0, fi.size)); err != nil {
			return "", err
		}
		return `"` + base64.StdEncoding.EncodeToString(h.Sum(nil)) + `"`, nil
	}
	if bits&etagNone != 0 {
		return "", nil
	}
	var b []byte
	if req.RequestTime.UnixMicro()-fi.mtime < 1e6 {
		b = append(b, "W/"...)
	}
	b = append(b, '"')
	added := false
	if bits&etagInode != 0 {
		b = strconv.AppendUint(b, fi.inode, 16)
		added = true
	}
	if bits&etagSize != 0 {
		if added {
			b = append(b, '-')
		}
		b = strconv.AppendUint(b, uint64(fi.size), 16)
		added = true
	}
	if bits&etagMTime != 0 {
		if added {
			b = append(b, '-')
		}
		b = strconv.AppendUint(b, uint64(fi.mtime), 16)
	}
	b = append(b, '"')
	return string(b), nil
}

// condInput is what ap_meets_conditions reads: the method (HEAD as GET),
// the request headers and the response's validators, times in seconds.
type condInput struct {
	method      string
	headers     Fields
	etag        string // "" when the response has none
	lastMod     int64  // Last-Modified, seconds
	requestTime int64  // r->request_time, seconds
}

type condResult int

const (
	condNone condResult = iota
	condNoMatch
	condWeak
	condStrong
)

func (c *condInput) hasRange() bool {
	_, ok := headerIn(c.headers, "Range")
	return ok
}

// ifMatch is ap_condition_if_match.
func (c *condInput) ifMatch() condResult {
	v, ok := headerIn(c.headers, "If-Match")
	if !ok {
		return condNone
	}
	if strings.HasPrefix(v, "*") || (c.etag != "" && findETag(v, c.etag, etagStrong)) {
		return condStrong
	}
	return condNoMatch
}

// ifUnmodifiedSince is ap_condition_if_unmodified_since.
func (c *condInput) ifUnmodifiedSince() condResult {
	v, ok := headerIn(c.headers, "If-Unmodified-Since")
	if !ok {
		return condNone
	}
	ius := aprDateParseHTTP(v) / 1e6
	if ius != 0 && c.lastMod > ius {
		if c.requestTime < c.lastMod+60 {
			if c.hasRange() {
				return condNoMatch
			}
			return condWeak
		}
		return condStrong
	}
	return condNoMatch
}

// ifNoneMatch is ap_condition_if_none_match.
func (c *condInput) ifNoneMatch() condResult {
	v, ok := headerIn(c.headers, "If-None-Match")
	if !ok {
		return condNone
	}
	if strings.HasPrefix(v, "*") {
		return condStrong
	}
	if c.method == "GET" {
		if c.etag != "" {
			if c.hasRange() {
				if findETag(v, c.etag, etagStrong) {
					return condStrong
				}
			} else if findETag(v, c.etag, etagWeak) {
				return condWeak
			}
		}
	} else if c.etag != "" && findETag(v, c.etag, etagStrong) {
		return condStrong
	}
	return condNoMatch
}

// ifModifiedSince is ap_condition_if_modified_since.
func (c *condInput) ifModifiedSince() condResult {
	v, ok := headerIn(c.headers, "If-Modified-Since")
	if !ok {
		return condNone
	}
	ims := aprDateParseHTTP(v) / 1e6
	if ims >= c.lastMod && ims <= c.requestTime {
		if c.requestTime < c.lastMod+60 {
			if c.hasRange() {
				return condNoMatch
			}
			return condWeak
		}
		return condStrong
	}
	return condNoMatch
}

// ifRange is ap_condition_if_range.
func (c *condInput) ifRange() condResult {
	v, ok := headerIn(c.headers, "If-Range")
	if !ok || !c.hasRange() {
		return condNone
	}
	if strings.HasPrefix(v, `"`) {
		if c.etag != "" && v == c.etag {
			return condStrong
		}
		return condNoMatch
	}
	rtime := aprDateParseHTTP(v) / 1e6
	if rtime == c.lastMod {
		if c.requestTime < c.lastMod+60 {
			return condNoMatch
		}
		return condStrong
	}
	return condNoMatch
}

// meetsConditions is ap_meets_conditions for a 200 response: 200, 304 or
// 412.
func meetsConditions(c *condInput) int {
	notModified := -1
	if c.ifMatch() == condNoMatch {
		return 412
	}
	switch c.ifUnmodifiedSince() {
	case condNoMatch:
		notModified = 0
	case condWeak, condStrong:
		return 412
	}
	switch c.ifNoneMatch() {
	case condNoMatch:
		notModified = 0
	case condWeak, condStrong:
		if c.method != "GET" {
			return 412
		}
		if notModified != 0 {
			notModified = 1
		}
	}
	switch c.ifModifiedSince() {
	case condNoMatch:
		notModified = 0
	case condWeak, condStrong:
		if c.method == "GET" && notModified != 0 {
			notModified = 1
		}
	}
	if c.ifRange() > condNone {
		return 200
	}
	if notModified == 1 {
		return 304
	}
	return 200
}

type etagMatch uint8

const (
	etagStrong etagMatch = iota
	etagWeak
)

// findETag is find_list_item for AP_ETAG_STRONG or AP_ETAG_WEAK: whether
// the list line holds tok. Outside quoted strings and comments the
// comparison ignores case and extra white space; a strong search stops at
// the first weak tag of the list.
func findETag(line, tok string, typ etagMatch) bool {
	if typ == etagStrong && at0(tok, 0) != '"' {
		return false
	}
	if typ == etagWeak {
		if at0(tok, 0) == 'W' && at0(tok, 1) == '/' && at0(tok, 2) == '"' {
			tok = tok[2:]
		} else if at0(tok, 0) != '"' {
			return false
		}
	}
	ptr := 0
	good := false
	addspace := 0
	inQpair, inQstr := false, false
	inCom := 0
	for {
		for ptr < len(line) && (line[ptr] == ',' || cSpace(line[ptr])) {
			ptr++
		}
		if typ == etagStrong && at0(line, ptr) != '"' {
			break
		}
		if typ == etagWeak {
			if at0(line, ptr) == 'W' && at0(line, ptr+1) == '/' && at0(line, ptr+2) == '"' {
				ptr += 2
			} else if at0(line, ptr) != '"' {
				break
			}
		}
		if ptr >= len(line) {
			break
		}
		good = true
		pos := 0
		next := func() byte { c := at0(tok, pos); pos++; return c }
		for ; ptr < len(line) && (inQpair || inQstr || inCom > 0 || line[ptr] != ','); ptr++ {
			c := line[ptr]
			if inQpair {
				inQpair = false
				if good {
					good = next() == c
				}
				continue
			}
			switch c {
			case '\\':
				inQpair = true
				if addspace == 1 {
					good = good && next() == ' '
				}
				good = good && next() == c
				addspace = 0
			case '"':
				if inCom == 0 {
					inQstr = !inQstr
				}
				if addspace == 1 {
					good = good && next() == ' '
				}
				good = good && next() == c
				addspace = 0
			case '(':
				if !inQstr {
					inCom++
				}
				if addspace == 1 {
					good = good && next() == ' '
				}
				good = good && next() == c
				addspace = 0
			case ')':
				if inCom > 0 {
					inCom--
				}
				good = good && next() == c
				addspace = 0
			case ' ', '\t':
				if addspace != 0 || !good {
					break
				}
				if inCom > 0 || inQstr {
					good = next() == c
				} else {
					addspace = 1
				}
			case '=', '/', ';':
				if !(inCom > 0 || inQstr) {
					addspace = -1
				}
				good = good && next() == c
			default:
				if !good {
					break
				}
				if addspace == 1 {
					good = next() == ' '
				}
				if inCom > 0 || inQstr {
					good = good && next() == c
				} else {
					good = good && cLower(next()) == cLower(c)
				}
				addspace = 0
			}
		}
		if good && pos < len(tok) {
			good = false
		}
		if ptr >= len(line) || good {
			break
		}
	}
	return good
}

// aprDateParseHTTP is apr_date_parse_http: an RFC 1123, RFC 850 or asctime
// date, in microseconds since the epoch, 0 (APR_DATE_BAD) when it is not
// one.
func aprDateParseHTTP(date string) int64 {
	i := 0
	for i < len(date) && cSpace(date[i]) {
		i++
	}
	if i >= len(date) {
		return 0
	}
	sp := strings.IndexByte(date[i:], ' ')
	if sp < 0 {
		return 0
	}
	d := date[i+sp+1:]
	num := func(a, b int) int { return int(d[a]-'0')*10 + int(d[b]-'0') }
	var year, mday, mon int
	var monstr, timstr string
	switch {
	case checkmask(d, "## @$$ #### ##:##:## *"):
		year = (num(7, 8) - 19) * 100
		if year < 0 {
			return 0
		}
		year += num(9, 10)
		mday = num(0, 1)
		monstr, timstr = d[3:], d[12:]
	case checkmask(d, "##-@$$-## ##:##:## *"):
		year = num(7, 8)
		if year < 70 {
			year += 100
		}
		mday = num(0, 1)
		monstr, timstr = d[3:], d[10:]
	case checkmask(d, "@$$ ~# ##:##:## ####*"):
		year = (num(16, 17) - 19) * 100
		if year < 0 {
			return 0
		}
		year += num(18, 19)
		if d[4] == ' ' {
			mday = 0
		} else {
			mday = int(d[4]-'0') * 10
		}
		mday += int(d[5] - '0')
		monstr, timstr = d, d[7:]
	case checkmask(d, "# @$$ #### ##:##:## *"):
		year = (num(6, 7) - 19) * 100
		if year < 0 {
			return 0
		}
		year += num(8, 9)
		mday = int(d[0] - '0')
		monstr, timstr = d[2:], d[11:]
	default:
		return 0
	}
	if mday <= 0 || mday > 31 {
		return 0
	}
	hour := int(timstr[0]-'0')*10 + int(timstr[1]-'0')
	min := int(timstr[3]-'0')*10 + int(timstr[4]-'0')
	sec := int(timstr[6]-'0')*10 + int(timstr[7]-'0')
	if hour > 23 || min > 59 || sec > 61 {
		return 0
	}
	months := [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	mon = 12
	for m, s := range months {
		if monstr[:3] == s {
			mon = m
			break
		}
	}
	if mon == 12 {
		return 0
	}
	if mday == 31 && (mon == 3 || mon == 5 || mon == 8 || mon == 10) {
		return 0
	}
	if mon == 1 && (mday > 29 || (mday == 29 && (year&3 != 0 || (year%100 == 0 && year%400 != 100)))) {
		return 0
	}
	// apr_time_exp_get.
	y := int64(year)
	if mon < 2 {
		y--
	}
	dayoffset := [12]int64{306, 337, 0, 31, 61, 92, 122, 153, 184, 214, 245, 275}
	days := y*365 + y/4 - y/100 + (y/100+3)/4
	days += dayoffset[mon] + int64(mday) - 1
	days -= 25508
	secs := ((days*24+int64(hour))*60+int64(min))*60 + int64(sec)
	if secs < 0 {
		return 0
	}
	return secs * 1e6
}

// checkmask is apr_date_checkmask: '@' an upper-case letter, '$' a
// lower-case one, '#' a digit, '&' a hex digit, '~' a space or digit, '*'
// anything from there on; any other mask byte must match itself, and the
// data must end where the mask does.
func checkmask(data, mask string) bool {
	for i := 0; ; i++ {
		var m byte
		if i < len(mask) {
			m = mask[i]
		}
		d := at0(data, i)
		switch m {
		case 0:
			return d == 0
		case '*':
			return true
		case '@':
			if d < 'A' || d > 'Z' {
				return false
			}
		case '$':
			if d < 'a' || d > 'z' {
				return false
			}
		case '#':
			if !cDigit(d) {
				return false
			}
		case '&':
			if !cXdigit(d) {
				return false
			}
		case '~':
			if d != ' ' && !cDigit(d) {
				return false
			}
		default:
			if m != d {
				return false
			}
		}
	}
}

// byteRange is one merged range, inclusive.
type byteRange struct{ start, end int64 }

// parseByteRanges is ap_set_byterange: the merged ranges of the Range
// header for a body of clength bytes, with the overlap and reversal
// counts. n is 0 when the header is absent or to be ignored and -1 when
// no range is satisfiable (416).
func parseByteRanges(c *condInput, clength int64) (ranges []byteRange, n, overlaps, reversals int) {
	rng, ok := headerIn(c.headers, "Range")
	if !ok || len(rng) < 6 || !asciiEqualFold(rng[:6], "bytes=") {
		return nil, 0, 0, 0
	}
	if c.ifRange() == condNoMatch {
		return nil, 0, 0, 0
	}
	rng = rng[6:]
	var ostart, oend, sumLengths int64
	inMerge := false
	unsatisfiable := false
	numRanges := 0
	for rng != "" {
		var cur string
		if k := strings.IndexByte(rng, ','); k >= 0 {
			cur = rng[:k]
			rng = strings.TrimLeft(rng[k:], ",")
		} else {
			cur, rng = rng, ""
		}
		if cur == "" {
			break
		}
		dash := strings.IndexByte(cur, '-')
		if dash < 0 {
			return nil, 0, 0, 0
		}
		var start, end int64
		if dash == 0 {
			number, ok := rangeNumber(cur[1:])
			if !ok || number < 1 {
				return nil, 0, 0, 0
			}
			start, end = clength-number, clength-1
		} else {
			number, ok := rangeNumber(cur[:dash])
			if !ok {
				return nil, 0, 0, 0
			}
			start = number
			if rest := cur[dash+1:]; rest != "" {
				number, ok := rangeNumber(rest)
				if !ok {
					return nil, 0, 0, 0
				}
				end = number
				if start > end {
					return nil, 0, 0, 0
				}
			} else {
				end = clength - 1
				if start == 0 {
					// "0-": the whole body, whatever else was asked.
					numRanges, sumLengths = 0, 0
					inMerge = true
					ostart, oend = start, end
					ranges = ranges[:0]
					break
				}
			}
		}
		if start < 0 {
			start = 0
		}
		if start >= clength {
			unsatisfiable = true
			continue
		}
		if end >= clength {
			end = clength - 1
		}
		if !inMerge {
			ostart, oend = start, end
			inMerge = true
			continue
		}
		inMerge = false
		if start >= ostart && end <= oend {
			inMerge = true
		}
		if start < ostart && end >= ostart-1 {
			ostart = start
			reversals++
			inMerge = true
		}
		if end >= oend && start <= oend+1 {
			oend = end
			inMerge = true
		}
		if inMerge {
			overlaps++
			continue
		}
		ranges = append(ranges, byteRange{ostart, oend})
		sumLengths += oend - ostart + 1
		inMerge = true
		ostart, oend = start, end
		numRanges++
	}
	if inMerge {
		ranges = append(ranges, byteRange{ostart, oend})
		sumLengths += oend - ostart + 1
		numRanges++
	} else if numRanges == 0 && unsatisfiable {
		return nil, -1, overlaps, reversals
	}
	if sumLengths > clength {
		return nil, 0, overlaps, reversals
	}
	return ranges, numRanges, overlaps, reversals
}

// rangeNumber is ap_parse_strict_length: decimal digits only, no
// sign or space, within int64.
func rangeNumber(s string) (int64, bool) {
	if s == "" || !cDigit(s[0]) {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// applyByteRanges is ap_byterange_filter over a 200 response whose body
// is the whole file (clength > 0 bytes).
func applyByteRanges(req *fileRequest, c *condInput, resp *fileResponse, clength int64) {
	limit := func(v, def int) int {
		switch {
		case v == rangesDefault:
			return def
		case v == rangesNone:
			return 0
		case v == rangesUnlimited:
			return -1
		}
		return v
	}
	maxRanges := limit(req.MaxRanges, defaultMaxRanges)
	maxOverlaps := limit(req.MaxRangeOverlaps, defaultMaxOverlaps)
	maxReversals := limit(req.MaxRangeReversals, defaultMaxReversals)

	ranges, n, overlaps, reversals := parseByteRanges(c, clength)
	if n == 0 ||
		(maxRanges >= 0 && n > maxRanges) ||
		(maxOverlaps >= 0 && overlaps > maxOverlaps) ||
		(maxReversals >= 0 && reversals > maxReversals) {
		return
	}
	if n < 0 {
		*resp = fileResponse{Status: 416, Canned: true, CannedNoLength: true, IndexFile: resp.IndexFile}
		return
	}
	resp.Status = 206
	total := strconv.FormatInt(clength, 10)
	if n == 1 {
		r := ranges[0]
		resp.Offset, resp.Length = r.start, r.end-r.start+1
		resp.ContentLength = resp.Length
		resp.Headers = setField(resp.Headers, "Content-Length", strconv.FormatInt(resp.Length, 10))
		resp.Headers = setField(resp.Headers, "Content-Range",
			"bytes "+strconv.FormatInt(r.start, 10)+"-"+strconv.FormatInt(r.end, 10)+"/"+total)
		return
	}
	boundary := req.Boundary
	if boundary == "" {
		boundary = newMultipartBoundary()
	}
	origCT := resp.ContentType
	boundHead := "\r\n--" + boundary + "\r\n"
	if origCT != "" {
		boundHead += "Content-type: " + origCT + "\r\n"
	}
	boundHead += "Content-range: bytes "
	resp.ContentType = "multipart/byteranges; boundary=" + boundary
	resp.Parts = make([]rangePart, 0, len(ranges))
	var length int64
	unknown := false
	for i, r := range ranges {
		head := boundHead + strconv.FormatInt(r.start, 10) + "-" + strconv.FormatInt(r.end, 10) + "/" + total + "\r\n\r\n"
		p := rangePart{Head: []byte(head), Offset: r.start, Length: r.end - r.start + 1}
		resp.Parts = append(resp.Parts, p)
		length += int64(len(p.Head)) + p.Length
		if i != 0 && i&0x1f == 0 {
			// httpd passes every 32 parts on, so nothing can count the
			// whole: the Content-Length goes.
			unknown = true
		}
	}
	resp.Tail = []byte("\r\n--" + boundary + "--\r\n")
	length += int64(len(resp.Tail))
	resp.Offset, resp.Length = 0, 0
	if unknown {
		resp.ContentLength = -1
		resp.Headers = fieldsWithout(resp.Headers, "Content-Length")
	} else {
		resp.ContentLength = length
		resp.Headers = setField(resp.Headers, "Content-Length", strconv.FormatInt(length, 10))
	}
}
