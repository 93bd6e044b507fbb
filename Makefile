# logproxy: the two commands are `make run` and `make test`.
SHELL := /bin/bash
GO ?= go
GOBIN := $(shell $(GO) env GOPATH)/bin
STATICCHECK := $(GOBIN)/staticcheck
# Fuzz budgets count executions, not seconds: a duration races Go 1.26's fuzz
# coordinator at the deadline (golang/go#75804) and fails with a bare
# "context deadline exceeded" on a loaded machine.
FUZZTIME ?= 30000x

.PHONY: all build test deps vet staticcheck unit fuzz conformance bench run clean

all: build

build:
	$(GO) build -o bin/logproxy ./cmd/logproxy

# deps installs what the tests need on a fresh Debian machine; it is
# idempotent and quick when everything is already there.
deps:
	@need=""; \
	for p in tzdata gcc media-types python3 python3-django gunicorn; do dpkg -s $$p >/dev/null 2>&1 || need="$$need $$p"; done; \
	if [ -n "$$need" ]; then \
		echo "installing:$$need"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need; \
	fi
	@test -x $(STATICCHECK) || $(GO) install honnef.co/go/tools/cmd/staticcheck@v0.8.2

test: deps vet staticcheck unit fuzz conformance

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...
	GOOS=darwin $(GO) vet ./...
	cd integration/bench && $(GO) vet ./...

staticcheck:
	$(STATICCHECK) ./...
	cd integration/bench && $(STATICCHECK) ./...

# The proxy package also runs without the race detector: under it the
# socket reads are read(2) for the detector's sake, and the raw recvmsg
# path the server really takes (TCP_INQ, rawsock_inq_test.go) is only
# built without it. The benchmark harness (integration/bench, a module
# of its own) has unit tests that need no peer installed.
unit:
	$(GO) test -race -count=1 ./...
	$(GO) test -count=1 ./proxy/
	cd integration/bench && $(GO) test -count=1 ./...

# fuzz runs every native fuzz target for a short while.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		dir=$$($(GO) list -f '{{.Dir}}' $$pkg); \
		for t in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go 2>/dev/null | sed 's/^func //'); do \
			echo "fuzz $$pkg $$t"; \
			$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

# conformance replays the corpus of what Apache httpd 2.4.71 logged
# (integration/testdata/conformance) against logproxy end to end.
conformance:
	@log=$$(mktemp); \
	if $(GO) test -tags conformance -run TestConformance -count=1 -v ./integration/ > $$log 2>&1; then \
		grep -E '^(conformance|ok)' $$log; rm -f $$log; \
	else cat $$log; rm -f $$log; exit 1; fi

# bench runs the Go benchmarks, then the side-by-side benchmark of issue 6
# (integration/bench/cmd/sidebyside: logproxy against Apache httpd, nginx,
# HAProxy and Caddy, installed from Debian if missing; about 20 minutes),
# which writes docs/benchmarks.md. SIDEBYSIDE_FLAGS=-short for a quick look.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./logformat/
	cd integration/bench && $(GO) test -run '^$$' -bench . -benchmem ./...
	cd integration/bench && $(GO) build -o ../../bin/sidebyside ./cmd/sidebyside
	cd integration/bench && ../../bin/sidebyside -go $(GO) -repo ../.. -out ../../docs/benchmarks.md $(SIDEBYSIDE_FLAGS)

# demo builds the demo backend (examples/demobackend) that `make run` proxies to.
.PHONY: demo
demo:
	$(GO) build -o bin/demobackend ./examples/demobackend

# run serves examples/httpd.conf: logproxy on 127.0.0.1:8080 in the
# foreground, in front of the demo backend on 127.0.0.1:8090 (the ports are
# the configuration's). The server root is a scratch copy in tmp/run, so
# the logs land there. Ctrl-C stops logproxy; the EXIT trap then stops the
# backend, whatever way the recipe ends.
RUNROOT := $(CURDIR)/tmp/run

run: build demo
	@root='$(RUNROOT)'; backend=; \
	trap 'if [ -n "$$backend" ]; then kill $$backend 2>/dev/null; wait $$backend 2>/dev/null; fi' EXIT; \
	mkdir -p "$$root/logs" && cp examples/httpd.conf "$$root/httpd.conf" || exit 1; \
	if (exec 3<>/dev/tcp/127.0.0.1/8090) 2>/dev/null; then \
		echo "make run: 127.0.0.1:8090, the demo backend's address, is already in use" >&2; exit 1; \
	fi; \
	./bin/demobackend -addr 127.0.0.1:8090 & backend=$$!; \
	for i in $$(seq 50); do \
		(exec 3<>/dev/tcp/127.0.0.1/8090) 2>/dev/null && break; \
		kill -0 $$backend 2>/dev/null || { echo "make run: the demo backend did not start" >&2; exit 1; }; \
		sleep 0.1; \
	done; \
	echo "logproxy:      http://127.0.0.1:8080/  (demo backend on 127.0.0.1:8090)"; \
	echo "access log:    $$root/logs/access.log"; \
	echo "error log:     $$root/logs/error.log"; \
	echo "configuration: $$root/httpd.conf (a copy of examples/httpd.conf)"; \
	echo "Ctrl-C stops both."; \
	./bin/logproxy -d "$$root" -f httpd.conf

clean:
	rm -rf bin
