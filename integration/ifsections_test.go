package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIfSections: <If>, <ElseIf> and <Else>, and Redirects in sections,
// act as apache2 2.4.71 did with the same rules (testdata/ifsections).
func TestIfSections(t *testing.T) {
	rules, err := os.ReadFile("testdata/ifsections/rules.conf")
	if err != nil {
		t.Fatal(err)
	}
	echo := startRawBackend(t, true)
	addr := addrOf(freePort(t))
	conf := strings.Replace(configHead(addr), "ServerName localhost\n", "ServerName x\n", 1) +
		"LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\n" +
		"LoadModule env_module /usr/lib/apache2/modules/mod_env.so\n" +
		"LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so\n" +
		"ProxyPass /p/ http://" + echo + "/\n" + string(rules) + "CustomLog logs/access.log i\n"
	root, confPath := newServerRoot(t, conf)
	writeFile(t, filepath.Join(root, "htdocs", "a.txt"), "hello world\n")
	p := startLogproxy(t, root, confPath, addr)
	for _, q := range []struct{ method, host, path, extra string }{
		{"GET", "other", "/a.txt?z=1", ""},
		{"GET", "x.test", "/a.txt?debug=1", ""},
		{"HEAD", "x.test", "/a.txt", ""},
		{"GET", "x.test", "/a.txt", ""},
		{"GET", "x.test", "/p/q", "X-Admin: y\r\n"},
		{"GET", "x.test", "/p/q?debug", ""},
		{"GET", "x.test", "/secret/x", ""},
		{"GET", "other", "/secret/x", ""},
		{"GET", "x.test", "/nothing", ""},
		{"GET", "other", "/p/q", ""},
		{"GET", "x.test", "/p/loc/a", ""},
		{"GET", "x.test", "/p/one/z", ""},
	} {
		sendOnce(t, addr, fmt.Sprintf("%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n%sConnection: close\r\n\r\n", q.method, q.path, q.host, q.extra))
	}
	expectRecordedLog(t, p.logPath("access.log"), "ifsections/access.log")
}
