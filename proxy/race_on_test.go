//go:build race

package proxy

// raceEnabled reports whether the race detector is on; it makes extra
// allocations, so allocation counts are not checked under it.
const raceEnabled = true
