package config

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jl6/logproxy/logformat"
	"github.com/jl6/logproxy/proxy"
)

// require reads a Require line (mod_authz_core, with the providers of
// mod_authz_user and mod_authz_host). Several Require lines in a section
// are alternatives, as httpd's default <RequireAny>.
func (b *siteBuilder) require(d *Directive, dir *proxy.DirConfig) {
	a := d.Args
	rule := proxy.RequireRule{}
	if len(a) > 0 && strings.EqualFold(a[0], "not") {
		rule.Negate = true
		a = a[1:]
	}
	if len(a) == 0 {
		b.errorf(d, "Unknown Authz provider: ")
		return
	}
	// Provider names are looked up as they are written
	// (ap_lookup_provider): "All" is not "all".
	switch a[0] {
	case "all":
		if len(a) != 2 {
			b.errorf(d, "'Require all' takes 'granted' or 'denied'")
			return
		}
		switch strings.ToLower(a[1]) {
		case "granted":
			rule.Kind = proxy.RequireAllGranted
		case "denied":
			rule.Kind = proxy.RequireAllDenied
		default:
			b.errorf(d, "'Require all' does not take '%s'", a[1])
			return
		}
	case "valid-user":
		rule.Kind = proxy.RequireValidUser
	case "user":
		rule.Kind = proxy.RequireUser
		rule.Args = append(rule.Args, a[1:]...)
	case "ip":
		rule.Kind = proxy.RequireIP
		if len(a) < 2 {
			b.errorf(d, "'require ip' requires an argument")
			return
		}
		for _, w := range a[1:] {
			p, err := parseIPPrefix(w)
			if err != nil {
				b.errorf(d, "ip address '%s' appears to be invalid", w)
				return
			}
			rule.IPs = append(rule.IPs, p)
		}
	case "host", "forward-dns", "local", "env", "method", "expr":
		// mod_authz_host's and mod_authz_core's other providers.
		b.errorf(d, "Require %s is not supported by logproxy", a[0])
		return
	default:
		b.errorf(d, "Unknown Authz provider: %s", a[0])
		return
	}
	if rule.Negate {
		// Every Require of logproxy's is in the implied <RequireAny>
		// (it has no <RequireAll>), where httpd refuses a negation.
		b.errorf(d, "negative Require directive has no effect in <RequireAny> directive")
		return
	}
	if dir.Require == nil {
		dir.Require = &proxy.Require{}
	}
	dir.Require.Any = append(dir.Require.Any, rule)
}

// parseIPPrefix reads an address or network as mod_authz_host and
// mod_remoteip accept it: a.b.c.d, a.b.c.d/nn, a.b.c.d/m.m.m.m, a partial
// a.b, or an IPv6 address or prefix.
func parseIPPrefix(w string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(w); err == nil {
		return p.Masked(), nil
	}
	if ip, mask, ok := strings.Cut(w, "/"); ok {
		a, err := netip.ParseAddr(ip)
		if err != nil {
			return netip.Prefix{}, err
		}
		m, err := netip.ParseAddr(mask)
		if err != nil || !m.Is4() {
			return netip.Prefix{}, err
		}
		bits := 0
		for _, x := range m.As4() {
			for x&0x80 != 0 {
				bits++
				x <<= 1
			}
		}
		return netip.PrefixFrom(a, bits).Masked(), nil
	}
	if a, err := netip.ParseAddr(w); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	// Partial IPv4 address: "10.1" means 10.1.0.0/16.
	parts := strings.Split(strings.TrimSuffix(w, "."), ".")
	if len(parts) > 0 && len(parts) < 4 {
		var oct [4]byte
		for i, p := range parts {
			n, err := strconv.Atoi(p)
			if err != nil || n < 0 || n > 255 {
				return netip.Prefix{}, err
			}
			oct[i] = byte(n)
		}
		return netip.PrefixFrom(netip.AddrFrom4(oct), 8*len(parts)), nil
	}
	return netip.ParsePrefix(w)
}

