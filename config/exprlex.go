package config

import "strings"

// The expression scanner follows server/util_expr_scan.l: flex rules
// with longest match, ties going to the earlier rule, and the start
// conditions INITIAL, str, var, vararg and regex.

// exprTok is a token kind. The order is bison's symbol order, which is
// the order of the "expecting" lists in its messages.
type exprTok uint8

const (
	tEnd exprTok = iota
	tTrue
	tFalse
	tError
	tDigit
	tID
	tString
	tRegex
	tRegexI
	tBackref
	tOpUnary
	tOpBinary
	tStrBegin
	tStrEnd
	tVarBegin
	tVarEnd
	tOpEQ
	tOpNE
	tOpLT
	tOpLE
	tOpGT
	tOpGE
	tOpReg
	tOpNRE
	tOpIn
	tOpStrEQ
	tOpStrNE
	tOpStrLT
	tOpStrLE
	tOpStrGT
	tOpStrGE
	tOpConcat
	tOpOr
	tOpAnd
	tOpNot
	tLParen
	tRParen
	tLBrace
	tRBrace
	tComma
	tColon
)

// exprTokNames are bison's names for the tokens (yytname).
var exprTokNames = [...]string{
	tEnd: "$end", tTrue: "T_TRUE", tFalse: "T_FALSE", tError: "T_ERROR",
	tDigit: "T_DIGIT", tID: "T_ID", tString: "T_STRING", tRegex: "T_REGEX",
	tRegexI: "T_REGEX_I", tBackref: "T_REGEX_BACKREF", tOpUnary: "T_OP_UNARY",
	tOpBinary: "T_OP_BINARY", tStrBegin: "T_STR_BEGIN", tStrEnd: "T_STR_END",
	tVarBegin: "T_VAR_BEGIN", tVarEnd: "T_VAR_END", tOpEQ: "T_OP_EQ",
	tOpNE: "T_OP_NE", tOpLT: "T_OP_LT", tOpLE: "T_OP_LE", tOpGT: "T_OP_GT",
	tOpGE: "T_OP_GE", tOpReg: "T_OP_REG", tOpNRE: "T_OP_NRE", tOpIn: "T_OP_IN",
	tOpStrEQ: "T_OP_STR_EQ", tOpStrNE: "T_OP_STR_NE", tOpStrLT: "T_OP_STR_LT",
	tOpStrLE: "T_OP_STR_LE", tOpStrGT: "T_OP_STR_GT", tOpStrGE: "T_OP_STR_GE",
	tOpConcat: "T_OP_CONCAT", tOpOr: "T_OP_OR", tOpAnd: "T_OP_AND",
	tOpNot: "T_OP_NOT", tLParen: "'('", tRParen: "')'", tLBrace: "'{'",
	tRBrace: "'}'", tComma: "','", tColon: "':'",
}

func (t exprTok) String() string { return exprTokNames[t] }

// exprToken is one token with its value.
type exprToken struct {
	kind exprTok
	text string // T_DIGIT, T_ID, T_STRING, T_REGEX*, T_OP_UNARY, T_OP_BINARY
	num  int    // T_REGEX_BACKREF
}

// lexState is a flex start condition.
type lexState uint8

const (
	stInitial lexState = iota
	stStr
	stVar
	stVararg
)

// regexDelimiters are the bytes that may follow m to start a regex.
const regexDelimiters = `/#$%^,;:_?|-!.'"`

// exprMaxString is MAX_STRING_LEN, the size of the scanner's buffers.
const exprMaxString = 8192

// exprLexer scans one expression.
type exprLexer struct {
	src        string
	pos        int
	cur        lexState
	stack      []lexState
	strDel     byte
	buf        []byte
	stringMode bool
	err        string // the message of the last T_ERROR
	jammed     bool   // no flex rule matched: httpd exits on the spot
}

func (l *exprLexer) fail(msg string) exprToken {
	l.err = msg
	return exprToken{kind: tError}
}

// jam reports input no scanner rule matches. httpd's flex scanner then
// calls YY_FATAL_ERROR, which ends the process with this message.
func (l *exprLexer) jam() exprToken {
	l.jammed = true
	return l.fail("flex scanner jammed")
}

// next returns the next token.
func (l *exprLexer) next() exprToken {
	switch l.cur {
	case stStr, stVararg:
		return l.inString()
	case stVar:
		return l.inVar()
	}
	return l.initial()
}

func isDigitByte(c byte) bool { return '0' <= c && c <= '9' }
func isAlpha(c byte) bool     { return 'A' <= c&^0x20 && c&^0x20 <= 'Z' }

// identLen is the length of [a-zA-Z][a-zA-Z0-9_]* at s's start.
func identLen(s string) int {
	if s == "" || !isAlpha(s[0]) {
		return 0
	}
	n := 1
	for n < len(s) && (isAlpha(s[n]) || isDigitByte(s[n]) || s[n] == '_') {
		n++
	}
	return n
}

