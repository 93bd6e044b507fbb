// Package proxy serves HTTP and forwards requests to backends as mod_proxy does.
//
// # The hot path
//
// Listeners accept with one raw accept4(2) (accept_linux.go), and an
// accepted socket is registered with the runtime's poller directly, not
// through package net or os (pollfd_linux.go): no call on a client
// connection, from accept to close, enters the runtime's syscall state,
// which would wake the runtime's monitor thread whenever the process had
// gone idle between connections.
//
// A client connection runs on a worker goroutine (workers.go) that keeps
// its grown stack for the next connection. It reads a request head into a
// pooled buffer (h1request.go), maps it to a route, and sends it to a
// kept-alive backend connection (backend*.go); the answer's head is
// parsed from the backend's buffer, filtered (mod_headers, StripHeader)
// and written with the body; then the access-log line is rendered into a
// pooled buffer and written with one write(2) (accesslog.go), or with
// BufferedLogs On gathered with others into one write of up to 4 KiB
// (bufferedlog.go).
//
// Socket reads and writes, and the log write, are raw non-blocking system
// calls made through syscall.RawConn (rawsock.go): the runtime's poller
// still waits for readiness and enforces deadlines, but the calls skip
// entersyscall/exitsyscall, whose cost on a core shared with the backend
// was more than the calls' own (a preempted "syscall" had sysmon hand the
// P to another thread). A bodiless request is written to the backend and
// its answer waited for in one step, without the read that would fail
// with EAGAIN; and a read that left the socket empty, with no end of
// stream waiting (TCP_INQ tells), is followed by a wait for readiness,
// not by a read that fails with EAGAIN, as nginx does. Deadlines are moved only when they fall behind by a 64th
// of their timeout, so a busy connection does not change a timer per request.
//
// A keep-alive connection waits idleGrace for its next request with its
// read buffer; then it is parked in the engine's epoll set
// (idlepoll_linux.go) with neither buffer nor goroutine, and resumed on a
// worker when bytes arrive. When many connections wait out the grace at
// once, the rest park sooner, so that a flood of idle connections costs a
// few KiB each.
//
// docs/benchmarks.md (make bench) measures all of this side by side with
// nginx, HAProxy, Apache and Caddy.
package proxy
