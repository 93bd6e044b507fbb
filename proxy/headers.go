package proxy

import (
	"bufio"
	"slices"
	"strings"

	"github.com/jl6/logproxy/logformat"
)

// headerRuleApplies checks a rule's env= or expr= condition.
func (ex *exchange) headerRuleApplies(h *HeaderRule, table Fields, which ruleTable) bool {
	if h.EnvVar != "" {
		_, set := ex.r.env.Get(h.EnvVar)
		return set != h.Negate
	}
	if h.Cond != nil {
		return h.Cond(ex.exprRecord(table, which, which >= earlyRequestTable))
	}
	return true
}

// exprRecord is the request at hand, for an expression of a header rule
// applied to table (which the rules before it changed): headers_in, or
// headers_out followed by err_headers_out, as resp() reads them. At
// post-read-request (postRead), r->uri is still the path as sent, not yet
// decoded or normalised; until the fixups (fixedUp), r->filename of a
// proxied request is not canonical yet.
func (ex *exchange) exprRecord(table Fields, which ruleTable, postRead bool) *logformat.Record {
	rec := new(logformat.Record)
	ex.fillRecord(rec, 0)
	rec.Orig = nil
	if ex.exprHasContentType {
		rec.ContentType = ex.exprContentType
	}
	q := &rec.Final
	if postRead && ex.head.HasURI {
		q.URI = ex.head.rawPath.s
	}
	if ex.proxied && !ex.fixedUp {
		// Before proxy's fixup canonicalises it, r->filename is as
		// proxy_trans made it: the path not re-encoded, no query.
		q.Filename = "proxy:" + ex.transTarget + ex.transRest
	}
	switch which.late() {
	case requestTable:
		q.HeadersIn = table
	case alwaysTable:
		q.HeadersOut = append(slices.Clip(ex.r.headersOut), table...)
	default:
		q.HeadersOut = append(slices.Clip(table), ex.r.errHeadersOut...)
	}
	return rec
}

// ruleTable selects the rules of a list that act on one table, in one
// phase: mod_headers runs the rules marked early at post-read-request
// (ap_headers_early), and only those; the others at fixups and in its
// output filters.
type ruleTable uint8

const (
	requestTable        ruleTable = iota // RequestHeader (not early): headers_in
	alwaysTable                          // Header always: err_headers_out
	onSuccessTable                       // Header [onsuccess]: headers_out
	earlyRequestTable                    // RequestHeader ... early
	earlyAlwaysTable                     // Header always ... early
	earlyOnSuccessTable                  // Header [onsuccess] ... early
)

// takes reports whether rule h acts on table t.
func (t ruleTable) takes(h *HeaderRule) bool {
	if h.Early != (t >= earlyRequestTable) {
		return false
	}
	switch t {
	case alwaysTable, earlyAlwaysTable:
		return h.Always
	case onSuccessTable, earlyOnSuccessTable:
		return !h.Always
	}
	return true
}

// late is the table of the same name that the late rules act on.
func (t ruleTable) late() ruleTable {
	if t >= earlyRequestTable {
		return t - earlyRequestTable
	}
	return t
}

