package integration

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Rules a differential run against apache2 2.4.71 found
// (differential_test.go), each checked here without apache2.

// TestMethodLogging: what a differential run against apache2 2.4.71 found
// (integration/differential_test.go): a method httpd does not know,
// served by the default handler, is a 501 with core's AH00135 error-log
// entry, which gives the request its log id (%L); and a request line that
// starts with a space has an empty method, which %m logs as nothing, not
// "-".
func TestMethodLogging(t *testing.T) {
	addr := addrOf(freePort(t))
	conf := configHead(addr) + "CustomLog logs/access.log \"%>s|%m|%r|%L\"\n"
	root, confPath := newServerRoot(t, conf)
	writeFile(t, filepath.Join(root, "htdocs", "index.html"), "hi\n")
	p := startLogproxy(t, root, confPath, addr)
	for _, raw := range []string{
		"FOO /index.html HTTP/1.0\r\n\r\n",
		"get /index.html HTTP/1.0\r\n\r\n",
		" /index.html HTTP/1.0\r\n\r\n",
		"GET /index.html HTTP/1.0\r\n\r\n",
	} {
		sendOnce(t, addr, raw)
	}
	log := waitFileContains(t, p.logPath("access.log"), "200|GET|", 5e9)
	lines := strings.Split(strings.TrimSpace(log), "\n")
	if len(lines) != 4 {
		t.Fatalf("access log:\n%s\nwant 4 lines", log)
	}
	id := regexp.MustCompile(`^[A-Za-z0-9@+/-]{8,}$`)
	for i, want := range []string{"501|FOO|FOO /index.html HTTP/1.0|", "501|get|get /index.html HTTP/1.0|", "400|||", "200|GET|GET /index.html HTTP/1.0|-"} {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("line %d: %q, want it to start with %q", i, lines[i], want)
		}
		if i < 2 && !id.MatchString(strings.TrimPrefix(lines[i], want)) {
			t.Errorf("line %d: %q: %%L is no log id", i, lines[i])
		}
	}
	errs := readFileString(p.logPath("error.log"))
	for _, want := range []string{"AH00135: Invalid method in request FOO /index.html HTTP/1.0", "AH00135: Invalid method in request get /index.html HTTP/1.0"} {
		if !strings.Contains(errs, want) {
			t.Errorf("error log lacks %q:\n%s", want, errs)
		}
	}
}

// TestHostCheckVhost: a request ap_check_request_header refuses after it
// picked the name-based virtual host (HTTP/1.1 with an absolute URI and
// no Host field; an Expect it does not know) is answered and logged by
// that virtual host, as apache2 2.4.71 does; a host name it cannot use
// leaves the default one.
func TestHostCheckVhost(t *testing.T) {
	addr := addrOf(freePort(t))
	conf := configHead(addr) + "CustomLog logs/access.log \"%>s|%v|%p\"\n" +
		"<VirtualHost " + addr + ">\nServerName a.test\n</VirtualHost>\n" +
		"<VirtualHost " + addr + ">\nServerName b.test:8888\nUseCanonicalName On\n</VirtualHost>\n"
	root, confPath := newServerRoot(t, conf)
	p := startLogproxy(t, root, confPath, addr)
	for _, raw := range []string{
		"GET http://b.test/x HTTP/1.1\r\n\r\n",
		"GET /x HTTP/1.1\r\nHost: b.test\r\nExpect: bogus\r\nConnection: close\r\n\r\n",
		"GET /x HTTP/1.1\r\nHost: b..test\r\n\r\n",
		"GET /x HTTP/1.1\r\n\r\n",
	} {
		sendOnce(t, addr, raw)
	}
	want := []string{"400|b.test|8888", "417|b.test|8888", "400|a.test|80", "400|a.test|80"}
	log := waitFileContains(t, p.logPath("access.log"), want[3], 5e9)
	if got := strings.Split(strings.TrimSpace(log), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("access log:\n%s\nwant:\n%s", log, strings.Join(want, "\n"))
	}
}

