package logformat

import (
	"net/url"
	"strings"
	"testing"
)

// redactRecord is a request with secrets in its query, its Referer, its
// Authorization and Cookie fields, and the response's Location and
// Set-Cookie fields.
func redactRecord() *Record {
	return &Record{Final: Request{
		Line:     "GET /login?next=%2F&token=s3cret&x=1 HTTP/1.1",
		LineRead: true,
		Query:    "next=%2F&token=s3cret&x=1",
		HasQuery: true,
		HeadersIn: Fields{
			{"Referer", `https://a.example/p?t%6Fken=abc&keep="q"#frag`},
			{"Authorization", "Basic dXNlcjpwYXNz"},
			{"Cookie", "theme=dark; sessionid=abc123;=csrftoken=zz; =csrftoken=yy; empty="},
		},
		HeadersOut: Fields{
			{"Location", "/done?token=t2"},
			{"Set-Cookie", "sessionid=new1; Path=/; HttpOnly"},
			{"Set-Cookie", "theme=light"},
		},
		TrailersOut: Fields{{"Authorization", "x"}},
	}}
}

func TestRedaction(t *testing.T) {
	rd := Redaction{Query: []string{"token", "pass word"}, Headers: []string{"authorization"}, Cookies: []string{"SessionID", "csrftoken"}}
	tests := []struct {
		name, format, want string
		rd                 Redaction
	}{
		{"request line", "%r", "GET /login?next=%2F&token=REDACTED&x=1 HTTP/1.1", rd},
		{"request line, nothing named", "%r", "GET /login?next=%2F&token=s3cret&x=1 HTTP/1.1", Redaction{Headers: []string{"X"}}},
		{"query", "%q", "?next=%2F&token=REDACTED&x=1", rd},
		{"referer, encoded name, escaped quote, fragment kept", "%{Referer}i", `https://a.example/p?t%6Fken=REDACTED&keep=\"q\"#frag`, rd},
		{"location", "%{Location}o", "/done?token=REDACTED", rd},
		{"header", "%{Authorization}i", "REDACTED", rd},
		{"header absent", "%{Proxy-Authorization}i|%{authorization}o", "-|-", rd},
		{"trailer", "%{Authorization}^to", "REDACTED", rd},
		{"cookie list", "%{Cookie}i", "theme=dark; sessionid=REDACTED;=csrftoken=REDACTED; =csrftoken=yy; empty=", rd},
		{"one cookie", "%{sessionid}C %{theme}C %{nope}C", "REDACTED dark -", rd},
		{"set-cookie", "%{Set-Cookie}o", "sessionid=REDACTED; Path=/; HttpOnly, theme=light", rd},
		{"status list still applies", "%404{Authorization}i", "-", rd},
		{"other items untouched", "%U %m %{Host}i", "- - -", rd},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Compile(tc.format, &Options{Redact: tc.rd})
			if err != nil {
				t.Fatal(err)
			}
			if got := string(f.Append(nil, redactRecord())); got != tc.want+"\n" {
				t.Errorf("got  %q\nwant %q", got, tc.want+"\n")
			}
		})
	}
}