// envRule reads SetEnv, UnsetEnv, SetEnvIf, SetEnvIfNoCase and
// BrowserMatch[NoCase]. SetEnvIf rules of the server itself run when the
// request is read (post_read_request), the ones in sections later.
func (b *siteBuilder) envRule(d *Directive, dir *proxy.DirConfig, serverLevel bool) {
	a := d.Args
	name := strings.ToLower(d.Name)
	var rule proxy.EnvRule
	switch name {
	case "setenv":
		if len(a) < 1 || len(a) > 2 {
			b.errorf(d, "SetEnv takes 1-2 arguments, an environment variable name and optional value to pass to CGI.")
			return
		}
		v := proxy.EnvAssign{Name: a[0]}
		if len(a) == 2 {
			v.Value = a[1]
		}
		rule.Vars = []proxy.EnvAssign{v}
	case "unsetenv":
		for _, n := range a {
			rule.Vars = append(rule.Vars, proxy.EnvAssign{Name: n, Unset: true})
		}
	case "setenvifexpr":
		// add_setenvifexpr: an expression, then the variables.
		if len(a) < 1 || a[0] == "" {
			b.errorf(d, "Missing expression for %s", d.Name)
			return
		}
		prog, err := b.expr(a[0], false)
		if err != nil {
			b.errorf(d, "Could not parse expression \"%s\": %v", a[0], err)
			return
		}
		if len(a) < 2 {
			b.errorf(d, "Missing envariable expression for %s", d.Name)
			return
		}
		rule.Expr, rule.Early = prog.MatchRe, serverLevel
		for _, v := range a[1:] {
			// add_envvars: "name" and "name=" set 1.
			n, val, _ := strings.Cut(v, "=")
			switch {
			case val != "":
				rule.Vars = append(rule.Vars, proxy.EnvAssign{Name: n, Value: val})
			case strings.HasPrefix(n, "!"):
				rule.Vars = append(rule.Vars, proxy.EnvAssign{Name: n[1:], Unset: true})
			default:
				rule.Vars = append(rule.Vars, proxy.EnvAssign{Name: n, Value: "1"})
			}
		}
	default:
		attr, pattern, vars := "", "", a
		if strings.HasPrefix(name, "browsermatch") {
			attr = "User-Agent"
		} else {
			if len(a) < 1 {
				b.errorf(d, "%s requires at least two arguments", d.Name)
				return
			}
			attr, vars = a[0], a[1:]
		}
		if len(vars) < 2 {
			b.errorf(d, "Missing regular expression for %s", d.Name)
			return
		}
		pattern, vars = vars[0], vars[1:]
		rule.Literal = isLiteralPattern(pattern)
		if strings.HasSuffix(name, "nocase") {
			pattern = "(?i)" + pattern
		}
		re, msg := compileRegex(pattern, d.Name+" regex could not be compiled.")
		if re == nil {
			b.errorf(d, "%s", msg)
			return
		}
		rule.Attribute, rule.Regex, rule.Early = attr, re, serverLevel
		if isHeaderRegex(attr) {
			flags := ""
			if strings.HasSuffix(name, "nocase") {
				flags = "(?i)"
			}
			// httpd's message as it is, with no blank after the name.
			nre, msg := compileRegex(flags+attr, d.Name+"Header name regex could not be compiled.")
			if nre == nil {
				b.errorf(d, "%s", msg)
				return
			}
			rule.NameRegex = nre
		}
		for _, v := range vars {
			switch {
			case strings.HasPrefix(v, "!"):
				rule.Vars = append(rule.Vars, proxy.EnvAssign{Name: v[1:], Unset: true})
			default:
				n, val, _ := strings.Cut(v, "=")
				rule.Vars = append(rule.Vars, proxy.EnvAssign{Name: n, Value: val})
			}
		}
	}
	dir.SetEnv = append(dir.SetEnv, rule)
}

