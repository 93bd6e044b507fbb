package proxy

import (
	"strings"
	"sync"
	"time"
)

// Balancer is a mod_proxy_balancer balancer (<Proxy balancer://name> with
// BalancerMember lines), with the byrequests method: each request goes to
// the member whose share of the requests is furthest behind its
// loadfactor, as mod_lbmethod_byrequests counts.
type Balancer struct {
	Name    string // "balancer://app", lower case
	Members []*BalancerMember
	// MaxAttempts is ProxySet maxattempts, when MaxAttemptsSet; else
	// one less than the number of members.
	MaxAttempts    int
	MaxAttemptsSet bool

	mu sync.Mutex // guards the members' lbstatus and error state
}

// BalancerMember is one BalancerMember: a worker (the URL and the worker
// parameters, as a ProxyPass Route holds them) and how the balancer uses
// it.
type BalancerMember struct {
	Worker *Route
	// Name is the worker's name as httpd logs it (BALANCER_WORKER_NAME):
	// the URL with its scheme and host in lower case.
	Name       string
	Route      string        // route=
	LoadFactor int           // loadfactor=, 1 to 100
	Retry      time.Duration // retry=: how long a failed member rests
	HotStandby bool          // status=+H: used when no other member is
	Disabled   bool          // status=+D

	lbstatus   int
	errorUntil time.Time // in error until then; zero: usable
}

// pick chooses the member for a request, as proxy_balancer_get_best_worker
// with find_best_byrequests: among the usable members (a member in error
// whose retry time has passed is usable again, and all are when all are
// in error), the one whose lbstatus, raised by its loadfactor, is
// highest, the first of equals; the hot standbys only when no other
// member is usable. Nil: none is usable.
func (b *Balancer) pick(now time.Time) *BalancerMember {
	b.mu.Lock()
	defer b.mu.Unlock()
	var best *BalancerMember
	total := 0
	consider := func(m *BalancerMember) {
		m.lbstatus += m.LoadFactor
		total += m.LoadFactor
		if best == nil || m.lbstatus > best.lbstatus {
			best = m
		}
	}
	// forcerecovery (On by default): when every member is in error, all
	// of them are taken back at once (mod_proxy_balancer's force_recovery).
	recover := true
	for _, m := range b.Members {
		if m.Disabled || m.errorUntil.IsZero() || !now.Before(m.errorUntil) {
			recover = false
			break
		}
	}
	if recover {
		for _, m := range b.Members {
			m.errorUntil = time.Time{}
		}
	}
	var standbys []*BalancerMember
	for _, m := range b.Members {
		if m.Disabled {
			continue
		}
		if !m.errorUntil.IsZero() && !now.Before(m.errorUntil) {
			m.errorUntil = time.Time{} // ap_proxy_retry_worker
		}
		if !m.errorUntil.IsZero() {
			continue
		}
		if m.HotStandby {
			standbys = append(standbys, m)
			continue
		}
		consider(m)
	}
	if best == nil {
		for _, m := range standbys {
			consider(m)
		}
	}
	if best != nil {
		best.lbstatus -= total
	}
	return best
}

// failed puts a member in error for its retry time.
func (b *Balancer) failed(m *BalancerMember, now time.Time) {
	b.mu.Lock()
	m.errorUntil = now.Add(m.Retry)
	b.mu.Unlock()
}

// maxAttempts is ProxySet maxattempts, or mod_proxy_balancer's default:
// one less than the number of members.
func (b *Balancer) maxAttempts() int {
	if b.MaxAttemptsSet {
		return b.MaxAttempts
	}
	return max(len(b.Members)-1, 0)
}

// balancerHandler serves a request proxied to a balancer (r->filename
// "proxy:balancer://name/..."): it picks a member, sets mod_proxy_balancer's
// environment variables, and proxies to the member's URL; a member that
// cannot be connected to rests for its retry time, and another is tried,
// as many times as maxAttempts allows (mod_proxy's proxy_handler loop).
func (ex *exchange) balancerHandler(b *Balancer) int {
	r := &ex.r
	rest := strings.TrimPrefix(r.filename, "proxy:")
	rest = rest[min(len(b.Name), len(rest)):] // the path and query after the balancer's name
	status := 0
	for attempt := 0; ; attempt++ {
		m := b.pick(time.Now())
		if m == nil {
			ex.logError("AH01167: "+b.Name+": All workers are in error state", "module", "proxy")
			return 503
		}
		r.env = setField(r.env, "BALANCER_NAME", b.Name)
		r.env = setField(r.env, "BALANCER_WORKER_NAME", m.Name)
		r.env = setField(r.env, "BALANCER_WORKER_ROUTE", m.Route)
		r.filename = "proxy:" + strings.TrimSuffix(m.Worker.Target, "/") + rest
		ex.connectFailed = false
		status = ex.proxyHandler(m.Worker)
		if !ex.connectFailed {
			return status
		}
		ex.logError("AH00959: ap_proxy_connect_backend disabling worker for ("+m.Worker.HostPort+") for "+
			itoa(int(m.Retry/time.Second))+"s", "module", "proxy")
		b.failed(m, time.Now())
		if attempt >= b.maxAttempts() || ex.body != nil {
			// A request with a body is not tried again: what of its
			// body was read is gone.
			return status
		}
	}
}

// balancerFor returns the balancer a proxied request goes to: the
// route's, or the one its r->filename names (RewriteRule [P] to a
// balancer:// URL), or nil.
func (ex *exchange) balancerFor(route *Route) *Balancer {
	if route != nil && route.Balancer != nil {
		return route.Balancer
	}
	fn := strings.TrimPrefix(ex.r.filename, "proxy:")
	if !hasPrefixFold(fn, "balancer://") {
		return nil
	}
	for _, b := range ex.srv.Balancers {
		if hasPrefixFold(fn, b.Name) && (len(fn) == len(b.Name) || fn[len(b.Name)] == '/') {
			return b
		}
	}
	return nil
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