// TestHeadZeroLength: the header filter's rule for HEAD: a
// "Content-Length: 0" (here the backend's) is not sent and not logged;
// any other length is. And core's answer to a TRACE (of a path that is
// not proxied), made before mod_logio's first-byte filter is in place,
// logs %^FB as "-".
func TestHeadZeroLength(t *testing.T) {
	backend := serveTCP(t, answerHeads(func(line string) string {
		if strings.Contains(line, "/three") {
			return "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"
		}
		return "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
	}))
	addr := addrOf(freePort(t))
	conf := configHead(addr) + "LogIOTrackTTFB On\n" +
		"CustomLog logs/access.log \"%m %U %>s %{Content-Length}o %^FB\"\nProxyPass /p/ http://" + backend + "/\n"
	root, confPath := newServerRoot(t, conf)
	p := startLogproxy(t, root, confPath, addr)
	for _, tc := range []struct{ req, clWant string }{
		{"HEAD /p/zero HTTP/1.1", ""},
		{"HEAD /p/three HTTP/1.1", "3"},
		{"GET /p/zero HTTP/1.1", "0"},
	} {
		head, _, _ := strings.Cut(sendRaw(t, addr, tc.req+"\r\nHost: x\r\nConnection: close\r\n\r\n"), "\r\n\r\n")
		cl := ""
		for _, l := range strings.Split(head, "\r\n") {
			if v, ok := strings.CutPrefix(l, "Content-Length: "); ok {
				cl = v
			}
		}
		if cl != tc.clWant {
			t.Errorf("%s: Content-Length %q, want %q:\n%s", tc.req, cl, tc.clWant, head)
		}
	}
	sendOnce(t, addr, "TRACE /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	log := waitFileContains(t, p.logPath("access.log"), "TRACE", 5e9)
	lines := strings.Split(strings.TrimSpace(log), "\n")
	if len(lines) != 4 {
		t.Fatalf("access log:\n%s", log)
	}
	for i, want := range []string{"HEAD /p/zero 200 - ", "HEAD /p/three 200 3 ", "GET /p/zero 200 0 ", "TRACE /x 200 - -"} {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("line %d: %q, want it to start with %q", i, lines[i], want)
		}
	}
}

// TestErrorDocumentFails: an ErrorDocument whose own request fails (here
// a proxied one whose backend cannot be reached) gives what httpd's
// ap_die_r gives: the canned page of the original status, with the
// original request's status line, noting as the second error the status
// the ErrorDocument's request inherited; the log reads that request,
// which ended with the failure's status and sent no body of its own, and
// %L the original request, which logged no error.
func TestErrorDocumentFails(t *testing.T) {
	closed := closedAddr(t)
	addr := addrOf(freePort(t))
	conf := configHead(addr) + "ErrorDocument 404 /down/x\nProxyPass /down/ http://" + closed + "/\n" +
		"CustomLog logs/access.log \"%>s|%<s|%b|%B|%L\"\n"
	root, confPath := newServerRoot(t, conf)
	p := startLogproxy(t, root, confPath, addr)
	resp := sendRaw(t, addr, "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if !strings.HasPrefix(resp, "HTTP/1.1 404 Not Found\r\n") {
		t.Errorf("status line of %q, want 404 Not Found", clip(resp, 80))
	}
	if !strings.Contains(resp, "<p>Additionally, a 404 Not Found\nerror was encountered while trying to use an ErrorDocument to handle the request.</p>") {
		t.Errorf("answer %q lacks the note of the ErrorDocument's failure as httpd words it", resp)
	}
	log := waitFileContains(t, p.logPath("access.log"), "|", 5e9)
	if strings.TrimSpace(log) != "503|404|-|0|-" {
		t.Errorf("access log %q, want 503|404|-|0|-", log)
	}
}

