package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSetEnvIfExpr: SetEnvIfExpr and SetEnvIf set the variables, and
// <Location> sections take the paths, that apache2 2.4.71 did with the
// same rules (testdata/setenvifexpr).
func TestSetEnvIfExpr(t *testing.T) {
	rules, err := os.ReadFile("testdata/setenvifexpr/rules.conf")
	if err != nil {
		t.Fatal(err)
	}
	reqs, err := os.ReadFile("testdata/setenvifexpr/requests.txt")
	if err != nil {
		t.Fatal(err)
	}
	fixed := startRawBackend(t, false)
	addr := addrOf(freePort(t))
	conf := strings.Replace(configHead(addr), "ServerName localhost\n", "ServerName x\n", 1) +
		"LoadModule setenvif_module /usr/lib/apache2/modules/mod_setenvif.so\n" +
		"ProxyPass /b/ http://" + fixed + "/\n" + string(rules) + "CustomLog logs/access.log g\n"
	root, confPath := newServerRoot(t, conf)
	writeFile(t, filepath.Join(root, "htdocs", "a.txt"), "hello world\n")
	p := startLogproxy(t, root, confPath, addr)

	for _, r := range strings.Split(strings.TrimSuffix(string(reqs), "\n"), "\n") {
		sendOnce(t, addr, strings.ReplaceAll(r, `\r\n`, "\r\n"))
	}
	expectRecordedLog(t, p.logPath("access.log"), "setenvifexpr/access.log", "127.0.0.1:39995", fixed)
}
