package proxy

import "strings"

// envPhase is when a group of environment rules runs.
type envPhase uint8

const (
	envPostRead     envPhase = iota // server-level SetEnvIf: post_read_request
	envHeaderParser                 // per-directory SetEnvIf: header_parser
	envFixups                       // SetEnv, UnsetEnv (mod_env): fixups
	// envRedirect: the post_read_request hooks that httpd runs again for
	// an internal redirect's request: the server-level SetEnvIf rules,
	// with the new request's URI.
	envRedirect
)

// applyEnvRules runs the rules of one phase on the request's environment,
// as mod_setenvif's match_headers and mod_env's fixup do.
func (ex *exchange) applyEnvRules(rules []EnvRule, phase envPhase) {
	// match_headers' val and regm live across the rules of one pass: a
	// SetEnvIfExpr without a regular expression puts in the word and
	// groups an earlier rule left.
	var lastVal string
	var lastM []int
	hasVal := false
	for i := range rules {
		rule := &rules[i]
		switch {
		case rule.Expr != nil:
			if rule.Early != (phase == envPostRead || phase == envRedirect) || phase == envFixups {
				continue
			}
			ok, src, m := rule.Expr(ex.exprRecord(ex.r.headersIn, requestTable, phase == envPostRead))
			switch {
			case len(m) > 0:
				lastVal, lastM, hasVal = src, m, true
			case m != nil:
				hasVal = false // a regular expression failed: val is NULL
			}
			if ok {
				ex.assignEnv(rule.Vars, lastVal, lastM, hasVal)
			}
			continue
		case rule.Attribute == "":
			if phase != envFixups {
				continue
			}
		case rule.Early != (phase == envPostRead || phase == envRedirect) || phase == envFixups:
			continue
		}
		if rule.Attribute == "" {
			ex.assignEnv(rule.Vars, "", nil, false)
			continue
		}
		// What is not there is tested as "", as mod_setenvif does, so
		// that "^$" matches a missing header.
		val, _ := ex.envAttribute(rule, phase)
		lastVal, hasVal = val, true
		m := rule.Regex.FindStringSubmatchIndex(val)
		if m == nil {
			continue
		}
		if !rule.Literal {
			lastM = m
		}
		ex.assignEnv(rule.Vars, val, m, !rule.Literal)
	}
}

// envAttribute returns the value a SetEnvIf rule tests: one of
// mod_setenvif's special names, else a request header, else an
// environment variable set earlier.
func (ex *exchange) envAttribute(rule *EnvRule, phase envPhase) (string, bool) {
	r := &ex.r
	switch strings.ToLower(rule.Attribute) {
	case "remote_host":
		return ex.useragentHost, true
	case "remote_addr":
		return ex.useragentIP, true
	case "server_addr":
		return ex.c.localIP, true
	case "request_method":
		return r.method, true
	case "request_protocol":
		return ex.head.Protocol, true
	case "request_uri":
		if phase == envPostRead {
			// Before ap_process_request_internal: the path as sent.
			return ex.head.rawPath.s, true
		}
		return r.uri, true
	}
	if rule.NameRegex != nil {
		// A name that is a regular expression: the value of the last
		// request header whose name matches it.
		val, ok := "", false
		for _, f := range r.headersIn {
			if rule.NameRegex.MatchString(f.Name) {
				val, ok = f.Value, true
			}
		}
		return val, ok
	}
	if v, ok := r.headersIn.Get(rule.Attribute); ok {
		return v, true
	}
	return r.env.Get(rule.Attribute)
}

// assignEnv sets or unsets the variables of a rule; an empty SetEnvIf
// value means "1"; with subst, a value goes through ap_pregsub with the
// groups of the match ($0..$9, backslash escapes).
func (ex *exchange) assignEnv(vars []EnvAssign, subject string, m []int, subst bool) {
	r := &ex.r
	for _, v := range vars {
		if v.Unset {
			r.env = unsetField(r.env, v.Name)
			continue
		}
		val := v.Value
		if val == "" && (m != nil || subst) {
			val = "1"
		} else if subst {
			val = regsub(val, subject, m)
		}
		r.env = setField(r.env, v.Name, val)
	}
}