// applyHeaderRules runs the rules of the list that act on one header
// table (which) as mod_headers' do_headers_fixup does, and returns the
// table.
func (ex *exchange) applyHeaderRules(table Fields, rules []HeaderRule, which ruleTable, contentType *string) Fields {
	for i := range rules {
		h := &rules[i]
		if contentType != nil {
			// CONTENT_TYPE of the rule's expressions (a value, not the
			// pointer: that would move the caller's variable to the heap).
			ex.exprContentType, ex.exprHasContentType = *contentType, true
		}
		if !which.takes(h) || !ex.headerRuleApplies(h, table, which) {
			continue
		}
		switch h.Action {
		case HeaderAdd:
			table = addField(table, h.Name, ex.headerValue(h, table, which))
		case HeaderAppend:
			table = mergeField(table, h.Name, ex.headerValue(h, table, which))
		case HeaderMerge:
			nv := ex.headerValue(h, table, which)
			if old, ok := table.Get(h.Name); !ok {
				table = addField(table, h.Name, nv)
			} else if !hasMergeToken(old, nv) {
				table = mergeField(table, h.Name, nv)
			}
		case HeaderSet:
			nv := ex.headerValue(h, table, which)
			if contentType != nil && equalFold(h.Name, "Content-Type") {
				*contentType = nv
			}
			table = setField(table, h.Name, nv)
		case HeaderSetIfEmpty:
			if _, ok := table.Get(h.Name); !ok {
				nv := ex.headerValue(h, table, which)
				if contentType != nil && equalFold(h.Name, "Content-Type") {
					*contentType = nv
				}
				table = setField(table, h.Name, nv)
			}
		case HeaderUnset:
			table = unsetField(table, h.Name)
		case HeaderEcho:
			for _, f := range ex.r.headersIn {
				if h.Regex != nil && h.Regex.MatchString(f.Name) || h.Regex == nil && equalFold(f.Name, h.Name) {
					table = addField(table, f.Name, f.Value)
				}
			}
		case HeaderEdit, HeaderEditAll:
			repl := func() string { return ex.headerValue(h, table, which) }
			if contentType != nil && *contentType != "" && equalFold(h.Name, "Content-Type") {
				*contentType = editValue(h, *contentType, repl)
			}
			var edited Fields
			found := false
			for _, f := range table {
				if equalFold(f.Name, h.Name) {
					found = true
					edited = append(edited, Field{Name: f.Name, Value: editValue(h, f.Value, repl)})
				}
			}
			if found {
				table = unsetField(table, h.Name)
				table = append(table, edited...)
			}
		case HeaderNote:
			name := ex.headerValue(h, table, which)
			if v, ok := table.Get(h.Name); ok {
				ex.r.notes = setField(ex.r.notes, name, v)
			} else {
				ex.r.notes = unsetField(ex.r.notes, name)
			}
		}
	}
	ex.exprHasContentType = false
	return table
}

// headerValue renders the rule's value (for note: the note's name); the
// clock is read only for a value that has %D.
func (ex *exchange) headerValue(h *HeaderRule, table Fields, which ruleTable) string {
	if h.ValueExpr != nil {
		return h.ValueExpr(ex.exprRecord(table, which, which >= earlyRequestTable))
	}
	if s, ok := h.Format.plain(); ok {
		return s
	}
	return h.Format.render(ex.r.env, ex.begin, ex.c.e.now(), headerConn{tls: ex.c.tls, ssl: ex.site.SSLModule})
}

// hasMergeToken reports whether the comma-separated list old already has
// the token nv, compared as mod_headers' merge compares (case-sensitive,
// quoted strings kept whole).
func hasMergeToken(old, nv string) bool {
	for i := 0; i < len(old); {
		for i < len(old) && isSpace(old[i]) {
			i++
		}
		start := i
		for i < len(old) && old[i] != ',' {
			if old[i] == '"' {
				i++
				for i < len(old) && old[i] != '"' {
					i++
				}
			}
			if i < len(old) {
				i++
			}
		}
		if old[start:i] == nv {
			return true
		}
		if i < len(old) {
			i++
		}
	}
	return false
}

func isSpace(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }

// editValue applies edit (first match) or edit* (every match).
func editValue(h *HeaderRule, v string, repl func() string) string {
	if h.Regex == nil {
		return v
	}
	loc := h.Regex.FindStringSubmatchIndex(v)
	if loc == nil {
		return v
	}
	// process_regexp: the replacement rendered for this match, its $N
	// put in (ap_pregsub); edit* goes on with what follows the match as
	// a string of its own, so that ^ matches again at its start. (httpd
	// recurses without end after an empty match; logproxy stops.)
	subs := regsub(repl(), v, loc)
	rest := v[loc[1]:]
	if h.Action == HeaderEditAll && loc[1] > loc[0] {
		rest = editValue(h, rest, repl)
	}
	return v[:loc[0]] + subs + rest
}