// headerRule reads Header and RequestHeader, as mod_headers'
// header_cmd: [condition] action header [value] [replacement]
// [early|env=[!]var|expr=expression].
func (b *siteBuilder) headerRule(d *Directive, dir *proxy.DirConfig) {
	a := append([]string(nil), d.Args...)
	isResp := strings.EqualFold(d.Name, "Header")
	var h proxy.HeaderRule
	if isResp && len(a) > 0 {
		switch strings.ToLower(a[0]) {
		case "always":
			h.Always = true
			a = a[1:]
		case "onsuccess":
			a = a[1:]
		}
	}
	if len(a) < 2 {
		b.errorf(d, "%s requires at least two arguments", d.Name)
		return
	}
	act := strings.ToLower(a[0])
	actions := map[string]proxy.HeaderAction{
		"set": proxy.HeaderSet, "append": proxy.HeaderAppend, "add": proxy.HeaderAdd,
		"merge": proxy.HeaderMerge, "unset": proxy.HeaderUnset, "echo": proxy.HeaderEcho,
		"edit": proxy.HeaderEdit, "edit*": proxy.HeaderEditAll, "note": proxy.HeaderNote,
		"setifempty": proxy.HeaderSetIfEmpty,
	}
	action, ok := actions[act]
	if !ok || (!isResp && (action == proxy.HeaderEcho || action == proxy.HeaderNote)) {
		b.errorf(d, "first argument must be 'add', 'set', 'setifempty', 'append', 'merge', 'unset', 'echo', 'note', 'edit', or 'edit*'.")
		return
	}
	h.Action = action
	h.Name = a[1]
	rest := a[2:]
	// The condition, if any: the word after the ones the action takes
	// (header_cmd reads them by position, so that a value may itself
	// start with "expr=").
	takes := 1
	switch action {
	case proxy.HeaderUnset, proxy.HeaderEcho:
		takes = 0
	case proxy.HeaderEdit, proxy.HeaderEditAll:
		takes = 2
	}
	if n := len(rest); n > takes {
		last := rest[n-1]
		switch {
		case strings.EqualFold(last, "early"):
			h.Early = true
			rest = rest[:n-1]
		case strings.HasPrefix(strings.ToLower(last), "env="):
			v := last[4:]
			if strings.HasPrefix(v, "!") {
				h.Negate, v = true, v[1:]
			}
			if v == "" {
				b.errorf(d, "Missing environment variable name")
				return
			}
			h.EnvVar = v
			rest = rest[:n-1]
		case strings.HasPrefix(strings.ToLower(last), "expr="):
			cond, err := b.expr(last[5:], false)
			if err != nil {
				b.errorf(d, "%s %s: %v", d.Name, last, err)
				return
			}
			h.Cond = cond.Match
			rest = rest[:n-1]
		}
	}
	switch action {
	case proxy.HeaderUnset:
		if len(rest) != 0 {
			b.errorf(d, "header unset takes two arguments")
			return
		}
	case proxy.HeaderEcho:
		if len(rest) != 0 {
			b.errorf(d, "Header echo takes two arguments")
			return
		}
		re, msg := compileRegex(h.Name, "Header echo regex could not be compiled")
		if re == nil {
			b.errorf(d, "%s", msg)
			return
		}
		h.Regex = re
	case proxy.HeaderEdit, proxy.HeaderEditAll:
		if len(rest) != 2 {
			b.errorf(d, "Header edit requires a match and a substitution")
			return
		}
		re, msg := compileRegex(rest[0], "Header edit regex could not be compiled")
		if re == nil {
			b.errorf(d, "%s", msg)
			return
		}
		// parse_format_string: the replacement is a format (or a
		// string expression), rendered for each match before $N are
		// put in (process_regexp).
		h.Regex, h.Value = re, rest[1]
		if strings.HasPrefix(rest[1], "expr=") {
			prog, err := b.expr(rest[1][5:], true)
			if err != nil {
				b.errorf(d, "Can't parse value expression : %v", err)
				return
			}
			h.ValueExpr = prog.Value
			break
		}
		v, err := proxy.ParseHeaderValue(rest[1])
		if err != nil {
			b.errorf(d, "%v", err)
			return
		}
		h.Format = v
	case proxy.HeaderNote:
		if len(rest) != 1 {
			b.errorf(d, "Header note requires a note name")
			return
		}
		fallthrough
	default:
		if len(rest) != 1 {
			b.errorf(d, "header requires three arguments")
			return
		}
		if strings.HasPrefix(rest[0], "expr=") {
			// parse_format_string: a string expression, evaluated
			// for each request.
			prog, err := b.expr(rest[0][5:], true)
			if err != nil {
				b.errorf(d, "Can't parse value expression : %v", err)
				return
			}
			h.Value, h.ValueExpr = rest[0], prog.Value
			break
		}
		v, err := proxy.ParseHeaderValue(rest[0])
		if err != nil {
			b.errorf(d, "%v", err)
			return
		}
		h.Value, h.Format = rest[0], v
	}
	if isResp {
		dir.RespHeaders = append(dir.RespHeaders, h)
	} else {
		dir.ReqHeaders = append(dir.ReqHeaders, h)
	}
}

