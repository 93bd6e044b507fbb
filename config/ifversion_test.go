package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestIfVersion: <IfVersion> reads or skips its body, or refuses the
// line, as apache2 -t 2.4.71 did for each row (the body is a line httpd
// refuses, so reading it shows as an error at line 6).
func TestIfVersion(t *testing.T) {
	const head = "LoadModule mpm_event_module x\nListen 127.0.0.1:0\n"
	tests := []struct {
		test string
		line int    // 0: Syntax OK (the body was skipped)
		want string // the message
	}{
		{"!2.4.71", 5, "Version appears to be invalid. It must have the format major[.minor[.patch]] where major, minor and patch are numbers."},
		{"! 2.4.71", 5, "unrecognized operator '!'"},
		{"!= 2.4.70", 6, "KeepAlive must be On or Off"},
		{`"2.4.71" >`, 5, "unrecognized operator '2.4.71'"},
		{">= 2.4.72", 0, ""},
		{"== 2.4", 0, ""},
		{"<= 2.4.71", 6, "KeepAlive must be On or Off"},
		{`~ ^2\.5`, 0, ""},
		{`= /^2\.4/`, 6, "KeepAlive must be On or Off"},
		{`= /^2\.4`, 5, "Missing delimiting / of regular expression."},
		{"2.4.71", 6, "KeepAlive must be On or Off"},
		{"> 2", 6, "KeepAlive must be On or Off"},
	}
	for _, tt := range tests {
		t.Run(tt.test, func(t *testing.T) {
			src := head + "KeepAlive On\nTimeout 5\n<IfVersion " + tt.test + ">\nKeepAlive Bogus\n</IfVersion>\n"
			root := t.TempDir()
			path := filepath.Join(root, "httpd.conf")
			if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, err := ParseFile(path, &Options{ServerRoot: root})
			if err == nil {
				_, err = Build(cfg, &BuildOptions{Location: time.UTC})
			}
			if tt.line == 0 {
				if err != nil {
					t.Fatalf("error %v, want none", err)
				}
				return
			}
			want := fmt.Sprintf("httpd.conf:%d: %s", tt.line, tt.want)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error %v, want %q", err, want)
			}
		})
	}
}
