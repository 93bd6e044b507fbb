package config

import (
	"cmp"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jl6/logproxy/logformat"
	"github.com/jl6/logproxy/proxy"
)

// This file evaluates an ap_expr condition against a request (CustomLog
// expr=, Header and RequestHeader expr=), as server/util_expr_eval.c does:
// words
// are C strings (a NUL ends one), == and its kin compare bytes, -eq and
// its kin compare apr_atoi64 values, =~ with capturing groups sets $0..$9
// for what follows, && and || stop early.
//
// The request is the record's Orig when there is one: mod_log_config
// evaluates its condition on the request as the client sent it (the first
// of an internal-redirect chain). mod_headers evaluates on the request at
// hand, which proxy passes as a record without Orig.
//
// What the log record does not hold is refused when the configuration is
// read, naming the variable, function or operator.

// exprProgram is a compiled expression: a condition (Match) or a string
// expression (Value).
type exprProgram struct {
	root    ExprNode
	regexes map[*ExprRegex]*regexp.Regexp
	subnets map[ExprNode]netip.Prefix // -R and -ipmatch nodes
	banner  func() string             // SERVER_SOFTWARE
}

// exprMaxMatch is AP_MAX_REG_MATCH: $0 to $9.
const exprMaxMatch = 10

// Variables the record holds, by upper-case name.
var logExprVars = map[string]bool{
	"HTTPS": true, "IPV6": true, "CONN_REMOTE_ADDR": true, "HTTP2": true,
	"REQUEST_METHOD": true, "REQUEST_URI": true, "REQUEST_FILENAME": true,
	"SCRIPT_FILENAME": true, "REMOTE_HOST": true, "REMOTE_IDENT": true,
	"REMOTE_USER": true, "SERVER_NAME": true, "SERVER_PORT": true,
	"SERVER_PROTOCOL": true, "QUERY_STRING": true, "IS_SUBREQ": true,
	"THE_REQUEST": true, "HANDLER": true, "DOCUMENT_URI": true,
	"REQUEST_STATUS": true, "REMOTE_ADDR": true, "REMOTE_PORT": true,
	"TIME_YEAR": true, "TIME_MON": true, "TIME_DAY": true, "TIME_HOUR": true,
	"TIME_MIN": true, "TIME_SEC": true, "TIME_WDAY": true, "TIME": true,
	"SERVER_SOFTWARE": true, "API_VERSION": true,
	"REQUEST_SCHEME": true, "SERVER_ADMIN": true, "DOCUMENT_ROOT": true,
	"PATH_INFO": true, "AUTH_TYPE": true, "CONTENT_TYPE": true,
	"HTTP_USER_AGENT": true, "HTTP_PROXY_CONNECTION": true, "HTTP_REFERER": true,
	"HTTP_COOKIE": true, "HTTP_FORWARDED": true, "HTTP_HOST": true, "HTTP_ACCEPT": true,
}

// Functions logproxy evaluates, by lower-case name.
var logExprFuncs = map[string]bool{
	"req": true, "http": true, "req_novary": true, "resp": true, "note": true,
	"reqenv": true, "env": true, "osenv": true, "tolower": true, "toupper": true,
	"base64": true, "sha1": true, "md5": true, "unbase64": true, "escape": true, "unescape": true,
}

// expr parses and compiles a condition for a directive; str selects a
// string expression instead (ParseStringExpr).
func (b *siteBuilder) expr(src string, str bool) (*exprProgram, error) {
	parse := ParseExpr
	if str {
		parse = ParseStringExpr
	}
	e, err := parse(src)
	if err != nil {
		return nil, err
	}
	return compileExpr(e, b.banner)
}

// compileExpr prepares e, a parsed condition, for evaluation;
// banner returns what SERVER_SOFTWARE reads (ServerTokens may come later
// in the file).
func compileExpr(e *Expr, banner func() string) (*exprProgram, error) {
	c := &exprProgram{root: e.Root, regexes: map[*ExprRegex]*regexp.Regexp{},
		subnets: map[ExprNode]netip.Prefix{}, banner: banner}
	if err := c.prepare(e.Root); err != nil {
		return nil, err
	}
	return c, nil
}

