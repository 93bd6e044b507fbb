package config

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jl6/logproxy/logformat"
)

// TestAprAtoi64: integers as apr_atoi64 (strtoll) reads them, for -eq
// and its kin.
func TestAprAtoi64(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"", 0}, {"0", 0}, {"10", 10}, {"010", 10}, {"  \t12", 12}, {"+7", 7}, {"-7", -7},
		{"1e1", 1}, {"abc", 0}, {"12abc", 12}, {"- 5", 0}, {"%2010", 0},
		{"9223372036854775807", 9223372036854775807},
		{"9223372036854775808", 9223372036854775807},
		{"99999999999999999999", 9223372036854775807},
		{"-9223372036854775808", -9223372036854775808},
		{"-99999999999999999999", -9223372036854775808},
	} {
		if got := aprAtoi64(tc.in); got != tc.want {
			t.Errorf("aprAtoi64(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// TestLogConditionEval: conditions against one record; the answers are
// the rules of util_expr_eval.c, spelled out per case.
func TestLogConditionEval(t *testing.T) {
	rec := &logformat.Record{
		RemoteIP: "192.0.2.7", PeerIP: "10.0.0.1", PeerPort: 40000, ServerName: "example.org", ServerPort: 80, RequestPort: 80,
		Final: logformat.Request{
			Method: "GET", URI: "/after", Protocol: "HTTP/1.1", Status: 200,
			Line: "GET /x HTTP/1.1", LineRead: true,
		},
		Orig: &logformat.Request{
			Method: "GET", URI: "/items/42", Query: "page=3", HasQuery: true, Protocol: "HTTP/1.1", Status: 404,
			Filename: "proxy:http://app/items/42", Handler: "proxy-server",
			Line: "GET /items/42?page=3 HTTP/1.1", LineRead: true,
			HeadersIn:  logformat.Fields{{Name: "Host", Value: "Example.ORG"}, {Name: "User-Agent", Value: "Bot/1 \x00hidden"}},
			HeadersOut: logformat.Fields{{Name: "Content-Length", Value: "12"}},
			Notes:      logformat.Fields{{Name: "n1", Value: "note"}},
			Env:        logformat.Fields{{Name: "e1", Value: "env"}, {Name: "n1", Value: "env-n1"}},
		},
	}
	for _, tc := range []struct {
		expr string
		want bool
	}{
		// The request as the client sent it, not the redirect's.
		{"%{REQUEST_URI} == '/items/42' && %{REQUEST_STATUS} -eq 404", true},
		{"%{THE_REQUEST} == 'GET /items/42?page=3 HTTP/1.1'", true},
		// $N from the last match with groups; a match without groups
		// leaves them; a failed one with groups forgets them.
		{"%{REQUEST_URI} =~ m#^/items/(\\d+)# && $1 == '42' && $0 == '/items/42'", true},
		{"%{REQUEST_URI} =~ m#/(\\d+)# && %{QUERY_STRING} =~ /page/ && $1 == '42'", true},
		{"%{REQUEST_URI} =~ m#/(\\d+)# && !(%{QUERY_STRING} =~ /(x)/) && -z $1", true},
		{"%{REQUEST_URI} =~ /(z)?items/ && -z $1 && -z $9", true},
		// Integer and string comparison.
		{"%{QUERY_STRING} < 'q'", true},
		{"'10' < '9' && 10 -gt 9", true},
		{"resp('Content-Length') -ge 12 && resp('content-length') == '12'", true},
		// Words end at a NUL, as C strings do.
		{"%{HTTP_USER_AGENT} == 'Bot/1 '", true},
		{"tolower(%{HTTP_HOST}) == 'example.org' && toupper('a-z') == 'A-Z'", true},
		{"note('n1') == 'note' && reqenv('n1') == 'env-n1' && env('n1') == 'note' && env('e1') == 'env'", true},
		{"-R '192.0.2.0/24' && !-R '10.0.0.0/8' && %{CONN_REMOTE_ADDR} -ipmatch '10.0.0.0/8'", true},
		{"%{REMOTE_PORT} == '40000' && %{SERVER_PORT} == '80' && %{SERVER_NAME} == 'example.org'", true},
		{"%{REQUEST_METHOD} -in {'HEAD', 'GET'}", true},
		{"%{REQUEST_METHOD} -in {'HEAD', 'POST'}", false},
		{"-T 'off' || -T 'No' || -T 'false' || -T '0' || -T ''", false},
		{"-T 'on' && -T '00' && -T 'x'", true},
		{"%{REQUEST_URI} -strmatch '/items/*' && !(%{REQUEST_URI} -fnmatch '/*')", true},
		{"'%{REQUEST_METHOD} %{HANDLER}' == 'GET proxy-server'", true},
		{"%{REQUEST_FILENAME} . '!' == 'proxy:http://app/items/42!'", true},
		{"md5('') == 'd41d8cd98f00b204e9800998ecf8427e' && base64('hi') == 'aGk='", true},
		{"%{IS_SUBREQ} == 'false' && %{HTTPS} == 'off' && %{IPV6} == 'off' && -z %{REMOTE_USER}", true},
		{"%{TIME_YEAR} -ge 2000 && %{TIME} =~ /^\\d{14}$/", true},
	} {
		e, err := ParseExpr(tc.expr)
		if err != nil {
			t.Fatalf("ParseExpr(%q): %v", tc.expr, err)
		}
		c, err := compileExpr(e, func() string { return "logproxy" })
		if err != nil {
			t.Fatalf("%q: %v", tc.expr, err)
		}
		if got := c.Match(rec); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.expr, got, tc.want)
		}
	}
}

// TestLogConditionTime: TIME and TIME_WDAY read the local time now.
func TestLogConditionTime(t *testing.T) {
	ev := &condEval{c: &exprProgram{banner: func() string { return "" }}, rec: &logformat.Record{}, req: &logformat.Request{}}
	before := time.Now()
	got, wday := ev.variable("TIME"), ev.variable("TIME_WDAY")
	after := time.Now()
	if got != before.Format("20060102150405") && got != after.Format("20060102150405") {
		t.Errorf("TIME = %q, want the local time now (%s)", got, before.Format("20060102150405"))
	}
	if wday != strconv.Itoa(int(before.Weekday())) && wday != strconv.Itoa(int(after.Weekday())) {
		t.Errorf("TIME_WDAY = %q, want %d", wday, before.Weekday())
	}
}

// TestLogConditionRefused: what the record cannot answer is refused when
// the configuration is read, naming it.
func TestLogConditionRefused(t *testing.T) {
	for _, tc := range []struct{ expr, want string }{
		{"%{LAST_MODIFIED} == ''", "%{LAST_MODIFIED} in an expression is not supported by logproxy yet"},
		{"%{CONTEXT_PREFIX} == 'https'", "%{CONTEXT_PREFIX} in an expression"},
		{"file('/etc/passwd') == ''", "the function file in an expression"},
		{"-U '/x'", "-U in an expression"},
		{"%{REQUEST_URI} =~ /(?=x)/", "PCRE syntax"},
	} {
		e, err := ParseExpr(tc.expr)
		if err != nil {
			t.Fatalf("ParseExpr(%q): %v", tc.expr, err)
		}
		if _, err := compileExpr(e, func() string { return "" }); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", tc.expr, err, tc.want)
		}
	}
}

