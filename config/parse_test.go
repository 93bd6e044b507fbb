package config

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the expected output of the golden files in testdata")

// goldenSep separates a golden file's input from its expected output.
const goldenSep = "-----\n"

// goldenFS holds the files golden inputs include; the server root is its
// top, so "Include include/a.conf" reads testdata/fs/include/a.conf.
const goldenFS = "testdata/fs"

// goldenOptions reads the options a golden input asks for in its leading
// "#!" lines (comments to the parser):
//
//	#! -D NAME        a define, as the -D flag gives
//	#! -d /path       the server root
//	#! env NAME=value a process environment variable
func goldenOptions(input string) *Options {
	env := map[string]string{"JL6_HOME": "/home/jl6"}
	opts := &Options{
		ServerRoot: "/",
		FS:         os.DirFS(goldenFS),
		LookupEnv: func(name string) (string, bool) {
			v, ok := env[name]
			return v, ok
		},
	}
	for _, line := range strings.Split(input, "\n") {
		rest, ok := strings.CutPrefix(line, "#! ")
		if !ok {
			break
		}
		switch {
		case strings.HasPrefix(rest, "-D "):
			opts.Defines = append(opts.Defines, strings.TrimPrefix(rest, "-D "))
		case strings.HasPrefix(rest, "-d "):
			opts.ServerRoot = strings.TrimPrefix(rest, "-d ")
		case strings.HasPrefix(rest, "env "):
			k, v, _ := strings.Cut(strings.TrimPrefix(rest, "env "), "=")
			env[k] = v
		}
	}
	return opts
}

// goldenOutput is what a golden file expects: the printed tree when there
// are no errors, then the warnings, then the errors, one per line.
func goldenOutput(cfg *Config, err error) string {
	var b strings.Builder
	var list ErrorList
	if err != nil && !errors.As(err, &list) {
		return "error: " + err.Error() + "\n"
	}
	if len(list) == 0 && cfg != nil {
		b.WriteString(cfg.String())
	}
	if cfg != nil {
		for _, w := range cfg.Warnings {
			b.WriteString("warning: " + w.Error() + "\n")
		}
	}
	for _, e := range list {
		b.WriteString(e.Error() + "\n")
	}
	return b.String()
}

// TestGolden parses each testdata/*.conf file's input as httpd.conf and
// compares the result with the output after its separator line. With
// -update it rewrites the output instead.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.conf")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden files in testdata")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".conf")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			input, want, ok := strings.Cut(string(data), goldenSep)
			if !ok && !*update {
				t.Fatalf("%s: no %q separator line", file, strings.TrimSpace(goldenSep))
			}
			cfg, err := Parse("httpd.conf", []byte(input), goldenOptions(input))
			got := goldenOutput(cfg, err)
			if *update {
				if err := os.WriteFile(file, []byte(input+goldenSep+got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != want {
				t.Errorf("Parse(%s):\n--- got\n%s--- want\n%s", file, got, want)
			}
		})
	}
}

// TestPrintReparse checks that every golden input that parses cleanly
// prints to text that parses to the same tree.
func TestPrintReparse(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.conf")
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".conf"), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			input, _, _ := strings.Cut(string(data), goldenSep)
			opts := goldenOptions(input)
			cfg, err := Parse("httpd.conf", []byte(input), opts)
			if err != nil {
				return // the property holds for valid configurations only
			}
			printed := cfg.String()
			again, err := Parse("printed.conf", []byte(printed), opts)
			if err != nil {
				t.Fatalf("reparse of printed tree: %v\n%s", err, printed)
			}
			if diff := treeDiff(cfg.Directives, again.Directives); diff != "" {
				t.Errorf("reparse differs: %s\nprinted:\n%s", diff, printed)
			}
		})
	}
}

// treeDiff describes the first difference between two trees, ignoring
// positions, or returns "".
func treeDiff(a, b []*Directive) string {
	if len(a) != len(b) {
		return "different number of directives: " + strconv.Itoa(len(a)) + " vs " + strconv.Itoa(len(b))
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Name != y.Name || x.Section != y.Section || strings.Join(x.Args, "\x00") != strings.Join(y.Args, "\x00") || len(x.Args) != len(y.Args) {
			return "directive " + strconv.Itoa(i) + ": " + strings.TrimSpace(firstLine(x.String())) + " vs " + strings.TrimSpace(firstLine(y.String()))
		}
		if d := treeDiff(x.Children, y.Children); d != "" {
			return x.Name + ": " + d
		}
	}
	return ""
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
