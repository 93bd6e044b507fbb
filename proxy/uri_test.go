package proxy

import "testing"

// TestFoldEqLower compares foldEqLower with a byte-at-a-time ASCII fold
// for every byte value at every position of names from 1 to 26 bytes,
// the rest of the name in upper case (so that the folded path is taken
// in the other words too).
func TestFoldEqLower(t *testing.T) {
	const lower = "x-forwarded-server-0123:a~"
	for n := 1; n <= len(lower); n++ {
		l := lower[:n]
		for p := 0; p < n; p++ {
			b := []byte(l)
			for i := range b {
				if 'a' <= b[i] && b[i] <= 'z' {
					b[i] -= 'a' - 'A'
				}
			}
			for c := 0; c < 256; c++ {
				b[p] = byte(c)
				want := true
				for i := range b {
					if cLower(b[i]) != l[i] {
						want = false
					}
				}
				if got := foldEqLower(string(b), l); got != want {
					t.Fatalf("foldEqLower(%q, %q) = %v, want %v", b, l, got, want)
				}
				if got := foldEqLower(b, l); got != want {
					t.Fatalf("foldEqLower([]byte %q, %q) = %v, want %v", b, l, got, want)
				}
			}
		}
	}
	if foldEqLower("Host", "hosts") || foldEqLower("", "a") || !foldEqLower("", "") {
		t.Error("names of other lengths compared wrongly")
	}
}