func (l *exprLexer) initial() exprToken {
	for l.pos < len(l.src) && (l.src[l.pos] == ' ' || l.src[l.pos] == '\t' || l.src[l.pos] == '\n') {
		l.pos++
	}
	if l.pos >= len(l.src) {
		return exprToken{kind: tEnd}
	}
	s := l.src[l.pos:]
	c := s[0]
	two := ""
	if len(s) >= 2 {
		two = s[:2]
	}
	op := func(n int, k exprTok) exprToken {
		l.pos += n
		return exprToken{kind: k}
	}
	switch {
	case c == '"' || c == '\'':
		l.strDel = c
		l.buf = l.buf[:0]
		l.cur = stStr
		return op(1, tStrBegin)
	case two == "%{":
		l.stack = append(l.stack, l.cur)
		l.cur = stVar
		return op(2, tVarBegin)
	case c == '$' && len(s) >= 2 && isDigitByte(s[1]):
		l.pos += 2
		return exprToken{kind: tBackref, num: int(s[1] - '0')}
	case c == 'm' && len(s) >= 2 && strings.IndexByte(regexDelimiters, s[1]) >= 0 && identLen(s) <= 2:
		return l.regex(2, s[1])
	case c == '/':
		return l.regex(1, '/')
	case two == "=~":
		return op(2, tOpReg)
	case two == "==":
		return op(2, tOpStrEQ)
	case c == '=':
		return op(1, tOpStrEQ)
	case two == "!=":
		return op(2, tOpStrNE)
	case two == "!~":
		return op(2, tOpNRE)
	case c == '!':
		return op(1, tOpNot)
	case two == "<=":
		return op(2, tOpStrLE)
	case c == '<':
		return op(1, tOpStrLT)
	case two == ">=":
		return op(2, tOpStrGE)
	case c == '>':
		return op(1, tOpStrGT)
	case two == "&&":
		return op(2, tOpAnd)
	case two == "||":
		return op(2, tOpOr)
	case c == '.':
		return op(1, tOpConcat)
	case c == '-' && len(s) >= 2 && (isAlpha(s[1]) || s[1] == '_'):
		n := 2
		for n < len(s) && (isAlpha(s[n]) || isDigitByte(s[n]) || s[n] == '_') {
			n++
		}
		if n == 2 {
			l.pos += 2
			return exprToken{kind: tOpUnary, text: s[1:2]}
		}
		if n == 3 {
			if k, ok := dashOps[s[:3]]; ok {
				return op(3, k)
			}
		}
		l.pos += n
		return exprToken{kind: tOpBinary, text: s[1:n]}
	case isDigitByte(c) || (c == '-' && len(s) >= 2 && isDigitByte(s[1])):
		n := 1
		for n < len(s) && isDigitByte(s[n]) {
			n++
		}
		l.pos += n
		return exprToken{kind: tDigit, text: s[:n]}
	case isAlpha(c):
		n := identLen(s)
		if k, ok := wordOps[s[:n]]; ok {
			return op(n, k)
		}
		l.pos += n
		return exprToken{kind: tID, text: s[:n]}
	}
	switch c {
	case '(':
		return op(1, tLParen)
	case ')':
		return op(1, tRParen)
	case '{':
		return op(1, tLBrace)
	case '}':
		return op(1, tRBrace)
	case ',':
		return op(1, tComma)
	case ':':
		return op(1, tColon)
	}
	return l.fail("Parse error near '" + string([]byte{c}) + "'")
}

// dashOps are the operators written - and two letters.
var dashOps = map[string]exprTok{
	"-in": tOpIn, "-eq": tOpEQ, "-ne": tOpNE, "-ge": tOpGE,
	"-le": tOpLE, "-gt": tOpGT, "-lt": tOpLT,
}

// wordOps are the words the scanner reads as operators or constants.
var wordOps = map[string]exprTok{
	"and": tOpAnd, "or": tOpOr, "not": tOpNot,
	"lt": tOpLT, "le": tOpLE, "gt": tOpGT, "ge": tOpGE, "ne": tOpNE, "eq": tOpEQ, "in": tOpIn,
	"true": tTrue, "false": tFalse,
}

// regex scans a regex whose delimiter del comes after skip bytes, and
// its optional i flag. Without a closing delimiter the input simply ends,
// as in httpd (which then reports an unexpected $end).
func (l *exprLexer) regex(skip int, del byte) exprToken {
	l.pos += skip
	start := l.pos
	for l.pos < len(l.src) && l.src[l.pos] != del {
		l.pos++
		if l.pos-start >= exprMaxString {
			return l.fail("Regexp too long")
		}
	}
	if l.pos >= len(l.src) {
		return exprToken{kind: tEnd}
	}
	pattern := l.src[start:l.pos]
	l.pos++ // the delimiter
	if l.pos < len(l.src) && l.src[l.pos] == 'i' {
		l.pos++
		return exprToken{kind: tRegexI, text: pattern}
	}
	return exprToken{kind: tRegex, text: pattern}
}