// remoteIP reads the mod_remoteip directives of a server.
func (b *siteBuilder) remoteIP(d *Directive, sb *serverBuild) {
	s := sb.srv
	if s.RemoteIP == nil {
		s.RemoteIP = &proxy.RemoteIPConfig{}
	}
	sb.set["remoteip"] = true
	switch strings.ToLower(d.Name) {
	case "remoteipheader":
		s.RemoteIP.Header = d.Args[0]
	default:
		for _, w := range d.Args {
			p, err := parseIPPrefix(w)
			if err != nil {
				b.errorf(d, "RemoteIP: Error parsing IP %s", w)
				return
			}
			if strings.EqualFold(d.Name, "RemoteIPInternalProxy") {
				s.RemoteIP.Internal = append(s.RemoteIP.Internal, p)
			} else {
				s.RemoteIP.Trusted = append(s.RemoteIP.Trusted, p)
			}
		}
	}
}

// proxyPass reads ProxyPass [path] !|url [key=value ...] and
// ProxyPassMatch regex !|url [key=value ...]. Inside <Location> the path
// is the section's.
func (b *siteBuilder) proxyPass(d *Directive, sb *serverBuild, dir *proxy.DirConfig) {
	a := d.Args
	isMatch := strings.EqualFold(d.Name, "ProxyPassMatch")
	rt := &proxy.Route{}
	if dir == nil {
		if len(a) < 2 {
			b.errorf(d, "%s needs a path when not defined in a location", d.Name)
			return
		}
		if isMatch {
			re, msg := compileRegex(a[0], "Regular expression could not be compiled.")
			if re == nil {
				b.errorf(d, "%s", msg)
				return
			}
			rt.Regex = re
		}
		rt.Path, a = a[0], a[1:]
	} else if len(a) < 1 {
		b.errorf(d, "%s needs a URL", d.Name)
		return
	}
	if a[0] == "!" {
		rt.Exclude = true
	} else if !b.workerURL(d, sb, rt, a[0], "ProxyPass") {
		return
	} else if strings.HasSuffix(rt.Path, "/") != strings.HasSuffix(a[0], "/") && rt.Regex == nil && dir == nil {
		// httpd warns about this (AH02357); so does logproxy -t.
		b.cfg.Warnings = append(b.cfg.Warnings, &Error{File: d.File, Line: d.Line, Msg: "worker " + a[0] + " and path " + rt.Path + " should both end in '/' or neither (AH02357)"})
	}
	if !b.workerParams(d, rt, a[1:], "ProxyPass") {
		return
	}
	if dir != nil {
		dir.ProxyPass = rt
		return
	}
	sb.srv.Routes = append(sb.srv.Routes, rt)
}

// workerURL reads the URL of a worker (ProxyPass, BalancerMember: what
// names it in messages) into rt: http or https, and for ProxyPass (sb
// set) balancer://name too, whose balancer is found once the
// configuration is read (resolveBalancers).
func (b *siteBuilder) workerURL(d *Directive, sb *serverBuild, rt *proxy.Route, u, what string) bool {
	if !proxy.URLParses(u) {
		b.errorf(d, "%s Unable to parse URL: %s", what, u)
		return false
	}
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok || scheme == "" {
		b.errorf(d, "%s URL must be absolute!", what)
		return false
	}
	balancer := strings.EqualFold(scheme, "balancer") && sb != nil
	if !strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") && !balancer {
		b.errorf(d, "%s scheme %q is not supported by logproxy (only http and https)", what, scheme)
		return false
	}
	hostport, path, _ := strings.Cut(rest, "/")
	if hostport == "" {
		b.errorf(d, "%s URL %q has no host", what, u)
		return false
	}
	rt.Target, rt.Scheme, rt.HostPort, rt.BasePath = u, scheme, hostport, "/"+path
	if balancer {
		b.pendingBalancers = append(b.pendingBalancers, pendingBalancer{d: d, sb: sb, rt: rt, name: balancerName(u)})
	}
	return true
}