func unsupportedExpr(what string) error {
	return errors.New(what + " in an expression is not supported by logproxy yet")
}

func (c *exprProgram) prepare(n ExprNode) error {
	switch n := n.(type) {
	case *ExprNot:
		return c.prepare(n.X)
	case *ExprAnd:
		return errors.Join(c.prepare(n.X), c.prepare(n.Y))
	case *ExprOr:
		return errors.Join(c.prepare(n.X), c.prepare(n.Y))
	case *ExprCompare:
		return errors.Join(c.prepare(n.X), c.prepare(n.Y))
	case *ExprIn:
		return errors.Join(c.prepare(n.X), c.prepare(n.List))
	case *ExprMatch:
		pat := n.Regex.Pattern
		if n.Regex.IgnoreCase {
			pat = "(?i)" + pat
		}
		re, msg := compileRegex(pat, "invalid regular expression")
		if re == nil {
			return errors.New(msg)
		}
		c.regexes[n.Regex] = re
		return c.prepare(n.X)
	case *ExprUnaryOp:
		switch n.Op {
		case "n", "z", "T", "d", "e", "f", "s", "L", "h", "x":
		case "R":
			p, err := exprSubnet(n.X)
			if err != nil {
				return err
			}
			c.subnets[n] = p
		default:
			return unsupportedExpr("-" + n.Op)
		}
		return c.prepare(n.X)
	case *ExprBinaryOp:
		switch op := strings.ToLower(n.Op); op {
		case "strmatch", "strcmatch", "fnmatch":
		case "ipmatch":
			p, err := exprSubnet(n.Y)
			if err != nil {
				return err
			}
			c.subnets[n] = p
		default:
			return unsupportedExpr("-" + n.Op)
		}
		return errors.Join(c.prepare(n.X), c.prepare(n.Y))
	case *ExprConcat:
		var errs []error
		for _, p := range n.Parts {
			errs = append(errs, c.prepare(p))
		}
		return errors.Join(errs...)
	case *ExprList:
		var errs []error
		for _, p := range n.Items {
			errs = append(errs, c.prepare(p))
		}
		return errors.Join(errs...)
	case *ExprVar:
		if up := strings.ToUpper(n.Name); !logExprVars[up] && !logformat.IsSSLVar(up) {
			return unsupportedExpr("%{" + n.Name + "}")
		}
	case *ExprFunc:
		if n.List || !logExprFuncs[strings.ToLower(n.Name)] {
			return unsupportedExpr("the function " + n.Name)
		}
		return c.prepare(n.Arg)
	}
	return nil // true, false, digits, strings, $N
}

// exprSubnet reads the constant subnet of -R and -ipmatch.
func exprSubnet(n ExprNode) (netip.Prefix, error) {
	s, ok := n.(*ExprString)
	if !ok {
		return netip.Prefix{}, errors.New("requires subnet/netmask as constant argument")
	}
	p, err := parseIPPrefix(s.Value)
	if err != nil || !p.IsValid() {
		return netip.Prefix{}, errors.New("parsing of subnet/netmask failed")
	}
	return p, nil
}

// eval starts an evaluation for rec: on its Orig request when it has one
// (see the top of this file).
func (c *exprProgram) eval(rec *logformat.Record) *condEval {
	req := &rec.Final
	if rec.Orig != nil {
		req = rec.Orig
	}
	return &condEval{c: c, rec: rec, req: req}
}

// Match evaluates the condition for rec.
func (c *exprProgram) Match(rec *logformat.Record) bool {
	ev := c.eval(rec)
	return ev.cond(c.root)
}

// MatchRe evaluates the condition for rec as ap_expr_exec_re does for
// SetEnvIfExpr and RewriteCond expr: with the word and groups of the last
// regular expression with groups, for $N in the values it sets. m is nil
// when no such expression was tried (the caller's earlier word and groups
// stand, as in httpd), and empty but not nil when the last one tried did
// not match (the word is then NULL for httpd).
func (c *exprProgram) MatchRe(rec *logformat.Record) (ok bool, source string, m []int) {
	ev := c.eval(rec)
	ok = ev.cond(c.root)
	switch {
	case ev.matched:
		source, m = ev.source, ev.groups
	case ev.touched:
		m = []int{}
	}
	return ok, source, m
}

