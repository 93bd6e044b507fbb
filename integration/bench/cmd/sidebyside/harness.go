//go:build linux

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

type harness struct {
	env       *env
	loadCPU   string // wrk (and this program)
	serverCPU string // backend and proxies
	duration  time.Duration
	warmup    time.Duration
	reps      int
	idleConns int
	short     bool
	gate      *quietGate
	started   time.Time

	backend   *backendProc
	instances map[string]*instance
	peers     []*peer
	works     []workload

	failed  map[string]string // peer name -> why it is not reported
	idle    map[string]idleResult
	runs    []runResult
	rlimit  uint64
	machine machineInfo
	ctx     context.Context

	quietBudget time.Duration
	lastArgv    map[string][]string  // peer -> its command line
	lastConfig  map[string][2]string // peer -> configuration file name and text
}

type runResult struct {
	rep          int
	workload     string
	peer         string
	wrk          wrkResult
	served       int64 // requests the backend answered during the run
	logged       int64 // requests the backend answered from the warm-up on
	lines        int64 // access-log lines written for them
	proxyTicks   int64
	backendTicks int64
	otherBusy    float64 // other processes, fraction of one core, during the run
	steal        float64 // time the hypervisor ran others on our cores, in cores
	interval     time.Duration
	rss          int64 // KiB, after the run
	quiet        quietResult
}

func (r runResult) perReq(ticks int64) float64 {
	if r.served == 0 {
		return 0
	}
	return float64(ticks) * (1e6 / clockTick) / float64(r.served)
}

func runHarness(args []string) error {
	fs := flag.NewFlagSet("sidebyside", flag.ContinueOnError)
	short := fs.Bool("short", false, "quick mode for development: 1 repetition of 2 s per workload")
	reps := fs.Int("reps", 5, "measured repetitions of every workload")
	dur := fs.Duration("duration", 4*time.Second, "length of one measured run (whole seconds)")
	warm := fs.Duration("warmup", time.Second, "wrk warm-up before every measured run (whole seconds; 0: none)")
	idle := fs.Int("idle", 10000, "idle keep-alive connections for the memory test (0: skip)")
	out := fs.String("out", "", "write the report (Markdown) to this file; default: standard output")
	repo := fs.String("repo", "../..", "root of the logproxy repository, to build logproxy from")
	goTool := fs.String("go", "go", "the go command that builds logproxy")
	keep := fs.Bool("keep", false, "keep the scratch directory (configurations, logs)")
	noInstall := fs.Bool("no-install", false, "do not install missing Debian packages")
	peerList := fs.String("peers", "", "comma-separated peers to run (default: all)")
	workList := fs.String("workloads", "", "comma-separated workloads to run (default: all: ka64,ka256,close,64k,1m)")
	maxBusy := fs.Float64("quiet", 0.25, "a quiet machine: other processes use at most this fraction of one core")
	quietWait := fs.Duration("quiet-wait", 20*time.Second, "longest wait for a quiet machine before one run")
	quietBudget := fs.Duration("quiet-budget", 2*time.Minute, "longest total wait for a quiet machine")
	if err := fs.Parse(args); err != nil {
		return err
	}
	h := &harness{reps: *reps, duration: *dur, warmup: *warm, idleConns: *idle, short: *short,
		loadCPU: "0", serverCPU: "1", instances: map[string]*instance{}, failed: map[string]string{}, idle: map[string]idleResult{}}
	if *short {
		h.reps, h.duration, h.warmup = 1, 2*time.Second, time.Second
		*quietWait, *quietBudget = 5*time.Second, 30*time.Second
	}
	if h.duration < time.Second {
		return errors.New("-duration must be at least 1s")
	}
	h.quietBudget = *quietBudget
	h.lastArgv, h.lastConfig = map[string][]string{}, map[string][2]string{}
	h.gate = &quietGate{maxBusy: *maxBusy, wait: *quietWait, budget: *quietBudget, sample: 250 * time.Millisecond}
	if runtime.GOOS != "linux" {
		return errors.New("the side-by-side benchmark needs Linux (/proc, taskset)")
	}
	if runtime.NumCPU() < 2 {
		return errors.New("the side-by-side benchmark needs two cores: wrk on one, backend and proxy on the other")
	}
	for _, p := range allPeers() {
		if *peerList == "" || listHas(*peerList, p.name) {
			h.peers = append(h.peers, p)
		}
	}
	for _, w := range workloads {
		if *workList == "" || listHas(*workList, w.name) {
			h.works = append(h.works, w)
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	h.ctx = ctx
	h.started = time.Now()

	// The idle test holds 10,000 connections in this process, and the
	// proxies inherit the limit: raise the soft limit to the hard one.
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err == nil {
		rl.Cur = rl.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl)
		_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl)
		h.rlimit = rl.Cur
	}
	if h.idleConns > 0 && h.rlimit < uint64(h.idleConns)+1000 {
		return fmt.Errorf("open-file limit %d is too low for %d idle connections (raise the hard limit, or use -idle)", h.rlimit, h.idleConns)
	}

	if !*noInstall {
		if err := installPackages(debPackages); err != nil {
			return err
		}
	}
	for _, tool := range []string{"taskset", "wrk", *goTool} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s not found: %v", tool, err)
		}
	}
	// This program (the harness and the idle-connection client) runs on
	// the load core with wrk, off the server core.
	_ = exec.Command("taskset", "-a", "-p", "-c", h.loadCPU, fmt.Sprint(os.Getpid())).Run()

	dir, err := os.MkdirTemp("", "sidebyside-")
	if err != nil {
		return err
	}
	_ = os.Chmod(dir, 0o755)
	if *keep {
		fmt.Fprintln(os.Stderr, "scratch directory:", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	h.env = &env{dir: dir, selfBin: self, logproxyBin: filepath.Join(dir, "logproxy")}
	for _, d := range []string{"run", "caddy-home"} {
		if err := os.MkdirAll(h.env.path(d), 0o755); err != nil {
			return err
		}
	}
	if err := writeWrkScript(h.env); err != nil {
		return err
	}
	h.logf("building logproxy from %s", *repo)
	build := exec.Command(*goTool, "build", "-o", h.env.logproxyBin, "./cmd/logproxy")
	build.Dir = *repo
	if outb, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build logproxy: %v\n%s", err, outb)
	}
	h.machine = gatherMachine(*goTool, h.env.logproxyBin, *repo)

	h.backend, err = h.startBackend()
	if err != nil {
		return err
	}
	defer h.backend.stop()
	h.env.backend = h.backend.addr
	defer h.stopAll()

	if h.idleConns > 0 {
		h.idlePhase()
	}
	if err := h.loadPhase(); err != nil {
		return err
	}
	h.stopAll()

	report := h.report()
	if *out == "" {
		fmt.Print(report)
		return nil
	}
	if err := os.WriteFile(*out, []byte(report), 0o644); err != nil {
		return err
	}
	h.logf("wrote %s (%v in all)", *out, time.Since(h.started).Round(time.Second))
	return nil
}

