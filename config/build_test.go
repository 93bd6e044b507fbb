package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jl6/logproxy/logformat"
	"github.com/jl6/logproxy/proxy"
)

// buildText parses and builds src as a file under a scratch server root.
func buildText(t *testing.T, src string) (*proxy.Site, error) {
	t.Helper()
	cfg, err := parseText(t, src)
	if err != nil {
		t.Fatalf("ParseFile: %v", err)
	}
	return Build(cfg, &BuildOptions{Location: time.UTC})
}

// buildTextErr is buildText that returns a parse error as well.
func buildTextErr(t *testing.T, src string) (*proxy.Site, error) {
	t.Helper()
	cfg, err := parseText(t, src)
	if err != nil {
		return nil, err
	}
	return Build(cfg, &BuildOptions{Location: time.UTC})
}

// parseText parses src as a file under a scratch server root
// ({ServerRoot} in src stands for it).
func parseText(t *testing.T, src string) (*Config, error) {
	t.Helper()
	root := t.TempDir()
	src = strings.ReplaceAll(src, "{ServerRoot}", root)
	path := filepath.Join(root, "httpd.conf")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return ParseFile(path, &Options{ServerRoot: root})
}

// TestBuildConformanceTemplate builds the configuration the corpus was
// recorded with and checks what the proxy gets from it.
func TestBuildConformanceTemplate(t *testing.T) {
	data, err := os.ReadFile("../integration/testdata/conformance/httpd.conf.template")
	if err != nil {
		t.Fatal(err)
	}
	site, err := buildText(t, string(data))
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	if got := len(site.Listen); got != 5 {
		t.Errorf("%d Listen addresses, want 5", got)
	}
	if got := len(site.VHosts); got != 6 {
		t.Fatalf("%d virtual hosts, want 6", got)
	}
	www := site.VHosts[0]
	if www.Hostname != "www.example.test" || len(www.Aliases) != 1 || www.Aliases[0] != "alias.example.test" {
		t.Errorf("first vhost = %q aliases %q", www.Hostname, www.Aliases)
	}
	other := site.VHosts[1]
	if other.Hostname != "other.example.test" || other.Port != 8888 {
		t.Errorf("second vhost = %q port %d, want other.example.test 8888", other.Hostname, other.Port)
	}
	if len(www.Routes) != 2 || www.Routes[0].Path != "/p/" || www.Routes[0].Target != "http://127.0.0.1:18090/p/" {
		t.Errorf("routes of the first vhost: %+v", www.Routes)
	}
	if got := len(site.Main.AccessLogs); got != 109 {
		t.Errorf("%d CustomLog lines on the main server, want 109", got)
	}
	if len(www.AccessLogs) != 0 {
		t.Errorf("the vhost has %d logs of its own, want 0 (it uses the main server's)", len(www.AccessLogs))
	}
	limits := site.VHosts[5]
	if limits.Timeout != 2*time.Second || limits.Limits.RequestLine != 100 || limits.Limits.RequestFields != 4 {
		t.Errorf("limits vhost: timeout %v, limits %+v", limits.Timeout, limits.Limits)
	}
	if !site.VHosts[2].Limits.Unsafe || site.VHosts[0].Limits.Unsafe {
		t.Error("HttpProtocolOptions Unsafe is not only on the 18081 vhost")
	}
	if ri := site.VHosts[3].RemoteIP; ri == nil || ri.Header != "X-Forwarded-For" || len(ri.Internal) != 1 {
		t.Errorf("remoteip vhost: %+v", ri)
	}
	if www.MaxKeepAliveRequests != 100 || site.VHosts[3].MaxKeepAliveRequests != 2 {
		t.Errorf("MaxKeepAliveRequests: %d and %d, want 100 and 2", www.MaxKeepAliveRequests, site.VHosts[3].MaxKeepAliveRequests)
	}
	// The nickname defined after the CustomLog that names it resolves.
	var late *proxy.AccessLog
	for _, l := range site.Main.AccessLogs {
		if strings.HasSuffix(l.File.Path, "late.log") {
			late = l
		}
	}
	if late == nil || late.Format.String() != "late:%h %>s %U" {
		t.Errorf("late.log format = %v, want the nickname defined further down", late)
	}
}

