package integration

// TestLeak checks that the application's internal response headers
// X-JL6-CID and X-JL6-OID never reach a client, whatever the path a
// response takes through logproxy, while the access log still records
// their values (17 and 42). It runs every case against two
// configurations:
//
//	note-unset  Apache's way: Header note X-JL6-CID jl6cid, Header note
//	            X-JL6-OID jl6oid, Header unset of both, %{jl6cid}n
//	            %{jl6oid}n in the LogFormat
//	strip       logproxy's StripHeader X-JL6-* with %{X-JL6-CID}o
//	            %{X-JL6-OID}o
//
// The backend is a raw TCP server (so that it can send 1xx interim
// answers, 101, trailers and odd header spellings exactly as written); it
// sets X-JL6-CID: 17 and X-JL6-OID: 42 on every answer, interim ones
// included for the 103 and 100-continue paths, and in the trailers of the
// chunked ones. A case fails if "x-jl6" (any case) appears anywhere in
// the bytes the client received, or if the access-log line of a request
// does not end in "17 42".

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	jl6Headers = "X-JL6-CID: 17\r\nX-JL6-OID: 42\r\n"
	leakBody   = "hello from the backend\n"
)

// leakBackend is the application: a raw HTTP/1.1 server keeping its
// connections alive, answering by path.
type leakBackend struct {
	ln net.Listener
	wg sync.WaitGroup

	mu    sync.Mutex
	conns map[net.Conn]bool

	sentContinue atomic.Int32 // 100 Continue answers sent with X-JL6-CID
	sentEarly    atomic.Int32 // 103 answers sent
	sentSwitch   atomic.Int32 // 101 answers sent
}

func startLeakBackend(t *testing.T) *leakBackend {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &leakBackend{ln: ln, conns: make(map[net.Conn]bool)}
	b.wg.Add(1)
	go b.accept()
	t.Cleanup(func() {
		ln.Close()
		b.mu.Lock()
		for c := range b.conns {
			c.Close()
		}
		b.mu.Unlock()
		b.wg.Wait()
	})
	return b
}

func (b *leakBackend) addr() string { return b.ln.Addr().String() }

func (b *leakBackend) accept() {
	defer b.wg.Done()
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return
		}
		b.mu.Lock()
		b.conns[c] = true
		b.mu.Unlock()
		b.wg.Add(1)
		go func() {
			defer b.wg.Done()
			defer func() {
				c.Close()
				b.mu.Lock()
				delete(b.conns, c)
				b.mu.Unlock()
			}()
			b.serveConn(c)
		}()
	}
}

func (b *leakBackend) serveConn(c net.Conn) {
	br := bufio.NewReader(c)
	for {
		c.SetDeadline(time.Now().Add(30 * time.Second))
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		keep := b.answer(c, br, req)
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
		if !keep || req.Close {
			return
		}
	}
}

