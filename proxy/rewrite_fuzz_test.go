package proxy

import (
	"regexp"
	"strings"
	"testing"
)

// fuzzRewriteRules is a rule list with every kind of result, built as
// package config would build it.
func fuzzRewriteRules() *RewriteConfig {
	lit := func(s string) RewriteTemplate { return RewriteTemplate{{Kind: PartText, Text: s}} }
	ref := func(pre string, n int, post string) RewriteTemplate {
		return RewriteTemplate{{Kind: PartText, Text: pre}, {Kind: PartRuleRef, N: n}, {Kind: PartText, Text: post}}
	}
	re := func(s string) *regexp.Regexp { return regexp.MustCompile("(?s)" + s) }
	return &RewriteConfig{Rules: []*RewriteRule{
		{Regex: re("^/r/(.*)$"), Subst: ref("http://example.com/", 1, ""), Output: "http://example.com/$1", Flags: RewriteRedirect, Status: 301},
		{Regex: re("^http://example\\.com/x(.*)$"), Subst: ref("/", 1, "?n=1"), Output: "/$1?n=1", Flags: RewriteQSAppend, Status: 302},
		{Regex: re("^/p/(.*)$"), Subst: ref("http://127.0.0.1:1/", 1, ""), Output: "http://127.0.0.1:1/$1", Flags: RewriteProxy, Status: 302},
		{Regex: re("^/f"), Flags: RewriteNoSub | RewriteStatus, Status: 403},
		{Regex: re("^/n/(.*)x(.*)$"), Subst: RewriteTemplate{{Kind: PartText, Text: "/n/"}, {Kind: PartRuleRef, N: 1}, {Kind: PartRuleRef, N: 2}}, Output: "/n/$1$2", Flags: RewriteNext, MaxRounds: 40, Status: 302},
		{Regex: re("^/b/(.*)$"), Subst: ref("/a?v=", 1, ""), Output: "/a?v=$1", Flags: RewriteEscapeBackref | RewriteLast, Status: 302},
		{Regex: re("^/q/(.*)$"), Subst: ref("/a", 1, ""), Output: "/a$1", Flags: RewriteLast, Status: 302},
		{Regex: re("^/pt/(.*)$"), Subst: ref("/", 1, ""), Output: "/$1", Flags: RewritePassThrough, Status: 302},
		{Regex: re("^/c"), Flags: RewriteNoSub | RewriteChain, Status: 302, Env: []RewriteTemplate{lit("c:1")}},
		{Regex: re("^/s"), Subst: lit("-"), Output: "-", Flags: RewriteNoSub, Status: 302},
		{Regex: re("^/d/(.*)$"), Subst: ref("//", 1, "//"), Output: "//$1//", Flags: RewriteLast, Status: 302},
		{Regex: re("^/k"), Flags: RewriteNoSub, Skip: 1, Status: 302},
		{Regex: re("^/u/(.*)$"), Subst: ref("http://x/", 1, ""), Output: "http://x/$1", Status: 302},
		{Regex: re("."), Subst: lit("/sub/b.txt"), Output: "/sub/b.txt", Status: 302},
	}}
}

// FuzzRewriteRun applies a rule list with redirects, [P], [PT], [N],
// [B], chains and statuses to arbitrary URL-paths and queries: no panic,
// no endless loop, and a coherent answer: a redirect's Location is an
// absolute URL, a proxied request's file name a proxy: URL, any other a
// path.
func FuzzRewriteRun(f *testing.F) {
	for _, s := range []string{"/r/a b", "/r/x?y", "/p/a%2fb", "/f", "/n/axbxcx", "/b/a b&c", "/q/?x", "/pt/z", "/c", "/s", "/d/e", "/", "/a"} {
		f.Add(s, "k=v", true)
	}
	site := benchSite(f, "127.0.0.1:1", "")
	cfg := fuzzRewriteRules()
	f.Fuzz(func(t *testing.T, path, query string, hasQuery bool) {
		if path == "" || path[0] != '/' || strings.IndexByte(path, 0) >= 0 {
			return // r->uri is a decoded path that begins with '/'
		}
		ex, done := benchExchange(t, site)
		defer done()
		ex.proxied, ex.redirect = false, nil
		ex.r.uri, ex.r.args, ex.r.hasArgs = path, query, hasQuery
		ex.r.filename, ex.r.handler = "", ""
		finished, _ := ex.rewrite(cfg)
		r := &ex.r
		switch {
		case ex.redirect != nil:
			rd := ex.redirect
			if rd.url != "" && absoluteURILen(rd.url) == 0 {
				t.Fatalf("%q: redirect to %q", path, rd.url)
			}
			if rd.status < 300 || rd.status > 599 {
				t.Fatalf("%q: status %d", path, rd.status)
			}
		case ex.proxied:
			if !strings.HasPrefix(r.filename, "proxy:http://") {
				t.Fatalf("%q: proxied to %q", path, r.filename)
			}
		case finished:
			if !strings.HasPrefix(r.filename, "/") {
				t.Fatalf("%q: file %q", path, r.filename)
			}
		default:
			if r.uri == "" || r.uri[0] != '/' {
				t.Fatalf("%q: passed on with URI %q", path, r.uri)
			}
		}
	})
}
