package proxy

import (
	"os"
	"testing"
	"time"
)

func TestEscapeBackref(t *testing.T) {
	tests := []struct {
		name, in, escapes, noescapes string
		flags                        RewriteFlags
		want                         string
	}{
		{"B", "a b&c/d_e", "", "", 0, "a+b%26c%2fd_e"},
		{"B no plus", "a b", "", "", RewriteEscapeNoPlus, "a%20b"},
		{"B chars", "a b&c?d", "&?", "", 0, "a b%26c%3fd"},
		{"B chars never letters", "a&b", "a&", "", 0, "a%26b"},
		{"BNE", "a/b&c", "", "/", 0, "a/b%26c"},
		{"BCTLS", "a b\x01c&\xe9", "", "", RewriteEscapeCtls, "a+b%01c&\xe9"},
		{"BCTLS with chars", "a b&c", "&", "", RewriteEscapeCtls | RewriteEscapeNoPlus, "a%20b%26c"},
		{"high bytes", "\xc3\xa9", "", "", 0, "%c3%a9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(escapeBackref(nil, tt.in, tt.escapes, tt.noescapes, tt.flags)); got != tt.want {
				t.Errorf("escapeBackref(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRewriteSplitQuery(t *testing.T) {
	tests := []struct {
		name     string
		filename string
		args     string
		hasArgs  bool
		flags    RewriteFlags
		wantFile string
		wantArgs string
		wantHas  bool
	}{
		{"no query kept", "/a", "old=1", true, 0, "/a", "old=1", true},
		{"new query replaces", "/a?x=1", "old=1", true, 0, "/a", "x=1", true},
		{"QSA appends after", "/a?x=1", "old=1", true, RewriteQSAppend, "/a", "x=1&old=1", true},
		{"QSA without old", "/a?x=1", "", false, RewriteQSAppend, "/a", "x=1", true},
		{"QSA empty new keeps old", "/a?", "old=1", true, RewriteQSAppend, "/a", "old=1", true},
		{"empty query is none", "/a?", "old=1", true, 0, "/a", "", false},
		{"QSD drops", "/a", "old=1", true, RewriteQSDiscard, "/a", "", false},
		{"QSD with new", "/a?x=1", "old=1", true, RewriteQSDiscard | RewriteQSAppend, "/a", "x=1", true},
		{"QSL splits at the last", "/a?b?c=1", "", false, RewriteQSLast, "/a?b", "c=1", true},
		{"first by default", "/a?b?c=1", "", false, 0, "/a", "b?c=1", true},
		{"QSNone", "/a?x", "old=1", true, RewriteQSNone, "/a?x", "", false},
		{"trailing ampersand", "/a?x=1&", "", false, 0, "/a", "x=1", true},
		{"url query", "http://h/p?q=1", "", false, 0, "http://h/p", "q=1", true},
		{"ftp keeps no query", "ftp://h/p?q=1", "old", true, 0, "ftp://h/p?q=1", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rr := &rewriteRun{filename: tt.filename, args: tt.args, hasArgs: tt.hasArgs}
			rr.splitQuery(tt.flags)
			if rr.filename != tt.wantFile || rr.args != tt.wantArgs || rr.hasArgs != tt.wantHas {
				t.Errorf("splitQuery = %q, %q, %v; want %q, %q, %v", rr.filename, rr.args, rr.hasArgs, tt.wantFile, tt.wantArgs, tt.wantHas)
			}
		})
	}
}

func TestRewriteHelpers(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{{"b", "aa", -1}, {"bb", "aa", 1}, {"ab", "ab", 0}, {"", "a", -1}} {
		if got := compareLexicography(tt.a, tt.b); got != tt.want {
			t.Errorf("compareLexicography(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	for in, want := range map[string]int{"42": 42, " 7x": 7, "-3": -3, "+5": 5, "x": 0, "": 0, "99999999999": 1 << 31} {
		if got := atoi(in); got != want {
			t.Errorf("atoi(%q) = %d, want %d", in, got, want)
		}
	}
	for in, want := range map[string]int{"http://h/": 7, "HTTPS://h": 8, "mailto:x@y": 7, "/http://": 0, "htt": 0, "foo://bar": 0, "unix:/x": 5} {
		if got := absoluteURILen(in); got != want {
			t.Errorf("absoluteURILen(%q) = %d, want %d", in, got, want)
		}
	}
	for _, tt := range []struct{ in, want string }{
		{"http://h/a b%c#d", "http://h/a%20b%25c%23d"},
		{"http://h", "http://h"},
		{"http://h/", "http://h/"},
		{"mailto:a b", "mailto:a%20b"},
	} {
		if got := escapeAbsoluteURI(tt.in, absoluteURILen(tt.in)); got != tt.want {
			t.Errorf("escapeAbsoluteURI(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRewriteMapFileLines(t *testing.T) {
	tests := []struct {
		line, key, want string
		ok              bool
	}{
		{"alpha  AlphaValue  ignored\n", "alpha", "AlphaValue", true},
		{"beta\tb2\n", "beta", "b2", true},
		{"gamma\n", "gamma", "", false},
		{"gamma   \n", "gamma", "", false},
		{"alphabet x\n", "alpha", "", false},
		{"key with space\n", "key with", "", false},
		{"q Q?x", "q", "Q?x", true},
	}
	for _, tt := range tests {
		if got, ok := mapLineValue(tt.line, tt.key); got != tt.want || ok != tt.ok {
			t.Errorf("mapLineValue(%q, %q) = %q, %v; want %q, %v", tt.line, tt.key, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRewriteMapFuncs(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"tolower", "AbC\xc9", "abc\xc9"},
		{"toupper", "aBc", "ABC"},
		{"escape", "a b?/c", "a%20b%3f/c"},
		{"unescape", "a%41%2Fb%zz%00c", "aA/b%zz"},
	}
	for _, tt := range tests {
		m, ok := RewriteMapFunc(tt.name)
		if !ok {
			t.Fatalf("RewriteMapFunc(%q) missing", tt.name)
		}
		if got, _ := m.lookup(nil, tt.in); got != tt.want {
			t.Errorf("%s(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
	if _, ok := RewriteMapFunc("nope"); ok {
		t.Error("RewriteMapFunc(nope) found")
	}
}

// TestRewriteMapFileReload: a text map is read again once its
// modification time changes, and a key not found is remembered as such
// until then.
func TestRewriteMapFileReload(t *testing.T) {
	path := t.TempDir() + "/m.map"
	if err := os.WriteFile(path, []byte("a 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := NewRewriteMapFile(path, false)
	if v, ok := m.lookup(nil, "a"); v != "1" || !ok {
		t.Fatalf("lookup(a) = %q, %v", v, ok)
	}
	if _, ok := m.lookup(nil, "b"); ok {
		t.Fatal("lookup(b) found")
	}
	if err := os.WriteFile(path, []byte("a 2\nb 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	if v, _ := m.lookup(nil, "a"); v != "2" {
		t.Errorf("after the change lookup(a) = %q, want 2", v)
	}
	if v, _ := m.lookup(nil, "b"); v != "3" {
		t.Errorf("after the change lookup(b) = %q, want 3", v)
	}
	r := NewRewriteMapFile(path, true)
	if err := os.WriteFile(path, []byte("k x|y|z\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for range 200 {
		v, _ := r.lookup(nil, "k")
		seen[v] = true
	}
	if len(seen) != 3 || !seen["x"] || !seen["y"] || !seen["z"] {
		t.Errorf("rnd values %v, want x, y and z", seen)
	}
}

// TestRewriteCookie: the Set-Cookie of one [CO] value, with expiries
// counted in minutes from the request's time.
func TestRewriteCookie(t *testing.T) {
	begin := time.Date(2026, 11, 22, 23, 27, 45, 0, time.UTC)
	tests := []struct{ spec, want string }{
		{"a:1:example.com", "a=1; path=/; domain=example.com"},
		{"b:2:.ex.com:60:/p:secure:true:Lax", "b=2; path=/p; domain=.ex.com; expires=Mon, 23-Nov-2026 00:27:45 GMT; secure; HttpOnly; SameSite=Lax"},
		{";d;x:y;ex.com;1440", "d=x:y; path=/; domain=ex.com; expires=Mon, 23-Nov-2026 23:27:45 GMT"},
		{"i:1:ex.com:-1:/:1:HttpOnly:None", "i=1; path=/; domain=ex.com; expires=Sun, 22-Nov-2026 23:26:45 GMT; secure; HttpOnly; SameSite=None"},
		{"c:3:ex.com:0:/:false:true:Strict", "c=3; path=/; domain=ex.com; SameSite=Strict"},
		{"n:1:ex.com:abc:/x:0:1:0", "n=1; path=/x; domain=ex.com"},
		{"k:v::ex.com", "k=v; path=/; domain=ex.com"},
		{"h:1", ""},
	}
	for _, tt := range tests {
		ex := &exchange{begin: begin}
		rr := &rewriteRun{ex: ex}
		rr.addCookie(tt.spec)
		got, _ := ex.r.errHeadersOut.Get("Set-Cookie")
		if got != tt.want {
			t.Errorf("addCookie(%q) = %q, want %q", tt.spec, got, tt.want)
		}
		rr.addCookie(tt.spec)
		if n := len(ex.r.errHeadersOut); tt.want != "" && n != 1 {
			t.Errorf("addCookie(%q) twice: %d cookies, want 1", tt.spec, n)
		}
	}
}
