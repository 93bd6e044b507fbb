package config

import (
	"strconv"
	"strings"
)

// This file is the tree of an ap_expr expression (httpd's expression
// language: CustomLog expr=, and later <If>, Header expr=, SetEnvIfExpr).
// The grammar is server/util_expr_parse.y, the tokens server/util_expr_scan.l.
// Operators bind, from loosest: || (or), && (and), ! (not), then the
// comparisons, then . (string concatenation). See exprparse.go.

// Expr is a parsed expression.
type Expr struct {
	// Root is the expression's tree: a condition for ParseExpr, a word
	// (string) for ParseStringExpr.
	Root ExprNode
	// Src is the text the expression was parsed from.
	Src string

	stringMode bool // parsed by ParseStringExpr
}

// String prints the expression in canonical form, in the syntax it was
// parsed with.
func (e *Expr) String() string {
	if e.stringMode {
		return stringText(e.Root, false)
	}
	return e.Root.String()
}

// stringText prints a string expression's parts as string-expression
// text; vararg is set inside %{func:...}.
func stringText(n ExprNode, vararg bool) string {
	switch n := n.(type) {
	case *ExprConcat:
		var b strings.Builder
		for _, p := range n.Parts {
			b.WriteString(stringText(p, vararg))
		}
		return b.String()
	case *ExprString:
		var b strings.Builder
		for i := 0; i < len(n.Value); i++ {
			switch c := n.Value[i]; {
			case c == '\\' || c == '%' || c == '$',
				vararg && (c == '"' || c == '\'' || c == '}'):
				b.WriteByte('\\')
				b.WriteByte(c)
			case c == '\n':
				b.WriteString(`\n`)
			default:
				b.WriteByte(c)
			}
		}
		return b.String()
	case *ExprFunc:
		return "%{" + n.Name + ":" + stringText(n.Arg, true) + "}"
	}
	return n.String() // variables and backreferences read the same
}

// ExprError is an expression httpd refuses. Msg is httpd's message, in the
// bison style where httpd has one ("syntax error, unexpected $end,
// expecting T_REGEX or T_REGEX_I").
type ExprError struct {
	Src string
	Msg string
}

func (e *ExprError) Error() string { return e.Msg }

// ExprNode is a node of an expression tree. The node types are the Expr*
// types of this package; no other package can add one.
type ExprNode interface {
	// String prints the node in canonical expression syntax.
	String() string
	exprNode()
}

// Conditions.
type (
	// ExprBool is true or false.
	ExprBool struct{ Value bool }
	// ExprNot is !X (also written "not X").
	ExprNot struct{ X ExprNode }
	// ExprAnd is X && Y (also "and").
	ExprAnd struct{ X, Y ExprNode }
	// ExprOr is X || Y (also "or").
	ExprOr struct{ X, Y ExprNode }
	// ExprCompare compares two words. Op is one of == != < <= > >= (string
	// comparison; "=" is read as "==") or -eq -ne -lt -le -gt -ge (integer
	// comparison; "eq", "ne", ... are read as these).
	ExprCompare struct {
		Op   string
		X, Y ExprNode
	}
	// ExprIn is X -in List, List being an *ExprList or an *ExprFunc with
	// List set.
	ExprIn struct{ X, List ExprNode }
	// ExprMatch is X =~ Regex, or X !~ Regex when Negate is set.
	ExprMatch struct {
		X      ExprNode
		Regex  *ExprRegex
		Negate bool
	}
	// ExprUnaryOp is -Op X, a test such as -n (not empty) or -R (remote
	// address in subnet).
	ExprUnaryOp struct {
		Op string
		X  ExprNode
	}
	// ExprBinaryOp is X -Op Y, a test such as -ipmatch or -strmatch.
	ExprBinaryOp struct {
		Op   string
		X, Y ExprNode
	}
)

// Words.
type (
	// ExprDigits is an integer literal such as 42 or -1.
	ExprDigits struct{ Text string }
	// ExprString is a string literal.
	ExprString struct{ Value string }
	// ExprConcat is its parts one after the other: a quoted string holding
	// variables, or words joined with ".".
	ExprConcat struct{ Parts []ExprNode }
	// ExprVar is a variable, %{NAME}.
	ExprVar struct{ Name string }
	// ExprFunc is a function call, name(arg) or %{name:arg}. List marks a
	// function returning a list, after -in.
	ExprFunc struct {
		Name string
		Arg  ExprNode
		List bool
	}
	// ExprBackref is $N, the Nth group of the last regex match.
	ExprBackref struct{ N int }
	// ExprList is a list of words, {a, b}.
	ExprList struct{ Items []ExprNode }
	// ExprRegex is a regular expression, /pattern/ or m#pattern#, with
	// the i flag when IgnoreCase is set.
	ExprRegex struct {
		Pattern    string
		IgnoreCase bool
	}
)

