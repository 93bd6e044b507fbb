package integration

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jl6/logproxy/logformat"
)

// TestDjango runs a real Django application (Debian's python3-django under
// gunicorn, testdata/django/app) behind logproxy with the configuration a
// Django site usually has behind Apache httpd (testdata/django/site.conf):
// static files served by the proxy, everything else proxied, the app
// naming the object each page shows in X-JL6-CID and X-JL6-OID. It checks
// what the client gets (pages, redirects, CSRF-protected forms, a
// streamed feed, uploads, error pages, never an X-JL6 header), that the
// access log is byte for byte what apache2 2.4.71 wrote for the same
// requests in front of the same app (testdata/django/access.log), and
// that the log, read back with logformat.Parse, gives the hit counts per
// object the requests made. The same requests then go through
// logproxy's StripHeader with %{X-JL6-CID}o in place of Header note and
// unset, which must log the same values.
//
// LOGPROXY_DJANGO_RECORD=1 runs apache2 instead and writes the recording
// (the checks of what the client gets apply to apache2 as well).
//
// make test installs python3-django and gunicorn (make deps); the test
// fails, and does not skip, when they are missing.
func TestDjango(t *testing.T) {
	backend := startGunicorn(t)
	record := os.Getenv("LOGPROXY_DJANGO_RECORD") == "1"

	t.Run("header note", func(t *testing.T) {
		s := startDjangoSite(t, backend, record, nil)
		s.run(t)
		if record {
			s.writeRecording(t)
			return
		}
		expectRecordedLog(t, s.log(), "django/access.log", "BACKEND", backend)
		s.expectHits(t, "%{cid}n", "%{oid}n")
	})
	if record {
		return
	}
	t.Run("StripHeader", func(t *testing.T) {
		// The app's headers logged as the backend sent them (%{..}o)
		// and removed by StripHeader: the same log as with Header note
		// and unset.
		strip := strings.NewReplacer(
			"%{cid}n %{oid}n", "%{X-JL6-CID}o %{X-JL6-OID}o",
			"    Header note X-JL6-CID cid\n", "",
			"    Header note X-JL6-OID oid\n", "",
			"    Header unset X-JL6-CID\n", "",
			"    Header unset X-JL6-OID\n", "    StripHeader X-JL6-*\n",
		)
		s := startDjangoSite(t, backend, false, strip)
		conf := readFileString(filepath.Join(s.root, "httpd.conf"))
		if strings.Count(conf, "StripHeader X-JL6-*") != 2 || strings.Contains(conf, "Header note") || strings.Contains(conf, "Header unset") || strings.Contains(conf, "%{cid}n") {
			t.Fatalf("the edit of site.conf did not apply:\n%s", conf)
		}
		s.run(t)
		expectRecordedLog(t, s.log(), "django/access.log", "BACKEND", backend)
		s.expectHits(t, "%{X-JL6-CID}o", "%{X-JL6-OID}o")
	})
	t.Run("LogRedact", func(t *testing.T) {
		// logproxy's redaction: the query parameter a in %r and the
		// Referer field are hidden; the rest of the line is apache2's.
		redact := strings.NewReplacer("LogFormat ", "LogRedactQuery a\nLogRedactHeader Referer\nLogFormat ")
		s := startDjangoSite(t, backend, false, redact)
		s.run(t)
		golden, err := os.ReadFile(filepath.Join("testdata", "django", "access.log"))
		if err != nil {
			t.Fatal(err)
		}
		want := strings.NewReplacer(
			`"GET /whoami/?a=b HTTP/1.1"`, `"GET /whoami/?a=REDACTED HTTP/1.1"`,
			`"http://www.example.com/"`, `"REDACTED"`,
			`"http://www.example.com/articles/2/comment/"`, `"REDACTED"`,
		).Replace(string(golden))
		if want == string(golden) {
			t.Fatal("the recording has none of the values to hide")
		}
		expectLogLines(t, s.log(), strings.ReplaceAll(want, "BACKEND", backend))
		s.expectHits(t, "%{cid}n", "%{oid}n")
	})
}