// TestBuildErrors checks that values the checker cannot see are refused at
// build time with the directive's file and line.
func TestBuildErrors(t *testing.T) {
	const head = "LoadModule mpm_event_module x\nLoadModule proxy_module x\nLoadModule proxy_http_module x\nLoadModule headers_module x\nListen 127.0.0.1:0\n"
	tests := []struct {
		name, src, want string
		line            int
	}{
		{"proxypass scheme", "ProxyPass /a/ ftp://h/a/\n", "not supported", 6},
		{"proxypass relative", "ProxyPass /a/ /b/\n", "URL must be absolute", 6},
		{"proxypass unclosed ipv6", "ProxyPass /a/ http://[::1/a/\n", "ProxyPass Unable to parse URL: http://[::1/a/", 6},
		{"proxypass port not numeric", "ProxyPass /a/ http://h:8x/a/\n", "ProxyPass Unable to parse URL: http://h:8x/a/", 6},
		{"proxypass parameter", "ProxyPass /a/ http://h/a/ lbmethod=byrequests\n", "not supported", 6},
		{"header action", "Header frobnicate X y\n", "first argument must be", 6},
		{"header format", "Header set X %Z\n", "Unrecognized header format %Z", 6},
		{"header expr variable", "Header set X y \"expr=-n %{LAST_MODIFIED}\"\n", "Header expr=-n %{LAST_MODIFIED}: %{LAST_MODIFIED} in an expression is not supported by logproxy yet", 6},
		{"header value expr", "Header set X \"expr=%{REQUEST_URI\"\n", "Can't parse value expression : ", 6},
		{"customlog expr variable", "CustomLog /dev/null \"%h\" \"expr=-n %{LAST_MODIFIED}\"\n", "CustomLog expr=-n %{LAST_MODIFIED}: %{LAST_MODIFIED} in an expression is not supported by logproxy yet", 6},
		{"timeout", "Timeout abc\n", "number of seconds", 6},
		{"stripheader star", "StripHeader *\n", "matches every header", 6},
		{"require nothing", "LoadModule authz_core_module x\n<Location />\nRequire\n</Location>\n", "Unknown Authz provider: ", 8},
		{"require provider case", "LoadModule authz_core_module x\n<Location />\nRequire All granted\n</Location>\n", "Unknown Authz provider: All", 8},
		{"require ip without address", "LoadModule authz_core_module x\n<Location />\nRequire ip\n</Location>\n", "'require ip' requires an argument", 8},
		{"require not alone", "LoadModule authz_core_module x\n<Location />\nRequire not ip 10.0.0.1\n</Location>\n", "negative Require directive has no effect in <RequireAny> directive", 8},
		{"require local", "LoadModule authz_core_module x\n<Location />\nRequire local\n</Location>\n", "Require local is not supported by logproxy", 8},
		{"error override code not numeric", "ProxyErrorOverride On abc\n", "ProxyErrorOverride: status codes to intercept must be numeric", 6},
		{"error override code after off", "ProxyErrorOverride Off 404\n", "ProxyErrorOverride: status codes must follow a value of 'on'", 6},
		{"error override code not an error", "ProxyErrorOverride On 399\n", "ProxyErrorOverride: status codes to intercept must be valid HTTP Status Codes >=400 && <600", 6},
		{"error override first word", "ProxyErrorOverride 404\n", "ProxyErrorOverride first parameter must be one of: off | on", 6},
		{"allowoverride all", "<Directory /tmp>\nAllowOverride All\n</Directory>\n", "AllowOverride All: .htaccess files are not supported by logproxy (only AllowOverride None)", 7},
		{"allowoverride bogus", "<Directory /tmp>\nAllowOverride Bogus\n</Directory>\n", "Illegal override option Bogus", 7},
		{"allowoverride nonfatal", "<Directory /tmp>\nAllowOverride None Nonfatal\n</Directory>\n", "=Override, =Unknown or =All expected after Nonfatal", 7},
		{"options mixed", "<Directory /tmp>\nOptions +Indexes FollowSymLinks\n</Directory>\n", "Either all Options must start with + or -, or no Option may.", 7},
		{"options bogus", "<Directory /tmp>\nOptions Bogus\n</Directory>\n", "Illegal option Bogus", 7},
		{"servername port", "ServerName www.example.com:99999\n", `The port number "www.example.com:99999" is outside the appropriate range (i.e., 1..65535).`, 6},
		{"servername ipv6 literal", "ServerName [::1]:8080\n", `Invalid ServerName "[::1]:8080" use ServerAlias to set multiple server names.`, 6},
		{"regex lookahead", "LoadModule setenvif_module x\nSetEnvIf Request_URI ^/(?!static) DYN\n", `regular expression "^/(?!static)" uses PCRE syntax that logproxy's regular expressions (Go's RE2 syntax) do not support`, 7},
		{"regex broken", "LoadModule setenvif_module x\nSetEnvIf Request_URI ^/(a DYN\n", "SetEnvIf regex could not be compiled.", 7},
		{"proxypassmatch backreference", "ProxyPassMatch ^/(a)\\1 http://h/\n", `uses PCRE syntax`, 6},
		{"proxypass interpolate", "ProxyPass /a/ http://h/a/ interpolate\n", "ProxyPass interpolate is not supported by logproxy", 6},
		{"proxypass bare word", "ProxyPass /a/ http://h/a/ bogus\n", "Invalid ProxyPass parameter. Parameter must be in the form 'key=value'.", 6},
		{"proxypass timeout zero", "ProxyPass /a/ http://h/a/ timeout=0\n", "Timeout must be at least one second", 6},
		{"proxypass connectiontimeout format", "ProxyPass /a/ http://h/a/ connectiontimeout=1.5\n", "Connectiontimeout has wrong format", 6},
		{"proxypass max negative", "ProxyPass /a/ http://h/a/ max=-1\n", "Max must be a positive number", 6},
		{"proxypass ttl", "ProxyPass /a/ http://h/a/ ttl=-5\n", "TTL must be at least one second", 6},
		{"proxypass ping", "ProxyPass /a/ http://h/a/ ping=abc\n", "Ping/Pong timeout has wrong format", 6},
		{"proxytimeout zero", "ProxyTimeout 0\n", "Proxy Timeout must be at least 1 second.", 6},
		{"keepalivetimeout format", "KeepAliveTimeout abc\n", "KeepAliveTimeout has wrong format", 6},
		{"servertokens", "ServerTokens bogus\n", "ServerTokens takes 1 argument: 'Prod(uctOnly)', 'Major', 'Minor', 'Min(imal)', 'OS', or 'Full'", 6},
		{"enablesendfile", "EnableSendfile maybe\n", "parameter must be 'on' or 'off'", 6},
		{"listenbacklog", "ListenBacklog abc\n", "ListenBacklog must be > 0", 6},
		{"proxyreceivebuffersize", "ProxyReceiveBufferSize 1\n", "ProxyReceiveBufferSize must be >= 512 bytes, or 0 for system default.", 6},
		{"limitinternalrecursion", "LimitInternalRecursion abc\n", "The recursion limit must be greater than zero.", 6},
		{"listen twice", "Listen 127.0.0.1:8080\nListen 127.0.0.1:8080\n", "Cannot define multiple Listeners on the same IP:port", 7},
		{"listen colon port", "Listen :8080\n", "Invalid address or port", 6},
		{"listen protocol", "Listen 127.0.0.1:8443 ftp\n", `Listen protocol "ftp" is not supported by logproxy`, 6},
		{"errordocument gap", "ErrorDocument 418 /err.html\n", "Unsupported HTTP response code 418", 6},
		{"redirect 404 with a url", "LoadModule alias_module x\nRedirect 404 /a http://h/\n", "Redirect URL not valid for this status", 7},
		{"proxypassreverse path in location", "<Location /a/>\nProxyPassReverse /a/ http://h/a/\n</Location>\n", "ProxyPassReverse can not have a path when defined in a location", 7},
		{"rewriterule flag delimiters", "LoadModule rewrite_module x\nRewriteRule ^/a /b [L\n", "RewriteRule: bad flag delimiters", 7},
		{"rewriterule unknown flag", "LoadModule rewrite_module x\nRewriteRule ^/a /b [XX]\n", "RewriteRule: unknown flag 'XX'", 7},
		{"rewriterule redirect code", "LoadModule rewrite_module x\nRewriteRule ^/a /b [R=999]\n", "RewriteRule: invalid HTTP response code '999' for flag 'R'", 7},
		{"rewriterule regex", "LoadModule rewrite_module x\nRewriteRule ^/a( /b\n", "RewriteRule: cannot compile regular expression '^/a('", 7},
		{"rewriterule one word", "LoadModule rewrite_module x\nRewriteRule ^/a\n", "RewriteRule: bad argument line '^/a'", 7},
		{"rewriterule bne without characters", "LoadModule rewrite_module x\nRewriteRule ^/a /b [BNE]\n", "RewriteRule: flag 'BNE' wants a list of characters (i.e. [BNE=...])", 7},
		{"rewriterule look-ahead", "LoadModule rewrite_module x\nRewriteRule ^/a /b?u=%{LA-U:REMOTE_USER}\n", "%{LA-U:REMOTE_USER} (a look-ahead subrequest) is not supported by logproxy", 7},
		{"rewritecond one word", "LoadModule rewrite_module x\nRewriteCond %{X}\n", "RewriteCond: bad argument line '%{X}'", 7},
		{"rewritecond unknown flag", "LoadModule rewrite_module x\nRewriteCond %{X} a [ZZ]\n", "RewriteCond: unknown flag 'ZZ'", 7},
		{"rewritecond regex", "LoadModule rewrite_module x\nRewriteCond %{X} a(\n", "RewriteCond: cannot compile regular expression 'a('", 7},
		{"rewritecond subrequest", "LoadModule rewrite_module x\nRewriteCond %{REQUEST_URI} -U\n", "RewriteCond -U (a lookup by subrequest) is not supported by logproxy", 7},
		{"rewritecond expr", "LoadModule rewrite_module x\nRewriteCond expr \"%{X} ==\"\n", `RewriteCond: cannot compile expression "%{X} ==" syntax error`, 7},
		{"rewritebase in server", "LoadModule rewrite_module x\nRewriteBase /x\n", "RewriteBase: only valid in per-directory config files", 7},
		{"rewriteoptions unknown", "LoadModule rewrite_module x\nRewriteOptions Foo\n", "RewriteOptions: unknown option 'Foo'", 7},
		{"rewritemap missing file", "LoadModule rewrite_module x\nRewriteMap m txt:/nonexistent/map.txt\n", "RewriteMap: file for map m not found:/nonexistent/map.txt", 7},
		{"rewritemap internal", "LoadModule rewrite_module x\nRewriteMap m int:nope\n", "RewriteMap: internal map not found:nope", 7},
		{"rewritemap prg", "LoadModule rewrite_module x\nRewriteMap m prg:/bin/cat\n", "RewriteMap type prg is not supported by logproxy", 7},
		{"rewritemap dbd", "LoadModule rewrite_module x\nRewriteMap m dbd:SELECT 1\n", "RewriteMap types dbd and fastdbd require mod_dbd!", 7},
		{"rewriterule handler", "LoadModule rewrite_module x\nRewriteRule ^/a - [H=cgi-script]\n", "RewriteRule: flag 'H' (forcing a handler) is not supported by logproxy", 7},
		{"rewriterule in location", "LoadModule rewrite_module x\n<Location /x>\nRewriteRule ^ - [F]\n</Location>\n", "RewriteRule in a <Directory>, <Location>, <Files> or <If> section (per-directory rewriting) is not supported by logproxy", 8},
		{"expiresbytype without slash", "LoadModule expires_module x\nExpiresByType textplain A60\n", "Invalid mimetype: should contain a slash", 7},
		{"expiresbytype bad type", "LoadModule expires_module x\nExpiresByType text/plain \"access plus 1 m\"\n", "'ExpiresByType text/plain access plus 1 m': bad expires code, unrecognised <type>'m'", 7},
		{"expiresdefault bad base", "LoadModule expires_module x\nExpiresDefault tomorrow\n", "'ExpiresDefault tomorrow': bad expires code, unrecognised <base> 'tomorrow'", 7},
		{"alias one argument", "LoadModule alias_module x\n<Location /a>\nAlias /tmp\n</Location>\n", "Alias with one argument (in <Location>) is not supported by logproxy", 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := buildText(t, head+tt.src)
			expectFirstError(t, err, tt.want, tt.line)
		})
	}
}

