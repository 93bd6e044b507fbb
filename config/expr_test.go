package config

import (
	"errors"
	"reflect"
	"testing"
)

// The expected messages are what httpd 2.4's own expression parser (its
// bison-generated util_expr_parse.c and flex-generated util_expr_scan.c)
// says for each input.
func TestParseExprErrors(t *testing.T) {
	tests := []struct {
		src  string
		want string // "" for an accepted expression
	}{
		{`%{REQUEST_URI} =~ /(`, `syntax error, unexpected $end, expecting T_REGEX or T_REGEX_I`},
		{`%{REQUEST_URI} == 'x'`, ``},
		{`%{REQUEST_STATUS} -ge 400 && %{REQUEST_URI} !~ m#^/health#`, ``},
		{`%{NO_SUCH_VAR} == 'x'`, `Variable 'NO_SUCH_VAR' does not exist`},
		{`-R '10.0.0.0/8' || %{HTTP_HOST} -in {'a', 'b'}`, ``},
		{`true true`, `syntax error, unexpected T_TRUE, expecting $end`},
		{`(true`, `syntax error, unexpected $end, expecting T_OP_OR or T_OP_AND or ')'`},
		{`( %{REQUEST_URI} == 'a' &`, `syntax error, unexpected T_ERROR, expecting T_OP_OR or T_OP_AND or ')': Parse error near '&'`},
		{`'a' == `, `syntax error, unexpected $end`},
		{`'a'`, `syntax error, unexpected $end`},
		{`&`, `Parse error near '&'`},
		{`%{env:}`, `syntax error, unexpected T_VAR_END, expecting T_ERROR or T_STRING or T_REGEX_BACKREF or T_VAR_BEGIN`},
		{`%{ REQUEST_URI}`, `syntax error, unexpected T_ERROR, expecting T_ID: Invalid character in variable name ' '`},
		{`%{REQUEST_URI`, `syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': Unterminated string or variable`},
		{`"abc`, `Unterminated string or variable`},
		{`"a\8"`, `Bad escape sequence`},
		{`"\777"`, `Escape sequence out of bound`},
		{`-Q 'x'`, `Unary operator '-Q' does not exist`},
		{`-Q 1 &`, `syntax error, unexpected T_ERROR, expecting $end: Unary operator '-Q' does not exist`},
		{`'x' -bogus 'y'`, `Binary operator '-bogus' does not exist`},
		{`foo('x') == 'y'`, `Function 'foo' does not exist`},
		{`tolower('X') == 'x'`, ``},
		{`'x' -in split('a')`, `List-returning function 'split' does not exist`},
		{`'x' -in {'a' 'b'}`, `syntax error, unexpected T_STR_BEGIN, expecting '}' or ','`},
		{`'x' -in 'a'`, `syntax error, unexpected T_STR_BEGIN, expecting T_ID or '{'`},
		{`%{HTTP_HOST} -ipmatch %{REMOTE_ADDR}`, `-ipmatch requires subnet/netmask as constant argument`},
		{`toupper`, `syntax error, unexpected $end, expecting '('`},
		{`'x' =~ m_x_`, `syntax error, unexpected T_ID, expecting T_REGEX or T_REGEX_I`},
		{`1 -eq 1 and 2 -ne 3 or not 4 -lt 5`, ``},
		{`! ! true`, ``},
		{`%{tolower:%{REQUEST_URI}} == "a$1b"`, ``},
		{`$1 == 'x'`, ``},
		{`-n %{QUERY_STRING}`, ``},
		{`%{REQUEST_URI} =~ /api/i`, ``},
		{`%{env:"x"}`, `flex scanner jammed`},
		// logproxy's own checks.
		{`%{REQUEST_URI} =~ /a(b/`, `Failed to compile regular expression`},
		{`-R 'not-a-subnet'`, `parsing of subnet/netmask failed`},
		{`-R '192.168.0.0/16'`, ``},
		{`-R '10.1'`, ``},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			_, err := ParseExpr(tt.src)
			got := ""
			if err != nil {
				var ee *ExprError
				if !errors.As(err, &ee) {
					t.Fatalf("ParseExpr(%q) error %T, want *ExprError", tt.src, err)
				}
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("ParseExpr(%q) = %q, want %q", tt.src, got, tt.want)
			}
		})
	}
}