// inVar scans inside %{...} before any ':'.
func (l *exprLexer) inVar() exprToken {
	if l.pos >= len(l.src) {
		return l.fail("Unterminated string or variable")
	}
	s := l.src[l.pos:]
	if n := identLen(s); n > 0 {
		l.pos += n
		return exprToken{kind: tID, text: s[:n]}
	}
	switch s[0] {
	case '}':
		l.pos++
		l.pop()
		return exprToken{kind: tVarEnd}
	case ':':
		l.pos++
		l.cur = stVararg
		return exprToken{kind: tColon}
	}
	return l.fail("Invalid character in variable name '" + s[:1] + "'")
}

func (l *exprLexer) pop() {
	n := len(l.stack)
	if n == 0 {
		l.cur = stInitial
		return
	}
	l.cur = l.stack[n-1]
	l.stack = l.stack[:n-1]
}

// flush returns the text gathered so far as a T_STRING; a NUL ends it, as
// httpd copies it as a C string.
func (l *exprLexer) flush() exprToken {
	s := string(l.buf)
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	l.buf = l.buf[:0]
	return exprToken{kind: tString, text: s}
}

// add appends to the string buffer, failing when it is full.
func (l *exprLexer) add(c byte) bool {
	l.buf = append(l.buf, c)
	return len(l.buf) < exprMaxString
}

// inString scans quoted text (str) or the argument of %{func:...}
// (vararg).
func (l *exprLexer) inString() exprToken {
	vararg := l.cur == stVararg
	for {
		if l.pos >= len(l.src) {
			if !vararg && l.stringMode && l.strDel == 0 {
				l.cur = stInitial
				return l.flush()
			}
			return l.fail("Unterminated string or variable")
		}
		s := l.src[l.pos:]
		c := s[0]
		switch {
		case c == '"' || c == '\'':
			if vararg {
				return l.jam()
			}
			if c == l.strDel {
				if len(l.buf) > 0 {
					return l.flush()
				}
				l.pos++
				l.cur = stInitial
				return exprToken{kind: tStrEnd}
			}
			l.pos++
			if !l.add(c) {
				return l.fail("String too long")
			}
		case c == '\n':
			return l.fail("Unterminated string or variable")
		case c == '\\':
			if tok, ok := l.escape(s); !ok {
				return tok
			}
		case c == '$' && len(s) >= 2 && isDigitByte(s[1]):
			if len(l.buf) > 0 {
				return l.flush()
			}
			l.pos += 2
			return exprToken{kind: tBackref, num: int(s[1] - '0')}
		case c == '%' && len(s) >= 2 && s[1] == '{':
			if len(l.buf) > 0 {
				return l.flush()
			}
			l.pos += 2
			l.stack = append(l.stack, l.cur)
			l.cur = stVar
			return exprToken{kind: tVarBegin}
		case c == '}' && vararg:
			if len(l.buf) > 0 {
				return l.flush()
			}
			l.pos++
			l.pop()
			return exprToken{kind: tVarEnd}
		default:
			l.pos++
			if !l.add(c) {
				return l.fail("String too long")
			}
		}
	}
}

// escape handles a backslash sequence at the start of s. It returns false
// with the error token if the sequence is refused.
func (l *exprLexer) escape(s string) (exprToken, bool) {
	if len(s) < 2 {
		return l.jam(), false
	}
	d := s[1]
	if isDigitByte(d) {
		digits, octal := 0, 0
		for 1+digits < len(s) && isDigitByte(s[1+digits]) {
			digits++
		}
		for octal < 3 && 1+octal < len(s) && s[1+octal] >= '0' && s[1+octal] <= '7' {
			octal++
		}
		if octal == 0 || octal < digits {
			return l.fail("Bad escape sequence"), false
		}
		v := 0
		for _, c := range s[1 : 1+octal] {
			v = v*8 + int(c-'0')
		}
		if v > 0xff {
			return l.fail("Escape sequence out of bound"), false
		}
		l.pos += 1 + octal
		if !l.add(byte(v)) {
			return l.fail("String too long"), false
		}
		return exprToken{}, true
	}
	switch d {
	case 'n':
		d = '\n'
	case 'r':
		d = '\r'
	case 't':
		d = '\t'
	case 'b':
		d = '\b'
	case 'f':
		d = '\f'
	}
	l.pos += 2
	if !l.add(d) {
		return l.fail("String too long"), false
	}
	return exprToken{}, true
}