// startGunicorn starts the Django app of testdata/django/app under
// gunicorn (one worker process, four threads, kept-alive connections)
// and returns its address; it is stopped at cleanup.
func startGunicorn(t *testing.T) string {
	t.Helper()
	// Debian's packages, by their paths: a python3 earlier in PATH (pyenv,
	// a virtualenv) has other modules.
	const gunicorn = "/usr/bin/gunicorn"
	if _, err := os.Stat(gunicorn); err != nil {
		t.Fatalf("gunicorn is needed (Debian: apt-get install gunicorn python3-django; make deps does it): %v", err)
	}
	if out, err := exec.Command("/usr/bin/python3", "-c", "import django").CombinedOutput(); err != nil {
		t.Fatalf("python3 cannot import django (Debian: apt-get install python3-django; make deps does it): %v\n%s", err, out)
	}
	app, err := filepath.Abs(filepath.Join("testdata", "django", "app"))
	if err != nil {
		t.Fatal(err)
	}
	addr := addrOf(freePort(t))
	out := filepath.Join(t.TempDir(), "gunicorn.out")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(gunicorn, "--chdir", app, "--bind", addr, "--workers", "1",
		"--worker-class", "gthread", "--threads", "4", "--keep-alive", "5", "wsgi:application")
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "TZ=UTC")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		f.Close()
		close(done)
	}()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		if t.Failed() {
			data, _ := os.ReadFile(out)
			t.Logf("gunicorn output:\n%s", data)
		}
	})
	for deadline := time.Now().Add(30 * time.Second); !portOpenAddr(addr); time.Sleep(100 * time.Millisecond) {
		select {
		case <-done:
			data, _ := os.ReadFile(out)
			t.Fatalf("gunicorn exited during start-up:\n%s", data)
		default:
		}
		if time.Now().After(deadline) {
			data, _ := os.ReadFile(out)
			t.Fatalf("gunicorn does not listen on %s:\n%s", addr, data)
		}
	}
	return addr
}

// djangoSite is a server (logproxy, or apache2 when recording) running
// testdata/django/site.conf.
type djangoSite struct {
	root, backend, docroot string
	addrs                  [2]string
}

func (s *djangoSite) log() string { return filepath.Join(s.root, "logs", "access.log") }

// startDjangoSite writes the configuration (site.conf after the modules
// it needs, with edit applied when not nil) into a new server root and
// starts the server on two fresh addresses.
func startDjangoSite(t *testing.T, backend string, apache bool, edit *strings.Replacer) *djangoSite {
	t.Helper()
	s := &djangoSite{backend: backend}
	for i := range s.addrs {
		s.addrs[i] = addrOf(freePort(t))
	}
	site, err := os.ReadFile(filepath.Join("testdata", "django", "site.conf"))
	if err != nil {
		t.Fatal(err)
	}
	head := configHead(s.addrs[0], s.addrs[1]) +
		"LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\n" +
		"LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so\n" +
		"LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so\n" +
		"TypesConfig /etc/mime.types\n" +
		"User nobody\nGroup nogroup\n" +
		"<IfModule !logproxy_module>\n    DefaultRuntimeDir logs\n</IfModule>\n"
	s.root, _ = newServerRoot(t, "")
	s.docroot = filepath.Join(s.root, "htdocs")
	if err := os.MkdirAll(filepath.Join(s.docroot, "static"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"site.css", "500.html"} {
		data, err := os.ReadFile(filepath.Join("testdata", "django", "static", name))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(s.docroot, "static", name)
		writeFile(t, p, string(data))
		// httpd's ETag of a file is made of its modification time.
		old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	body := strings.NewReplacer("ADDR0", s.addrs[0], "ADDR1", s.addrs[1], "BACKEND", backend,
		"DOCROOT", s.docroot).Replace(string(site))
	if edit != nil {
		body = edit.Replace(body)
	}
	conf := filepath.Join(s.root, "httpd.conf")
	writeFile(t, conf, head+body)
	if apache {
		startApache2(t, s.root, conf, s.addrs[0])
	} else {
		startLogproxy(t, s.root, conf, s.addrs[0])
	}
	return s
}

// startApache2 runs Debian's apache2 on conf in the foreground (for
// recording), its workers as nobody: the server root is made readable.
func startApache2(t *testing.T, root, conf, addr string) {
	t.Helper()
	const bin = "/usr/sbin/apache2"
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("recording needs apache2 (apt-get install apache2): %v", err)
	}
	for _, d := range []string{filepath.Dir(root), root} { // t.TempDir's are 0700
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin, "-d", root, "-f", conf, "-DFOREGROUND")
	cmd.Env = append(os.Environ(), "TZ=UTC")
	out, err := os.Create(filepath.Join(root, "apache2.out"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); out.Close(); close(done) }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	})
	for deadline := time.Now().Add(15 * time.Second); !portOpenAddr(addr); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			data, _ := os.ReadFile(filepath.Join(root, "apache2.out"))
			el, _ := os.ReadFile(filepath.Join(root, "logs", "error.log"))
			t.Fatalf("apache2 does not listen on %s:\n%s\n%s", addr, data, el)
		}
	}
}