func TestParseExprTree(t *testing.T) {
	uri := &ExprVar{Name: "REQUEST_URI"}
	tests := []struct {
		src  string
		want ExprNode
	}{
		{`true`, &ExprBool{Value: true}},
		{`%{REQUEST_URI} = 'x'`, &ExprCompare{Op: "==", X: uri, Y: &ExprString{Value: "x"}}},
		{`1 eq 2`, &ExprCompare{Op: "-eq", X: &ExprDigits{Text: "1"}, Y: &ExprDigits{Text: "2"}}},
		{`true || false && true`, &ExprOr{X: &ExprBool{Value: true}, Y: &ExprAnd{X: &ExprBool{Value: false}, Y: &ExprBool{Value: true}}}},
		{`!true && false`, &ExprAnd{X: &ExprNot{X: &ExprBool{Value: true}}, Y: &ExprBool{Value: false}}},
		{`%{REQUEST_URI} !~ m#^/a#i`, &ExprMatch{X: uri, Regex: &ExprRegex{Pattern: "^/a", IgnoreCase: true}, Negate: true}},
		{`"a%{REQUEST_URI}$1" == 'b' . %{REQUEST_URI}`, &ExprCompare{Op: "==",
			X: &ExprConcat{Parts: []ExprNode{&ExprString{Value: "a"}, uri, &ExprBackref{N: 1}}},
			Y: &ExprConcat{Parts: []ExprNode{&ExprString{Value: "b"}, uri}}}},
		{`%{tolower:%{REQUEST_URI}} -in {'a', "b"}`, &ExprIn{X: &ExprFunc{Name: "tolower", Arg: uri},
			List: &ExprList{Items: []ExprNode{&ExprString{Value: "a"}, &ExprString{Value: "b"}}}}},
		{`-n ''`, &ExprUnaryOp{Op: "n", X: &ExprString{}}},
		{`'a' -strmatch 'a*'`, &ExprBinaryOp{Op: "strmatch", X: &ExprString{Value: "a"}, Y: &ExprString{Value: "a*"}}},
		{`"\101\t\q"`, nil}, // a word alone is not a condition
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			e, err := ParseExpr(tt.src)
			if tt.want == nil {
				if err == nil {
					t.Fatalf("ParseExpr(%q) = %v, want an error", tt.src, e)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseExpr(%q): %v", tt.src, err)
			}
			if !reflect.DeepEqual(e.Root, tt.want) {
				t.Errorf("ParseExpr(%q) = %s, want %s", tt.src, e.Root, tt.want)
			}
			// The canonical form parses back to the same tree.
			again, err := ParseExpr(e.String())
			if err != nil {
				t.Fatalf("ParseExpr(%q) (printed form): %v", e.String(), err)
			}
			if !reflect.DeepEqual(again.Root, e.Root) {
				t.Errorf("printed form %q parses to %s, want %s", e.String(), again.Root, e.Root)
			}
		})
	}
}

func TestParseStringExpr(t *testing.T) {
	tests := []struct {
		src, want, tree, err string
	}{
		{src: `plain text`, want: `plain text`, tree: `'plain text'`},
		{src: `a %{REQUEST_URI} b`, want: `a %{REQUEST_URI} b`, tree: `'a ' . %{REQUEST_URI} . ' b'`},
		{src: `"quotes" are text`, want: `"quotes" are text`, tree: `'"quotes" are text'`},
		{src: `$1-%{tolower:X}`, want: `$1-%{tolower:X}`, tree: `$1 . '-' . tolower('X')`},
		{src: `100\% \$1 %{env:a\}b}`, want: `100\% \$1 %{env:a\}b}`, tree: `'100\% \$1 ' . env('a}b')`},
		{src: `%{REQUEST_URI`, err: `syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': Unterminated string or variable`},
		{src: `%{NOPE}`, err: `Variable 'NOPE' does not exist`},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			e, err := ParseStringExpr(tt.src)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("ParseStringExpr(%q) error = %v, want %q", tt.src, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseStringExpr(%q): %v", tt.src, err)
			}
			if got := e.String(); got != tt.want {
				t.Errorf("ParseStringExpr(%q) = %s, want %s", tt.src, got, tt.want)
			}
			if got := e.Root.String(); got != tt.tree {
				t.Errorf("ParseStringExpr(%q).Root = %s, want %s", tt.src, got, tt.tree)
			}
		})
	}
}

func TestExprDepthLimit(t *testing.T) {
	deep := ""
	for range maxExprDepth + 10 {
		deep += "("
	}
	_, err := ParseExpr(deep + "true")
	if err == nil || err.Error() != "memory exhausted" {
		t.Errorf("ParseExpr(deep parentheses) = %v, want memory exhausted", err)
	}
}

func TestRegexOK(t *testing.T) {
	tests := []struct {
		pattern string
		want    bool
	}{
		{`^/a(b|c)$`, true},
		{`(`, false},
		{`a)`, false},
		{`[a-`, false},
		{`[z-a]`, false},
		{`*a`, false},
		{`a\`, false},
		{`(?=x)a`, true},    // lookahead: PCRE has it, Go does not
		{`(a)\1`, true},     // backreference
		{`a{2,2000}`, true}, // above Go's repeat limit
		{`a*+`, true},       // possessive
		{`(?<n>a)`, true},   // named group
		{`[[:alpha:]]`, true},
	}
	for _, tt := range tests {
		if got := regexOK(tt.pattern); got != tt.want {
			t.Errorf("regexOK(%q) = %v, want %v", tt.pattern, got, tt.want)
		}
	}
}

// FuzzExpr checks that parsing never panics and that an accepted
// expression prints to text that parses to the same tree.
func FuzzExpr(f *testing.F) {
	for _, s := range []string{`%{REQUEST_URI} =~ /(`, `true || !false && -n 'x'`,
		`%{tolower:%{REQUEST_URI}} -in {'a', "b$1"}`, `"a\101%{HTTP_HOST}" . 1 == m#x#i`,
		`-R '10.0.0.0/8'`, `'x' -strmatch 'a*'`, `(1 -eq 2) or (3 lt 4)`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		for _, parse := range []func(string) (*Expr, error){ParseExpr, ParseStringExpr} {
			e, err := parse(src)
			if err != nil {
				continue
			}
			again, err := parse(e.String())
			if err != nil {
				t.Fatalf("%q prints as %q, which does not parse: %v", src, e.String(), err)
			}
			if !reflect.DeepEqual(again.Root, e.Root) {
				t.Fatalf("%q prints as %q, which parses to %s", src, e.String(), again.Root)
			}
		}
	})
}
