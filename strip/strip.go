package strip

import (
	"fmt"
	"net/http"
	"strings"
)

// Set is a compiled list of header-name patterns: exact names and prefix
// patterns ending in '*', compared without regard to ASCII case, as HTTP
// field names are. The zero value matches nothing. A Set is safe for
// concurrent use.
type Set struct {
	exact    []string // lower case
	prefixes []string // lower case, without the '*'
}

// Compile reads patterns such as "X-JL6-CID" or "X-JL6-*". A pattern must be
// a valid field name (an RFC 9110 token) without '*', with an optional
// trailing '*'; "*" alone is refused, since removing every header breaks
// HTTP.
func Compile(patterns ...string) (*Set, error) {
	s := &Set{}
	for _, p := range patterns {
		name, prefix := strings.CutSuffix(p, "*")
		if name == "" {
			return nil, fmt.Errorf("strip: pattern %q matches every header", p)
		}
		for i := 0; i < len(name); i++ {
			if !isTokenChar(name[i]) || name[i] == '*' {
				return nil, fmt.Errorf("strip: pattern %q: %q is not allowed in a header name", p, name[i])
			}
		}
		name = strings.ToLower(name)
		if prefix {
			s.prefixes = append(s.prefixes, name)
		} else {
			s.exact = append(s.exact, name)
		}
	}
	return s, nil
}

// Patterns returns the patterns of the set, as Compile accepts them.
func (s *Set) Patterns() []string {
	if s == nil {
		return nil
	}
	out := append([]string(nil), s.exact...)
	for _, p := range s.prefixes {
		out = append(out, p+"*")
	}
	return out
}

// Empty reports whether the set matches no name at all.
func (s *Set) Empty() bool { return s == nil || len(s.exact)+len(s.prefixes) == 0 }

// Match reports whether the header name matches one of the patterns.
func (s *Set) Match(name string) bool {
	if s == nil {
		return false
	}
	for _, e := range s.exact {
		if len(e) == len(name) && hasPrefixFold(name, e) {
			return true
		}
	}
	for _, p := range s.prefixes {
		if hasPrefixFold(name, p) {
			return true
		}
	}
	return false
}

// Header deletes every matching field from h, and drops matching names from
// the list of declared trailers in its Trailer field, so that a stripped
// trailer is not announced either. It is the filter for net/http's paths
// (HTTP/2, 1xx responses, trailers).
func (s *Set) Header(h http.Header) {
	if s.Empty() {
		return
	}
	for name := range h {
		if s.Match(name) {
			delete(h, name)
		}
	}
	if tr, ok := h["Trailer"]; ok {
		kept := s.TrailerList(tr)
		if len(kept) == 0 {
			delete(h, "Trailer")
		} else {
			h["Trailer"] = kept
		}
	}
}

// TrailerList returns the values of a Trailer field (comma-separated field
// names, possibly over several lines) with the matching names removed.
// Values that lose nothing are returned as they are.
func (s *Set) TrailerList(values []string) []string {
	var out []string
	for _, v := range values {
		if !s.listHasMatch(v) {
			out = append(out, v)
			continue
		}
		var kept []string
		for name := range strings.SplitSeq(v, ",") {
			name = strings.TrimSpace(name)
			if name != "" && !s.Match(name) {
				kept = append(kept, name)
			}
		}
		if len(kept) > 0 {
			out = append(out, strings.Join(kept, ", "))
		}
	}
	return out
}

func (s *Set) listHasMatch(v string) bool {
	for name := range strings.SplitSeq(v, ",") {
		if s.Match(strings.TrimSpace(name)) {
			return true
		}
	}
	return false
}

// hasPrefixFold reports whether s starts with the lower-case prefix,
// comparing without regard to ASCII case.
func hasPrefixFold(s, lowerPrefix string) bool {
	if len(s) < len(lowerPrefix) {
		return false
	}
	for i := 0; i < len(lowerPrefix); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lowerPrefix[i] {
			return false
		}
	}
	return true
}

// isTokenChar reports whether c may appear in an RFC 9110 token.
func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
