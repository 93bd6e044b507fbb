package integration

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
)

// balancerBackend serves as a balancer member named name: it answers its
// request line in X-Got, with name as the body, and /loc with a redirect
// to its own URL.
func balancerBackend(t *testing.T, name string) string {
	t.Helper()
	var addr string
	addr = serveTCP(t, func(c net.Conn) {
		defer c.Close()
		br := bufio.NewReader(c)
		for {
			line, ok := readRequestHead(br)
			if !ok {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			if strings.Contains(line, "/loc ") {
				fmt.Fprintf(c, "HTTP/1.1 302 Found\r\nLocation: http://%s/next\r\nX-Got: %s %s\r\nContent-Length: 1\r\n\r\n%s", addr, name, line, name)
				continue
			}
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nX-Got: %s %s\r\nContent-Length: 1\r\n\r\n%s", name, line, name)
		}
	})
	return addr
}

// TestBalancerRecorded: mod_proxy_balancer's byrequests method with
// loadfactor, failover from a member that refuses connections, a hot
// standby, a balancer whose members are all down (forcerecovery), one
// with maxattempts=0, ProxyPassReverse to a balancer and the BALANCER_*
// environment variables, logged as apache2 2.4.71 logged the same
// requests (testdata/balancer).
func TestBalancerRecorded(t *testing.T) {
	a, b, c := balancerBackend(t, "A"), balancerBackend(t, "B"), balancerBackend(t, "C")
	port := func(addr string) string { _, p, _ := net.SplitHostPort(addr); return p }
	dead, dead2 := addrOf(freePort(t)), addrOf(freePort(t)) // nothing listens there
	addr := addrOf(freePort(t))
	rules, err := os.ReadFile("testdata/balancer/rules.conf")
	if err != nil {
		t.Fatal(err)
	}
	repl := []string{"PORT_A", port(a), "PORT_B", port(b), "PORT_C", port(c), "PORT_DEAD2", port(dead2), "PORT_DEAD", port(dead)}
	conf := strings.Replace(configHead(addr), "ServerName localhost\n", "ServerName x\n", 1) +
		"LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so\n" +
		strings.NewReplacer(repl...).Replace(string(rules))
	root, confPath := newServerRoot(t, conf)
	p := startLogproxy(t, root, confPath, addr)
	data, err := os.ReadFile("testdata/balancer/requests.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range strings.Fields(string(data)) {
		sendOnce(t, addr, "GET "+path+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	}
	expectRecordedLog(t, p.logPath("access.log"), "balancer/access.log", repl...)
}
