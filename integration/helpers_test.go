package integration

// Helpers of the process-level tests (leak_test.go, signals_test.go): the
// logproxy binary, built once per test run; a logproxy process with its
// server root, started and stopped by the test; free ports; raw HTTP/1.1
// clients that record every byte they receive; and log-file polling.
//
// Every wait is bounded, and every process and listener is stopped by
// t.Cleanup.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	lpBinOnce sync.Once
	lpBinDir  string // removed by TestMain
	lpBinPath string
	lpBinErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if lpBinDir != "" {
		os.RemoveAll(lpBinDir)
	}
	os.Exit(code)
}

// testBuiltWithRace reports whether this test binary runs under the race
// detector; logproxy is then built with it too, so that the process tests
// catch data races in the server itself.
func testBuiltWithRace() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" && s.Value == "true" {
			return true
		}
	}
	return false
}

// logproxyBin builds ./cmd/logproxy once per test run and returns its path.
func logproxyBin(t *testing.T) string {
	t.Helper()
	lpBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "logproxy-it-bin-")
		if err != nil {
			lpBinErr = err
			return
		}
		lpBinDir = dir
		goTool, err := exec.LookPath("go")
		if err != nil && os.Getenv("GOROOT") != "" {
			goTool, err = filepath.Join(os.Getenv("GOROOT"), "bin", "go"), nil
		}
		if err != nil {
			lpBinErr = fmt.Errorf("go tool not found to build ./cmd/logproxy: %w", err)
			return
		}
		bin := filepath.Join(dir, "logproxy")
		args := []string{"build", "-o", bin}
		if testBuiltWithRace() {
			args = append(args, "-race")
		}
		args = append(args, "./cmd/logproxy")
		cmd := exec.Command(goTool, args...)
		cmd.Dir = ".." // the module root, seen from integration/
		if out, err := cmd.CombinedOutput(); err != nil {
			lpBinErr = fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
			return
		}
		lpBinPath = bin
	})
	if lpBinErr != nil {
		t.Fatal(lpBinErr)
	}
	return lpBinPath
}

// freePort returns a TCP port of 127.0.0.1 that nothing listens on now,
// outside the conformance test's fixed range 18080-18099.
func freePort(t *testing.T) int {
	t.Helper()
	for range 50 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if port >= 18080 && port <= 18099 {
			continue
		}
		return port
	}
	t.Fatal("no free port")
	return 0
}

// lpProc is a logproxy process serving a configuration in its own server
// root (a temporary directory with logs/ and htdocs/).
type lpProc struct {
	t      *testing.T
	root   string
	conf   string // httpd.conf, absolute
	cmd    *exec.Cmd
	stderr string // file with the process's stdout and stderr

	done    chan struct{} // closed when the process has exited
	waitErr error         // set before done is closed
}

