package config

// mod_rewrite's directives in the server and <VirtualHost> context:
// RewriteEngine, RewriteOptions, RewriteCond and RewriteRule, read as
// cmd_rewrite* read them, and merged into virtual hosts as
// config_server_merge does.

import (
	"os"
	"strings"

	"github.com/jl6/logproxy/logformat"
	"github.com/jl6/logproxy/proxy"
)

// rewriteBuild is the mod_rewrite configuration of a server being built.
type rewriteBuild struct {
	engine, engineSet bool
	options           rewriteOptions
	optionsSet        bool
	rules             []*proxy.RewriteRule
	conds             []proxy.RewriteCond // RewriteCond lines waiting for their rule
	maps              map[string]proxy.RewriteMap
}

// rewriteOptions are the RewriteOptions bits.
type rewriteOptions uint16

const (
	rwInherit rewriteOptions = 1 << iota
	rwInheritBefore
	rwInheritDown
	rwInheritDownBefore
	rwIgnoreInherit
	rwAllowAnyURI
	rwLegacyPrefixDocRoot
	rwUnsafePrefixStat
)

// rewriteDirective reads one mod_rewrite directive of a server. In a
// section (per-directory rules) they are refused: logproxy implements the
// server context only.
func (b *siteBuilder) rewriteDirective(d *Directive, sb *serverBuild, inSection bool) {
	name := strings.ToLower(d.Name)
	if name == "rewritebase" {
		if !inSection {
			b.errorf(d, "RewriteBase: only valid in per-directory config files")
			return
		}
	}
	if inSection {
		b.errorf(d, "%s in a <Directory>, <Location>, <Files> or <If> section (per-directory rewriting) is not supported by logproxy: only the server and <VirtualHost> context", d.Name)
		return
	}
	if sb.rewrite == nil {
		sb.rewrite = &rewriteBuild{}
	}
	rb := sb.rewrite
	switch name {
	case "rewriteengine":
		rb.engine, rb.engineSet = strings.EqualFold(d.Args[0], "on"), true
	case "rewriteoptions":
		for _, w := range d.Args {
			switch lw := strings.ToLower(w); {
			case lw == "inherit":
				rb.options |= rwInherit
			case lw == "inheritbefore":
				rb.options |= rwInheritBefore
			case lw == "inheritdown":
				rb.options |= rwInheritDown
			case lw == "inheritdownbefore":
				rb.options |= rwInheritDownBefore
			case lw == "ignoreinherit":
				rb.options |= rwIgnoreInherit
			case lw == "allownoslash", lw == "mergebase", lw == "ignorecontextinfo":
				// Per-directory options: no effect on server rules.
			case lw == "allowanyuri":
				rb.options |= rwAllowAnyURI
			case lw == "legacyprefixdocroot":
				rb.options |= rwLegacyPrefixDocRoot
			case lw == "unsafeprefixstat":
				rb.options |= rwUnsafePrefixStat
			case strings.HasPrefix(lw, "maxredirects="):
				b.cfg.Warnings = append(b.cfg.Warnings, &Error{File: d.File, Line: d.Line,
					Msg: "AH00664: RewriteOptions: MaxRedirects option has been removed in favor of the global LimitInternalRecursion directive and will be ignored."})
			default:
				b.errorf(d, "RewriteOptions: unknown option '%s'", w)
				return
			}
		}
		rb.optionsSet = true
	case "rewritemap":
		m, msg := b.rewriteMap(d.Args)
		if msg != "" {
			b.errorf(d, "%s", msg)
			return
		}
		if rb.maps == nil {
			rb.maps = make(map[string]proxy.RewriteMap)
		}
		rb.maps[d.Args[0]] = m
	case "rewritecond":
		c, msg := b.rewriteCond(d.raw)
		if msg != "" {
			b.errorf(d, "%s", msg)
			return
		}
		rb.conds = append(rb.conds, c)
	case "rewriterule":
		rule, msg := b.rewriteRule(d.raw)
		if msg != "" {
			b.errorf(d, "%s", msg)
			return
		}
		rule.File, rule.Line = d.File, d.Line
		rule.Conds, rb.conds = rb.conds, nil
		rb.rules = append(rb.rules, rule)
	}
}

