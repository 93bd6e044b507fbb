// Package bench compares logproxy with its peers.
//
// The _test.go files compare logproxy's logformat with other Go access-log
// writers, rendering Apache's "combined" line for the same request.
// cmd/sidebyside is the side-by-side benchmark of the whole proxy against
// Apache httpd, nginx, HAProxy and Caddy doing the same job on the same
// machine (issue 6); it writes docs/benchmarks.md.
//
// It is a module of its own so that the peers it measures (gorilla/handlers)
// never enter logproxy's go.mod. See README.md for what each benchmark
// measures and how to run it.
package bench
