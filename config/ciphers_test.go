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
