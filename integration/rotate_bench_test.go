package integration

import (
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// BenchmarkRotateProcesses measures eight processes writing lines of 100
// bytes to one log, in lines per second for all of them and CPU time per
// line (process start included), with plain
// O_APPEND writes, rotate.Writer and lumberjack in the same run. The
// processes start, open their log, and wait for the clock to start; the
// time ends when the last one has written its share and exited.
//
//	go test -run '^$' -bench RotateProcesses -count 5 ./integration/
func BenchmarkRotateProcesses(b *testing.B) {
	bins := buildRotateBins(b, b.TempDir())
	impls := []struct {
		name string
		args []string
	}{
		{"append", []string{"-impl", "append"}},
		{"rotate", []string{"-impl", "rotate", "-maxsize", strconv.Itoa(64 << 20)}},
		{"rotate-256KiB-1s", []string{"-impl", "rotate", "-maxsize", strconv.Itoa(256 << 10), "-interval", "1s"}},
		{"lumberjack", []string{"-impl", "lumberjack", "-maxsize", strconv.Itoa(64 << 20)}},
	}
	for _, impl := range impls {
		b.Run(impl.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "access.log")
			share := (b.N + rotateWriters - 1) / rotateWriters
			cmds := make([]*exec.Cmd, rotateWriters)
			starts := make([]io.WriteCloser, rotateWriters)
			for id := range cmds {
				args := append([]string{"write", "-path", path, "-id", strconv.Itoa(id), "-lines", strconv.Itoa(share), "-wait-stdin"}, impl.args...)
				cmd := exec.Command(bins.worker, args...)
				in, err := cmd.StdinPipe()
				if err != nil {
					b.Fatal(err)
				}
				if err := cmd.Start(); err != nil {
					b.Fatal(err)
				}
				cmds[id], starts[id] = cmd, in
			}
			b.ResetTimer()
			for _, in := range starts {
				in.Close()
			}
			var cpu time.Duration
			for _, cmd := range cmds {
				if err := cmd.Wait(); err != nil {
					b.Fatal(err)
				}
				cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			}
			b.StopTimer()
			lines := float64(share * rotateWriters)
			b.ReportMetric(lines/b.Elapsed().Seconds(), "lines/s")
			// CPU time is what other load on the machine changes least
			b.ReportMetric(float64(cpu)/lines, "cpu-ns/line")
		})
	}
}
