package logformat

import "testing"

func TestNicknames(t *testing.T) {
	var main Nicknames
	main.Define("common", `%h %l %u %t "%r" %>s %O`)
	main.Define("latenick", "late:%h %>s %U")
	main.Define("COMMON", `%h %>s`) // same name, other case: replaces
	vhost := Nicknames{Parent: &main}
	vhost.Define("agent", "%{User-agent}i")
	main.Define("CLF", "redefined")

	tests := []struct {
		name string
		n    *Nicknames
		in   string
		want string
	}{
		{"predefined CLF", &Nicknames{}, "CLF", DefaultFormat},
		{"CLF any case", &Nicknames{}, "clf", DefaultFormat},
		{"defined", &main, "latenick", "late:%h %>s %U"},
		{"replaced, other case", &main, "common", `%h %>s`},
		{"typo is a literal format", &main, "combinde", "combinde"},
		{"vhost's own", &vhost, "agent", "%{User-agent}i"},
		{"vhost falls back to main", &vhost, "latenick", "late:%h %>s %U"},
		{"main redefines CLF", &main, "CLF", "redefined"},
		{"vhost keeps the built-in CLF", &vhost, "CLF", DefaultFormat},
		{"main does not see vhost's", &main, "agent", "agent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.n.Resolve(tt.in); got != tt.want {
				t.Errorf("Resolve(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