// workerParams reads the key=value parameters of a worker (ProxyPass,
// BalancerMember: what names it in messages) into rt, as httpd's
// set_worker_param, with its messages and units.
func (b *siteBuilder) workerParams(d *Directive, rt *proxy.Route, params []string, what string) bool {
	for _, kv := range params {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			switch strings.ToLower(kv) {
			case "nocanon":
				rt.NoCanon = true
				continue
			case "noquery":
				// httpd 2.4 notes it (proxy-noquery) for no module to
				// read: the query goes to the backend either way.
				continue
			case "interpolate":
				b.errorf(d, "ProxyPass interpolate is not supported by logproxy")
			default:
				b.errorf(d, "Invalid ProxyPass parameter. Parameter must be in the form 'key=value'.")
			}
			return false
		}
		// set_worker_param of httpd 2.4: its messages, its units.
		switch strings.ToLower(k) {
		case "timeout":
			secs := atoiPrefix(v)
			if secs < 1 {
				b.errorf(d, "Timeout must be at least one second")
				return false
			}
			rt.Timeout = time.Duration(secs) * time.Second
		case "connectiontimeout":
			dur, msg := timeoutAtLeastMs(v, "s", "Connectiontimeout has wrong format", "Connectiontimeout must be at least one millisecond.")
			if msg != "" {
				b.errorf(d, "%s", msg)
				return false
			}
			rt.ConnectTimeout = dur
		case "keepalive":
			on, ok := onOff(v)
			if !ok {
				b.errorf(d, "KeepAlive must be On|Off")
				return false
			}
			rt.KeepAlive = on
		case "disablereuse":
			on, ok := onOff(v)
			if !ok {
				b.errorf(d, "DisableReuse must be On|Off")
				return false
			}
			rt.DisableReuse = on
		case "upgrade":
			if !strings.EqualFold(v, "websocket") {
				b.errorf(d, "upgrade=%s is not supported by logproxy (only websocket)", v)
				return false
			}
			rt.UpgradeWebSocket = true
		case "flushpackets":
			switch strings.ToLower(v) {
			case "on", "auto":
				rt.FlushPackets = true
			case "off":
			default:
				b.errorf(d, "flushpackets must be on|off|auto")
				return false
			}
		case "max":
			n := atoiPrefix(v)
			if n < 0 {
				b.errorf(d, "Max must be a positive number")
				return false
			}
			rt.MaxConns = n // 0: httpd's default, no cap of logproxy's
		case "acquire":
			dur, msg := timeoutAtLeastMs(v, "ms", "Acquire timeout has wrong format", "Acquire must be at least one millisecond")
			if msg != "" {
				b.errorf(d, "%s", msg)
				return false
			}
			rt.AcquireTimeout = dur
		case "flushwait", "retry", "ttl", "smax", "min", "ping":
			if msg := workerTuningError(strings.ToLower(k), v); msg != "" {
				b.errorf(d, "%s", msg)
				return false
			}
			// Pool tuning: logproxy's backend pool sizes itself (see
			// docs/apache-compatibility.md); logproxy -t says so.
			b.cfg.Warnings = append(b.cfg.Warnings, &Error{File: d.File, Line: d.Line,
				Msg: fmt.Sprintf("%s parameter %q is accepted but not acted on by logproxy (its backend pool sizes itself)", what, k)})
		default:
			b.errorf(d, "%s parameter %q is not supported by logproxy", what, k)
			return false
		}
	}
	return true
}

