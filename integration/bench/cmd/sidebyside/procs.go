//go:build linux

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Reading /proc: the CPU time and memory of a process tree, and the
// machine's CPU counters.

// clockTick is USER_HZ, the unit of the times in /proc/PID/stat and
// /proc/stat. It is 100 on every Linux architecture Go runs on.
const clockTick = 100

// procStat is what the harness needs from /proc/PID/stat.
type procStat struct {
	pid, ppid      int
	utime, stime   int64 // this process (all its threads, live or ended)
	cutime, cstime int64 // its children that it has waited for
	comm           string
}

func readProcStat(pid int) (procStat, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}, err
	}
	// comm is in parentheses and may hold spaces: split after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	j := bytes.IndexByte(b, '(')
	if i < 0 || j < 0 {
		return procStat{}, fmt.Errorf("/proc/%d/stat: unexpected %q", pid, b)
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state): field n is f[n-3].
	if len(f) < 15 {
		return procStat{}, fmt.Errorf("/proc/%d/stat: short", pid)
	}
	num := func(n int) int64 { v, _ := strconv.ParseInt(f[n-3], 10, 64); return v }
	return procStat{
		pid: pid, ppid: int(num(4)), comm: string(b[j+1 : i]),
		utime: num(14), stime: num(15), cutime: num(16), cstime: num(17),
	}, nil
}

// allProcs reads every process's stat.
func allProcs() map[int]procStat {
	out := map[int]procStat{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, err := readProcStat(pid); err == nil {
			out[pid] = st
		}
	}
	return out
}

// tree returns root and all its descendants.
func tree(root int, procs map[int]procStat) []procStat {
	children := map[int][]int{}
	for pid, st := range procs {
		children[st.ppid] = append(children[st.ppid], pid)
	}
	var out []procStat
	var walk func(int)
	walk = func(pid int) {
		st, ok := procs[pid]
		if !ok {
			return
		}
		out = append(out, st)
		for _, c := range children[pid] {
			walk(c)
		}
	}
	walk(root)
	return out
}

// treeTicks is the CPU time (user+system, in clock ticks) a process tree
// has used: every live process of it, plus the children the root has
// reaped (an Apache child that exited).
func treeTicks(root int, procs map[int]procStat) int64 {
	var sum int64
	for i, st := range tree(root, procs) {
		sum += st.utime + st.stime
		if i == 0 {
			sum += st.cutime + st.cstime
		}
	}
	return sum
}

// treePIDs lists the process IDs of root's tree.
func treePIDs(root int) []int {
	var out []int
	for _, st := range tree(root, allProcs()) {
		out = append(out, st.pid)
	}
	return out
}