// rewriteConfig is the rule list of a server once the file is read: a
// virtual host inherits the engine's state and the options it does not
// set, and the main server's rules as the options say.
func (sb *serverBuild) rewriteConfig(main *serverBuild) *proxy.RewriteConfig {
	var own, base rewriteBuild
	if sb.rewrite != nil {
		own = *sb.rewrite
	}
	if main != nil && main.rewrite != nil {
		base = *main.rewrite
	}
	engine, options, rules, maps := own.engine, own.options, own.rules, own.maps
	if main != nil {
		if !own.engineSet {
			engine = base.engine
		}
		if !own.optionsSet {
			options = base.options
		}
		switch {
		case options&rwInherit != 0 || base.options&rwInheritDown != 0 && options&rwIgnoreInherit == 0:
			rules = append(append([]*proxy.RewriteRule{}, own.rules...), base.rules...)
			maps = overlayMaps(own.maps, base.maps)
		case options&rwInheritBefore != 0 || base.options&rwInheritDownBefore != 0 && options&rwIgnoreInherit == 0:
			rules = append(append([]*proxy.RewriteRule{}, base.rules...), own.rules...)
			maps = overlayMaps(base.maps, own.maps)
		}
	}
	if !engine {
		return nil
	}
	return &proxy.RewriteConfig{
		Rules:               rules,
		Maps:                maps,
		AllowAnyURI:         options&rwAllowAnyURI != 0,
		LegacyPrefixDocRoot: options&rwLegacyPrefixDocRoot != 0,
		UnsafePrefixStat:    options&rwUnsafePrefixStat != 0,
	}
}

// overlayMaps is apr_hash_overlay(over, base): base's maps with over's
// in place of those of the same name.
func overlayMaps(over, base map[string]proxy.RewriteMap) map[string]proxy.RewriteMap {
	m := make(map[string]proxy.RewriteMap, len(over)+len(base))
	for k, v := range base {
		m[k] = v
	}
	for k, v := range over {
		m[k] = v
	}
	return m
}

// rewriteMap is cmd_rewritemap: name, type:source. Text files (txt:,
// rnd:, no type) and the internal functions (int:) are implemented;
// DBM files and programs are refused.
func (b *siteBuilder) rewriteMap(a []string) (proxy.RewriteMap, string) {
	name, src := a[0], a[1]
	lower := strings.ToLower(src)
	var path string
	var m proxy.RewriteMap
	switch {
	case strings.HasPrefix(lower, "txt:"), strings.HasPrefix(lower, "rnd:"):
		path = b.path(src[4:])
		m = proxy.NewRewriteMapFile(path, strings.HasPrefix(lower, "rnd:"))
	case strings.HasPrefix(lower, "int:"):
		f, ok := proxy.RewriteMapFunc(src[4:])
		if !ok {
			return nil, "RewriteMap: internal map not found:" + src[4:]
		}
		return f, ""
	case strings.HasPrefix(lower, "dbd:"), strings.HasPrefix(lower, "fastdbd:"):
		return nil, "RewriteMap types dbd and fastdbd require mod_dbd!"
	case strings.HasPrefix(lower, "dbm"), strings.HasPrefix(lower, "prg:"):
		kind, _, _ := strings.Cut(lower, ":")
		kind, _, _ = strings.Cut(kind, "=")
		return nil, "RewriteMap type " + kind + " is not supported by logproxy (only txt, rnd and int maps)"
	default:
		path = b.path(src)
		m = proxy.NewRewriteMapFile(path, false)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, "RewriteMap: file for map " + name + " not found:" + path
	}
	return m, ""
}