// TestBodyOfRefusedPath: a request whose path the normalisation refuses
// with a status that keeps the connection (404 for %00) has its body read
// away after the answer, as ap_finalize_request_protocol does: %I counts
// it, also when the connection closes, and on a kept-alive connection the
// body is never taken for the next request.
func TestBodyOfRefusedPath(t *testing.T) {
	seen := make(chan string, 10)
	backend := serveTCP(t, answerHeads(func(line string) string {
		seen <- strings.TrimSpace(line)
		return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	}))
	addr := addrOf(freePort(t))
	conf := configHead(addr) + "ProxyPass /p/ http://" + backend + "/\nCustomLog logs/access.log \"%>s %I %r\"\n"
	root, confPath := newServerRoot(t, conf)
	p := startLogproxy(t, root, confPath, addr)
	const head = "PUT /p/%00 HTTP/1.1\r\nHost: x\r\nContent-Length: 32\r\n"
	const body = "GET /p/smuggled HTTP/1.1\r\nH: x\r\n"
	sendOnce(t, addr, head+"Connection: close\r\n\r\n"+body)
	// Kept alive, and then a real second request.
	resp := sendRaw(t, addr, head+"\r\n"+body+"GET /p/next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if n := strings.Count(resp, "HTTP/1.1 "); n != 2 {
		t.Errorf("%d answers on the kept-alive connection, want 2 (the 404 and /p/next):\n%s", n, resp)
	}
	log := waitFileContains(t, p.logPath("access.log"), "/p/next", 5e9)
	// %I: 71 bytes of head and the 32 of the body; 52 and the body,
	// and the one byte of the next request httpd's ap_check_pipeline
	// peeks at (counted for this request, as the corpus' pipelined_two
	// has it); 52 bytes of the last request.
	want := "404 103 PUT /p/%00 HTTP/1.1\n404 85 PUT /p/%00 HTTP/1.1\n200 52 GET /p/next HTTP/1.1\n"
	if log != want {
		t.Errorf("access log:\n%s\nwant:\n%s", log, want)
	}
	select {
	case got := <-seen:
		if got != "GET /next HTTP/1.1" {
			t.Errorf("the backend got %q, want only GET /next", got)
		}
	default:
		t.Error("the backend got no request")
	}
	select {
	case got := <-seen:
		t.Errorf("the backend also got %q", got)
	default:
	}
}

// TestHTTP09ErrorType: an HTTP/0.9 request gets no head, and httpd's
// error page for it sets no type: %{Content-Type}o logs the type mod_mime
// gave the file name (r->content_type), or "-" when it gave none.
func TestHTTP09ErrorType(t *testing.T) {
	addr := addrOf(freePort(t))
	conf := configHead(addr) + "LoadModule mime_module x\nTypesConfig /etc/mime.types\n" +
		"CustomLog logs/access.log \"%>s %U %{Content-Type}o\"\n"
	root, confPath := newServerRoot(t, conf)
	p := startLogproxy(t, root, confPath, addr)
	sendOnce(t, addr, "GET /missing.html\r\n")
	sendOnce(t, addr, "GET /nope\r\n")
	log := waitFileContains(t, p.logPath("access.log"), "/nope", 5e9)
	if want := "404 /missing.html text/html\n404 /nope -\n"; log != want {
		t.Errorf("access log:\n%s\nwant:\n%s", log, want)
	}
}

