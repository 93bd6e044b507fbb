package integration

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The configurations recorded from apache2 (testdata/<dir> with
// rules.conf, request lists and access.log) and what runs them.

// TestRewriteRules: RewriteRule and RewriteCond in the server and
// <VirtualHost> context answer, rewrite, proxy and log as apache2 2.4.71
// did (testdata/rewrite).
func TestRewriteRules(t *testing.T) {
	testRecordedSite(t, "rewrite", "requests.txt", "vhost-requests.txt", "vhost-requests.txt", "vhost-requests.txt")
}

// TestRewriteMaps: RewriteMap int:, txt: and rnd: maps, a map of a
// virtual host over the main server's with RewriteOptions Inherit, and
// an unknown map's default, as apache2 2.4.71 logged them
// (testdata/rewritemaps).
func TestRewriteMaps(t *testing.T) {
	testRecordedSite(t, "rewritemaps", "requests0.txt", "requests1.txt")
}

// TestRewriteCookies: the cookies of [CO], on every kind of answer, as
// apache2 2.4.71 logged them (testdata/rewritecookies).
func TestRewriteCookies(t *testing.T) {
	testRecordedSite(t, "rewritecookies", "requests0.txt", "requests1.txt")
}

// TestRewriteTypes: RewriteRule [T=] and ForceType, on files and on
// proxied answers without a type of their own, and AddDefaultCharset on
// a backend's type, as apache2 2.4.71 logged and sent them
// (testdata/rewritetypes).
func TestRewriteTypes(t *testing.T) {
	testRecordedSite(t, "rewritetypes", "requests0.txt", "requests1.txt")
}

// TestRewriteSites: the rewriting of two sites as users write them (a
// canonical host and HTTPS redirect, a front controller, [P] with
// ProxyPassReverse, a catch-all ProxyPass; the redirect vhost certbot
// writes) as apache2 2.4.71 logged it (testdata/rewritesites).
func TestRewriteSites(t *testing.T) {
	testRecordedSite(t, "rewritesites", "requests0.txt", "requests1.txt")
}

// TestExpires: ExpiresActive, ExpiresDefault and ExpiresByType (with a
// wildcard a <Location> merge loses, counted from the request or from the
// file's modification) on files, proxied answers, redirects and errors,
// under Header rules, as apache2 2.4.71 logged them (testdata/expires).
func TestExpires(t *testing.T) {
	testRecordedSite(t, "expires", "requests0.txt", "requests1.txt")
}

// TestExprVariables: the expression variables REQUEST_SCHEME,
// SERVER_ADMIN, DOCUMENT_ROOT, PATH_INFO, AUTH_TYPE and SERVER_PORT (the
// port the request named) and the functions escape, unescape and
// unbase64, as apache2 2.4.71 logged them (testdata/exprvars).
func TestExprVariables(t *testing.T) {
	testRecordedSite(t, "exprvars", "requests0.txt", "requests1.txt")
}

// TestCanonicalName: the URL of this server, SERVER_NAME and SERVER_PORT
// from the Host field, and from the ServerName in a virtual host with
// UseCanonicalName On, as apache2 2.4.71 made them
// (testdata/canonicalname).
func TestCanonicalName(t *testing.T) {
	testRecordedSite(t, "canonicalname", "requests.txt", "requests.txt")
}

// TestServerNamePort: a request that names no port gets the ServerName's
// port in the URLs of this server, as apache2 2.4.71 gave it
// (testdata/servernameport).
func TestServerNamePort(t *testing.T) {
	testRecordedSite(t, "servernameport", "requests.txt", "requests.txt")
}

// TestDirectoryModule: a directory's trailing-slash redirect and
// DirectoryIndex come from mod_dir, and without it are 404s, as apache2
// 2.4.71 answered (testdata/moddir, testdata/nomoddir).
func TestDirectoryModule(t *testing.T) {
	t.Run("loaded", func(t *testing.T) { testRecordedSite(t, "moddir", "requests.txt", "requests.txt") })
	t.Run("not loaded", func(t *testing.T) { testRecordedSite(t, "nomoddir", "requests.txt", "requests.txt") })
}

// TestRegexSubstitution: $N and backslash escapes in Header edit (with
// format and expr= replacements), AliasMatch, RedirectMatch,
// ProxyPassMatch, SetEnvIf and SetEnvIfExpr values, as apache2 2.4.71
// put them in (testdata/regsub).
func TestRegexSubstitution(t *testing.T) {
	testRecordedSite(t, "regsub", "requests0.txt", "requests1.txt")
}

// TestProxyRaw: ProxyPassMatch without $N, ProxyPass nocanon and
// RewriteRule [P,NE] send the backend what apache2 2.4.71 sent
// (testdata/proxyraw).
func TestProxyRaw(t *testing.T) {
	testRecordedSite(t, "proxyraw", "requests0.txt", "requests1.txt")
}

// TestEncodedSlashes: AllowEncodedSlashes NoDecode and On and
// MergeSlashes Off, per server, in %U, in file names and to the backend,
// as apache2 2.4.71 had them (testdata/encodedslashes).
func TestEncodedSlashes(t *testing.T) {
	testRecordedSite(t, "encodedslashes", "requests.txt", "requests.txt")
}

// TestContentTypeExpr: CONTENT_TYPE in expressions, r->content_type as
// mod_headers' response rules see it (proxied, static, error pages) and as
// a CustomLog condition sees it, and empty where <If> is evaluated, as
// apache2 2.4.71 had them (testdata/contenttype).
func TestContentTypeExpr(t *testing.T) {
	testRecordedSite(t, "contenttype", "requests0.txt")
}

// testRecordedSite runs testdata/<dir>/rules.conf with ServerName x,
// mod_rewrite, mod_alias, mod_expires and mod_authz_core besides the
// modules of configHead, DOCROOT a directory with a.txt, a2.txt,
// index.html, x.png, sub/b.txt, sub/c.txt and sub/x.png (those of the
// recording modified in 2020), BACKEND a
// backend that answers with its request line in X-Got, and ADDR0, ADDR1,
// ... an address each, the first the main server's, the map and password
// files testdata/<dir>/*.map and *.htpasswd in maps/ under ServerRoot, and mod_mime with
// testdata/<dir>/mime.types if there is one; it sends the
// requests of lists[i] to address i and expects the log
// testdata/<dir>/access.log, which apache2 wrote, and any other
// testdata/<dir>/*.log the rules' CustomLog lines write.
func testRecordedSite(t *testing.T, dir string, lists ...string) {
	backend := serveTCP(t, serveRequestLine)
	rules, err := os.ReadFile(filepath.Join("testdata", dir, "rules.conf"))
	if err != nil {
		t.Fatal(err)
	}
	addrs := make([]string, len(lists))
	for i := range addrs {
		addrs[i] = addrOf(freePort(t))
	}
	conf := strings.Replace(configHead(addrs...), "ServerName localhost\n", "ServerName x\n", 1) +
		"LoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so\n" +
		"LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so\n" +
		"LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\n" +
		"LoadModule expires_module /usr/lib/apache2/modules/mod_expires.so\n"
	root, confPath := newServerRoot(t, conf)
	docroot := filepath.Join(root, "htdocs")
	if err := os.MkdirAll(filepath.Join(docroot, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for name, content := range map[string]string{"a.txt": "hello\n", "a2.txt": "hello\n", "index.html": "idx\n",
		"x.png": "png", "sub/b.txt": "b\n", "sub/c.txt": "c\n", "sub/x.png": "png"} {
		p := filepath.Join(docroot, name)
		writeFile(t, p, content)
		if name == "a.txt" || name == "index.html" || name == "sub/b.txt" {
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	maps, _ := filepath.Glob(filepath.Join("testdata", dir, "*.map"))
	users, _ := filepath.Glob(filepath.Join("testdata", dir, "*.htpasswd"))
	maps = append(maps, users...)
	for _, m := range maps {
		data, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(root, "maps"), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(root, "maps", filepath.Base(m)), string(data))
	}
	if data, err := os.ReadFile(filepath.Join("testdata", dir, "mime.types")); err == nil {
		// mod_mime, with the lines of /etc/mime.types the requests use.
		writeFile(t, filepath.Join(root, "mime.types"), string(data))
		conf += "LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so\nTypesConfig mime.types\n"
	}
	repl := []string{"DOCROOT", docroot, "BACKEND", backend}
	for i := len(addrs) - 1; i >= 0; i-- {
		repl = append(repl, "ADDR"+strconv.Itoa(i), addrs[i])
	}
	body := strings.NewReplacer(repl...).Replace(string(rules))
	writeFile(t, confPath, conf+body+"CustomLog logs/access.log rw\n")
	p := startLogproxy(t, root, confPath, addrs[0])
	for i, list := range lists {
		data, err := os.ReadFile(filepath.Join("testdata", dir, list))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			sendOnce(t, addrs[i], rawRequest(strings.ReplaceAll(l, "DOCROOT", docroot)))
		}
	}
	expectRecordedLog(t, p.logPath("access.log"), filepath.Join(dir, "access.log"), "DOCROOT", docroot, "BACKEND", backend)
	// Other logs of the rules (CustomLog logs/NAME.log), as apache2 wrote
	// them too.
	others, _ := filepath.Glob(filepath.Join("testdata", dir, "*.log"))
	for _, o := range others {
		if name := filepath.Base(o); name != "access.log" {
			expectRecordedLog(t, p.logPath(name), filepath.Join(dir, name), "DOCROOT", docroot, "BACKEND", backend)
		}
	}
	// content-types.txt: "path<TAB>Content-Type" of answers of the main
	// server, as apache2 sent them (the log shows no parameters).
	if data, err := os.ReadFile(filepath.Join("testdata", dir, "content-types.txt")); err == nil {
		for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			path, want, _ := strings.Cut(l, "\t")
			head, _, _ := strings.Cut(sendRaw(t, addrs[0], rawRequest("GET "+path+" HTTP/1.1")), "\r\n\r\n")
			got := ""
			for _, h := range strings.Split(head, "\r\n") {
				if name, v, ok := strings.Cut(h, ": "); ok && strings.EqualFold(name, "Content-Type") {
					got = v
				}
			}
			if got != want {
				t.Errorf("GET %s: Content-Type %q, want %q", path, got, want)
			}
		}
	}
}

// rawRequest makes a request of a line of a recorded request list:
// "request line|Field: value|...", with the Host, User-Agent and Accept
// fields curl sent unless the line gives its own Host.
func rawRequest(line string) string {
	parts := strings.Split(line, "|")
	host, extra := "Ex.COM:8080", ""
	for _, f := range parts[1:] {
		if name, v, _ := strings.Cut(f, ":"); strings.EqualFold(name, "host") {
			host = strings.TrimSpace(v)
		} else {
			extra += f + "\r\n"
		}
	}
	return parts[0] + "\r\nHost: " + host + "\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n" + extra + "Connection: close\r\n\r\n"
}

// readRequestHead reads a request head from br and returns its request
// line with the CRLF; false at the end of the connection.
func readRequestHead(br *bufio.Reader) (string, bool) {
	line, err := br.ReadString('\n')
	if err != nil {
		return "", false
	}
	for {
		h, err := br.ReadString('\n')
		if err != nil {
			return "", false
		}
		if h == "\r\n" || h == "\n" {
			return line, true
		}
	}
}

// answerHeads serves the requests of a connection in turn, bodiless ones
// only: for each request head it writes answer(request line).
func answerHeads(answer func(line string) string) func(net.Conn) {
	return func(c net.Conn) {
		defer c.Close()
		br := bufio.NewReader(c)
		for {
			line, ok := readRequestHead(br)
			if !ok {
				return
			}
			io.WriteString(c, answer(line))
		}
	}
}

// serveRequestLine answers every request of a connection with 200 and
// its request line in X-Got, and for a path with "/ct" in it a
// Content-Type of text/html.
var serveRequestLine = answerHeads(func(line string) string {
	ct := ""
	if strings.Contains(line, "/ct") {
		ct = "Content-Type: text/html\r\n"
	}
	return fmt.Sprintf("HTTP/1.1 200 OK\r\nX-Got: %s\r\n%sContent-Length: 2\r\n\r\nok", strings.TrimRight(line, "\r\n"), ct)
})
