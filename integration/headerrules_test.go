package integration

import (
	"bufio"
	"bytes"
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

// headerRulesPaths are the requests of testdata/headerrules, in order.
var headerRulesPaths = []string{"/e/a", "/e/a?q=yes", "/e/a?q=no", "/e/loc/x", "/nothing", "/a.txt",
	"/e/" + strings.Repeat("x", 150), "/b/sc2", "/b/sc", "/b/nf", "/b/head"}

// startRawBackend serves heads as the recording's backends did: the echo
// one ("/e/") answers with the head it got, less Host and
// X-Forwarded-Host, and closes; the other ("/b/") answers by path with
// fixed bytes and keeps the connection.
func startRawBackend(t *testing.T, echo bool) string {
	return serveTCP(t, func(c net.Conn) { serveRaw(c, echo) })
}

func serveRaw(c net.Conn, echo bool) {
	defer c.Close()
	br := bufio.NewReader(c)
	for {
		var head []string
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			if line == "" {
				break
			}
			head = append(head, line)
		}
		if echo {
			var kept []string
			for _, l := range head {
				low := strings.ToLower(l)
				if !strings.HasPrefix(low, "host:") && !strings.HasPrefix(low, "x-forwarded-host:") {
					kept = append(kept, l)
				}
			}
			body := strings.Join(kept, "\r\n")
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
			return
		}
		line := head[0]
		var resp string
		switch {
		case strings.Contains(line, "/sc2 "):
			resp = "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nX-Mid: m\r\nSet-Cookie: b=2\r\nX-End: e\r\nContent-Length: 2\r\n\r\nok"
		case strings.Contains(line, "/sc "):
			resp = "HTTP/1.1 200 OK\r\nSet-Cookie: a=1; Path=/\r\nSet-Cookie: b=2\r\nX-JL6-CID: 17\r\nContent-Length: 2\r\n\r\nok"
		case strings.Contains(line, "/nf"):
			resp = "HTTP/1.1 404 Not Found\r\nX-JL6-CID: 17\r\nX-JL6-OID: 42\r\nContent-Length: 2\r\n\r\nno"
		case strings.Contains(line, "/head"):
			resp = "HTTP/1.1 200 OK\r\nX-JL6-CID: 17\r\nX-JL6-OID: 42\r\nContent-Length: 2\r\n\r\nok"
		default:
			resp = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
		}
		io.WriteString(c, resp)
	}
}

// TestHeaderRulesEarlyAndExpr: RequestHeader and Header rules marked
// early act at post-read-request with the server's rules only (again on
// an ErrorDocument redirect), expr= conditions are evaluated on the
// request at hand, and the backend's head replaces headers_out but for
// Set-Cookie, which goes last: what the backend gets, what the client
// gets and the log, as apache2 2.4.71 did (testdata/headerrules).
func TestHeaderRulesEarlyAndExpr(t *testing.T) {
	rules, err := os.ReadFile("testdata/headerrules/rules.conf")
	if err != nil {
		t.Fatal(err)
	}
	echo, fixed := startRawBackend(t, true), startRawBackend(t, false)
	addr := addrOf(freePort(t))
	conf := strings.Replace(configHead(addr), "ServerName localhost\n", "ServerName x\n", 1) +
		"LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so\nTypesConfig /etc/mime.types\n" +
		"ProxyPass /b/ http://" + fixed + "/\nProxyPass /e/ http://" + echo + "/\n" +
		string(rules) + "CustomLog logs/access.log e\n"
	root, confPath := newServerRoot(t, conf)
	writeFile(t, filepath.Join(root, "htdocs", "a.txt"), "hello world\n")
	p := startLogproxy(t, root, confPath, addr)

	var got strings.Builder
	for _, path := range headerRulesPaths {
		fmt.Fprintf(&got, "== %s\n", path)
		got.WriteString(curlLike(t, addr, path))
		got.WriteString("\n")
	}
	want, err := os.ReadFile("testdata/headerrules/responses.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Errorf("the answers differ from apache2's:\n%s", lineDiff(string(want), got.String()))
	}
	expectRecordedLog(t, p.logPath("access.log"), "headerrules/access.log")
}

// curlLike sends curl's request for path on a connection of its own and
// returns the answer as `curl -si | grep -v` printed it for the
// recording: without the Date, Server, ETag and Last-Modified lines and
// carriage returns, and a last line ended.
func curlLike(t *testing.T, addr, path string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n", path, addr)
	br := bufio.NewReader(c)
	var out bytes.Buffer
	length := 0
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("GET %s: %v after %q", path, err, out.String())
		}
		line = strings.TrimRight(line, "\r\n")
		if name, v, ok := strings.Cut(line, ": "); ok && strings.EqualFold(name, "Content-Length") {
			length, _ = strconv.Atoi(v)
		}
		switch name, _, _ := strings.Cut(line, ":"); name {
		case "Date", "Server", "ETag", "Last-Modified":
			continue
		}
		out.WriteString(line + "\n")
		if line == "" {
			break
		}
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(br, body); err != nil {
		t.Fatalf("GET %s: body: %v", path, err)
	}
	out.Write(bytes.ReplaceAll(body, []byte("\r"), nil))
	if len(body) > 0 && body[len(body)-1] != '\n' {
		out.WriteByte('\n') // as grep ends a last line
	}
	return out.String()
}

// lineDiff shows the lines of want and got side by side where they
// differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		mark := "  "
		if wl != gl {
			mark = "! "
		}
		fmt.Fprintf(&b, "%s%-60q %q\n", mark, wl, gl)
	}
	return b.String()
}
