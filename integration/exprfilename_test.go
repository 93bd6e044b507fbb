package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExprFilenameBeforeFixups: REQUEST_FILENAME of a proxied request in
// an <If> condition (before proxy's fixup) and in a RequestHeader value
// (at fixups), as apache2 2.4.71 had them (testdata/exprfilename).
func TestExprFilenameBeforeFixups(t *testing.T) {
	rules, err := os.ReadFile("testdata/exprfilename/rules.conf")
	if err != nil {
		t.Fatal(err)
	}
	echo := startRawBackend(t, true)
	addr := addrOf(freePort(t))
	conf := strings.Replace(configHead(addr), "ServerName localhost\n", "ServerName x\n", 1) +
		"ProxyPass /p/ http://" + echo + "/\n" + string(rules) + "CustomLog logs/access.log q\n"
	root, confPath := newServerRoot(t, conf)
	writeFile(t, filepath.Join(root, "htdocs", "a.txt"), "hello world\n")
	p := startLogproxy(t, root, confPath, addr)
	for _, path := range []string{"/p/x?y=1", "/p/a%20b", "/p/plain", "/a.txt?z"} {
		sendOnce(t, addr, "GET "+path+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	}
	expectRecordedLog(t, p.logPath("access.log"), "exprfilename/access.log",
		"127.0.0.1:39994", echo, "/tmp/hx/docs", filepath.Join(root, "htdocs"))
}