// expectFirstError checks that err is an ErrorList whose first error
// says want, at line.
func expectFirstError(t *testing.T, err error, want string, line int) {
	t.Helper()
	var list ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("Build error = %v, want an ErrorList", err)
	}
	if e := list[0]; !strings.Contains(e.Msg, want) || e.Line != line {
		t.Errorf("error %q at line %d, want %q at line %d", e.Msg, e.Line, want, line)
	}
}

// TestBuildAcceptFilter: as httpd on Linux, http listeners defer accept
// unless "AcceptFilter http none"; a filter for another protocol, or one
// of FreeBSD's names, leaves the default.
func TestBuildAcceptFilter(t *testing.T) {
	const head = "LoadModule mpm_event_module x\nListen 127.0.0.1:0\n"
	tests := []struct {
		name, src string
		noDefer   bool
	}{
		{"default", "", false},
		{"http none", "AcceptFilter http none\n", true},
		{"http data", "AcceptFilter http data\n", false},
		{"http httpready", "AcceptFilter http httpready\n", false},
		{"https none", "AcceptFilter https none\n", false},
		{"last wins", "AcceptFilter http none\nAcceptFilter http data\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site, err := buildText(t, head+tt.src)
			if err != nil {
				t.Fatal(err)
			}
			if site.NoDeferAccept != tt.noDefer {
				t.Errorf("NoDeferAccept = %v, want %v", site.NoDeferAccept, tt.noDefer)
			}
		})
	}
}

