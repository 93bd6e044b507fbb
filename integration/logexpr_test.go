package integration

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// logExprRequests are the requests of testdata/logexpr, one connection
// each, in order.
var logExprRequests = []string{
	"GET /p/head HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /p/head?a=1 HTTP/1.1\r\nHost: X\r\nUser-Agent: GoogleBot\r\n\r\n",
	"GET /p/head?a=9 HTTP/1.1\r\nHost: x\r\nX-Test: yes\r\n\r\n",
	"GET /p/nf HTTP/1.1\r\nHost: x\r\nCookie: sid=1\r\n\r\n",
	"HEAD /p/head HTTP/1.1\r\nHost: x\r\n\r\n",
	"OPTIONS /p/head HTTP/1.1\r\nHost: x\r\nReferer: http://r/\r\n\r\n",
	"GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /p/head HTTP/1.0\r\n\r\n",
	"GET /p/HEAD?off HTTP/1.1\r\nHost: x\r\nUser-Agent: curl/8\r\n\r\n",
	"GET /p/head?0 HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /p/head?no HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /p/head?10 HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /p/head?010 HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /p/head?%2010 HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /p/head?1e1 HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /p/head?99999999999999999999 HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /p/xhead?zz HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /p/head?a=1 HTTP/1.1\r\nHost: [::1]\r\n\r\n",
	"GET /p/h%65ad?false HTTP/1.1\r\nHost: x\r\n\r\n",
	"POST /p/head HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab",
	"GET /p/sc?n HTTP/1.1\r\nHost: x\r\n\r\n",
}

// TestCustomLogExpr: 40 CustomLog expr= conditions decide, for 21
// requests, which lines are written, as apache2 2.4.71 decided with the
// same configuration (testdata/logexpr/README.md).
func TestCustomLogExpr(t *testing.T) {
	data, err := os.ReadFile("testdata/logexpr/exprs.txt")
	if err != nil {
		t.Fatal(err)
	}
	exprs := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(exprs) != 40 {
		t.Fatalf("%d conditions in exprs.txt, want 40", len(exprs))
	}
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		h := w.Header()
		h["Content-Type"] = nil // as the recording's backend: none
		h.Set("Content-Length", "2")
		switch {
		case strings.Contains(r.URL.Path, "/nf"):
			w.WriteHeader(404)
			io.WriteString(w, "no")
			return
		case r.URL.Path == "/sc":
			h.Add("Set-Cookie", "a=1; Path=/")
			h.Add("Set-Cookie", "b=2")
			h.Set("X-JL6-CID", "17")
		case strings.Contains(r.URL.Path, "/head"):
			h.Set("X-JL6-CID", "17")
			h.Set("X-JL6-OID", "42")
		}
		io.WriteString(w, "ok")
	}))
	defer backend.Close()

	addr := addrOf(freePort(t))
	var conf strings.Builder
	// ServerName x, as the recording's (SERVER_NAME of a request
	// without Host).
	conf.WriteString(strings.Replace(configHead(addr), "ServerName localhost\n", "ServerName x\n", 1))
	conf.WriteString("LoadModule setenvif_module /usr/lib/apache2/modules/mod_setenvif.so\n")
	conf.WriteString("BrowserMatchNoCase \"curl\" iscurl\n")
	conf.WriteString("LogFormat \"%r %>s\" e\n")
	for i, e := range exprs {
		fmt.Fprintf(&conf, "CustomLog logs/e%02d.log e \"expr=%s\"\n", i, strings.ReplaceAll(e, `"`, `\"`))
	}
	fmt.Fprintf(&conf, "ProxyPass /p/ http://%s/\nHeader unset X-JL6-CID\n", backend.Listener.Addr())
	root, confPath := newServerRoot(t, conf.String())
	p := startLogproxy(t, root, confPath, addr)

	for _, r := range logExprRequests {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(c, r)
		// One answer, then the connection is left: read the status line
		// and head, and the body by its length.
		resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: strings.Fields(r)[0]})
		if err != nil {
			t.Fatalf("%q: %v", r, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		c.Close()
	}
	// A line is written once its answer is sent, so that two requests
	// may be logged in either order, here as with httpd: the lines are
	// compared as sets. The last line may still be on its way.
	deadline := time.Now().Add(5 * time.Second)
	for i, e := range exprs {
		b, err := os.ReadFile(filepath.Join("testdata/logexpr", fmt.Sprintf("%02d.log", i)))
		if err != nil {
			t.Fatal(err)
		}
		w := sortedLines(string(b))
		var got string
		for {
			got = sortedLines(readFileString(p.logPath(fmt.Sprintf("e%02d.log", i))))
			if got == w || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if got != w {
			t.Errorf("expr=%s\nlogged:\n%s\napache2 logged:\n%s", e, got, w)
		}
	}
}
