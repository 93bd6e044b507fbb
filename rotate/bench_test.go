package rotate

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"gopkg.in/natefinch/lumberjack.v2"
)

// BenchmarkWrite measures one writer, lines of 100 bytes, against plain
// O_APPEND writes and lumberjack in the same run, in lines per second and
// in CPU time per line. The multi-process figures are integration's
// BenchmarkRotateProcesses.
//
//	go test -run '^$' -bench Write -benchtime 2s ./rotate/
func BenchmarkWrite(b *testing.B) {
	line := []byte("127.0.0.1 - - [14/Mar/2026:15:09:26 +0000] \"GET /articles/42 HTTP/1.1\" 200 78 \"-\" \"curl/8\" 17 42\n")
	line = append(line[:len(line)-1:len(line)-1], make([]byte, 100-len(line))...)
	for i := range line {
		if line[i] == 0 {
			line[i] = '.'
		}
	}
	line[len(line)-1] = '\n'
	impls := []struct {
		name string
		open func(path string) (io.WriteCloser, error)
	}{
		{"append", func(path string) (io.WriteCloser, error) {
			return os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		}},
		{"rotate", func(path string) (io.WriteCloser, error) {
			return New(path, &Options{MaxSize: 64 << 20})
		}},
		{"rotate-256KiB-1s", func(path string) (io.WriteCloser, error) {
			return New(path, &Options{MaxSize: 256 << 10, Interval: time.Second})
		}},
		{"lumberjack", func(path string) (io.WriteCloser, error) {
			return &lumberjack.Logger{Filename: path, MaxSize: 64}, nil
		}},
	}
	for _, impl := range impls {
		b.Run(impl.name, func(b *testing.B) {
			w, err := impl.open(filepath.Join(b.TempDir(), "access.log"))
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			b.SetBytes(int64(len(line)))
			cpu0 := cpuTime()
			for b.Loop() {
				if _, err := w.Write(line); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
			// CPU time is what other load on the machine changes least
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/line")
		})
	}
}

// cpuTime returns the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkOverhead measures what a Writer adds to each write(2): the same
// Writers as BenchmarkWrite, on a file system whose files discard what is
// written, so that only the Writer's own work is timed.
func BenchmarkOverhead(b *testing.B) {
	line := make([]byte, 100)
	for _, tt := range []struct {
		name string
		o    Options
	}{
		{"rotate", Options{MaxSize: 64 << 20}},
		{"rotate-gzip", Options{MaxSize: 64 << 20, Compress: true}},
		{"rotate-256KiB-1s", Options{MaxSize: 256 << 10, Interval: time.Second}},
	} {
		b.Run(tt.name, func(b *testing.B) {
			o := tt.o
			o.FS = discardFS{}
			w, err := New(filepath.Join(b.TempDir(), "access.log"), &o)
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			for b.Loop() {
				w.Write(line)
			}
		})
	}
}

// discardFS is the operating system's file system but for writes, which
// are discarded.
type discardFS struct{ osFS }

func (d discardFS) OpenFile(name string, flag int, perm os.FileMode) (File, error) {
	f, err := d.osFS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return discardFile{f}, nil
}

type discardFile struct{ File }

func (discardFile) Write(p []byte) (int, error) { return len(p), nil }
