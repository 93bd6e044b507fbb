package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse checks, for any input: Parse does not panic; every error and
// warning about the input itself has a line number within it; and an
// input without errors prints to text that parses to the same tree.
// The seeds are the golden inputs.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.conf")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		input, _, _ := strings.Cut(string(data), goldenSep)
		f.Add(input)
	}
	opts := &Options{
		ServerRoot: "/",
		FS:         os.DirFS(goldenFS),
		LookupEnv:  func(string) (string, bool) { return "", false },
	}
	f.Fuzz(func(t *testing.T, input string) {
		cfg, err := Parse("httpd.conf", []byte(input), opts)
		var list ErrorList
		if err != nil && !errors.As(err, &list) {
			t.Fatalf("Parse returned %T, want ErrorList: %v", err, err)
		}
		if cfg == nil {
			t.Fatal("Parse returned a nil Config")
		}
		lines := strings.Count(input, "\n") + 1
		for _, e := range append(append(ErrorList{}, list...), cfg.Warnings...) {
			if e.File == "httpd.conf" && (e.Line < 1 || e.Line > lines) {
				t.Errorf("%v: line outside the input's %d lines", e, lines)
			}
		}
		if err != nil {
			return
		}
		printed := cfg.String()
		again, err := Parse("printed.conf", []byte(printed), opts)
		if err != nil {
			t.Fatalf("printed tree does not parse: %v\ninput:\n%s\nprinted:\n%s", err, input, printed)
		}
		if diff := treeDiff(cfg.Directives, again.Directives); diff != "" {
			t.Fatalf("printed tree parses differently: %s\ninput:\n%q\nprinted:\n%s", diff, input, printed)
		}
	})
}