// rewriteArgs is parseargline: up to three words, each may be quoted
// with " or ', and a backslash before white space keeps the space (and
// the backslash). ok is false when the line has fewer than two words.
func rewriteArgs(s string) (a1, a2, a3 string, ok bool) {
	word := func(s string) (w, rest string, ended bool) {
		s = strings.TrimLeft(s, " \t\r\n\v\f")
		var quote byte
		if s != "" && (s[0] == '"' || s[0] == '\'') {
			quote, s = s[0], s[1:]
		}
		i := 0
		for ; i < len(s); i++ {
			c := s[i]
			if quote == 0 && isSpace(c) || quote != 0 && c == quote {
				break
			}
			if c == '\\' && i+1 < len(s) && isSpace(s[i+1]) {
				i++
			}
		}
		if i >= len(s) {
			return s, "", true
		}
		return s[:i], s[i+1:], false
	}
	a1, rest, end := word(s)
	if end {
		return "", "", "", false
	}
	a2, rest, end = word(rest)
	if end {
		return a1, a2, "", true
	}
	if strings.TrimLeft(rest, " \t\r\n\v\f") == "" {
		return a1, a2, "", true
	}
	a3, _, _ = word(rest)
	return a1, a2, a3, true
}

// rewriteFlag is one key[=value] of a flag field.
type rewriteFlag struct{ key, val string }

// rewriteFlags is cmd_parseflagfield: "[a,b=c]".
func rewriteFlags(s string) ([]rewriteFlag, bool) {
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, false
	}
	var out []rewriteFlag
	for _, item := range strings.Split(s[1:len(s)-1], ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		k, v, _ := strings.Cut(item, "=")
		out = append(out, rewriteFlag{strings.TrimSpace(k), strings.TrimSpace(v)})
	}
	return out, true
}

// rewriteCond is cmd_rewritecond; it returns httpd's message for a line
// it refuses.
func (b *siteBuilder) rewriteCond(raw string) (proxy.RewriteCond, string) {
	var c proxy.RewriteCond
	a1, a2, a3, ok := rewriteArgs(raw)
	if !ok {
		return c, "RewriteCond: bad argument line '" + raw + "'"
	}
	if a3 != "" {
		flags, ok := rewriteFlags(a3)
		if !ok {
			return c, "RewriteCond: bad flag delimiters"
		}
		for _, f := range flags {
			switch strings.ToLower(f.key) {
			case "nocase", "nc":
				c.NoCase = true
			case "ornext", "or":
				c.OrNext = true
			case "novary", "nv":
				c.NoVary = true
			default:
				return c, "RewriteCond: unknown flag '" + f.key + "'"
			}
		}
	}
	if strings.HasPrefix(a2, "!") {
		c.Negate, a2 = true, a2[1:]
	}
	c.Op = proxy.CondRegex
	switch {
	case strings.EqualFold(a1, "expr"):
		c.Op = proxy.CondExpr
	case len(a2) >= 2 && a2[0] == '-':
		if len(a2) == 2 {
			switch a2[1] {
			case 'f':
				c.Op = proxy.CondFile
			case 's':
				c.Op = proxy.CondSize
			case 'd':
				c.Op = proxy.CondDir
			case 'x':
				c.Op = proxy.CondExec
			case 'h', 'L', 'l':
				c.Op = proxy.CondLink
			case 'U', 'F':
				return c, "RewriteCond -" + a2[1:] + " (a lookup by subrequest) is not supported by logproxy"
			}
		} else if len(a2) >= 4 {
			ops := map[string]proxy.RewriteCondOp{"lt": proxy.CondIntLT, "le": proxy.CondIntLE,
				"eq": proxy.CondIntEQ, "gt": proxy.CondIntGT, "ge": proxy.CondIntGE, "ne": proxy.CondIntEQ}
			if op, ok := ops[a2[1:3]]; ok {
				c.Op = op
				if a2[1:3] == "ne" {
					c.Negate = !c.Negate
				}
				a2 = a2[3:]
			}
		}
	case len(a2) >= 2 && a2[0] == '>':
		c.Op, a2 = proxy.CondStrGT, a2[1:]
		if a2[0] == '=' {
			c.Op, a2 = proxy.CondStrGE, a2[1:]
		}
	case len(a2) >= 2 && a2[0] == '<':
		c.Op, a2 = proxy.CondStrLT, a2[1:]
		if a2[0] == '=' {
			c.Op, a2 = proxy.CondStrLE, a2[1:]
		}
	case len(a2) >= 2 && a2[0] == '=':
		c.Op, a2 = proxy.CondStrEQ, a2[1:]
		if a2 == `""` {
			a2 = ""
		}
	}
	if c.NoCase && c.Op != proxy.CondRegex && (c.Op < proxy.CondStrEQ || c.Op > proxy.CondStrGE) {
		c.NoCase = false // AH00665: warned and ignored by httpd
	}
	switch c.Op {
	case proxy.CondExpr:
		prog, err := b.expr(a2, false)
		if err != nil {
			return c, "RewriteCond: cannot compile expression \"" + a2 + "\" " + err.Error() // as 2.4.71 words it
		}
		c.Expr = prog.MatchRe
		return c, ""
	case proxy.CondRegex:
		pat := "(?s)" + a2
		if c.NoCase {
			pat = "(?i)" + pat
		}
		re, msg := compileRegex(pat, "RewriteCond: cannot compile regular expression '"+a2+"'")
		if re == nil {
			return c, msg
		}
		c.Regex = re
	case proxy.CondIntEQ, proxy.CondIntLT, proxy.CondIntLE, proxy.CondIntGT, proxy.CondIntGE:
		c.Int = atoiPrefix(a2)
	default:
		c.Pattern = a2
	}
	t, msg := b.rewriteTemplate(a1)
	if msg != "" {
		return c, msg
	}
	c.Test = t
	return c, ""
}

