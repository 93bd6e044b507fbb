// Command sidebyside is the side-by-side benchmark of logproxy against
// Apache httpd, nginx, HAProxy and Caddy (issue 6): every proxy does the
// same job in front of the same backend, in the same run on the same
// machine, and the figures go to docs/benchmarks.md.
//
// Run it from the repository root with `make bench`, or
//
//	cd integration/bench && go run ./cmd/sidebyside [-short] [-out ../../docs/benchmarks.md]
//
// See docs/benchmarks.md (which it writes) for what it measures and how.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "backend":
			os.Exit(runBackend(os.Args[2:]))
		case "httputil":
			os.Exit(runRefProxy(os.Args[2:]))
		}
	}
	if err := runHarness(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "sidebyside:", err)
		os.Exit(1)
	}
}