// answer writes the response to req; false ends the connection.
func (b *leakBackend) answer(c net.Conn, br *bufio.Reader, req *http.Request) bool {
	head := req.Method == "HEAD"
	full := func(status, extra, body string) {
		s := "HTTP/1.1 " + status + "\r\n" + jl6Headers + extra +
			"Content-Type: text/plain\r\nContent-Length: " + fmt.Sprint(len(body)) + "\r\n\r\n"
		if !head {
			s += body
		}
		io.WriteString(c, s)
	}
	switch req.URL.Path {
	case "/ok", "/errdoc":
		full("200 OK", "", leakBody)
	case "/lower":
		io.WriteString(c, "HTTP/1.1 200 OK\r\nx-jl6-cid: 17\r\nx-JL6-oid: 42\r\nContent-Length: 3\r\n\r\nok\n")
	case "/notmod":
		io.WriteString(c, "HTTP/1.1 304 Not Modified\r\n"+jl6Headers+"ETag: \"v1\"\r\n\r\n")
	case "/notfound":
		full("404 Not Found", "", "no such thing\n")
	case "/nocontent":
		io.WriteString(c, "HTTP/1.1 204 No Content\r\n"+jl6Headers+"\r\n")
	case "/error":
		full("500 Internal Server Error", "", "the application failed\n")
	case "/trailers-declared", "/trailers-undeclared":
		decl := ""
		if req.URL.Path == "/trailers-declared" {
			decl = "Trailer: X-JL6-CID, X-JL6-OID\r\n"
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\n"+jl6Headers+decl+
			"Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"+
			"6\r\nhello \r\n")
		time.Sleep(20 * time.Millisecond) // a second read, a second chunk
		io.WriteString(c, "6\r\nworld\n\r\n0\r\nX-JL6-CID: 17\r\nX-JL6-OID: 42\r\n\r\n")
	case "/early":
		b.sentEarly.Add(1)
		io.WriteString(c, "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\nX-JL6-CID: 17\r\nX-JL6-OID: 42\r\n\r\n")
		time.Sleep(20 * time.Millisecond)
		full("200 OK", "", leakBody)
	case "/continue":
		if strings.EqualFold(req.Header.Get("Expect"), "100-continue") {
			b.sentContinue.Add(1)
			io.WriteString(c, "HTTP/1.1 100 Continue\r\nX-JL6-CID: 17\r\nX-JL6-OID: 42\r\n\r\n")
		}
		got, _ := io.ReadAll(req.Body)
		full("200 OK", "", "got "+string(got)+"\n")
	case "/ws":
		if !strings.EqualFold(req.Header.Get("Upgrade"), "websocket") {
			full("426 Upgrade Required", "", "upgrade to websocket\n")
			return true
		}
		b.sentSwitch.Add(1)
		io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
			"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"+jl6Headers+"\r\n")
		// Echo until the client is done, then close.
		io.Copy(c, br)
		return false
	default:
		full("404 Not Found", "", "unknown path\n")
	}
	return true
}

// leakConfig is a configuration proxying /p/ to the backend, with an
// ErrorDocument under <Location /missing> whose target is proxied, and
// the given header rules and LogFormat; under /ov/ ProxyErrorOverride is
// On, with the same ErrorDocument for 404.
func leakConfig(listen, backend, rules, format string, vhost bool) string {
	open, end := "", ""
	if vhost {
		// As examples/httpd.conf has it: everything in the virtual host.
		open, end = "<VirtualHost "+listen+">\nServerName localhost\n", "</VirtualHost>\n"
	}
	return configHead(listen) + `Timeout 20
LogFormat "` + format + `" leak
CustomLog logs/access.log leak
` + open + `ProxyPass /p/ http://` + backend + `/ upgrade=websocket
ProxyPass /ov/ http://` + backend + `/
<Location /missing>
    ErrorDocument 404 /p/errdoc
</Location>
<Location /ov/>
    ProxyErrorOverride On
    ErrorDocument 404 /p/errdoc
</Location>
` + rules + end
}

var leakMechanisms = []struct {
	name   string
	rules  string
	format string
	vhost  bool
	tls    bool // the server speaks TLS (mod_ssl, SSLEngine On)
}{
	{
		name: "note-unset",
		rules: `Header note X-JL6-CID jl6cid
Header note X-JL6-OID jl6oid
Header unset X-JL6-CID
Header unset X-JL6-OID
`,
		format: `\"%r\" %>s %{jl6cid}n %{jl6oid}n`,
	},
	{
		name:   "strip",
		rules:  "StripHeader X-JL6-*\n",
		format: `\"%r\" %>s %{X-JL6-CID}o %{X-JL6-OID}o`,
	},
	{
		name: "note-unset-in-vhost",
		rules: `Header note X-JL6-CID jl6cid
Header note X-JL6-OID jl6oid
Header unset X-JL6-CID
Header unset X-JL6-OID
`,
		format: `\"%r\" %>s %{jl6cid}n %{jl6oid}n`,
		vhost:  true,
	},
	{
		name:   "strip-in-vhost",
		rules:  "StripHeader X-JL6-*\n",
		format: `\"%r\" %>s %{X-JL6-CID}o %{X-JL6-OID}o`,
		vhost:  true,
	},
	{
		name: "note-unset-tls",
		rules: `Header note X-JL6-CID jl6cid
Header note X-JL6-OID jl6oid
Header unset X-JL6-CID
Header unset X-JL6-OID
`,
		format: `\"%r\" %>s %{jl6cid}n %{jl6oid}n`,
		tls:    true,
	},
	{
		name:   "strip-tls",
		rules:  "StripHeader X-JL6-*\n",
		format: `\"%r\" %>s %{X-JL6-CID}o %{X-JL6-OID}o`,
		tls:    true,
	},
}