// FuzzLogCondition: any condition logproxy accepts evaluates without
// panicking, to the same answer twice, and its negation to the other.
func FuzzLogCondition(f *testing.F) {
	for _, s := range []string{`%{REQUEST_URI} =~ m#^/items/(\d+)# && $1 == '42'`, `true || !false && -n 'x'`,
		`%{QUERY_STRING} -eq 3`, `tolower(%{HTTP_HOST}) -in {'a', "b$1"}`, `-R '10.0.0.0/8'`,
		`'x' -strcmatch 'A*'`, `%{REQUEST_URI} -fnmatch '/*/*'`, `resp('Content-Length') -lt '99'`,
		`%{REQUEST_URI} =~ /(a)|(b)/ && $2 == ''`, `md5(%{THE_REQUEST}) != sha1('')`} {
		f.Add(s)
	}
	rec := &logformat.Record{RemoteIP: "10.1.2.3", PeerIP: "10.1.2.3", Final: logformat.Request{
		Method: "GET", URI: "/items/42", Query: "page=3", HasQuery: true, Status: 200, Line: "GET /items/42?page=3 HTTP/1.1", LineRead: true,
		HeadersIn: logformat.Fields{{Name: "Host", Value: "a"}}, HeadersOut: logformat.Fields{{Name: "Content-Length", Value: "12"}}}}
	f.Fuzz(func(t *testing.T, src string) {
		if strings.Contains(src, "TIME") {
			return // the clock may tick between two evaluations
		}
		e, err := ParseExpr(src)
		if err != nil {
			return
		}
		c, err := compileExpr(e, func() string { return "logproxy" })
		if err != nil {
			return
		}
		first := c.Match(rec)
		if again := c.Match(rec); again != first {
			t.Fatalf("%q: %v, then %v", src, first, again)
		}
		not, err := compileExpr(&Expr{Root: &ExprNot{X: e.Root}}, func() string { return "logproxy" })
		if err != nil {
			t.Fatalf("the negation of %q is refused: %v", src, err)
		}
		if not.Match(rec) == first {
			t.Fatalf("%q and its negation are both %v", src, first)
		}
	})
}

