package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jl6/logproxy/config"
	"github.com/jl6/logproxy/proxy"
)

// loadSite reads, checks and builds the configuration, and opens its logs.
// report receives the write failures of access logs (see
// proxy.Site.LogErrors).
func loadSite(file string, opts *config.Options, stderr io.Writer, report func(error)) (*proxy.Site, error) {
	cfg, err := config.ParseFile(file, opts)
	if cfg == nil {
		return nil, err
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintf(stderr, "%s:%d: warning: %s\n", w.File, w.Line, w.Msg)
	}
	if err != nil {
		return nil, err
	}
	if !cfg.MPMLoaded() {
		return nil, fmt.Errorf("%s", noMPM) // httpd's words, with their full stop
	}
	seen := len(cfg.Warnings)
	site, err := config.Build(cfg, &config.BuildOptions{CheckDocumentRoot: true, CheckUsers: true})
	for _, w := range cfg.Warnings[seen:] { // the build's own
		fmt.Fprintf(stderr, "%s:%d: warning: %s\n", w.File, w.Line, w.Msg)
	}
	if err != nil {
		return nil, err
	}
	if len(site.Listen) == 0 {
		return nil, fmt.Errorf("%s: no listening sockets available, shutting down (no Listen directive)", cfg.File)
	}
	site.LogErrors = report
	if err := site.Prepare(); err != nil {
		return nil, err
	}
	if err := site.OpenLogs(); err != nil {
		return nil, err
	}
	return site, nil
}

// serve runs the server in the foreground until SIGTERM or SIGWINCH, and
// reloads on SIGHUP and SIGUSR1, as httpd does.
func serve(file string, opts *config.Options, stderr io.Writer, cpuProfile string) int {
	if cpuProfile != "" {
		stop, err := startCPUProfile(cpuProfile)
		if err != nil {
			printErr(stderr, err)
			return 1
		}
		defer stop()
	}
	// Access-log failures go to whichever error log is current.
	var errRef atomic.Pointer[slog.Logger]
	report := func(err error) {
		if l := errRef.Load(); l != nil {
			l.Error(err.Error(), "module", "log")
		}
	}
	site, err := loadSite(file, opts, stderr, report)
	if err != nil {
		printErr(stderr, err)
		return 1
	}
	errLog, closeErrLog, err := proxy.OpenErrorLog(site, stderr)
	if err != nil {
		printErr(stderr, err)
		return 1
	}
	errRef.Store(errLog)
	// Take the signals before the port accepts anything: a signal sent as
	// soon as the server answers must not kill the process.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGWINCH, syscall.SIGHUP, syscall.SIGUSR1)
	defer signal.Stop(sigs)
	e := proxy.NewEngine(site, &proxy.Options{ErrorLog: errLog, ServerBanner: proxy.Banner(site.ServerTokens)})
	if err := e.Start(); err != nil {
		printErr(stderr, err)
		site.CloseLogs()
		return 1
	}
	if site.PidFile != "" {
		if err := os.WriteFile(site.PidFile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
			errLog.Error("could not write PidFile", "file", site.PidFile, "err", err)
		}
		defer os.Remove(site.PidFile)
	}
	errLog.Info("resuming normal operations", "module", "mpm", "pid", os.Getpid())

	for sig := range sigs {
		switch sig {
		case syscall.SIGHUP, syscall.SIGUSR1:
			next, err := loadSite(file, opts, stderr, report)
			if err != nil {
				errLog.Error("reload failed, keeping the running configuration: "+err.Error(), "module", "core")
				continue
			}
			// The engine closes the old site's logs once its last
			// request in flight has been logged.
			if err := e.Reload(next); err != nil {
				errLog.Error("reload failed, keeping the running configuration: "+err.Error(), "module", "core")
				next.CloseLogs()
				continue
			}
			// Reopen the error log too, for an external logrotate.
			if nl, nclose, err := proxy.OpenErrorLog(next, stderr); err == nil {
				e.SetErrorLog(nl)
				errRef.Store(nl)
				closeErrLog()
				errLog, closeErrLog = nl, nclose
			} else {
				errLog.Error("reopening the error log failed: "+err.Error(), "module", "core")
			}
			errLog.Info("configuration reloaded, log files reopened", "module", "core", "signal", sig.String())
		default:
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			err := e.Shutdown(ctx)
			cancel()
			if cerr := e.Site().CloseLogs(); cerr != nil {
				errLog.Error("closing logs: " + cerr.Error())
			}
			errLog.Info("caught "+sig.String()+", shutting down", "module", "mpm")
			closeErrLog()
			if err != nil && !errors.Is(err, context.DeadlineExceeded) {
				return 1
			}
			return 0
		}
	}
	return 0
}

// control is -k: it signals the server whose pid is in the PidFile, as
// apachectl does, or starts one.
func control(cmd, file string, opts *config.Options, stdout, stderr io.Writer) int {
	if cmd == "start" {
		return serve(file, opts, stderr, "")
	}
	cfg, err := config.ParseFile(file, opts)
	if cfg == nil || err != nil {
		printErr(stderr, err)
		return 1
	}
	site, err := config.Build(cfg, nil)
	if err != nil {
		printErr(stderr, err)
		return 1
	}
	pidFile := site.PidFile
	if pidFile == "" {
		pidFile = filepath.Join(cfg.ServerRoot, "logs/httpd.pid")
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		fmt.Fprintf(stderr, "logproxy: %s: %v (is the server running?)\n", pidFile, err)
		return 1
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		fmt.Fprintf(stderr, "logproxy: %s does not hold a process id\n", pidFile)
		return 1
	}
	var sig syscall.Signal
	switch cmd {
	case "stop":
		sig = syscall.SIGTERM
	case "graceful-stop":
		sig = syscall.SIGWINCH
	case "restart":
		sig = syscall.SIGHUP
	case "graceful":
		sig = syscall.SIGUSR1
	default:
		fmt.Fprintf(stderr, "logproxy: -k %q: expected start, stop, restart, graceful or graceful-stop\n", cmd)
		return 2
	}
	if err := syscall.Kill(pid, sig); err != nil {
		fmt.Fprintf(stderr, "logproxy: signalling process %d: %v\n", pid, err)
		return 1
	}
	return 0
}

func printErr(w io.Writer, err error) {
	var list config.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			fmt.Fprintln(w, e)
		}
		return
	}
	fmt.Fprintf(w, "logproxy: %v\n", err)
}

// startCPUProfile starts writing a CPU profile of the process to path;
// the returned function ends it and closes the file.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
