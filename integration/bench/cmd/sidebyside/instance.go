//go:build linux

package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// An instance is one running process (tree) of a peer or the backend,
// pinned to the server core.
type instance struct {
	peer    *peer
	port    int
	addr    string // host:port it serves on
	cmd     *exec.Cmd
	pid     int
	logPath string
	logOff  int64 // bytes of the access log already counted
	argv    []string
	cfgName string
	cfgText string
	errPath string
	done    chan struct{} // closed when the process has exited
	exitErr error
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// pinned returns the command line that runs argv on the given CPUs.
func pinned(cpus string, argv []string) []string {
	return append([]string{"taskset", "-c", cpus}, argv...)
}

func (h *harness) startPeer(p *peer, tag string) (*instance, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	argv, environ, cfgName, cfgText, logPath := p.configure(h.env, port)
	if cfgName != "" {
		if err := os.WriteFile(h.env.path(cfgName), []byte(cfgText), 0o644); err != nil {
			return nil, err
		}
	}
	in := &instance{peer: p, port: port, addr: fmt.Sprintf("127.0.0.1:%d", port), logPath: logPath,
		argv: argv, cfgName: cfgName, cfgText: cfgText, done: make(chan struct{})}
	if logPath != "" {
		if st, err := os.Stat(logPath); err == nil {
			in.logOff = st.Size()
		}
	}
	h.lastArgv[p.name] = argv
	if cfgName != "" {
		h.lastConfig[p.name] = [2]string{cfgName, cfgText}
	}
	in.errPath = h.env.path(fmt.Sprintf("%s-%s.out", p.name, tag))
	errFile, err := os.Create(in.errPath)
	if err != nil {
		return nil, err
	}
	defer errFile.Close()
	var stdout io.Writer = errFile
	if p.name == "haproxy" {
		// HAProxy makes its standard output non-blocking with
		// fcntl(F_SETFL), which clears O_APPEND: it then writes at the
		// descriptor's offset, so that offset must be the end.
		f, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if _, err := f.Seek(0, io.SeekEnd); err != nil {
			return nil, err
		}
		stdout = f
	}
	full := pinned(h.serverCPU, argv)
	cmd := exec.Command(full[0], full[1:]...)
	cmd.Dir = h.env.dir
	cmd.Env = append(os.Environ(), environ...)
	cmd.Stdout, cmd.Stderr = stdout, errFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	in.cmd, in.pid = cmd, cmd.Process.Pid
	go func() { in.exitErr = cmd.Wait(); close(in.done) }()
	if err := in.waitListening(15 * time.Second); err != nil {
		in.stop()
		return nil, fmt.Errorf("%s did not start: %v\n%s", p.name, err, tail(in.errPath, 2000))
	}
	return in, nil
}

func (in *instance) waitListening(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		select {
		case <-in.done:
			return fmt.Errorf("exited: %v", in.exitErr)
		default:
		}
		c, err := net.DialTimeout("tcp", in.addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the process and every process it started: SIGTERM to the
// root, then SIGKILL to what is left of the tree after 10 s.
func (in *instance) stop() {
	if in == nil || in.cmd == nil || in.exited() {
		return
	}
	pids := treePIDs(in.pid)
	_ = syscall.Kill(in.pid, syscall.SIGTERM)
	select {
	case <-in.done:
	case <-time.After(10 * time.Second):
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		<-in.done
	}
	// Children the root left behind (an Apache child) go too.
	time.Sleep(100 * time.Millisecond)
	for i, pid := range pids {
		if i == 0 {
			continue
		}
		if _, err := readProcStat(pid); err == nil {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// exited reports whether the process has ended.
func (in *instance) exited() bool {
	select {
	case <-in.done:
		return true
	default:
		return false
	}
}

// newLogLines counts the access-log lines written since the last call.
func (in *instance) newLogLines() int64 {
	if in.logPath == "" {
		return 0
	}
	n, size := fileLines(in.logPath, in.logOff)
	in.logOff = size
	return n
}

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// backendProc is the backend process and its request counter.
type backendProc struct {
	instance
	admin string
}

func (h *harness) startBackend() (*backendProc, error) {
	argv := []string{h.env.selfBin, "backend", "-addr", "127.0.0.1:0", "-admin", "127.0.0.1:0"}
	h.lastArgv["direct"] = argv
	full := pinned(h.serverCPU, argv)
	cmd := exec.Command(full[0], full[1:]...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	errPath := h.env.path("backend.out")
	errFile, err := os.Create(errPath)
	if err != nil {
		return nil, err
	}
	defer errFile.Close()
	cmd.Stderr = errFile
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	b := &backendProc{instance: instance{cmd: cmd, pid: cmd.Process.Pid, errPath: errPath, done: make(chan struct{})}}
	line, err := bufio.NewReader(out).ReadString('\n')
	go func() { _, _ = io.Copy(io.Discard, out); b.exitErr = cmd.Wait(); close(b.done) }()
	f := strings.Fields(line)
	if err != nil || len(f) != 2 {
		b.stop()
		return nil, fmt.Errorf("backend did not start: %v %q\n%s", err, line, tail(errPath, 2000))
	}
	b.addr, b.admin = f[0], f[1]
	return b, nil
}

// served is the number of requests the backend has answered.
func (b *backendProc) served() (int64, error) {
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get("http://" + b.admin + "/")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(body)), 10, 64)
	if err != nil {
		return 0, errors.New("backend counter: " + string(body))
	}
	return n, nil
}
