package integration

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jl6/logproxy/config"
	"github.com/jl6/logproxy/proxy"
	"golang.org/x/crypto/bcrypt"
)

// inProcess is a logproxy engine serving a configuration in this process.
type inProcess struct {
	addr string // host:port it listens on
	root string // its ServerRoot
	site *proxy.Site
}

// startInProcess serves conf ({ServerRoot} and {Backend} substituted) on
// a free loopback port, and stops it when the test ends.
func startInProcess(t *testing.T, conf, backend string) *inProcess {
	t.Helper()
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "logs"), 0o755)
	os.MkdirAll(filepath.Join(root, "htdocs"), 0o755)
	head := "LoadModule mpm_event_module x\nLoadModule proxy_module x\nLoadModule proxy_http_module x\n" +
		"LoadModule headers_module x\nLoadModule alias_module x\nLoadModule reqtimeout_module x\n" +
		"LoadModule dir_module x\nLoadModule mime_module x\n" +
		"ServerRoot {ServerRoot}\nListen 127.0.0.1:0\nServerName main.test\nDocumentRoot {ServerRoot}/htdocs\n" +
		"ErrorLog logs/error.log\nCustomLog logs/access.log \"%>s %r|%{X-JL6-CID}o|%{jl6cid}n\"\n"
	text := strings.NewReplacer("{ServerRoot}", root, "{Backend}", backend).Replace(head + conf)
	path := filepath.Join(root, "httpd.conf")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.ParseFile(path, &config.Options{ServerRoot: root})
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	site, err := config.Build(cfg, nil)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	if err := site.Prepare(); err != nil {
		t.Fatal(err)
	}
	if err := site.OpenLogs(); err != nil {
		t.Fatal(err)
	}
	// The error log goes to logs/error.log, as the server writes it.
	errLog, closeErrLog, err := proxy.OpenErrorLog(site, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	e := proxy.NewEngine(site, &proxy.Options{ErrorLog: errLog})
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		e.Shutdown(ctx)
		site.CloseLogs()
		closeErrLog()
	})
	return &inProcess{addr: e.Addrs()[0].String(), root: root, site: site}
}

// raw sends request bytes on a new connection and returns everything the
// server sends until it closes or goes quiet for a moment.
func (p *inProcess) raw(t *testing.T, req string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", p.addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	var out []byte
	buf := make([]byte, 4096)
	for {
		c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		n, err := c.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			return string(out)
		}
	}
}

// accessLog returns the access log once it has want lines (or after a
// deadline).
func (p *inProcess) accessLog(t *testing.T, want int) []string {
	t.Helper()
	return p.logLines(t, "logs/access.log", want)
}

// rawBackend starts a backend that reads one request per connection,
// writes answer(path) as it is (nothing, for ""), and closes; it returns
// its address.
func rawBackend(t *testing.T, answer func(path string) string) string {
	return serveTCP(t, func(c net.Conn) {
		defer c.Close()
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			return
		}
		io.WriteString(c, answer(req.URL.Path))
	})
}

// serveTCP accepts connections on a loopback port until the test ends,
// each served by serve on a goroutine of its own, and returns the
// address.
func serveTCP(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveListener(t, ln, serve)
}

// serveListener is serveTCP on ln (a TLS listener, say).
func serveListener(t *testing.T, ln net.Listener, serve func(net.Conn)) string {
	t.Helper()
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(c)
		}
	}()
	return ln.Addr().String()
}

// expectLog checks that the log at name (under the ServerRoot) holds
// exactly the lines want.
func (p *inProcess) expectLog(t *testing.T, name string, want []string) {
	t.Helper()
	lines := p.logLines(t, name, len(want))
	if len(lines) != len(want) {
		t.Fatalf("%s: %q, want %q", name, lines, want)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("%s line %d: %q, want %q", name, i, lines[i], want[i])
		}
	}
}

