package config

import (
	"net"
	"strconv"
	"strings"
)

// The expression parser is recursive descent over the grammar of
// server/util_expr_parse.y. Its error messages are the ones httpd's
// bison-generated LALR parser gives: "syntax error, unexpected X" with an
// "expecting A or B" list when the parser state expects at most four
// tokens. Each syntaxError call below names the bison state it stands for.
//
// As in httpd, a name the core does not provide (a variable, function or
// operator) does not stop the parse: its message is kept and becomes the
// result unless a syntax error comes later, in which case the two are
// joined ("syntax error, ...: Variable 'X' does not exist"). A message
// from the scanner is treated the same way.

// maxExprDepth bounds nesting, as bison's YYMAXDEPTH does.
const maxExprDepth = 10000

type exprParser struct {
	lex   exprLexer
	tok   exprToken
	have  bool   // tok is a lookahead not yet taken
	err1  string // the parser's message (bison's yyerror), or a regex failure
	err2  string // the scanner's or a name lookup's message
	depth int
}

func parseExpr(src string, stringMode bool) (*Expr, error) {
	text := src
	if i := strings.IndexByte(text, 0); i >= 0 {
		text = text[:i] // httpd reads the expression as a C string
	}
	p := &exprParser{lex: exprLexer{src: text, stringMode: stringMode}}
	var root ExprNode
	var ok bool
	if stringMode {
		p.lex.cur = stStr
		root, ok = p.stringRoot()
	} else {
		root, ok = p.boolRoot()
	}
	var msg string
	switch {
	case p.lex.jammed:
		msg = p.lex.err
	case p.err1 != "" && p.err2 != "":
		msg = p.err1 + ": " + p.err2
	case p.err1 != "":
		msg = p.err1
	case p.err2 != "":
		msg = p.err2
	case !ok:
		msg = "syntax error"
	}
	if msg != "" {
		return nil, &ExprError{Src: src, Msg: msg}
	}
	return &Expr{Root: root, Src: src, stringMode: stringMode}, nil
}

// peek returns the kind of the lookahead token, scanning it if needed.
func (p *exprParser) peek() exprTok {
	if !p.have {
		p.tok = p.lex.next()
		p.have = true
		if p.tok.kind == tError {
			p.err2 = p.lex.err
		}
	}
	return p.tok.kind
}

// take consumes the lookahead token.
func (p *exprParser) take() exprToken {
	p.peek()
	p.have = false
	return p.tok
}

// syntaxError records bison's message for the lookahead token in a state
// expecting the given tokens (none given: more than four) and returns
// nil, false.
func (p *exprParser) syntaxError(expected ...exprTok) (ExprNode, bool) {
	msg := "syntax error, unexpected " + p.peek().String()
	if len(expected) > 0 && len(expected) <= 4 {
		names := make([]string, len(expected))
		for i, t := range expected {
			names[i] = t.String()
		}
		msg += ", expecting " + strings.Join(names, " or ")
	}
	p.err1 = msg
	return nil, false
}

// enter counts nesting; it fails like bison's stack overflow.
func (p *exprParser) enter() bool {
	p.depth++
	if p.depth > maxExprDepth {
		p.err1 = "memory exhausted"
		return false
	}
	return true
}

func (p *exprParser) leave() { p.depth-- }

// boolRoot: root := T_EXPR_BOOL expr $end
func (p *exprParser) boolRoot() (ExprNode, bool) {
	n, ok := p.orExpr()
	if !ok {
		return nil, false
	}
	if p.peek() != tEnd {
		return p.syntaxError(tEnd) // state 4
	}
	return n, true
}

// stringRoot: root := T_EXPR_STRING string $end
func (p *exprParser) stringRoot() (ExprNode, bool) {
	n, ok := p.str(strRoot)
	if !ok {
		return nil, false
	}
	if p.peek() != tEnd {
		return p.syntaxError(tEnd) // state 4
	}
	return n, true
}

// orExpr: expr := expr || expr (right associative, loosest)
func (p *exprParser) orExpr() (ExprNode, bool) {
	if !p.enter() {
		return nil, false
	}
	defer p.leave()
	x, ok := p.andExpr()
	if !ok || p.peek() != tOpOr {
		return x, ok
	}
	p.take()
	y, ok := p.orExpr()
	if !ok {
		return nil, false
	}
	return &ExprOr{X: x, Y: y}, true
}

// andExpr: expr := expr && expr (right associative, binds tighter than ||)
func (p *exprParser) andExpr() (ExprNode, bool) {
	x, ok := p.notExpr()
	if !ok || p.peek() != tOpAnd {
		return x, ok
	}
	p.take()
	if !p.enter() {
		return nil, false
	}
	defer p.leave()
	y, ok := p.andExpr()
	if !ok {
		return nil, false
	}
	return &ExprAnd{X: x, Y: y}, true
}

