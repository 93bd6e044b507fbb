// Command record re-records the golden files of proxy/testdata/apache/cases
// from the real Apache httpd: Debian's apache2 package (/usr/sbin/apache2,
// modules in /usr/lib/apache2/modules). Run it from the repository root as
// root:
//
//	go run ./proxy/testdata/apache/record
//
// It copies htdocs to a scratch directory, gives every file the fixed
// modification time the tests use (see mtimes.go), writes httpd.conf there
// with @WORK@ replaced, starts apache2 on 127.0.0.1:18250-18253 with a
// stand-in backend on 18261, sends each case's request over a raw socket
// and writes the request and the exact response bytes to cases/NAME.txt,
// then stops apache2.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

var (
	testdata = flag.String("testdata", "proxy/testdata/apache", "the testdata/apache directory")
	work     = flag.String("work", "/tmp/logproxy-apache-record", "scratch directory for apache2")
	only     = flag.String("only", "", "record only the cases whose name contains this")
)

func main() {
	flag.Parse()
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	td, err := filepath.Abs(*testdata)
	if err != nil {
		return err
	}
	w := *work
	if err := os.RemoveAll(w); err != nil {
		return err
	}
	if err := os.MkdirAll(w, 0o755); err != nil {
		return err
	}
	if err := copyTree(filepath.Join(td, "htdocs"), filepath.Join(w, "htdocs")); err != nil {
		return err
	}
	if err := setMtimes(filepath.Join(w, "htdocs")); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(w, "htpasswd"), nil, 0o644); err != nil {
		return err
	}
	conf, err := os.ReadFile(filepath.Join(td, "httpd.conf"))
	if err != nil {
		return err
	}
	confPath := filepath.Join(w, "httpd.conf")
	if err := os.WriteFile(confPath, bytes.ReplaceAll(conf, []byte("@WORK@"), []byte(w)), 0o644); err != nil {
		return err
	}
	if err := os.Chmod(w, 0o755); err != nil {
		return err
	}

	stopBackend, err := slowBackend("127.0.0.1:18261")
	if err != nil {
		return err
	}
	defer stopBackend()

	if err := apache(w, confPath, "start"); err != nil {
		return err
	}
	defer func() {
		if err := apache(w, confPath, "stop"); err != nil {
			log.Print(err)
		}
	}()
	for _, p := range []string{"18250", "18251", "18252", "18253"} {
		if err := waitPort("127.0.0.1:" + p); err != nil {
			return err
		}
	}

	outDir := filepath.Join(td, "cases")
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	for _, c := range cases() {
		if *only != "" && !strings.Contains(c.name, *only) {
			continue
		}
		if err := record(c, w, outDir); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
	}
	return nil
}

func apache(w, conf, verb string) error {
	cmd := exec.Command("/usr/sbin/apache2", "-f", conf, "-k", verb)
	cmd.Env = append(os.Environ(), "APACHE_RUN_DIR="+w, "APACHE_LOCK_DIR="+w)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("apache2 -k %s: %v: %s", verb, err, out)
	}
	if verb == "stop" {
		// Wait for the port to close so that a new run can start at once.
		for i := 0; i < 50; i++ {
			c, err := net.Dial("tcp", "127.0.0.1:18250")
			if err != nil {
				break
			}
			c.Close()
			time.Sleep(100 * time.Millisecond)
		}
	}
	return nil
}

func waitPort(addr string) error {
	for i := 0; i < 100; i++ {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("apache2 is not listening on %s", addr)
}

// slowBackend accepts connections, reads one buffer of the request and
// then neither answers nor reads more for five seconds: mod_proxy times
// out on it (502 reading the answer, 504 sending a large body, and
// mod_proxy_scgi refuses a chunked body with 411 first).
func slowBackend(addr string) (func(), error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 4096)
				_, _ = c.Read(buf)
				time.Sleep(5 * time.Second)
			}()
		}
	}()
	return func() { l.Close() }, nil
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		t := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(t, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(t, b, 0o644)
	})
}

func setMtimes(root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		t := mtimeOf(filepath.ToSlash(rel))
		return os.Chtimes(p, t, t)
	})
}

