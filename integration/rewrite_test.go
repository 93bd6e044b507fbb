package integration

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRewriteRules: RewriteRule and RewriteCond in the server and
// <VirtualHost> context answer, rewrite, proxy and log as apache2 2.4.71
// did (testdata/rewrite).
func TestRewriteRules(t *testing.T) {
	backend := serveTCP(t, serveRequestLine)
	rules, err := os.ReadFile("testdata/rewrite/rules.conf")
	if err != nil {
		t.Fatal(err)
	}
	addr := addrOf(freePort(t))
	vhosts := []string{addrOf(freePort(t)), addrOf(freePort(t)), addrOf(freePort(t))}
	conf := strings.Replace(configHead(addr, vhosts[0], vhosts[1], vhosts[2]), "ServerName localhost\n", "ServerName x\n", 1) +
		"LoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so\n" +
		"LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so\n"
	root, confPath := newServerRoot(t, conf)
	docroot := filepath.Join(root, "htdocs")
	writeFile(t, filepath.Join(docroot, "a.txt"), "hello\n")
	writeFile(t, filepath.Join(docroot, "index.html"), "idx\n")
	if err := os.MkdirAll(filepath.Join(docroot, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(docroot, "sub", "b.txt"), "b\n")
	body := strings.NewReplacer("DOCROOT", docroot, "BACKEND", backend, "VHADDR3", vhosts[2],
		"VHADDR2", vhosts[1], "VHADDR", vhosts[0]).Replace(string(rules))
	writeFile(t, confPath, conf+body+"CustomLog logs/access.log rw\n")
	p := startLogproxy(t, root, confPath, addr)
	send := func(addr, list string) {
		data, err := os.ReadFile(filepath.Join("testdata/rewrite", list))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			sendOnce(t, addr, rawRequest(strings.ReplaceAll(l, "DOCROOT", docroot)))
		}
	}
	send(addr, "requests.txt")
	for _, vh := range vhosts {
		send(vh, "vhost-requests.txt")
	}
	expectRecordedLog(t, p.logPath("access.log"), "rewrite/access.log", "DOCROOT", docroot, "BACKEND", backend)
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

// serveRequestLine answers every request of a connection with 200 and
// its request line in X-Got.
func serveRequestLine(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		for {
			h, err := br.ReadString('\n')
			if err != nil {
				return
			}
			if h == "\r\n" || h == "\n" {
				break
			}
		}
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nX-Got: %s\r\nContent-Length: 2\r\n\r\nok", strings.TrimRight(line, "\r\n"))
	}
}
