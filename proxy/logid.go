package proxy

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"
)

// logIDCounter makes log ids unique within the process.
var logIDCounter atomic.Uint32

// newLogID makes an id for %L as httpd's core_generate_log_id does: the
// time in microseconds mixed with a counter, base64-encoded without
// padding (11 characters).
func newLogID() string {
	var b [8]byte
	id := uint64(time.Now().UnixMicro())<<16 ^ uint64(logIDCounter.Add(1))
	binary.LittleEndian.PutUint64(b[:], id)
	return strings.TrimRight(base64.StdEncoding.EncodeToString(b[:]), "=")
}

// logError writes an error about the request to the error log. As
// httpd's log_error_core does for every entry that passes LogLevel,
// whatever ErrorLogFormat shows, the request and its connection get log
// ids, which %L and %{c}L then log (and the error log's %L).
func (ex *exchange) logError(msg string, args ...any) {
	ex.logAt(slog.LevelError, msg, args...)
}

// logAt is logError at another level.
func (ex *exchange) logAt(level slog.Level, msg string, args ...any) {
	l := ex.c.e.log()
	if l.Enabled(context.Background(), level) {
		if ex.logID == "" {
			ex.logID = newLogID()
		}
		if ex.c.logID == "" {
			ex.c.logID = newLogID()
		}
	}
	if f := ex.srv.ErrorLogFormat; strings.Contains(f, "%L") || strings.Contains(f, "}L") {
		args = append(args, "log_id", ex.logID)
	}
	args = append(args, "client", ex.useragentIP+":"+itoa(ex.useragentPort))
	if f := ex.srv.ErrorLogFormat; f != "" {
		args = append(args, "errorlogformat", f)
	}
	l.Log(context.Background(), level, msg, args...)
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
