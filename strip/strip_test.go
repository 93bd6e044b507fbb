package strip

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	s, err := Compile("X-JL6-*", "X-Internal", "x-debug-")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		want bool
	}{
		{"X-JL6-CID", true},
		{"x-jl6-oid", true},
		{"X-JL6-", true},
		{"X-JL6", false},
		{"X-JL7-CID", false},
		{"X-Internal", true},
		{"x-internal", true},
		{"X-Internal-2", false},
		{"X-Debug-", true},
		{"X-Debug-Info", false},
		{"Content-Type", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.Match(tt.name); got != tt.want {
				t.Errorf("Match(%q) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}

func TestCompileRejects(t *testing.T) {
	for _, p := range []string{"*", "", "X JL6", "X-JL6-*-*", "X:Y", "X-é"} {
		if _, err := Compile(p); err == nil {
			t.Errorf("Compile(%q) succeeded, want an error", p)
		}
	}
}

func TestZeroAndNil(t *testing.T) {
	var s *Set
	if s.Match("X") || !s.Empty() {
		t.Error("a nil Set matched or is not empty")
	}
	if (&Set{}).Match("X") {
		t.Error("the zero Set matched")
	}
}

func TestHeader(t *testing.T) {
	s, _ := Compile("X-JL6-*")
	h := http.Header{
		"Content-Type": {"text/plain"},
		"X-Jl6-Cid":    {"17"},
		"X-Jl6-Oid":    {"42", "43"},
		"Trailer":      {"X-JL6-Sum, Server-Timing", "x-jl6-other"},
	}
	s.Header(h)
	want := http.Header{
		"Content-Type": {"text/plain"},
		"Trailer":      {"Server-Timing"},
	}
	if !equalHeader(h, want) {
		t.Errorf("Header() left %v, want %v", h, want)
	}
	only := http.Header{"Trailer": {"X-JL6-A,X-JL6-B"}}
	s.Header(only)
	if len(only) != 0 {
		t.Errorf("a Trailer field naming only stripped fields survived: %v", only)
	}
}

func equalHeader(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// FuzzMatch checks Match against a plain reference on arbitrary names.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{"X-JL6-CID", "x-jl6-", "X-JL", "Content-Type", "", "X-JL6-\xff"} {
		f.Add("X-JL6-*", s)
		f.Add("X-Internal", s)
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		s, err := Compile(pattern)
		if err != nil {
			return
		}
		p, prefix := strings.CutSuffix(pattern, "*")
		var want bool
		if prefix {
			want = strings.HasPrefix(strings.ToLower(name), strings.ToLower(p)) && asciiFoldOnly(name, len(p))
		} else {
			want = strings.EqualFold(name, p) && asciiFoldOnly(name, len(name))
		}
		if got := s.Match(name); got != want {
			t.Fatalf("Compile(%q).Match(%q) = %v, want %v", pattern, name, got, want)
		}
	})
}

// asciiFoldOnly reports whether the first n bytes of s are ASCII, where
// strings.EqualFold and HTTP's ASCII-only folding agree.
func asciiFoldOnly(s string, n int) bool {
	if n > len(s) {
		n = len(s)
	}
	for i := 0; i < n; i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
