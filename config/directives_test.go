package config

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

func TestDirectiveTable(t *testing.T) {
	modules := map[string]bool{mpmModule: true}
	for _, m := range Modules() {
		if modules[m.Name] {
			t.Errorf("module %s listed twice", m.Name)
		}
		modules[m.Name] = true
	}
	seen := map[string]bool{}
	for _, s := range Directives() {
		key := specKey(s.Name, s.Section)
		if seen[key] {
			t.Errorf("directive %s listed twice", s.displayName())
		}
		seen[key] = true
		if !modules[s.Module] {
			t.Errorf("directive %s: unknown module %q", s.Name, s.Module)
		}
		if s.Usage == "" {
			t.Errorf("directive %s: no usage text", s.Name)
		}
		if s.Override == 0 {
			t.Errorf("directive %s: allowed nowhere", s.Name)
		}
		if s.Section && s.Args != RawArgs {
			t.Errorf("section %s: args %d, want RawArgs", s.Name, s.Args)
		}
	}
}

// TestRequiredDirectives checks that every directive the project must
// support is in the table and not marked ignored.
func TestRequiredDirectives(t *testing.T) {
	required := strings.Fields(`ServerRoot PidFile Listen ServerName ServerAlias
		<VirtualHost UseCanonicalName <Location <LocationMatch <Directory <DirectoryMatch
		<Files <FilesMatch LoadModule User Group KeepAlive MaxKeepAliveRequests
		KeepAliveTimeout Timeout HttpProtocolOptions LimitRequestLine LimitRequestFieldSize
		LimitRequestFields LimitRequestBody ProxyPass ProxyPassMatch ProxyPassReverse
		ProxyPassReverseCookiePath ProxyPassReverseCookieDomain ProxyPreserveHost
		ProxyTimeout ProxyAddHeaders ProxyErrorOverride ProxyRequests DocumentRoot Alias
		AliasMatch DirectoryIndex TypesConfig Redirect RedirectMatch ErrorDocument AuthType
		AuthName AuthUserFile AuthBasicProvider Require SetEnv UnsetEnv PassEnv SetEnvIf
		SetEnvIfNoCase BrowserMatch RequestHeader Header RemoteIPHeader RemoteIPInternalProxy
		RemoteIPTrustedProxy HostnameLookups LogFormat CustomLog TransferLog GlobalLog
		BufferedLogs LogIOTrackTTFB ErrorLog LogLevel ErrorLogFormat RequestReadTimeout
		StartServers ServerLimit ThreadsPerChild MaxRequestWorkers ServerAdmin ServerTokens
		ServerSignature AddDefaultCharset AddType DefaultType Options AllowOverride
		AccessFileName Mutex TraceEnable EnableSendfile EnableMMAP
		Include IncludeOptional Define UnDefine <IfModule <IfDefine`)
	for _, name := range required {
		s, ok := LookupDirective(name)
		if !ok {
			t.Errorf("LookupDirective(%q): not found", name)
			continue
		}
		if s.Ignored {
			t.Errorf("directive %s is marked ignored", name)
		}
	}
}

// TestTemplateDirectives checks that every directive of the conformance
// template (testdata/template_httpd.conf) is in the table.
func TestTemplateDirectives(t *testing.T) {
	f, err := os.Open("testdata/template_httpd.conf")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "-----" {
			break
		}
		name, _ := getword(line)
		if name == "" || strings.HasPrefix(name, "#") || strings.HasPrefix(name, "</") {
			continue
		}
		name = strings.TrimSuffix(name, ">")
		if _, ok := LookupDirective(name); !ok {
			t.Errorf("template directive %s is not in the table", name)
		}
	}
}

func TestLookupDirective(t *testing.T) {
	tests := []struct {
		name    string
		want    string
		section bool
		ok      bool
	}{
		{"logformat", "LogFormat", false, true},
		{"<virtualhost", "VirtualHost", true, true},
		{"VirtualHost", "", false, false}, // the section, not a directive
		{"LimitRequestFieldSize", "LimitRequestFieldsize", false, true},
		{"Bogus", "", false, false},
	}
	for _, tt := range tests {
		s, ok := LookupDirective(tt.name)
		if ok != tt.ok || s.Name != tt.want || s.Section != tt.section {
			t.Errorf("LookupDirective(%q) = %q section=%v %v, want %q section=%v %v",
				tt.name, s.Name, s.Section, ok, tt.want, tt.section, tt.ok)
		}
	}
}

func TestArityErrors(t *testing.T) {
	spec := func(how ArgsHow) *Spec { return &Spec{Name: "X", Args: how, Usage: "usage"} }
	tests := []struct {
		how  ArgsHow
		args []string
		want string
	}{
		{Take1, []string{"a"}, ""},
		{Take1, nil, "X takes one argument, usage"},
		{Take1, []string{""}, "X takes one argument, usage"},
		{Take1, []string{"a", "b"}, "X takes one argument, usage"},
		{Take2, []string{"a", ""}, "X takes two arguments, usage"},
		{Take12, []string{"a", ""}, ""},
		{Take12, []string{"a", "b", "c"}, "X takes 1-2 arguments, usage"},
		{Take3, []string{"a", "b", "c"}, ""},
		{Take3, []string{"a", "b"}, "X takes three arguments, usage"},
		{Take23, []string{"a", "b", ""}, ""},
		{Take23, []string{"a"}, "X takes two or three arguments, usage"},
		{Take123, []string{"a", "b", "c", "d"}, "X takes one, two or three arguments, usage"},
		{Take13, []string{"a", "b"}, "X takes one or three arguments, usage"},
		{Take13, []string{"a", "b", "c"}, ""},
		{Iterate, []string{"", "a"}, "X requires at least one argument, usage"},
		{Iterate2, []string{"a"}, "X requires at least two arguments, usage"},
		{Flag, []string{"ON", "junk"}, ""},
		{Flag, []string{"yes"}, "X must be On or Off"},
		{NoArgs, nil, ""},
	}
	for _, tt := range tests {
		if got := spec(tt.how).arityError(tt.args, strings.Join(tt.args, " ")); got != tt.want {
			t.Errorf("arityError(%d, %q) = %q, want %q", tt.how, tt.args, got, tt.want)
		}
	}
	if got := spec(NoArgs).arityError(nil, "x"); got != "X takes no arguments" {
		t.Errorf("arityError(NoArgs, \"x\") = %q", got)
	}
}
