package proxy

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jl6/logproxy/logformat"
)

// TestAppendFileWrite: each line is one append at the end of the file,
// also when another writer appends in between; a failed write is counted
// as dropped and returned with the file's name.
func TestAppendFileWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	s := &Site{Logs: []*LogFile{{Path: path}}}
	if err := s.OpenLogs(); err != nil {
		t.Fatal(err)
	}
	defer s.CloseLogs()
	other, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	lf := s.Logs[0]
	for _, line := range []string{"one\n", "two\n"} {
		if n, err := lf.w.Write([]byte(line)); err != nil || n != len(line) {
			t.Fatalf("Write(%q) = %d, %v", line, n, err)
		}
		other.WriteString("other\n")
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "one\nother\ntwo\nother\n"; string(got) != want {
		t.Fatalf("file holds %q, want %q", got, want)
	}
	if d := lf.Dropped(); d != 0 {
		t.Fatalf("Dropped() = %d, want 0", d)
	}

	if _, err := os.Stat("/dev/full"); err != nil {
		t.Fatalf("this test needs /dev/full: %v", err)
	}
	full := &Site{Logs: []*LogFile{{Path: "/dev/full"}}}
	if err := full.OpenLogs(); err != nil {
		t.Fatal(err)
	}
	defer full.CloseLogs()
	_, err = full.Logs[0].w.Write([]byte("line\n"))
	var pe *os.PathError
	if !errors.As(err, &pe) || pe.Path != "/dev/full" || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("write to a full device: %v; want ENOSPC naming /dev/full", err)
	}
	if d := full.Logs[0].Dropped(); d != 1 {
		t.Fatalf("Dropped() = %d after a failed write, want 1", d)
	}
}

// TestAccessLogMeasuredFields: the fields measured only for the formats
// that read them (logformat.Uses) are there when a format does: the time
// to the first byte, the duration, the end time and the thread id, for a
// proxied answer and for one the server makes itself (which has no time
// to the first byte, as in httpd); and a format that reads none of them
// still logs the request.
func TestAccessLogMeasuredFields(t *testing.T) {
	bb := startBenchBackend(t)
	dir := t.TempDir()
	site := benchSite(t, bb.addr(), "")
	on := true
	site.Main.Dir.TrackTTFB = &on // LogIOTrackTTFB On
	logs := withAccessLogs(t, site, dir, `%>s %^FB %D %{begin:usec}t %{end:usec}t %{tid}P`, `%>s %U`)
	lm, lp := logs[0], logs[1]
	getAll(t, site, "/b100", "/%zz") // proxied; a 400 of the server's own
	lines := waitLogLines(t, lm.Path, 2)
	for i, want := range []string{"200", "400"} {
		f := strings.Fields(lines[i])
		if len(f) != 6 || f[0] != want {
			t.Fatalf("line %d: %q; want status %s and 5 numbers", i, lines[i], want)
		}
		if i == 1 {
			// httpd's own error page bypasses mod_logio's first-byte
			// filter: %^FB is "-".
			if f[1] != "-" {
				t.Errorf("line %d: %q: %%^FB of a generated error page is %q, want -", i, lines[i], f[1])
			}
			f[1] = "1"
		}
		var n [5]int64
		for j, s := range f[1:] {
			var err error
			if n[j], err = strconv.ParseInt(s, 10, 64); err != nil || n[j] <= 0 {
				t.Fatalf("line %d: field %d is %q; want a positive number (%q)", i, j+2, s, lines[i])
			}
		}
		ttfb, dur, begin, end := n[0], n[1], n[2], n[3]
		if i == 1 {
			ttfb = 0
		}
		if ttfb > dur || end < begin || end-begin > dur+1000 {
			t.Errorf("line %d: %q: TTFB %d, duration %d, begin %d, end %d do not agree", i, lines[i], ttfb, dur, begin, end)
		}
	}
	plainLines := waitLogLines(t, lp.Path, 2)
	if plainLines[0] != "200 /b100" || plainLines[1] != "400 /%zz" {
		t.Errorf("plain log %q", plainLines)
	}
}

// TestAccessLogTTFBOff: without LogIOTrackTTFB On, httpd's mod_logio
// measures nothing and %^FB logs "-", for a proxied answer and for one
// the server makes itself.
func TestAccessLogTTFBOff(t *testing.T) {
	bb := startBenchBackend(t)
	dir := t.TempDir()
	site := benchSite(t, bb.addr(), "")
	lm := withAccessLogs(t, site, dir, `%>s %^FB`)[0]
	getAll(t, site, "/b100", "/%zz")
	lines := waitLogLines(t, lm.Path, 2)
	if lines[0] != "200 -" || lines[1] != "400 -" {
		t.Errorf("lines %q, want [\"200 -\" \"400 -\"]", lines)
	}
}

