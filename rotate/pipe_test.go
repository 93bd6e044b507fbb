package rotate

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"/usr/bin/rotatelogs -l -n 5 logs/access.log 86400", []string{"/usr/bin/rotatelogs", "-l", "-n", "5", "logs/access.log", "86400"}},
		{"  a\t b  ", []string{"a", "b"}},
		{`a "b c" 'd e' f`, []string{"a", "b c", "d e", "f"}},
		{`a\ b c`, []string{"a b", "c"}},
		{`a\\b \x`, []string{`a\b`, "x"}},
		{`"a\"b" c`, []string{`a"b`, "c"}},
		{`x"y z"`, []string{`x"y`, `z"`}},
		{`"unterminated b`, []string{"unterminated b"}},
		{"", nil},
		{"   ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Tokenize(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("Tokenize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPipedCommand(t *testing.T) {
	tests := []struct {
		target string
		argv   []string
		shell  bool
	}{
		{"/bin/logger -t web", []string{"/bin/logger", "-t", "web"}, false},
		{"|/bin/logger -t web", []string{"/bin/logger", "-t", "web"}, false},
		{"$cat >> x | y", []string{"/bin/sh", "-c", "cat >> x | y"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			argv, shell := PipedCommand(tt.target)
			if !slices.Equal(argv, tt.argv) || shell != tt.shell {
				t.Errorf("PipedCommand(%q) = %q, %v; want %q, %v", tt.target, argv, shell, tt.argv, tt.shell)
			}
		})
	}
}

func TestOpenPipedRotatelogs(t *testing.T) {
	tests := []struct {
		name, target string
		files        []string
	}{
		{"apache's", "/usr/bin/rotatelogs -n 2 logs/access.log 10B", []string{"access.log", "access.log.1"}},
		{"logproxy's", "||/usr/local/bin/logproxy rotatelogs -n 3 logs/access.log 10B", []string{"access.log", "access.log.1", "access.log.2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, "logs"), 0o755); err != nil {
				t.Fatal(err)
			}
			lw, err := OpenPiped(tt.target, &PipeOptions{Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := lw.(*Writer); !ok {
				t.Fatalf("OpenPiped(%q) = %T, want the in-process *Writer", tt.target, lw)
			}
			for i := range 3 {
				fmt.Fprintf(lw, "line %d...\n", i)
			}
			if err := lw.Close(); err != nil {
				t.Fatal(err)
			}
			if got := names(dirFiles(t, filepath.Join(dir, "logs"))); !slices.Equal(got, tt.files) {
				t.Errorf("files %q, want %q", got, tt.files)
			}
		})
	}
	if _, err := OpenPiped("rotatelogs logs/access.log", nil); err == nil || !strings.Contains(err.Error(), "Incorrect number of arguments") {
		t.Errorf("bad rotatelogs arguments: error %v", err)
	}
}

func TestPipeDelivers(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	lw, err := OpenPiped("$cat >> "+out, &PipeOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 1000 {
		fmt.Fprintf(lw, "line %04d\n", i)
	}
	if err := lw.Close(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(out)
	if got, want := strings.SplitAfter(string(data), "\n"), numbered("line", 1000); !slices.Equal(got[:len(got)-1], want) {
		t.Errorf("the program got %d lines", len(got)-1)
	}
	if lw.Lost() != 0 {
		t.Errorf("Lost() = %d", lw.Lost())
	}
}

// TestPipeRestarts feeds a program that dies on the line "die": the lines
// after it wait in the pipe and reach the program started in its place.
func TestPipeRestarts(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	script := `while read l; do [ "$l" = die ] && exit 3; echo "$l" >> ` + out + `; done`
	var mu sync.Mutex
	var reports []string
	p, err := StartPipe([]string{"/bin/sh", "-c", script}, &PipeOptions{Dir: dir, RestartDelay: time.Millisecond,
		ErrorLog: func(err error) { mu.Lock(); reports = append(reports, err.Error()); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"a", "die", "b", "die", "c"} {
		fmt.Fprintln(p, l)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(out); string(data) != "a\nb\nc\n" {
		t.Errorf("the programs got %q, want a, b and c", data)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reports) != 2 || !strings.Contains(reports[0], "failed unexpectedly: exit status 3") {
		t.Errorf("reports %q", reports)
	}
}

// TestPipeOverflow feeds a program that reads nothing: what fits in the
// pipe and the buffer is kept, the rest is counted and reported once.
func TestPipeOverflow(t *testing.T) {
	var reports []string
	clock := newClock(t0)
	p, err := StartPipe([]string{"/bin/sh", "-c", "sleep 30"}, &PipeOptions{Buffer: 100, CloseTimeout: time.Millisecond,
		Clock: clock.Now, ErrorLog: func(err error) { reports = append(reports, err.Error()) }})
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Repeat("x", 99) + "\n"
	for range 2000 { // 200 KB: more than a pipe holds
		p.Write([]byte(line))
	}
	lost := p.Lost()
	if lost == 0 || lost >= 2000 {
		t.Errorf("Lost() = %d, want some of the 2000 lines", lost)
	}
	// one when lines are first lost; the pump may make room for a line
	// now and then, which ends a run of losses with a report of its own
	if len(reports) == 0 || int64(len(reports)) > lost/100 || !strings.Contains(reports[0], "buffer full") {
		t.Errorf("%d reports for %d lines lost: %q", len(reports), lost, reports)
	}
	if err := p.Close(); err == nil || !strings.Contains(err.Error(), "did not exit by itself") {
		t.Errorf("Close() = %v", err)
	}
}
