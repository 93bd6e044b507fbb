package proxy

// mod_rewrite's translate_name hook in the server context: the rules run
// over r->filename (a copy of the URL-path), then the result becomes a
// redirect, a proxied request, a new URL-path for the other translators
// ([PT]) or a file name.

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jl6/logproxy/logformat"
)

// rewriteAction is what apply_rewrite_list returns.
type rewriteAction uint8

const (
	rewriteNone      rewriteAction = iota // nothing was substituted
	rewriteNormal                         // ACTION_NORMAL
	rewriteNoEscape                       // ACTION_NOESCAPE: the last substitution had [NE]
	rewriteStatus                         // ACTION_STATUS: answer r->status
	rewriteStatusSet                      // ACTION_STATUS_SET: the AH10508 refusal
)

// rewrite is hook_uri2file. done reports that translation is over
// (the other translators do not run); route is the ProxyPass worker of a
// [P] result, if one matches.
func (ex *exchange) rewrite(cfg *RewriteConfig) (done bool, route *Route) {
	r := &ex.r
	if ex.rewriteEnd {
		return false, nil // [END] on this request or before its internal redirect
	}
	if !cfg.AllowAnyURI && (ex.head.UnparsedURI == "*" || r.uri == "" || r.uri[0] != '/') {
		return false, nil
	}
	// SCRIPT_URL and SCRIPT_URI, whenever the engine is on.
	scriptURL := r.uri
	if v, ok := r.env.Get("REDIRECT_SCRIPT_URL"); ok {
		scriptURL = v
	}
	r.env = setField(r.env, "SCRIPT_URL", scriptURL)
	r.env = setField(r.env, "SCRIPT_URI", ex.selfURL()+scriptURL)

	rr := &rewriteRun{ex: ex, cfg: cfg, filename: r.uri, args: r.args, hasArgs: r.hasArgs}
	oargs, ohasArgs := r.args, r.hasArgs
	action := rr.applyList()
	r.notes = setField(r.notes, "mod_rewrite_rewritten", strconv.Itoa(rewriteStatusValue(action)))
	r.args, r.hasArgs = rr.args, rr.hasArgs
	if rr.vary != "" {
		r.headersOut = mergeField(r.headersOut, "Vary", rr.vary)
	}
	if action == rewriteNone {
		r.filename = rr.filename
		return false, nil
	}
	fn := rr.filename
	skip := absoluteURILen(fn)
	toProxy := len(fn) > 6 && strings.HasPrefix(fn, "proxy:")
	willEscape := skip > 0 && action != rewriteNoEscape
	r.filename = fn
	if r.hasArgs && !willEscape && hasCtlOrSpace(r.args) {
		ex.logError("AH10410: Rewritten query string contains control characters or spaces", "module", "rewrite")
		ex.redirect = &redirectTo{status: 403}
		return true, nil
	}
	switch action {
	case rewriteStatus:
		ex.redirect = &redirectTo{status: rr.status}
		return true, nil
	case rewriteStatusSet:
		ex.redirect = &redirectTo{status: 403}
		return true, nil
	}
	switch {
	case toProxy:
		url := fn[len("proxy:"):]
		ex.proxied = true
		r.handler = "proxy-server"
		route = ex.rewriteWorker(url)
		if action == rewriteNoEscape {
			// [P,NE]: proxy-nocanon, the query put in the URL raw.
			ex.noCanon = true
			if r.hasArgs {
				url += "?" + r.args
			}
			r.filename = "proxy:" + url
			ex.transTarget, ex.transRest = url, ""
			return true, route
		}
		ex.transTarget, ex.transRest = url, ""
		r.filename = ex.proxyFilename(url, "")
		return true, route
	case skip > 0:
		if action != rewriteNoEscape {
			fn = escapeAbsoluteURI(fn, skip)
		}
		if r.hasArgs {
			if action == rewriteNoEscape || (ohasArgs && r.args == oargs) {
				fn += "?" + r.args
			} else {
				fn += "?" + osEscapePath(r.args)
			}
		}
		status := rr.status
		if status < 300 || status > 399 {
			status = 302
		}
		r.filename = fn
		ex.redirect = &redirectTo{status: status, url: fn}
		return true, nil
	case strings.HasPrefix(fn, "passthrough:"):
		r.uri = fn[len("passthrough:"):]
		ex.rewriteStatus = rr.status
		return false, nil
	}
	ex.rewriteStatus = rr.status
	if fn == "" || fn[0] != '/' {
		ex.redirect = &redirectTo{status: 400}
		return true, nil
	}
	_, reduced := r.notes.Get("mod_rewrite_uri_reduced")
	if !rr.prefixStat(fn) || reduced {
		name, st := ex.coreTranslate(fn)
		if st != 0 {
			ex.redirect = &redirectTo{status: st}
			return true, nil
		}
		fn = name
	}
	r.filename, r.pathInfo = walkPath(fn)
	return true, nil
}