// statusKB reads a "Name:   123 kB" line of /proc/PID/status.
func statusKB(pid int, name string) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, name+":") {
			v := strings.Fields(line[len(name)+1:])
			if len(v) > 0 {
				n, _ := strconv.ParseInt(v[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

// treeRSS is the sum of VmRSS over a process tree, in KiB. Pages shared
// between processes of the tree (Apache's and nginx's workers share the
// master's code and configuration) are counted once per process.
func treeRSS(root int) int64 {
	var sum int64
	for _, pid := range treePIDs(root) {
		sum += statusKB(pid, "VmRSS")
	}
	return sum
}

// cpuTimes is one line of /proc/stat, in clock ticks.
type cpuTimes struct {
	user, nice, system, idle, iowait, irq, softirq, steal int64
}

// task is what processes ran (user+nice+system): the part of the busy time
// (irq and softirq aside) that /proc/PID/stat accounts to processes.
func (c cpuTimes) task() int64 { return c.user + c.nice + c.system }

func (c cpuTimes) sub(o cpuTimes) cpuTimes {
	return cpuTimes{c.user - o.user, c.nice - o.nice, c.system - o.system, c.idle - o.idle,
		c.iowait - o.iowait, c.irq - o.irq, c.softirq - o.softirq, c.steal - o.steal}
}

// readCPU returns the "cpu" (all cores) line and the per-core lines.
func readCPU() (all cpuTimes, cores []cpuTimes) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "cpu") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 9 {
			continue
		}
		n := func(i int) int64 { v, _ := strconv.ParseInt(f[i], 10, 64); return v }
		c := cpuTimes{n(1), n(2), n(3), n(4), n(5), n(6), n(7), n(8)}
		if f[0] == "cpu" {
			all = c
		} else {
			cores = append(cores, c)
		}
	}
	return
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// quietGate waits for a quiet machine before a run: it samples /proc/stat
// until the processes outside the benchmark use less than maxBusy of a core,
// for at most wait (and at most what is left of budget, the total waiting
// the whole benchmark may do). It returns what it last saw.
type quietGate struct {
	maxBusy float64       // fraction of one core
	wait    time.Duration // per run
	budget  time.Duration // left for the whole benchmark
	sample  time.Duration
}

type quietResult struct {
	waited  time.Duration
	busy    float64 // fraction of one core used by others in the last sample
	load    string  // /proc/loadavg
	timeout bool    // gave up waiting
}

// await waits before one of runsLeft runs; it spends at most twice its
// share of what is left of the budget, so that the budget lasts the whole
// benchmark.
func (g *quietGate) await(runsLeft int, ours func() int64) quietResult {
	start := time.Now()
	limit := g.wait
	if runsLeft < 1 {
		runsLeft = 1
	}
	if share := 2 * g.budget / time.Duration(runsLeft); limit > share {
		limit = share
	}
	var res quietResult
	for {
		a, _ := readCPU()
		o1 := ours()
		time.Sleep(g.sample)
		b, _ := readCPU()
		o2 := ours()
		others := float64(b.sub(a).task()-(o2-o1)) / (g.sample.Seconds() * clockTick)
		if others < 0 {
			others = 0
		}
		res.busy = others
		res.load = loadavg()
		if others <= g.maxBusy {
			break
		}
		if time.Since(start) >= limit {
			res.timeout = true
			break
		}
	}
	res.waited = time.Since(start)
	if w := res.waited - g.sample; w > 0 {
		g.budget -= w
		if g.budget < 0 {
			g.budget = 0
		}
	}
	return res
}

// fileLines counts the newlines in a file from offset on, and returns the
// new size.
func fileLines(path string, offset int64) (lines, size int64) {
	f, err := os.Open(path)
	if err != nil {
		return 0, offset
	}
	defer f.Close()
	if _, err := f.Seek(offset, 0); err != nil {
		return 0, offset
	}
	buf := make([]byte, 1<<20)
	size = offset
	for {
		n, err := f.Read(buf)
		lines += int64(bytes.Count(buf[:n], []byte{'\n'}))
		size += int64(n)
		if err != nil {
			break
		}
	}
	return lines, size
}

// autogroup is the scheduler autogroup of pid as /proc/PID/autogroup
// names it ("/autogroup-N"), or "" where the kernel does not group
// tasks by session: built without CONFIG_SCHED_AUTOGROUP, or with it
// turned off in /proc/sys/kernel/sched_autogroup_enabled.
func autogroup(pid int) string {
	if on, err := os.ReadFile("/proc/sys/kernel/sched_autogroup_enabled"); err != nil || strings.TrimSpace(string(on)) != "1" {
		return ""
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/autogroup", pid))
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// sameAutogroup checks that every process of root's tree is in the
// backend's scheduler autogroup: a proxy that starts a session of its
// own (setsid, as daemons do) would share the backend's core on other
// terms than its peers, which here moved CPU per request by 25% or more.
func sameAutogroup(root, backend int) error {
	return checkAutogroups(treePIDs(root), backend, autogroup)
}

// checkAutogroups is sameAutogroup's rule over pids, with groupOf
// naming a process's autogroup ("" for none): a process in a group other
// than the backend's is refused; where the backend has none, the kernel
// does not group by session and every process passes.
func checkAutogroups(pids []int, backend int, groupOf func(pid int) string) error {
	want := groupOf(backend)
	if want == "" {
		return nil
	}
	for _, pid := range pids {
		if g := groupOf(pid); g != "" && g != want {
			return fmt.Errorf("process %d is in scheduler autogroup %s, the backend in %s (a session of its own: it must run in the foreground, in the harness's session)", pid, g, want)
		}
	}
	return nil
}