// TestRedactionQueryNames: a parameter's name is read as an application
// reads it, percent-decoded with '+' as a space.
func TestRedactionQueryNames(t *testing.T) {
	f, err := Compile("%q", &Options{Redact: Redaction{Query: []string{"pass word", "a&b", "k"}}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ query, want string }{
		{"pass+word=1", "?pass+word=REDACTED"},
		{"pass%20word=1&pass%2Bword=2", "?pass%20word=REDACTED&pass%2Bword=2"},
		{"a%26b=1", "?a%26b=REDACTED"},
		{"k", "?k"},           // no value, nothing to hide
		{"k=", "?k=REDACTED"}, // an empty value is hidden as well
		{"K=1&k=2&k=3", "?K=1&k=REDACTED&k=REDACTED"},
		{"k%=1&k%4=1&%6b=1", "?k%=1&k%4=1&%6b=REDACTED"},
		{"x=a=b&k=a=b", "?x=a=b&k=REDACTED"},
		{"&&k=1&", "?&&k=REDACTED&"},
		{"k=\x01\n", "?k=REDACTED"},
		{"x=\x01\n", `?x=\x01\n`},
	}
	for _, tc := range tests {
		rec := &Record{Final: Request{Query: tc.query, HasQuery: true}}
		if got := string(f.Append(nil, rec)); got != tc.want+"\n" {
			t.Errorf("%q: got %q, want %q", tc.query, got, tc.want+"\n")
		}
	}
}

// TestRedactionJSON: redacted values inside a JSON format stay JSON.
func TestRedactionJSON(t *testing.T) {
	f, err := Compile(`{"r":"%r","a":"%{Authorization}i","c":"%{Cookie}i"}`,
		&Options{Escape: EscapeJSON, Redact: Redaction{Query: []string{"token"}, Headers: []string{"Authorization"}, Cookies: []string{"sessionid"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"r":"GET /login?next=%2F&token=REDACTED&x=1 HTTP/1.1","a":"REDACTED","c":"theme=dark; sessionid=REDACTED;=csrftoken=zz; =csrftoken=yy; empty="}` + "\n"
	if got := string(f.Append(nil, redactRecord())); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestRedactionAllocs(t *testing.T) {
	f, err := Compile(`%r %q "%{Referer}i" %{Authorization}i "%{Cookie}i" %{sessionid}C "%{Set-Cookie}o" %{Location}o`,
		&Options{Redact: Redaction{Query: []string{"token"}, Headers: []string{"Authorization"}, Cookies: []string{"sessionid"}}})
	if err != nil {
		t.Fatal(err)
	}
	rec := redactRecord()
	buf := make([]byte, 0, 1024)
	if n := testing.AllocsPerRun(100, func() { buf = f.Append(buf[:0], rec) }); n != 0 {
		t.Errorf("Append with redactions: %v allocations, want 0", n)
	}
}

// FuzzRedactQuery: whatever the query, no value of a named parameter is
// left in the line, the line parses back, and undoing the redaction of
// the parsed value gives the query with those values replaced, as a
// plain split of the query at '&' and '=' and url.QueryUnescape of the
// names computes it.
func FuzzRedactQuery(f *testing.F) {
	for _, s := range []string{"token=abc", "a=1&token=2&b=3", "t%6Fken=x", "tok+en=1", "token", "token=", "&&", "token=a&token=b", "x=%zz&token=\x00"} {
		f.Add(s, "token")
	}
	f.Add("pass+word=1", "pass word")
	f.Fuzz(func(t *testing.T, query, name string) {
		if name == "" {
			return
		}
		form, err := Compile("%q\t%r", &Options{Redact: Redaction{Query: []string{name}}})
		if err != nil {
			t.Fatal(err)
		}
		rec := &Record{Final: Request{Query: query, HasQuery: true, Line: "GET /p?" + query + " HTTP/1.1", LineRead: true}}
		line := string(form.Append(nil, rec))
		vals, err := form.Parse(line, nil)
		if err != nil {
			t.Fatalf("line %q does not parse: %v", line, err)
		}
		// The independent model.
		parts := strings.Split(query, "&")
		for i, p := range parts {
			k, _, ok := strings.Cut(p, "=")
			if !ok {
				continue
			}
			dk, err := url.QueryUnescape(k)
			if err != nil {
				dk = modelUnescape(k)
			}
			if dk == name {
				parts[i] = k + "=" + Redacted
			}
		}
		want := "?" + strings.Join(parts, "&")
		if vals[0] != want {
			t.Errorf("query %q, name %q: %%q logged %q, want %q", query, name, vals[0], want)
		}
		if !strings.ContainsAny(query, " #") && vals[1] != "GET /p"+want+" HTTP/1.1" {
			t.Errorf("query %q, name %q: %%r logged %q, want %q", query, name, vals[1], "GET /p"+want+" HTTP/1.1")
		}
	})
}

// modelUnescape decodes what url.QueryUnescape refuses (a '%' without two
// hex digits) the lenient way: such a '%' stands for itself.
func modelUnescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && i+2 < len(s) && strings.ContainsRune("0123456789abcdefABCDEF", rune(s[i+1])) && strings.ContainsRune("0123456789abcdefABCDEF", rune(s[i+2])):
			dec, _ := url.PathUnescape(s[i : i+3])
			b.WriteString(dec)
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
