//go:build linux

package main

import (
	"math"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// These tests cover the parts of the harness that need no peer installed:
// the access-log checks, the configurations' promises, the arithmetic.

func TestCheckLineApache(t *testing.T) {
	good := `127.0.0.1 - - [22/Nov/2026:06:33:07 +0000] "GET /b100?check=9 HTTP/1.1" 200 100 "http://bench.test/check" "sidebyside-check/1" 17 9`
	if err := checkLine(logApache, good, "/b100", 9); err != nil {
		t.Errorf("good line: %v", err)
	}
	for name, line := range map[string]string{
		"header logged as -": strings.Replace(good, " 17 9", " - -", 1),
		"wrong OID":          strings.Replace(good, " 17 9", " 17 42", 1),
		"wrong size":         strings.Replace(good, " 200 100 ", " 200 0 ", 1),
		"no referer":         strings.Replace(good, `"http://bench.test/check"`, `"-"`, 1),
		"missing fields":     strings.Replace(good, " 17 9", "", 1),
		"JSON":               `{"status":200}`,
	} {
		if err := checkLine(logApache, line, "/b100", 9); err == nil {
			t.Errorf("%s: accepted %q", name, line)
		}
	}
}

func TestCheckLineCaddy(t *testing.T) {
	good := `{"level":"info","ts":1795329177.887233,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"127.0.0.1","remote_port":"40476","proto":"HTTP/1.1","method":"GET","host":"127.0.0.1:18110","uri":"/b64k?check=9","headers":{"User-Agent":["sidebyside-check/1"],"Accept":["*/*"],"Referer":["http://bench.test/check"]}},"user_id":"17 9","duration":0.003139167,"size":65536,"status":200,"resp_headers":{"Server":["Caddy"]}}`
	if err := checkLine(logCaddy, good, "/b64k", 9); err != nil {
		t.Errorf("good line: %v", err)
	}
	bad := strings.Replace(good, `"user_id":"17 9"`, `"user_id":""`, 1)
	if err := checkLine(logCaddy, bad, "/b64k", 9); err == nil {
		t.Errorf("accepted a line without the two values")
	}
}

func TestConfigurations(t *testing.T) {
	e := &env{dir: t.TempDir(), backend: "127.0.0.1:9", logproxyBin: "logproxy", selfBin: "sidebyside"}
	note, _ := apacheConfig(e, "apache", 8080, "note")
	strip, _ := apacheConfig(e, "logproxy", 8081, "strip")
	nolog, logPath := apacheConfig(e, "logproxy-nolog", 8082, "nolog")
	for _, want := range []string{"Header note X-JL6-CID jl6cid", "Header unset X-JL6-OID", `%{jl6cid}n %{jl6oid}n" bench`, "CustomLog", "Listen 127.0.0.1:8080"} {
		if !strings.Contains(note, want) {
			t.Errorf("note configuration lacks %q", want)
		}
	}
	for _, want := range []string{"StripHeader X-JL6-*", `%{X-JL6-CID}o %{X-JL6-OID}o" bench`} {
		if !strings.Contains(strip, want) {
			t.Errorf("strip configuration lacks %q", want)
		}
	}
	if strings.Contains(nolog, "CustomLog") || logPath != "" {
		t.Errorf("nolog configuration logs")
	}
	buffered, _ := apacheConfig(e, "logproxy-buffered", 8086, "buffered")
	if !strings.Contains(buffered, "\nBufferedLogs On\n") || !strings.Contains(buffered, "CustomLog") || strings.Contains(strip, "BufferedLogs") {
		t.Errorf("BufferedLogs On is not in the buffered configuration alone")
	}
	ngb, _ := nginxConfig(e, "nginx-buffered", 8087, "buffered")
	if !strings.Contains(ngb, "bench buffer=4k flush=1s;") {
		t.Errorf("nginx-buffered does not buffer its log")
	}
	ng, _ := nginxConfig(e, "nginx", 8083, "on")
	if strings.Contains(ng, "bench buffer=") {
		t.Errorf("nginx buffers its log")
	}
	for _, want := range []string{"proxy_hide_header X-JL6-CID;", "proxy_hide_header X-JL6-OID;", "$upstream_http_x_jl6_cid $upstream_http_x_jl6_oid", "worker_processes 1;", "keepalive 64;"} {
		if !strings.Contains(ng, want) {
			t.Errorf("nginx configuration lacks %q", want)
		}
	}
	hp, _ := haproxyConfig(e, "haproxy", 8084)
	for _, want := range []string{"nbthread 1", "http-response del-header X-JL6-CID", "set-var(txn.cid) res.hdr(X-JL6-CID)"} {
		if !strings.Contains(hp, want) {
			t.Errorf("haproxy configuration lacks %q", want)
		}
	}
	cd, _ := caddyConfig(e, "caddy", 8085)
	for _, want := range []string{"header_down -X-JL6-CID", "{http.auth.user.id}"} {
		if !strings.Contains(cd, want) {
			t.Errorf("Caddyfile lacks %q", want)
		}
	}
}

func TestMedianAndPerRequest(t *testing.T) {
	if m := median([]float64{5, 1, 3}); m != 3 {
		t.Errorf("median = %v", m)
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("median = %v", m)
	}
	if got := thousands(10000); got != "10,000" {
		t.Errorf("thousands = %q", got)
	}
	// Log on: proxy 1.10 x the backend's 20 µs; off: 0.95 x. The line
	// costs 0.15 x 20 = 3 µs.
	if got := logCostPerBackend(agg{perBackend: 1.10, backendUS: 20}, agg{perBackend: 0.95, backendUS: 30}); math.Abs(got-3) > 1e-9 {
		t.Errorf("logCostPerBackend = %v, want 3", got)
	}
	r := runResult{served: 1000}
	// 5 ticks of 10 ms over 1000 requests: 50 µs each.
	if got := r.perReq(5); got != 50 {
		t.Errorf("perReq = %v", got)
	}
}

// TestCheckAutogroups: the rule over given groups, whatever the kernel
// this runs on does.
func TestCheckAutogroups(t *testing.T) {
	groups := map[int]string{1: "/autogroup-7", 2: "/autogroup-7", 3: "/autogroup-9", 4: ""}
	groupOf := func(pid int) string { return groups[pid] }
	for _, tc := range []struct {
		name    string
		pids    []int
		backend int
		wantErr string
	}{
		{"all in the backend's group", []int{1, 2}, 1, ""},
		{"one in a session of its own", []int{2, 3}, 1, "process 3 is in scheduler autogroup /autogroup-9"},
		{"a process with no group passes", []int{2, 4}, 1, ""},
		{"no groups on the backend: nothing to compare", []int{1, 3}, 4, ""},
		{"empty tree", nil, 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkAutogroups(tc.pids, tc.backend, groupOf)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("checkAutogroups = %v, want nil", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("checkAutogroups = %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
}

// TestSameAutogroup: on this kernel, a process started in the harness's
// session passes; one in a session of its own (a daemon's setsid) is
// refused if and only if the kernel groups tasks by session, for where it
// does not, a session of its own is scheduled like any other process.
func TestSameAutogroup(t *testing.T) {
	grouped := autogroup(os.Getpid()) != ""
	t.Logf("kernel groups tasks by session: %v", grouped)
	for _, tc := range []struct {
		name   string
		setsid bool
	}{{"same session", false}, {"own session", true}} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command("sleep", "10")
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: tc.setsid}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { cmd.Process.Kill(); cmd.Wait() }()
			want := tc.setsid && grouped
			err := sameAutogroup(cmd.Process.Pid, os.Getpid())
			if (err != nil) != want {
				t.Errorf("sameAutogroup: %v; want an error: %v", err, want)
			}
		})
	}
}

func TestFloorField(t *testing.T) {
	head := []byte("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nx-jl6-cid:17\r\nX-JL6-OID:  42 \r\nX-JL6-CIDX: 1\r\n")
	for _, tc := range []struct {
		name, field string
		want        string
		found       bool
	}{
		{"exact case", "Content-Length", "100", true},
		{"other case, no space", "X-JL6-CID", "17", true},
		{"value trimmed", "X-JL6-OID", "42", true},
		{"absent", "Referer", "", false},
		{"the start line is not a field", "HTTP/1.1 200 OK", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := floorField(head, tc.field)
			if (got != nil) != tc.found || string(got) != tc.want {
				t.Errorf("floorField(%q) = %q (found %v), want %q (found %v)", tc.field, got, got != nil, tc.want, tc.found)
			}
		})
	}
}