// rewriteStatusValue is the number mod_rewrite notes as
// mod_rewrite_rewritten.
func rewriteStatusValue(a rewriteAction) int {
	switch a {
	case rewriteNormal:
		return 1
	case rewriteNoEscape:
		return 2
	case rewriteStatus:
		return 4
	case rewriteStatusSet:
		return 8
	}
	return 0
}

// applyList is apply_rewrite_list over the server's rules.
func (rr *rewriteRun) applyList() rewriteAction {
	ex := rr.ex
	rules := rr.cfg.Rules
	changed := rewriteNone
	round := 1
loop:
	for i := 0; i < len(rules); i++ {
		p := rules[i]
		ruleVary := ""
		matched, st := rr.applyRule(p, &ruleVary)
		if !matched {
			for i < len(rules) && rules[i].Flags&RewriteChain != 0 {
				i++
			}
			continue
		}
		if p.Flags&RewriteNoSub == 0 {
			rr.lastsub = p
		}
		if limit := 2 * limitValue(ex.srv.Limits.RequestLine, defaultLimitRequestLine); len(rr.filename) > limit {
			ex.logError("RewriteRule '"+p.Output+"' and URI '"+rr.filename+"' exceeded maximum length ("+strconv.Itoa(limit)+")", "module", "rewrite")
			rr.status = 500
			return rewriteStatus
		}
		if ruleVary != "" {
			if rr.vary == "" {
				rr.vary = ruleVary
			} else {
				rr.vary += ", " + ruleVary
			}
		}
		if st == ruleStatusSet {
			return rewriteStatusSet
		}
		if p.Flags&RewriteStatus != 0 {
			return rewriteStatus
		}
		if st != ruleNoSub {
			changed = rewriteNormal
			if p.Flags&RewriteNoEscape != 0 {
				changed = rewriteNoEscape
			}
		}
		if p.Flags&RewritePassThrough != 0 {
			rr.filename = "passthrough:" + rr.filename
			changed = rewriteNormal
			break
		}
		if p.Flags&RewriteEnd != 0 {
			ex.rewriteEnd = true
			break
		}
		if p.Flags&(RewriteProxy|RewriteLast) != 0 {
			break
		}
		if p.Flags&RewriteNext != 0 {
			round++
			if round >= p.MaxRounds {
				ex.logError("AH02596: RewriteRule '"+p.Output+"' and URI '"+rr.filename+"' exceeded maximum number of rounds ("+strconv.Itoa(p.MaxRounds)+") via the [N] flag", "module", "rewrite")
				rr.status = 500
				return rewriteStatus
			}
			goto loop
		}
		i += min(p.Skip, len(rules)-1-i)
	}
	return changed
}

// ruleResult is apply_rewrite_rule's answer when the rule matched.
type ruleResult uint8

const (
	ruleMatch     ruleResult = iota // RULE_RC_MATCH
	ruleNoSub                       // RULE_RC_NOSUB: "-", [F], [G]
	ruleStatusSet                   // RULE_RC_STATUS_SET: AH10508
)

