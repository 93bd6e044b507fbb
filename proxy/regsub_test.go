package proxy

import (
	"regexp"
	"testing"
)

// TestRegsubAndEdit: ap_pregsub's $N and backslash escapes, and
// process_regexp's edit and edit* (a match again at the start of what
// follows). The first three rows are what apache2 2.4.71 made of these
// headers (integration testdata/regsub); the others follow from
// regsub_core's two rules.
func TestRegsubAndEdit(t *testing.T) {
	tests := []struct {
		name, re, value, repl string
		all                   bool
		want                  string
	}{
		{"escapes and groups", "^(a)(b)", "abcabc", `\$1-bar-$2&`, false, "$1-bar-b&cabc"},
		{"anchored edit* again", "^a", "aaa", "b", true, "bbb"},
		{"missing group", "([0-9])", "a1b2c3", "<$1$9>", true, "a<1>b<2>c<3>"},
		{"backslash before letter", "(y)", "xyz", `\\$1\z`, false, `x\yzz`},
		{"no match", "q", "abc", "z", true, "abc"},
		{"empty match stops", "x*", "abc", "-", true, "-abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &HeaderRule{Action: HeaderEdit, Regex: regexp.MustCompile(tt.re)}
			if tt.all {
				h.Action = HeaderEditAll
			}
			if got := editValue(h, tt.value, func() string { return tt.repl }); got != tt.want {
				t.Errorf("edit %q on %q with %q = %q, want %q", tt.re, tt.value, tt.repl, got, tt.want)
			}
		})
	}
}
