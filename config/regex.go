package config

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
)

// regexOK reports whether httpd's PCRE would compile pattern, as far as
// Go's regexp parser can tell. Patterns Go refuses for lack of a PCRE
// feature (lookaround, backreferences, possessive quantifiers, large
// repeat counts) are accepted; only faults PCRE also refuses count:
// unbalanced parentheses or brackets, a bad range, a repetition of
// nothing, a trailing backslash.
func regexOK(pattern string) bool {
	_, err := syntax.Parse(pattern, syntax.Perl)
	var se *syntax.Error
	if !errors.As(err, &se) {
		return true
	}
	switch se.Code {
	case syntax.ErrMissingParen, syntax.ErrUnexpectedParen, syntax.ErrMissingBracket,
		syntax.ErrInvalidCharRange, syntax.ErrMissingRepeatArgument, syntax.ErrTrailingBackslash:
		return false
	}
	return true
}

// compileRegex compiles pattern for a directive. When it fails, the
// message is httpdMsg (what httpd says of a pattern PCRE refuses too), or,
// for a pattern only Go's engine refuses (lookaround, backreferences,
// possessive quantifiers and other PCRE extensions), a message that says
// so instead of calling a valid httpd pattern broken.
func compileRegex(pattern, httpdMsg string) (*regexp.Regexp, string) {
	re, err := regexp.Compile(pattern)
	if err == nil {
		return re, ""
	}
	if regexOK(pattern) {
		return nil, fmt.Sprintf("regular expression %q uses PCRE syntax that logproxy's regular expressions (Go's RE2 syntax) do not support: %v", pattern, err)
	}
	return nil, httpdMsg
}