// rewriteRule is cmd_rewriterule; it returns httpd's message for a line
// it refuses, or logproxy's for what it does not implement.
func (b *siteBuilder) rewriteRule(raw string) (*proxy.RewriteRule, string) {
	a1, a2, a3, ok := rewriteArgs(raw)
	if !ok {
		return nil, "RewriteRule: bad argument line '" + raw + "'"
	}
	rule := &proxy.RewriteRule{Status: 302, MaxRounds: 32000} // REWRITE_MAX_ROUNDS
	nocase := false
	if a3 != "" {
		flags, ok := rewriteFlags(a3)
		if !ok {
			return nil, "RewriteRule: bad flag delimiters"
		}
		for _, f := range flags {
			var msg string
			if nocase, msg = rewriteRuleFlag(rule, f, nocase); msg != "" {
				return nil, "RewriteRule: " + msg
			}
		}
	}
	if strings.HasPrefix(a1, "!") {
		rule.Negate, a1 = true, a1[1:]
	}
	pat := "(?s)" + a1
	if nocase {
		pat = "(?i)" + pat
	}
	re, msg := compileRegex(pat, "RewriteRule: cannot compile regular expression '"+a1+"'")
	if re == nil {
		return nil, msg
	}
	rule.Regex = re
	if a2 == "-" {
		rule.Flags |= proxy.RewriteNoSub
	}
	if strings.HasSuffix(a2, "?") {
		if rule.Flags&proxy.RewriteQSAppend != 0 {
			rule.Flags |= proxy.RewriteQSLast
		} else {
			rule.Flags |= proxy.RewriteQSNone
			a2 = a2[:len(a2)-1]
		}
	} else if rule.Flags&proxy.RewriteQSDiscard != 0 && !strings.Contains(a2, "?") {
		rule.Flags |= proxy.RewriteQSNone
	}
	rule.Output = a2
	if rule.Flags&proxy.RewriteNoSub == 0 {
		t, msg := b.rewriteTemplate(a2)
		if msg != "" {
			return nil, msg
		}
		rule.Subst = t
	}
	// The [E=] and [CO=] values were kept as text until the rule was
	// whole.
	if rule.ForcedType != nil {
		t, msg := b.rewriteTemplate(rule.ForcedType[0].Text)
		if msg != "" {
			return nil, msg
		}
		if t == nil {
			t = proxy.RewriteTemplate{} // not nil: [T=] was given
		}
		rule.ForcedType = t
	}
	for _, list := range [][]proxy.RewriteTemplate{rule.Env, rule.Cookies} {
		for i, e := range list {
			t, msg := b.rewriteTemplate(e[0].Text)
			if msg != "" {
				return nil, msg
			}
			list[i] = t
		}
	}
	return rule, ""
}

