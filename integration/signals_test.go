package integration

// Signals and reloads of a running logproxy, as httpd's:
//
//	SIGUSR1, -k graceful  reread the configuration, reopen the logs; requests
//	                      in flight finish (and are logged) with the old one
//	SIGHUP, -k restart    the same in logproxy; a broken configuration
//	                      leaves the running one serving
//	SIGTERM, -k stop      stop accepting, finish what is in flight, exit 0
//
// Each test starts its own logproxy in front of a small Go backend whose
// /slow answers after one second.

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const slowDelay = time.Second

// sigBackend is the application behind logproxy: /slow answers after
// slowDelay and reports on arrived when the request came in; anything
// else answers at once.
type sigBackend struct {
	srv     *httptest.Server
	arrived chan string
}

func startSigBackend(t *testing.T) *sigBackend {
	t.Helper()
	b := &sigBackend{arrived: make(chan string, 16)}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-JL6-CID", "17")
		if strings.HasPrefix(r.URL.Path, "/slow") {
			select {
			case b.arrived <- r.URL.RequestURI():
			default:
			}
			time.Sleep(slowDelay)
			io.WriteString(w, "slow answer\n")
			return
		}
		io.WriteString(w, "fast answer\n")
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *sigBackend) addr() string { return strings.TrimPrefix(b.srv.URL, "http://") }

// waitArrived waits until the backend got a /slow request.
func (b *sigBackend) waitArrived(t *testing.T) {
	t.Helper()
	select {
	case <-b.arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("the slow request did not reach the backend")
	}
}

// sigConfig proxies everything to the backend and logs "TAG "%r" %>s" to
// logs/access.log.
func sigConfig(backend, tag string, listen ...string) string {
	return configHead(listen...) + `LogFormat "` + tag + ` \"%r\" %>s %{X-JL6-CID}o" sig
CustomLog logs/access.log sig
ProxyPass / http://` + backend + `/
StripHeader X-JL6-*
`
}

// result of a request made in the background.
type bgResult struct {
	status int
	body   string
	err    error
}

// getInBackground sends GET path on a new connection and delivers the
// outcome on the returned channel.
func getInBackground(t *testing.T, addr, path string) <-chan bgResult {
	ch := make(chan bgResult, 1)
	go func() {
		st, body, err := httpGet(t, addr, path, 15*time.Second)
		ch <- bgResult{st, body, err}
	}()
	return ch
}

func waitResult(t *testing.T, ch <-chan bgResult, what string) bgResult {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(15 * time.Second):
		t.Fatalf("%s: no answer", what)
		return bgResult{}
	}
}

// mustGet sends GET path and requires a 200 with the backend's body.
func mustGet(t *testing.T, addr, path, wantBody string) {
	t.Helper()
	st, body, err := httpGet(t, addr, path, 10*time.Second)
	if err != nil || st != 200 || body != wantBody {
		t.Fatalf("GET %s: %d %q %v, want 200 %q", path, st, body, err, wantBody)
	}
}

func expectLogLine(t *testing.T, path, want string) {
	t.Helper()
	if _, ok := waitLogLine(path, want, 5*time.Second); !ok {
		t.Errorf("%s has no line %q; it holds:\n%s", filepath.Base(path), want, readFileString(path))
	}
}

// expectNoLogLine fails if a line of the log starts with prefix.
func expectNoLogLine(t *testing.T, path, prefix string) {
	t.Helper()
	s := readFileString(path)
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			t.Errorf("%s should have no line starting with %q; it holds:\n%s", filepath.Base(path), prefix, s)
			return
		}
	}
}

