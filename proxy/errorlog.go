package proxy

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// errorHandler is a slog.Handler that writes httpd-style error log lines:
//
//	[Sun Nov 22 05:43:19.123456 2026] [proxy:error] [pid 4242:tid 4243] message key=value
//
// Each record's "module" attribute names its logger (core, proxy, config,
// log, ...); LogLevel sets a level per module.
type errorHandler struct {
	mu     *sync.Mutex
	w      io.Writer
	level  LogLevel
	module map[string]LogLevel
	attrs  []slog.Attr
}

// slogLevel maps an slog level to httpd's.
func slogLevel(l slog.Level) LogLevel {
	switch {
	case l >= slog.LevelError:
		return LevelError
	case l >= slog.LevelWarn:
		return LevelWarn
	case l >= slog.LevelInfo:
		return LevelNotice
	}
	return LevelDebug
}

func (h *errorHandler) Enabled(_ context.Context, l slog.Level) bool {
	lvl := slogLevel(l)
	if lvl <= h.level {
		return true
	}
	for _, m := range h.module {
		if lvl <= m {
			return true
		}
	}
	return false
}

func (h *errorHandler) Handle(_ context.Context, r slog.Record) error {
	module := "core"
	var extra []string
	each := func(a slog.Attr) bool {
		if a.Key == "module" {
			module = a.Value.String()
			return true
		}
		extra = append(extra, a.Key+"="+strconv.Quote(a.Value.String()))
		return true
	}
	for _, a := range h.attrs {
		each(a)
	}
	r.Attrs(each)
	lvl := slogLevel(r.Level)
	limit := h.level
	if m, ok := h.module[module]; ok {
		limit = m
	}
	if lvl > limit {
		return nil
	}
	t := r.Time
	if t.IsZero() {
		t = time.Now()
	}
	var b strings.Builder
	b.WriteByte('[')
	b.WriteString(t.Format("Mon Jan 02 15:04:05.000000 2006"))
	b.WriteString("] [")
	b.WriteString(module)
	b.WriteByte(':')
	b.WriteString(lvl.String())
	b.WriteString("] [pid ")
	b.WriteString(strconv.Itoa(os.Getpid()))
	b.WriteString(":tid ")
	b.WriteString(strconv.Itoa(syscall.Gettid()))
	b.WriteString("] ")
	b.WriteString(strings.ReplaceAll(r.Message, "\n", "\\n"))
	for _, e := range extra {
		b.WriteByte(' ')
		b.WriteString(e)
	}
	b.WriteByte('\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

func (h *errorHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	n := *h
	n.attrs = append(append([]slog.Attr(nil), h.attrs...), attrs...)
	return &n
}

func (h *errorHandler) WithGroup(string) slog.Handler { return h }

// OpenErrorLog opens the site's ErrorLog (a file, or stderr when unset)
// and returns a logger writing httpd-style lines to it at the configured
// LogLevel, with a function that closes it.
func OpenErrorLog(s *Site, stderr io.Writer) (*slog.Logger, func(), error) {
	cfg := s.ErrorLog
	w := stderr
	closeFn := func() {}
	switch {
	case cfg.Path == "" || cfg.Path == "/dev/stderr":
	case strings.HasPrefix(cfg.Path, "|") || strings.HasPrefix(cfg.Path, "syslog"):
		return nil, nil, fmt.Errorf("ErrorLog %q: piped and syslog error logs are not supported yet", cfg.Path)
	default:
		f, err := os.OpenFile(cfg.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return nil, nil, fmt.Errorf("could not open error log file %s: %w", cfg.Path, err)
		}
		w = f
		closeFn = func() { f.Close() }
	}
	level := cfg.Level
	if level == 0 && !cfg.LevelSet {
		level = LevelWarn
	}
	h := &errorHandler{mu: new(sync.Mutex), w: w, level: level, module: cfg.Module}
	return slog.New(h), closeFn, nil
}