// Value evaluates a string expression (a header value "expr=...") for
// rec.
func (c *exprProgram) Value(rec *logformat.Record) string {
	ev := c.eval(rec)
	return ev.word(c.root)
}

// condEval is one evaluation: the record and the last capturing match.
type condEval struct {
	c   *exprProgram
	rec *logformat.Record
	req *logformat.Request

	source  string // the word of the last match with groups, "" for none
	matched bool
	touched bool // a regular expression with groups was tried
	groups  []int
}

func (ev *condEval) cond(n ExprNode) bool {
	switch n := n.(type) {
	case *ExprBool:
		return n.Value
	case *ExprNot:
		return !ev.cond(n.X)
	case *ExprAnd:
		return ev.cond(n.X) && ev.cond(n.Y)
	case *ExprOr:
		return ev.cond(n.X) || ev.cond(n.Y)
	case *ExprCompare:
		x, y := ev.word(n.X), ev.word(n.Y)
		var order int
		if strings.HasPrefix(n.Op, "-") {
			order = cmp.Compare(aprAtoi64(x), aprAtoi64(y))
		} else {
			order = strings.Compare(x, y)
		}
		switch strings.TrimPrefix(n.Op, "-") {
		case "==", "eq":
			return order == 0
		case "!=", "ne":
			return order != 0
		case "<", "lt":
			return order < 0
		case "<=", "le":
			return order <= 0
		case ">", "gt":
			return order > 0
		case ">=", "ge":
			return order >= 0
		}
		return false
	case *ExprIn:
		x := ev.word(n.X)
		if l, ok := n.List.(*ExprList); ok {
			for _, it := range l.Items {
				if ev.word(it) == x {
					return true
				}
			}
		}
		return false
	case *ExprMatch:
		return ev.match(n) != n.Negate
	case *ExprUnaryOp:
		return ev.unary(n, ev.word(n.X))
	case *ExprBinaryOp:
		x, y := ev.word(n.X), ev.word(n.Y)
		switch strings.ToLower(n.Op) {
		case "ipmatch":
			a, err := netip.ParseAddr(x)
			return err == nil && ev.c.subnets[n].Contains(a.Unmap().WithZone(""))
		case "strmatch":
			return proxy.Fnmatch(y, x, 0)
		case "strcmatch":
			return proxy.Fnmatch(y, x, proxy.FnmCaseBlind)
		case "fnmatch":
			return proxy.Fnmatch(y, x, proxy.FnmPathname)
		}
	}
	return false
}

// match is X =~ Regex: a regex with groups records the match for $N
// (or, failing, forgets the last one); one without leaves $N alone.
func (ev *condEval) match(n *ExprMatch) bool {
	re := ev.c.regexes[n.Regex]
	w := ev.word(n.X)
	if re.NumSubexp() == 0 {
		return re.MatchString(w)
	}
	m := re.FindStringSubmatchIndex(w)
	ev.matched, ev.source, ev.groups, ev.touched = m != nil, w, m, true
	return m != nil
}

func (ev *condEval) unary(n *ExprUnaryOp, arg string) bool {
	switch n.Op {
	case "n":
		return arg != ""
	case "z":
		return arg == ""
	case "T":
		switch {
		case arg == "":
			return false
		case arg[0] == 'o' || arg[0] == 'O':
			return !strings.EqualFold(arg, "off")
		case arg[0] == 'n' || arg[0] == 'N':
			return !strings.EqualFold(arg, "no")
		case arg[0] == 'f' || arg[0] == 'F':
			return !strings.EqualFold(arg, "false")
		case arg[0] == '0':
			return len(arg) != 1
		}
		return true
	case "R":
		a, err := netip.ParseAddr(ev.rec.RemoteIP)
		return err == nil && ev.c.subnets[n].Contains(a.Unmap().WithZone(""))
	case "L", "h":
		fi, err := os.Lstat(arg)
		return err == nil && fi.Mode()&os.ModeSymlink != 0
	}
	fi, err := os.Stat(arg)
	if err != nil {
		return false
	}
	switch n.Op {
	case "d":
		return fi.IsDir()
	case "e":
		return true
	case "f":
		return fi.Mode().IsRegular()
	case "s":
		return fi.Mode().IsRegular() && fi.Size() > 0
	case "x":
		return fi.Mode()&0o100 != 0 // op_file_xbit: APR_UEXECUTE
	}
	return false
}

