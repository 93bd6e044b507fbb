package proxy

import (
	"net/netip"
	"strings"
)

// authorize runs mod_authz_core's Require rules, with mod_auth_basic and
// mod_authn_file for the rules that need a user. It returns 0 when access
// is granted, else 401 or 403. As in httpd, the user name is set from the
// credentials before the password is checked, so %u logs it even when the
// answer is 401.
func (ex *exchange) authorize(d *DirConfig) int {
	req := d.Require
	needUser := false
	for _, rule := range req.Any {
		switch rule.Kind {
		case RequireAllGranted:
			if !rule.Negate {
				return 0
			}
		case RequireIP:
			if ex.ipMatches(rule.IPs) != rule.Negate {
				return 0
			}
		case RequireValidUser, RequireUser:
			needUser = true
		}
	}
	if !needUser {
		return 403
	}
	if !strings.EqualFold(d.AuthType, "Basic") {
		ex.logError("AH01796: AuthType Basic configured without corresponding module", "uri", ex.r.uri)
		return 500
	}
	if st := ex.basicAuth(d); st != 0 {
		return st
	}
	for _, rule := range req.Any {
		switch rule.Kind {
		case RequireValidUser:
			return 0
		case RequireUser:
			for _, u := range rule.Args {
				if u == ex.r.user {
					return 0
				}
			}
		}
	}
	ex.noteAuthFailure(d)
	return 401
}

// basicAuth checks the Basic credentials of the request against the
// AuthUserFile, as mod_auth_basic's authenticate_basic_user.
func (ex *exchange) basicAuth(d *DirConfig) int {
	r := &ex.r
	r.authType = d.AuthType // r->ap_auth_type, before the credentials are read
	auth, ok := r.headersIn.Get("Authorization")
	if !ok {
		ex.noteAuthFailure(d)
		return 401
	}
	// get_basic_auth: the scheme is the first word; the rest, blanks
	// skipped, is decoded as leniently as apr_base64_decode does, and
	// the user is what comes before the first ':' (all of it if none).
	scheme, cred, _ := strings.Cut(auth, " ")
	if !strings.EqualFold(scheme, "Basic") {
		ex.logError("AH01614: client used wrong authentication scheme: "+r.uri, "module", "auth_basic")
		ex.noteAuthFailure(d)
		return 401
	}
	raw := Base64Decode(strings.TrimLeft(cred, " \t"))
	if i := strings.IndexByte(raw, 0); i >= 0 {
		raw = raw[:i] // a C string ends at its first NUL
	}
	user, pass, _ := strings.Cut(raw, ":")
	r.user, r.hasUser = user, true
	if d.htpasswd == nil {
		ex.logError("AH01620: Could not open password file", "file", d.AuthUserFile)
		return 500
	}
	known, good, err := d.htpasswd.check(user, pass)
	if err != nil {
		ex.logError("password check failed", "user", user, "err", err)
	}
	switch {
	case !known:
		ex.logError("AH01618: user "+user+" not found: "+r.uri, "module", "auth_basic")
	case !good:
		ex.logError("AH01617: user "+user+": authentication failure for \""+r.uri+"\": Password Mismatch", "module", "auth_basic")
	default:
		return 0
	}
	ex.noteAuthFailure(d)
	return 401
}

// Base64Decode is apr_base64_decode (also ap_expr's unbase64): the
// leading run of characters
// of the base64 alphabet is decoded (a '=' or any other byte ends it),
// with a last group of two or three characters giving one or two bytes.
func Base64Decode(s string) string {
	n := 0
	for n < len(s) && b64Value(s[n]) < 64 {
		n++
	}
	out := make([]byte, 0, (n+3)/4*3)
	in := s[:n]
	for len(in) > 4 {
		a, b, c, d := b64Value(in[0]), b64Value(in[1]), b64Value(in[2]), b64Value(in[3])
		out = append(out, a<<2|b>>4, b<<4|c>>2, c<<6|d)
		in = in[4:]
	}
	if len(in) > 1 {
		out = append(out, b64Value(in[0])<<2|b64Value(in[1])>>4)
	}
	if len(in) > 2 {
		out = append(out, b64Value(in[1])<<4|b64Value(in[2])>>2)
	}
	if len(in) > 3 {
		out = append(out, b64Value(in[2])<<6|b64Value(in[3]))
	}
	return string(out)
}

// b64Value is the value of a base64 character, or 64 for any other byte.
func b64Value(c byte) byte {
	switch {
	case 'A' <= c && c <= 'Z':
		return c - 'A'
	case 'a' <= c && c <= 'z':
		return c - 'a' + 26
	case '0' <= c && c <= '9':
		return c - '0' + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return 64
}

// noteAuthFailure adds the WWW-Authenticate challenge (ap_note_auth_failure).
func (ex *exchange) noteAuthFailure(d *DirConfig) {
	r := &ex.r
	if _, ok := r.errHeadersOut.Get("WWW-Authenticate"); ok {
		return
	}
	r.errHeadersOut = setField(r.errHeadersOut, "WWW-Authenticate", `Basic realm="`+d.AuthName+`"`)
}

func (ex *exchange) ipMatches(ps []netip.Prefix) bool {
	a, err := netip.ParseAddr(ex.useragentIP)
	if err != nil {
		return false
	}
	a = a.Unmap().WithZone("") // apr_ipsubnet_test compares the address alone
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