// logLines returns the lines of the log at name (under the ServerRoot)
// once it has want lines (or after a deadline).
func (p *inProcess) logLines(t *testing.T, name string, want int) []string {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		data, _ := os.ReadFile(filepath.Join(p.root, name))
		lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		if len(data) > 0 && len(lines) >= want || time.Now().After(deadline) {
			if len(data) == 0 {
				return nil
			}
			return lines
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func statusOf(resp string) string {
	line, _, _ := strings.Cut(resp, "\r\n")
	return line
}

func TestRedirect(t *testing.T) {
	p := startInProcess(t, `Redirect permanent /old http://new.test/new
RedirectMatch 303 ^/m/(.*)\.php$ http://new.test/$1
Redirect gone /gone
<Location /loc>
    Redirect temp http://new.test/elsewhere
</Location>
`, "")
	tests := []struct {
		path, status, location string
	}{
		{"/old/a?x=1", "HTTP/1.1 301 Moved Permanently", "Location: http://new.test/new/a?x=1"},
		{"/old", "HTTP/1.1 301 Moved Permanently", "Location: http://new.test/new"},
		{"/oldx", "HTTP/1.1 404 Not Found", ""},
		{"/m/page.php", "HTTP/1.1 303 See Other", "Location: http://new.test/page"},
		{"/gone/x", "HTTP/1.1 410 Gone", ""},
		{"/loc/any", "HTTP/1.1 302 Found", "Location: http://new.test/elsewhere"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp := p.raw(t, "GET "+tt.path+" HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n")
			if statusOf(resp) != tt.status {
				t.Fatalf("status %q, want %q\n%s", statusOf(resp), tt.status, resp)
			}
			if tt.location != "" && !strings.Contains(resp, "\r\n"+tt.location+"\r\n") {
				t.Errorf("no %q in\n%s", tt.location, resp)
			}
		})
	}
	lines := p.accessLog(t, len(tests))
	if len(lines) != len(tests) || !strings.HasPrefix(lines[0], "301 GET /old/a?x=1 HTTP/1.1|") {
		t.Errorf("access log: %q", lines)
	}
}

func TestProxyErrorOverrideAndBodyLimit(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("X-JL6-CID", "17")
		switch {
		case strings.HasSuffix(r.URL.Path, "/missing"):
			http.Error(w, "backend's own 404 page", 404)
			return
		case strings.HasSuffix(r.URL.Path, "/boom"):
			http.Error(w, "backend's own 500 page", http.StatusInternalServerError)
			return
		case strings.HasSuffix(r.URL.Path, "/auth"):
			w.Header().Set("WWW-Authenticate", `Basic realm="backend"`)
			http.Error(w, "backend's own 401 page", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, "ok")
	}))
	defer backend.Close()
	p := startInProcess(t, `ProxyPass /p/ {Backend}/p/
ProxyPass /q/ {Backend}/q/
ProxyPass /r/ {Backend}/r/
<Location /s/>
    LimitRequestBody 10
</Location>
<Location /p/>
    ProxyErrorOverride On
    ErrorDocument 404 "local page
</Location>
<Location /r/>
    ProxyErrorOverride On 500 401
    ErrorDocument 404 "local page
    ErrorDocument 500 "local 500 page
</Location>
<Location /q/>
    LimitRequestBody 10
</Location>
`, backend.URL)
	resp := p.raw(t, "GET /p/missing HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n")
	if statusOf(resp) != "HTTP/1.1 404 Not Found" || !strings.HasSuffix(resp, "\r\n\r\nlocal page") || strings.Contains(resp, "backend's own") {
		t.Errorf("ProxyErrorOverride: got\n%s", resp)
	}
	// With a list of statuses, only those are replaced; a 401 keeps the
	// backend's challenge.
	resp = p.raw(t, "GET /r/missing HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n")
	if statusOf(resp) != "HTTP/1.1 404 Not Found" || !strings.Contains(resp, "backend's own 404 page") {
		t.Errorf("ProxyErrorOverride On 500 401, a 404: got\n%s", resp)
	}
	resp = p.raw(t, "GET /r/boom HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n")
	if statusOf(resp) != "HTTP/1.1 500 Internal Server Error" || !strings.HasSuffix(resp, "\r\n\r\nlocal 500 page") {
		t.Errorf("ProxyErrorOverride On 500 401, a 500: got\n%s", resp)
	}
	resp = p.raw(t, "GET /r/auth HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n")
	if statusOf(resp) != "HTTP/1.1 401 Unauthorized" || strings.Contains(resp, "backend's own") ||
		!strings.Contains(resp, "WWW-Authenticate: Basic realm=\"backend\"\r\n") {
		t.Errorf("ProxyErrorOverride On 500 401, a 401: got\n%s", resp)
	}
	// LimitRequestBody limits what the server reads itself; a proxied
	// body is streamed to the backend unlimited, as httpd's HTTP_IN
	// filter sets no limit for a proxy request (apache2 2.4.71 answered
	// 200 to an 11-byte body under LimitRequestBody 10).
	resp = p.raw(t, "POST /s/x HTTP/1.1\r\nHost: main.test\r\nContent-Length: 20\r\n\r\n01234567890123456789")
	if statusOf(resp) != "HTTP/1.1 413 Request Entity Too Large" {
		t.Errorf("LimitRequestBody with Content-Length: got %q", statusOf(resp))
	}
	resp = p.raw(t, "POST /q/x HTTP/1.1\r\nHost: main.test\r\nContent-Length: 20\r\nConnection: close\r\n\r\n01234567890123456789")
	if statusOf(resp) != "HTTP/1.1 200 OK" {
		t.Errorf("a proxied body over LimitRequestBody: got %q", statusOf(resp))
	}
	resp = p.raw(t, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
	if !strings.HasPrefix(statusOf(resp), "HTTP/1.1 405") && !strings.HasPrefix(statusOf(resp), "HTTP/1.1 400") {
		t.Errorf("CONNECT: got %q, want 405 (or 400 for the authority form)", statusOf(resp))
	}
}

