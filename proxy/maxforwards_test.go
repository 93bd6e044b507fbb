package proxy

import (
	"math"
	"testing"
)

// TestStrtoi64: Max-Forwards is read as httpd reads it, with
// apr_strtoi64 (C's strtoll) and nothing after the number.
func TestStrtoi64(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"5", 5, true},
		{"0", 0, true},
		{"", 0, true}, // strtoll leaves end at the empty string
		{" 7", 7, true},
		{"\t+7", 7, true},
		{"-1", -1, true},
		{"7 ", 0, false},
		{"abc", 0, false},
		{"  ", 0, false},
		{"0x10", 0, false},
		{"+", 0, false},
		{"99999999999999999999", math.MaxInt64, true},
		{"-99999999999999999999", math.MinInt64, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"9223372036854775808", math.MaxInt64, true},
		{"-9223372036854775808", math.MinInt64, true},
	}
	for _, tc := range tests {
		got, ok := strtoi64(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("strtoi64(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
