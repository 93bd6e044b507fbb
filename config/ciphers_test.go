package config

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/jl6/logproxy/proxy"
)

// TestSelectCiphers reads the cipher strings of testdata/ciphers, each
// with the suites OpenSSL selected for it (of those Go implements), and
// checks that selectCiphers selects the same.
func TestSelectCiphers(t *testing.T) {
	data, err := os.ReadFile("testdata/ciphers/selected.tsv")
	if err != nil {
		t.Fatal(err)
	}
	names := map[uint16]string{}
	for _, s := range proxy.TLSSuites() {
		names[s.ID] = s.Name
	}
	n := 0
	for line := range strings.SplitSeq(strings.TrimSuffix(string(data), "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		spec, want, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		n++
		t.Run(spec, func(t *testing.T) {
			var got []string
			for _, id := range selectCiphers(spec + ":!aNULL:!eNULL:!EXP") {
				got = append(got, names[id])
			}
			slices.Sort(got)
			if g := strings.Join(got, " "); g != want {
				t.Errorf("selectCiphers(%q)\n got %s\nwant %s", spec, g, want)
			}
		})
	}
	if n < 30 {
		t.Fatalf("%d cipher strings, want the 30 or more recorded", n)
	}
}

// FuzzSelectCiphers checks properties of any cipher string: the suites
// are Go's, once each, in Go's order; "@STRENGTH" changes nothing; a
// string followed by ":!ALL" selects nothing, and "!ALL:" before it
// nothing either.
func FuzzSelectCiphers(f *testing.F) {
	data, err := os.ReadFile("testdata/ciphers/strings.txt")
	if err != nil {
		f.Fatal(err)
	}
	for line := range strings.SplitSeq(strings.TrimSpace(string(data)), "\n") {
		f.Add(line)
	}
	order := map[uint16]int{}
	for i, s := range proxy.TLSSuites() {
		order[s.ID] = i
	}
	f.Fuzz(func(t *testing.T, spec string) {
		ids := selectCiphers(spec)
		last := -1
		for _, id := range ids {
			i, ok := order[id]
			if !ok || i <= last {
				t.Fatalf("selectCiphers(%q) = %x: not Go's suites once each in order", spec, ids)
			}
			last = i
		}
		if again := selectCiphers(spec + ":@STRENGTH"); !slices.Equal(again, ids) {
			t.Fatalf("@STRENGTH changed %q: %x, then %x", spec, ids, again)
		}
		if none := selectCiphers(spec + ":!ALL"); len(none) != 0 {
			t.Fatalf("%q:!ALL selects %x", spec, none)
		}
		if none := selectCiphers("!ALL:" + spec); len(none) != 0 {
			t.Fatalf("!ALL:%q selects %x", spec, none)
		}
	})
}