// TestSlowClientsDoNotStarve opens many connections that send their
// request head one byte at a time, then checks that normal requests are
// served quickly meanwhile, and that RequestReadTimeout ends the slow ones
// with a 408.
func TestSlowClientsDoNotStarve(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "ok")
	}))
	defer backend.Close()
	p := startInProcess(t, "RequestReadTimeout header=2-3,MinRate=500\nProxyPass / {Backend}/\n", backend.URL)

	const slow = 300
	var (
		wg      sync.WaitGroup
		got408  atomic.Int32
		stopped = make(chan struct{})
	)
	for i := 0; i < slow; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", p.addr)
			if err != nil {
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(8 * time.Second))
			go func() {
				// The request line at once, then a header field crawling
				// in a byte every half second (slowloris).
				if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: main.test\r\n"); err != nil {
					return
				}
				for {
					if _, err := io.WriteString(c, "X"); err != nil {
						return
					}
					select {
					case <-stopped:
						return
					case <-time.After(500 * time.Millisecond):
					}
				}
			}()
			line, _ := bufio.NewReader(c).ReadString('\n')
			if strings.HasPrefix(line, "HTTP/1.1 408") {
				got408.Add(1)
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	client := &http.Client{Timeout: 2 * time.Second}
	for i := 0; i < 20; i++ {
		start := time.Now()
		resp, err := client.Get("http://" + p.addr + "/")
		if err != nil {
			t.Fatalf("normal request %d failed while %d slow clients were connected: %v", i, slow, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if d := time.Since(start); d > time.Second {
			t.Errorf("normal request %d took %v", i, d)
		}
	}
	wg.Wait()
	close(stopped)
	if n := got408.Load(); n < slow*9/10 {
		t.Errorf("%d of %d slow clients got a 408 from RequestReadTimeout", n, slow)
	}
}

// TestPipedRotatelogs checks that a CustomLog piped to rotatelogs (Apache's
// path and arguments, as users have them) is written in-process.
func TestPipedRotatelogs(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-JL6-CID", "17")
		fmt.Fprint(w, "ok")
	}))
	defer backend.Close()
	p := startInProcess(t, `ProxyPass / {Backend}/
StripHeader X-JL6-*
CustomLog "|/usr/bin/rotatelogs -l logs/piped.%Y%m%d.log 86400" "%>s %U %{X-JL6-CID}o"
`, backend.URL)
	for _, path := range []string{"/a", "/b"} {
		resp := p.raw(t, "GET "+path+" HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n")
		if statusOf(resp) != "HTTP/1.1 200 OK" || strings.Contains(strings.ToLower(resp), "x-jl6") {
			t.Fatalf("GET %s:\n%s", path, resp)
		}
	}
	deadline := time.Now().Add(3 * time.Second)
	var data []byte
	for time.Now().Before(deadline) {
		files, _ := filepath.Glob(filepath.Join(p.root, "logs/piped.*.log"))
		if len(files) == 1 {
			data, _ = os.ReadFile(files[0])
			if strings.Count(string(data), "\n") == 2 {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if string(data) != "200 /a 17\n200 /b 17\n" {
		t.Errorf("piped log holds %q, want the two lines", data)
	}
}

// TestSetEnvIfRules: mod_setenvif's rules beyond the corpus. A header
// that is not there is tested as an empty value, so "^$" matches it and
// "(.*)" sets an empty variable; an attribute with bytes other than
// letters, digits, '-' and '_' is a regular expression over the request's
// header names (the value of the last that matches).
func TestSetEnvIfRules(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "ok")
	}))
	defer backend.Close()
	p := startInProcess(t, `LoadModule setenvif_module x
ProxyPass / {Backend}/
SetEnvIf X-Missing "^$" NOHDR
SetEnvIf User-Agent "^(.*)$" UA=$1
SetEnvIf ^X-Te.* "^yes" HASIT
SetEnvIfNoCase ^x-ot.*r "(.+)" OTHER=$1
CustomLog logs/env.log "%{NOHDR}e|[%{UA}e]|%{HASIT}e|%{OTHER}e"
`, backend.URL)
	p.raw(t, "GET /a HTTP/1.1\r\nHost: main.test\r\nX-Test: yes\r\nX-Other1: one\r\nX-Other2: two\r\nConnection: close\r\n\r\n")
	p.raw(t, "GET /b HTTP/1.1\r\nHost: main.test\r\nUser-Agent: ua\r\nX-Missing: here\r\nX-Test: no\r\nConnection: close\r\n\r\n")
	want := []string{"1|[]|1|two", "-|[ua]|-|-"}
	p.expectLog(t, "logs/env.log", want)
}

// TestOptionsSymlinks: with Options None httpd refuses a file reached
// through a symbolic link with a 403, and serves it by default
// (FollowSymLinks).
func TestOptionsSymlinks(t *testing.T) {
	p := startInProcess(t, `<Directory {ServerRoot}/htdocs/locked>
    Options None
</Directory>
`, "http://127.0.0.1:9")
	for _, d := range []string{"htdocs", "htdocs/locked"} {
		dir := filepath.Join(p.root, d)
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, "index.html"), []byte("index\n"), 0o644)
		if err := os.Symlink("index.html", filepath.Join(dir, "link.html")); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct{ path, want string }{
		{"/link.html", "HTTP/1.1 200 OK"},
		{"/locked/index.html", "HTTP/1.1 200 OK"},
		{"/locked/link.html", "HTTP/1.1 403 Forbidden"},
	} {
		resp := p.raw(t, "GET "+tt.path+" HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n")
		if statusOf(resp) != tt.want {
			t.Errorf("GET %s: %q, want %q", tt.path, statusOf(resp), tt.want)
		}
	}
}

// TestServerNameScheme: ServerName https://host makes the server's
// default port 443 and its own URLs https ones; the lines are what
// apache2 2.4.71 logged for the same requests and configuration.
func TestServerNameScheme(t *testing.T) {
	p := startInProcess(t, `ServerName https://x.test
CustomLog logs/s.log "%p %{canonical}p %v %V %>s %{Location}o"
`, "http://127.0.0.1:9")
	os.MkdirAll(filepath.Join(p.root, "htdocs", "sub"), 0o755)
	os.WriteFile(filepath.Join(p.root, "htdocs", "sub", "index.html"), []byte("hi\n"), 0o644)
	p.raw(t, "GET /sub HTTP/1.1\r\nHost: x.test\r\nConnection: close\r\n\r\n")
	p.raw(t, "GET /sub HTTP/1.1\r\nHost: y.test:8080\r\nConnection: close\r\n\r\n")
	want := []string{"443 443 x.test x.test 301 https://x.test/sub/", "443 443 x.test y.test 301 https://y.test:8080/sub/"}
	p.expectLog(t, "logs/s.log", want)
}

