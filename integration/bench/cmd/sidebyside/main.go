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
