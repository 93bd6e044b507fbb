package proxy

// mod_expires: Expires and Cache-Control max-age on answers, by content
// type or by default, counted from the request or from the file's
// modification.

import (
	"strconv"
	"strings"
)

// ExpiresConfig is mod_expires' per-directory configuration.
type ExpiresConfig struct {
	// Active is ExpiresActive; nil when this scope does not set it.
	Active *bool
	// Default is ExpiresDefault as mod_expires keeps it: 'A' (from the
	// request) or 'M' (from the file's modification) and seconds, or the
	// directive's text when it began with A or M; "" for none.
	Default string
	// ByType maps lower-case MIME types (type/* for a whole major type)
	// to codes as Default.
	ByType map[string]string
	// Wildcards: an ExpiresByType of this very scope names a type/*.
	// As in httpd, a scope merged over it without one loses it.
	Wildcards bool
}

// mergeExpires is merge_expires_dir_configs; add may be nil (a scope
// without mod_expires directives).
func mergeExpires(base, add *ExpiresConfig) *ExpiresConfig {
	if add == nil {
		add = &ExpiresConfig{}
	}
	n := &ExpiresConfig{Active: base.Active, Default: base.Default, Wildcards: add.Wildcards}
	if add.Active != nil {
		n.Active = add.Active
	}
	if add.Default != "" {
		n.Default = add.Default
	}
	if len(add.ByType) > 0 {
		n.ByType = make(map[string]string, len(base.ByType)+len(add.ByType))
		for k, v := range base.ByType {
			n.ByType[k] = v
		}
		for k, v := range add.ByType {
			n.ByType[k] = v
		}
	} else {
		n.ByType = base.ByType
	}
	return n
}

// applyExpires is mod_expires' filter on an answer of status with
// r->content_type contentType: unless the answer is an error or already
// has Expires, the code for its type (or the default) sets Expires and
// adds max-age to Cache-Control.
func (ex *exchange) applyExpires(status int, contentType string) {
	r := &ex.r
	d := r.dir
	if d == nil || d.Expires == nil || status >= 400 {
		return
	}
	e := d.Expires
	if e.Active == nil || !*e.Active || (len(e.ByType) == 0 && e.Default == "") {
		return
	}
	if _, ok := r.errHeadersOut.Get("Expires"); ok {
		return
	}
	if _, ok := r.headersOut.Get("Expires"); ok {
		return
	}
	code, ok := "", false
	if contentType != "" {
		mt, _, _ := strings.Cut(contentType, ";") // ap_field_noparam
		code, ok = e.ByType[asciiLower(strings.TrimSpace(mt))]
	}
	if !ok {
		useDefault := true
		if e.Wildcards {
			if i := strings.IndexByte(contentType, '/'); i >= 0 {
				code, ok = e.ByType[asciiLower(contentType[:i+1])+"*"]
				useDefault = !ok
			}
		}
		if useDefault {
			code, ok = e.Default, e.Default != ""
		}
	}
	if ok {
		ex.setExpiration(code)
	}
}

// setExpiration is set_expiration_fields.
func (ex *exchange) setExpiration(code string) {
	r := &ex.r
	reqTime := ex.begin.UnixMicro()
	var base int64
	switch code[0] {
	case 'M':
		if ex.fileMtime == 0 {
			return // no file: nothing to count from
		}
		base = ex.fileMtime
	case 'A':
		base = reqTime
	default:
		return
	}
	expires := base + int64(atoi(code[1:]))*1e6
	if expires < reqTime {
		expires = reqTime
	}
	r.headersOut = mergeField(r.headersOut, "Cache-Control", "max-age="+strconv.FormatInt((expires-reqTime)/1e6, 10))
	r.headersOut = setField(r.headersOut, "Expires", httpDate(expires))
}

// ParseExpiresCode is check_code: "A3600" and "M60" (any text that
// begins with A or M) as they are, else "<base> [plus] {<num> <type>}*"
// made into such a code; or httpd's message for a code it refuses.
func ParseExpiresCode(code string) (string, string) {
	if code != "" && (code[0] == 'A' || code[0] == 'M') {
		return code, ""
	}
	words := strings.Fields(code)
	word := func() string {
		if len(words) == 0 {
			return ""
		}
		w := words[0]
		words = words[1:]
		return w
	}
	prefix := func(w, of string, n int) bool {
		return len(w) >= n && strings.EqualFold(w[:n], of[:n])
	}
	w := word()
	var base byte
	switch {
	case prefix(w, "now", 1), prefix(w, "access", 1):
		base = 'A'
	case prefix(w, "modification", 1):
		base = 'M'
	default:
		return "", "bad expires code, unrecognised <base> '" + w + "'"
	}
	w = word()
	if prefix(w, "plus", 1) {
		w = word()
	}
	modifier := 0
	for w != "" {
		if w[0] < '0' || w[0] > '9' {
			return "", "bad expires code, numeric value expected <num> '" + w + "'"
		}
		num := atoi(w)
		w = word()
		if w == "" {
			return "", "bad expires code, missing <type>"
		}
		var factor int
		switch {
		case prefix(w, "years", 1):
			factor = 60 * 60 * 24 * 365
		case prefix(w, "months", 2):
			factor = 60 * 60 * 24 * 30
		case prefix(w, "weeks", 1):
			factor = 60 * 60 * 24 * 7
		case prefix(w, "days", 1):
			factor = 60 * 60 * 24
		case prefix(w, "hours", 1):
			factor = 60 * 60
		case prefix(w, "minutes", 2):
			factor = 60
		case prefix(w, "seconds", 1):
			factor = 1
		default:
			return "", "bad expires code, unrecognised <type>'" + w + "'"
		}
		modifier += factor * num
		w = word()
	}
	return string(base) + strconv.Itoa(modifier), ""
}