// TestBasicAuthLenient: Basic credentials are read as mod_auth_basic's
// get_basic_auth reads them; the lines are what apache2 2.4.71 logged
// for the same requests: an empty or undecodable credential is the user
// "", one without a colon is a user with an empty password, and what
// follows the base64 is ignored.
func TestBasicAuthLenient(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello")
	}))
	defer backend.Close()
	hash, err := bcrypt.GenerateFromPassword([]byte("secret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	pwfile := filepath.Join(t.TempDir(), "htpasswd")
	if err := os.WriteFile(pwfile, []byte("alice:"+string(hash)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := startInProcess(t, `LoadModule auth_basic_module x
LoadModule authn_file_module x
LoadModule authn_core_module x
LoadModule authz_core_module x
LoadModule authz_user_module x
ProxyPass /auth/ {Backend}/auth/
<Location /auth/>
    AuthType Basic
    AuthName "jl6"
    AuthUserFile `+pwfile+`
    Require valid-user
</Location>
CustomLog logs/auth.log "%>s|%u"
`, backend.URL)
	for _, cred := range []string{"Basic", "Basic !!!", "Basic YWxpY2U=", "Basic YWxpY2U6c2VjcmV0 junk", "Digest YWxpY2U6c2VjcmV0"} {
		p.raw(t, "GET /auth/x HTTP/1.1\r\nHost: h\r\nAuthorization: "+cred+"\r\nConnection: close\r\n\r\n")
	}
	want := []string{`401|""`, `401|""`, "401|alice", "200|alice", "401|-"}
	p.expectLog(t, "logs/auth.log", want)
}

// TestAbsoluteURIScheme: an absolute URI of a scheme other than http or
// https is refused with a 400, as ap_read_request refuses it on a server
// that is no forward proxy (apache2 2.4.71 logged "400|/p/x" for ftp://);
// https:// is taken as http:// is.
func TestAbsoluteURIScheme(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello")
	}))
	defer backend.Close()
	p := startInProcess(t, `ProxyPass /p/ {Backend}/p/
CustomLog logs/scheme.log "%>s|%U"
`, backend.URL)
	for _, target := range []string{"ftp://h/p/x", "foo://h/p/x", "HTTPS://h/p/x", "http://h/p/x"} {
		p.raw(t, "GET "+target+" HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	}
	want := []string{"400|/p/x", "400|/p/x", "200|/p/x", "200|/p/x"}
	p.expectLog(t, "logs/scheme.log", want)
}

// TestNULRequestLine: a request line cut at a NUL logs what httpd logs,
// r->the_request as a C string: nothing for a NUL first (apache2 2.4.71
// logged `""` in "%r"), the text before it otherwise.
func TestNULRequestLine(t *testing.T) {
	p := startInProcess(t, `CustomLog logs/nul.log "\"%r\"|%>s|%m|%U|%H"
`, "http://127.0.0.1:9")
	p.raw(t, "\x00\r\n\r\n")
	p.raw(t, "GET /\x00x HTTP/1.1\r\n\r\n")
	p.expectLog(t, "logs/nul.log", []string{`""|400|-|-|HTTP/1.0`, `"GET /"|400|-|-|HTTP/1.0`})
}

// TestTrace: TRACE to a resource that is not proxied is answered by the
// server, as core's ap_send_http_trace answers it (TraceEnable is on by
// default): the request echoed as message/http, or a 413 when it has a
// body. The log lines and the echo are what apache2 2.4.71 sent and logged
// for the same requests.
func TestTrace(t *testing.T) {
	p := startInProcess(t, `CustomLog logs/t.log "%>s|%r|%m|%U|%b|%B|%f|%X|%{Content-Type}o"
`, "http://127.0.0.1:9")
	os.WriteFile(filepath.Join(p.root, "htdocs", "index.html"), []byte("hi\n"), 0o644)
	resp := p.raw(t, "TRACE / HTTP/1.1\r\nHost: www.example.test:28080\r\nUser-Agent: jl6-client/1.0\r\nConnection: close\r\n\r\n")
	const echo = "\r\n\r\n61\r\nTRACE / HTTP/1.1\r\nHost: www.example.test:28080\r\nUser-Agent: jl6-client/1.0\r\nConnection: close\r\n\r\n\r\n0\r\n\r\n"
	if statusOf(resp) != "HTTP/1.1 200 OK" || !strings.HasSuffix(resp, echo) || !strings.Contains(resp, "\r\nContent-Type: message/http\r\n") {
		t.Errorf("TRACE: got %q", resp)
	}
	resp = p.raw(t, "TRACE /index.html HTTP/1.1\r\nHost: www.example.test:28080\r\nUser-Agent: jl6-client/1.0\r\nContent-Length: 3\r\n\r\nabc")
	if statusOf(resp) != "HTTP/1.1 413 Request Entity Too Large" {
		t.Errorf("TRACE with a body: %q", statusOf(resp))
	}
	docs := filepath.Join(p.root, "htdocs")
	p.expectLog(t, "logs/t.log", []string{
		"200|TRACE / HTTP/1.1|TRACE|/|97|97|" + docs + "/|-|message/http",
		"413|TRACE /index.html HTTP/1.1|TRACE|/index.html|357|357|" + docs + "/index.html|-|text/html",
	})
}

// TestProxyTransferEncodingList: a proxied request whose
// Transfer-Encoding is a list ending in chunked, which the server itself
// takes, is refused by mod_proxy_http with a 500 (AH01093) before its
// body is read; apache2 2.4.71 logged "500|65|-" for the first request.
func TestProxyTransferEncodingList(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		fmt.Fprint(w, "hello")
	}))
	defer backend.Close()
	p := startInProcess(t, `ProxyPass /p/ {Backend}/p/
CustomLog logs/te.log "%>s|%I|%X"
`, backend.URL)
	p.raw(t, "POST /p/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1\r\na\r\n0\r\n\r\n")
	p.raw(t, "POST /p/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n")
	p.raw(t, "POST /p/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\nConnection: close\r\n\r\n1\r\na\r\n0\r\n\r\n")
	p.expectLog(t, "logs/te.log", []string{"500|65|-", "500|87|-", "200|89|-"}) // %I: the heads (65, 87 bytes), then head and body (78+11)
}