// word evaluates a word to its string, cut at a NUL as httpd's C strings
// are.
func (ev *condEval) word(n ExprNode) string {
	var s string
	switch n := n.(type) {
	case *ExprDigits:
		s = n.Text
	case *ExprString:
		s = n.Value
	case *ExprConcat:
		var b strings.Builder
		for _, p := range n.Parts {
			b.WriteString(ev.word(p))
		}
		s = b.String()
	case *ExprVar:
		s = ev.variable(strings.ToUpper(n.Name))
	case *ExprFunc:
		s = ev.function(strings.ToLower(n.Name), ev.word(n.Arg))
	case *ExprBackref:
		s = ev.backref(n.N)
	}
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	return s
}

// backref is $N of the last match with groups: "" when there is none, the
// matched word was empty, or the group took part with nothing.
func (ev *condEval) backref(n int) string {
	if !ev.matched || ev.source == "" || n >= exprMaxMatch || 2*n+1 >= len(ev.groups) {
		return ""
	}
	lo, hi := ev.groups[2*n], ev.groups[2*n+1]
	if lo < 0 || hi <= lo {
		return ""
	}
	return ev.source[lo:hi]
}

func (ev *condEval) variable(name string) string {
	rec, req := ev.rec, ev.req
	if logformat.IsSSLVar(name) {
		// mod_ssl's expression variables (ssl_expr_lookup), "" on a
		// plain connection.
		return logformat.SSLVar(rec.TLS, name)
	}
	switch name {
	case "HTTPS":
		if rec.TLS != nil {
			return "on"
		}
		return "off"
	case "HTTP2":
		return "off" // logproxy serves HTTP/1.x
	case "IPV6":
		if a, err := netip.ParseAddr(rec.PeerIP); err == nil && a.Is6() && !a.Is4In6() {
			return "on"
		}
		return "off"
	case "CONN_REMOTE_ADDR":
		return rec.PeerIP
	case "REQUEST_METHOD":
		return req.Method
	case "REQUEST_URI":
		return req.URI
	case "REQUEST_FILENAME", "SCRIPT_FILENAME":
		return req.Filename
	case "REMOTE_HOST":
		return rec.RemoteHost
	case "REMOTE_IDENT":
		return ""
	case "REMOTE_USER":
		return req.User
	case "SERVER_NAME":
		if strings.IndexByte(rec.ServerName, ':') >= 0 {
			return "[" + rec.ServerName + "]" // ap_get_server_name_for_url
		}
		return rec.ServerName
	case "SERVER_PORT":
		return strconv.Itoa(rec.RequestPort) // ap_get_server_port
	case "SERVER_PROTOCOL":
		return req.Protocol
	case "QUERY_STRING":
		return req.Query
	case "IS_SUBREQ":
		return "false"
	case "THE_REQUEST":
		if !req.LineRead {
			return ""
		}
		return req.Line
	case "HANDLER":
		return req.Handler
	case "DOCUMENT_URI":
		if v, ok := req.Env.Get("DOCUMENT_URI"); ok {
			return v
		}
		return req.URI
	case "REQUEST_STATUS":
		if req.Status == 0 {
			return ""
		}
		return strconv.Itoa(req.Status)
	case "REMOTE_ADDR":
		return rec.RemoteIP
	case "REQUEST_SCHEME":
		return rec.Scheme
	case "CONTENT_TYPE":
		// r->content_type: the response's, as mod_headers' response rules
		// see it, else the one sent (a CustomLog condition).
		if rec.ContentType != "" {
			return rec.ContentType
		}
		v, _ := req.HeadersOut.Get("Content-Type")
		return v
	case "SERVER_ADMIN":
		return rec.ServerAdmin
	case "DOCUMENT_ROOT":
		return rec.DocumentRoot
	case "PATH_INFO":
		return req.PathInfo
	case "AUTH_TYPE":
		return req.AuthType
	case "REMOTE_PORT":
		return strconv.Itoa(rec.PeerPort) // c->client_addr's
	case "SERVER_SOFTWARE":
		return ev.c.banner()
	case "API_VERSION":
		return "20120211" // MODULE_MAGIC_NUMBER_MAJOR of httpd 2.4
	case "HTTP_USER_AGENT":
		return header(req.HeadersIn, "User-Agent")
	case "HTTP_PROXY_CONNECTION":
		return header(req.HeadersIn, "Proxy-Connection")
	case "HTTP_REFERER":
		return header(req.HeadersIn, "Referer")
	case "HTTP_COOKIE":
		return header(req.HeadersIn, "Cookie")
	case "HTTP_FORWARDED":
		return header(req.HeadersIn, "Forwarded")
	case "HTTP_HOST":
		return header(req.HeadersIn, "Host")
	case "HTTP_ACCEPT":
		return header(req.HeadersIn, "Accept")
	}
	// TIME_*: the local time now, as apr_time_exp_lt(apr_time_now()).
	t := time.Now()
	switch name {
	case "TIME_YEAR":
		return pad2(t.Year()/100) + pad2(t.Year()%100)
	case "TIME_MON":
		return pad2(int(t.Month()))
	case "TIME_DAY":
		return pad2(t.Day())
	case "TIME_HOUR":
		return pad2(t.Hour())
	case "TIME_MIN":
		return pad2(t.Minute())
	case "TIME_SEC":
		return pad2(t.Second())
	case "TIME_WDAY":
		return strconv.Itoa(int(t.Weekday()))
	case "TIME":
		return pad2(t.Year()/100) + pad2(t.Year()%100) + pad2(int(t.Month())) + pad2(t.Day()) +
			pad2(t.Hour()) + pad2(t.Minute()) + pad2(t.Second())
	}
	return ""
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func header(fs logformat.Fields, name string) string {
	v, _ := fs.Get(name)
	return v
}

func (ev *condEval) function(name, arg string) string {
	req := ev.req
	switch name {
	case "req", "http", "req_novary":
		return header(req.HeadersIn, arg)
	case "resp":
		return header(req.HeadersOut, arg)
	case "note":
		return header(req.Notes, arg)
	case "reqenv":
		return header(req.Env, arg)
	case "env":
		if v, ok := req.Notes.Get(arg); ok {
			return v
		}
		if v, ok := req.Env.Get(arg); ok {
			return v
		}
		return os.Getenv(arg)
	case "osenv":
		return os.Getenv(arg)
	case "tolower":
		return asciiCase(arg, 'A', 'Z', 'a'-'A')
	case "toupper":
		return asciiCase(arg, 'a', 'z', 'A'-'a')
	case "base64":
		return base64.StdEncoding.EncodeToString([]byte(arg))
	case "unbase64":
		return proxy.Base64Decode(arg)
	case "escape":
		return proxy.EscapeURI(arg)
	case "unescape":
		// ap_unescape_url_keep2f(arg, 0): %2F stays, a bad escape or
		// %00 gives "".
		v, ok := proxy.UnescapeURLKeep2F(arg)
		if !ok {
			return ""
		}
		return v
	case "sha1":
		sum := sha1.Sum([]byte(arg))
		return hex.EncodeToString(sum[:])
	case "md5":
		sum := md5.Sum([]byte(arg))
		return hex.EncodeToString(sum[:])
	}
	return ""
}

// asciiCase shifts the bytes from lo to hi by d, as ap_str_tolower and
// ap_str_toupper change ASCII letters alone.
func asciiCase(s string, lo, hi byte, d int) string {
	b := []byte(s)
	for i, c := range b {
		if lo <= c && c <= hi {
			b[i] = byte(int(c) + d)
		}
	}
	return string(b)
}

// aprAtoi64 is apr_atoi64: strtoll in base 10, leading white space and a
// sign allowed, stopping at the first byte that is no digit, 0 for none,
// and clamped at the int64 limits on overflow.
func aprAtoi64(s string) int64 {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	limit := uint64(1<<63 - 1)
	if neg {
		limit = 1 << 63
	}
	var n uint64
	for ; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		d := uint64(s[i] - '0')
		if n > (limit-d)/10 {
			n = limit
			continue
		}
		n = n*10 + d
	}
	if neg {
		return int64(-n) // -(1<<63) wraps to itself
	}
	return int64(n)
}