// TestBuildBufferedLogs: BufferedLogs is a flag of the whole server, as
// httpd's static buffered_logs: the last one read holds, also when it is
// in a <VirtualHost>.
func TestBuildBufferedLogs(t *testing.T) {
	const head = "LoadModule mpm_event_module x\nListen 127.0.0.1:0\n"
	tests := []struct {
		name, src string
		want      bool
	}{
		{"default", "", false},
		{"on", "BufferedLogs On\n", true},
		{"off", "BufferedLogs off\n", false},
		{"last wins", "BufferedLogs On\nBufferedLogs Off\n", false},
		{"in a virtual host", "<VirtualHost *:80>\nBufferedLogs on\n</VirtualHost>\n", true},
		{"in IfModule", "<IfModule mpm_event_module>\nBufferedLogs On\n</IfModule>\n", true},
		{"main after the virtual host", "<VirtualHost *:80>\nBufferedLogs on\n</VirtualHost>\nBufferedLogs Off\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site, err := buildText(t, head+tt.src)
			if err != nil {
				t.Fatal(err)
			}
			if site.BufferedLogs != tt.want {
				t.Errorf("BufferedLogs = %v, want %v", site.BufferedLogs, tt.want)
			}
		})
	}
}

// TestBuildTrackTTFB: LogIOTrackTTFB is read where httpd reads it (server,
// virtual host, sections) and is Off where it is not set.
func TestBuildTrackTTFB(t *testing.T) {
	const head = "LoadModule mpm_event_module x\nLoadModule proxy_module x\nLoadModule proxy_http_module x\nListen 127.0.0.1:0\n"
	site, err := buildText(t, head+"LogIOTrackTTFB On\n<Location /off>\nLogIOTrackTTFB Off\n</Location>\n")
	if err != nil {
		t.Fatal(err)
	}
	d := site.Main.Dir
	if d.TrackTTFB == nil || !*d.TrackTTFB {
		t.Errorf("server TrackTTFB = %v, want On", d.TrackTTFB)
	}
	var loc *proxy.DirConfig
	for _, sec := range site.Main.Sections {
		loc = sec.Dir
	}
	if loc == nil || loc.TrackTTFB == nil || *loc.TrackTTFB {
		t.Errorf("<Location /off> TrackTTFB = %v, want Off", loc)
	}
	site, err = buildText(t, head)
	if err != nil {
		t.Fatal(err)
	}
	if site.Main.Dir.TrackTTFB != nil {
		t.Errorf("TrackTTFB = %v without LogIOTrackTTFB, want unset (Off)", *site.Main.Dir.TrackTTFB)
	}
}