// applyRule is apply_rewrite_rule: it reports whether p matched, and
// then what it did.
func (rr *rewriteRun) applyRule(p *RewriteRule, vary *string) (bool, ruleResult) {
	ex := rr.ex
	m := p.Regex.FindStringSubmatchIndex(rr.filename)
	if (m != nil) == p.Negate {
		return false, 0
	}
	rr.varyThis = ""
	rr.condOK = false
	if p.Negate {
		rr.ruleOK = false
	} else {
		rr.ruleSrc, rr.ruleM, rr.ruleOK = rr.filename, m, true
	}
	if !rr.applyConds(p.Conds, vary) {
		return false, 0
	}
	var newURI string
	if p.Flags&RewriteNoSub == 0 {
		q := &qmarkTrack{verdict: -1}
		if p.Flags&RewriteUnsafeAllow3F != 0 {
			q = nil
		}
		newURI = rr.expand(p.Subst, p, q)
		if q != nil && q.verdict > 0 {
			ex.logError("AH10508: Unsafe URL with %3f URL rewritten without UnsafeAllow3F", "module", "rewrite")
			rr.status = 403
			return true, ruleStatusSet
		}
	}
	for _, e := range p.Env {
		rr.setEnv(rr.expand(e, nil, nil))
	}
	for _, c := range p.Cookies {
		rr.addCookie(rr.expand(c, nil, nil))
	}
	if p.Flags&RewriteNoSub != 0 {
		rr.forceType(p)
		if p.Flags&RewriteStatus != 0 {
			rr.status = p.Status
		}
		return true, ruleNoSub
	}
	prefixAdded := false
	if p.Flags&(RewriteProxy|RewriteRedirect) == 0 && newURI != "" && newURI[0] != '/' && absoluteURILen(newURI) == 0 {
		newURI = "/" + newURI
		prefixAdded = true
	} else if newURI == "" && p.Flags&(RewriteProxy|RewriteRedirect) == 0 {
		newURI = "/"
		prefixAdded = true
	}
	rr.filename = newURI
	rr.splitQuery(p.Flags)
	if p.Flags&RewriteProxy != 0 {
		rr.filename = "proxy:" + rr.fullyQualify(rr.filename)
		return true, ruleMatch
	}
	if p.Flags&RewriteRedirect != 0 {
		rr.filename = rr.fullyQualify(rr.filename)
		rr.status = p.Status
		return true, ruleMatch
	}
	rr.reduceURI()
	if absoluteURILen(rr.filename) > 0 {
		rr.status = p.Status
		return true, ruleMatch
	}
	if p.Flags&RewriteUNC == 0 && !prefixAdded {
		if len(p.Output) < 2 || p.Output[0] != '/' || p.Output[1] != '/' {
			for len(rr.filename) > 1 && rr.filename[0] == '/' && rr.filename[1] == '/' {
				rr.filename = rr.filename[1:]
			}
		}
	}
	rr.forceType(p)
	return true, ruleMatch
}

// forceType is force_type_handler for [T=]: the expanded type, lower
// case, noted for the fixups.
func (rr *rewriteRun) forceType(p *RewriteRule) {
	if p.ForcedType == nil {
		return
	}
	if t := rr.expand(p.ForcedType, p, nil); t != "" {
		rr.ex.r.notes = setField(rr.ex.r.notes, "rewrite-forced-mimetype", asciiLower(t))
	}
}

// applyConds evaluates a rule's conditions, in order, with [OR] groups;
// the Vary of the ones that count goes to vary.
func (rr *rewriteRun) applyConds(conds []RewriteCond, vary *string) bool {
	for i := 0; i < len(conds); i++ {
		c := &conds[i]
		ok := rr.applyCond(c)
		if c.NoVary {
			rr.varyThis = ""
		}
		if c.OrNext {
			if !ok {
				rr.varyThis = ""
				continue
			}
			for i < len(conds) && conds[i].OrNext {
				i++
			}
		} else if !ok {
			return false
		}
		if rr.varyThis != "" {
			if *vary == "" {
				*vary = rr.varyThis
			} else {
				*vary += ", " + rr.varyThis
			}
			rr.varyThis = ""
		}
	}
	return true
}

// record is the request as variables and expressions read it, made the
// first time a rule needs it, with the rules' r->filename and r->args
// as they are now.
func (rr *rewriteRun) record() *logformat.Record {
	if rr.rec == nil {
		rr.rec = rr.ex.exprRecord(rr.ex.r.headersIn, requestTable, false)
	}
	q := &rr.rec.Final
	q.Filename = rr.filename
	q.Query, q.HasQuery = rr.args, rr.hasArgs
	q.Env = rr.ex.r.env
	q.Notes = rr.ex.r.notes
	return rr.rec
}