// getAll sends a GET for each target on one connection to an engine for
// site, reading each answer whole.
func getAll(t *testing.T, site *Site, targets ...string) {
	t.Helper()
	c, br := dialEngine(t, site)
	for _, target := range targets {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(c, "GET "+target+" HTTP/1.1\r\nHost: www.example.test\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// waitLogLines waits until the log at path has n lines and returns them.
func waitLogLines(t *testing.T, path string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		if len(b) > 0 && len(lines) >= n {
			return lines
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d lines, want %d:\n%s", path, len(lines), n, b)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRequestBeginTime: %{begin:usec}t is when the request was read: a
// keep-alive request whose head comes in two parts, 300 ms apart, begins
// after the second part, and one that comes whole begins after it was
// sent, not when the connection started waiting for it.
func TestRequestBeginTime(t *testing.T) {
	bb := startBenchBackend(t)
	dir := t.TempDir()
	site := benchSite(t, bb.addr(), "")
	lf := withAccessLogs(t, site, dir, `%{begin:usec}t`)[0]
	c, br := dialEngine(t, site)
	const pause = 300 * time.Millisecond
	var sent [3]time.Time // when each request's last part went out
	for i := range sent {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if i > 0 {
			time.Sleep(pause) // the keep-alive wait
		}
		if i == 2 {
			io.WriteString(c, "GET /b100 HTTP/1.1\r\n")
			time.Sleep(pause)
		}
		sent[i] = time.Now()
		io.WriteString(c, "GET /b100 HTTP/1.1\r\nHost: www.example.test\r\n\r\n"[len("GET /b100 HTTP/1.1\r\n")*(i/2):])
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	lines := waitLogLines(t, lf.Path, len(sent))
	for i, line := range lines {
		usec, err := strconv.ParseInt(strings.TrimSpace(line), 10, 64)
		if err != nil {
			t.Fatalf("line %d: %q", i, line)
		}
		begin := time.UnixMicro(usec)
		// The clock of the test and the server's is the same; allow for
		// the microseconds the log drops.
		if begin.Before(sent[i].Add(-time.Microsecond)) || begin.After(sent[i].Add(pause/2)) {
			t.Errorf("request %d began at %v, sent at %v", i, begin.Format(time.StampMicro), sent[i].Format(time.StampMicro))
		}
	}
}

// withAccessLogs gives site's main server one access log per format, in
// dir, opened, and returns their files in that order.
func withAccessLogs(t *testing.T, site *Site, dir string, formats ...string) []*LogFile {
	t.Helper()
	site.Logs, site.Main.AccessLogs = nil, nil
	for i, format := range formats {
		f, err := logformat.Compile(format, nil)
		if err != nil {
			t.Fatal(err)
		}
		lf := &LogFile{Path: filepath.Join(dir, fmt.Sprintf("access%d.log", i))}
		site.Logs = append(site.Logs, lf)
		site.Main.AccessLogs = append(site.Main.AccessLogs, &AccessLog{File: lf, Format: f})
	}
	if err := site.OpenLogs(); err != nil {
		t.Fatal(err)
	}
	return site.Logs
}

// dialEngine starts an engine for site and connects to it; the
// connection is closed when the test ends.
func dialEngine(t *testing.T, site *Site) (net.Conn, *bufio.Reader) {
	t.Helper()
	_, addr := startBenchEngine(t, site)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, bufio.NewReader(c)
}

// TestAccessLogIDs: as httpd's log_error_core gives a request and its
// connection log ids whenever it writes an error-log entry for them,
// whatever ErrorLogFormat shows, %L and %{c}L log ids for a request whose
// backend cannot be reached, and "-" for one that logged nothing.
func TestAccessLogIDs(t *testing.T) {
	bb := startBenchBackend(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close() // nothing listens there now
	dir := t.TempDir()
	site := benchSite(t, bb.addr(), "")
	site.Main.Routes = append([]*Route{{Path: "/down/", Target: "http://" + closed + "/", Scheme: "http", HostPort: closed, BasePath: "/"}}, site.Main.Routes...)
	lm := withAccessLogs(t, site, dir, `%>s %L %{c}L`)[0]
	getAll(t, site, "/b100", "/down/x")
	lines := waitLogLines(t, lm.Path, 2)
	if lines[0] != "200 - -" {
		t.Errorf("a request that logged no error: %q, want \"200 - -\"", lines[0])
	}
	f := strings.Fields(lines[1])
	if len(f) != 3 || (f[0] != "502" && f[0] != "503") || len(f[1]) != 11 || len(f[2]) != 11 || f[1] == f[2] {
		t.Errorf("a request whose backend is down: %q, want a 502 or 503 with two different 11-character ids", lines[1])
	}
}