func (*ExprBool) exprNode()     {}
func (*ExprNot) exprNode()      {}
func (*ExprAnd) exprNode()      {}
func (*ExprOr) exprNode()       {}
func (*ExprCompare) exprNode()  {}
func (*ExprIn) exprNode()       {}
func (*ExprMatch) exprNode()    {}
func (*ExprUnaryOp) exprNode()  {}
func (*ExprBinaryOp) exprNode() {}
func (*ExprDigits) exprNode()   {}
func (*ExprString) exprNode()   {}
func (*ExprConcat) exprNode()   {}
func (*ExprVar) exprNode()      {}
func (*ExprFunc) exprNode()     {}
func (*ExprBackref) exprNode()  {}
func (*ExprList) exprNode()     {}
func (*ExprRegex) exprNode()    {}

func (n *ExprBool) String() string {
	if n.Value {
		return "true"
	}
	return "false"
}

func (n *ExprNot) String() string { return "!" + condOperand(n.X) }
func (n *ExprAnd) String() string { return condOperand(n.X) + " && " + condOperand(n.Y) }
func (n *ExprOr) String() string  { return condOperand(n.X) + " || " + condOperand(n.Y) }

// condOperand parenthesizes && and || operands so that the printed form
// needs no precedence rules.
func condOperand(n ExprNode) string {
	switch n.(type) {
	case *ExprAnd, *ExprOr:
		return "(" + n.String() + ")"
	}
	return n.String()
}

func (n *ExprCompare) String() string { return n.X.String() + " " + n.Op + " " + n.Y.String() }
func (n *ExprIn) String() string      { return n.X.String() + " -in " + n.List.String() }

func (n *ExprMatch) String() string {
	op := " =~ "
	if n.Negate {
		op = " !~ "
	}
	return n.X.String() + op + n.Regex.String()
}

func (n *ExprUnaryOp) String() string  { return "-" + n.Op + " " + n.X.String() }
func (n *ExprBinaryOp) String() string { return n.X.String() + " -" + n.Op + " " + n.Y.String() }
func (n *ExprDigits) String() string   { return n.Text }

// String quotes the literal with single quotes, escaping what the
// expression scanner would read otherwise.
func (n *ExprString) String() string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(n.Value); i++ {
		switch c := n.Value[i]; c {
		case '\\', '\'', '%', '$':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

func (n *ExprConcat) String() string {
	parts := make([]string, len(n.Parts))
	for i, p := range n.Parts {
		parts[i] = p.String()
	}
	return strings.Join(parts, " . ")
}

func (n *ExprVar) String() string     { return "%{" + n.Name + "}" }
func (n *ExprFunc) String() string    { return n.Name + "(" + n.Arg.String() + ")" }
func (n *ExprBackref) String() string { return "$" + strconv.Itoa(n.N) }

func (n *ExprList) String() string {
	items := make([]string, len(n.Items))
	for i, it := range n.Items {
		items[i] = it.String()
	}
	return "{" + strings.Join(items, ", ") + "}"
}

// String writes the pattern between slashes, or between the first
// delimiter m allows that the pattern does not contain.
func (n *ExprRegex) String() string {
	flag := ""
	if n.IgnoreCase {
		flag = "i"
	}
	if strings.IndexByte(n.Pattern, '/') < 0 {
		return "/" + n.Pattern + "/" + flag
	}
	for _, d := range []byte(regexDelimiters) {
		if strings.IndexByte(n.Pattern, d) < 0 {
			return "m" + string(d) + n.Pattern + string(d) + flag
		}
	}
	return "/" + n.Pattern + "/" + flag
}

// ParseExpr parses a boolean expression (a condition) as httpd's
// ap_expr_parse does, and checks the names of its variables, functions
// and operators against the ones httpd's core provides. An expression
// httpd refuses returns an *ExprError with httpd's message.
//
//	cond  := cond || cond | cond && cond | ! cond | ( cond ) | true | false
//	       | word op word | word -in list | word =~ /regex/ | -unop word | word -binop word
//	word  := digits | 'string' | "string" | %{VAR} | %{func:string} | func(word) | $N | word . word
func ParseExpr(src string) (*Expr, error) {
	return parseExpr(src, false)
}

// ParseStringExpr parses a string expression: text in which %{VAR},
// %{func:arg} and $N are replaced (AP_EXPR_FLAG_STRING_RESULT).
func ParseStringExpr(src string) (*Expr, error) {
	return parseExpr(src, true)
}
