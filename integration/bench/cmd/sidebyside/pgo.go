package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// runPGO is "sidebyside pgo": it profiles logproxy doing the benchmark's
// main job (100-byte responses over 64 keep-alive connections, the access
// log and StripHeader of the logproxy peer) and writes the CPU profile
// that go build reads as cmd/logproxy/default.pgo for profile-guided
// optimization. logproxy is built without a profile for this, so that the
// profile describes the source, not an earlier optimization of it.
func runPGO(args []string) error {
	fs := flag.NewFlagSet("sidebyside pgo", flag.ContinueOnError)
	out := fs.String("out", "", "write the profile to this file (required)")
	repo := fs.String("repo", "../..", "root of the logproxy repository, to build logproxy from")
	goTool := fs.String("go", "go", "the go command that builds logproxy")
	dur := fs.Duration("duration", 30*time.Second, "how long wrk loads logproxy while it is profiled (whole seconds)")
	noInstall := fs.Bool("no-install", false, "do not install wrk")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("-out is required")
	}
	if !*noInstall {
		if err := installPackages([]string{"wrk"}); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	h := &harness{loadCPU: "0", serverCPU: "1", instances: map[string]*instance{}, started: time.Now(), ctx: ctx,
		lastArgv: map[string][]string{}, lastConfig: map[string][2]string{}}
	dir, err := os.MkdirTemp("", "sidebyside-pgo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	self, err := os.Executable()
	if err != nil {
		return err
	}
	h.env = &env{dir: dir, selfBin: self, logproxyBin: filepath.Join(dir, "logproxy")}
	if err := writeWrkScript(h.env); err != nil {
		return err
	}
	h.logf("building logproxy from %s without a profile", *repo)
	build := exec.Command(*goTool, "build", "-pgo=off", "-o", h.env.logproxyBin, "./cmd/logproxy")
	build.Dir = *repo
	if outb, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build logproxy: %v\n%s", err, outb)
	}
	h.backend, err = h.startBackend()
	if err != nil {
		return err
	}
	defer h.backend.stop()
	h.env.backend = h.backend.addr

	profile := h.env.path("cpu.pprof")
	p := &peer{name: "logproxy", title: "logproxy (StripHeader), profiled", proxy: true, log: logApache,
		configure: func(e *env, port int) ([]string, []string, string, string, string) {
			cfg, logPath := apacheConfig(e, "logproxy", port, "strip")
			return []string{e.logproxyBin, "-d", e.dir, "-f", e.path("logproxy.conf"), "-cpuprofile", profile},
				[]string{"GOMAXPROCS=1"}, "logproxy.conf", cfg, logPath
		}}
	in, err := h.startPeer(p, "pgo")
	if err != nil {
		return err
	}
	defer in.stop()
	if err := checkPeer(in, h.backend.admin); err != nil {
		return fmt.Errorf("check failed: %v", err)
	}
	w := workloads[0] // ka64
	h.logf("profiling logproxy under %s for %v", w.name, *dur)
	res, err := h.runWrk(w, in.addr, *dur)
	if err != nil {
		return err
	}
	if res.errors > 0 || res.requests == 0 {
		return fmt.Errorf("wrk: %d requests, errors: %s", res.requests, res.errText)
	}
	in.stop() // SIGTERM: logproxy ends the profile as it shuts down
	if in.exitErr != nil {
		return fmt.Errorf("logproxy: %v\n%s", in.exitErr, tail(in.errPath, 2000))
	}
	data, err := os.ReadFile(profile)
	if err != nil {
		return err
	}
	// A pprof profile is gzip-compressed protocol buffers.
	if !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		return fmt.Errorf("%s is not a pprof profile (%d bytes)", profile, len(data))
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		return err
	}
	h.logf("wrote %s (%d bytes) from %d requests at %.0f requests/s", *out, len(data), res.requests, res.rate())
	return nil
}
