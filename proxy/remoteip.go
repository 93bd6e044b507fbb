package proxy

import (
	"net/netip"
	"strings"
)

// applyRemoteIP replaces the client address with the one the trusted
// proxies in front report in RemoteIPHeader, as mod_remoteip's
// remoteip_modify_request: the header is read from right to left while the
// address that presented it is a trusted proxy; what was consumed leaves
// the header (which goes when nothing is left), and the proxies that were
// not internal are noted in remoteip-proxy-ip-list.
func (ex *exchange) applyRemoteIP(cfg *RemoteIPConfig) {
	r := &ex.r
	if cfg.Header == "" {
		return
	}
	remote, ok := r.headersIn.Get(cfg.Header)
	if !ok {
		return
	}
	type match struct {
		p        netip.Prefix
		internal bool
	}
	var list []match
	for _, p := range cfg.Internal {
		list = append(list, match{p, true})
	}
	for _, p := range cfg.Trusted {
		list = append(list, match{p, false})
	}
	internal := len(list) > 0
	cur, _ := netip.ParseAddr(ex.useragentIP)
	var (
		changed  bool
		uaIP     = ex.useragentIP
		proxyIPs string
		rest     = remote
		haveRest = true
	)
	for haveRest {
		if len(list) > 0 {
			found := false
			for _, m := range list {
				if m.p.Contains(cur.Unmap().WithZone("")) {
					if internal {
						internal = m.internal
					}
					found = true
					break
				}
			}
			if !found {
				break
			}
		}
		var item string
		if i := strings.LastIndexByte(rest, ','); i >= 0 {
			item, rest = rest[i+1:], rest[:i]
		} else {
			item, rest, haveRest = rest, "", false
		}
		item = strings.Trim(item, " ")
		restore := func() {
			if haveRest {
				rest += "," + item
			} else {
				rest, haveRest = item, true
			}
		}
		if item == "" {
			restore()
			break
		}
		addr, err := netip.ParseAddr(item)
		if err != nil {
			restore()
			break
		}
		addr = addr.Unmap()
		if !internal && !publicAddr(addr) {
			restore()
			break
		}
		if !internal {
			if proxyIPs != "" {
				proxyIPs += ", " + uaIP
			} else {
				proxyIPs = uaIP
			}
		}
		cur = addr
		uaIP = addr.String()
		changed = true
	}
	if !changed {
		return
	}
	if haveRest {
		r.headersIn = setField(r.headersIn, cfg.Header, rest)
	} else {
		r.headersIn = unsetField(r.headersIn, cfg.Header)
	}
	if proxyIPs != "" {
		r.notes = setField(r.notes, "remoteip-proxy-ip-list", proxyIPs)
	}
	ex.useragentIP = uaIP
	ex.useragentHost = uaIP
	ex.useragentPort = 0
}

// publicAddr is mod_remoteip's test for addresses an external trusted
// proxy may present: not in 10/8, 127/8, 169.254/16, 172.16/12,
// 192.168/16, and for IPv6 only global unicast 2000::/3.
func publicAddr(a netip.Addr) bool {
	if a.Is4() {
		b := a.As4()
		return !(b[0] == 10 || b[0] == 127 || (b[0] == 169 && b[1] == 254) ||
			(b[0] == 172 && b[1]&0xf0 == 16) || (b[0] == 192 && b[1] == 168))
	}
	b := a.As16()
	return b[0]&0xe0 == 0x20
}
