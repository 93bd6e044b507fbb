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
	format string // the main server's ErrorLogFormat; "" for httpd's default
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
	case l >= slogInfo:
		return LevelInfo
	}
	return LevelDebug
}

// slogInfo is the slog level of httpd's info, between slog's Debug
// (httpd's debug) and Info (httpd's notice).
const slogInfo = slog.LevelInfo - 2

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
	e := errEntry{module: "core", t: r.Time, msg: r.Message}
	var extra []string
	each := func(a slog.Attr) bool {
		switch a.Key {
		case "module":
			e.module = a.Value.String()
		case "client":
			e.client = a.Value.String()
		case "log_id":
			e.logID = a.Value.String()
		case "errorlogformat":
			e.format = a.Value.String()
		default:
			extra = append(extra, a.Key+"="+strconv.Quote(a.Value.String()))
		}
		return true
	}
	for _, a := range h.attrs {
		each(a)
	}
	r.Attrs(each)
	e.level = slogLevel(r.Level)
	limit := h.level
	if m, ok := h.module[e.module]; ok {
		limit = m
	}
	if e.level > limit {
		return nil
	}
	if e.t.IsZero() {
		e.t = time.Now()
	}
	// The message is escaped as log_error_core escapes it; the extra
	// attributes are quoted already.
	e.msg = escapeErrorLogItem(e.msg)
	if len(extra) > 0 {
		e.msg += " " + strings.Join(extra, " ")
	}
	format := e.format
	if format == "" {
		format = h.format
	}
	line := e.render(format)
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, line)
	return err
}

// errEntry is one error-log entry being formatted.
type errEntry struct {
	t             time.Time
	level         LogLevel
	module, msg   string
	client, logID string
	format        string
}

// render formats the entry with an ErrorLogFormat, as httpd's
// do_errorlog_format does for the items logproxy knows: %% %t %{u}t
// %{cu}t %l %m %M %P %T %L %a %E %F (the last two are empty here). A
// field whose value is empty is dropped with the text up to the next
// blank when it carries the - modifier (httpd's "%-m:%l" style), and a
// "\\ " is a blank that does not end a field.
func (e *errEntry) render(format string) string {
	if format == "" {
		return e.renderDefault()
	}
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c == '\\' && i+1 < len(format) {
			i++
			b.WriteByte(format[i])
			continue
		}
		if c != '%' || i+1 >= len(format) {
			b.WriteByte(c)
			continue
		}
		i++
		for i < len(format) && (format[i] == '-' || format[i] == '+' || ('0' <= format[i] && format[i] <= '9')) {
			i++
		}
		arg := ""
		if i < len(format) && format[i] == '{' {
			end := strings.IndexByte(format[i:], '}')
			if end < 0 {
				break
			}
			arg = format[i+1 : i+end]
			i += end + 1
		}
		if i >= len(format) {
			break
		}
		switch format[i] {
		case '%':
			b.WriteByte('%')
		case 't':
			switch arg {
			case "u":
				b.WriteString(e.t.Format("Mon Jan 02 15:04:05.000000 2006"))
			case "cu":
				b.WriteString(e.t.Format("2006-01-02 15:04:05.000000"))
			case "c":
				b.WriteString(e.t.Format("2006-01-02 15:04:05"))
			default:
				b.WriteString(e.t.Format("Mon Jan 02 15:04:05 2006"))
			}
		case 'l':
			b.WriteString(e.level.String())
		case 'm':
			b.WriteString(e.module)
		case 'M':
			b.WriteString(e.msg)
		case 'P':
			b.WriteString(strconv.Itoa(os.Getpid()))
		case 'T':
			b.WriteString(strconv.Itoa(gettid()))
		case 'L':
			if e.logID == "" {
				b.WriteByte('-')
			} else {
				b.WriteString(e.logID)
			}
		case 'a':
			b.WriteString(e.client)
		}
	}
	b.WriteByte('\n')
	return b.String()
}

// renderDefault is httpd's default entry: [time] [module:level] [pid N:tid
// T] [client a] message.
func (e *errEntry) renderDefault() string {
	var b strings.Builder
	b.WriteByte('[')
	b.WriteString(e.t.Format("Mon Jan 02 15:04:05.000000 2006"))
	b.WriteString("] [")
	b.WriteString(e.module)
	b.WriteByte(':')
	b.WriteString(e.level.String())
	b.WriteString("] [pid ")
	b.WriteString(strconv.Itoa(os.Getpid()))
	b.WriteString(":tid ")
	b.WriteString(strconv.Itoa(gettid()))
	b.WriteString("] ")
	if e.client != "" {
		b.WriteString("[client ")
		b.WriteString(e.client)
		b.WriteString("] ")
	}
	b.WriteString(e.msg)
	b.WriteByte('\n')
	return b.String()
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
	h := &errorHandler{mu: new(sync.Mutex), w: w, level: level, module: cfg.Module, format: s.Main.ErrorLogFormat}
	return slog.New(h), closeFn, nil
}

// escapeErrorLogItem escapes s as httpd's ap_escape_errorlog_item escapes
// an error-log message: \b \n \r \t \v and \\, and \xhh for the other
// control bytes and every byte above 0x7e; unlike the access log, '"'
// stays as it is. No client can start a line of its own in the log.
func escapeErrorLogItem(s string) string {
	i := 0
	for i < len(s) && errorLogSafe(s[i]) {
		i++
	}
	if i == len(s) {
		return s
	}
	const hex = "0123456789abcdef"
	b := make([]byte, 0, len(s)+16)
	b = append(b, s[:i]...)
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case errorLogSafe(c):
			b = append(b, c)
		case errorLogShort[c] != 0:
			b = append(b, '\\', errorLogShort[c])
		default:
			b = append(b, '\\', 'x', hex[c>>4], hex[c&0xf])
		}
	}
	return string(b)
}

// errorLogShort holds the one-letter escapes of escapeErrorLogItem.
var errorLogShort = [256]byte{'\b': 'b', '\n': 'n', '\r': 'r', '\t': 't', '\v': 'v', '\\': '\\'}

// errorLogSafe reports whether c goes into the error log as it is.
func errorLogSafe(c byte) bool { return c >= 0x20 && c < 0x7f && c != '\\' }