// tcase is one recorded exchange.
type tcase struct {
	name string
	port int
	// req is the raw request; build, when set, makes it (and may change
	// files) just before it is sent.
	req   string
	build func(w string, info *caseInfo) string
	// bodyLen bytes of 'a' are streamed after req.
	bodyLen int
	info    caseInfo
}

// caseInfo is the JSON "info:" line of a case file: what the test needs
// besides the request and the response.
type caseInfo struct {
	Kind string `json:"kind"` // "error" or "static"
	Note string `json:"note,omitempty"`

	// Error pages: the errorPageInfo fields.
	Method     string  `json:"method,omitempty"`
	Location   string  `json:"location,omitempty"`
	StatusLine string  `json:"status_line,omitempty"`
	Notes      *string `json:"notes,omitempty"`
	Verbose    bool    `json:"verbose,omitempty"`
	Expect     *string `json:"expect,omitempty"`
	Admin      string  `json:"admin,omitempty"`
	Sig        string  `json:"sig,omitempty"` // off, on, email
	Banner     string  `json:"banner,omitempty"`
	Name       string  `json:"name,omitempty"`
	Port       int     `json:"port,omitempty"`
	Recursive  int     `json:"recursive,omitempty"`
	Custom     *string `json:"custom,omitempty"`
	Suppress   bool    `json:"suppress,omitempty"`
	Allow      *string `json:"allow,omitempty"`
	NoLength   bool    `json:"no_length,omitempty"`

	// Static files.
	Path          string `json:"path,omitempty"` // r->filename, relative to htdocs
	URI           string `json:"uri,omitempty"`
	Args          string `json:"args,omitempty"`
	HasArgs       bool   `json:"has_args,omitempty"`
	PathInfo      string `json:"path_info,omitempty"`
	MtimeFile     string `json:"mtime_file,omitempty"` // a file whose mtime the case set
	MtimeUS       int64  `json:"mtime_us,omitempty"`
	RequestTimeUS int64  `json:"request_time_us,omitempty"`
	TraceDisabled bool   `json:"trace_disabled,omitempty"`
}

func strp(s string) *string { return &s }

