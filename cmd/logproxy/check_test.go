package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// binary is the logproxy executable TestMain builds for the tests that
// run it as apache2 would be run.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "logproxy-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "logproxy")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// configCase is one row of testdata/config-cases.tsv: lines fed to
// `apache2 -t` after a preamble, and what apache2 said.
type configCase struct {
	name      string
	lines     []string // the case's configuration lines
	line      int      // the line apache2 reported (the first case line if none)
	exitCode  int
	phrases   []string // messages apache2 printed, without its log prefixes
	syntaxErr bool     // apache2 printed "Syntax error on line N"
}

// apacheLine strips apache2's error log prefix and message number.
var apacheLine = regexp.MustCompile(`^(\[[^]]*\] )*(AH\d+: )?`)

// syntaxError is the head of apache2's report of a refused directive.
var syntaxError = regexp.MustCompile(`Syntax error on line (\d+) of [^:]*:$`)

func readConfigCases(t *testing.T) []configCase {
	t.Helper()
	data, err := os.ReadFile("testdata/config-cases.tsv")
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	var cases []configCase
	for i, row := range rows[1:] { // the first row names the columns
		f := strings.Split(row, "\t")
		if len(f) != 5 {
			t.Fatalf("config-cases.tsv:%d: %d columns, want 5", i+2, len(f))
		}
		c := configCase{name: f[0], lines: strings.Split(f[1], " \\n ")}
		if c.line, err = strconv.Atoi(f[2]); err != nil {
			t.Fatalf("config-cases.tsv:%d: first_line_number: %v", i+2, err)
		}
		if c.exitCode, err = strconv.Atoi(f[3]); err != nil {
			t.Fatalf("config-cases.tsv:%d: exit_code: %v", i+2, err)
		}
		for _, part := range strings.Split(f[4], " \\n ") {
			if m := syntaxError.FindStringSubmatch(part); m != nil {
				c.line, _ = strconv.Atoi(m[1])
				c.syntaxErr = true
				continue
			}
			c.phrases = append(c.phrases, apacheLine.ReplaceAllString(part, ""))
		}
		cases = append(cases, c)
	}
	return cases
}

// preamble is the start of every case's httpd.conf: seven lines, so that
// the case lines start at line 8 as they did for apache2.
func preamble(dir string) []string {
	return []string{
		"ServerRoot " + dir,
		"LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so",
		"Listen 127.0.0.1:18080",
		"ServerName main.test",
		"ErrorLog " + filepath.Join(dir, "error.log"),
		"LogLevel warn",
		"PidFile " + filepath.Join(dir, "httpd.pid"),
	}
}

// TestConfigCases runs `logproxy -t -f httpd.conf` on every case of the
// conformance corpus and checks that it answers as apache2 -t did: the
// exit status, the line of the error and its message.
func TestConfigCases(t *testing.T) {
	cases := readConfigCases(t)
	passed, failed := 0, 0
	for _, c := range cases {
		ok := t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			conf := filepath.Join(dir, "httpd.conf")
			text := strings.Join(append(preamble(dir), c.lines...), "\n") + "\n"
			if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(binary, "-t", "-f", conf)
			cmd.Env = cleanEnv()
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != c.exitCode {
				t.Errorf("exit status %d, want %d\nstdout:\n%sstderr:\n%s", code, c.exitCode, &stdout, &stderr)
			}
			out := stdout.String() + stderr.String()
			for _, phrase := range c.phrases {
				if phrase == "Syntax OK" {
					if !strings.Contains(stdout.String(), "Syntax OK") {
						t.Errorf("no Syntax OK on stdout:\n%s", out)
					}
					continue
				}
				want := fmt.Sprintf("%s:%d: ", conf, c.line)
				if !hasLine(stderr.String(), want, phrase) {
					t.Errorf("stderr has no line %q with %q:\n%s", want, phrase, &stderr)
				}
			}
			if c.syntaxErr && strings.Contains(stdout.String(), "Syntax OK") {
				t.Errorf("Syntax OK for a refused configuration")
			}
		})
		if ok {
			passed++
		} else {
			failed++
		}
	}
	t.Logf("%d passed, %d failed", passed, failed)
}

// hasLine reports whether text has a line starting with prefix and
// holding phrase.
func hasLine(text, prefix, phrase string) bool {
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, prefix) && strings.Contains(line, phrase) {
			return true
		}
	}
	return false
}

// cleanEnv is the test process's environment without the JL6_ variables
// the cases expect to be undefined.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "JL6_") {
			env = append(env, kv)
		}
	}
	return env
}