// rewriteRuleFlag is cmd_rewriterule_setflag for one flag.
func rewriteRuleFlag(rule *proxy.RewriteRule, f rewriteFlag, nocase bool) (bool, string) {
	key, val := strings.ToLower(f.key), f.val
	unsupported := func(what string) (bool, string) {
		return nocase, "flag '" + f.key + "' (" + what + ") is not supported by logproxy"
	}
	switch {
	case key == "b" || key == "backrefescaping":
		rule.Flags |= proxy.RewriteEscapeBackref
		rule.Escapes = val
	case key == "bne":
		if val == "" {
			return nocase, "flag 'BNE' wants a list of characters (i.e. [BNE=...])"
		}
		rule.NoEscapes = val
	case key == "bnp" || key == "backrefernoplus":
		rule.Flags |= proxy.RewriteEscapeNoPlus
	case key == "bctls":
		rule.Flags |= proxy.RewriteEscapeCtls | proxy.RewriteEscapeBackref
	case key == "c" || key == "chain":
		rule.Flags |= proxy.RewriteChain
	case key == "co" || key == "cookie":
		rule.Cookies = append(rule.Cookies, proxy.RewriteTemplate{{Kind: proxy.PartText, Text: val}})
	case key == "d" || key == "dpi" || key == "discardpath":
		// DiscardPathInfo acts on per-directory rules only.
	case key != "" && key[0] == 'd':
		// httpd ignores any other flag that begins with D.
	case key == "e" || key == "env":
		rule.Env = append(rule.Env, proxy.RewriteTemplate{{Kind: proxy.PartText, Text: val}})
	case key == "end":
		rule.Flags |= proxy.RewriteEnd
	case key == "f" || key == "forbidden":
		rule.Flags |= proxy.RewriteStatus | proxy.RewriteNoSub
		rule.Status = 403
	case key == "g" || key == "gone":
		rule.Flags |= proxy.RewriteStatus | proxy.RewriteNoSub
		rule.Status = 410
	case key == "h" || key == "handler":
		return unsupported("forcing a handler")
	case key == "l" || key == "last":
		rule.Flags |= proxy.RewriteLast
	case key == "n" || key == "next":
		rule.Flags |= proxy.RewriteNext
		if val != "" {
			rule.MaxRounds = atoiPrefix(val)
		}
	case key == "nc" || key == "nocase":
		nocase = true
	case key == "ne" || key == "noescape":
		rule.Flags |= proxy.RewriteNoEscape
	case key == "ns" || key == "nosubreq":
		// logproxy makes no subrequests: the rule always applies.
	case key == "p" || key == "proxy":
		rule.Flags |= proxy.RewriteProxy
	case key == "pt" || key == "passthrough":
		rule.Flags |= proxy.RewritePassThrough
	case key == "qsa" || key == "qsappend":
		rule.Flags |= proxy.RewriteQSAppend
	case key == "qsd" || key == "qsdiscard":
		rule.Flags |= proxy.RewriteQSDiscard
	case key == "qsl" || key == "qslast":
		rule.Flags |= proxy.RewriteQSLast
	case key == "r" || key == "redirect":
		rule.Flags |= proxy.RewriteRedirect
		if val != "" {
			switch lv := strings.ToLower(val); {
			case lv == "permanent":
				rule.Status = 301
			case lv == "temp":
				rule.Status = 302
			case lv == "seeother":
				rule.Status = 303
			case val[0] >= '0' && val[0] <= '9':
				st := atoiPrefix(val)
				if st != 500 && !knownStatus(st) {
					return nocase, "invalid HTTP response code '" + val + "' for flag 'R'"
				}
				if st < 300 || st > 399 {
					rule.Flags |= proxy.RewriteStatus | proxy.RewriteNoSub
				}
				rule.Status = st
			default:
				rule.Status = 0 // later a 302
			}
		}
	case key == "s" || key == "skip":
		rule.Skip = atoiPrefix(val)
	case key == "t" || key == "type":
		rule.ForcedType = proxy.RewriteTemplate{{Kind: proxy.PartText, Text: val}}
	case key == "unsafeprefixstat":
		rule.Flags |= proxy.RewriteUnsafePrefixStat
	case key == "unsafeallow3f":
		rule.Flags |= proxy.RewriteUnsafeAllow3F
	case key == "unc":
		rule.Flags |= proxy.RewriteUNC
	default:
		return nocase, "unknown flag '" + f.key + "'"
	}
	return nocase, ""
}

