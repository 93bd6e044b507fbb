package proxy

import (
	"strings"
	"testing"
	"time"
)

func TestBalancerPick(t *testing.T) {
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	member := func(name string, lf int) *BalancerMember {
		return &BalancerMember{Name: name, LoadFactor: lf, Retry: time.Minute}
	}
	seq := func(b *Balancer, n int, at time.Time) string {
		var out []string
		for i := 0; i < n; i++ {
			m := b.pick(at)
			if m == nil {
				out = append(out, "-")
				continue
			}
			out = append(out, m.Name)
		}
		return strings.Join(out, " ")
	}
	t.Run("loadfactor", func(t *testing.T) {
		// Worked by hand from find_best_byrequests: lbstatus += lbfactor
		// for each usable member, the highest (first of equals) wins and
		// gives back the total.
		b := &Balancer{Members: []*BalancerMember{member("a", 1), member("b", 2)}}
		if got, want := seq(b, 6, now), "b a b b a b"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("error and retry", func(t *testing.T) {
		a, c := member("a", 1), member("c", 1)
		b := &Balancer{Members: []*BalancerMember{a, c}}
		b.failed(a, now)
		if got, want := seq(b, 3, now.Add(time.Second)), "c c c"; got != want {
			t.Errorf("with a in error: %q, want %q", got, want)
		}
		if got := b.pick(now.Add(2 * time.Minute)); got != a {
			t.Errorf("after retry: %v, want a back (first of equals)", got.Name)
		}
	})
	t.Run("hot standby and disabled", func(t *testing.T) {
		a, h, d := member("a", 1), member("h", 1), member("d", 1)
		h.HotStandby, d.Disabled = true, true
		b := &Balancer{Members: []*BalancerMember{d, a, h}}
		if got, want := seq(b, 2, now), "a a"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
		b.failed(a, now)
		if got, want := seq(b, 2, now), "h h"; got != want {
			t.Errorf("with a in error: %q, want the hot standby %q", got, want)
		}
	})
	t.Run("force recovery", func(t *testing.T) {
		a, c := member("a", 1), member("c", 1)
		b := &Balancer{Members: []*BalancerMember{a, c}}
		b.failed(a, now)
		b.failed(c, now)
		if got := b.pick(now); got == nil {
			t.Error("all members in error: none picked, want all taken back (forcerecovery)")
		}
	})
	t.Run("max attempts", func(t *testing.T) {
		b := &Balancer{Members: []*BalancerMember{member("a", 1), member("b", 1), member("c", 1)}}
		if b.maxAttempts() != 2 {
			t.Errorf("default maxattempts %d, want 2", b.maxAttempts())
		}
		b.MaxAttempts, b.MaxAttemptsSet = 0, true
		if b.maxAttempts() != 0 {
			t.Errorf("maxattempts=0: %d", b.maxAttempts())
		}
	})
}