// leakEnv is what a case needs: the server address and its access log.
type leakEnv struct {
	t       *testing.T
	addr    string
	log     string
	backend *leakBackend
	tls     bool
}

// dial connects to the server, over TLS when it speaks TLS.
func (env *leakEnv) dial(t *testing.T, timeout time.Duration) *rawClient {
	t.Helper()
	if !env.tls {
		return dialClient(t, env.addr, timeout)
	}
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", env.addr,
		&tls.Config{InsecureSkipVerify: true, ServerName: "localhost"})
	if err != nil {
		t.Fatalf("dial %s: %v", env.addr, err)
	}
	return newRawClient(t, conn, timeout)
}

// expectLogged checks the access-log line of the request with request
// line reqLine: status and the two values.
func (env *leakEnv) expectLogged(reqLine string, status int) {
	env.t.Helper()
	env.expectLoggedValues(reqLine, status, "17 42")
}

// expectLoggedValues checks the line of reqLine for the status and the
// values logged for X-JL6-CID and X-JL6-OID.
func (env *leakEnv) expectLoggedValues(reqLine string, status int, values string) {
	t := env.t
	t.Helper()
	marker := `"` + reqLine + `" `
	line, ok := waitLogLine(env.log, marker, 5*time.Second)
	if !ok {
		t.Errorf("FAILS TO LOG: no access-log line for %q; the log holds:\n%s", reqLine, readFileString(env.log))
		return
	}
	want := fmt.Sprintf("%s%d %s", marker, status, values)
	if line != want {
		t.Errorf("FAILS TO LOG: access-log line\n got %q\nwant %q", line, want)
		return
	}
	t.Logf("logged as expected: %s", line)
}

// expectNoLeak fails when the client received "x-jl6" in any case.
func expectNoLeak(t *testing.T, got []byte) {
	t.Helper()
	if i := bytes.Index(bytes.ToLower(got), []byte("x-jl6")); i >= 0 {
		from, to := max(i-200, 0), min(i+200, len(got))
		t.Errorf("LEAK: the client received X-JL6 at byte %d:\n%s", i, got[from:to])
	}
}

type leakCase struct {
	name string
	run  func(t *testing.T, env *leakEnv)
}

// simpleLeakCase sends one request with Connection: close and checks the
// status of the final response.
func simpleLeakCase(name, method, path, proto string, status int, check func(t *testing.T, r *response)) leakCase {
	return leakCase{name, func(t *testing.T, env *leakEnv) {
		c := env.dial(t, 15*time.Second)
		target := path + "?c=" + name
		c.send(method + " " + target + " " + proto + "\r\nHost: localhost\r\nConnection: close\r\n\r\n")
		r, err := c.readResponse(method)
		if err != nil {
			t.Fatalf("reading the response: %v\nreceived:\n%s", err, c.received())
		}
		c.drain()
		expectNoLeak(t, c.received())
		if r.StatusCode != status {
			t.Errorf("status %d, want %d", r.StatusCode, status)
		}
		if check != nil {
			check(t, r)
		}
		env.expectLogged(method+" "+target+" "+proto, status)
	}}
}

func overrideCase(t *testing.T, env *leakEnv, target string, status int, values, body string) {
	c := env.dial(t, 15*time.Second)
	c.send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
	r, err := c.readResponse("GET")
	if err != nil {
		t.Fatalf("reading the response: %v\nreceived:\n%s", err, c.received())
	}
	c.drain()
	expectNoLeak(t, c.received())
	if r.StatusCode != status {
		t.Errorf("status %d, want %d", r.StatusCode, status)
	}
	if body != "" && string(r.body) != body {
		t.Errorf("body %q, want %q", r.body, body)
	}
	if body == "" && strings.Contains(string(r.body), "the application failed") {
		t.Errorf("ProxyErrorOverride On relayed the backend's error page")
	}
	env.expectLoggedValues("GET "+target+" HTTP/1.1", status, values)
}

