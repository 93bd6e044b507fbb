package integration

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(c, strings.ReplaceAll(r, `\r\n`, "\r\n"))
		io.Copy(io.Discard, c) // each asks for Connection: close
		c.Close()
	}
	want, err := os.ReadFile("testdata/setenvifexpr/access.log")
	if err != nil {
		t.Fatal(err)
	}
	// The recording's backend was 127.0.0.1:39995 (in %{fname}e).
	w := sortedLines(strings.ReplaceAll(string(want), "127.0.0.1:39995", fixed))
	log := p.logPath("access.log")
	deadline := time.Now().Add(5 * time.Second)
	for sortedLines(readFileString(log)) != w && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if g := sortedLines(readFileString(log)); g != w {
		t.Errorf("the log differs from apache2's (lines sorted):\n%s", lineDiff(w, g))
	}
}