// newServerRoot makes a server root with logs/ and htdocs/ and writes
// httpd.conf into it.
func newServerRoot(t *testing.T, conf string) (root, confPath string) {
	t.Helper()
	root = t.TempDir()
	for _, d := range []string{"logs", "htdocs"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	confPath = filepath.Join(root, "httpd.conf")
	writeFile(t, confPath, conf)
	return root, confPath
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// startLogproxy starts `logproxy -d root -f conf` in the foreground and
// waits until addr accepts connections. The process is stopped (SIGTERM,
// then SIGKILL) at cleanup if the test did not stop it; its output is
// shown when the test failed, and a data race it reports fails the test.
func startLogproxy(t *testing.T, root, conf, addr string) *lpProc {
	t.Helper()
	bin := logproxyBin(t)
	p := &lpProc{t: t, root: root, conf: conf, stderr: filepath.Join(root, "logproxy.out"), done: make(chan struct{})}
	out, err := os.Create(p.stderr)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(bin, "-d", root, "-f", conf)
	p.cmd.Dir = root
	p.cmd.Stdout, p.cmd.Stderr = out, out
	p.cmd.Env = append(os.Environ(), "TZ=UTC", "GORACE=halt_on_error=0")
	if err := p.cmd.Start(); err != nil {
		out.Close()
		t.Fatal(err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		out.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		if !p.exited() {
			p.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(10 * time.Second):
				p.cmd.Process.Kill()
				<-p.done
			}
		}
		data, _ := os.ReadFile(p.stderr)
		if bytes.Contains(data, []byte("WARNING: DATA RACE")) {
			t.Errorf("logproxy reported a data race:\n%s", data)
		} else if t.Failed() && len(data) > 0 {
			t.Logf("logproxy output:\n%s", data)
		}
		if t.Failed() {
			if el, err := os.ReadFile(filepath.Join(root, "logs", "error.log")); err == nil && len(el) > 0 {
				t.Logf("error.log:\n%s", el)
			}
		}
	})
	if addr != "" {
		p.waitListening(addr, 15*time.Second)
	}
	return p
}

func (p *lpProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// waitListening waits until addr accepts a connection.
func (p *lpProc) waitListening(addr string, timeout time.Duration) {
	p.t.Helper()
	end := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if p.exited() {
			data, _ := os.ReadFile(p.stderr)
			p.t.Fatalf("logproxy exited before listening on %s (%v):\n%s", addr, p.waitErr, data)
		}
		if time.Now().After(end) {
			p.t.Fatalf("logproxy does not listen on %s after %v: %v", addr, timeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (p *lpProc) signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("signal %v: %v", sig, err)
	}
}

// waitExit waits for the process to end and returns its exit status.
func (p *lpProc) waitExit(timeout time.Duration) (int, bool) {
	select {
	case <-p.done:
	case <-time.After(timeout):
		return 0, false
	}
	var ee *exec.ExitError
	if errors.As(p.waitErr, &ee) {
		return ee.ExitCode(), true
	}
	if p.waitErr != nil {
		return -1, true
	}
	return 0, true
}

func (p *lpProc) logPath(name string) string { return filepath.Join(p.root, "logs", name) }

// readFileString returns the file's content, "" if it does not exist.
func readFileString(path string) string {
	data, _ := os.ReadFile(path)
	return string(data)
}

// waitFileContains polls path until it holds want, and returns the content.
func waitFileContains(t *testing.T, path, want string, timeout time.Duration) string {
	t.Helper()
	end := time.Now().Add(timeout)
	for {
		s := readFileString(path)
		if strings.Contains(s, want) {
			return s
		}
		if time.Now().After(end) {
			t.Fatalf("%s does not contain %q after %v; it holds:\n%s", path, want, timeout, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitLogLine polls an access log for the line that holds marker and
// returns it (without the newline), or "" and false after timeout.
func waitLogLine(path, marker string, timeout time.Duration) (string, bool) {
	end := time.Now().Add(timeout)
	for {
		for _, l := range strings.Split(readFileString(path), "\n") {
			if strings.Contains(l, marker) {
				return l, true
			}
		}
		if time.Now().After(end) {
			return "", false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// rawClient is one client connection that records every byte it receives.
type rawClient struct {
	t    *testing.T
	conn net.Conn
	rec  recorder
	br   *bufio.Reader
}

type recorder struct {
	mu  sync.Mutex
	buf bytes.Buffer
	r   io.Reader
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.mu.Lock()
	r.buf.Write(p[:n])
	r.mu.Unlock()
	return n, err
}

func (r *recorder) bytes() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return bytes.Clone(r.buf.Bytes())
}

// dialClient connects to addr; every read and write is bounded by
// timeout from now.
func dialClient(t *testing.T, addr string, timeout time.Duration) *rawClient {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	return newRawClient(t, conn, timeout)
}

// newRawClient is a client on conn, which is closed when the test ends
// and whose reads and writes must be done within timeout.
func newRawClient(t *testing.T, conn net.Conn, timeout time.Duration) *rawClient {
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(timeout))
	c := &rawClient{t: t, conn: conn}
	c.rec.r = conn
	c.br = bufio.NewReader(&c.rec)
	return c
}

func (c *rawClient) send(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.conn, s); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// response is one response read by a rawClient: the interim (1xx)
// responses before it and the final one with its whole body.
type response struct {
	interim []*http.Response
	*http.Response
	body []byte
}

// readResponse reads the interim responses and the final one to a request
// with method, with the body (and trailers) read to its end. A 101 ends
// the reading: what follows is the tunnel.
func (c *rawClient) readResponse(method string) (*response, error) {
	out := &response{}
	for {
		resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
		if err != nil {
			return out, err
		}
		if resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != 101 {
			out.interim = append(out.interim, resp)
			continue
		}
		out.Response = resp
		out.body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		return out, err
	}
}

// readInterim reads one interim response (after Expect: 100-continue).
func (c *rawClient) readInterim() (*http.Response, error) {
	return http.ReadResponse(c.br, &http.Request{Method: "GET"})
}

// drain closes the writing side and reads until the server closes.
func (c *rawClient) drain() error {
	if cw, ok := c.conn.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite() // TCP's FIN, or TLS's close_notify
	}
	_, err := io.Copy(io.Discard, c.br)
	return err
}

// received is every byte the client got so far.
func (c *rawClient) received() []byte { return c.rec.bytes() }

// httpGet sends one request with Connection: close on a new connection and
// returns the status and body.
func httpGet(t *testing.T, addr, path string, timeout time.Duration) (int, string, error) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return 0, "", err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout))
	if _, err := fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", path); err != nil {
		return 0, "", err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: "GET"})
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// configHead is the start of every test configuration: modules, PidFile,
// ErrorLog at level info (so that reloads are logged), relative to the
// server root given with -d.
func configHead(listen ...string) string {
	var b strings.Builder
	b.WriteString("ServerName localhost\n")
	for _, l := range listen {
		b.WriteString("Listen " + l + "\n")
	}
	b.WriteString(`PidFile logs/httpd.pid
ErrorLog logs/error.log
LogLevel info
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so
LoadModule headers_module /usr/lib/apache2/modules/mod_headers.so
DocumentRoot htdocs
`)
	return b.String()
}

// closedAddr is an address of this machine where nothing listens (a port
// that was just free): a backend that refuses connections.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func addrOf(port int) string { return "127.0.0.1:" + strconv.Itoa(port) }

// sortedLines is s with its lines sorted: the log lines of requests made
// one after the other may come in either order, as each is written once
// its answer is sent.
func sortedLines(s string) string {
	lines := strings.SplitAfter(s, "\n")
	slices.Sort(lines)
	return strings.Join(lines, "")
}

// expectRecordedLog waits until the access log at log holds the lines of
// the apache2 recording testdata/<golden> (with each old, new pair of
// replace applied to it), compared as a set (see sortedLines).
func expectRecordedLog(t *testing.T, log, golden string, replace ...string) {
	t.Helper()
	want, err := os.ReadFile(filepath.Join("testdata", golden))
	if err != nil {
		t.Fatal(err)
	}
	expectLogLines(t, log, strings.NewReplacer(replace...).Replace(string(want)))
}

// expectLogLines waits until the access log at log holds the lines of
// want, compared as a set (see sortedLines).
func expectLogLines(t *testing.T, log, want string) {
	t.Helper()
	w := sortedLines(want)
	deadline := time.Now().Add(5 * time.Second)
	for sortedLines(readFileString(log)) != w && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if g := sortedLines(readFileString(log)); g != w {
		t.Errorf("the log differs from apache2's (lines sorted):\n%s", lineDiff(w, g))
	}
}

// sendOnce sends a raw request on a connection of its own and reads
// until the server closes it (the request asks for Connection: close).
func sendOnce(t *testing.T, addr, raw string) {
	t.Helper()
	sendRaw(t, addr, raw)
}

// sendRaw sends raw on a connection of its own and returns what came
// back until the server closed it.
func sendRaw(t *testing.T, addr, raw string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, raw)
	data, _ := io.ReadAll(c)
	return string(data)
}
