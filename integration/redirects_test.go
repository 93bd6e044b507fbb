package integration

import (
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"
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
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: Ex.COM:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\nConnection: close\r\n\r\n", path)
		io.Copy(io.Discard, c)
		c.Close()
	}
	want, err := os.ReadFile("testdata/redirects/access.log")
	if err != nil {
		t.Fatal(err)
	}
	w := sortedLines(string(want))
	log := p.logPath("access.log")
	deadline := time.Now().Add(5 * time.Second)
	for sortedLines(readFileString(log)) != w && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if g := sortedLines(readFileString(log)); g != w {
		t.Errorf("the log differs from apache2's (lines sorted):\n%s", lineDiff(w, g))
	}
}
