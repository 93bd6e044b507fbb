package proxy

import (
	"bytes"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"testing"
)

func TestErrorLogFormat(t *testing.T) {
	var buf bytes.Buffer
	h := &errorHandler{mu: new(sync.Mutex), w: &buf, level: LevelWarn, module: map[string]LogLevel{"proxy": LevelInfo}}
	log := slog.New(h)
	log.Info("not shown: core is at warn", "module", "core")
	log.Info("shown: proxy is at info", "module", "proxy")
	log.Error("AH01114: refused", "module", "proxy", "client", "127.0.0.1:4000", "log_id", "abc", "errorlogformat", "[%t] [%l] [%L] %M")
	log.Error("default format", "module", "core", "client", "10.0.0.1:1", "extra", "x")
	want := []*regexp.Regexp{
		regexp.MustCompile(`^\[\w{3} \w{3} \d\d \d\d:\d\d:\d\d\.\d{6} \d{4}\] \[proxy:notice\] \[pid \d+:tid \d+\] shown: proxy is at info$`),
		regexp.MustCompile(`^\[\w{3} \w{3} \d\d \d\d:\d\d:\d\d \d{4}\] \[error\] \[abc\] AH01114: refused$`),
		regexp.MustCompile(`^\[.*\] \[core:error\] \[pid \d+:tid \d+\] \[client 10\.0\.0\.1:1\] default format extra="x"$`),
	}
	lines := bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), buf.String())
	}
	for i, re := range want {
		if !re.Match(lines[i]) {
			t.Errorf("line %d = %q, want it to match %s", i, lines[i], re)
		}
	}
}

// TestEscapeErrorLogItem: every byte value, alone and between text, is
// escaped as httpd's ap_escape_errorlog_item escapes it: printable ASCII
// but '\\' as it is ('"' included), the five short escapes, \\ and \xhh
// for the rest. A message with nothing to escape comes back unchanged.
func TestEscapeErrorLogItem(t *testing.T) {
	short := map[byte]string{'\b': `\b`, '\n': `\n`, '\r': `\r`, '\t': `\t`, '\v': `\v`, '\\': `\\`}
	for c := 0; c < 256; c++ {
		want := fmt.Sprintf(`\x%02x`, c)
		switch s, ok := short[byte(c)]; {
		case ok:
			want = s
		case c >= 0x20 && c < 0x7f:
			want = string(rune(c))
		}
		if got := escapeErrorLogItem("a" + string([]byte{byte(c)}) + "b"); got != "a"+want+"b" {
			t.Errorf("byte %#x: %q, want %q", c, got, "a"+want+"b")
		}
	}
	if got := escapeErrorLogItem(`value of "x" ok`); got != `value of "x" ok` {
		t.Errorf("plain message changed: %q", got)
	}
}