func listHas(list, name string) bool {
	for _, s := range strings.Split(list, ",") {
		if strings.TrimSpace(s) == name {
			return true
		}
	}
	return false
}

func (h *harness) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%6.1fs] %s\n", time.Since(h.started).Seconds(), fmt.Sprintf(format, args...))
}

func (h *harness) interrupted() error {
	if h.ctx.Err() != nil {
		return errors.New("interrupted")
	}
	return nil
}

func (h *harness) stopAll() {
	for name, in := range h.instances {
		in.stop()
		delete(h.instances, name)
	}
}

// idlePhase measures memory per idle connection, each proxy freshly
// started and alone.
func (h *harness) idlePhase() {
	for _, p := range h.peers {
		if !p.idle || h.interrupted() != nil {
			continue
		}
		in, err := h.startPeer(p, "idle")
		if err != nil {
			h.failed[p.name] = err.Error()
			h.logf("%s: %v", p.name, err)
			continue
		}
		if err := checkPeer(in, h.backend.admin); err != nil {
			h.failed[p.name] = "check failed: " + err.Error()
			h.logf("%s: check failed: %v", p.name, err)
			in.stop()
			continue
		}
		res := idleTest(in, h.idleConns)
		in.stop()
		h.idle[p.name] = res
		h.logf("idle %-14s held %d/%d, RSS %d -> %d KiB: %.1f KiB per connection (%v)%s", p.name, res.held, res.want,
			res.before, res.after, res.perConn(), res.took.Round(time.Millisecond), ifErr(res.failure))
		time.Sleep(500 * time.Millisecond)
	}
}

func ifErr(s string) string {
	if s == "" {
		return ""
	}
	return "; first failure: " + s
}

