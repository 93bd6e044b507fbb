package proxy

import (
	"strings"
	"testing"
)

// TestFnmatch: shell patterns as apr_fnmatch matches them with the
// flags of -strmatch (none), -strcmatch (case-blind), -fnmatch and
// <Location> (pathname: no wildcard matches a '/') and Include (period).
func TestFnmatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		flags      FnmatchFlags
		want       bool
	}{
		{"a=*", "a=1", 0, true},
		{"a=*", "A=1", 0, false},
		{"a=*", "A=1", FnmCaseBlind, true},
		{"/P/HEAD*", "/p/head", FnmCaseBlind, true},
		{"/p/*", "/p/a/b", 0, true},
		{"/p/*", "/p/a/b", FnmPathname, false},
		{"/p/*/b", "/p/a/b", FnmPathname, true},
		{"/p/?", "/p//", FnmPathname, false},
		{"/p/?", "/p//", 0, true},
		{"[a-c]x", "bx", 0, true},
		{"[!a-c]x", "bx", 0, false},
		{"[^a-c]x", "dx", 0, true},
		{"[A-C]x", "bx", FnmCaseBlind, true},
		{"[/]", "/", FnmPathname, false},
		{`\*`, "*", 0, true},
		{`\*`, "a", 0, false},
		{"[ab", "[ab", 0, true},
		{"*.txt", ".txt", 0, true}, // no APR_FNM_PERIOD
		{"", "", 0, true},
		{"", "a", 0, false},
		{"**", "", 0, true},
		{"*.conf", ".hidden.conf", FnmPeriod, false},
		{".*.conf", ".hidden.conf", FnmPeriod, true},
		{"*.conf", "a.conf", FnmPeriod, true},
		{"?x", ".x", FnmPeriod, false},
		{"?x", ".x", 0, true},
	} {
		if got := Fnmatch(tc.pattern, tc.s, tc.flags); got != tc.want {
			t.Errorf("Fnmatch(%q, %q, %d) = %v, want %v", tc.pattern, tc.s, tc.flags, got, tc.want)
		}
	}
}

// fnmatchRef is Fnmatch written the plain recursive way, slow but
// evidently right, to check the backtracking one against.
func fnmatchRef(pattern, s string, flags FnmatchFlags) bool {
	if flags&FnmPeriod != 0 && strings.HasPrefix(s, ".") && !strings.HasPrefix(pattern, ".") && !strings.HasPrefix(pattern, `\.`) {
		return false
	}
	return fnmatchRefFrom(pattern, s, flags&^FnmPeriod)
}

func fnmatchRefFrom(pattern, s string, flags FnmatchFlags) bool {
	pathname := flags&FnmPathname != 0
	if pattern == "" {
		return s == ""
	}
	switch c := pattern[0]; c {
	case '*':
		for i := 0; i <= len(s); i++ {
			if fnmatchRefFrom(pattern[1:], s[i:], flags) {
				return true
			}
			if i < len(s) && pathname && s[i] == '/' {
				return false
			}
		}
		return false
	case '?':
		return s != "" && !(pathname && s[0] == '/') && fnmatchRefFrom(pattern[1:], s[1:], flags)
	case '[':
		if s == "" {
			return false
		}
		ok, n := fnmatchSet(pattern, s[0])
		if n > 0 && !ok && flags&FnmCaseBlind != 0 {
			ok1, _ := fnmatchSet(pattern, lowerASCII(s[0]))
			ok2, _ := fnmatchSet(pattern, upperASCII(s[0]))
			ok = ok1 || ok2
		}
		if n == 0 {
			return s[0] == '[' && fnmatchRefFrom(pattern[1:], s[1:], flags)
		}
		return ok && !(pathname && s[0] == '/') && fnmatchRefFrom(pattern[n:], s[1:], flags)
	default:
		n := 1
		if c == '\\' && len(pattern) > 1 {
			c, n = pattern[1], 2
		}
		return s != "" && (s[0] == c || flags&FnmCaseBlind != 0 && lowerASCII(s[0]) == lowerASCII(c)) &&
			fnmatchRefFrom(pattern[n:], s[1:], flags)
	}
}

