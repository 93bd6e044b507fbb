//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
)

// debPackages are the peers and the load generator, from Debian.
var debPackages = []string{"apache2", "nginx", "haproxy", "caddy", "wrk"}

// installPackages installs what is missing of pkgs with apt-get
// (idempotent: it does nothing when dpkg knows every package).
func installPackages(pkgs []string) error {
	var missing []string
	for _, p := range pkgs {
		if exec.Command("dpkg", "-s", p).Run() != nil {
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("missing Debian packages %s: install them (apt-get install -y %s) or run as root", strings.Join(missing, " "), strings.Join(missing, " "))
	}
	fmt.Fprintln(os.Stderr, "installing:", strings.Join(missing, " "))
	run := func(args ...string) error {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		return cmd.Run()
	}
	if err := run("apt-get", "update", "-qq"); err != nil {
		return fmt.Errorf("apt-get update: %v", err)
	}
	if err := run(append([]string{"apt-get", "install", "-y", "-qq"}, missing...)...); err != nil {
		return fmt.Errorf("apt-get install: %v", err)
	}
	return nil
}

type machineInfo struct {
	nproc    int
	cpuModel string
	kernel   string
	memTotal string
	versions [][2]string // name, version line
}

// sourceState says what logproxy was built from: the commit, and how many
// files of the working tree differ from it (read-only git commands that
// take no lock).
func sourceState(repo string) string {
	head, err := exec.Command("git", "-C", repo, "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "not a git checkout"
	}
	st, _ := exec.Command("git", "-C", repo, "--no-optional-locks", "status", "--porcelain").Output()
	n := 0
	for _, line := range strings.Split(string(st), "\n") {
		if strings.TrimSpace(line) != "" {
			n++
		}
	}
	if n == 0 {
		return "commit " + strings.TrimSpace(string(head))
	}
	return fmt.Sprintf("the working tree at commit %s, %d files changed or new", strings.TrimSpace(string(head)), n)
}

func gatherMachine(goTool, logproxyBin, repo string) machineInfo {
	m := machineInfo{nproc: runtime.NumCPU()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "model name") {
				if i := strings.IndexByte(line, ':'); i >= 0 {
					m.cpuModel = strings.TrimSpace(line[i+1:])
				}
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.kernel = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		m.memTotal = strings.Join(strings.Fields(strings.SplitN(string(b), "\n", 2)[0])[1:], " ")
	}
	first := func(re string, args ...string) string {
		out, _ := exec.Command(args[0], args[1:]...).CombinedOutput()
		s := string(out)
		if re != "" {
			if mm := regexp.MustCompile(re).FindString(s); mm != "" {
				return mm
			}
		}
		return strings.TrimSpace(strings.SplitN(s, "\n", 2)[0])
	}
	goVersion := first("", goTool, "version")
	m.versions = [][2]string{
		{"logproxy", first("", logproxyBin, "-v") + ", built from " + sourceState(repo)},
		{"Apache httpd", first(`Server version: .*`, "apache2", "-v")},
		{"nginx", first(`nginx version: .*`, "nginx", "-v")},
		{"HAProxy", first(`HAProxy version [^ ]+ [^ ]+`, "haproxy", "-v")},
		{"Caddy", first("", "caddy", "version")},
		{"wrk", first(`wrk [^ ]+ \[[a-z]+\]`, "wrk", "-v")},
		{"Go", goVersion},
	}
	for i := range m.versions {
		m.versions[i][1] = strings.TrimSpace(m.versions[i][1])
	}
	return m
}