// notExpr: expr := ! expr (binds tighter than && and ||)
func (p *exprParser) notExpr() (ExprNode, bool) {
	if p.peek() != tOpNot {
		return p.primary()
	}
	p.take()
	if !p.enter() {
		return nil, false
	}
	defer p.leave()
	x, ok := p.notExpr()
	if !ok {
		return nil, false
	}
	return &ExprNot{X: x}, true
}

// compareOps maps the comparison tokens to their canonical spelling.
func compareOp(t exprTok) (string, bool) {
	switch t {
	case tOpEQ:
		return "-eq", true
	case tOpNE:
		return "-ne", true
	case tOpLT:
		return "-lt", true
	case tOpLE:
		return "-le", true
	case tOpGT:
		return "-gt", true
	case tOpGE:
		return "-ge", true
	case tOpStrEQ:
		return "==", true
	case tOpStrNE:
		return "!=", true
	case tOpStrLT:
		return "<", true
	case tOpStrLE:
		return "<=", true
	case tOpStrGT:
		return ">", true
	case tOpStrGE:
		return ">=", true
	}
	return "", false
}

// primary: true | false | -unop word | ( expr ) | word op word
// | word -in wordlist | word =~ regex | word !~ regex | word -binop word
func (p *exprParser) primary() (ExprNode, bool) {
	switch t := p.peek(); t {
	case tTrue, tFalse:
		p.take()
		return &ExprBool{Value: t == tTrue}, true
	case tError:
		return nil, false // expr := T_ERROR { YYABORT }: the scanner's message alone
	case tOpUnary:
		op := p.take().text
		x, ok := p.word()
		if !ok {
			return nil, false
		}
		p.lookupOp(op, x, true) // reduced after the lookahead is scanned
		return &ExprUnaryOp{Op: op, X: x}, true
	case tLParen:
		p.take()
		x, ok := p.orExpr()
		if !ok {
			return nil, false
		}
		if p.peek() != tRParen {
			return p.syntaxError(tOpOr, tOpAnd, tRParen) // state 35
		}
		p.take()
		return x, true
	case tDigit, tID, tBackref, tStrBegin, tVarBegin:
		return p.comparison()
	}
	return p.syntaxError() // states 1, 14, 15, 36, 37 expect 11 tokens
}

// comparison: the conditions that start with a word.
func (p *exprParser) comparison() (ExprNode, bool) {
	x, ok := p.word()
	if !ok {
		return nil, false
	}
	t := p.peek()
	if op, isCmp := compareOp(t); isCmp {
		p.take()
		y, ok := p.word()
		if !ok {
			return nil, false
		}
		return &ExprCompare{Op: op, X: x, Y: y}, true
	}
	switch t {
	case tOpIn:
		p.take()
		list, ok := p.wordlist()
		if !ok {
			return nil, false
		}
		return &ExprIn{X: x, List: list}, true
	case tOpReg, tOpNRE:
		p.take()
		k := p.peek()
		if k != tRegex && k != tRegexI {
			return p.syntaxError(tRegex, tRegexI) // states 45, 46
		}
		pattern := p.take().text
		if !regexOK(pattern) {
			p.err1 = "Failed to compile regular expression"
			return nil, false
		}
		re := &ExprRegex{Pattern: pattern, IgnoreCase: k == tRegexI}
		return &ExprMatch{X: x, Regex: re, Negate: t == tOpNRE}, true
	case tOpBinary:
		op := p.take().text
		y, ok := p.word()
		if !ok {
			return nil, false
		}
		p.lookupOp(op, y, false)
		return &ExprBinaryOp{Op: op, X: x, Y: y}, true
	}
	return p.syntaxError() // state 19 expects 17 tokens
}

// wordlist: funcname ( word ) | { word [, word]... }
func (p *exprParser) wordlist() (ExprNode, bool) {
	switch p.peek() {
	case tID:
		return p.call(true)
	case tLBrace:
		p.take()
		list := &ExprList{}
		for {
			w, ok := p.word()
			if !ok {
				return nil, false
			}
			list.Items = append(list.Items, w)
			switch p.peek() {
			case tRBrace:
				p.take()
				return list, true
			case tComma:
				p.take()
			default:
				return p.syntaxError(tRBrace, tComma) // state 88
			}
		}
	}
	return p.syntaxError(tID, tLBrace) // state 47
}

