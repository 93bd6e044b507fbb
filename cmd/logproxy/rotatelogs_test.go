package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

func TestRotatelogsMain(t *testing.T) {
	tests := []struct {
		name   string
		args   []string // LOG is the log's path in a temporary directory
		stdin  string
		code   int
		stdout string
		stderr string // substring
		files  map[string]string
	}{
		{
			name: "numbered by size", args: []string{"-n", "3", "LOG", "10B"},
			stdin: "aaaa\nbbbb\ncccc\ndddd\neeee\nffff\ngggg",
			files: map[string]string{"access.log": "gggg", "access.log.1": "cccc\ndddd\n", "access.log.2": "eeee\nffff\n"},
		},
		{
			name: "echo", args: []string{"-e", "-t", "LOG", "1M"}, stdin: "one\ntwo\n",
			stdout: "one\ntwo\n", files: map[string]string{"access.log": "one\ntwo\n"},
		},
		{
			name: "verbose", args: []string{"-v", "-t", "LOG", "1M"}, stdin: "one\n",
			stderr: "Rotation size interval:           1048576\n", files: map[string]string{"access.log": "one\n"},
		},
		{
			name: "nothing read, nothing created", args: []string{"-t", "LOG", "1M"},
			files: map[string]string{},
		},
		{
			name: "forced open", args: []string{"-f", "-t", "LOG", "1M"},
			files: map[string]string{"access.log": ""},
		},
		{
			name: "long line", args: []string{"-t", "LOG", "1G"}, stdin: strings.Repeat("x", 100000) + "\nend\n",
			files: map[string]string{"access.log": strings.Repeat("x", 100000) + "\nend\n"},
		},
		{
			name: "usage", args: []string{"LOG"}, code: 1,
			stderr: "Incorrect number of arguments\nUsage: logproxy rotatelogs [-vlfDtTecz]", files: map[string]string{},
		},
		{
			name: "illegal option", args: []string{"-x", "LOG", "5"}, code: 1,
			stderr: "rotatelogs: illegal option -- x\nUsage: ", files: map[string]string{},
		},
		{
			name: "no usage", args: []string{"-n", "0", "LOG", "5"}, code: 1,
			stderr: "Invalid -n argument\n", files: map[string]string{},
		},
		{
			name: "cannot open at start", args: []string{"-f", "LOGDIR/missing/x", "5"}, code: 2,
			stderr: "Could not open log file", files: map[string]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			args := slices.Clone(tt.args)
			for i, a := range args {
				a = strings.ReplaceAll(a, "LOGDIR", dir)
				args[i] = strings.ReplaceAll(a, "LOG", filepath.Join(dir, "access.log"))
			}
			var stdout, stderr bytes.Buffer
			code := rotatelogsMain(args, strings.NewReader(tt.stdin), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, &stderr)
			}
			if stdout.String() != tt.stdout {
				t.Errorf("stdout %q, want %q", &stdout, tt.stdout)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr %q, want it to contain %q", &stderr, tt.stderr)
			}
			if tt.stderr == "" && stderr.Len() > 0 {
				t.Errorf("stderr %q", &stderr)
			}
			files := map[string]string{}
			ents, _ := os.ReadDir(dir)
			for _, e := range ents {
				if strings.HasPrefix(e.Name(), ".") {
					continue
				}
				data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
				files[e.Name()] = string(data)
			}
			if len(files) != len(tt.files) {
				t.Errorf("files %q, want %q", files, tt.files)
			}
			for name, want := range tt.files {
				if files[name] != want {
					t.Errorf("%s: %d bytes %.40q, want %d bytes %.40q", name, len(files[name]), files[name], len(want), want)
				}
			}
		})
	}
}

func TestRotatelogsReadError(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	in := iotest.TimeoutReader(strings.NewReader("first\n" + strings.Repeat("x", 70000)))
	code := rotatelogsMain([]string{"-t", filepath.Join(dir, "log"), "1M"}, in, &bytes.Buffer{}, &stderr)
	if code != 3 || !strings.Contains(stderr.String(), "reading stdin") {
		t.Errorf("exit %d, stderr %q; want 3 and the error", code, &stderr)
	}
}

func TestRunRotatelogs(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"rotatelogs"}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "Incorrect number of arguments") {
		t.Errorf("run(rotatelogs) = %d, stderr %q", code, &stderr)
	}
}
