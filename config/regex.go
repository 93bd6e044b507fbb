package config

import (
	"errors"
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