// word: atom [. word] (concatenation, right associative)
func (p *exprParser) word() (ExprNode, bool) {
	x, ok := p.atom()
	if !ok || p.peek() != tOpConcat {
		return x, ok
	}
	p.take()
	if !p.enter() {
		return nil, false
	}
	defer p.leave()
	y, ok := p.word()
	if !ok {
		return nil, false
	}
	return &ExprConcat{Parts: append(concatParts(x), concatParts(y)...)}, true
}

func concatParts(n ExprNode) []ExprNode {
	if c, ok := n.(*ExprConcat); ok {
		return c.Parts
	}
	return []ExprNode{n}
}

// atom: digits | funcname ( word ) | $N | "string" | %{...}
func (p *exprParser) atom() (ExprNode, bool) {
	switch p.peek() {
	case tDigit:
		return &ExprDigits{Text: p.take().text}, true
	case tID:
		return p.call(false)
	case tBackref:
		return &ExprBackref{N: p.take().num}, true
	case tStrBegin:
		p.take()
		if p.peek() == tStrEnd {
			p.take()
			return &ExprString{}, true
		}
		return p.str(strQuoted)
	case tVarBegin:
		return p.variable()
	}
	return p.syntaxError() // states 11, 29, 38-44, 48-54, 75, 87, 93 expect 5 tokens
}

// call: funcname ( word ), a string function or, after -in, a list one.
func (p *exprParser) call(list bool) (ExprNode, bool) {
	name := p.take().text
	if p.peek() != tLParen {
		return p.syntaxError(tLParen) // states 9, 74
	}
	p.take()
	arg, ok := p.word()
	if !ok {
		return nil, false
	}
	if p.peek() != tRParen {
		return p.syntaxError(tOpConcat, tRParen) // states 56, 91
	}
	p.take()
	p.lookupFunc(name, list)
	return &ExprFunc{Name: name, Arg: arg, List: list}, true
}

// variable: %{NAME} | %{funcname:string}
func (p *exprParser) variable() (ExprNode, bool) {
	p.take()
	if p.peek() != tID {
		return p.syntaxError(tID) // state 13
	}
	name := p.take().text
	switch p.peek() {
	case tVarEnd:
		p.take()
		if !exprVarKnown(name) {
			p.err2 = "Variable '" + name + "' does not exist"
		}
		return &ExprVar{Name: name}, true
	case tColon:
		p.take()
		arg, ok := p.str(strVararg)
		if !ok {
			return nil, false
		}
		p.lookupFunc(name, false)
		return &ExprFunc{Name: name, Arg: arg}, true
	}
	return p.syntaxError(tVarEnd, tColon) // state 33
}

// strKind says where a string is: which token ends it.
type strKind uint8

const (
	strQuoted strKind = iota // "..." ended by T_STR_END
	strVararg                // %{func:...} ended by T_VAR_END
	strRoot                  // a string expression, ended by $end
)

// str: strpart... where strpart := T_STRING | %{...} | $N. It consumes
// the closing token except for strRoot.
func (p *exprParser) str(kind strKind) (ExprNode, bool) {
	var parts []ExprNode
	for {
		switch t := p.peek(); t {
		case tString:
			parts = append(parts, &ExprString{Value: p.take().text})
			continue
		case tBackref:
			parts = append(parts, &ExprBackref{N: p.take().num})
			continue
		case tVarBegin:
			v, ok := p.variable()
			if !ok {
				return nil, false
			}
			parts = append(parts, v)
			continue
		case tError:
			if len(parts) == 0 {
				return nil, false // string := T_ERROR { YYABORT }
			}
		case tStrEnd:
			if kind == strQuoted && len(parts) > 0 {
				p.take()
				return joinParts(parts), true
			}
		case tVarEnd:
			if kind == strVararg && len(parts) > 0 {
				p.take()
				return joinParts(parts), true
			}
		}
		switch {
		case kind == strRoot && len(parts) > 0:
			return joinParts(parts), true // the caller expects $end
		case len(parts) == 0 && kind == strQuoted:
			return p.syntaxError() // state 12 expects 5 tokens
		case len(parts) == 0:
			return p.syntaxError(tError, tString, tBackref, tVarBegin) // states 2, 59
		case kind == strQuoted:
			return p.syntaxError(tString, tBackref, tStrEnd, tVarBegin) // state 32
		default:
			return p.syntaxError(tString, tBackref, tVarBegin, tVarEnd) // state 86
		}
	}
}

