package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"

	"github.com/jl6/logproxy/config"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole program but for the process: it reads the flags, does
// the work and returns the exit status.
//
//	logproxy [-d serverroot] [-f file] [-D name]...      serve in the foreground
//	logproxy [-d serverroot] [-f file] [-D name]... -t   check the configuration
//	logproxy [-d serverroot] [-f file] -k command        signal the running server
//	logproxy -v                                          print the version
//	logproxy rotatelogs [options] logfile time|size     Apache's rotatelogs, shareable
//
// As with apache2, a relative -f is relative to the server root, and -t
// exits 0 with "Syntax OK" or 1 with the errors, one per line as
// FILE:LINE: message.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "rotatelogs" {
		return rotatelogsMain(args[1:], os.Stdin, stdout, stderr)
	}
	fs := flag.NewFlagSet("logproxy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var defines defineList
	fs.Var(&defines, "D", "define `name` for <IfDefine> (repeatable; -Dname works too)")
	root := fs.String("d", config.DefaultServerRoot, "server root `directory`")
	file := fs.String("f", config.DefaultConfigFile, "configuration `file`, relative to the server root unless absolute")
	test := fs.Bool("t", false, "check the configuration and exit")
	version := fs.Bool("v", false, "print the version and exit")
	signal := fs.String("k", "", "`command` for a running server, as apachectl: start, stop, restart, graceful, graceful-stop")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the server's run to `file` (pprof format)")
	if err := fs.Parse(splitDefines(args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "logproxy: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	switch {
	case *version:
		fmt.Fprintln(stdout, versionLine())
		return 0
	case *test:
		opts := &config.Options{ServerRoot: *root, Defines: defines}
		return checkConfig(*file, opts, stdout, stderr)
	}
	opts := &config.Options{ServerRoot: *root, Defines: defines}
	if *signal != "" {
		return control(*signal, *file, opts, stdout, stderr)
	}
	return serve(*file, opts, stderr, *cpuProfile)
}

// noMPM is httpd's message for a configuration that loads no MPM.
const noMPM = "AH00534: logproxy: Configuration error: No MPM loaded."

// checkConfig is -t: it reads the configuration and reports on it.
func checkConfig(file string, opts *config.Options, stdout, stderr io.Writer) int {
	cfg, err := config.ParseFile(file, opts)
	if cfg == nil {
		fmt.Fprintf(stderr, "logproxy: %v\n", err)
		return 1
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintf(stderr, "%s:%d: warning: %s\n", w.File, w.Line, w.Msg)
	}
	var list config.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			fmt.Fprintln(stderr, e)
		}
		return 1
	}
	if !cfg.MPMLoaded() {
		fmt.Fprintln(stderr, noMPM)
		return 1
	}
	// As httpd runs every directive's handler for -t, build the site too:
	// values only a handler checks (ProxyPass URLs, Header formats, ...)
	// are reported here rather than when serving.
	seen := len(cfg.Warnings)
	_, err = config.Build(cfg, &config.BuildOptions{CheckLogDirs: true, CheckDocumentRoot: true, CheckUsers: true})
	for _, w := range cfg.Warnings[seen:] { // the build's own
		fmt.Fprintf(stderr, "%s:%d: warning: %s\n", w.File, w.Line, w.Msg)
	}
	if err != nil {
		printErr(stderr, err)
		return 1
	}
	fmt.Fprintln(stdout, "Syntax OK")
	return 0
}

// versionLine names the build: the module version when built from a
// tagged module, "(devel)" otherwise.
func versionLine() string {
	v := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		v = bi.Main.Version
	}
	return fmt.Sprintf("logproxy version %s %s %s/%s", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
