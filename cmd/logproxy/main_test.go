package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	// Each loads an MPM, at its end so that the line numbers stay: httpd
	// refuses a configuration without one (AH00534).
	const mpm = "LoadModule mpm_event_module m.so\n"
	noMPM := write("nompm.conf", "DocumentRoot /\n")
	good := write("good.conf", "<IfDefine FLAG>\nLogFormat \"%h\" x\n</IfDefine>\n"+mpm)
	bad := write("bad.conf", "LogFormat \"%Z\" x\nTransferLog a b\n"+mpm)
	warn := write("warn.conf", "LogFormat \"${JL6_RUN_TEST_UNDEFINED}\" x\n"+mpm)
	flagged := write("flagged.conf", "<IfDefine !FLAG>\nBogus\n</IfDefine>\n"+mpm)
	pool := write("pool.conf", "LoadModule proxy_module m.so\nLoadModule proxy_http_module m.so\n"+
		"ProxyPass /app http://127.0.0.1:9/app ttl=5\n"+mpm)
	logdir := write("logdir.conf", "TransferLog "+filepath.Join(dir, "missing", "x.log")+"\n"+mpm)
	errdir := write("errdir.conf", "ErrorLog "+filepath.Join(dir, "missing", "e.log")+"\n"+mpm)
	docroot := write("docroot.conf", "DocumentRoot missing-root\n"+mpm)
	users := write("users.conf", "User root\nGroup root\nUser #12345\n"+mpm)
	badUser := write("baduser.conf", "User jl6-no-such-user\nGroup jl6-no-such-group\n"+mpm)
	vhostRoot := write("vhostroot.conf", "LoadModule mpm_event_module m.so\nListen 127.0.0.1:0\n<VirtualHost *:80>\nDocumentRoot "+filepath.Join(dir, "nope")+"\n</VirtualHost>\n")
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   string // substring
		stderr   string // substring
		noStdout bool
	}{
		{name: "version", args: []string{"-v"}, code: 0, stdout: "logproxy version "},
		{name: "serve without Listen", args: []string{"-f", good}, code: 1, stderr: good + ": no listening sockets available", noStdout: true},
		{name: "syntax ok", args: []string{"-t", "-f", good}, code: 0, stdout: "Syntax OK\n"},
		{name: "no MPM", args: []string{"-t", "-f", noMPM}, code: 1, stderr: "AH00534: logproxy: Configuration error: No MPM loaded.", noStdout: true},
		{name: "serve without an MPM", args: []string{"-f", noMPM}, code: 1, stderr: "AH00534: logproxy: Configuration error: No MPM loaded.", noStdout: true},
		{name: "errors", args: []string{"-t", "-f", bad}, code: 1, stderr: bad + ":2: TransferLog takes one argument", noStdout: true},
		{name: "all errors", args: []string{"-t", "-f", bad}, code: 1, stderr: bad + ":1: Unrecognized LogFormat directive %Z"},
		{name: "warning", args: []string{"-t", "-f", warn}, code: 0, stdout: "Syntax OK",
			stderr: warn + ":1: warning: Config variable ${JL6_RUN_TEST_UNDEFINED} is not defined"},
		{name: "build warning", args: []string{"-t", "-f", pool}, code: 0, stdout: "Syntax OK",
			stderr: pool + `:3: warning: ProxyPass parameter "ttl" is accepted but not acted on`},
		{name: "define", args: []string{"-t", "-D", "FLAG", "-f", flagged}, code: 0, stdout: "Syntax OK"},
		{name: "missing log directory", args: []string{"-t", "-f", logdir}, code: 1,
			stderr: logdir + ":1: AH02297: Cannot access directory '" + filepath.Join(dir, "missing") + "/' for log file", noStdout: true},
		{name: "missing error log directory", args: []string{"-t", "-f", errdir}, code: 1,
			stderr: errdir + ":1: AH02291: Cannot access directory '" + filepath.Join(dir, "missing") + "/' for main error log", noStdout: true},
		{name: "missing DocumentRoot", args: []string{"-t", "-d", dir, "-f", docroot}, code: 1,
			stderr: docroot + ":1: DocumentRoot '" + filepath.Join(dir, "missing-root") + "' is not a directory, or is not readable", noStdout: true},
		{name: "serve with a missing DocumentRoot", args: []string{"-d", dir, "-f", docroot}, code: 1,
			stderr: docroot + ":1: DocumentRoot '" + filepath.Join(dir, "missing-root") + "' is not a directory, or is not readable", noStdout: true},
		{name: "missing virtual host DocumentRoot", args: []string{"-t", "-f", vhostRoot}, code: 0, stdout: "Syntax OK",
			stderr: vhostRoot + ":4: warning: AH00112: Warning: DocumentRoot [" + filepath.Join(dir, "nope") + "] does not exist"},
		{name: "known users", args: []string{"-t", "-f", users}, code: 0, stdout: "Syntax OK"},
		{name: "unknown user", args: []string{"-t", "-f", badUser}, code: 1, stderr: badUser + ":1: AH00543: bad user name jl6-no-such-user", noStdout: true},
		{name: "unknown group", args: []string{"-t", "-f", badUser}, code: 1, stderr: badUser + ":2: AH00544: bad group name jl6-no-such-group", noStdout: true},
		{name: "glued define", args: []string{"-t", "-DFLAG", "-f", flagged}, code: 0, stdout: "Syntax OK"},
		{name: "without define", args: []string{"-t", "-f", flagged}, code: 1, stderr: "Invalid command 'Bogus'"},
		{name: "relative to server root", args: []string{"-t", "-d", dir, "-f", "good.conf"}, code: 0, stdout: "Syntax OK"},
		{name: "missing file", args: []string{"-t", "-f", filepath.Join(dir, "nope.conf")}, code: 1, stderr: "could not open configuration file"},
		{name: "stray argument", args: []string{"-t", "extra"}, code: 2, stderr: `unexpected argument "extra"`},
		{name: "unknown flag", args: []string{"-x"}, code: 2, stderr: "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			if code != tt.code {
				t.Errorf("run(%q) = %d, want %d\nstdout: %s\nstderr: %s", tt.args, code, tt.code, &stdout, &stderr)
			}
			if !strings.Contains(stdout.String(), tt.stdout) {
				t.Errorf("run(%q) stdout = %q, want it to contain %q", tt.args, &stdout, tt.stdout)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("run(%q) stderr = %q, want it to contain %q", tt.args, &stderr, tt.stderr)
			}
			if tt.noStdout && stdout.Len() > 0 {
				t.Errorf("run(%q) stdout = %q, want nothing", tt.args, &stdout)
			}
		})
	}
}