// TestBuildServerName: ServerName [scheme://]host[:port] as httpd's
// server_hostname_port reads it.
func TestBuildServerName(t *testing.T) {
	const head = "LoadModule mpm_event_module x\nListen 127.0.0.1:0\n"
	tests := []struct {
		arg, host, scheme string
		port              int
	}{
		{"www.example.com", "www.example.com", "", 0},
		{"www.example.com:8080", "www.example.com", "", 8080},
		{"https://www.example.com", "www.example.com", "https", 0},
		{"HTTPS://www.example.com:8443", "www.example.com", "https", 8443},
		{"www.example.com:81abc", "www.example.com", "", 81},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			site, err := buildText(t, head+"ServerName "+tt.arg+"\n")
			if err != nil {
				t.Fatal(err)
			}
			m := site.Main
			if m.Hostname != tt.host || m.Port != tt.port || m.Scheme != tt.scheme {
				t.Errorf("ServerName %s: host %q port %d scheme %q; want %q %d %q", tt.arg, m.Hostname, m.Port, m.Scheme, tt.host, tt.port, tt.scheme)
			}
		})
	}
}

// TestTimeoutParam: values as ap_timeout_parameter_parse reads them.
func TestTimeoutParam(t *testing.T) {
	tests := []struct {
		v, unit string
		want    time.Duration
		ok      bool
	}{
		{"5", "s", 5 * time.Second, true},
		{"100ms", "s", 100 * time.Millisecond, true},
		{"100", "ms", 100 * time.Millisecond, true},
		{"2mi", "s", 2 * time.Minute, true},
		{"1h", "s", time.Hour, true},
		{"3S", "ms", 3 * time.Second, true},
		{"7sec", "s", 7 * time.Second, true}, // only the first letters count
		{"", "s", 0, true},
		{"1.5", "s", 0, false},
		{"abc", "s", 0, false},
		{"5m", "s", 0, false},
		{"-1", "s", 0, false},
	}
	for _, tt := range tests {
		got, ok := timeoutParam(tt.v, tt.unit)
		if got != tt.want || ok != tt.ok {
			t.Errorf("timeoutParam(%q, %q) = %v, %v; want %v, %v", tt.v, tt.unit, got, ok, tt.want, tt.ok)
		}
	}
}

