//go:build linux

package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// The idle-connection test: open n keep-alive connections to a freshly
// started proxy, one request on each (so that each is a real, served
// client connection), keep them all open and idle, and divide the growth
// of the proxy's resident memory by the connections it holds.

type idleResult struct {
	want, held int
	before     int64 // KiB, sum of VmRSS over the proxy's processes
	after      int64
	failure    string // the first error, if some connections failed
	took       time.Duration
}

func (r idleResult) perConn() float64 {
	if r.held == 0 {
		return 0
	}
	return float64(r.after-r.before) / float64(r.held)
}

func idleTest(in *instance, n int) idleResult {
	res := idleResult{want: n}
	// Warm up: some requests over a few connections, as the proxy would
	// have served before; then the baseline.
	warm := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}, Timeout: 10 * time.Second}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 250; i++ {
				resp, err := warm.Get("http://" + in.addr + "/b100")
				if err != nil {
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	warm.CloseIdleConnections()
	time.Sleep(time.Second)
	res.before = treeRSS(in.pid)

	start := time.Now()
	conns := make([]net.Conn, n)
	errs := make([]error, n)
	next := make(chan int)
	for g := 0; g < 64; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				conns[i], errs[i] = idleConn(in.addr)
			}
		}()
	}
	deadline := time.Now().Add(90 * time.Second)
	for i := 0; i < n && time.Now().Before(deadline); i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	res.took = time.Since(start)
	for i, c := range conns {
		if c != nil {
			res.held++
		} else if errs[i] != nil && res.failure == "" {
			res.failure = errs[i].Error()
		}
	}
	time.Sleep(time.Second)
	res.after = treeRSS(in.pid)
	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
	return res
}

// idleConn opens a connection, makes one request on it and returns it
// open, the response read to its end.
func idleConn(addr string) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := fmt.Fprintf(c, "GET /b100 HTTP/1.1\r\nHost: %s\r\nReferer: https://www.example.org/articles/41\r\nUser-Agent: sidebyside-idle/1\r\n\r\n", addr); err != nil {
		c.Close()
		return nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReaderSize(c, 512), nil)
	if err != nil {
		c.Close()
		return nil, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || resp.Close {
		c.Close()
		return nil, fmt.Errorf("status %d, close %v, %v", resp.StatusCode, resp.Close, err)
	}
	_ = c.SetDeadline(time.Time{})
	return c, nil
}
