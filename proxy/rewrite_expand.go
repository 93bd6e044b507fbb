package proxy

// Expansion of mod_rewrite templates (do_expand): back-references,
// variables and escapes, with the tracking of where a '?' came from.

import (
	"os"
	"strconv"
	"strings"

	"github.com/jl6/logproxy/logformat"
)

// rewriteRun is one pass of a server's rules over a request: mod_rewrite's
// rewrite_ctx with the request's r->filename and r->args as the rules
// change them.
type rewriteRun struct {
	ex  *exchange
	cfg *RewriteConfig
	rec *logformat.Record // the request as variables read it (record), nil until then

	filename string // r->filename: what the rules match
	args     string // r->args
	hasArgs  bool

	// The groups of the rule's pattern ($N) and of the last condition
	// that matched a regular expression (%N); ok false: none.
	ruleSrc string
	ruleM   []int
	ruleOK  bool
	condSrc string
	condM   []int
	condOK  bool

	vary, varyThis string // Vary of the conditions: of the rule, of the condition at hand
	status         int    // r->status a rule set
	lastsub        *RewriteRule
	buf            []byte
}

// qmarkTrack is do_expand's unsafe_qmark: -1 no '?' seen, 0 the deciding
// '?' was written in the template, 1 it came from an expansion.
type qmarkTrack struct {
	verdict int
	done    bool // the first '?' decided (without [QSL])
}

// expand returns t expanded; rule (nil for condition test strings and
// [E=] values) brings [B] escaping, and q, when not nil, tracks '?'.
func (rr *rewriteRun) expand(t RewriteTemplate, rule *RewriteRule, q *qmarkTrack) string {
	if len(t) == 1 && t[0].Kind == PartText && q == nil {
		return t[0].Text
	}
	rr.buf = rr.expandTo(rr.buf[:0], t, rule, q)
	return string(rr.buf)
}

func (rr *rewriteRun) expandTo(dst []byte, t RewriteTemplate, rule *RewriteRule, q *qmarkTrack) []byte {
	qslast := rule != nil && rule.Flags&RewriteQSLast != 0
	for i := range t {
		p := &t[i]
		start := len(dst)
		switch p.Kind {
		case PartText:
			if q != nil && !q.done && strings.IndexByte(p.Text, '?') >= 0 {
				q.verdict = 0
				q.done = !qslast
			}
			dst = append(dst, p.Text...)
			continue
		case PartEscaped:
			dst = append(dst, p.Text...)
			continue
		case PartRuleRef, PartCondRef:
			src, m, ok := rr.ruleSrc, rr.ruleM, rr.ruleOK
			if p.Kind == PartCondRef {
				src, m, ok = rr.condSrc, rr.condM, rr.condOK
			}
			if ok && 2*p.N+1 < len(m) && m[2*p.N+1] > m[2*p.N] && m[2*p.N] >= 0 {
				g := src[m[2*p.N]:m[2*p.N+1]]
				if rule != nil && rule.Flags&RewriteEscapeBackref != 0 {
					dst = escapeBackref(dst, g, rule.Escapes, rule.NoEscapes, rule.Flags)
				} else {
					dst = append(dst, g...)
				}
			}
		case PartVar:
			dst = append(dst, p.Var(rr.record())...)
		case PartEnv:
			dst = append(dst, rr.envVar(p.Text)...)
		case PartHeader:
			v, ok := rr.ex.r.headersIn.Get(p.Text)
			if ok && !asciiEqualFold(p.Text, "Host") {
				// lookup_header: a header the conditions read is one
				// the answer varies by.
				if rr.varyThis == "" {
					rr.varyThis = p.Text
				} else {
					rr.varyThis += ", " + p.Text
				}
			}
			dst = append(dst, v...)
		case PartServerVar:
			dst = append(dst, rr.serverVar(p.Text)...)
		case PartMap:
			key := string(rr.expandTo(nil, p.Key, rule, nil))
			if m := rr.cfg.Maps[p.Text]; m != nil {
				if v, ok := m.lookup(rr.ex, key); ok {
					dst = append(dst, v...)
					break
				}
			}
			dst = rr.expandTo(dst, p.Default, rule, nil)
		}
		if q != nil && !q.done && strings.IndexByte(string(dst[start:]), '?') >= 0 {
			q.verdict = 1
			q.done = !qslast
		}
	}
	return dst
}

// serverVar is a variable of lookup_variable that reads the server or
// the connection.
func (rr *rewriteRun) serverVar(name string) string {
	ex := rr.ex
	switch name {
	case "DOCUMENT_ROOT", "CONTEXT_DOCUMENT_ROOT":
		return ex.docRoot()
	case "SERVER_ADMIN":
		return ex.serverAdmin()
	case "SERVER_PORT":
		return strconv.Itoa(ex.requestPort())
	case "REQUEST_SCHEME":
		return ex.scheme()
	case "SERVER_ADDR":
		return ex.c.localIP
	case "API_VERSION":
		return apiVersion
	case "SCRIPT_USER", "SCRIPT_GROUP":
		return "<unknown>" // no file was looked at yet
	}
	return ""
}

// apiVersion is httpd's MODULE_MAGIC_NUMBER major:minor, as mod_rewrite
// gives it (API_VERSION) for the httpd version logproxy follows.
const apiVersion = "20120211:142"

// envVar is %{ENV:name}: a note, else a variable of the request's
// environment, else one of the process's.
func (rr *rewriteRun) envVar(name string) string {
	r := &rr.ex.r
	if v, ok := r.notes.Get(name); ok {
		return v
	}
	if v, ok := r.env.Get(name); ok {
		return v
	}
	return os.Getenv(name)
}

// escapeBackref is escape_backref: [B] escapes every byte but letters,
// digits and '_' (a space as '+' unless [BNP]); [B=chars] only those
// bytes; [BCTLS] control bytes and spaces too; [BNE=chars] never these.
func escapeBackref(dst []byte, s, escapes, noescapes string, f RewriteFlags) []byte {
	const hex = "0123456789abcdef"
	noplus := f&RewriteEscapeNoPlus != 0
	ctls := f&RewriteEscapeCtls != 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var esc bool
		if ctls {
			esc = c <= ' ' || c == 0x7f
		} else {
			esc = escapes == ""
		}
		if escapes != "" && strings.IndexByte(escapes, c) >= 0 {
			esc = true
		}
		if esc && noescapes != "" && strings.IndexByte(noescapes, c) >= 0 {
			esc = false
		}
		switch {
		case !esc, cAlpha(c) || cDigit(c) || c == '_':
			dst = append(dst, c)
		case c == ' ' && !noplus:
			dst = append(dst, '+')
		default:
			dst = append(dst, '%', hex[c>>4], hex[c&15])
		}
	}
	return dst
}