// FuzzFnmatch: the backtracking matcher agrees with the recursive
// one, for every flag.
func FuzzFnmatch(f *testing.F) {
	f.Add("a=*", "a=1")
	f.Add("/p/*/b", "/p/a/b")
	f.Add("*a*b?[!c-e]\\*", "xaxbyf*")
	f.Add("[A-C]*x", "bYX")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if len(pattern) > 16 || len(s) > 24 {
			return // the reference is exponential
		}
		for _, flags := range []FnmatchFlags{0, FnmPathname, FnmCaseBlind, FnmPathname | FnmCaseBlind, FnmPeriod} {
			if got, want := Fnmatch(pattern, s, flags), fnmatchRef(pattern, s, flags); got != want {
				t.Fatalf("Fnmatch(%q, %q, %d) = %v, the recursive matcher says %v", pattern, s, flags, got, want)
			}
		}
	})
}

// TestFnmatchLongInput: many stars against a long name from a client
// end at once (the recursive way would not end in a lifetime).
func TestFnmatchLongInput(t *testing.T) {
	s := strings.Repeat("a", 8000)
	if Fnmatch("*a*a*a*a*a*a*a*a*b", s, 0) || Fnmatch("*a*a*a*a*a*a*a*a*b", s, FnmCaseBlind) {
		t.Fatal("matched a name without a 'b'")
	}
	if !Fnmatch("*a*a*a*a*a*a*a*a*", s, FnmPathname) {
		t.Fatal("no match")
	}
}

// TestSectionMatchesURI: <Location> paths as ap_location_walk matches
// them: a prefix that ends at a '/' or the end of the URI, or a shell
// pattern whose wildcards do not cross a '/'.
func TestSectionMatchesURI(t *testing.T) {
	for _, tc := range []struct {
		path     string
		wildcard bool
		uri      string
		want     bool
	}{
		{"/", false, "/anything", true},
		{"/", false, "*", false},
		{"/admin", false, "/admin", true},
		{"/admin", false, "/admin/x", true},
		{"/admin", false, "/administrator", false},
		{"/admin", false, "/admin x", false},
		{"/admin/", false, "/admin/x", true},
		{"/admin/", false, "/admin", false},
		{"/b/he", false, "/b/head", false},
		{"/b/*/x", true, "/b/a/x", true},
		{"/b/*/x", true, "/b/a/c/x", false},
		{"/b/*", true, "/b/a", true},
		{"/b/*", true, "/b/a/c", false},
		{"/img/*.png", true, "/img/a.png", true},
	} {
		s := &Section{Kind: SectionLocation, Path: tc.path, Wildcard: tc.wildcard}
		if got := s.matchesURI(tc.uri); got != tc.want {
			t.Errorf("<Location %s> on %q: %v, want %v", tc.path, tc.uri, got, tc.want)
		}
	}
}

// TestSectionMatchesFile: <Files> names as ap_file_walk matches them
// (apr_fnmatch for a name with a wildcard, '!' negating a set, else the
// name itself), and <Directory> wildcards on each parent directory.
func TestSectionMatchesFile(t *testing.T) {
	for _, tc := range []struct {
		kind SectionKind
		path string
		name string
		want bool
	}{
		{SectionFiles, "a.*", "/d/a.txt", true},
		{SectionFiles, "[!b]*.txt", "/d/c.txt", true},
		{SectionFiles, "[!b]*.txt", "/d/b.txt", false},
		{SectionFiles, "[^b]*.txt", "/d/b.txt", false},
		{SectionFiles, "a.txt", "/d/a.txt", true},
		{SectionFiles, "a.txt", "/d/a.txtx", false},
		{SectionDirectory, "/srv/d*s/sub", "/srv/docs/sub/b.txt", true},
		{SectionDirectory, "/srv/d*s/sub", "/srv/docs/other/b.txt", false},
		{SectionDirectory, "/srv/[cd]ocs", "/srv/docs/a.txt", true},
		{SectionDirectory, "/srv/docs", "/srv/docsx/a.txt", false},
	} {
		s := &Section{Kind: tc.kind, Path: tc.path}
		if got := s.matchesFile(tc.name); got != tc.want {
			t.Errorf("%v %s on %q: %v, want %v", tc.kind, tc.path, tc.name, got, tc.want)
		}
	}
}