// TestIfSectionChecks: <If>, <ElseIf> and <Else> are checked as core's
// ifsection and ap_add_if_conf check them.
func TestIfSectionChecks(t *testing.T) {
	const head = "LoadModule mpm_event_module x\nLoadModule headers_module x\nLoadModule proxy_module x\nListen 127.0.0.1:0\n"
	for _, tc := range []struct{ name, src, want string }{
		{"else without if", "<Else>\nHeader set A 1\n</Else>\n", "<Else> or <ElseIf> section without previous <If> or <ElseIf> section in same scope"},
		{"elseif after else", "<If \"true\">\n</If>\n<Else>\n</Else>\n<ElseIf \"true\">\n</ElseIf>\n", "<Else> or <ElseIf> section without previous <If> or <ElseIf> section in same scope"},
		{"else with argument", "<If \"true\">\n</If>\n<Else \"x\">\n</Else>\n", "<Else> does not take an argument"},
		{"if without argument", "<If>\n</If>\n", "<If> directive requires additional arguments"},
		{"bad condition", "<If \"%{HTTP_HOST} ==\">\n</If>\n", "Cannot parse condition clause: "},
		{"two arguments", "<If \"true\" extra>\n</If>\n", "Multiple <If> arguments not supported."},
		{"proxypass inside", "<If \"true\">\nProxyPass /a http://h/\n</If>\n", "ProxyPass cannot occur within <If> section"},
		{"unsupported variable", "<If \"-n %{LAST_MODIFIED}\">\n</If>\n", "%{LAST_MODIFIED} in an expression is not supported by logproxy yet"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			path := filepath.Join(root, "httpd.conf")
			if err := os.WriteFile(path, []byte(head+tc.src), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, err := ParseFile(path, &Options{ServerRoot: root})
			if err == nil {
				_, err = Build(cfg, &BuildOptions{Location: time.UTC})
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one with %q", err, tc.want)
			}
		})
	}
	// A chain, nested: accepted.
	root := t.TempDir()
	path := filepath.Join(root, "httpd.conf")
	src := head + "<If \"true\">\n<If \"false\">\n</If>\n<Else>\n</Else>\n</If>\n<ElseIf \"false\">\n</ElseIf>\n<Else>\n</Else>\n<Location /a>\n<If \"true\">\n</If>\n</Location>\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseFile(path, &Options{ServerRoot: root})
	if err == nil {
		_, err = Build(cfg, &BuildOptions{Location: time.UTC})
	}
	if err != nil {
		t.Fatalf("a valid chain: %v", err)
	}
}