func bodyIs(want string) func(t *testing.T, r *response) {
	return func(t *testing.T, r *response) {
		t.Helper()
		if string(r.body) != want {
			t.Errorf("body %q, want %q", r.body, want)
		}
	}
}

var leakCases = []leakCase{
	simpleLeakCase("final-200", "GET", "/p/ok", "HTTP/1.1", 200, bodyIs(leakBody)),
	simpleLeakCase("head", "HEAD", "/p/ok", "HTTP/1.1", 200, bodyIs("")),
	simpleLeakCase("lowercase-names", "GET", "/p/lower", "HTTP/1.1", 200, bodyIs("ok\n")),
	simpleLeakCase("304-from-backend", "GET", "/p/notmod", "HTTP/1.1", 304, nil),
	simpleLeakCase("404-from-backend", "GET", "/p/notfound", "HTTP/1.1", 404, bodyIs("no such thing\n")),
	simpleLeakCase("204", "GET", "/p/nocontent", "HTTP/1.1", 204, nil),
	simpleLeakCase("500-from-backend", "GET", "/p/error", "HTTP/1.1", 500, bodyIs("the application failed\n")),
	simpleLeakCase("chunked-trailer-declared", "GET", "/p/trailers-declared", "HTTP/1.1", 200, bodyIs("hello world\n")),
	simpleLeakCase("chunked-trailer-undeclared", "GET", "/p/trailers-undeclared", "HTTP/1.1", 200, bodyIs("hello world\n")),
	simpleLeakCase("chunked-to-http10", "GET", "/p/trailers-declared", "HTTP/1.0", 200, bodyIs("hello world\n")),
	simpleLeakCase("http10-client", "GET", "/p/ok", "HTTP/1.0", 200, bodyIs(leakBody)),
	simpleLeakCase("http10-early-hints", "GET", "/p/early", "HTTP/1.0", 200, func(t *testing.T, r *response) {
		if len(r.interim) != 0 {
			t.Errorf("an HTTP/1.0 client got %d interim responses", len(r.interim))
		}
	}),
	{"http09-client", func(t *testing.T, env *leakEnv) {
		c := env.dial(t, 15*time.Second)
		c.send("GET /p/ok?c=http09-client\r\n")
		c.drain()
		got := c.received()
		expectNoLeak(t, got)
		if env.tls {
			// mod_ssl: a client that sent a name (SNI) must send a Host,
			// which HTTP/0.9 cannot (AH02031): 400.
			if !strings.Contains(string(got), "<title>400 Bad Request</title>") {
				t.Errorf("HTTP/0.9 over TLS with SNI: %q, want httpd's 400 page", got)
			}
			env.expectLoggedValues("GET /p/ok?c=http09-client", 400, "- -")
			return
		}
		if string(got) != leakBody {
			t.Errorf("HTTP/0.9 answer %q, want the bare body %q", got, leakBody)
		}
		env.expectLogged("GET /p/ok?c=http09-client", 200)
	}},
	// An ErrorDocument that is proxied answers with its backend's status
	// (mod_proxy_http sets r->status), as apache2 2.4.71 does.
	simpleLeakCase("errordocument-proxied", "GET", "/missing/page", "HTTP/1.1", 200, bodyIs(leakBody)),
	simpleLeakCase("errordocument-proxied-head", "HEAD", "/missing/page", "HTTP/1.1", 200, bodyIs("")),
	// ProxyErrorOverride On: the backend's error answer is replaced by
	// the canned page, whose head httpd builds from err_headers_out alone
	// (ap_send_error_response) and which mod_headers' onsuccess rules never
	// see: httpd logs "-" for both values, and so must logproxy.
	{"override-500-canned", func(t *testing.T, env *leakEnv) {
		overrideCase(t, env, "/ov/error?c=override-500-canned", 500, "- -", "")
	}},
	// ... and by the ErrorDocument, here proxied: its answer carries the
	// values, which are logged.
	{"override-404-errordocument-proxied", func(t *testing.T, env *leakEnv) {
		overrideCase(t, env, "/ov/notfound?c=override-404-errordocument-proxied", 200, "17 42", leakBody)
	}},
	{"103-early-hints", func(t *testing.T, env *leakEnv) {
		simpleLeakCase("103-early-hints", "GET", "/p/early", "HTTP/1.1", 200, func(t *testing.T, r *response) {
			if len(r.interim) != 1 || r.interim[0].StatusCode != 103 {
				t.Errorf("interim responses %v, want one 103", r.interim)
				return
			}
			if env.backend.sentEarly.Load() == 0 {
				t.Errorf("the backend never sent its 103")
			}
			if got := r.interim[0].Header.Get("Link"); got != "</style.css>; rel=preload" {
				t.Errorf("103 Link %q: the interim answer was not relayed as sent", got)
			}
		}).run(t, env)
	}},
	{"100-continue", func(t *testing.T, env *leakEnv) {
		before := env.backend.sentContinue.Load()
		c := env.dial(t, 15*time.Second)
		const line = "POST /p/continue?c=100-continue HTTP/1.1"
		c.send(line + "\r\nHost: localhost\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n")
		c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		ir, err := c.readInterim()
		if err != nil {
			t.Fatalf("no interim answer to Expect: 100-continue: %v\nreceived:\n%s", err, c.received())
		}
		if ir.StatusCode != 100 {
			t.Fatalf("interim status %d, want 100", ir.StatusCode)
		}
		c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		c.send("hello")
		r, err := c.readResponse("POST")
		if err != nil {
			t.Fatalf("reading the response: %v\nreceived:\n%s", err, c.received())
		}
		c.drain()
		expectNoLeak(t, c.received())
		if r.StatusCode != 200 || string(r.body) != "got hello\n" {
			t.Errorf("final answer %d %q, want 200 \"got hello\\n\"", r.StatusCode, r.body)
		}
		if env.backend.sentContinue.Load() == before {
			t.Errorf("the backend was not asked with Expect: 100-continue, so its 100 (with X-JL6-CID) was not exercised")
		}
		env.expectLogged(line, 200)
	}},
	{"101-websocket", func(t *testing.T, env *leakEnv) {
		c := env.dial(t, 15*time.Second)
		const line = "GET /p/ws?c=101-websocket HTTP/1.1"
		c.send(line + "\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
		r, err := c.readResponse("GET")
		if err != nil {
			t.Fatalf("reading the response: %v\nreceived:\n%s", err, c.received())
		}
		if r.StatusCode != 101 {
			t.Fatalf("status %d, want 101\nreceived:\n%s", r.StatusCode, c.received())
		}
		c.send("ping over the tunnel\n")
		echo := make([]byte, len("ping over the tunnel\n"))
		if _, err := io.ReadFull(c.br, echo); err != nil || string(echo) != "ping over the tunnel\n" {
			t.Errorf("tunnel echo %q, %v", echo, err)
		}
		c.drain()
		expectNoLeak(t, c.received())
		if env.backend.sentSwitch.Load() == 0 {
			t.Errorf("the backend never answered 101")
		}
		env.expectLogged(line, 101)
	}},
	{"keep-alive", func(t *testing.T, env *leakEnv) {
		c := env.dial(t, 20*time.Second)
		reqs := []struct {
			method, path string
			status       int
		}{
			{"GET", "/p/ok", 200},
			{"HEAD", "/p/ok", 200},
			{"GET", "/p/notfound", 404},
			{"GET", "/p/nocontent", 204},
			{"GET", "/p/notmod", 304},
			{"GET", "/p/trailers-undeclared", 200},
			{"GET", "/p/early", 200},
			{"GET", "/missing/again", 200}, // the proxied ErrorDocument's status
			{"GET", "/p/ok", 200},
			// Last: httpd (ap_status_drops_connection) and logproxy
			// close the connection after a 500.
			{"GET", "/p/error", 500},
		}
		var lines []string
		for i, rq := range reqs {
			target := fmt.Sprintf("%s?c=keep-alive-%d", rq.path, i)
			conn := ""
			if i == len(reqs)-1 {
				conn = "Connection: close\r\n"
			}
			c.send(rq.method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n" + conn + "\r\n")
			r, err := c.readResponse(rq.method)
			if err != nil {
				t.Fatalf("request %d: %v\nreceived:\n%s", i, err, c.received())
			}
			if r.StatusCode != rq.status {
				t.Errorf("request %d (%s %s): status %d, want %d", i, rq.method, rq.path, r.StatusCode, rq.status)
			}
			if i < len(reqs)-1 && r.Close {
				t.Fatalf("request %d (%s %s): the server closes the connection", i, rq.method, rq.path)
			}
			lines = append(lines, rq.method+" "+target+" HTTP/1.1")
		}
		c.drain()
		expectNoLeak(t, c.received())
		for i, l := range lines {
			env.expectLogged(l, reqs[i].status)
		}
	}},
	{"pipelined", func(t *testing.T, env *leakEnv) {
		c := env.dial(t, 20*time.Second)
		var all strings.Builder
		paths := []string{"/p/ok", "/p/notmod", "/p/trailers-declared", "/p/ok"}
		for i, p := range paths {
			conn := ""
			if i == len(paths)-1 {
				conn = "Connection: close\r\n"
			}
			fmt.Fprintf(&all, "GET %s?c=pipelined-%d HTTP/1.1\r\nHost: localhost\r\n%s\r\n", p, i, conn)
		}
		c.send(all.String())
		for i := range paths {
			if _, err := c.readResponse("GET"); err != nil {
				t.Fatalf("response %d: %v\nreceived:\n%s", i, err, c.received())
			}
		}
		c.drain()
		expectNoLeak(t, c.received())
		env.expectLogged(fmt.Sprintf("GET %s?c=pipelined-%d HTTP/1.1", paths[0], 0), 200)
		env.expectLogged(fmt.Sprintf("GET %s?c=pipelined-%d HTTP/1.1", paths[1], 1), 304)
		env.expectLogged(fmt.Sprintf("GET %s?c=pipelined-%d HTTP/1.1", paths[2], 2), 200)
		env.expectLogged(fmt.Sprintf("GET %s?c=pipelined-%d HTTP/1.1", paths[3], 3), 200)
	}},
}

func TestLeak(t *testing.T) {
	backend := startLeakBackend(t)
	for _, m := range leakMechanisms {
		t.Run(m.name, func(t *testing.T) {
			port := freePort(t)
			addr := addrOf(port)
			rules := m.rules
			if m.tls {
				certs := t.TempDir()
				writeCert(t, certs, "localhost", "localhost", false)
				rules += "LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\nSSLEngine on\n" +
					"SSLCertificateFile " + certs + "/localhost.crt\nSSLCertificateKeyFile " + certs + "/localhost.key\n"
			}
			root, conf := newServerRoot(t, leakConfig(addr, backend.addr(), rules, m.format, m.vhost))
			p := startLogproxy(t, root, conf, addr)
			env := &leakEnv{addr: addr, log: p.logPath("access.log"), backend: backend, tls: m.tls}
			for _, lc := range leakCases {
				t.Run(lc.name, func(t *testing.T) {
					e := *env
					e.t = t
					lc.run(t, &e)
				})
			}
		})
	}
}

// TestLeakControl checks the checker: without any rule the headers do
// reach the client, and expectNoLeak sees them.
func TestLeakControl(t *testing.T) {
	backend := startLeakBackend(t)
	addr := addrOf(freePort(t))
	root, conf := newServerRoot(t, leakConfig(addr, backend.addr(), "", `\"%r\" %>s %{X-JL6-CID}o %{X-JL6-OID}o`, false))
	p := startLogproxy(t, root, conf, addr)
	c := dialClient(t, addr, 10*time.Second)
	c.send("GET /p/ok?c=control HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
	if _, err := c.readResponse("GET"); err != nil {
		t.Fatal(err)
	}
	c.drain()
	if !bytes.Contains(bytes.ToLower(c.received()), []byte("x-jl6-cid: 17")) {
		t.Errorf("without rules the client should see X-JL6-CID; it received:\n%s", c.received())
	}
	env := &leakEnv{t: t, addr: addr, log: p.logPath("access.log"), backend: backend}
	env.expectLogged("GET /p/ok?c=control HTTP/1.1", 200)
}
