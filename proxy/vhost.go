package proxy

import (
	"net/netip"
	"path"
	"strings"
)

// chainForAddr returns the virtual hosts that listen on the local address
// a, in file order, as httpd's ap_update_vhost_given_ip finds them: the
// <VirtualHost> sections naming the address itself, or failing those the
// ones naming '*' or _default_ with its port. Nil means none: the main
// server serves the connection.
func (s *Site) chainForAddr(a netip.AddrPort) []*Server {
	// Addresses match as httpd's find_ipaddr compares them, without the
	// zone of a link-local address.
	ip := a.Addr().Unmap().WithZone("")
	var exact, wild []*Server
	for _, v := range s.VHosts {
		isExact, isWild := false, false
		for _, va := range v.Addrs {
			if !va.AnyPort && va.Port != int(a.Port()) {
				continue
			}
			if va.Any {
				isWild = true
			} else if va.Addr.Unmap().WithZone("") == ip {
				isExact = true
			}
		}
		switch {
		case isExact:
			exact = append(exact, v)
		case isWild:
			wild = append(wild, v)
		}
	}
	if len(exact) > 0 {
		return exact
	}
	return wild
}

// serverForAddr returns the server a connection to a is handled by until a
// request names a host: the first virtual host for the address, or Main.
func (s *Site) serverForAddr(a netip.AddrPort) *Server {
	if chain := s.chainForAddr(a); len(chain) > 0 {
		return chain[0]
	}
	return s.Main
}

// serverForHost picks the name-based virtual host for a request to host
// (r->hostname, lower case, no port) on the local address a, as httpd's
// ap_update_vhost_from_headers: the first virtual host of the address whose
// ServerName or ServerAlias matches, else the address's default (the first).
func (s *Site) serverForHost(a netip.AddrPort, host string, hasHost bool) *Server {
	chain := s.chainForAddr(a)
	if len(chain) == 0 {
		return s.Main
	}
	if hasHost {
		for _, v := range chain {
			if v.matchesName(host) {
				return v
			}
		}
	}
	return chain[0]
}

// matchesName reports whether host is the server's ServerName or one of its
// ServerAlias names (which may hold the wildcards * and ?), compared
// without regard to case.
func (v *Server) matchesName(host string) bool {
	if strings.EqualFold(v.Hostname, host) {
		return true
	}
	lower := strings.ToLower(host)
	for _, a := range v.Aliases {
		if strings.ContainsAny(a, "*?") {
			if ok, _ := path.Match(strings.ToLower(a), lower); ok {
				return true
			}
			continue
		}
		if strings.EqualFold(a, host) {
			return true
		}
	}
	return false
}