// applyCond is apply_rewrite_cond.
func (rr *rewriteRun) applyCond(c *RewriteCond) bool {
	var ok bool
	if c.Op == CondExpr {
		var src string
		var m []int
		ok, src, m = c.Expr(rr.record())
		if ok && !c.Negate {
			// briRC takes the expression's word, NULL (no %N) unless a
			// regular expression with groups matched.
			rr.condSrc, rr.condM, rr.condOK = src, m, len(m) > 0
		}
		return ok != c.Negate
	}
	input := rr.expand(c.Test, nil, nil)
	switch c.Op {
	case CondRegex:
		m := c.Regex.FindStringSubmatchIndex(input)
		ok = m != nil
		if ok && !c.Negate {
			rr.condSrc, rr.condM, rr.condOK = input, m, true
		}
	case CondFile, CondSize, CondDir, CondExec:
		var st syscall.Stat_t
		if input != "" && syscall.Stat(input, &st) == nil {
			switch c.Op {
			case CondFile:
				ok = st.Mode&syscall.S_IFMT == syscall.S_IFREG
			case CondSize:
				ok = st.Mode&syscall.S_IFMT == syscall.S_IFREG && st.Size > 0
			case CondDir:
				ok = st.Mode&syscall.S_IFMT == syscall.S_IFDIR
			case CondExec:
				ok = st.Mode&0o111 != 0
			}
		}
	case CondLink:
		fi, err := os.Lstat(input)
		ok = input != "" && err == nil && fi.Mode()&os.ModeSymlink != 0
	case CondStrEQ:
		if c.NoCase {
			ok = strings.EqualFold(input, c.Pattern)
		} else {
			ok = input == c.Pattern
		}
	case CondStrLT, CondStrLE, CondStrGT, CondStrGE:
		var d int
		if c.NoCase {
			d = strings.Compare(strings.ToLower(input), strings.ToLower(c.Pattern))
		} else {
			d = compareLexicography(input, c.Pattern)
		}
		switch c.Op {
		case CondStrLT:
			ok = d < 0
		case CondStrLE:
			ok = d <= 0
		case CondStrGT:
			ok = d > 0
		default:
			ok = d >= 0
		}
	default:
		n := atoi(input)
		switch c.Op {
		case CondIntEQ:
			ok = n == c.Int
		case CondIntLT:
			ok = n < c.Int
		case CondIntLE:
			ok = n <= c.Int
		case CondIntGT:
			ok = n > c.Int
		default:
			ok = n >= c.Int
		}
	}
	return ok != c.Negate
}