// writeRecording copies the access log apache2 wrote to
// testdata/django/access.log, the backend's address put back as BACKEND.
func (s *djangoSite) writeRecording(t *testing.T) {
	t.Helper()
	time.Sleep(time.Second) // the last lines, written after the answers
	data, err := os.ReadFile(s.log())
	if err != nil {
		t.Fatal(err)
	}
	rec := strings.ReplaceAll(string(data), s.backend, "BACKEND")
	writeFile(t, filepath.Join("testdata", "django", "access.log"), rec)
	t.Logf("recorded %d lines", strings.Count(rec, "\n"))
}

// portOpenAddr reports whether something accepts connections at addr.
func portOpenAddr(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// djangoAnswer is a response as the client got it.
type djangoAnswer struct {
	status int
	header http.Header
	head   string // the raw head, to look for the app's headers in any spelling
	body   string
}

// send sends one request on a connection of its own to virtual host vh
// (0 or 1) and reads the answer.
func (s *djangoSite) send(t *testing.T, vh int, method, path, host string, fields []string, body string) djangoAnswer {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: test/1.0\r\n", method, path, host)
	for _, f := range fields {
		b.WriteString(f + "\r\n")
	}
	if body != "" && !strings.Contains(strings.ToLower(strings.Join(fields, "\n")), "transfer-encoding") {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	b.WriteString("Connection: close\r\n\r\n" + body)
	raw := sendRaw(t, s.addrs[vh], b.String())
	head, _, _ := strings.Cut(raw, "\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(raw)), &http.Request{Method: method})
	if err != nil {
		t.Fatalf("%s %s: unreadable answer %q: %v", method, path, raw, err)
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: body: %v", method, path, err)
	}
	return djangoAnswer{status: resp.StatusCode, header: resp.Header, head: head, body: string(data)}
}

var csrfInput = regexp.MustCompile(`name="csrfmiddlewaretoken" value="([^"]+)"`)

// run makes the requests of the recording and checks each answer.
func (s *djangoSite) run(t *testing.T) {
	t.Helper()
	const www = "www.example.com"
	check := func(what string, a djangoAnswer, status int, bodyHas string) {
		t.Helper()
		if a.status != status {
			t.Errorf("%s: status %d, want %d (body %q)", what, a.status, status, a.body)
		}
		if !strings.Contains(a.body, bodyHas) {
			t.Errorf("%s: body %q lacks %q", what, a.body, bodyHas)
		}
		if strings.Contains(strings.ToLower(a.head), "x-jl6") {
			t.Errorf("%s: the client got the app's header:\n%s", what, a.head)
		}
	}
	get := func(path string, fields ...string) djangoAnswer {
		t.Helper()
		return s.send(t, 0, "GET", path, www, fields, "")
	}

	check("home", get("/"), 200, "/articles/3/")
	for range 3 {
		check("article 1", get("/articles/1/"), 200, "<h1>Logs as counters</h1>")
	}
	for range 2 {
		check("article 2", get("/articles/2/", "Referer: http://www.example.com/"), 200, "<h1>Headers that never leave</h1>")
	}
	a3 := get("/articles/3/")
	check("article 3", a3, 200, "<h1>Rotation</h1>")
	etag := a3.header.Get("ETag")
	if etag == "" {
		t.Fatalf("article 3 has no ETag:\n%s", a3.head)
	}
	check("article 3 not modified", get("/articles/3/", "If-None-Match: "+etag), 304, "")
	check("no such article", get("/articles/9/"), 404, "Not Found")
	slash := get("/articles/1")
	check("APPEND_SLASH", slash, 301, "")
	if loc := slash.header.Get("Location"); loc != "/articles/1/" {
		t.Errorf("APPEND_SLASH: Location %q, want /articles/1/", loc)
	}

	// A form behind CSRF protection: the token of the page and its
	// cookie are posted back.
	form := get("/articles/2/comment/")
	check("comment form", form, 200, "csrfmiddlewaretoken")
	m := csrfInput.FindStringSubmatch(form.body)
	var cookie string
	for _, c := range form.header.Values("Set-Cookie") {
		if v, ok := strings.CutPrefix(c, "csrftoken="); ok {
			cookie, _, _ = strings.Cut(v, ";")
		}
	}
	if m == nil || cookie == "" {
		t.Fatalf("comment form: no token or no cookie:\n%s\n%s", form.head, form.body)
	}
	posted := s.send(t, 0, "POST", "/articles/2/comment/", www,
		[]string{"Cookie: csrftoken=" + cookie, "Content-Type: application/x-www-form-urlencoded", "Referer: http://www.example.com/articles/2/comment/"},
		"csrfmiddlewaretoken="+m[1]+"&text=nice")
	check("comment posted", posted, 302, "")
	if loc := posted.header.Get("Location"); loc != "/articles/2/" {
		t.Errorf("comment posted: Location %q, want /articles/2/", loc)
	}
	check("comment without token", s.send(t, 0, "POST", "/articles/2/comment/", www,
		[]string{"Content-Type: application/x-www-form-urlencoded"}, "text=spam"), 403, "CSRF")

	feed := get("/feed/")
	check("feed", feed, 200, "item 49\n")
	if n := strings.Count(feed.body, "\n"); n != 50 {
		t.Errorf("feed: %d lines, want 50", n)
	}
	check("HEAD article 1", s.send(t, 0, "HEAD", "/articles/1/", www, nil, ""), 200, "")
	who := get("/whoami/?a=b")
	check("whoami", who, 200, "Host: www.example.com\n")
	for _, want := range []string{"Remote: 127.0.0.1\n", "For: 127.0.0.1\n", "Fwd-Host: www.example.com\n",
		"Fwd-Server: www.example.com\n", "Proto: http\n", "Uri: http://www.example.com/whoami/?a=b\n"} {
		if !strings.Contains(who.body, want) {
			t.Errorf("whoami: the app did not see %q:\n%s", want, who.body)
		}
	}
	css := get("/static/site.css")
	check("static file", css, 200, "font-family")
	if ct := css.header.Get("Content-Type"); ct != "text/css" {
		t.Errorf("static file: Content-Type %q, want text/css", ct)
	}
	check("a view that fails", get("/boom/"), 500, "Server Error")
	upload := strings.Repeat("0123456789", 1000)
	check("upload", s.send(t, 0, "POST", "/upload/", www, []string{"Content-Type: application/octet-stream"}, upload),
		200, "got 10000 bytes")
	check("chunked upload", s.send(t, 0, "POST", "/upload/", www,
		[]string{"Content-Type: application/octet-stream", "Transfer-Encoding: chunked"},
		"a\r\n0123456789\r\n14\r\n01234567890123456789\r\n0\r\n\r\n"), 200, "got 30 bytes")
	check("a Host the app does not serve", s.send(t, 0, "GET", "/", "evil.example", nil, ""), 400, "Bad Request")

	// The second virtual host passes the backend's own Host: the app
	// builds absolute URLs with it, and ProxyPassReverse maps them back.
	const app = "app.example.com:8080"
	goTo := s.send(t, 1, "GET", "/go/3/", app, nil, "")
	check("absolute redirect", goTo, 302, "")
	if loc := goTo.header.Get("Location"); loc != "http://app.example.com:8080/articles/3/" {
		t.Errorf("absolute redirect: Location %q, want http://app.example.com:8080/articles/3/", loc)
	}
	check("whoami, Host not preserved", s.send(t, 1, "GET", "/whoami/", app, nil, ""), 200, "Host: "+s.backend+"\n")
	check("error page of the proxy", s.send(t, 1, "GET", "/boom/", app, nil, ""), 500, "Sorry, something broke.")
}

// expectHits reads the access log back with logformat.Parse and counts
// the lines per content type and object id (the items cid and oid of the
// format): the counts the requests of run make.
func (s *djangoSite) expectHits(t *testing.T, cid, oid string) {
	t.Helper()
	conf, err := os.ReadFile(filepath.Join(s.root, "httpd.conf"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^LogFormat "(.*)" django$`).FindSubmatch(conf)
	if m == nil {
		t.Fatal("no LogFormat django in the configuration")
	}
	src := strings.NewReplacer(`\"`, `"`).Replace(string(m[1]))
	f, err := logformat.Compile(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	ci, oi := -1, -1
	for i, name := range f.Fields() {
		switch name {
		case cid:
			ci = i
		case oid:
			oi = i
		}
	}
	if ci < 0 || oi < 0 {
		t.Fatalf("format %q has no %s or %s: %q", src, cid, oid, f.Fields())
	}
	got := map[string]int{}
	var vals []string
	for _, line := range strings.SplitAfter(strings.TrimSuffix(readFileString(s.log()), "\n"), "\n") {
		vals, err = f.Parse(line, vals[:0])
		if err != nil {
			t.Fatalf("log line %q does not parse: %v", line, err)
		}
		if vals[ci] != "-" {
			got[vals[ci]+"/"+vals[oi]]++
		}
	}
	// Article 1: three GETs and a HEAD; article 2: two GETs; article 3:
	// one GET (Django's 304 keeps none of the app's headers); a comment
	// on article 2; the feed; the failing view behind the first virtual
	// host (behind the second, ProxyErrorOverride puts the ErrorDocument
	// in place of the app's answer, and httpd logs none of its headers);
	// the two uploads, named by their size.
	want := map[string]int{"17/1": 4, "17/2": 2, "17/3": 1, "18/2": 1, "19/0": 1, "17/99": 1, "20/10000": 1, "20/30": 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("hits per object from the log: %v, want %v", got, want)
	}
}