// TestBuildTimeUnits: KeepAliveTimeout and ProxyPass's connection and
// acquire timeouts take units; max=0 is httpd's default (no cap).
func TestBuildTimeUnits(t *testing.T) {
	const head = "LoadModule mpm_event_module x\nLoadModule proxy_module x\nLoadModule proxy_http_module x\nListen 127.0.0.1:0\n"
	site, err := buildText(t, head+"KeepAliveTimeout 100ms\nProxyPass /a/ http://h/a/ connectiontimeout=250ms acquire=2s max=0\n")
	if err != nil {
		t.Fatal(err)
	}
	m := site.Main
	if m.KeepAliveTimeout != 100*time.Millisecond {
		t.Errorf("KeepAliveTimeout = %v, want 100ms", m.KeepAliveTimeout)
	}
	rt := m.Routes[0]
	if rt.ConnectTimeout != 250*time.Millisecond || rt.AcquireTimeout != 2*time.Second || rt.MaxConns != 0 {
		t.Errorf("route: connect %v, acquire %v, max %d; want 250ms, 2s, 0", rt.ConnectTimeout, rt.AcquireTimeout, rt.MaxConns)
	}
}

// TestBuildServerTokens: ServerTokens sets how much the Server header
// says; proxy.Banner turns it into the header.
func TestBuildServerTokens(t *testing.T) {
	const head = "LoadModule mpm_event_module x\nListen 127.0.0.1:0\n"
	for _, tt := range []struct{ arg, want string }{
		{"Prod", "logproxy"}, {"ProductOnly", "logproxy"}, {"Major", "logproxy/0"}, {"Minor", "logproxy/0.1"},
		{"Minimal", "logproxy/0.1.0"}, {"OS", proxy.DefaultBanner}, {"Full", proxy.DefaultBanner},
	} {
		site, err := buildText(t, head+"ServerTokens "+tt.arg+"\n")
		if err != nil {
			t.Fatal(err)
		}
		if got := proxy.Banner(site.ServerTokens); got != tt.want {
			t.Errorf("ServerTokens %s: banner %q, want %q", tt.arg, got, tt.want)
		}
	}
}