func record(c tcase, w, outDir string) error {
	info := c.info
	req := c.req
	if c.build != nil {
		req = c.build(w, &info)
	}
	conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", c.port))
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.WriteString(conn, req); err != nil {
		return err
	}
	if c.bodyLen > 0 {
		go func() {
			chunk := bytes.Repeat([]byte{'a'}, 65536)
			for n := c.bodyLen; n > 0; n -= len(chunk) {
				if _, err := conn.Write(chunk[:min(n, len(chunk))]); err != nil {
					return
				}
			}
		}()
	}
	resp, err := io.ReadAll(conn)
	if err != nil && len(resp) == 0 {
		return err
	}
	if info.Kind == "error" && info.Banner == "" {
		if i := bytes.Index(resp, []byte("\r\nServer: ")); i >= 0 {
			rest := resp[i+len("\r\nServer: "):]
			info.Banner = string(rest[:bytes.Index(rest, []byte("\r\n"))])
		}
	}
	var js bytes.Buffer
	enc := json.NewEncoder(&js)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(info); err != nil {
		return err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Recorded from /usr/sbin/apache2 by proxy/testdata/apache/record; do not edit.\n")
	fmt.Fprintf(&b, "info: %s", js.Bytes())
	if c.bodyLen > 0 {
		fmt.Fprintf(&b, "# The request's body (%d bytes of 'a') is not stored.\n", c.bodyLen)
	}
	fmt.Fprintf(&b, "-- request %d --\n", len(req))
	b.WriteString(req)
	fmt.Fprintf(&b, "\n-- response --\n")
	b.Write(resp)
	status := ""
	if i := bytes.IndexByte(resp, '\r'); i > 0 {
		status = string(resp[:i])
	}
	log.Printf("%-28s %s", c.name, status)
	return os.WriteFile(filepath.Join(outDir, c.name+".txt"), b.Bytes(), 0o644)
}

func get(uri string) string {
	return "GET " + uri + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
}

func reqWith(method, uri string, headers ...string) string {
	s := method + " " + uri + " HTTP/1.1\r\nHost: x\r\n"
	for _, h := range headers {
		s += h + "\r\n"
	}
	return s + "Connection: close\r\n\r\n"
}

// Signature variants: the port and what errorPageInfo needs for it.
type sigVariant struct {
	suffix string
	port   int
	sig    string
	admin  string
	server string // ServerName, for requests without Host
	trace  bool
}

var (
	sigOff    = sigVariant{"_sigoff", 18250, "off", "", "main.test", true}
	sigOn     = sigVariant{"_sigon", 18251, "on", "", "on.test", true}
	sigMail   = sigVariant{"_sigemail", 18252, "email", "web<master>@example.com", "mail.test", true}
	sigNoTrac = sigVariant{"_notrace", 18253, "email", "http://example.com/contact?a=1&b=2", "notrace.test", false}
)

func cases() []tcase {
	var cs []tcase
	// errCase adds one error case per signature variant.
	errCase := func(name, req string, info caseInfo, vs ...sigVariant) {
		for _, v := range vs {
			i := info
			i.Kind = "error"
			i.Sig = v.sig
			i.Admin = v.admin
			if i.Name == "" {
				i.Name = "x"
			}
			if i.Name == "-" {
				i.Name = v.server
			}
			if i.Port == 0 {
				i.Port = 80
			}
			if i.Allow != nil && *i.Allow == "static" {
				a := "OPTIONS,HEAD,GET,POST"
				if v.trace {
					a += ",TRACE"
				}
				i.Allow = &a
			}
			cs = append(cs, tcase{name: "error_" + name + v.suffix, port: v.port, req: req, info: i})
		}
	}
	long := strings.Repeat("a", 9000)
	errCase("400_nohost", "GET / HTTP/1.1\r\n\r\n",
		caseInfo{Method: "GET", Name: "-", Note: "HTTP/1.1 without Host"}, sigOff, sigOn)
	errCase("400_fieldsize", "GET / HTTP/1.1\r\nHost: x\r\nX-Long: "+long+"\r\n\r\n",
		caseInfo{Method: "GET", Notes: strp("Size of a request header field exceeds server limit."), Name: "-",
			Note: "a header field over LimitRequestFieldSize (the Host field is not applied yet)"}, sigOff, sigOn)
	errCase("401", get("/auth/"), caseInfo{Method: "GET"}, sigOff, sigOn)
	errCase("403", get("/denied"), caseInfo{Method: "GET"}, sigOff, sigOn)
	errCase("404", get("/nope"), caseInfo{Method: "GET"}, sigOff, sigOn, sigMail, sigNoTrac)
	errCase("404_port", "GET /nope HTTP/1.1\r\nHost: x:8080\r\nConnection: close\r\n\r\n",
		caseInfo{Method: "GET", Port: 8080}, sigOn)
	errCase("404_head", reqWith("HEAD", "/nope"), caseInfo{Method: "HEAD", NoLength: true,
		Note: "HEAD: the head alone, without Content-Length"}, sigOff)
	errCase("404_nocharset", get("/nocharset"), caseInfo{Method: "GET", Suppress: true}, sigOff)
	errCase("404_custom", get("/custom/nope"), caseInfo{Method: "GET", Custom: strp("Custom <b>text</b> for 404")}, sigOff, sigOn)
	errCase("405", reqWith("DELETE", "/r.txt"), caseInfo{Method: "DELETE", Allow: strp("static")}, sigOff, sigOn)
	errCase("405_trace_off", reqWith("TRACE", "/r.txt"), caseInfo{Method: "TRACE", Allow: strp(""),
		Note: "TraceEnable Off: no handler ran, so Allow is empty"}, sigNoTrac)
	errCase("405_trace_off_proxy", reqWith("TRACE", "/slow/x"), caseInfo{Method: "TRACE", Allow: strp("")}, sigNoTrac)
	errCase("408", "GET / HTTP/1.1\r\nHost: x\r\n", caseInfo{Method: "GET", Name: "-",
		Note: "the request's head is not finished within Timeout (2s)"}, sigOff, sigOn)
	errCase("411", "POST /scgi/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
		caseInfo{Method: "POST", Note: "mod_proxy_scgi refuses a chunked body"}, sigOff, sigOn)
	errCase("413", "POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nConnection: close\r\n\r\n",
		caseInfo{Method: "POST", NoLength: true, Note: "LimitRequestBody 10: raised in the input filter, so no Content-Length"}, sigOff, sigOn)
	errCase("414", "GET /"+long+" HTTP/1.1\r\nHost: x\r\n\r\n", caseInfo{Method: "GET", Name: "-"}, sigOff, sigOn)
	errCase("417", reqWith("GET", "/r.txt", "Expect: foo<b>"), caseInfo{Method: "GET", Expect: strp("foo<b>")}, sigOff, sigOn)
	errCase("500", get("/broken/"), caseInfo{Method: "GET", Note: "a bad .htaccess"}, sigOff, sigOn, sigMail, sigNoTrac)
	errCase("501", reqWith("FOO", "/r.txt"), caseInfo{Method: "FOO", Allow: strp("static")}, sigOff, sigOn)
	errCase("400_te", reqWith("GET", "/r.txt", "Transfer-Encoding: gzip"), caseInfo{Method: "GET", Name: "-",
		Note: "an unknown Transfer-Encoding (400 in 2.4.71, not 501); refused before the Host field applies"}, sigOff, sigNoTrac)
	proxyNotes := "The proxy server could not handle the request<p>Reason: <strong>Error reading from remote server</strong></p>"
	errCase("502", get("/slow/x"), caseInfo{Method: "GET", StatusLine: "502 Proxy Error", Notes: &proxyNotes, Verbose: true,
		Note: "the backend does not answer within timeout=1"}, sigOff, sigOn)
	errCase("503", get("/closed/x"), caseInfo{Method: "GET", Note: "nothing listens on the backend's port"}, sigOff, sigOn)
	errCase("301", get("/perm"), caseInfo{Method: "GET", Location: "http://x/new"}, sigOff)
	errCase("302", get("/old"), caseInfo{Method: "GET", Location: "http://example.com/new?a=<b>&c"}, sigOff, sigOn)
	errCase("302_temp", get("/temp"), caseInfo{Method: "GET", Location: "http://x/x"}, sigOff)
	errCase("303", get("/see"), caseInfo{Method: "GET", Location: "http://x/other"}, sigOff)
	errCase("307", get("/t307"), caseInfo{Method: "GET", Location: "http://x/y"}, sigOff)
	errCase("308", get("/p308"), caseInfo{Method: "GET", Location: "http://x/z"}, sigOff)
	errCase("410_recursive", get("/gone"), caseInfo{Method: "GET", Recursive: 410,
		Note: "ErrorDocument 410 names a missing file"}, sigOff, sigOn)

	// 504: a large body the backend does not read.
	for _, v := range []sigVariant{sigOff, sigOn} {
		cs = append(cs, tcase{
			name:    "error_504" + v.suffix,
			port:    v.port,
			req:     "POST /slow/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 67108864\r\n\r\n",
			bodyLen: 64 << 20,
			info: caseInfo{Kind: "error", Method: "POST", Sig: v.sig, Name: "x", Port: 80,
				Note: "the backend reads no body: sending it times out"},
		})
	}

	// Static files, all on the main server (ServerSignature Off).
	st := func(name, req string, info caseInfo) {
		info.Kind = "static"
		cs = append(cs, tcase{name: "static_" + name, port: 18250, req: req, info: info})
	}
	r := caseInfo{Path: "r.txt", URI: "/r.txt"}
	const etagR = `"25-614290e85b9c0"`
	const lmR = "Thu, 21 Mar 2024 10:20:30 GMT"
	st("get", get("/r.txt"), r)
	st("head", reqWith("HEAD", "/r.txt"), r)
	st("post", "POST /r.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc", r)
	st("options", reqWith("OPTIONS", "/r.txt"), r)
	st("options_missing", reqWith("OPTIONS", "/nope.txt"), caseInfo{Path: "nope.txt", URI: "/nope.txt"})
	st("options_dir", reqWith("OPTIONS", "/d/"), caseInfo{Path: "d", URI: "/d/"})
	st("delete", reqWith("DELETE", "/r.txt"), r)
	st("put_missing", reqWith("PUT", "/nope.txt"), caseInfo{Path: "nope.txt", URI: "/nope.txt"})
	st("foo", reqWith("FOO", "/r.txt"), r)
	st("lowercase_get", reqWith("get", "/r.txt"), r)
	st("missing", get("/nope.txt"), caseInfo{Path: "nope.txt", URI: "/nope.txt"})
	st("path_info", get("/r.txt/more"), caseInfo{Path: "r.txt", URI: "/r.txt/more", PathInfo: "/more"})
	st("empty", get("/empty.txt"), caseInfo{Path: "empty.txt", URI: "/empty.txt"})
	st("empty_head", reqWith("HEAD", "/empty.txt"), caseInfo{Path: "empty.txt", URI: "/empty.txt"})
	st("empty_range", reqWith("GET", "/empty.txt", "Range: bytes=0-4"), caseInfo{Path: "empty.txt", URI: "/empty.txt"})
	st("noext", get("/noext"), caseInfo{Path: "noext", URI: "/noext"})

	// Conditional requests.
	st("ims_equal", reqWith("GET", "/r.txt", "If-Modified-Since: "+lmR), r)
	st("ims_asctime", reqWith("GET", "/r.txt", "If-Modified-Since: Thu Mar 21 10:20:30 2024"), r)
	st("ims_rfc850", reqWith("GET", "/r.txt", "If-Modified-Since: Thursday, 21-Mar-24 10:20:30 GMT"), r)
	st("ims_older", reqWith("GET", "/r.txt", "If-Modified-Since: Thu, 21 Mar 2024 10:20:29 GMT"), r)
	st("ims_later", reqWith("GET", "/r.txt", "If-Modified-Since: Fri, 22 Mar 2024 10:20:30 GMT"), r)
	st("ims_future", reqWith("GET", "/r.txt", "If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT"), r)
	st("ims_bad", reqWith("GET", "/r.txt", "If-Modified-Since: yesterday"), r)
	st("ims_head", reqWith("HEAD", "/r.txt", "If-Modified-Since: "+lmR), r)
	st("ims_post", "POST /r.txt HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: "+lmR+"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", r)
	st("inm_match", reqWith("GET", "/r.txt", "If-None-Match: "+etagR), r)
	st("inm_list", reqWith("GET", "/r.txt", `If-None-Match: "a", `+etagR), r)
	st("inm_weak", reqWith("GET", "/r.txt", "If-None-Match: W/"+etagR), r)
	st("inm_star", reqWith("GET", "/r.txt", "If-None-Match: *"), r)
	st("inm_nomatch", reqWith("GET", "/r.txt", `If-None-Match: "nope"`), r)
	st("inm_match_ims_older", reqWith("GET", "/r.txt", "If-None-Match: "+etagR, "If-Modified-Since: Thu, 21 Mar 2024 10:20:29 GMT"), r)
	st("inm_nomatch_ims_equal", reqWith("GET", "/r.txt", `If-None-Match: "nope"`, "If-Modified-Since: "+lmR), r)
	st("inm_post", "POST /r.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: "+etagR+"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", r)
	st("inm_post_weak", "POST /r.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: W/"+etagR+"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", r)
	st("inm_head", reqWith("HEAD", "/r.txt", "If-None-Match: "+etagR), r)
	st("inm_range_weak", reqWith("GET", "/r.txt", "If-None-Match: W/"+etagR, "Range: bytes=0-4"), r)
	st("inm_range_strong", reqWith("GET", "/r.txt", "If-None-Match: "+etagR, "Range: bytes=0-4"), r)
	st("im_nomatch", reqWith("GET", "/r.txt", `If-Match: "nope"`), r)
	st("im_head_nomatch", reqWith("HEAD", "/r.txt", `If-Match: "nope"`), r)
	st("im_match", reqWith("GET", "/r.txt", "If-Match: "+etagR), r)
	st("im_weak", reqWith("GET", "/r.txt", "If-Match: W/"+etagR), r)
	st("im_star", reqWith("GET", "/r.txt", "If-Match: *"), r)
	st("ius_before", reqWith("GET", "/r.txt", "If-Unmodified-Since: Thu, 21 Mar 2024 10:20:29 GMT"), r)
	st("ius_equal", reqWith("GET", "/r.txt", "If-Unmodified-Since: "+lmR), r)
	st("ius_equal_inm", reqWith("GET", "/r.txt", "If-Unmodified-Since: "+lmR, "If-None-Match: "+etagR), r)
	st("ius_bad", reqWith("GET", "/r.txt", "If-Unmodified-Since: never"), r)

	// Ranges.
	rng := func(name, spec string, extra ...string) {
		st("range_"+name, reqWith("GET", "/r.txt", append([]string{"Range: " + spec}, extra...)...), r)
	}
	rng("single", "bytes=0-4")
	rng("suffix", "bytes=-5")
	rng("suffix_long", "bytes=-100")
	rng("open", "bytes=30-")
	rng("zero_open", "bytes=0-")
	rng("zero_open_first", "bytes=5-9,0-,20-22")
	rng("end_past", "bytes=30-100")
	rng("multi", "bytes=0-4,10-12")
	rng("multi3", "bytes=0-0,10-12,-2")
	rng("overlap", "bytes=0-4,2-8")
	rng("adjacent", "bytes=0-4,5-9")
	rng("reversed", "bytes=10-12,0-4")
	rng("reversal_merge", "bytes=10-12,8-10")
	rng("unsat", "bytes=100-")
	rng("unsat_mixed", "bytes=100-200,0-4")
	rng("inverted", "bytes=5-2")
	rng("space", "bytes=0-4, 6-8")
	rng("unit", "items=0-4")
	rng("upper_unit", "BYTES=0-4")
	rng("empty_spec", "bytes=")
	rng("leading_comma", "bytes=,0-4")
	rng("sum_exceeds", "bytes=0-20,22-36,0-20")
	rng("zero_suffix", "bytes=-0")
	rng("ifrange_etag", "bytes=0-4", "If-Range: "+etagR)
	rng("ifrange_etag_bad", "bytes=0-4", `If-Range: "nope"`)
	rng("ifrange_weak", "bytes=0-4", "If-Range: W/"+etagR)
	rng("ifrange_date", "bytes=0-4", "If-Range: "+lmR)
	rng("ifrange_date_bad", "bytes=0-4", "If-Range: Thu, 21 Mar 2024 10:20:31 GMT")
	rng("ifrange_inm", "bytes=0-4", "If-Range: "+etagR, "If-None-Match: "+etagR)
	rng("ims_equal", "bytes=0-4", "If-Modified-Since: "+lmR)
	st("range_head", reqWith("HEAD", "/r.txt", "Range: bytes=0-4,10-12"), r)
	st("range_head_single", reqWith("HEAD", "/r.txt", "Range: bytes=0-4"), r)
	st("range_head_unsat", reqWith("HEAD", "/r.txt", "Range: bytes=100-"), r)
	st("range_post", "POST /r.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=0-4\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", r)
	a := caseInfo{Path: "alpha.txt", URI: "/alpha.txt"}
	var specs []string
	for i := 0; i < 33; i++ {
		specs = append(specs, fmt.Sprintf("%d-%d", i*6, i*6+2))
	}
	st("range_32", reqWith("GET", "/alpha.txt", "Range: bytes="+strings.Join(specs[:32], ",")), a)
	st("range_33", reqWith("GET", "/alpha.txt", "Range: bytes="+strings.Join(specs, ",")), a)
	var rev []string
	for i := 21; i >= 0; i-- {
		rev = append(rev, fmt.Sprintf("%d-%d", i*2, i*2+1))
	}
	st("range_reversals", reqWith("GET", "/alpha.txt", "Range: bytes="+strings.Join(rev, ",")), a)
	var ovl []string
	for i := 0; i < 22; i++ {
		ovl = append(ovl, fmt.Sprintf("%d-%d", i, i+3))
	}
	st("range_overlaps", reqWith("GET", "/alpha.txt", "Range: bytes="+strings.Join(ovl, ",")), a)

	// Types.
	for _, f := range []string{"a.html.gz", "a.gz.html", "b.tar.gz", "page.en.html", "page.html.en",
		"a.fr.en.html", "doc.utf8.txt", "x.Z", "data.txt.Z.zz", "UPPER.HTML", ".png", "bad..html",
		"a.unknownext", "a.html.unknownext", "data.json", "style.css", "a.bin", "q.csv"} {
		name := strings.NewReplacer(".", "_").Replace(f)
		st("type"+name, get("/types/"+f), caseInfo{Path: "types/" + f, URI: "/types/" + f})
	}
	st("type_charset_txt", get("/cs/t.txt"), caseInfo{Path: "cs/t.txt", URI: "/cs/t.txt"})
	st("type_charset_html", get("/cs/h.html"), caseInfo{Path: "cs/h.html", URI: "/cs/h.html"})
	st("type_charset_json", get("/cs/j.json"), caseInfo{Path: "cs/j.json", URI: "/cs/j.json"})
	st("type_charset_range", reqWith("GET", "/cs/t.txt", "Range: bytes=0-1,3-4"), caseInfo{Path: "cs/t.txt", URI: "/cs/t.txt"})
	st("type_noext_range", reqWith("GET", "/noext", "Range: bytes=0-1,3-4"), caseInfo{Path: "noext", URI: "/noext"})

	// Directories.
	st("dir_slash", get("/idx"), caseInfo{Path: "idx", URI: "/idx"})
	st("dir_slash_port", "GET /idx HTTP/1.1\r\nHost: x:8080\r\nConnection: close\r\n\r\n", caseInfo{Path: "idx", URI: "/idx"})
	st("dir_slash_args", get("/idx?a=b&c"), caseInfo{Path: "idx", URI: "/idx", Args: "a=b&c", HasArgs: true})
	st("dir_slash_escape", get("/sp%20ace&x"), caseInfo{Path: "sp ace&x", URI: "/sp ace&x"})
	st("dir_slash_post", "POST /idx HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", caseInfo{Path: "idx", URI: "/idx"})
	st("dir_index", get("/idx/"), caseInfo{Path: "idx", URI: "/idx/"})
	st("dir_index_head", reqWith("HEAD", "/idx/"), caseInfo{Path: "idx", URI: "/idx/"})
	st("dir_index_second", get("/multi/"), caseInfo{Path: "multi", URI: "/multi/"})
	st("dir_index_escape", get("/sp%20ace&x/"), caseInfo{Path: "sp ace&x", URI: "/sp ace&x/"})
	st("dir_index_delete", reqWith("DELETE", "/idx/"), caseInfo{Path: "idx", URI: "/idx/"})
	st("dir_noindex", get("/d/"), caseInfo{Path: "d", URI: "/d/"})
	st("dir_noindex_post", "POST /d/ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", caseInfo{Path: "d", URI: "/d/"})

	// Modification times near the request.
	st("future", get("/future.txt"), caseInfo{Path: "future.txt", URI: "/future.txt",
		Note: "mtime in 2099: Last-Modified is the time of the request, the ETag weak"})
	recent := func(name string, ago time.Duration, headers func(lm string) []string) {
		cs = append(cs, tcase{name: "static_" + name, port: 18250, info: caseInfo{Kind: "static", Path: "recent.txt", URI: "/recent.txt"},
			build: func(w string, info *caseInfo) string {
				now := time.Now()
				mt := now.Add(-ago)
				p := filepath.Join(w, "htdocs", "recent.txt")
				if err := os.Chtimes(p, mt, mt); err != nil {
					log.Fatal(err)
				}
				info.MtimeFile = "recent.txt"
				info.MtimeUS = mt.UnixMicro()
				info.RequestTimeUS = time.Now().UnixMicro()
				return reqWith("GET", "/recent.txt", headers(mt.UTC().Format(http.TimeFormat))...)
			}})
	}
	none := func(string) []string { return nil }
	recent("recent_weak_etag", 300*time.Millisecond, none)
	recent("recent_ims", 20*time.Second, func(lm string) []string { return []string{"If-Modified-Since: " + lm} })
	recent("recent_ims_range", 20*time.Second, func(lm string) []string {
		return []string{"If-Modified-Since: " + lm, "Range: bytes=0-2"}
	})
	recent("recent_ius", 20*time.Second, func(string) []string {
		return []string{"If-Unmodified-Since: Thu, 21 Mar 2024 10:20:29 GMT"}
	})
	recent("recent_ius_range", 20*time.Second, func(string) []string {
		return []string{"If-Unmodified-Since: Thu, 21 Mar 2024 10:20:29 GMT", "Range: bytes=0-2"}
	})
	recent("recent_ifrange_date", 20*time.Second, func(lm string) []string {
		return []string{"If-Range: " + lm, "Range: bytes=0-2"}
	})
	return cs
}
