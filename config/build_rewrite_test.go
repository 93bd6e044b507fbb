package config

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jl6/logproxy/proxy"
)

// templateString prints a parsed template: text as it is, other pieces
// in brackets.
func templateString(t proxy.RewriteTemplate) string {
	var b strings.Builder
	for _, p := range t {
		switch p.Kind {
		case proxy.PartText:
			b.WriteString(p.Text)
		case proxy.PartEscaped:
			fmt.Fprintf(&b, "[esc %s]", p.Text)
		case proxy.PartRuleRef:
			fmt.Fprintf(&b, "[$%d]", p.N)
		case proxy.PartCondRef:
			fmt.Fprintf(&b, "[%%%d]", p.N)
		case proxy.PartVar:
			b.WriteString("[var]")
		case proxy.PartEnv:
			fmt.Fprintf(&b, "[env %s]", p.Text)
		case proxy.PartHeader:
			fmt.Fprintf(&b, "[header %s]", p.Text)
		case proxy.PartServerVar:
			fmt.Fprintf(&b, "[server %s]", p.Text)
		case proxy.PartMap:
			fmt.Fprintf(&b, "[map %s:%s|%s]", p.Text, templateString(p.Key), templateString(p.Default))
		}
	}
	return b.String()
}

func TestRewriteTemplate(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "/a/b?c=d", "/a/b?c=d"},
		{"backrefs", "/x/$1/%2", "/x/[$1]/[%2]"},
		{"two digits", "$10", "[$1]0"},
		{"escapes", `\$1\%{X}\\`, `[esc $]1[esc %]{X}[esc \]`},
		{"trailing backslash", `a\`, `a[esc \]`},
		{"variables", "%{REQUEST_URI}%{http_host}%{HTTP:X-A}%{ENV:e}%{DOCUMENT_ROOT}", "[var][header Host][header X-A][env e][server DOCUMENT_ROOT]"},
		{"unknown variable", "a%{NOPE}b%{X}c", "abc"},
		{"only seven HTTP_ names", "%{HTTP_X_FORWARDED_FOR}", ""},
		{"ssl", "%{SSL:SSL_PROTOCOL}", ""},
		{"unclosed", "%{A", "%{A"},
		{"nested braces", "%{A{B}}x", "x"},
		{"map default", "${m:k|d$1}", "[map m:k|d[$1]]"},
		{"map without default", "${m:k$2}", "[map m:k[$2]|]"},
		{"map nested", "${m:${n:a|b}|%{X}c}", "[map m:[map n:a|b]|c]"},
		{"not a map", "${nokey}", "${nokey}"},
		{"lone specials", "100% $x", "100% $x"},
	}
	b := &siteBuilder{site: &proxy.Site{}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, msg := b.rewriteTemplate(tt.in)
			if msg != "" {
				t.Fatalf("rewriteTemplate(%q): %s", tt.in, msg)
			}
			if got := templateString(tpl); got != tt.want {
				t.Errorf("rewriteTemplate(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRewriteArgs(t *testing.T) {
	tests := []struct {
		in         string
		a1, a2, a3 string
		ok         bool
	}{
		{"^/a /b [L]", "^/a", "/b", "[L]", true},
		{`"^/a b" '/c d'`, "^/a b", "/c d", "", true},
		{`^/a\ b /c`, `^/a\ b`, "/c", "", true},
		{"^/a /b [L] ignored", "^/a", "/b", "[L]", true},
		{"  ^/a   /b   ", "^/a", "/b", "", true},
		{"^/a", "", "", "", false},
	}
	for _, tt := range tests {
		a1, a2, a3, ok := rewriteArgs(tt.in)
		if a1 != tt.a1 || a2 != tt.a2 || a3 != tt.a3 || ok != tt.ok {
			t.Errorf("rewriteArgs(%q) = %q, %q, %q, %v; want %q, %q, %q, %v", tt.in, a1, a2, a3, ok, tt.a1, tt.a2, tt.a3, tt.ok)
		}
	}
}

// TestRewriteVhostMerge: a virtual host takes the engine's state and the
// options it does not set from the main server, and the main server's
// rules only as RewriteOptions says (config_server_merge).
func TestRewriteVhostMerge(t *testing.T) {
	const head = "LoadModule mpm_event_module x\nLoadModule rewrite_module x\nListen 127.0.0.1:0\n"
	tests := []struct {
		name, main, vhost string
		want              string // the vhost's rule patterns, "off" for none
	}{
		{"not inherited", "RewriteEngine On\nRewriteRule ^/m - [L]\n", "RewriteRule ^/v - [L]\n", "^/v"},
		{"engine inherited", "RewriteEngine On\n", "", ""},
		{"engine off in vhost", "RewriteEngine On\n", "RewriteEngine Off\nRewriteRule ^/v - [L]\n", "off"},
		{"engine only in vhost", "", "RewriteEngine On\nRewriteRule ^/v - [L]\n", "^/v"},
		{"inherit after", "RewriteEngine On\nRewriteRule ^/m - [L]\n", "RewriteOptions Inherit\nRewriteRule ^/v - [L]\n", "^/v ^/m"},
		{"inherit before", "RewriteEngine On\nRewriteRule ^/m - [L]\n", "RewriteOptions InheritBefore\nRewriteRule ^/v - [L]\n", "^/m ^/v"},
		{"options inherited", "RewriteEngine On\nRewriteOptions Inherit\nRewriteRule ^/m - [L]\n", "RewriteRule ^/v - [L]\n", "^/v ^/m"},
		{"inherit down", "RewriteEngine On\nRewriteOptions InheritDown\nRewriteRule ^/m - [L]\n", "RewriteOptions AllowAnyURI\nRewriteRule ^/v - [L]\n", "^/v ^/m"},
		{"inherit down ignored", "RewriteEngine On\nRewriteOptions InheritDown\nRewriteRule ^/m - [L]\n", "RewriteOptions IgnoreInherit\nRewriteRule ^/v - [L]\n", "^/v"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site, err := buildText(t, head+tt.main+"<VirtualHost 127.0.0.1:80>\n"+tt.vhost+"</VirtualHost>\n")
			if err != nil {
				t.Fatal(err)
			}
			got := "off"
			if rw := site.VHosts[0].Rewrite; rw != nil {
				var pats []string
				for _, r := range rw.Rules {
					pats = append(pats, strings.TrimPrefix(r.Regex.String(), "(?s)"))
				}
				got = strings.Join(pats, " ")
			}
			if got != tt.want {
				t.Errorf("vhost rules %q, want %q", got, tt.want)
			}
		})
	}
}

// FuzzRewriteRule reads arbitrary RewriteRule and RewriteCond lines: no
// panic; text without '\', '$' or '%' is a template of itself; a
// template never holds more literal text than its source; an accepted
// rule's pattern compiles and its substitution is one of the words.
func FuzzRewriteRule(f *testing.F) {
	for _, s := range []string{"^/a /b [L]", `"^/a b" '/c d' [R=301,QSA]`, "^/(.*)$ http://%1/$1 [R=301,L]",
		"!^/x - [E=a:%{HTTP_HOST},S=2]", `^/a\ b /c%{ENV:x}${m:k|d} [B=&?,BNP]`, "^ - [F]", "^/n/(.*)x(.*)$ /n/$1$2 [N=5]",
		"%{HTTP_HOST} ^www\\.(.+)$ [NC,OR]", "expr \"%{QUERY_STRING} =~ /k=(\\w+)/\"", "%1 -gt10", "%{X} <=abc [NC]"} {
		f.Add(s)
	}
	b := &siteBuilder{site: &proxy.Site{}}
	f.Fuzz(func(t *testing.T, raw string) {
		tpl, msg := b.rewriteTemplate(raw)
		if msg == "" {
			lit := 0
			for _, p := range tpl {
				if p.Kind == proxy.PartText || p.Kind == proxy.PartEscaped {
					lit += len(p.Text)
				}
			}
			if lit > len(raw) {
				t.Fatalf("template of %q holds %d bytes of text", raw, lit)
			}
			if !strings.ContainsAny(raw, `\$%`) {
				if s := templateString(tpl); s != raw || len(tpl) > 1 {
					t.Fatalf("template of %q is %q in %d parts", raw, s, len(tpl))
				}
			}
		}
		if rule, msg := b.rewriteRule(raw); msg == "" {
			if rule.Regex == nil {
				t.Fatalf("rule %q accepted without a pattern", raw)
			}
			if a1, a2, _, ok := rewriteArgs(raw); !ok || !strings.HasPrefix(a2, rule.Output) && rule.Output != a2 {
				t.Fatalf("rule %q: substitution %q is not its second word %q (of %q)", raw, rule.Output, a2, a1)
			}
		}
		_, _ = b.rewriteCond(raw)
	})
}