// loadPhase starts every peer, checks it, and runs the workloads: every
// repetition runs every workload against every peer, the peers' order
// turning from one repetition to the next.
func (h *harness) loadPhase() error {
	var active []*peer
	for _, p := range h.peers {
		if _, bad := h.failed[p.name]; bad {
			continue
		}
		if !p.proxy {
			active = append(active, p)
			continue
		}
		in, err := h.startPeer(p, "load")
		if err != nil {
			h.failed[p.name] = err.Error()
			h.logf("%s: %v", p.name, err)
			continue
		}
		if err := checkPeer(in, h.backend.admin); err != nil {
			h.failed[p.name] = "check failed: " + err.Error()
			h.logf("%s: check failed, not measured: %v", p.name, err)
			in.stop()
			continue
		}
		if err := sameAutogroup(in.pid, h.backend.pid); err != nil {
			h.failed[p.name] = "not measured: " + err.Error()
			h.logf("%s: not measured: %v", p.name, err)
			in.stop()
			continue
		}
		h.instances[p.name] = in
		active = append(active, p)
	}
	total := 0
	for _, w := range h.works {
		for _, p := range active {
			if p.runs(w.name) {
				total++
			}
		}
	}
	total *= h.reps
	h.logf("%d peers pass the check; %d runs of %v (+%v warm-up) to go", len(active), total, h.duration, h.warmup)
	n := 0
	for rep := 0; rep < h.reps; rep++ {
		for _, w := range h.works {
			for i := range active {
				p := active[(i+rep)%len(active)]
				if !p.runs(w.name) {
					continue
				}
				if _, gone := h.failed[p.name]; gone {
					continue
				}
				if err := h.interrupted(); err != nil {
					return err
				}
				n++
				r, err := h.measure(rep, w, p, total-n+1)
				if err != nil {
					return err
				}
				h.runs = append(h.runs, r)
				h.logf("%3d/%d rep %d %-6s %-15s %9.0f req/s  proxy %6.1f µs/req  backend %5.1f µs/req  p99 %7.0f µs  lines %d/%d  others %.2f core  steal %.2f core%s%s",
					n, total, rep+1, w.name, p.name, r.wrk.rate(), r.perReq(r.proxyTicks), r.perReq(r.backendTicks), r.wrk.p99,
					r.lines, r.logged, r.otherBusy, r.steal, waitNote(r.quiet), errNote(r.wrk))
				if in := h.instances[p.name]; in != nil && in.exited() {
					// A proxy that died under load is not reported at all.
					h.failed[p.name] = fmt.Sprintf("exited during the runs (%v)\n%s", in.exitErr, tail(in.errPath, 1000))
					h.logf("%s: %s", p.name, h.failed[p.name])
					h.dropRuns(p.name)
				}
			}
		}
	}
	return nil
}

func waitNote(q quietResult) string {
	switch {
	case q.timeout:
		return fmt.Sprintf(" (not quiet after %v: %.2f core)", q.waited.Round(time.Second), q.busy)
	case q.waited > time.Second:
		return fmt.Sprintf(" (waited %v)", q.waited.Round(time.Second))
	}
	return ""
}

func errNote(w wrkResult) string {
	if w.errors == 0 {
		return ""
	}
	return " ERRORS: " + w.errText
}

// dropRuns forgets the runs of a peer.
func (h *harness) dropRuns(name string) {
	kept := h.runs[:0]
	for _, r := range h.runs {
		if r.peer != name {
			kept = append(kept, r)
		}
	}
	h.runs = kept
}

// oursTicks is the CPU time of every process of the benchmark: the
// backend, the proxies and this program.
func (h *harness) oursTicks(procs map[int]procStat) int64 {
	sum := treeTicks(h.backend.pid, procs)
	for _, in := range h.instances {
		sum += treeTicks(in.pid, procs)
	}
	if st, ok := procs[os.Getpid()]; ok {
		sum += st.utime + st.stime
	}
	return sum
}

func (h *harness) measure(rep int, w workload, p *peer, runsLeft int) (runResult, error) {
	r := runResult{rep: rep, workload: w.name, peer: p.name}
	addr, in := h.backend.addr, (*instance)(nil)
	if p.proxy {
		in = h.instances[p.name]
		addr = in.addr
	}
	r.quiet = h.gate.await(runsLeft, func() int64 { return h.oursTicks(allProcs()) })
	// Log lines are counted from before the warm-up, so that a line the
	// proxy writes late for a warm-up request (one wrk dropped as it
	// stopped) falls in the same count as its request.
	if in != nil {
		in.newLogLines()
	}
	servedWarm, err := h.backend.served()
	if err != nil {
		return r, err
	}
	if h.warmup > 0 {
		if _, err := h.runWrk(w, addr, h.warmup); err != nil {
			return r, err
		}
		time.Sleep(200 * time.Millisecond)
	}
	served0, err := h.backend.served()
	if err != nil {
		return r, err
	}
	procs0, cpu0, t0 := allProcs(), cpuNow(), time.Now()
	res, err := h.runWrk(w, addr, h.duration)
	if err != nil {
		return r, err
	}
	procs1, cpu1 := allProcs(), cpuNow()
	r.interval = time.Since(t0)
	r.wrk = res
	served1, err := h.backend.served()
	if err != nil {
		return r, err
	}
	r.served = served1 - served0 // the counter's own requests go to another handler
	r.logged = served1 - servedWarm
	r.backendTicks = treeTicks(h.backend.pid, procs1) - treeTicks(h.backend.pid, procs0)
	ours := h.oursTicks(procs1) - h.oursTicks(procs0) + res.cpuTicks
	if in != nil {
		r.proxyTicks = treeTicks(in.pid, procs1) - treeTicks(in.pid, procs0)
		if p.log != logNone {
			deadline := time.Now().Add(3 * time.Second)
			for {
				r.lines += in.newLogLines()
				if r.lines >= r.logged || time.Now().After(deadline) {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
		r.rss = treeRSS(in.pid)
	}
	r.otherBusy = float64(cpu1.sub(cpu0).task()-ours) / (r.interval.Seconds() * clockTick)
	if r.otherBusy < 0 {
		r.otherBusy = 0
	}
	r.steal = float64(cpu1.sub(cpu0).steal) / (r.interval.Seconds() * clockTick)
	return r, nil
}

func cpuNow() cpuTimes {
	all, _ := readCPU()
	return all
}
