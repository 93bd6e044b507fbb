package integration

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestRedirectTargets: Redirect in the server and in <Location> (where
// the URL alone is a string expression) answer with the status and
// Location that apache2 2.4.71 did (testdata/redirects).
func TestRedirectTargets(t *testing.T) {
	rules, err := os.ReadFile("testdata/redirects/rules.conf")
	if err != nil {
		t.Fatal(err)
	}
	addr := addrOf(freePort(t))
	conf := strings.Replace(configHead(addr), "ServerName localhost\n", "ServerName x\n", 1) +
		"LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\n" +
		string(rules) + "CustomLog logs/access.log r\n"
	root, confPath := newServerRoot(t, conf)
	p := startLogproxy(t, root, confPath, addr)
	for _, path := range []string{"/lit?q=1", "/plain?q=1", "/plain", "/r1/a?b=c", "/r2/z?k=v", "/r2/z",
		"/r3/p?q", "/r4/x", "/lit2?a=b", "/gone?x"} {
		sendOnce(t, addr, fmt.Sprintf("GET %s HTTP/1.1\r\nHost: Ex.COM:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\nConnection: close\r\n\r\n", path))
	}
	expectRecordedLog(t, p.logPath("access.log"), "redirects/access.log")
}
