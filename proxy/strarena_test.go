package proxy

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
)

// TestStrArena: every string the arena made keeps its bytes while the
// source buffer is overwritten and later strings fill the chunk, through
// several chunks; long strings and a nil arena make plain strings.
func TestStrArena(t *testing.T) {
	tests := []struct {
		name  string
		arena *strArena
		sizes []int
	}{
		{"short strings over several chunks", new(strArena), []int{1, 7, 100, 300, 999, 1024, 5, 928}},
		{"strings that just fit or just miss a chunk's rest", new(strArena), []int{strArenaMax, strArenaMax, strArenaMax, strArenaMax - 1, 2, strArenaMax}},
		{"longer than the arena takes", new(strArena), []int{strArenaMax + 1, strArenaChunk, 3}},
		{"nil arena", nil, []int{10, 2000}},
		{"empty", new(strArena), []int{0, 0, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := make([]byte, 0, strArenaChunk)
			var got []string
			var want []string
			for round := 0; round < 20; round++ {
				for i, n := range tt.sizes {
					// The source is reused, as the parser's buffer is.
					src = src[:0]
					c := byte('a' + (round*len(tt.sizes)+i)%26)
					src = append(src, bytes.Repeat([]byte{c}, n)...)
					got = append(got, tt.arena.str(src))
					want = append(want, strings.Repeat(string(c), n))
					for j := range src {
						src[j] = '!'
					}
				}
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("string %d = %.20q... (len %d), want %.20q... (len %d)", i, got[i], len(got[i]), want[i], len(want[i]))
				}
			}
		})
	}
}

// TestStrArenaShares: short strings share chunks, one allocation for
// many, which is what the arena is for.
func TestStrArenaShares(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	var a strArena
	b := []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	const n = 1000
	keep := make([]string, 0, n)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n {
		keep = append(keep, a.str(b))
	}
	runtime.ReadMemStats(&after)
	chunks := n*len(b)/strArenaChunk + 1
	if got := after.Mallocs - before.Mallocs; got > uint64(chunks)+2 {
		t.Errorf("%d allocations for %d strings of %d bytes, want about %d (one a chunk)", got, n, len(b), chunks)
	}
	for _, s := range keep {
		if s != string(b) {
			t.Fatalf("a kept string changed: %q", s)
		}
	}
}
