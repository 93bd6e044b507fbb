package logformat

import "testing"

func TestNicknames(t *testing.T) {
	var main Nicknames
	main.Define("common", `%h %l %u %t "%r" %>s %O`, EscapeJSON)
	main.Define("latenick", "late:%h %>s %U", EscapeApache)
	main.Define("COMMON", `%h %>s`, EscapeApache) // same name, other case: replaces, escaping too
	vhost := Nicknames{Parent: &main}
	vhost.Define("agent", `["%{User-agent}i"]`, EscapeJSON)
	main.Define("CLF", "redefined", EscapeApache)

	tests := []struct {
		name string
		n    *Nicknames
		in   string
		want string
		esc  Escape
	}{
		{"predefined CLF", &Nicknames{}, "CLF", DefaultFormat, EscapeApache},
		{"CLF any case", &Nicknames{}, "clf", DefaultFormat, EscapeApache},
		{"defined", &main, "latenick", "late:%h %>s %U", EscapeApache},
		{"replaced, other case", &main, "common", `%h %>s`, EscapeApache},
		{"typo is a literal format", &main, "combinde", "combinde", EscapeApache},
		{"vhost's own", &vhost, "agent", `["%{User-agent}i"]`, EscapeJSON},
		{"vhost falls back to main", &vhost, "latenick", "late:%h %>s %U", EscapeApache},
		{"main redefines CLF", &main, "CLF", "redefined", EscapeApache},
		{"vhost keeps the built-in CLF", &vhost, "CLF", DefaultFormat, EscapeApache},
		{"main does not see vhost's", &main, "agent", "agent", EscapeApache},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, esc := tt.n.Resolve(tt.in); got != tt.want || esc != tt.esc {
				t.Errorf("Resolve(%q) = %q, %v; want %q, %v", tt.in, got, esc, tt.want, tt.esc)
			}
		})
	}
}
