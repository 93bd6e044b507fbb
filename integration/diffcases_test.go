package integration

import (
	"bufio"
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
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
	backend := serveTCP(t, func(c net.Conn) {
		defer c.Close()
		br := bufio.NewReader(c)
		for {
			line, ok := readRequestHead(br)
			if !ok {
				return
			}
			n := "0"
			if strings.Contains(line, "/three") {
				n = "3"
			}
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %s\r\n\r\n", n)
		}
	})
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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
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