// regsub is ap_pregsub: $0..$9 are the groups of the match m in src
// (nothing for a group that took no part or matched nothing), a
// backslash makes the next character plain.
func regsub(tmpl, src string, m []int) string {
	var b strings.Builder
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		switch {
		case c == '$' && i+1 < len(tmpl) && cDigit(tmpl[i+1]):
			n := int(tmpl[i+1] - '0')
			i++
			if 2*n+1 < len(m) && m[2*n] >= 0 && m[2*n] < m[2*n+1] {
				b.WriteString(src[m[2*n]:m[2*n+1]])
			}
		case c == '\\' && i+1 < len(tmpl):
			i++
			b.WriteByte(tmpl[i])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// applyEarlyHeaders runs the rules marked early of the server (not of
// any section: post-read-request comes before the request is mapped), on
// headers_in, err_headers_out and headers_out, as ap_headers_early does.
func (ex *exchange) applyEarlyHeaders() {
	d := ex.srv.Dir
	r := &ex.r
	if len(d.ReqHeaders) > 0 {
		r.headersIn = ex.applyHeaderRules(r.headersIn, d.ReqHeaders, earlyRequestTable, nil)
	}
	if len(d.RespHeaders) > 0 {
		r.errHeadersOut = ex.applyHeaderRules(r.errHeadersOut, d.RespHeaders, earlyAlwaysTable, nil)
		r.headersOut = ex.applyHeaderRules(r.headersOut, d.RespHeaders, earlyOnSuccessTable, nil)
	}
}

// applyRequestHeaders runs RequestHeader rules (the late ones) on the
// request's header table.
func (ex *exchange) applyRequestHeaders(rules []HeaderRule) {
	if len(rules) == 0 {
		return
	}
	ex.r.headersIn = ex.applyHeaderRules(ex.r.headersIn, rules, requestTable, nil)
}

// applyResponseHeaders runs the Header rules of the request's directory on
// the response tables: "always" rules on err_headers_out, the others on
// headers_out (for responses httpd generates itself only the "always"
// ones, as mod_headers' error filter). StripHeader names stay in the
// tables, so that %{X}o logs them; writeHead leaves them out of what is
// sent.
func (ex *exchange) applyResponseHeaders(d *DirConfig, generated bool, contentType *string) {
	if d == nil {
		return
	}
	r := &ex.r
	if len(d.RespHeaders) > 0 {
		r.errHeadersOut = ex.applyHeaderRules(r.errHeadersOut, d.RespHeaders, alwaysTable, contentType)
		if !generated {
			r.headersOut = ex.applyHeaderRules(r.headersOut, d.RespHeaders, onSuccessTable, contentType)
		}
	}
}

// writeStripped writes the fields of stripFields(fs, d), without making
// that table.
func writeStripped(bw *bufio.Writer, fs Fields, d *DirConfig) {
	for _, f := range fs {
		if f, ok := stripField(f, d); ok {
			writeField(bw, f.Name, f.Value)
		}
	}
}

// stripFields returns fs without the StripHeader names, and without them
// in the list of declared trailers. fs itself is not changed.
func stripFields(fs Fields, d *DirConfig) Fields {
	out := make(Fields, 0, len(fs))
	for _, f := range fs {
		if f, ok := stripField(f, d); ok {
			out = append(out, f)
		}
	}
	return out
}

// stripField returns f as it goes out under StripHeader (a Trailer list
// without the stripped names), or false when it does not go out.
func stripField(f Field, d *DirConfig) (Field, bool) {
	if d.Strip.Match(f.Name) {
		return f, false
	}
	if equalFold(f.Name, "Trailer") {
		kept := d.Strip.TrailerList([]string{f.Value})
		if len(kept) == 0 {
			return f, false
		}
		f.Value = strings.Join(kept, ", ")
	}
	return f, true
}