// TestBuildVhostUnresolvable: a <VirtualHost> name that does not resolve
// is left out with httpd's warning (AH00547), not refused.
func TestBuildVhostUnresolvable(t *testing.T) {
	const head = "LoadModule mpm_event_module x\nListen 127.0.0.1:0\n"
	root := t.TempDir()
	path := filepath.Join(root, "httpd.conf")
	os.WriteFile(path, []byte(head+"<VirtualHost nonexistent.invalid:80>\nServerName x\n</VirtualHost>\n"), 0o644)
	cfg, err := ParseFile(path, &Options{ServerRoot: root})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Build(cfg, &BuildOptions{Location: time.UTC}); err != nil {
		t.Fatalf("Build: %v, want a warning only", err)
	}
	found := false
	for _, w := range cfg.Warnings {
		found = found || (w.Line == 3 && strings.Contains(w.Msg, "Could not resolve host name nonexistent.invalid -- ignoring!"))
	}
	if !found {
		t.Errorf("warnings %v, want AH00547's at line 3", cfg.Warnings)
	}
}

// TestBuildDefaultSettings: directives logproxy does not implement are
// accepted when they spell out httpd's default (which changes nothing),
// and refused with any other value; so is a <Proxy> section holding only
// "Require all granted".
func TestBuildDefaultSettings(t *testing.T) {
	const head = "LoadModule mpm_event_module x\nLoadModule proxy_module x\nLoadModule proxy_http_module x\nLoadModule dir_module x\nLoadModule authz_core_module x\nListen 127.0.0.1:0\n"
	ok := []string{"ProxyVia Off", "ProxyBadHeader IsError", "Protocols http/1.1", "Protocols h2 h2c http/1.1", "ProtocolsHonorOrder Off",
		"DirectorySlash On", "<Proxy *>\nRequire all granted\n</Proxy>"}
	for _, line := range ok {
		if _, err := buildText(t, head+line+"\n"); err != nil {
			t.Errorf("%q: %v, want it accepted", line, err)
		}
	}
	refused := []string{"ProxyVia On", "ProxyBadHeader Ignore", "Protocols h2",
		"DirectorySlash Off", "<Proxy *>\nRequire ip 10.0.0.1\n</Proxy>"}
	for _, line := range refused {
		_, err := buildText(t, head+line+"\n")
		var list ErrorList
		if !errors.As(err, &list) || len(list) == 0 || !strings.Contains(list[0].Msg, "not supported by logproxy") {
			t.Errorf("%q: %v, want a not-supported error", line, err)
		}
	}
}