// proxyPassReverse reads ProxyPassReverse and its cookie forms.
func (b *siteBuilder) proxyPassReverse(d *Directive, sb *serverBuild, dir *proxy.DirConfig) {
	a := d.Args
	rr := &proxy.ReverseRoute{}
	switch strings.ToLower(d.Name) {
	case "proxypassreverse":
		rr.Kind = proxy.ReverseLocation
	case "proxypassreversecookiepath":
		rr.Kind = proxy.ReverseCookiePath
	default:
		rr.Kind = proxy.ReverseCookieDomain
	}
	if rr.Kind == proxy.ReverseLocation {
		if dir != nil && len(a) >= 2 {
			b.errorf(d, "ProxyPassReverse can not have a path when defined in a location")
			return
		}
		if dir != nil && len(a) == 1 {
			rr.Target = a[0]
		} else if len(a) >= 2 {
			rr.Path, rr.Target = a[0], a[1]
		} else {
			b.errorf(d, "ProxyPassReverse needs a path when not defined in a location")
			return
		}
	} else {
		if len(a) < 2 {
			b.errorf(d, "%s takes two arguments", d.Name)
			return
		}
		rr.Target, rr.Path = a[0], a[1]
	}
	sb.srv.ReverseRoutes = append(sb.srv.ReverseRoutes, rr)
}

// logRedact adds the names of a LogRedactQuery, LogRedactHeader or
// LogRedactCookie line to what every access log hides. Header and cookie
// names are tokens; a query parameter's name is any text but empty.
func (b *siteBuilder) logRedact(d *Directive) {
	for _, n := range d.Args {
		switch {
		case n == "":
			b.errorf(d, "%s: an empty name", d.Name)
			return
		case !strings.EqualFold(d.Name, "LogRedactQuery") && !httpToken(n):
			b.errorf(d, "%s: %q is not a name (a token of RFC 9110)", d.Name, n)
			return
		}
	}
	switch strings.ToLower(d.Name) {
	case "logredactquery":
		b.redact.Query = append(b.redact.Query, d.Args...)
	case "logredactheader":
		b.redact.Headers = append(b.redact.Headers, d.Args...)
	default:
		b.redact.Cookies = append(b.redact.Cookies, d.Args...)
	}
}

// httpToken reports whether s is a token of RFC 9110 (a field or cookie
// name).
func httpToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"(),/:;<=>?@[\\]{}", c) >= 0 {
			return false
		}
	}
	return s != ""
}

// resolveLogs opens nothing yet: it resolves every CustomLog format now
// that all LogFormat nicknames are known, and shares one LogFile per path.
func (b *siteBuilder) resolveLogs(main *serverBuild, vhosts []*serverBuild) {
	for _, sb := range append([]*serverBuild{main}, vhosts...) {
		for _, pl := range sb.logLines {
			format := pl.format
			if pl.d != nil && strings.EqualFold(pl.d.Name, "TransferLog") {
				format = sb.defaultFmt
				if format == "" {
					format = logformat.DefaultFormat
				}
			}
			format, esc := sb.nick.Resolve(format)
			f, err := logformat.Compile(format, &logformat.Options{Location: b.opts.Location, Escape: esc,
				SSL: slices.Contains(b.cfg.Modules, "ssl_module"), Redact: b.redact})
			if err != nil {
				b.errorf(pl.d, "%v", err)
				continue
			}
			al := &proxy.AccessLog{Format: f}
			if pl.env != "" {
				switch {
				case strings.HasPrefix(strings.ToLower(pl.env), "env="):
					v := pl.env[4:]
					if strings.HasPrefix(v, "!") {
						al.Negate, v = true, v[1:]
					}
					al.EnvVar = v
				case strings.HasPrefix(strings.ToLower(pl.env), "expr="):
					cond, err := b.expr(pl.env[5:], false)
					if err != nil {
						b.errorf(pl.d, "%s %s: %v", pl.d.Name, pl.env, err)
						continue
					}
					al.Cond = cond.Match
				}
			}
			path := pl.path
			piped := strings.HasPrefix(path, "|")
			if !piped {
				path = b.path(path)
				if b.opts.CheckLogDirs && pl.d != nil {
					if dir, ok := logDirMissing(path); ok {
						b.errorf(pl.d, "AH02297: Cannot access directory '%s/' for log file '%s'", dir, path)
						continue
					}
				}
			}
			lf, ok := b.logs[path]
			if !ok {
				lf = &proxy.LogFile{Path: strings.TrimPrefix(path, "|"), Piped: piped}
				b.logs[path] = lf
				b.site.Logs = append(b.site.Logs, lf)
			}
			al.File = lf
			if pl.global {
				b.site.Main.GlobalLogs = append(b.site.Main.GlobalLogs, al)
			} else {
				sb.srv.AccessLogs = append(sb.srv.AccessLogs, al)
			}
		}
	}
}

