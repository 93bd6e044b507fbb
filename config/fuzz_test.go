package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzParse checks, for any input: Parse does not panic; every error and
// warning about the input itself has a line number within it; and an
// input without errors prints to text that parses to the same tree.
// The seeds are the golden inputs.
func FuzzParse(f *testing.F) {
	addGoldenSeeds(f)
	opts := fuzzOptions()
	f.Fuzz(func(t *testing.T, input string) {
		cfg, err := Parse("httpd.conf", []byte(input), opts)
		var list ErrorList
		if err != nil && !errors.As(err, &list) {
			t.Fatalf("Parse returned %T, want ErrorList: %v", err, err)
		}
		if cfg == nil {
			t.Fatal("Parse returned a nil Config")
		}
		lines := strings.Count(input, "\n") + 1
		for _, e := range append(append(ErrorList{}, list...), cfg.Warnings...) {
			if e.File == "httpd.conf" && (e.Line < 1 || e.Line > lines) {
				t.Errorf("%v: line outside the input's %d lines", e, lines)
			}
		}
		if err != nil {
			return
		}
		printed := cfg.String()
		again, err := Parse("printed.conf", []byte(printed), opts)
		if err != nil {
			t.Fatalf("printed tree does not parse: %v\ninput:\n%s\nprinted:\n%s", err, input, printed)
		}
		if diff := treeDiff(cfg.Directives, again.Directives); diff != "" {
			t.Fatalf("printed tree parses differently: %s\ninput:\n%q\nprinted:\n%s", diff, input, printed)
		}
	})
}

// FuzzBuild checks, for any input that parses: Build does not panic, it
// returns an ErrorList or nothing, and every error about the input itself
// has a line number within it. The seeds are the golden inputs and lines
// that once made Build panic.
func FuzzBuild(f *testing.F) {
	addGoldenSeeds(f)
	const head = "LoadModule mpm_event_module x\nLoadModule proxy_module x\nLoadModule proxy_http_module x\nLoadModule headers_module x\nLoadModule alias_module x\nLoadModule authz_core_module x\nLoadModule setenvif_module x\nListen 127.0.0.1:0\n"
	for _, s := range []string{
		"<Location />\nRequire\n</Location>\n",
		"<Location /a>\nAlias /tmp\n</Location>\n",
		"ProxyPass /a/ http://h/a/ timeout=0 connectiontimeout=5ms max=0 ttl=-5 ping=abc\n",
		"ProxyErrorOverride On 404 abc\n",
		"ErrorLogFormat \"%{x\"\n",
		"Options +Indexes FollowSymLinks\n",
		"<IfVersion >= 2.4>\nKeepAlive On\n</IfVersion>\n",
		"SetEnvIf ^X-( . A\n",
		"ServerName https://h:8443\n",
		"Redirect 404 /a\n",
		"<VirtualHost www.example.test:80 nonexistent.invalid:80>\nServerName x\n</VirtualHost>\n",
		// mod_ssl and mod_md.
		"LoadModule ssl_module x\nSSLProtocol all -TLSv1 +TLSv1.3\nSSLCipherSuite TLSv1.2 HIGH:!aNULL\nSSLEngine on\n",
		"LoadModule ssl_module x\n<VirtualHost *:443>\nSSLEngine on\nSSLCertificateFile /nope\nSSLProxyEngine on\nSSLProxyProtocol -all\n</VirtualHost>\n",
		"LoadModule ssl_module x\nLoadModule md_module x\nMDomain a.test auto\nMDPortMap http:- https:8443\nMDRenewWindow 33%\nMDRequireHttps permanent\n<VirtualHost *:443>\nServerName a.test\nSSLEngine on\n</VirtualHost>\n",
		"LoadModule proxy_balancer_module x\nLoadModule lbmethod_byrequests_module x\n<Proxy balancer://a>\nBalancerMember http://h:1 loadfactor=2 status=+H-D route=r retry=0\nProxySet maxattempts=3\n</Proxy>\nProxyPass /a/ balancer://a/\nProxyPassReverse /a/ balancer://a/\n",
		"LoadModule ssl_module x\nLogFormat \"{\\\"a\\\":%{SSL_PROTOCOL}x}\" j escape=json\nCustomLog /dev/null j\n",
		"CustomLog /dev/null \"%r %{Cookie}i %{a}C %{Location}o\"\nLogRedactQuery token \"pass word\"\nLogRedactHeader Authorization\nLogRedactCookie a\n",
	} {
		f.Add(head + s)
	}
	opts := fuzzOptions()
	f.Fuzz(func(t *testing.T, input string) {
		cfg, err := Parse("httpd.conf", []byte(input), opts)
		if err != nil {
			return
		}
		// Virtual host names resolve through a fake resolver: no DNS.
		_, err = Build(cfg, &BuildOptions{Location: time.UTC, LookupHost: fakeLookupHost})
		var list ErrorList
		if err != nil && !errors.As(err, &list) {
			return // errors about other files (Include, AuthUserFile) are not ErrorLists of lines
		}
		lines := strings.Count(input, "\n") + 1
		for _, e := range list {
			if e.File == "httpd.conf" && (e.Line < 1 || e.Line > lines) {
				t.Errorf("%v: line outside the input's %d lines", e, lines)
			}
		}
	})
}

// addGoldenSeeds seeds f with the inputs of the golden files.
func addGoldenSeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.conf")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		input, _, _ := strings.Cut(string(data), goldenSep)
		f.Add(input)
	}
}

// fakeLookupHost resolves "localhost" and names under .test, and no other.
func fakeLookupHost(host string) ([]string, error) {
	if host == "localhost" || strings.HasSuffix(host, ".test") {
		return []string{"127.0.0.1"}, nil
	}
	return nil, errors.New("no such host")
}

// fuzzOptions are the parse options of the fuzz targets: the golden
// files' tree, and no environment.
func fuzzOptions() *Options {
	return &Options{
		ServerRoot: "/",
		FS:         os.DirFS(goldenFS),
		LookupEnv:  func(string) (string, bool) { return "", false },
	}
}