// joinParts makes one word of a string's parts, leaving out empty
// literals (the scanner ends a string expression with one).
func joinParts(parts []ExprNode) ExprNode {
	if len(parts) > 1 {
		kept := parts[:0:0]
		for _, part := range parts {
			if s, ok := part.(*ExprString); !ok || s.Value != "" {
				kept = append(kept, part)
			}
		}
		if len(kept) > 0 {
			parts = kept
		}
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return &ExprConcat{Parts: parts}
}

// The names httpd's core provides (server/util_expr_eval.c). Variables
// and functions are matched without regard to case, unary operators with.
const (
	exprVars = " HTTPS IPV6 CONN_LOG_ID CONN_REMOTE_ADDR HTTP2" +
		" REQUEST_METHOD REQUEST_SCHEME REQUEST_URI REQUEST_FILENAME REMOTE_HOST" +
		" REMOTE_IDENT REMOTE_USER SERVER_ADMIN SERVER_NAME SERVER_PORT" +
		" SERVER_PROTOCOL SCRIPT_FILENAME PATH_INFO QUERY_STRING IS_SUBREQ" +
		" DOCUMENT_ROOT AUTH_TYPE THE_REQUEST CONTENT_TYPE HANDLER REQUEST_LOG_ID" +
		" SCRIPT_USER SCRIPT_GROUP DOCUMENT_URI LAST_MODIFIED CONTEXT_PREFIX" +
		" CONTEXT_DOCUMENT_ROOT REQUEST_STATUS REMOTE_ADDR REMOTE_PORT" +
		" TIME_YEAR TIME_MON TIME_DAY TIME_HOUR TIME_MIN TIME_SEC TIME_WDAY TIME" +
		" SERVER_SOFTWARE API_VERSION" +
		" HTTP_USER_AGENT HTTP_PROXY_CONNECTION HTTP_REFERER HTTP_COOKIE" +
		" HTTP_FORWARDED HTTP_HOST HTTP_ACCEPT "
	exprFuncs = " osenv env resp req http note reqenv req_novary tolower toupper" +
		" escape unescape file filesize base64 unbase64 sha1 md5 ldap "
	exprUnaryOps  = " n z R T d e f s L h x F U A "
	exprBinaryOps = " ipmatch fnmatch strmatch strcmatch "
)

func inWordList(list, name string, fold bool) bool {
	if name == "" || strings.IndexByte(name, ' ') >= 0 {
		return false
	}
	if fold {
		return strings.Contains(strings.ToLower(list), " "+strings.ToLower(name)+" ")
	}
	return strings.Contains(list, " "+name+" ")
}

// exprVarKnown reports whether the core knows the variable name, or
// mod_ssl does: it takes every name that starts with SSL_ (ssl_expr_lookup),
// whether logproxy evaluates it being checked later.
func exprVarKnown(name string) bool {
	return inWordList(exprVars, name, true) || (len(name) > 4 && strings.EqualFold(name[:4], "SSL_"))
}

// lookupFunc checks a function name; list functions: the core has none.
func (p *exprParser) lookupFunc(name string, list bool) {
	switch {
	case list:
		p.err2 = "List-returning function '" + name + "' does not exist"
	case !inWordList(exprFuncs, name, true):
		p.err2 = "Function '" + name + "' does not exist"
	}
}

// lookupOp checks a unary or binary operator; arg is its (right-hand)
// operand, which -R and -ipmatch want as a constant subnet.
func (p *exprParser) lookupOp(name string, arg ExprNode, unary bool) {
	known := inWordList(exprBinaryOps, name, true)
	kind := "Binary operator"
	if unary {
		known = inWordList(exprUnaryOps, name, false)
		kind = "Unary operator"
	}
	if !known {
		p.err2 = kind + " '-" + name + "' does not exist"
		return
	}
	if name != "R" && !strings.EqualFold(name, "ipmatch") {
		return
	}
	s, ok := arg.(*ExprString)
	if !ok {
		p.err2 = "-" + name + " requires subnet/netmask as constant argument"
		return
	}
	if !subnetOK(s.Value) {
		p.err2 = "parsing of subnet/netmask failed"
	}
}

// subnetOK approximates apr_ipsubnet_create: an address, a partial IPv4
// network (10.1), or an address with a /bits or /netmask mask.
func subnetOK(s string) bool {
	addr, mask, hasMask := strings.Cut(s, "/")
	if !hasMask {
		if net.ParseIP(addr) != nil {
			return true
		}
		parts := strings.Split(strings.TrimSuffix(addr, "."), ".")
		if len(parts) > 3 {
			return false
		}
		for _, part := range parts {
			n, err := strconv.Atoi(part)
			if err != nil || n < 0 || n > 255 {
				return false
			}
		}
		return true
	}
	ip := net.ParseIP(addr)
	if ip == nil {
		return false
	}
	if bits, err := strconv.Atoi(mask); err == nil {
		limit := 128
		if ip.To4() != nil {
			limit = 32
		}
		return bits >= 0 && bits <= limit
	}
	return net.ParseIP(mask) != nil
}