func TestSplitDefines(t *testing.T) {
	tests := []struct {
		in, want []string
	}{
		{[]string{"-DFOO", "-t"}, []string{"-D", "FOO", "-t"}},
		{[]string{"-D", "FOO"}, []string{"-D", "FOO"}},
		{[]string{"-D=FOO"}, []string{"-D=FOO"}},
		{[]string{"-f", "-Dodd.conf"}, []string{"-f", "-Dodd.conf"}},
		{[]string{"--", "-DX"}, []string{"--", "-DX"}},
	}
	for _, tt := range tests {
		if got := splitDefines(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitDefines(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestReadConfigCases(t *testing.T) {
	cases := readConfigCases(t)
	byName := map[string]configCase{}
	for _, c := range cases {
		byName[c.name] = c
	}
	c := byName["logformat_in_directory"]
	if len(c.lines) != 3 || c.line != 9 || c.exitCode != 1 || !reflect.DeepEqual(c.phrases, []string{"LogFormat not allowed in <Directory> context"}) {
		t.Errorf("logformat_in_directory read as %+v", c)
	}
	c = byName["undefined_env_variable"]
	want := []string{"Config variable ${JL6_UNDEFINED_VAR} is not defined", "Syntax OK"}
	if c.line != 8 || c.exitCode != 0 || !reflect.DeepEqual(c.phrases, want) {
		t.Errorf("undefined_env_variable read as %+v", c)
	}
}

// TestCPUProfile: -cpuprofile writes a pprof profile of the run, also of
// one that ends at once, and a profile file that cannot be made stops
// the server before it starts.
func TestCPUProfile(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "nolisten.conf")
	if err := os.WriteFile(conf, []byte("LogFormat \"%h\" x\nLoadModule mpm_event_module m.so\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	prof := filepath.Join(dir, "cpu.pprof")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-cpuprofile", prof, "-f", conf}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "no listening sockets") {
		t.Fatalf("run = %d, stderr %q; want 1 and no listening sockets", code, &stderr)
	}
	data, err := os.ReadFile(prof)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		t.Errorf("profile is not gzip-compressed pprof data: % x", data[:min(len(data), 8)])
	}
	stderr.Reset()
	bad := filepath.Join(dir, "missing", "cpu.pprof")
	if code := run([]string{"-cpuprofile", bad, "-f", conf}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "cpu profile: open "+bad) {
		t.Errorf("run with an unwritable profile = %d, stderr %q", code, &stderr)
	}
}
