package proxy

import (
	"encoding/base64"
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
	auth, ok := r.headersIn.Get("Authorization")
	if !ok {
		ex.noteAuthFailure(d)
		return 401
	}
	scheme, cred, _ := strings.Cut(strings.TrimLeft(auth, " \t"), " ")
	if !strings.EqualFold(scheme, "Basic") {
		ex.noteAuthFailure(d)
		return 401
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimLeft(cred, " \t"))
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(strings.TrimLeft(cred, " \t"), "="))
		if err != nil {
			ex.noteAuthFailure(d)
			return 401
		}
	}
	user, pass, found := strings.Cut(string(raw), ":")
	if !found {
		ex.noteAuthFailure(d)
		return 401
	}
	r.user, r.hasUser = user, true
	if d.htpasswd == nil {
		ex.logError("AH01620: Could not open password file", "file", d.AuthUserFile)
		return 500
	}
	known, good, err := d.htpasswd.check(user, pass)
	if err != nil {
		ex.logError("password check failed", "user", user, "err", err)
	}
	if !known || !good {
		ex.noteAuthFailure(d)
		return 401
	}
	return 0
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
	a = a.Unmap()
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
