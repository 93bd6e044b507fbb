package proxy

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// idleConnBudget is the most memory (Go heap and stacks) an idle
// keep-alive connection may hold, in bytes.
const idleConnBudget = 4 << 10

// TestIdleConnMemory opens many keep-alive connections to an engine, each
// after one request, and measures what the engine's process holds for
// them while they are idle (runtime.MemStats HeapInuse+StackInuse before
// and after). The clients live in a child process, so that only the
// server's side is counted. LOGPROXY_IDLE_CONNS sets how many (default
// 2000). Then every connection carries a second request, to check that
// idle connections wake up.
func TestIdleConnMemory(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes memory use")
	}
	if testing.Short() {
		t.Skip("short")
	}
	n := 2000
	if s := os.Getenv("LOGPROXY_IDLE_CONNS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		n = v
	}
	raiseFileLimit(t, n+200)

	bb := startBenchBackend(t)
	_, addr := startBenchEngine(t, benchSite(t, bb.addr(), t.TempDir()))
	bc := dialBench(t, addr)
	for range 100 {
		if err := bc.do(); err != nil {
			t.Fatal(err)
		}
	}
	before := heapAndStacks()

	cmd := exec.Command(os.Args[0], "-test.run=^TestIdleConnHelperProcess$")
	cmd.Env = append(os.Environ(), "LOGPROXY_IDLE_CLIENT="+addr, "LOGPROXY_IDLE_CONNS="+strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	out := bufio.NewReader(stdout)
	expect := func(want string) {
		t.Helper()
		line, err := out.ReadString('\n')
		if err != nil || line != want+"\n" {
			t.Fatalf("client process: %q, %v", line, err)
		}
	}
	expect("ready")
	// Let the engine settle the idle connections (on a loaded machine
	// some may take longer than idleGrace to be parked).
	var after memUse
	for try := 0; try < 5; try++ {
		time.Sleep(300 * time.Millisecond)
		after = heapAndStacks()
		if after.total()-before.total() <= int64(n)*idleConnBudget {
			break
		}
	}
	if f := os.Getenv("LOGPROXY_IDLE_HEAPPROFILE"); f != "" {
		if w, err := os.Create(f); err == nil {
			pprof.Lookup("heap").WriteTo(w, 0)
			w.Close()
		}
	}
	per := float64(after.total()-before.total()) / float64(n)
	t.Logf("%d idle connections: %.2f KiB each (heap %.2f KiB, stacks %.2f KiB)", n, per/1024,
		float64(after.heap-before.heap)/float64(n)/1024, float64(after.stack-before.stack)/float64(n)/1024)
	if per > idleConnBudget {
		t.Errorf("%.2f KiB per idle connection, over the budget of %.2f KiB", per/1024, float64(idleConnBudget)/1024)
	}
	io.WriteString(stdin, "again\n")
	expect("ok")
}

type memUse struct{ heap, stack uint64 }

func (m memUse) total() int64 { return int64(m.heap + m.stack) }

func heapAndStacks() memUse {
	var ms runtime.MemStats
	for range 3 {
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return memUse{heap: ms.HeapInuse, stack: ms.StackInuse}
}

// raiseFileLimit raises the soft limit of open files to the hard one (as
// root, the hard one too if need be), and fails the test when that leaves
// fewer than need.
func raiseFileLimit(t *testing.T, need int) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	lim.Max = atLeast(lim.Max, need)
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			t.Fatalf("raising the open-file limit to %d: %v", lim.Cur, err)
		}
	}
}

// atLeast returns v, or n if v is less: rlimit fields are uint64 on
// Linux and int64 on some other systems.
func atLeast[T int64 | uint64](v T, n int) T {
	if v < T(n) {
		return T(n)
	}
	return v
}

// TestIdleConnHelperProcess is the client side of TestIdleConnMemory: it
// opens the connections, makes one request on each, says "ready" and,
// once told "again", makes one more on each and says "ok".
func TestIdleConnHelperProcess(t *testing.T) {
	addr := os.Getenv("LOGPROXY_IDLE_CLIENT")
	if addr == "" {
		return // runs only as the client process of TestIdleConnMemory
	}
	n, _ := strconv.Atoi(os.Getenv("LOGPROXY_IDLE_CONNS"))
	raiseFileLimit(t, n+50)
	clients := make([]*benchClient, n)
	roundTrip := func(first bool) error {
		var wg sync.WaitGroup
		errc := make(chan error, 1)
		const workers = 32
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < n; i += workers {
					if first {
						clients[i] = dialBench(t, addr)
					}
					if err := clients[i].do(); err != nil {
						select {
						case errc <- fmt.Errorf("connection %d: %w", i, err):
						default:
						}
						return
					}
				}
			}()
		}
		wg.Wait()
		select {
		case err := <-errc:
			return err
		default:
			return nil
		}
	}
	if err := roundTrip(true); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	fmt.Println("ready")
	in := bufio.NewReader(os.Stdin)
	if line, err := in.ReadString('\n'); err != nil || line != "again\n" {
		os.Exit(0)
	}
	if err := roundTrip(false); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	fmt.Println("ok")
	io.Copy(io.Discard, in)
	os.Exit(0)
}
