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
	for i := range rules {
		rule := &rules[i]
		switch {
		case rule.Expr != nil:
			if rule.Early != (phase == envPostRead || phase == envRedirect) || phase == envFixups {
				continue
			}
			ok, src, m := rule.Expr(ex.exprRecord(ex.r.headersIn, requestTable, phase == envPostRead))
			if ok {
				ex.assignEnv(rule.Vars, src, m)
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
			ex.assignEnv(rule.Vars, "", nil)
			continue
		}
		// What is not there is tested as "", as mod_setenvif does, so
		// that "^$" matches a missing header.
		val, _ := ex.envAttribute(rule, phase)
		m := rule.Regex.FindStringSubmatchIndex(val)
		if m == nil {
			continue
		}
		ex.assignEnv(rule.Vars, val, m)
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

// assignEnv sets or unsets the variables of a rule; a SetEnvIf value may
// refer to the groups of the match with $0..$9, and an empty SetEnvIf
// value means "1".
func (ex *exchange) assignEnv(vars []EnvAssign, subject string, m []int) {
	r := &ex.r
	for _, v := range vars {
		if v.Unset {
			r.env = unsetField(r.env, v.Name)
			continue
		}
		val := v.Value
		if m != nil {
			if val == "" {
				val = "1"
			} else if strings.IndexByte(val, '$') >= 0 {
				val = regsub(val, subject, m)
			}
		}
		r.env = setField(r.env, v.Name, val)
	}
}

// regsub expands $0..$9 in s with the groups of match m of subject, as
// httpd's ap_pregsub ("\$" is a literal dollar).
func regsub(s, subject string, m []int) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) && (s[i+1] == '$' || s[i+1] == '&') {
			b.WriteByte(s[i+1])
			i++
			continue
		}
		if c == '$' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
			n := int(s[i+1] - '0')
			if 2*n+1 < len(m) && m[2*n] >= 0 {
				b.WriteString(subject[m[2*n]:m[2*n+1]])
			}
			i++
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
