//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"time"
)

// The check before timing: a proxy is measured only if it does the job.
// One request per body size goes through it; the client must get the
// status and the whole body and no X-JL6 header, and the access log must
// get the request's line with the backend's two values.

const (
	checkReferer = "http://bench.test/check"
	checkUA      = "sidebyside-check/1"
)

var checkSeq atomic.Int64

func init() { checkSeq.Store(time.Now().Unix() % 100000 * 100) }

// checkPeer returns nil if in does the job, or what is wrong.
func checkPeer(in *instance, backendAdmin string) error {
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for _, path := range []string{"/b100", "/b64k", "/b1m"} {
		n := checkSeq.Add(1)
		target := fmt.Sprintf("http://%s%s?check=%d", in.addr, path, n)
		req, _ := http.NewRequest("GET", target, nil)
		req.Header.Set("Referer", checkReferer)
		req.Header.Set("User-Agent", checkUA)
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("GET %s: %v", path, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("GET %s: body: %v", path, err)
		}
		if resp.StatusCode != 200 || len(body) != bodySizes[path] {
			return fmt.Errorf("GET %s: status %d and %d body bytes, want 200 and %d", path, resp.StatusCode, len(body), bodySizes[path])
		}
		if in.peer.proxy {
			for name := range resp.Header {
				if strings.HasPrefix(strings.ToLower(name), "x-jl6-") {
					return fmt.Errorf("GET %s: the client got %s: %s", path, name, resp.Header.Get(name))
				}
			}
			if err := checkForwarded(backendAdmin, n, in.addr); err != nil {
				return fmt.Errorf("GET %s: %v", path, err)
			}
		}
		if in.peer.log == logNone {
			continue
		}
		line, err := findLogLine(in.logPath, fmt.Sprintf("check=%d", n), 5*time.Second)
		if err != nil {
			return fmt.Errorf("GET %s: %v", path, err)
		}
		if err := checkLine(in.peer.log, line, path, n); err != nil {
			return fmt.Errorf("GET %s: access-log line %q: %v", path, line, err)
		}
	}
	return nil
}

// findLogLine waits for the line holding marker.
func findLogLine(path, marker string, limit time.Duration) (string, error) {
	deadline := time.Now().Add(limit)
	for {
		for _, line := range strings.Split(tail(path, 64<<10), "\n") {
			if strings.Contains(line, marker+" ") || strings.Contains(line, marker+`"`) {
				return line, nil
			}
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no access-log line for %s in %s after %v", marker, path, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// apacheLine is the line every peer but Caddy must write.
var apacheLine = regexp.MustCompile(`^127\.0\.0\.1 - - \[\d\d/[A-Z][a-z][a-z]/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "GET (\S+) HTTP/1\.1" (\d+) (\d+) "([^"]*)" "([^"]*)" (\S+) (\S+)$`)

func checkLine(kind logKind, line, path string, n int64) error {
	want := []string{fmt.Sprintf("%s?check=%d", path, n), "200", fmt.Sprint(bodySizes[path]), checkReferer, checkUA, valueCID, fmt.Sprint(n)}
	var got []string
	switch kind {
	case logApache:
		m := apacheLine.FindStringSubmatch(line)
		if m == nil {
			return fmt.Errorf("not %s CID OID", strings.ReplaceAll(combined, `\"`, `"`))
		}
		got = m[1:]
	case logCaddy:
		var e struct {
			TS      float64 `json:"ts"`
			Request struct {
				RemoteIP string              `json:"remote_ip"`
				Proto    string              `json:"proto"`
				Method   string              `json:"method"`
				URI      string              `json:"uri"`
				Headers  map[string][]string `json:"headers"`
			} `json:"request"`
			UserID string `json:"user_id"`
			Size   int    `json:"size"`
			Status int    `json:"status"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			return err
		}
		if e.Request.RemoteIP != "127.0.0.1" || e.Request.Method != "GET" || e.Request.Proto != "HTTP/1.1" || e.TS == 0 {
			return fmt.Errorf("client, method, protocol or time missing")
		}
		first := func(name string) string {
			if v := e.Request.Headers[name]; len(v) > 0 {
				return v[0]
			}
			return ""
		}
		ids := strings.Fields(e.UserID)
		if len(ids) != 2 {
			return fmt.Errorf("user_id %q is not the two values", e.UserID)
		}
		got = []string{e.Request.URI, fmt.Sprint(e.Status), fmt.Sprint(e.Size), first("Referer"), first("User-Agent"), ids[0], ids[1]}
	}
	for i := range want {
		if got[i] != want[i] {
			return fmt.Errorf("field %d is %q, want %q", i+1, got[i], want[i])
		}
	}
	return nil
}

// checkForwarded checks that the backend got the check request n with the
// X-Forwarded-* fields httpd's mod_proxy adds by default (ProxyAddHeaders
// On), part of the job every proxy does: the client's address, the Host
// it asked for (host, the proxy's address) and the proxy's name.
func checkForwarded(admin string, n int64, host string) error {
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(fmt.Sprintf("http://%s/forwarded?check=%d", admin, n))
	if err != nil {
		return fmt.Errorf("asking the backend what it got: %v", err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("asking the backend what it got: %v", err)
	}
	f := strings.Split(string(b), "|")
	if len(f) != 3 || f[0] != "127.0.0.1" || f[1] != host || f[2] == "" {
		return fmt.Errorf("the backend got X-Forwarded-For|Host|Server %q, want \"127.0.0.1|%s|<the proxy's name>\"", b, host)
	}
	return nil
}