// compareLexicography is mod_rewrite's compare_lexicography: the shorter
// string is the smaller; strings of one length compare byte by byte.
func compareLexicography(a, b string) int {
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// atoi is C's atoi: leading white space, a sign, then digits; anything
// else ends the number, and no digits is 0.
func atoi(s string) int {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	n := 0
	for ; i < len(s) && cDigit(s[i]); i++ {
		n = n*10 + int(s[i]-'0')
		if n > 1<<31 {
			n = 1 << 31
		}
	}
	if neg {
		return -n
	}
	return n
}

// setEnv is do_expand_env for one expanded [E=] value: "!name" unsets,
// "name:value" sets, a bare name sets "".
func (rr *rewriteRun) setEnv(v string) {
	r := &rr.ex.r
	if name, ok := strings.CutPrefix(v, "!"); ok {
		r.env = unsetField(r.env, name)
		return
	}
	name, val, _ := strings.Cut(v, ":")
	r.env = setField(r.env, name, val)
}

// addCookie is add_cookie for one expanded [CO=] value:
// NAME:VALUE:DOMAIN[:minutes[:path[:secure[:httponly[:samesite]]]]]
// (';' in place of ':' when the value begins with one), set once per
// name for the request and its internal redirects, in
// err_headers_out.
func (rr *rewriteRun) addCookie(spec string) {
	ex := rr.ex
	sep := ":"
	if strings.HasPrefix(spec, ";") {
		sep, spec = ";", spec[1:]
	}
	tok := strings.FieldsFunc(spec, func(c rune) bool { return c == rune(sep[0]) }) // apr_strtok
	if len(tok) < 3 {
		return
	}
	name := tok[0]
	if slices.Contains(ex.rewriteCookies, name) {
		return
	}
	ex.rewriteCookies = append(ex.rewriteCookies, name)
	at := func(i int) (string, bool) {
		if i < len(tok) {
			return tok[i], true
		}
		return "", false
	}
	c := name + "=" + tok[1] + "; path="
	if p, ok := at(4); ok {
		c += p
	} else {
		c += "/"
	}
	c += "; domain=" + tok[2]
	truthy := func(v, word string) bool {
		return strings.EqualFold(v, "true") || v == "1" || strings.EqualFold(v, word)
	}
	// apr_pstrcat stops at the first NULL: without an expiry nothing
	// follows the domain, and a secure that is not set ends the list.
	if exp, ok := at(3); ok {
		if mins := int64(atoi(exp)); mins != 0 {
			t := ex.begin.Add(time.Duration(mins) * time.Minute).UTC()
			c += "; expires=" + t.Format("Mon, 02-Jan-2006 15:04:05 GMT")
		}
		if sec, ok := at(5); ok && truthy(sec, "secure") {
			c += "; secure"
			if h, ok := at(6); ok && truthy(h, "HttpOnly") {
				c += "; HttpOnly"
			}
		}
	}
	if ss, ok := at(7); ok && ss != "0" && !strings.EqualFold(ss, "false") {
		c += "; SameSite=" + ss
	}
	ex.r.errHeadersOut = append(ex.r.errHeadersOut, Field{Name: "Set-Cookie", Value: c})
}

// splitQuery is splitout_queryargs: the query of the new r->filename
// becomes r->args, as [QSA], [QSD] and [QSL] say.
func (rr *rewriteRun) splitQuery(f RewriteFlags) {
	if f&RewriteQSNone != 0 {
		rr.args, rr.hasArgs = "", false
		return
	}
	skip := absoluteURILen(rr.filename)
	if skip > 0 && !absoluteURIQuery(rr.filename) {
		rr.args, rr.hasArgs = "", false
		return
	}
	if f&RewriteQSDiscard != 0 {
		rr.args, rr.hasArgs = "", false
	}
	rest := rr.filename[skip:]
	i := strings.IndexByte(rest, '?')
	if f&RewriteQSLast != 0 {
		i = strings.LastIndexByte(rest, '?')
	}
	if i < 0 {
		return
	}
	q := rest[i+1:]
	rr.filename = rr.filename[:skip+i]
	if f&RewriteQSAppend != 0 {
		if q != "" {
			if rr.hasArgs {
				q += "&" + rr.args
			} else {
				q += "&"
			}
			rr.args, rr.hasArgs = q, true
		}
	} else {
		rr.args, rr.hasArgs = q, true
	}
	if rr.hasArgs {
		switch {
		case rr.args == "":
			rr.hasArgs = false
		case rr.args[len(rr.args)-1] == '&':
			rr.args = rr.args[:len(rr.args)-1]
		}
	}
}

// fullyQualify is fully_qualify_uri: a path becomes a URL of this
// server.
func (rr *rewriteRun) fullyQualify(s string) string {
	ex := rr.ex
	if ex.r.method == "CONNECT" || absoluteURILen(s) > 0 {
		return s
	}
	if s == "" || s[0] != '/' {
		s = "/" + s
	}
	return ex.selfURL() + s
}

// reduceURI is reduce_uri: a URL of this server (its scheme, a name and
// port of this virtual host) becomes its path.
func (rr *rewriteRun) reduceURI() {
	ex := rr.ex
	scheme := ex.scheme()
	fn := rr.filename
	if len(fn) <= len(scheme)+3 || !strings.EqualFold(fn[:len(scheme)], scheme) || fn[len(scheme):len(scheme)+3] != "://" {
		return
	}
	rest := fn[len(scheme)+3:]
	hostEnd := strings.IndexAny(rest, "/:")
	host, port, path := rest, ex.defaultPort(), "/"
	if hostEnd >= 0 {
		host = rest[:hostEnd]
		after := rest[hostEnd:]
		if after[0] == ':' {
			digits := after[1:]
			if j := strings.IndexByte(digits, '/'); j >= 0 {
				digits, path = digits[:j], digits[j:]
			}
			port = atoi(digits)
		} else {
			path = after
		}
	}
	if !ex.matchesRequestVhost(host, port) {
		return
	}
	rr.filename = path
	if !rr.cfg.LegacyPrefixDocRoot {
		ex.r.notes = setField(ex.r.notes, "mod_rewrite_uri_reduced", "true")
	}
}

// matchesRequestVhost is ap_matches_request_vhost: host and port name
// the request's server, by an address of its <VirtualHost> line or, on
// its port, by ServerName or ServerAlias.
func (ex *exchange) matchesRequestVhost(host string, port int) bool {
	s := ex.srv
	for _, a := range s.Addrs {
		text := "*"
		if !a.Any {
			text = a.Addr.String()
		}
		if (a.AnyPort || port == a.Port) && strings.EqualFold(host, text) {
			return true
		}
	}
	sport := s.Port
	if sport == 0 && s != ex.site.Main {
		sport = ex.site.Main.Port
	}
	if port != sport {
		return false
	}
	return s.matchesName(host)
}

// prefixStat is prefix_stat: whether the file name fn is used as it is
// (its first segment exists, and the rule wrote it or it is under
// DocumentRoot) rather than put under DocumentRoot.
func (rr *rewriteRun) prefixStat(fn string) bool {
	// apr_filepath_root takes all the leading slashes as the root.
	rest := strings.TrimLeft(fn, "/")
	seg := "/" + rest
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		seg = "/" + rest[:i]
	}
	if _, err := os.Stat(seg); err != nil {
		return false
	}
	if rr.cfg.UnsafePrefixStat || rr.lastsub == nil || rr.lastsub.Flags&RewriteUnsafePrefixStat != 0 {
		return true
	}
	root := rr.ex.docRoot()
	return strings.HasPrefix(rr.lastsub.Output, seg) || strings.HasPrefix(fn, root)
}

