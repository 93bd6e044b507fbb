package integration

// TestRotateMultiProcess runs eight processes at full speed on one log,
// rotated by size (256 KiB) and by time (every second), killing one of
// them with SIGKILL and starting it again every few hundred milliseconds,
// and then reads every file back (.gz included) and checks every line: no
// line lost, duplicated, torn, out of order or in the file of another
// period, no file over the limit by more than one line. It does so for
// eight `logproxy rotatelogs` fed through pipes (rotatelogs' naming) and
// for eight processes with a rotate.Writer each (lumberjack's naming),
// each with and without compression.
//
// TestRotateLumberjackAlone runs the same with lumberjack alone (its size
// limit at its least, 1 MiB, and time rotation by calling Rotate at each
// boundary) and reports what it loses; it fails only if the run itself
// does not work.
//
// The writers and the verifier are integration/rotateworker, built without
// the race detector. -short shortens each run.

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	rotateWriters  = 8
	rotateMaxSize  = 256 << 10
	rotateInterval = time.Second
)

// rotateBins are the binaries the rotation tests run.
type rotateBins struct{ logproxy, worker string }

// buildRotateBins builds logproxy and rotateworker, without -race, into
// dir.
func buildRotateBins(tb testing.TB, dir string) rotateBins {
	tb.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil && os.Getenv("GOROOT") != "" {
		goTool, err = filepath.Join(os.Getenv("GOROOT"), "bin", "go"), nil
	}
	if err != nil {
		tb.Fatalf("go tool not found to build the rotation workers: %v", err)
	}
	cmd := exec.Command(goTool, "build", "-o", dir+"/", "./cmd/logproxy", "./integration/rotateworker")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return rotateBins{logproxy: filepath.Join(dir, "logproxy"), worker: filepath.Join(dir, "rotateworker")}
}

// rotateScenario is one run.
type rotateScenario struct {
	impl     string // "rotatelogs" (logproxy rotatelogs fed by pipes), "rotate" or "lumberjack" (in the worker)
	compress bool
	maxSize  int64
}

// rotateReport is rotateworker verify's answer.
type rotateReport struct {
	Files        int      `json:"files"`
	Bytes        int64    `json:"bytes"`
	Lines        int64    `json:"lines"`
	Writers      int      `json:"incarnations"`
	Killed       int      `json:"killed"`
	Torn         int64    `json:"torn"`
	Duplicated   int64    `json:"duplicated"`
	Lost         int64    `json:"lost"`
	Misplaced    int64    `json:"misplaced"`
	Disordered   int64    `json:"disordered"`
	Oversize     int      `json:"oversize"`
	MaxRatio     float64  `json:"max_ratio"`
	Inconsistent int      `json:"inconsistent"`
	Cut          int64    `json:"cut"`
	Problems     []string `json:"Problems"`
}

func (r *rotateReport) String() string {
	return fmt.Sprintf("%d lines (%d MB) in %d files from %d writer starts (%d killed): "+
		"lost %d, duplicated %d, torn %d, misplaced %d, out of order %d, files over the limit %d (largest %.2fx), inconsistent %d; "+
		"lines cut at a page boundary by SIGKILL %d",
		r.Lines, r.Bytes>>20, r.Files, r.Writers, r.Killed, r.Lost, r.Duplicated, r.Torn, r.Misplaced, r.Disordered,
		r.Oversize, r.MaxRatio, r.Inconsistent, r.Cut)
}

func rotateRunTime() time.Duration {
	if testing.Short() {
		return 800 * time.Millisecond
	}
	return 2500 * time.Millisecond
}

func TestRotateMultiProcess(t *testing.T) {
	bins := buildRotateBins(t, t.TempDir())
	for _, sc := range []rotateScenario{
		{impl: "rotatelogs"},
		{impl: "rotatelogs", compress: true},
		{impl: "rotate"},
		{impl: "rotate", compress: true},
	} {
		name := sc.impl
		if sc.compress {
			name += " gzip"
		}
		t.Run(name, func(t *testing.T) {
			sc.maxSize = rotateMaxSize
			rep := runRotateScenario(t, bins, sc, rotateRunTime())
			t.Log(rep)
			if rep.Lost+rep.Duplicated+rep.Torn+rep.Misplaced+rep.Disordered > 0 || rep.Oversize+rep.Inconsistent > 0 {
				t.Errorf("%s\n%s", rep, strings.Join(rep.Problems, "\n"))
			}
			if rep.Killed == 0 || rep.Files < 3 || rep.Lines < 10000 {
				t.Errorf("the run did not test much: %s", rep)
			}
		})
	}
}

func TestRotateLumberjackAlone(t *testing.T) {
	bins := buildRotateBins(t, t.TempDir())
	for _, compress := range []bool{false, true} {
		name := "lumberjack"
		if compress {
			name += " gzip"
		}
		t.Run(name, func(t *testing.T) {
			rep := runRotateScenario(t, bins, rotateScenario{impl: "lumberjack", compress: compress, maxSize: 1 << 20}, rotateRunTime())
			total := rep.Lines - rep.Duplicated - rep.Torn + rep.Lost
			t.Logf("lumberjack alone: lost %d of %d lines (%.1f%%); %s", rep.Lost, total, 100*float64(rep.Lost)/float64(max(total, 1)), rep)
			if rep.Lines == 0 || rep.Writers < rotateWriters {
				t.Errorf("the run did not work: %s", rep)
			}
		})
	}
}