// waitReloaded waits for the n-th "configuration reloaded" notice in the
// error log.
func waitReloaded(t *testing.T, errorLog string, n int) {
	t.Helper()
	end := time.Now().Add(10 * time.Second)
	for strings.Count(readFileString(errorLog), "configuration reloaded") < n {
		if time.Now().After(end) {
			t.Fatalf("no reload notice #%d in the error log:\n%s", n, readFileString(errorLog))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSignalGracefulReload: SIGUSR1 after logrotate renamed the access log
// and the configuration got a new LogFormat. The request in flight
// finishes and is logged with the old format in the renamed file; new
// requests, on new connections and on a keep-alive connection opened
// before the reload, use the new format and go to a new file at the
// original path.
func TestSignalGracefulReload(t *testing.T) {
	b := startSigBackend(t)
	addr := addrOf(freePort(t))
	root, conf := newServerRoot(t, sigConfig(b.addr(), "v1", addr))
	p := startLogproxy(t, root, conf, addr)
	access, rotated := p.logPath("access.log"), p.logPath("access.log.1")

	mustGet(t, addr, "/before", "fast answer\n")
	expectLogLine(t, access, `v1 "GET /before HTTP/1.1" 200 17`)

	// A keep-alive connection with one request answered before the reload.
	ka := dialClient(t, addr, 20*time.Second)
	ka.send("GET /ka-1 HTTP/1.1\r\nHost: localhost\r\n\r\n")
	if r, err := ka.readResponse("GET"); err != nil || r.StatusCode != 200 || r.Close {
		t.Fatalf("keep-alive request 1: %v %v", r, err)
	}

	inflight := getInBackground(t, addr, "/slow-inflight")
	b.waitArrived(t)

	// logrotate: rename, then signal.
	if err := os.Rename(access, rotated); err != nil {
		t.Fatal(err)
	}
	writeFile(t, conf, sigConfig(b.addr(), "v2", addr))
	p.signal(syscall.SIGUSR1)
	waitReloaded(t, p.logPath("error.log"), 1)

	mustGet(t, addr, "/after", "fast answer\n")
	ka.send("GET /ka-2 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
	if r, err := ka.readResponse("GET"); err != nil || r.StatusCode != 200 {
		t.Fatalf("keep-alive request 2: %v %v", r, err)
	}
	ka.drain()

	r := waitResult(t, inflight, "request in flight during the reload")
	if r.err != nil || r.status != 200 || r.body != "slow answer\n" {
		t.Fatalf("request in flight during the reload: %d %q %v", r.status, r.body, r.err)
	}

	expectLogLine(t, access, `v2 "GET /after HTTP/1.1" 200 17`)
	// The request that came on a keep-alive connection idle across the
	// reload is a new request: new configuration, new log file.
	if _, ok := waitLogLine(access, `v2 "GET /ka-2 HTTP/1.1" 200 17`, 5*time.Second); !ok {
		line, _ := waitLogLine(rotated, "/ka-2 ", 0)
		t.Errorf("the first request after the reload on a keep-alive connection idle across it was served "+
			"with the old configuration: want %q in access.log, got %q in the renamed access.log.1",
			`v2 "GET /ka-2 HTTP/1.1" 200 17`, line)
	}
	expectLogLine(t, rotated, `v1 "GET /before HTTP/1.1" 200 17`)
	expectLogLine(t, rotated, `v1 "GET /ka-1 HTTP/1.1" 200 17`)
	expectLogLine(t, rotated, `v1 "GET /slow-inflight HTTP/1.1" 200 17`)
	expectNoLogLine(t, access, "v1 ")
	expectNoLogLine(t, rotated, "v2 ")
	expectNoLogLine(t, rotated, `v1 "GET /after `)
}

// TestSignalReloadReopensErrorLog: logrotate renames error.log too (the
// Debian apache2 logrotate rule rotates /var/log/apache2/*.log) before
// the reload; httpd reopens its error log on a restart, so the messages
// after the reload must go to a new file at the original path.
func TestSignalReloadReopensErrorLog(t *testing.T) {
	b := startSigBackend(t)
	addr := addrOf(freePort(t))
	root, conf := newServerRoot(t, sigConfig(b.addr(), "v1", addr))
	p := startLogproxy(t, root, conf, addr)
	errorLog, rotated := p.logPath("error.log"), p.logPath("error.log.1")
	waitFileContains(t, errorLog, "resuming normal operations", 5*time.Second)

	if err := os.Rename(errorLog, rotated); err != nil {
		t.Fatal(err)
	}
	p.signal(syscall.SIGUSR1)
	end := time.Now().Add(10 * time.Second)
	for !strings.Contains(readFileString(errorLog)+readFileString(rotated), "configuration reloaded") {
		if time.Now().After(end) {
			t.Fatalf("no reload notice in either error log")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(readFileString(errorLog), "configuration reloaded") {
		t.Errorf("after the reload the error log was not reopened: %s does not exist or lacks the reload notice, which went to the renamed file:\n%s",
			errorLog, readFileString(rotated))
	}
}

// TestSignalHUPBrokenConfig: a reload with a configuration that does not
// parse, or whose Listen address cannot be bound, leaves the running
// configuration serving and says why in the ErrorLog; a good one after
// that is taken.
func TestSignalHUPBrokenConfig(t *testing.T) {
	b := startSigBackend(t)
	addr := addrOf(freePort(t))
	root, conf := newServerRoot(t, sigConfig(b.addr(), "v1", addr))
	p := startLogproxy(t, root, conf, addr)
	access, errorLog := p.logPath("access.log"), p.logPath("error.log")

	t.Run("syntax", func(t *testing.T) {
		writeFile(t, conf, sigConfig(b.addr(), "broken", addr)+"NoSuchDirective on\n")
		p.signal(syscall.SIGHUP)
		waitFileContains(t, errorLog, "reload failed", 10*time.Second)
		el := readFileString(errorLog)
		if !strings.Contains(el, "NoSuchDirective") || !strings.Contains(el, "httpd.conf:") {
			t.Errorf("the error log does not say what is wrong (file, line, directive):\n%s", el)
		}
		if p.exited() {
			t.Fatalf("logproxy exited on a broken configuration: %v", p.waitErr)
		}
		mustGet(t, addr, "/after-broken", "fast answer\n")
		expectLogLine(t, access, `v1 "GET /after-broken HTTP/1.1" 200 17`)
		expectNoLogLine(t, access, "broken ")
	})

	t.Run("listen-in-use", func(t *testing.T) {
		busy, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer busy.Close()
		before := strings.Count(readFileString(errorLog), "reload failed")
		writeFile(t, conf, sigConfig(b.addr(), "unbindable", addr, busy.Addr().String()))
		p.signal(syscall.SIGHUP)
		end := time.Now().Add(10 * time.Second)
		for strings.Count(readFileString(errorLog), "reload failed") <= before {
			if time.Now().After(end) {
				t.Fatalf("no reload failure logged for a Listen address in use:\n%s", readFileString(errorLog))
			}
			time.Sleep(20 * time.Millisecond)
		}
		if !strings.Contains(readFileString(errorLog), busy.Addr().String()) {
			t.Errorf("the error log does not name the address in use:\n%s", readFileString(errorLog))
		}
		mustGet(t, addr, "/after-unbindable", "fast answer\n")
		expectLogLine(t, access, `v1 "GET /after-unbindable HTTP/1.1" 200 17`)
		expectNoLogLine(t, access, "unbindable ")
	})

	t.Run("fixed", func(t *testing.T) {
		writeFile(t, conf, sigConfig(b.addr(), "v3", addr))
		p.signal(syscall.SIGHUP)
		waitReloaded(t, errorLog, 1)
		mustGet(t, addr, "/after-fixed", "fast answer\n")
		expectLogLine(t, access, `v3 "GET /after-fixed HTTP/1.1" 200 17`)
	})
}

// TestSignalTermDrains: on SIGTERM logproxy stops accepting at once,
// closes idle keep-alive connections, finishes the request in flight, logs
// it, removes its PidFile and exits 0.
func TestSignalTermDrains(t *testing.T) {
	b := startSigBackend(t)
	addr := addrOf(freePort(t))
	root, conf := newServerRoot(t, sigConfig(b.addr(), "v1", addr))
	p := startLogproxy(t, root, conf, addr)
	pidFile := p.logPath("httpd.pid")
	waitFileContains(t, pidFile, fmt.Sprint(p.cmd.Process.Pid), 5*time.Second)

	idle := dialClient(t, addr, 20*time.Second)
	idle.send("GET /idle HTTP/1.1\r\nHost: localhost\r\n\r\n")
	if r, err := idle.readResponse("GET"); err != nil || r.StatusCode != 200 || r.Close {
		t.Fatalf("keep-alive request: %v %v", r, err)
	}

	inflight := getInBackground(t, addr, "/slow-term")
	b.waitArrived(t)
	start := time.Now()
	p.signal(syscall.SIGTERM)

	// The listener closes well before the request in flight is done.
	refused := false
	for time.Since(start) < slowDelay/2 {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			refused = true
			break
		}
		c.Close()
		time.Sleep(10 * time.Millisecond)
	}
	if !refused {
		t.Errorf("logproxy still accepts connections %v after SIGTERM", slowDelay/2)
	}
	// The idle keep-alive connection is closed without waiting for the
	// request in flight.
	idle.conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := io.Copy(io.Discard, idle.br); err != nil {
		t.Errorf("idle keep-alive connection not closed after SIGTERM: %v", err)
	} else if d := time.Since(start); d > slowDelay {
		t.Errorf("idle keep-alive connection closed only after %v", d)
	}

	r := waitResult(t, inflight, "request in flight at SIGTERM")
	if r.err != nil || r.status != 200 || r.body != "slow answer\n" {
		t.Errorf("request in flight at SIGTERM: %d %q %v", r.status, r.body, r.err)
	}
	code, ok := p.waitExit(10 * time.Second)
	if !ok {
		t.Fatalf("logproxy still runs 10s after SIGTERM")
	}
	if code != 0 {
		t.Errorf("exit status %d after SIGTERM, want 0", code)
	}
	if d := time.Since(start); d > slowDelay+3*time.Second {
		t.Errorf("logproxy took %v to stop", d)
	}
	access := p.logPath("access.log")
	for _, want := range []string{`v1 "GET /idle HTTP/1.1" 200 17`, `v1 "GET /slow-term HTTP/1.1" 200 17`} {
		if !strings.Contains(readFileString(access), want) {
			t.Errorf("access.log lacks %q after exit:\n%s", want, readFileString(access))
		}
	}
	if _, err := os.Stat(pidFile); !os.IsNotExist(err) {
		t.Errorf("PidFile %s still there after exit (%v)", pidFile, err)
	}
	if el := readFileString(p.logPath("error.log")); !strings.Contains(el, "shutting down") {
		t.Errorf("no shutdown notice in the error log:\n%s", el)
	}
}

// TestSignalTermSilentConnection: a client that connected but has not
// sent a request yet (a browser's preconnect) has nothing in flight, so it
// must not hold up SIGTERM for Timeout or the 30 s shutdown grace.
func TestSignalTermSilentConnection(t *testing.T) {
	b := startSigBackend(t)
	addr := addrOf(freePort(t))
	root, conf := newServerRoot(t, sigConfig(b.addr(), "v1", addr))
	p := startLogproxy(t, root, conf, addr)

	silent, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	mustGet(t, addr, "/x", "fast answer\n") // the silent one was accepted by now
	start := time.Now()
	p.signal(syscall.SIGTERM)
	code, ok := p.waitExit(5 * time.Second)
	if !ok {
		t.Fatalf("logproxy still runs 5s after SIGTERM, held up by a connection that sent nothing")
	}
	if code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
	t.Logf("stopped in %v", time.Since(start))
}

// runControl runs `logproxy -d root -f conf -k cmd` and requires exit 0.
func runControl(t *testing.T, p *lpProc, cmd string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, logproxyBin(t), "-d", p.root, "-f", p.conf, "-k", cmd).CombinedOutput()
	if err != nil {
		t.Fatalf("logproxy -k %s: %v\n%s", cmd, err, out)
	}
}

// TestSignalKStop: `logproxy -k stop` finds the server through its
// PidFile and stops it; the server exits 0 and removes the PidFile.
func TestSignalKStop(t *testing.T) {
	b := startSigBackend(t)
	addr := addrOf(freePort(t))
	root, conf := newServerRoot(t, sigConfig(b.addr(), "v1", addr))
	p := startLogproxy(t, root, conf, addr)
	pidFile := p.logPath("httpd.pid")
	waitFileContains(t, pidFile, fmt.Sprint(p.cmd.Process.Pid), 5*time.Second)
	mustGet(t, addr, "/before-stop", "fast answer\n")

	runControl(t, p, "stop")
	code, ok := p.waitExit(10 * time.Second)
	if !ok {
		t.Fatal("logproxy still runs 10s after -k stop")
	}
	if code != 0 {
		t.Errorf("exit status %d after -k stop, want 0", code)
	}
	if _, err := os.Stat(pidFile); !os.IsNotExist(err) {
		t.Errorf("PidFile still there after -k stop (%v)", err)
	}
	if !strings.Contains(readFileString(p.logPath("access.log")), `v1 "GET /before-stop HTTP/1.1" 200 17`) {
		t.Errorf("access.log lacks the request:\n%s", readFileString(p.logPath("access.log")))
	}
	// With the server gone, -k stop fails and says so.
	out, err := exec.Command(logproxyBin(t), "-d", root, "-f", conf, "-k", "stop").CombinedOutput()
	if err == nil {
		t.Errorf("-k stop without a running server succeeded:\n%s", out)
	}
}

// TestSignalKGraceful: `logproxy -k graceful` reloads the configuration.
func TestSignalKGraceful(t *testing.T) {
	b := startSigBackend(t)
	addr := addrOf(freePort(t))
	root, conf := newServerRoot(t, sigConfig(b.addr(), "v1", addr))
	p := startLogproxy(t, root, conf, addr)
	waitFileContains(t, p.logPath("httpd.pid"), fmt.Sprint(p.cmd.Process.Pid), 5*time.Second)
	mustGet(t, addr, "/before", "fast answer\n")

	inflight := getInBackground(t, addr, "/slow-graceful")
	b.waitArrived(t)
	writeFile(t, conf, sigConfig(b.addr(), "v2", addr))
	runControl(t, p, "graceful")
	waitReloaded(t, p.logPath("error.log"), 1)
	mustGet(t, addr, "/after", "fast answer\n")
	r := waitResult(t, inflight, "request in flight during -k graceful")
	if r.err != nil || r.status != 200 {
		t.Errorf("request in flight during -k graceful: %d %v", r.status, r.err)
	}
	access := p.logPath("access.log")
	expectLogLine(t, access, `v1 "GET /before HTTP/1.1" 200 17`)
	expectLogLine(t, access, `v1 "GET /slow-graceful HTTP/1.1" 200 17`)
	expectLogLine(t, access, `v2 "GET /after HTTP/1.1" 200 17`)
	if p.exited() {
		t.Errorf("logproxy exited on -k graceful: %v", p.waitErr)
	}
}

// TestReloadListenChange: a reload that moves Listen to another port
// opens the new one and closes the old one.
func TestReloadListenChange(t *testing.T) {
	b := startSigBackend(t)
	addrA := addrOf(freePort(t))
	addrB := addrOf(freePort(t))
	root, conf := newServerRoot(t, sigConfig(b.addr(), "v1", addrA))
	p := startLogproxy(t, root, conf, addrA)
	mustGet(t, addrA, "/on-a", "fast answer\n")

	writeFile(t, conf, sigConfig(b.addr(), "v2", addrB))
	p.signal(syscall.SIGUSR1)
	waitReloaded(t, p.logPath("error.log"), 1)
	p.waitListening(addrB, 5*time.Second)
	mustGet(t, addrB, "/on-b", "fast answer\n")
	if c, err := net.DialTimeout("tcp", addrA, time.Second); err == nil {
		c.Close()
		t.Errorf("the old Listen address %s still accepts connections after the reload", addrA)
	}
	access := p.logPath("access.log")
	expectLogLine(t, access, `v1 "GET /on-a HTTP/1.1" 200 17`)
	expectLogLine(t, access, `v2 "GET /on-b HTTP/1.1" 200 17`)

	// And back, with both: A opens again, B stays.
	writeFile(t, conf, sigConfig(b.addr(), "v3", addrA, addrB))
	p.signal(syscall.SIGHUP)
	waitReloaded(t, p.logPath("error.log"), 2)
	p.waitListening(addrA, 5*time.Second)
	mustGet(t, addrA, "/on-a-again", "fast answer\n")
	mustGet(t, addrB, "/on-b-again", "fast answer\n")
	expectLogLine(t, access, `v3 "GET /on-a-again HTTP/1.1" 200 17`)
	expectLogLine(t, access, `v3 "GET /on-b-again HTTP/1.1" 200 17`)
}

// TestBufferedLogsNoLoss: with BufferedLogs On, lines wait in a buffer,
// and none is lost: a quiet server writes them within the flush delay, a
// reload writes the old configuration's when its logs close, and SIGTERM
// right after a request writes that request's line before exit, long
// before the flush delay would have.
func TestBufferedLogsNoLoss(t *testing.T) {
	b := startSigBackend(t)
	addr := addrOf(freePort(t))
	buffered := func(tag string) string { return sigConfig(b.addr(), tag, addr) + "BufferedLogs On\n" }
	root, conf := newServerRoot(t, buffered("v1"))
	p := startLogproxy(t, root, conf, addr)
	access := p.logPath("access.log")

	mustGet(t, addr, "/quiet", "fast answer\n")
	expectLogLine(t, access, `v1 "GET /quiet HTTP/1.1" 200 17`)

	mustGet(t, addr, "/before-reload", "fast answer\n")
	writeFile(t, conf, buffered("v2"))
	p.signal(syscall.SIGUSR1)
	waitReloaded(t, p.logPath("error.log"), 1)
	expectLogLine(t, access, `v1 "GET /before-reload HTTP/1.1" 200 17`)

	for i := range 50 {
		mustGet(t, addr, fmt.Sprintf("/before-stop/%d", i), "fast answer\n")
	}
	p.signal(syscall.SIGTERM)
	if code, ok := p.waitExit(10 * time.Second); !ok || code != 0 {
		t.Fatalf("exit after SIGTERM: status %d, exited %v", code, ok)
	}
	log := readFileString(access)
	for i := range 50 {
		if want := fmt.Sprintf(`v2 "GET /before-stop/%d HTTP/1.1" 200 17`, i); !strings.Contains(log, want+"\n") {
			t.Errorf("access.log lacks %q after exit:\n%s", want, log)
		}
	}
	if n := strings.Count(log, "\n"); n != 52 {
		t.Errorf("access.log holds %d lines, want 52:\n%s", n, log)
	}
}
