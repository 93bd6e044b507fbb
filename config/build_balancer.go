package config

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jl6/logproxy/proxy"
)

// This file builds mod_proxy_balancer's balancers: <Proxy balancer://name>
// with BalancerMember and ProxySet lines (or those lines naming the
// balancer outside a section), and the ProxyPass rules that go to them.
// The method is byrequests (mod_lbmethod_byrequests).

// pendingBalancer is a ProxyPass to balancer://name, resolved once every
// balancer is known.
type pendingBalancer struct {
	d    *Directive
	sb   *serverBuild
	rt   *proxy.Route
	name string
}

// balancerName is the balancer a balancer:// URL names, lower case, no
// path.
func balancerName(u string) string {
	rest := u[len("balancer://"):]
	host, _, _ := strings.Cut(rest, "/")
	return "balancer://" + strings.ToLower(host)
}

// balancer finds or makes the server's balancer named by the URL u.
func (b *siteBuilder) balancer(d *Directive, sb *serverBuild, u string) *proxy.Balancer {
	if !hasPrefixFold(u, "balancer://") || len(u) == len("balancer://") {
		b.errorf(d, "%s: %q is not a balancer:// URL", d.Name, u)
		return nil
	}
	if !b.modulesLoaded(d, "proxy_balancer_module", "lbmethod_byrequests_module") {
		return nil
	}
	name := balancerName(u)
	for _, bal := range sb.balancers {
		if bal.Name == name {
			return bal
		}
	}
	bal := &proxy.Balancer{Name: name}
	sb.balancers = append(sb.balancers, bal)
	return bal
}

// modulesLoaded reports whether the modules are loaded, and says which is
// not.
func (b *siteBuilder) modulesLoaded(d *Directive, mods ...string) bool {
	name := d.Name
	if d.Section {
		name = "<" + name + ">"
	}
	for _, m := range mods {
		if !slices.Contains(b.cfg.Modules, m) {
			b.errorf(d, "%s needs %s (LoadModule %s)", name, m, m)
			return false
		}
	}
	return true
}

// balancerSection reads <Proxy balancer://name>.
func (b *siteBuilder) balancerSection(d *Directive, sb *serverBuild) {
	bal := b.balancer(d, sb, d.Args[len(d.Args)-1])
	if bal == nil {
		return
	}
	for _, c := range d.Children {
		switch {
		case strings.EqualFold(c.Name, "BalancerMember") && !c.Section:
			if len(c.Args) < 1 {
				b.errorf(c, "BalancerMember must define balancer name when outside <Proxy > section")
				continue
			}
			b.balancerMember(c, bal, c.Args)
		case strings.EqualFold(c.Name, "ProxySet") && !c.Section:
			b.proxySet(c, bal, c.Args)
		case onlyRequireAllGranted([]*Directive{c}):
		default:
			b.errorf(c, "%s in <Proxy %s> is not supported by logproxy (BalancerMember, ProxySet and Require all granted are)", c.Name, bal.Name)
		}
	}
}

// balancerMember reads a BalancerMember's URL and parameters into bal.
func (b *siteBuilder) balancerMember(d *Directive, bal *proxy.Balancer, args []string) {
	m := &proxy.BalancerMember{Worker: &proxy.Route{}, LoadFactor: 1, Retry: 60 * time.Second}
	if !b.workerURL(d, nil, m.Worker, args[0], "BalancerMember") {
		return
	}
	scheme, rest, _ := strings.Cut(args[0], "://")
	host, path, slash := strings.Cut(rest, "/")
	m.Name = strings.ToLower(scheme) + "://" + strings.ToLower(host)
	if slash {
		m.Name += "/" + path
	}
	var params []string
	for _, kv := range args[1:] {
		k, v, _ := strings.Cut(kv, "=")
		switch strings.ToLower(k) {
		case "loadfactor":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 100 {
				b.errorf(d, "LoadFactor must be a number between 1..100")
				return
			}
			m.LoadFactor = n
		case "route":
			m.Route = v
		case "retry":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				b.errorf(d, "Retry must be a positive value")
				return
			}
			m.Retry = time.Duration(n) * time.Second
		case "status":
			on := true
			for _, c := range v {
				switch c {
				case '+':
					on = true
				case '-':
					on = false
				case 'H', 'h':
					m.HotStandby = on
				case 'D', 'd':
					m.Disabled = on
				default:
					b.errorf(d, "BalancerMember status=%s is not supported by logproxy (+H and +D are)", v)
					return
				}
			}
		default:
			params = append(params, kv)
		}
	}
	if !b.workerParams(d, m.Worker, params, "BalancerMember") {
		return
	}
	bal.Members = append(bal.Members, m)
}

// proxySet reads ProxySet's parameters of a balancer: lbmethod=byrequests
// and maxattempts.
func (b *siteBuilder) proxySet(d *Directive, bal *proxy.Balancer, params []string) {
	for _, kv := range params {
		k, v, _ := strings.Cut(kv, "=")
		switch strings.ToLower(k) {
		case "lbmethod":
			if !strings.EqualFold(v, "byrequests") {
				b.errorf(d, "ProxySet lbmethod=%s is not supported by logproxy (only byrequests)", v)
				return
			}
		case "maxattempts":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				b.errorf(d, "maximum number of attempts must be a positive number")
				return
			}
			bal.MaxAttempts = n
			bal.MaxAttemptsSet = true
		case "nofailover":
			if on, _ := onOff(v); on {
				b.errorf(d, "ProxySet nofailover=On is not supported by logproxy")
				return
			}
		default:
			b.errorf(d, "ProxySet %s is not supported by logproxy (lbmethod=byrequests, maxattempts and nofailover=Off are)", k)
			return
		}
	}
}

// serverBalancerLine reads BalancerMember or ProxySet outside a section,
// whose first argument names the balancer.
func (b *siteBuilder) serverBalancerLine(d *Directive, sb *serverBuild) {
	if len(d.Args) < 1 || !hasPrefixFold(d.Args[0], "balancer://") {
		if strings.EqualFold(d.Name, "BalancerMember") {
			b.errorf(d, "BalancerMember must define balancer name when outside <Proxy > section")
		} else {
			b.errorf(d, "ProxySet must define a balancer name when outside <Proxy > section (logproxy sets balancers only)")
		}
		return
	}
	bal := b.balancer(d, sb, d.Args[0])
	if bal == nil {
		return
	}
	if strings.EqualFold(d.Name, "BalancerMember") {
		if len(d.Args) < 2 {
			b.errorf(d, "BalancerMember needs a URL")
			return
		}
		b.balancerMember(d, bal, d.Args[1:])
		return
	}
	b.proxySet(d, bal, d.Args[1:])
}

// resolveBalancers gives each server the balancers it sees (its own, then
// the main server's) and each ProxyPass to balancer://name its balancer.
func (b *siteBuilder) resolveBalancers(main *serverBuild, vhosts []*serverBuild) {
	main.srv.Balancers = main.balancers
	for _, vb := range vhosts {
		vb.srv.Balancers = append(append([]*proxy.Balancer{}, vb.balancers...), main.balancers...)
	}
	for _, pb := range b.pendingBalancers {
		var found *proxy.Balancer
		for _, sb := range append([]*serverBuild{pb.sb}, main) {
			for _, bal := range sb.balancers {
				if found == nil && bal.Name == pb.name {
					found = bal
				}
			}
		}
		if found == nil || len(found.Members) == 0 {
			b.errorf(pb.d, "%s: no BalancerMember defines the balancer %s", pb.d.Name, pb.name)
			continue
		}
		pb.rt.Balancer = found
	}
}