// rotateSlot is one of the eight writers, restarted after each kill.
type rotateSlot struct {
	mu    sync.Mutex
	inc   int
	procs []*exec.Cmd // the running incarnation's processes; the last is the one to kill
	kills int
}

// runRotateScenario runs the writers of sc for d in a new directory, with
// a kill every 150 to 450 ms, and returns what the verifier finds.
func runRotateScenario(t *testing.T, bins rotateBins, sc rotateScenario, d time.Duration) *rotateReport {
	t.Helper()
	root := t.TempDir()
	logs, ledger := filepath.Join(root, "logs"), filepath.Join(root, "ledger")
	for _, dir := range []string{logs, ledger} {
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(logs, "access.log")
	until := time.Now().Add(d)
	stderr, err := os.Create(filepath.Join(root, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()

	start := func(id, inc int) ([]*exec.Cmd, error) {
		common := []string{"-id", strconv.Itoa(id), "-inc", strconv.Itoa(inc),
			"-until", strconv.FormatInt(until.UnixNano(), 10), "-ledger", ledger}
		if sc.impl != "rotatelogs" {
			args := append([]string{"write", "-impl", sc.impl, "-path", path, "-maxsize", strconv.FormatInt(sc.maxSize, 10),
				"-interval", rotateInterval.String(), "-compress=" + strconv.FormatBool(sc.compress)}, common...)
			cmd := exec.Command(bins.worker, args...)
			cmd.Stderr = stderr
			return []*exec.Cmd{cmd}, cmd.Start()
		}
		feed := exec.Command(bins.worker, append([]string{"feed"}, common...)...)
		rlArgs := []string{"rotatelogs"}
		if sc.compress {
			rlArgs = append(rlArgs, "-z")
		}
		rlArgs = append(rlArgs, path, strconv.Itoa(int(rotateInterval/time.Second)), strconv.FormatInt(sc.maxSize>>10, 10)+"K")
		rl := exec.Command(bins.logproxy, rlArgs...)
		pr, pw, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		defer pr.Close()
		defer pw.Close()
		feed.Stdout, feed.Stderr = pw, stderr
		rl.Stdin, rl.Stdout, rl.Stderr = pr, stderr, stderr
		if err := rl.Start(); err != nil {
			return nil, err
		}
		if err := feed.Start(); err != nil {
			rl.Process.Kill()
			rl.Wait()
			return nil, err
		}
		return []*exec.Cmd{feed, rl}, nil
	}

	slots := make([]*rotateSlot, rotateWriters)
	var wg sync.WaitGroup
	errs := make(chan error, rotateWriters)
	for id := range slots {
		s := &rotateSlot{}
		slots[id] = s
		wg.Add(1)
		go func() { // runs the slot's incarnations until the end of the run
			defer wg.Done()
			for {
				s.mu.Lock()
				inc := s.inc
				procs, err := start(id, inc)
				if err != nil {
					s.mu.Unlock()
					errs <- err
					return
				}
				s.procs = procs
				kills := s.kills
				s.mu.Unlock()
				for _, p := range procs {
					p.Wait()
				}
				s.mu.Lock()
				killed := s.kills != kills
				s.procs = nil
				s.inc++
				s.mu.Unlock()
				if killed {
					// a feeder may have finished before its rotatelogs
					// was killed: its lines are not all owed
					os.Remove(filepath.Join(ledger, fmt.Sprintf("%02d-%04d.done", id, inc)))
				}
				if !killed || time.Now().After(until) {
					return
				}
			}
		}()
	}
	// the killer
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for {
		wait := time.Duration(150+rng.IntN(300)) * time.Millisecond
		if time.Now().Add(wait).After(until.Add(-100 * time.Millisecond)) {
			break
		}
		time.Sleep(wait)
		first := rng.IntN(len(slots))
		for i := range slots { // the first writer found running
			s := slots[(first+i)%len(slots)]
			s.mu.Lock()
			killed := false
			if len(s.procs) > 0 {
				victim := s.procs[len(s.procs)-1]
				if victim.Process.Signal(syscall.SIGKILL) == nil {
					s.kills++
					killed = true
				}
			}
			s.mu.Unlock()
			if killed {
				break
			}
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d + 60*time.Second):
		for _, s := range slots {
			s.mu.Lock()
			for _, p := range s.procs {
				p.Process.Kill()
			}
			s.mu.Unlock()
		}
		<-done
		t.Fatal("the writers did not end")
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(stderr.Name()); len(data) > 0 {
		t.Logf("writers' stderr:\n%.4000s", data)
	}

	naming := "backups"
	if sc.impl == "rotatelogs" {
		naming = "stamped"
	}
	args := []string{"verify", "-dir", logs, "-naming", naming, "-maxsize", strconv.FormatInt(sc.maxSize, 10),
		"-interval", rotateInterval.String(), "-ledger", ledger}
	if sc.impl != "rotatelogs" {
		args = append(args, "-direct")
	}
	out, err := exec.Command(bins.worker, args...).Output()
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	var rep rotateReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("verify: %v: %s", err, out)
	}
	return &rep
}