// knownStatus reports a status httpd has a status line for (not the 500
// it falls back to).
func knownStatus(st int) bool {
	switch {
	case st >= 100 && st <= 102, st >= 200 && st <= 208, st == 226, st >= 300 && st <= 305,
		st == 307, st == 308, st >= 400 && st <= 417, st >= 421 && st <= 424, st == 426,
		st == 428, st == 429, st == 431, st == 451, st >= 500 && st <= 508, st == 510, st == 511:
		return true
	}
	return false
}

// rewriteTemplate splits s where do_expand acts: '\' escapes, $N, %N,
// %{VAR} and ${map:key|default}. Look-ahead variables (LA-U, LA-F) need
// subrequests, which logproxy does not make: they are refused.
func (b *siteBuilder) rewriteTemplate(s string) (proxy.RewriteTemplate, string) {
	var t proxy.RewriteTemplate
	text := func(lit string) {
		if lit == "" {
			return
		}
		if n := len(t); n > 0 && t[n-1].Kind == proxy.PartText {
			t[n-1].Text += lit
			return
		}
		t = append(t, proxy.RewritePart{Kind: proxy.PartText, Text: lit})
	}
	for len(s) > 0 {
		i := strings.IndexAny(s, `\$%`)
		if i < 0 {
			text(s)
			break
		}
		text(s[:i])
		s = s[i:]
		switch {
		case s[0] == '\\':
			if len(s) == 1 {
				t = append(t, proxy.RewritePart{Kind: proxy.PartEscaped, Text: `\`})
				s = ""
				continue
			}
			t = append(t, proxy.RewritePart{Kind: proxy.PartEscaped, Text: s[1:2]})
			s = s[2:]
		case len(s) > 1 && s[1] == '{':
			end := closingCurly(s[2:])
			if end < 0 {
				text(s[:2])
				s = s[2:]
				continue
			}
			inner := s[2 : 2+end]
			if s[0] == '%' {
				p, msg := b.rewriteVar(inner)
				if msg != "" {
					return nil, msg
				}
				if p != nil {
					t = append(t, *p)
				}
				s = s[2+end+1:]
				continue
			}
			colon := charInCurlies(inner, ':')
			if colon < 0 {
				text(s[:2])
				s = s[2:]
				continue
			}
			p := proxy.RewritePart{Kind: proxy.PartMap, Text: inner[:colon]}
			key := inner[colon+1:]
			if bar := charInCurlies(key, '|'); bar >= 0 {
				def, msg := b.rewriteTemplate(key[bar+1:])
				if msg != "" {
					return nil, msg
				}
				p.Default, key = def, key[:bar]
			}
			k, msg := b.rewriteTemplate(key)
			if msg != "" {
				return nil, msg
			}
			p.Key = k
			t = append(t, p)
			s = s[2+end+1:]
		case len(s) > 1 && s[1] >= '0' && s[1] <= '9':
			kind := proxy.PartRuleRef
			if s[0] == '%' {
				kind = proxy.PartCondRef
			}
			t = append(t, proxy.RewritePart{Kind: kind, N: int(s[1] - '0')})
			s = s[2:]
		default:
			text(s[:1])
			s = s[1:]
		}
	}
	return t, ""
}

// closingCurly is find_closing_curly: the index in s of the '}' that
// closes a '{' just before s, counting nested braces; -1 if none.
func closingCurly(s string) int {
	depth := 1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// charInCurlies is find_char_in_curlies: the first c outside nested
// braces, -1 if none.
func charInCurlies(s string, c byte) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
		case c:
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// rewriteVar is the piece %{name} expands to (lookup_variable); nil for
// a name that always expands to nothing.
func (b *siteBuilder) rewriteVar(name string) (*proxy.RewritePart, string) {
	if len(name) > 4 && name[3] == ':' {
		switch strings.ToUpper(name[:3]) {
		case "ENV":
			return &proxy.RewritePart{Kind: proxy.PartEnv, Text: name[4:]}, ""
		}
		return nil, "" // SSL: no TLS, every variable is empty
	}
	if len(name) > 5 && name[4] == ':' {
		switch strings.ToUpper(name[:4]) {
		case "HTTP":
			return &proxy.RewritePart{Kind: proxy.PartHeader, Text: name[5:]}, ""
		case "LA-U", "LA-F":
			return nil, "RewriteRule or RewriteCond variable %{" + name + "} (a look-ahead subrequest) is not supported by logproxy"
		}
		return nil, ""
	}
	if len(name) < 4 {
		return nil, ""
	}
	upper := strings.ToUpper(name)
	switch upper {
	case "HTTP_ACCEPT", "HTTP_COOKIE", "HTTP_REFERER", "HTTP_FORWARDED", "HTTP_USER_AGENT",
		"HTTP_PROXY_CONNECTION", "HTTP_HOST":
		hdr := map[string]string{"HTTP_ACCEPT": "Accept", "HTTP_COOKIE": "Cookie", "HTTP_REFERER": "Referer",
			"HTTP_FORWARDED": "Forwarded", "HTTP_USER_AGENT": "User-Agent",
			"HTTP_PROXY_CONNECTION": "Proxy-Connection", "HTTP_HOST": "Host"}[upper]
		return &proxy.RewritePart{Kind: proxy.PartHeader, Text: hdr}, ""
	case "DOCUMENT_ROOT", "CONTEXT_DOCUMENT_ROOT", "SERVER_ADMIN", "SERVER_PORT", "REQUEST_SCHEME",
		"SCRIPT_USER", "SCRIPT_GROUP", "API_VERSION", "SERVER_ADDR":
		return &proxy.RewritePart{Kind: proxy.PartServerVar, Text: upper}, ""
	case "HTTPS", "IPV6", "CONN_REMOTE_ADDR", "REQUEST_METHOD", "REQUEST_URI", "REQUEST_FILENAME",
		"SCRIPT_FILENAME", "REMOTE_HOST", "REMOTE_IDENT", "REMOTE_USER", "SERVER_NAME",
		"SERVER_PROTOCOL", "QUERY_STRING", "IS_SUBREQ", "THE_REQUEST", "REMOTE_ADDR", "REMOTE_PORT",
		"SERVER_SOFTWARE", "TIME_YEAR", "TIME_MON", "TIME_DAY", "TIME_HOUR", "TIME_MIN", "TIME_SEC",
		"TIME_WDAY", "TIME":
		ev := &exprProgram{banner: b.banner}
		return &proxy.RewritePart{Kind: proxy.PartVar, Var: func(rec *logformat.Record) string {
			e := condEval{c: ev, rec: rec, req: &rec.Final}
			return e.variable(upper)
		}}, ""
	}
	// AUTH_TYPE, PATH_INFO and CONTEXT_PREFIX are empty when server
	// rules run; unknown names expand to nothing.
	return nil, ""
}