// proxyErrorOverride reads ProxyErrorOverride On|Off [code ...] as
// set_proxy_error_override does, one argument at a time: the codes follow
// On and are error statuses.
func (b *siteBuilder) proxyErrorOverride(d *Directive, dir *proxy.DirConfig) {
	for _, arg := range d.Args {
		switch {
		case strings.EqualFold(arg, "Off"), strings.EqualFold(arg, "On"):
			on := strings.EqualFold(arg, "On")
			dir.ProxyErrorOverride = &on
		case dir.ProxyErrorOverride != nil:
			if arg == "" || arg[0] < '0' || arg[0] > '9' {
				b.errorf(d, "ProxyErrorOverride: status codes to intercept must be numeric")
				return
			}
			if !*dir.ProxyErrorOverride {
				b.errorf(d, "ProxyErrorOverride: status codes must follow a value of 'on'")
				return
			}
			code := atoiPrefix(arg)
			if code < 400 || code >= 600 {
				b.errorf(d, "ProxyErrorOverride: status codes to intercept must be valid HTTP Status Codes >=400 && <600")
				return
			}
			dir.ProxyErrorOverrideCodes = append(dir.ProxyErrorOverrideCodes, code)
		default:
			b.errorf(d, "ProxyErrorOverride first parameter must be one of: off | on")
			return
		}
	}
}

// isHeaderRegex is mod_setenvif's test of a SetEnvIf attribute: one that
// is not a special name (Remote_Addr, Request_URI, ...) and has a byte
// other than letters, digits, '-' and '_' is a regular expression over
// request header names.
func isHeaderRegex(attr string) bool {
	switch strings.ToLower(attr) {
	case "remote_addr", "remote_host", "request_uri", "request_method", "request_protocol", "server_addr":
		return false
	}
	for i := 0; i < len(attr); i++ {
		c := attr[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return true
		}
	}
	return false
}

// allowOverrideError reads AllowOverride as core's set_override does and
// returns its message for a bad word; logproxy reads no .htaccess file,
// so anything but None (the default) is refused too rather than ignored.
func allowOverrideError(words []string) string {
	none := true
	for _, w := range words {
		k, _, hasV := strings.Cut(w, "=")
		switch strings.ToLower(k) {
		case "none":
			none = true
		case "all", "limit", "fileinfo", "authconfig", "indexes", "options":
			none = false
		case "nonfatal":
			if !hasV {
				return "=Override, =Unknown or =All expected after " + w
			}
		default:
			return "Illegal override option " + w
		}
	}
	if !none {
		return "AllowOverride " + strings.Join(words, " ") + ": .htaccess files are not supported by logproxy (only AllowOverride None)"
	}
	return ""
}

// workerTuningError checks the ProxyPass pool-tuning parameters that
// logproxy accepts without acting on them as httpd 2.4's
// set_worker_param does; "" when the value is good.
func workerTuningError(k, v string) string {
	switch k {
	case "retry":
		if atoiPrefix(v) < 0 {
			return "Retry must be a positive value"
		}
	case "ttl":
		if atoiPrefix(v) < 1 {
			return "TTL must be at least one second"
		}
	case "min":
		if atoiPrefix(v) < 0 {
			return "Min must be a positive number"
		}
	case "smax":
		if atoiPrefix(v) < 0 {
			return "Smax must be a positive number"
		}
	case "ping":
		_, msg := timeoutAtLeastMs(v, "s", "Ping/Pong timeout has wrong format", "Ping/Pong timeout must be at least one millisecond")
		return msg
	case "flushwait":
		dur, ok := timeoutParam(v, "ms")
		if !ok {
			return "flushwait has wrong format"
		}
		if dur > time.Second {
			return "flushwait must be <= 1s, or 0 for system default of 10 millseconds."
		}
	}
	return ""
}

