// Package integration holds end-to-end tests that run logproxy as real processes.
//
// # Conformance with Apache httpd
//
// TestConformance (conformance_test.go, build tag "conformance") replays
// the corpus in testdata/conformance (a copy of shared/conformance: what
// Apache httpd 2.4.71 logged for each request; see its README.md) against
// a server under test and reports "N passed, M failed":
//
//	go test -tags conformance -run TestConformance -v ./integration/
//
// LOGPROXY_CONFORMANCE_SERVER selects the server: "logproxy" (the default;
// built from ./cmd/logproxy, or LOGPROXY_CONFORMANCE_BIN) or "apache"
// (Debian's /usr/sbin/apache2, installed with apt-get if missing), which
// validates the driver itself. The run needs python3 for upstream.py and
// the fixed ports 127.0.0.1:18080-18090; it takes about 10 seconds.
//
// The corpus parsing and comparison code (conformance_*.go) is tested
// offline against the corpus by every `go test ./...`.
//
// # A Django application
//
// TestDjango (django_test.go) runs a Django site (Debian's python3-django
// under gunicorn; testdata/django) behind logproxy with the configuration
// such a site has behind Apache, and compares the access log with what
// apache2 2.4.71 wrote for the same requests; LOGPROXY_DJANGO_RECORD=1
// records it again from apache2. make deps installs the packages.
package integration