// TestBuildDefaultDocumentRoot: without DocumentRoot, the main server and
// its virtual hosts map to Debian's compiled-in /var/www/html, as the
// apache2 logproxy follows does.
func TestBuildDefaultDocumentRoot(t *testing.T) {
	site, err := buildText(t, "LoadModule mpm_event_module x\nListen 127.0.0.1:0\n<VirtualHost 127.0.0.1:80>\nServerName v\n</VirtualHost>\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := site.Main.Dir.DocumentRoot; got != "/var/www/html" {
		t.Errorf("main DocumentRoot %q, want /var/www/html", got)
	}
	if got := site.VHosts[0].Dir.DocumentRoot; got != "/var/www/html" {
		t.Errorf("vhost DocumentRoot %q, want /var/www/html", got)
	}
}

// TestBuildLogRedact: LogRedactQuery, LogRedactHeader and LogRedactCookie
// (logproxy's own) apply to every access log of the site, whether they
// come before or after its CustomLog lines, and only in the main server.
func TestBuildLogRedact(t *testing.T) {
	const head = "LoadModule mpm_event_module x\nListen 127.0.0.1:0\n"
	site, err := buildText(t, head+
		"CustomLog logs/a.log \"%r %{Authorization}i %{sid}C\"\n"+
		"<VirtualHost *:80>\nCustomLog logs/b.log \"%q %{x-token}o\"\n</VirtualHost>\n"+
		"LogRedactQuery token\nLogRedactHeader Authorization X-Token\nLogRedactCookie sid\n")
	if err != nil {
		t.Fatal(err)
	}
	rec := &logformat.Record{Final: logformat.Request{
		Line: "GET /?token=1&a=2 HTTP/1.1", Query: "token=1&a=2", HasQuery: true,
		HeadersIn:  logformat.Fields{{Name: "Authorization", Value: "Basic x"}, {Name: "Cookie", Value: "sid=9"}},
		HeadersOut: logformat.Fields{{Name: "X-Token", Value: "t"}},
	}}
	for _, tc := range []struct {
		srv  *proxy.Server
		want string
	}{
		{site.Main, "GET /?token=REDACTED&a=2 HTTP/1.1 REDACTED REDACTED\n"},
		{site.VHosts[0], "?token=REDACTED&a=2 REDACTED\n"},
	} {
		if len(tc.srv.AccessLogs) != 1 {
			t.Fatalf("%d access logs, want 1", len(tc.srv.AccessLogs))
		}
		if got := string(tc.srv.AccessLogs[0].Format.Append(nil, rec)); got != tc.want {
			t.Errorf("logged %q, want %q", got, tc.want)
		}
	}
	for _, tc := range []struct{ name, src, want string }{
		{"in a virtual host", "<VirtualHost *:80>\nLogRedactQuery token\n</VirtualHost>\n", "LogRedactQuery cannot occur within <VirtualHost> section"},
		{"header name", "LogRedactHeader \"X Token\"\n", `LogRedactHeader: "X Token" is not a name`},
		{"cookie name", "LogRedactCookie a=b\n", `LogRedactCookie: "a=b" is not a name`},
		{"no name", "LogRedactQuery\n", "LogRedactQuery"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := buildTextErr(t, head+tc.src)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one with %q", err, tc.want)
			}
		})
	}
}