// TestBodyNotReadWhenClosing: a request whose connection httpd marked to
// close before the answer (both Content-Length and Transfer-Encoding)
// has its body left unread, and %I counts only the head; the same body
// with only Content-Length is read away (the default handler does it).
func TestBodyNotReadWhenClosing(t *testing.T) {
	addr := addrOf(freePort(t))
	conf := configHead(addr) + "CustomLog logs/access.log \"%>s %I\"\n"
	root, confPath := newServerRoot(t, conf)
	writeFile(t, filepath.Join(root, "htdocs", "index.html"), "hi\n")
	p := startLogproxy(t, root, confPath, addr)
	// 85 bytes of head and a 15-byte chunked body.
	sendOnce(t, addr, "POST /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
	// 76 bytes of head and the 5 of the body.
	sendOnce(t, addr, "POST /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
	log := waitFileContains(t, p.logPath("access.log"), "\n200 ", 5e9)
	if want := "200 85\n200 81\n"; log != want {
		t.Errorf("access log:\n%s\nwant:\n%s", log, want)
	}
}

// TestMaxForwards: mod_proxy's Max-Forwards: ProxyMaxForwards gives one
// to a request without it; the backend gets one less than the client's;
// at zero an OPTIONS or TRACE is answered by the proxy itself and any
// other method refused (400, AH00898 "proxy loop?"); a value that is no
// number is refused (400, AH10188).
func TestMaxForwards(t *testing.T) {
	seen := make(chan string, 10)
	backend := serveTCP(t, func(c net.Conn) {
		defer c.Close()
		br := bufio.NewReader(c)
		for {
			var head strings.Builder
			for {
				l, err := br.ReadString('\n')
				if err != nil {
					return
				}
				head.WriteString(l)
				if l == "\r\n" {
					break
				}
			}
			seen <- head.String()
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		}
	})
	addr := addrOf(freePort(t))
	conf := configHead(addr) + "ProxyPass /p/ http://" + backend + "/\nProxyMaxForwards 7\nCustomLog logs/access.log \"%>s %m\"\n"
	root, confPath := newServerRoot(t, conf)
	p := startLogproxy(t, root, confPath, addr)
	// Without the field, ProxyMaxForwards gives one, after the client's
	// fields (proxy_handler adds it before the X-Forwarded ones are).
	sendRaw(t, addr, "GET /p/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	select {
	case h := <-seen:
		if !strings.Contains(h, "\r\nMax-Forwards: 7\r\nX-Forwarded-For: ") {
			t.Errorf("the backend got:\n%s\nwant Max-Forwards: 7 after the client's fields, before X-Forwarded-For", h)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the backend got nothing")
	}
	send := func(method, mf string) string {
		return sendRaw(t, addr, method+" /p/x HTTP/1.1\r\nHost: x\r\nMax-Forwards: "+mf+"\r\nConnection: close\r\n\r\n")
	}
	send("GET", "5")
	select {
	case h := <-seen:
		if !strings.Contains(h, "\r\nMax-Forwards: 4\r\n") {
			t.Errorf("the backend got:\n%s\nwant Max-Forwards: 4", h)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the backend got nothing")
	}
	if resp := send("OPTIONS", "0"); !strings.HasPrefix(resp, "HTTP/1.1 200 OK\r\n") || !strings.Contains(resp, "\r\nAllow: ") {
		t.Errorf("OPTIONS at Max-Forwards 0: %q, want the proxy's 200 with Allow", resp)
	}
	if resp := send("TRACE", "0"); !strings.Contains(resp, "Content-Type: message/http\r\n") {
		t.Errorf("TRACE at Max-Forwards 0: %q, want the proxy's own answer", resp)
	}
	send("PUT", "0")
	send("GET", "abc")
	select {
	case h := <-seen:
		t.Errorf("the backend also got:\n%s", h)
	default:
	}
	log := waitFileContains(t, p.logPath("access.log"), "400 GET", 5e9)
	if want := "200 GET\n200 GET\n200 OPTIONS\n200 TRACE\n400 PUT\n400 GET\n"; log != want {
		t.Errorf("access log:\n%s\nwant:\n%s", log, want)
	}
	errs := readFileString(p.logPath("error.log"))
	for _, want := range []string{"AH00898: Max-Forwards has reached zero - proxy loop? returned by /p/x",
		"AH10188: Max-Forwards value 'abc' could not be parsed"} {
		if !strings.Contains(errs, want) {
			t.Errorf("error log lacks %q:\n%s", want, errs)
		}
	}
}

// TestTraceFilename: core answers a TRACE at map_to_storage, before the
// directory walk: %f logs the translated name whole, path info and all.
func TestTraceFilename(t *testing.T) {
	addr := addrOf(freePort(t))
	conf := configHead(addr) + "CustomLog logs/access.log \"%>s %f\"\n"
	root, confPath := newServerRoot(t, conf)
	writeFile(t, filepath.Join(root, "htdocs", "a.txt"), "a\n")
	p := startLogproxy(t, root, confPath, addr)
	sendOnce(t, addr, "TRACE /a.txt/extra HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	sendOnce(t, addr, "GET /a.txt/extra HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	log := waitFileContains(t, p.logPath("access.log"), "\n404 ", 5e9)
	docroot := filepath.Join(root, "htdocs")
	if want := "200 " + docroot + "/a.txt/extra\n404 " + docroot + "/a.txt\n"; log != want {
		t.Errorf("access log:\n%s\nwant:\n%s", log, want)
	}
}

// TestHTTP09Methods: HTTP/0.9 has no head, so nothing keeps a body from
// a HEAD request: the file and the error page go out; and OPTIONS, which
// core declines for HTTP/0.9, is a 500 (HttpProtocolOptions Unsafe lets
// such requests in).
func TestHTTP09Methods(t *testing.T) {
	addr := addrOf(freePort(t))
	conf := configHead(addr) + "HttpProtocolOptions Unsafe\nCustomLog logs/access.log \"%>s %m %U %B\"\n"
	root, confPath := newServerRoot(t, conf)
	writeFile(t, filepath.Join(root, "htdocs", "a.txt"), "hello\n")
	p := startLogproxy(t, root, confPath, addr)
	if got := sendRaw(t, addr, "HEAD /a.txt\r\n"); got != "hello\n" {
		t.Errorf("HEAD /a.txt as HTTP/0.9: %q, want the file", got)
	}
	if got := sendRaw(t, addr, "HEAD /nope\r\n"); !strings.Contains(got, "<title>404 Not Found</title>") {
		t.Errorf("HEAD /nope as HTTP/0.9: %q, want the 404 page", got)
	}
	if got := sendRaw(t, addr, "OPTIONS /a.txt\r\n"); !strings.Contains(got, "<title>500 Internal Server Error</title>") {
		t.Errorf("OPTIONS /a.txt as HTTP/0.9: %q, want the 500 page", got)
	}
	log := waitFileContains(t, p.logPath("access.log"), "OPTIONS", 5e9)
	if want := "200 HEAD /a.txt 6\n404 HEAD /nope 236\n500 OPTIONS /a.txt 571\n"; log != want {
		t.Errorf("access log:\n%s\nwant:\n%s", log, want)
	}
}

// TestErrorDocumentNoRanges: a file served as an ErrorDocument answers
// for an error: neither a Range nor a condition applies to it, as
// ap_meets_conditions and the byterange filter want a successful
// request; the client gets the whole page with the error's status.
func TestErrorDocumentNoRanges(t *testing.T) {
	addr := addrOf(freePort(t))
	conf := configHead(addr) + "ErrorDocument 404 /err.html\nCustomLog logs/access.log \"%>s %B\"\n"
	root, confPath := newServerRoot(t, conf)
	writeFile(t, filepath.Join(root, "htdocs", "err.html"), "custom error page\n")
	p := startLogproxy(t, root, confPath, addr)
	for _, field := range []string{"Range: bytes=0-3", "If-None-Match: *"} {
		resp := sendRaw(t, addr, "GET /nope HTTP/1.1\r\nHost: x\r\n"+field+"\r\nConnection: close\r\n\r\n")
		if !strings.HasPrefix(resp, "HTTP/1.1 404 Not Found\r\n") || !strings.HasSuffix(resp, "\r\n\r\ncustom error page\n") {
			t.Errorf("with %s: %q, want the whole ErrorDocument with 404", field, resp)
		}
	}
	log := waitFileContains(t, p.logPath("access.log"), "\n404", 5e9)
	if want := "404 18\n404 18\n"; log != want {
		t.Errorf("access log:\n%s\nwant:\n%s", log, want)
	}
}

// TestConnectMethod: a CONNECT request's r->uri is "/" (its target is
// host and port only), so one that maps to a file goes through the
// translate, the directory walk and mod_dir as any request for "/", and
// the default handler answers 405: %U and %f log the index. One that a
// ProxyPass would forward is refused with 405 without a backend
// connection (logproxy is no forward proxy; a deliberate difference).
func TestConnectMethod(t *testing.T) {
	closed := closedAddr(t)
	static, proxied := addrOf(freePort(t)), addrOf(freePort(t))
	conf := configHead(static, proxied) + "LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so\nDirectoryIndex index.html\n" +
		"CustomLog logs/access.log \"%>s %m %U %f\"\n" +
		"<VirtualHost " + proxied + ">\nProxyPass / http://" + closed + "/\n</VirtualHost>\n"
	root, confPath := newServerRoot(t, conf)
	writeFile(t, filepath.Join(root, "htdocs", "index.html"), "index\n")
	p := startLogproxy(t, root, confPath, static)
	p.waitListening(proxied, 5*time.Second)
	for _, addr := range []string{static, proxied} {
		resp := sendRaw(t, addr, "CONNECT www.example.test:443 HTTP/1.1\r\nHost: www.example.test\r\nConnection: close\r\n\r\n")
		if !strings.HasPrefix(resp, "HTTP/1.1 405 Method Not Allowed\r\n") {
			t.Errorf("CONNECT to %s: %q, want 405", addr, clip(resp, 80))
		}
	}
	log := waitFileContains(t, p.logPath("access.log"), "\n405 CONNECT / proxy:", 5e9)
	want := "405 CONNECT /index.html " + filepath.Join(root, "htdocs", "index.html") + "\n405 CONNECT / proxy:http://" + closed + "/\n"
	if log != want {
		t.Errorf("access log:\n%s\nwant:\n%s", log, want)
	}
}

// TestBodyReadBeforeAnswer: httpd reads a request's body before any
// answer made without its handler reading it goes out
// (ap_finalize_request_protocol discards it while the error page waits in
// the output filters). A body that then fails is the answer: its error
// page, noting the first status as a recursive error, without a length,
// %b counting both pages. A failure inside a handler passes mod_logio's
// first-byte filter (%^FB has a time); one before the handler does not.
func TestBodyReadBeforeAnswer(t *testing.T) {
	addr := addrOf(freePort(t))
	conf := configHead(addr) +
		"LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so\n" +
		"LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so\n" +
		"LogIOTrackTTFB On\nDirectoryIndex index.html\n" +
		"<Location /denied>\nRequire all denied\n</Location>\n" +
		"CustomLog logs/access.log \"%>s|%m|%U|%b|%I|%^FB|%{Content-Length}o\"\n"
	root, confPath := newServerRoot(t, conf)
	if err := os.MkdirAll(filepath.Join(root, "htdocs", "dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "htdocs", "dir", "index.html"), "index\n")
	p := startLogproxy(t, root, confPath, addr)
	const bad = "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n"
	plain := sendRaw(t, addr, "GET /denied HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	failed := sendRaw(t, addr, "GET /denied HTTP/1.1\r\nHost: x\r\n"+bad)
	if !strings.HasPrefix(failed, "HTTP/1.1 400 Bad Request\r\n") ||
		!strings.Contains(failed, "<p>Additionally, a 403 Forbidden\nerror was encountered while trying to use an ErrorDocument to handle the request.</p>") ||
		strings.Contains(failed, "Content-Length") {
		t.Errorf("403 with a broken body: %q, want 400 noting the 403, without Content-Length", failed)
	}
	// A broken trailer section fails in ap_get_mime_headers, which set
	// r->status to 400 itself: the note names the 400.
	trailer := sendRaw(t, addr, "GET /denied HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\nBad Trailer\r\n\r\n")
	if !strings.HasPrefix(trailer, "HTTP/1.1 400 Bad Request\r\n") || !strings.Contains(trailer, "<p>Additionally, a 400 Bad Request\nerror") {
		t.Errorf("403 with a broken trailer: %q, want 400 noting a 400", trailer)
	}
	sendRaw(t, addr, "GET /dir/ HTTP/1.1\r\nHost: x\r\n"+bad)
	if got := sendRaw(t, addr, "OPTIONS * HTTP/1.1\r\nHost: x\r\n"+bad); !strings.HasPrefix(got, "HTTP/1.1 400 ") {
		t.Errorf("OPTIONS * with a broken body: %q, want 400", clip(got, 80))
	}
	expect := "GET /denied HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"
	if got := sendRaw(t, addr, expect+"hello"); !strings.HasPrefix(got, "HTTP/1.1 403 ") {
		t.Errorf("403 to a client waiting for 100 Continue: %q", clip(got, 80))
	}
	log := waitFileContains(t, p.logPath("access.log"), "\n403|GET|/denied|", 5e9)
	lines := strings.Split(strings.TrimSuffix(log, "\n"), "\n")
	if len(lines) != 6 {
		t.Fatalf("access log:\n%s\nwant 6 lines", log)
	}
	lines = append(lines[:2], lines[3:]...) // the trailer's was checked above
	pageLen := func(resp string) int { _, body, _ := strings.Cut(resp, "\r\n\r\n"); return len(body) }
	want := []string{
		fmt.Sprintf(`^403\|GET\|/denied\|%d\|\d+\|-\|%d$`, pageLen(plain), pageLen(plain)),
		// Both pages, the body's four bytes read, no first byte.
		fmt.Sprintf(`^400\|GET\|/denied\|%d\|%d\|-\|-$`, pageLen(plain)+pageLen(failed), len("GET /denied HTTP/1.1\r\nHost: x\r\n"+bad)),
		// mod_dir mapped the directory before the handler read the body.
		`^400\|GET\|/dir/index\.html\|266\|\d+\|\d+\|-$`,
		`^400\|OPTIONS\|\*\|266\|\d+\|-\|-$`,
		// No body is read for an error answer to an Expect: 100-continue.
		fmt.Sprintf(`^403\|GET\|/denied\|%d\|%d\|-\|%d$`, pageLen(plain), len(expect), pageLen(plain)),
	}
	for i, re := range want {
		if !regexp.MustCompile(re).MatchString(lines[i]) {
			t.Errorf("line %d: %q, want it to match %s", i+1, lines[i], re)
		}
	}
}

// TestUnknownExpect: ap_read_request refuses an Expect other than
// 100-continue with 417 after it set up the body's input filter: the body
// is read away before the page goes out (a broken one is answered 400,
// noting the 417), and as ap_read_request returns no request, the
// connection closes after the answer, though %X logs it kept alive and a
// second request waits behind the first.
func TestUnknownExpect(t *testing.T) {
	addr := addrOf(freePort(t))
	conf := configHead(addr) + "CustomLog logs/access.log \"%>s|%I|%X|%U\"\n"
	root, confPath := newServerRoot(t, conf)
	writeFile(t, filepath.Join(root, "htdocs", "a.txt"), "a\n")
	p := startLogproxy(t, root, confPath, addr)
	first := "GET /a.txt HTTP/1.1\r\nHost: x\r\nExpect: other\r\nContent-Length: 5\r\n\r\nhello"
	got := sendRaw(t, addr, first+"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
	if !strings.HasPrefix(got, "HTTP/1.1 417 Expectation Failed\r\n") || strings.Count(got, "HTTP/1.1 ") != 1 {
		t.Errorf("417 then a pipelined request: %q, want the 417 alone and the connection closed", got)
	}
	got = sendRaw(t, addr, "GET /a.txt HTTP/1.1\r\nHost: x\r\nExpect: other\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
	if !strings.HasPrefix(got, "HTTP/1.1 400 Bad Request\r\n") || !strings.Contains(got, "Additionally, a 417 Expectation Failed\n") {
		t.Errorf("417 with a broken body: %q, want 400 noting the 417", got)
	}
	log := waitFileContains(t, p.logPath("access.log"), "\n400|", 5e9)
	want := fmt.Sprintf("417|%d|+|/a.txt\n400|%d|-|/a.txt\n", len(first),
		len("GET /a.txt HTTP/1.1\r\nHost: x\r\nExpect: other\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"))
	if log != want {
		t.Errorf("access log:\n%s\nwant:\n%s", log, want)
	}
}

// TestExpectWithoutBody: a client's Expect: 100-continue goes to the
// backend even when the request has no body (r->expecting_100 is set by
// the field alone), and the backend's 100 Continue comes back to an
// HTTP/1.1 client; with it sent, the connection may stay open.
func TestExpectWithoutBody(t *testing.T) {
	backend := serveTCP(t, func(c net.Conn) {
		defer c.Close()
		br := bufio.NewReader(c)
		for {
			expect := false
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			for {
				h, err := br.ReadString('\n')
				if err != nil {
					return
				}
				if h == "\r\n" {
					break
				}
				expect = expect || strings.EqualFold(strings.TrimSpace(h), "Expect: 100-continue")
			}
			if expect {
				io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\n")
			}
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Line: "+strings.TrimSpace(line)+"\r\n\r\nok")
		}
	})
	addr := addrOf(freePort(t))
	conf := configHead(addr) + "ProxyPass /p/ http://" + backend + "/\nCustomLog logs/access.log \"%>s %X %O %U\"\n"
	root, confPath := newServerRoot(t, conf)
	p := startLogproxy(t, root, confPath, addr)
	resp := sendRaw(t, addr, "GET /p/a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\nGET /p/b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if !strings.HasPrefix(resp, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n") || strings.Count(resp, "HTTP/1.1 200 OK\r\n") != 2 {
		t.Errorf("answers %q: want the backend's 100, its 200, and the second request's 200 on the same connection", resp)
	}
	log := waitFileContains(t, p.logPath("access.log"), "/b\n", 5e9)
	if !regexp.MustCompile(`^200 \+ \d+ /p/a\n200 - \d+ /p/b\n$`).MatchString(log) {
		t.Errorf("access log:\n%s\nwant /p/a kept alive, then /p/b", log)
	}
}

// TestExpectBodySentAnyway: mod_proxy_http reads without blocking what
// the client already sent of its body before it asks the backend, also
// when the client said it would wait for a 100: a backend that then hangs
// up still leaves the body counted in %I.
func TestExpectBodySentAnyway(t *testing.T) {
	backend := serveTCP(t, func(c net.Conn) {
		readRequestHead(bufio.NewReader(c))
		c.Close()
	})
	addr := addrOf(freePort(t))
	conf := configHead(addr) + "ProxyPass /p/ http://" + backend + "/\nCustomLog logs/access.log \"%>s %I\"\n"
	root, confPath := newServerRoot(t, conf)
	p := startLogproxy(t, root, confPath, addr)
	req := "POST /p/x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"
	if got := sendRaw(t, addr, req); !strings.HasPrefix(got, "HTTP/1.1 502 ") || strings.Contains(got, "100 Continue") {
		t.Errorf("answer %q, want a 502 and no 100 Continue", clip(got, 80))
	}
	log := waitFileContains(t, p.logPath("access.log"), "502", 5e9)
	if want := fmt.Sprintf("502 %d\n", len(req)); log != want {
		t.Errorf("access log %q, want %q (the body counted)", log, want)
	}
}

// TestPrefetchBeforeConnect: without Expect, mod_proxy_http reads the
// body (up to MAX_MEM_SPOOL, 16384 bytes, blocking) before it connects to
// the backend: a body that never comes is a 408 after Timeout, even when
// the backend is down (apache2 2.4.71 answered 408, not 503), and of a
// longer body to a backend that is down %I counts 16384 bytes.
func TestPrefetchBeforeConnect(t *testing.T) {
	addr := addrOf(freePort(t))
	conf := configHead(addr) + "Timeout 1\nProxyPass /p/ http://" + closedAddr(t) + "/\nCustomLog logs/access.log \"%>s %I\"\n"
	root, confPath := newServerRoot(t, conf)
	p := startLogproxy(t, root, confPath, addr)
	req := "POST /p/x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\n"
	if got := sendRaw(t, addr, req); !strings.HasPrefix(got, "HTTP/1.1 408 ") {
		t.Errorf("a body that never comes, backend down: %q, want 408", clip(got, 80))
	}
	long := "POST /p/x HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\nConnection: close\r\n\r\n"
	if got := sendRaw(t, addr, long+strings.Repeat("b", 20000)); !strings.HasPrefix(got, "HTTP/1.1 503 ") {
		t.Errorf("a long body, backend down: %q, want 503", clip(got, 80))
	}
	log := waitFileContains(t, p.logPath("access.log"), "503", 5e9)
	if want := fmt.Sprintf("408 %d\n503 %d\n", len(req), len(long)+16384); log != want {
		t.Errorf("access log %q, want %q", log, want)
	}
}