// timeoutAtLeastMs reads v with timeoutParam and requires a millisecond
// at least, as set_worker_param does; the message is httpd's, badFormat or
// tooShort, or "".
func timeoutAtLeastMs(v, unit, badFormat, tooShort string) (time.Duration, string) {
	dur, ok := timeoutParam(v, unit)
	if !ok {
		return 0, badFormat
	}
	if dur < time.Millisecond {
		return 0, tooShort
	}
	return dur, ""
}

// timeoutParam is ap_timeout_parameter_parse: a whole number, then a unit
// (ms, s, mi, h; only its first letters are read) or none for defUnit.
// It reports false for a value httpd says "has wrong format" of.
func timeoutParam(v, defUnit string) (time.Duration, bool) {
	s := strings.TrimLeft(v, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg, s = s[0] == '-', s[1:]
	}
	n, i := int64(0), 0
	for ; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		n = n*10 + int64(s[i]-'0')
		if n > 1<<40 {
			return 0, false // strtoi64's overflow, or a duration past any use
		}
	}
	if i == 0 {
		// No digits: strtoi64 leaves the end at the start, so the
		// "unit" is the whole value.
		s, i = v, 0
	}
	unit := s[i:]
	if unit == "" {
		unit = defUnit
	}
	if neg && n > 0 {
		return 0, false
	}
	switch {
	case unit[0] == 's' || unit[0] == 'S':
		return time.Duration(n) * time.Second, true
	case unit[0] == 'h' || unit[0] == 'H':
		return time.Duration(n) * time.Hour, true
	case (unit[0] == 'm' || unit[0] == 'M') && len(unit) > 1 && (unit[1] == 's' || unit[1] == 'S'):
		return time.Duration(n) * time.Millisecond, true
	case (unit[0] == 'm' || unit[0] == 'M') && len(unit) > 1 && (unit[1] == 'i' || unit[1] == 'I'):
		return time.Duration(n) * time.Minute, true
	}
	return 0, false
}

// logDirMissing reports the directory of the log file path when it is
// not an existing directory, as httpd checks it before opening logs.
func logDirMissing(path string) (string, bool) {
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	return dir, err != nil || !st.IsDir()
}

// expires reads ExpiresActive, ExpiresByType and ExpiresDefault
// (mod_expires' set_expires*).
func (b *siteBuilder) expires(d *Directive, dir *proxy.DirConfig) {
	if dir.Expires == nil {
		dir.Expires = &proxy.ExpiresConfig{}
	}
	e := dir.Expires
	a := d.Args
	switch strings.ToLower(d.Name) {
	case "expiresactive":
		on := strings.EqualFold(a[0], "on")
		e.Active = &on
	case "expiresbytype":
		slash := strings.LastIndexByte(a[0], '/')
		if slash < 0 {
			b.errorf(d, "Invalid mimetype: should contain a slash")
			return
		}
		code, msg := proxy.ParseExpiresCode(a[1])
		if msg != "" {
			b.errorf(d, "'ExpiresByType %s %s': %s", a[0], a[1], msg)
			return
		}
		if a[0][slash+1:] == "*" {
			e.Wildcards = true
		}
		if e.ByType == nil {
			e.ByType = make(map[string]string)
		}
		e.ByType[strings.ToLower(a[0])] = code
	case "expiresdefault":
		code, msg := proxy.ParseExpiresCode(a[0])
		if msg != "" {
			b.errorf(d, "'ExpiresDefault %s': %s", a[0], msg)
			return
		}
		e.Default = code
	}
}

// isLiteralPattern is mod_setenvif's non_regex_pattern: the pattern uses
// no regular expression metacharacter but escaped ones, so httpd searches
// for it as a plain string (and puts no $N in the values).
func isLiteralPattern(s string) bool {
	escape := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case strings.IndexByte("^.$|()[]*+?{}", c) >= 0:
			if !escape {
				return false
			}
			escape = false
		case c == '\\':
			escape = !escape
		default:
			if escape {
				return false
			}
		}
	}
	return true
}