// coreTranslate is ap_core_translate for a rewritten path: the path
// under DocumentRoot, or the status that refuses it.
func (ex *exchange) coreTranslate(path string) (string, int) {
	if ex.proxied {
		return "", 403
	}
	// apr_filepath_merge with APR_FILEPATH_SECUREROOT: empty and "."
	// segments go, ".." takes one back but never above DocumentRoot.
	var segs []string
	for _, seg := range strings.Split(path, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(segs) == 0 {
				ex.logError("AH00127: Cannot map "+ex.head.TheRequest+" to file", "module", "core")
				return "", 403
			}
			segs = segs[:len(segs)-1]
		default:
			segs = append(segs, seg)
		}
	}
	name := strings.TrimSuffix(ex.docRoot(), "/") + "/" + strings.Join(segs, "/")
	if strings.HasSuffix(path, "/") && len(segs) > 0 {
		name += "/"
	}
	return name, 0
}

// docRoot is ap_document_root: the server's DocumentRoot.
func (ex *exchange) docRoot() string { return ex.srv.Dir.DocumentRoot }

// rewriteWorker is the ProxyPass worker whose URL is the longest start of
// url: its settings serve a [P] request (ap_proxy_get_worker), else the
// defaults do.
func (ex *exchange) rewriteWorker(url string) *Route {
	var best *Route
	for _, rt := range ex.srv.Routes {
		if rt.Exclude || rt.Regex != nil || !strings.HasPrefix(url, rt.Target) {
			continue
		}
		if best == nil || len(rt.Target) > len(best.Target) {
			best = rt
		}
	}
	return best
}

// absoluteURILen is is_absolute_uri: the length of the scheme part of an
// absolute URI of the schemes mod_rewrite knows ("http://" is 7), else 0.
func absoluteURILen(s string) int {
	if len(s) <= 5 || s[0] == '/' {
		return 0
	}
	for _, sc := range absoluteSchemes {
		if len(s) > len(sc.prefix) && strings.EqualFold(s[:len(sc.prefix)], sc.prefix) {
			return len(sc.prefix)
		}
	}
	return 0
}

// absoluteURIQuery reports whether the absolute URI s may carry a query
// mod_rewrite splits off.
func absoluteURIQuery(s string) bool {
	for _, sc := range absoluteSchemes {
		if len(s) > len(sc.prefix) && strings.EqualFold(s[:len(sc.prefix)], sc.prefix) {
			return sc.query
		}
	}
	return false
}

var absoluteSchemes = [...]struct {
	prefix string
	query  bool
}{
	{"ajp://", true}, {"balancer://", true}, {"fcgi://", true}, {"ftp://", false},
	{"gopher://", false}, {"h2://", true}, {"h2c://", true}, {"http://", true},
	{"https://", true}, {"ldap://", false}, {"mailto:", true}, {"news:", false},
	{"nntp://", false}, {"scgi://", true}, {"unix:", true}, {"ws://", true}, {"wss://", true},
}

// escapeAbsoluteURI is escape_absolute_uri: the part after the scheme,
// host and port escaped as a path (ap_escape_uri).
func escapeAbsoluteURI(u string, scheme int) string {
	cp := scheme
	if u[cp-1] == '/' {
		for cp < len(u) && u[cp] != '/' {
			cp++
		}
		if cp >= len(u) || cp+1 >= len(u) {
			return u
		}
		cp++
	}
	return u[:cp] + osEscapePath(u[cp:])
}

// hasCtlOrSpace reports a byte that ap_scan_vchar_obstext stops at: a
// control character or a space.
func hasCtlOrSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f {
			return true
		}
	}
	return false
}