// TestProxyErrorPage: a backend that closes before answering gets
// mod_proxy's ap_proxyerror answer: "502 Proxy Error" with the reason in
// the page and in the error-notes note. The body and the log line are
// what apache2 2.4.71 sent and logged for the same request.
func TestProxyErrorPage(t *testing.T) {
	addr := rawBackend(t, func(string) string { return "" }) // closes unanswered
	p := startInProcess(t, `ProxyPass /p/ {Backend}/p/
CustomLog logs/pe.log "%>s|%b|%I|%O|%X|[%{error-notes}n]"
`, "http://"+addr)
	resp := p.raw(t, "GET /p/x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	const body = "\r\n\r\n<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>502 Proxy Error</title>\n</head><body>\n<h1>Proxy Error</h1>\n<p>The proxy server received an invalid\r\nresponse from an upstream server.<br />\r\nThe proxy server could not handle the request<p>Reason: <strong>Error reading from remote server</strong></p></p>\n</body></html>\n"
	if statusOf(resp) != "HTTP/1.1 502 Proxy Error" || !strings.HasSuffix(resp, body) {
		t.Errorf("got %q", resp)
	}
	p.expectLog(t, "logs/pe.log", []string{"502|381|49|563|-|[The proxy server could not handle the request<p>Reason: <strong>Error reading from remote server</strong></p>]"})
}

// TestBackendHangUpKeptAlive: a backend that closes before its status
// line gets the client a 502 page on a connection's first request, but
// on one that already served a request the connection is closed with no
// answer at all, so that the client retries (mod_proxy_http, AH01104).
// The lines are what apache2 2.4.71 logged for the same requests.
func TestBackendHangUpKeptAlive(t *testing.T) {
	addr := rawBackend(t, func(path string) string {
		if path == "/hang" {
			return "" // closes unanswered
		}
		return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	})
	p := startInProcess(t, `ProxyPass / {Backend}/
CustomLog logs/hang.log "%r %>s %s %b %k %X %I %O"
`, "http://"+addr)
	// The second request is sent once the first was answered, as to
	// apache2 (pipelined, the first would count a byte of the second).
	c, err := net.DialTimeout("tcp", p.addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	io.WriteString(c, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	first, err := http.ReadResponse(br, nil)
	if err != nil || first.StatusCode != 200 {
		t.Fatalf("first answer: %v %v", first, err)
	}
	io.ReadAll(first.Body)
	io.WriteString(c, "GET /hang HTTP/1.1\r\nHost: x\r\n\r\n")
	if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
		t.Errorf("after the second request: %q, %v; want the connection closed with no answer", rest, err)
	}
	resp := p.raw(t, "GET /hang HTTP/1.1\r\nHost: x\r\n\r\n")
	if statusOf(resp) != "HTTP/1.1 502 Proxy Error" {
		t.Errorf("first request: got %q, want the 502 page", resp)
	}
	p.expectLog(t, "logs/hang.log", []string{
		"GET /ok HTTP/1.1 200 200 2 0 + 29 109",
		"GET /hang HTTP/1.1 502 502 - 0 - 31 0",
		"GET /hang HTTP/1.1 502 502 381 0 + 31 544",
	})
}

// TestChunkEndLine: a request body whose chunk data is not followed by
// CRLF is refused once the rest of that line was read, as httpd's chunk
// filter reads it (AP_MODE_GETLINE), so %I counts the line through its
// LF. The lines are what apache2 2.4.71 logged for the same requests.
func TestChunkEndLine(t *testing.T) {
	addr := rawBackend(t, func(string) string { return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" })
	p := startInProcess(t, `ProxyPass / {Backend}/
CustomLog logs/chunk.log "%r %>s %b %X %I %O"
`, "http://"+addr)
	for _, body := range []string{"3\r\nabcX\r\n0\r\n\r\n", "3\r\nabc0\r\n\r\n", "3\r\nabc\n0\r\n\r\n", "3\r\nabc\r0\r\n\r\n"} {
		if resp := p.raw(t, "POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"+body); statusOf(resp) != "HTTP/1.1 400 Bad Request" {
			t.Errorf("%q: got %q", body, resp)
		}
	}
	p.expectLog(t, "logs/chunk.log", []string{
		"POST /p HTTP/1.1 400 266 - 66 427",
		"POST /p HTTP/1.1 400 266 - 66 427",
		"POST /p HTTP/1.1 400 266 - 64 427",
		"POST /p HTTP/1.1 400 266 - 67 427",
	})
}

// TestBackendBadContentLength: a backend's Content-Length that is no
// number ("5, 5") is refused as httpd's HTTP_IN filter refuses it once
// mod_proxy_http starts reading the body: a 502 made inside the output
// filters, chunked, with r->no_cache's Expires and %k counted twice. The
// answer (but for Date, Server and Expires) and the line are what
// apache2 2.4.71 sent and logged.
func TestBackendBadContentLength(t *testing.T) {
	addr := rawBackend(t, func(string) string { return "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello" })
	p := startInProcess(t, `ProxyPass / {Backend}/
CustomLog logs/cl.log "%r %>s %b %k %X %I %O"
`, "http://"+addr)
	resp := p.raw(t, "GET /cl55 HTTP/1.1\r\nHost: x\r\n\r\n")
	head, body, _ := strings.Cut(resp, "\r\n\r\n")
	var names []string
	for _, line := range strings.Split(head, "\r\n")[1:] {
		name, _, _ := strings.Cut(line, ":")
		names = append(names, name)
	}
	if statusOf(resp) != "HTTP/1.1 502 Bad Gateway" || strings.Join(names, ",") != "Date,Server,Expires,Transfer-Encoding,Content-Type" ||
		!strings.HasPrefix(body, "110\r\n<!DOCTYPE") || !strings.HasSuffix(body, "</html>\n\r\n0\r\n\r\n") {
		t.Errorf("got %q", resp)
	}
	p.expectLog(t, "logs/cl.log", []string{"GET /cl55 HTTP/1.1 502 272 1 + 31 494"})
}

// TestBackendBadHeaderMessages: a backend header httpd refuses is named
// in the error log as httpd names it, the message escaped as
// ap_escape_errorlog_item escapes it; apache2 2.4.71 logged these
// messages (and these levels) for the same answers.
func TestBackendBadHeaderMessages(t *testing.T) {
	heads := map[string]string{
		"/ctl":     "X-JL6-CID: 1\x017\r\n",
		"/name":    "X-JL6-CID : 17\r\n",
		"/nocolon": "Garbage line\r\n",
	}
	addr := rawBackend(t, func(path string) string {
		return "HTTP/1.1 200 OK\r\n" + heads[path] + "Content-Length: 2\r\n\r\nok"
	})
	p := startInProcess(t, `ProxyPass / {Backend}/
ErrorLogFormat "%l|%M"
LogLevel warn
`, "http://"+addr)
	for _, path := range []string{"/ctl", "/name", "/nocolon"} {
		p.raw(t, "GET "+path+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	}
	want := []string{
		"error|AH02430: Response header 'X-JL6-CID' value of '1\\x017' contains invalid characters, aborting request",
		"error|AH02429: Response header name 'X-JL6-CID ' contains invalid characters, aborting request",
		"warn|AH01106: bad HTTP/1.1 header returned by /nocolon (GET)",
	}
	var got []string
	for _, line := range p.logLines(t, "logs/error.log", 3) {
		if strings.Contains(line, "|AH0") {
			got = append(got, line)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("error log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestBadHeaderTakenOut: check_headers tests the head as it goes out,
// after Header rules: a control byte in a field "Header unset" (or
// StripHeader) takes out is no reason for a 500, and the value is noted
// and logged escaped. An ErrorDocument URL for a proxy error redirects
// with a plain "302 Found". apache2 2.4.71 logged the first and the last
// line for the same requests (StripHeader is logproxy's own).
func TestBadHeaderTakenOut(t *testing.T) {
	addr := rawBackend(t, func(path string) string {
		if path == "/hang" {
			return ""
		}
		return "HTTP/1.1 200 OK\r\nX-JL6-CID: 1\x017\r\nContent-Length: 2\r\n\r\nok"
	})
	p := startInProcess(t, `ProxyPass /p/ {Backend}/
ProxyPass /s/ {Backend}/
ErrorDocument 502 http://elsewhere.test/err
CustomLog logs/bad.log "%r|%>s|%s|%b|%{X-JL6-CID}o|%{cid}n|%{Location}o|%X|%O"
<Location /p/>
Header note X-JL6-CID cid
Header unset X-JL6-CID
</Location>
<Location /s/>
StripHeader X-JL6-*
</Location>
`, "http://"+addr)
	for _, path := range []string{"/p/h6", "/s/h6", "/p/hang"} {
		resp := p.raw(t, "GET "+path+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		if strings.Contains(resp, "X-JL6") {
			t.Errorf("%s: the client got X-JL6-CID: %q", path, resp)
		}
		if path == "/p/hang" && statusOf(resp) != "HTTP/1.1 302 Found" {
			t.Errorf("%s: status line %q, want HTTP/1.1 302 Found", path, statusOf(resp))
		}
	}
	p.expectLog(t, "logs/bad.log", []string{
		"GET /p/h6 HTTP/1.1|200|200|2|-|1\\x017|-|-|128",
		"GET /s/h6 HTTP/1.1|200|200|2|1\\x017|-|-|-|128",
		"GET /p/hang HTTP/1.1|302|302|249|-|-|http://elsewhere.test/err|-|462",
	})
}

// TestBackendStatusLine: the backend's status line is relayed as it
// came, even with an empty reason phrase, as httpd relays r->status_line
// (apache2 2.4.71 sent "HTTP/1.1 200 " for a backend's "HTTP/1.1 200 "),
// and three digits alone get the blank httpd's header filter adds.
func TestBackendStatusLine(t *testing.T) {
	answers := map[string]string{
		"/p/empty":  "HTTP/1.1 200 \r\n",
		"/p/none":   "HTTP/1.1 404\r\n",
		"/p/custom": "HTTP/1.1 200 Fine Thanks\r\n",
	}
	addr := rawBackend(t, func(path string) string {
		return answers[path] + "Content-Length: 5\r\nConnection: close\r\n\r\nhello"
	})
	p := startInProcess(t, `ProxyPass /p/ {Backend}/p/
`, "http://"+addr)
	for path, want := range map[string]string{
		"/p/empty":  "HTTP/1.1 200 ",
		"/p/none":   "HTTP/1.1 404 ",
		"/p/custom": "HTTP/1.1 200 Fine Thanks",
	} {
		resp := p.raw(t, "GET "+path+" HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
		if got := statusOf(resp); got != want {
			t.Errorf("%s: status line %q, want %q", path, got, want)
		}
	}
}

// TestHTTP09Headers: an HTTP/0.9 answer has no head, but %{...}o logs the
// table httpd's header filter leaves: "Connection: close", the content
// type, and for a file no Last-Modified (ap_set_last_modified skips
// HTTP/0.9); apache2 2.4.71 logged these lines for the same requests.
func TestHTTP09Headers(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Last-Modified", "Sun, 22 Nov 2026 17:07:16 GMT")
		fmt.Fprint(w, "hello")
	}))
	defer backend.Close()
	p := startInProcess(t, `AddType text/html .html
ProxyPass /p/ {Backend}/
CustomLog logs/h9.log "%>s|%{Connection}o|%{Content-Type}o|%{Last-Modified}o|%b"
`, backend.URL)
	os.WriteFile(filepath.Join(p.root, "htdocs", "index.html"), []byte("hi\n"), 0o644)
	p.raw(t, "GET /index.html\r\n")
	p.raw(t, "GET /p/x\r\n")
	p.raw(t, "GET /nothing\r\n") // an error page: no content type either
	p.expectLog(t, "logs/h9.log", []string{"200|close|text/html|-|3", "200|close|text/plain|Sun, 22 Nov 2026 17:07:16 GMT|5", "404|close|-|-|236"})
}

// TestOptionsStar: "OPTIONS *" is answered at map_to_storage time, before
// the fixups (no SetEnv, no RequestHeader), with core's file name; "*"
// with another method is a 400. The lines are what apache2 2.4.71 logged
// for the same requests and configuration.
func TestOptionsStar(t *testing.T) {
	p := startInProcess(t, `LoadModule env_module x
SetEnv JL6 x
RequestHeader set X-Added y
CustomLog logs/o.log "%>s|%f|%{JL6}e|%{X-Added}i|%U|%b"
`, "http://127.0.0.1:9")
	os.WriteFile(filepath.Join(p.root, "htdocs", "index.html"), []byte("hi\n"), 0o644)
	for _, req := range []string{"OPTIONS * HTTP/1.0\r\n\r\n", "GET * HTTP/1.0\r\n\r\n", "OPTIONS /index.html HTTP/1.0\r\n\r\n"} {
		p.raw(t, req)
	}
	docs := filepath.Join(p.root, "htdocs")
	p.expectLog(t, "logs/o.log", []string{
		"200|" + docs + "/*|-|-|*|-",
		"400|-|-|-|*|266",
		"200|" + docs + "/index.html|x|y|/index.html|-",
	})
}

// TestErrorDocumentRedirect: the request an ErrorDocument redirect makes
// is a GET whatever the method was, carries REQUEST_METHOD of the
// original (REDIRECT_ in its own environment), and runs the SetEnvIf
// rules again, the server's and its sections'; the lines are what
// apache2 2.4.71 logged for the same requests and configuration.
func TestErrorDocumentRedirect(t *testing.T) {
	p := startInProcess(t, `LoadModule setenvif_module x
ErrorDocument 404 /errdoc.html
SetEnvIf User-Agent "^(.*)$" UA=$1
<Location />
SetEnvIf User-Agent "^(.*)$" LOC=$1
</Location>
CustomLog logs/e.log "%>s|%m|%<m|%>m|%{UA}e|%{LOC}e|%{REDIRECT_UA}e|%{REDIRECT_LOC}e|%{REDIRECT_REQUEST_METHOD}e|%<{REQUEST_METHOD}e|%b"
`, "http://127.0.0.1:9")
	os.WriteFile(filepath.Join(p.root, "htdocs", "errdoc.html"), []byte("<html>err</html>\n"), 0o644)
	for _, req := range []string{
		"HEAD /missing HTTP/1.0\r\nUser-Agent: ua1\r\n\r\n",
		"GET /missing HTTP/1.0\r\nUser-Agent: ua2\r\n\r\n",
		"POST /missing HTTP/1.0\r\nContent-Length: 0\r\n\r\n",
	} {
		p.raw(t, req)
	}
	p.expectLog(t, "logs/e.log", []string{
		"404|GET|HEAD|GET|ua1|ua1|ua1|ua1|HEAD|HEAD|-",
		"404|GET|GET|GET|ua2|ua2|ua2|ua2|GET|GET|17",
		"404|GET|POST|GET|||||POST|POST|17",
	})
}

// TestErrorDocumentProxied: an ErrorDocument that is a proxied URL
// answers with the backend's status, as mod_proxy_http sets r->status
// from it, while %s (the original request) keeps the error; apache2
// 2.4.71 sent "200 OK" and logged "200|...|404".
func TestErrorDocumentProxied(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello")
	}))
	defer backend.Close()
	p := startInProcess(t, `ProxyPass /p/ {Backend}/p/
ErrorDocument 404 /p/errdoc-target
CustomLog logs/ed.log "%>s|%r|%b|%s"
`, backend.URL)
	resp := p.raw(t, "GET /redir2/missing HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	if statusOf(resp) != "HTTP/1.1 200 OK" || !strings.HasSuffix(resp, "hello") {
		t.Errorf("got %q", resp)
	}
	p.expectLog(t, "logs/ed.log", []string{"200|GET /redir2/missing HTTP/1.1|5|404"})
}

// TestBackendBodyShort: a backend that closes before its Content-Length
// is complete: what came is relayed, then the client connection is
// closed, and %X is "-" (httpd's ap_proxy_backend_broke does not mark the
// client connection aborted); apache2 2.4.71 logged "200|5|-".
func TestBackendBodyShort(t *testing.T) {
	addr := rawBackend(t, func(string) string { return "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello" })
	p := startInProcess(t, `ProxyPass /p/ {Backend}/p/
CustomLog logs/short.log "%>s|%b|%X"
`, "http://"+addr)
	resp := p.raw(t, "GET /p/x HTTP/1.1\r\nHost: h\r\n\r\n")
	if statusOf(resp) != "HTTP/1.1 200 OK" || !strings.HasSuffix(resp, "\r\n\r\nhello") {
		t.Errorf("got %q", resp)
	}
	p.expectLog(t, "logs/short.log", []string{"200|5|-"})
}

// TestHeadChunkedBackend: the answer to a HEAD whose backend says it
// would send a chunked body keeps "Transfer-Encoding: chunked", as
// mod_proxy_http removes it only when it reads a body (apache2 2.4.71
// logged "chunked" for %{Transfer-Encoding}o).
func TestHeadChunkedBackend(t *testing.T) {
	addr := rawBackend(t, func(string) string {
		return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
	})
	p := startInProcess(t, `ProxyPass /p/ {Backend}/p/
CustomLog logs/head.log "%>s|%b|%{Transfer-Encoding}o"
`, "http://"+addr)
	resp := p.raw(t, "HEAD /p/x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	if statusOf(resp) != "HTTP/1.1 200 OK" || !strings.Contains(resp, "\r\nTransfer-Encoding: chunked\r\n") || !strings.HasSuffix(resp, "\r\n\r\n") {
		t.Errorf("got %q", resp)
	}
	p.expectLog(t, "logs/head.log", []string{"200|-|chunked"})
}

// TestRequestBodyErrors: the default handler reads a request body away
// before it answers (a 100 Continue first for a client that waits for
// one, then the connection can stay open), and an error while reading a
// body is answered without Content-Length on a closing connection, as
// httpd's HTTP_IN filter sends it. The lines are what apache2 2.4.71
// logged for the same requests and configuration (less %O, which the
// files' ETag makes vary).
func TestRequestBodyErrors(t *testing.T) {
	addr := rawBackend(t, func(string) string {
		return "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"
	})
	p := startInProcess(t, `ProxyPass /p/ {Backend}/p/
<Location /lim/>
LimitRequestBody 10
</Location>
CustomLog logs/b.log "%>s|%I|%X|%{Content-Length}o|%{Transfer-Encoding}o|%U"
`, "http://"+addr)
	os.WriteFile(filepath.Join(p.root, "htdocs", "index.html"), []byte("hi\n"), 0o644)
	for _, tc := range []struct{ head, body string }{
		{"POST /index.html HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n", "abcd"},
		{"POST /nothing HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n", "abcd"},
		{"POST /index.html HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", ""},
		{"POST /lim/x HTTP/1.1\r\nHost: h\r\nContent-Length: 20\r\n\r\n" + strings.Repeat("x", 20), ""},
		{"POST /p/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", ""},
		// A bad trailer fails ap_get_mime_headers: an ordinary 400,
		// with its length (apache2 2.4.71 sent 448 bytes, not 427).
		{"POST /p/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T2: \x01\xff\r\n\r\n", ""},
	} {
		c, err := net.Dial("tcp", p.addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(c, tc.head)
		br := bufio.NewReader(c)
		if tc.body != "" {
			// The body only after the interim answer.
			line, err := br.ReadString('\n')
			if err != nil || line != "HTTP/1.1 100 Continue\r\n" {
				t.Fatalf("%q: %q %v, want a 100 Continue", tc.head, line, err)
			}
			br.ReadString('\n')
			io.WriteString(c, tc.body)
		}
		io.Copy(io.Discard, br) // to the end: every answer closes
		c.Close()
	}
	p.expectLog(t, "logs/b.log", []string{
		"200|102|-|3|-|/index.html",
		"404|99|-|236|-|/nothing",
		"400|70|-|-|-|/index.html",
		"413|53|-|-|-|/lim/x",
		"400|63|-|-|-|/p/x",
		"400|84|-|266|-|/p/x", // %I: the whole request (59+25)
	})
}

// TestDeadBackendBodyCounted: mod_proxy_http reads the body bytes that
// have arrived before it connects, so when the backend cannot be reached
// %I counts them; apache2 2.4.71 logged 503 with %I 59 for this 56-byte
// head and its 3-byte body.
func TestDeadBackendBodyCounted(t *testing.T) {
	closed := closedAddr(t)
	p := startInProcess(t, `ProxyPass / {Backend}/
CustomLog logs/dead.log "%>s|%I|%X"
`, "http://"+closed)
	p.raw(t, "POST /x HTTP/1.1\r\nHost: dead.test\r\nContent-Length: 3\r\n\r\nabc")
	p.expectLog(t, "logs/dead.log", []string{"503|59|-"})
}

// TestRedirectStatus: a Redirect whose status is not a redirect (404,
// 410, 503) takes a path alone and answers that status for it, as
// mod_alias does.
func TestRedirectStatus(t *testing.T) {
	p := startInProcess(t, `Redirect 404 /hidden
Redirect gone /old
CustomLog logs/rs.log "%>s|%U"
`, "http://127.0.0.1:9")
	for _, path := range []string{"/hidden", "/hidden/x", "/old/y"} {
		p.raw(t, "GET "+path+" HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	}
	p.expectLog(t, "logs/rs.log", []string{"404|/hidden", "404|/hidden/x", "410|/old/y"})
}

// TestInvalidPathLogID: a path that ap_normalize_path refuses is logged
// to the error log (AH10244), which gives the request a log id for %L,
// as apache2 2.4.71 logged one for GET /p/a%zzb.
func TestInvalidPathLogID(t *testing.T) {
	p := startInProcess(t, `CustomLog logs/id.log "%>s|%L"
`, "http://127.0.0.1:9")
	p.raw(t, "GET /p/a%zzb HTTP/1.1\r\nHost: h\r\n\r\n")
	p.raw(t, "GET /ok HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	lines := p.logLines(t, "logs/id.log", 2)
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "400|") || len(lines[0]) != len("400|")+11 || lines[1] != "404|-" {
		t.Errorf("lines %q, want a 400 with an 11-character id, then \"404|-\"", lines)
	}
}

// TestBackendUnexpectedUpgrade: a backend that switches protocols for a
// request that asked for none gets mod_proxy_http's "502 Proxy Error"
// with the reason in the page; apache2 2.4.71 sent a 388-byte page.
func TestBackendUnexpectedUpgrade(t *testing.T) {
	addr := rawBackend(t, func(string) string {
		return "HTTP/1.1 101 Switching Protocols\r\n\r\n"
	})
	p := startInProcess(t, `ProxyPass /p/ {Backend}/p/
CustomLog logs/up.log "%>s|%b|[%{error-notes}n]"
`, "http://"+addr)
	resp := p.raw(t, "GET /p/x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	if statusOf(resp) != "HTTP/1.1 502 Proxy Error" {
		t.Errorf("status %q, want 502 Proxy Error", statusOf(resp))
	}
	p.expectLog(t, "logs/up.log", []string{"502|388|[The proxy server could not handle the request<p>Reason: <strong>Unexpected Upgrade: n/a (expecting n/a)</strong></p>]"})
}

// TestRangeUnsatisfiable: the byterange filter's 416 is made inside the
// output filters once the header filter ran: the page goes out chunked,
// without Content-Length, and %k counts the connection twice; apache2
// 2.4.71 logged these lines (and sent the same 778 bytes) for the same
// two requests.
func TestRangeUnsatisfiable(t *testing.T) {
	p := startInProcess(t, `CustomLog logs/r.log "%>s|%k|%b|%{Content-Length}o|%{Transfer-Encoding}o|%X"
`, "http://127.0.0.1:9")
	os.WriteFile(filepath.Join(p.root, "htdocs", "index.html"), []byte("hi\n"), 0o644)
	resp := p.raw(t, "GET /index.html HTTP/1.1\r\nHost: h\r\nRange: bytes=1000-\r\n\r\nGET /index.html HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	if !strings.HasPrefix(resp, "HTTP/1.1 416 Requested Range Not Satisfiable\r\n") ||
		!strings.Contains(resp, "\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n162\r\n<!DOCTYPE") ||
		!strings.Contains(resp, "</html>\n\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n") {
		t.Errorf("got %q", resp)
	}
	p.expectLog(t, "logs/r.log", []string{"416|1|354|-|chunked|+", "200|1|3|3|-|-"})
}
