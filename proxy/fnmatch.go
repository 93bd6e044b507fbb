package proxy

// FnmatchFlags select apr_fnmatch's options.
type FnmatchFlags uint8

const (
	FnmPathname  FnmatchFlags = 1 << iota // no wildcard matches a '/'
	FnmCaseBlind                          // letters match in either case
	FnmPeriod                             // a leading '.' matches only a '.'
)

// Fnmatch matches name against a shell pattern as apr_fnmatch does: '*'
// any run of bytes, '?' one byte, [...] a set (a leading '!' or '^'
// negates it, a-z is a range, a set with no closing ']' is a literal
// '['), a backslash escapes the next byte. name may come from a client:
// the match backtracks to the last '*' only, so it takes time in
// proportion to the lengths' product at most, whatever the pattern.
func Fnmatch(pattern, name string, flags FnmatchFlags) bool {
	if flags&FnmPeriod != 0 && len(name) > 0 && name[0] == '.' &&
		!(len(pattern) > 0 && pattern[0] == '.') && !(len(pattern) > 1 && pattern[0] == '\\' && pattern[1] == '.') {
		return false
	}
	pathname := flags&FnmPathname != 0
	px, sx := 0, 0
	starP, starS := -1, 0 // the last '*' seen, and where its run of name ends
	for px < len(pattern) || sx < len(name) {
		if px < len(pattern) {
			switch c := pattern[px]; c {
			case '*':
				starP, starS = px, sx
				px++
				continue
			case '?':
				if sx < len(name) && !(pathname && name[sx] == '/') {
					px, sx = px+1, sx+1
					continue
				}
			case '[':
				if sx < len(name) {
					b := name[sx]
					ok, n := fnmatchSet(pattern[px:], b)
					if n > 0 && !ok && flags&FnmCaseBlind != 0 {
						ok1, _ := fnmatchSet(pattern[px:], lowerASCII(b))
						ok2, _ := fnmatchSet(pattern[px:], upperASCII(b))
						ok = ok1 || ok2
					}
					switch {
					case n == 0 && b == '[': // no closing ']': a literal '['
						px, sx = px+1, sx+1
						continue
					case n > 0 && ok && !(pathname && b == '/'):
						px, sx = px+n, sx+1
						continue
					}
				}
			default:
				lit, n := c, 1
				if c == '\\' && px+1 < len(pattern) {
					lit, n = pattern[px+1], 2
				}
				if sx < len(name) && (name[sx] == lit || flags&FnmCaseBlind != 0 && lowerASCII(name[sx]) == lowerASCII(lit)) {
					px, sx = px+n, sx+1
					continue
				}
			}
		}
		// A mismatch: the last '*' takes one more byte, if it may.
		if starP < 0 || starS >= len(name) || pathname && name[starS] == '/' {
			return false
		}
		starS++
		px, sx = starP+1, starS
	}
	return true
}

// fnmatchSet matches b against the set at the start of pattern. It
// returns the length of the set, 0 if it has no closing ']'.
func fnmatchSet(pattern string, b byte) (bool, int) {
	i := 1
	negate := false
	if i < len(pattern) && (pattern[i] == '!' || pattern[i] == '^') {
		negate = true
		i++
	}
	matched := false
	first := true
	for i < len(pattern) {
		c := pattern[i]
		if c == ']' && !first {
			return matched != negate, i + 1
		}
		first = false
		if c == '\\' && i+1 < len(pattern) {
			i++
			c = pattern[i]
		}
		lo, hi := c, c
		if i+2 < len(pattern) && pattern[i+1] == '-' && pattern[i+2] != ']' {
			hi = pattern[i+2]
			if hi == '\\' && i+3 < len(pattern) {
				i++
				hi = pattern[i+2]
			}
			i += 2
		}
		if lo <= b && b <= hi {
			matched = true
		}
		i++
	}
	return false, 0
}

func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

func upperASCII(b byte) byte {
	if 'a' <= b && b <= 'z' {
		return b - ('a' - 'A')
	}
	return b
}

// FnmatchTest reports whether pattern holds a wildcard (apr_fnmatch_test):
// '*' or '?', or a '[' with a matching ']'; a backslash escapes the next
// byte.
func FnmatchTest(pattern string) bool {
	nesting := 0
	for i := 0; i < len(pattern); i++ {
		switch pattern[i] {
		case '?', '*':
			return true
		case '\\':
			i++
			if i >= len(pattern) {
				return false
			}
		case '[':
			nesting++
		case ']':
			if nesting > 0 {
				return true
			}
		}
	}
	return false
}
