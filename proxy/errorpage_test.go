package proxy

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// apacheCase is one golden file of testdata/apache/cases, recorded from
// the real Apache httpd by testdata/apache/record.
type apacheCase struct {
	name     string
	info     apacheCaseInfo
	request  []byte
	response []byte
}

// apacheCaseInfo mirrors caseInfo in testdata/apache/record/main.go.
type apacheCaseInfo struct {
	Kind string `json:"kind"`
	Note string `json:"note"`

	Method     string  `json:"method"`
	Location   string  `json:"location"`
	StatusLine string  `json:"status_line"`
	Notes      *string `json:"notes"`
	Verbose    bool    `json:"verbose"`
	Expect     *string `json:"expect"`
	Admin      string  `json:"admin"`
	Sig        string  `json:"sig"`
	Banner     string  `json:"banner"`
	Name       string  `json:"name"`
	Port       int     `json:"port"`
	Recursive  int     `json:"recursive"`
	Custom     *string `json:"custom"`
	Suppress   bool    `json:"suppress"`
	Allow      *string `json:"allow"`
	NoLength   bool    `json:"no_length"`

	Path          string `json:"path"`
	URI           string `json:"uri"`
	Args          string `json:"args"`
	HasArgs       bool   `json:"has_args"`
	PathInfo      string `json:"path_info"`
	MtimeFile     string `json:"mtime_file"`
	MtimeUS       int64  `json:"mtime_us"`
	RequestTimeUS int64  `json:"request_time_us"`
	TraceDisabled bool   `json:"trace_disabled"`
}

// loadApacheCases reads the golden files whose names start with prefix.
func loadApacheCases(t *testing.T, prefix string) []apacheCase {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "apache", "cases", prefix+"*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	if len(names) == 0 {
		t.Fatalf("no golden files testdata/apache/cases/%s*.txt", prefix)
	}
	var cs []apacheCase
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		c, err := parseApacheCase(b)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		c.name = strings.TrimSuffix(filepath.Base(n), ".txt")
		cs = append(cs, c)
	}
	return cs
}

func parseApacheCase(b []byte) (apacheCase, error) {
	var c apacheCase
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return c, errString("no request section")
		}
		line := string(b[:i])
		b = b[i+1:]
		switch {
		case strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "info: "):
			if err := json.Unmarshal([]byte(line[len("info: "):]), &c.info); err != nil {
				return c, err
			}
		case strings.HasPrefix(line, "-- request "):
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(line, "-- request "), " --"))
			if err != nil || n > len(b) {
				return c, errString("bad request marker " + line)
			}
			c.request = b[:n]
			rest := b[n:]
			const mark = "\n-- response --\n"
			if !bytes.HasPrefix(rest, []byte(mark)) {
				return c, errString("no response section")
			}
			c.response = rest[len(mark):]
			return c, nil
		default:
			return c, errString("unexpected line " + line)
		}
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// rawResponse is a recorded response taken apart.
type rawResponse struct {
	statusLine string // after "HTTP/1.1 "
	status     int
	fields     Fields
	body       []byte // de-chunked when the response was chunked
}

func parseRawResponse(t *testing.T, b []byte) rawResponse {
	t.Helper()
	i := bytes.Index(b, []byte("\r\n\r\n"))
	if i < 0 {
		t.Fatalf("response without an end of head: %q", b)
	}
	head, body := string(b[:i]), b[i+4:]
	lines := strings.Split(head, "\r\n")
	var r rawResponse
	r.statusLine = strings.TrimPrefix(lines[0], "HTTP/1.1 ")
	r.status, _ = strconv.Atoi(r.statusLine[:3])
	for _, l := range lines[1:] {
		k := strings.Index(l, ": ")
		if k < 0 {
			t.Fatalf("bad field %q", l)
		}
		r.fields = append(r.fields, Field{Name: l[:k], Value: l[k+2:]})
	}
	if v, ok := headerIn(r.fields, "Transfer-Encoding"); ok && v == "chunked" {
		body = dechunk(t, body)
	}
	r.body = body
	return r
}

func dechunk(t *testing.T, b []byte) []byte {
	t.Helper()
	var out []byte
	for {
		i := bytes.Index(b, []byte("\r\n"))
		if i < 0 {
			t.Fatalf("bad chunk in %q", b)
		}
		n, err := strconv.ParseInt(string(b[:i]), 16, 64)
		if err != nil {
			t.Fatalf("bad chunk size %q", b[:i])
		}
		b = b[i+2:]
		if n == 0 {
			return out
		}
		out = append(out, b[:n]...)
		b = b[n+2:]
	}
}

// contentFields drops from a recorded head what the connection's framing
// and the server's clock decide: Date, Server, Connection, Keep-Alive and
// Transfer-Encoding.
func contentFields(h Fields) Fields {
	var out Fields
	for _, f := range h {
		switch strings.ToLower(f.Name) {
		case "date", "server", "connection", "keep-alive", "transfer-encoding":
			continue
		}
		out = append(out, f)
	}
	return out
}

func fieldsString(h Fields) string {
	var b strings.Builder
	for _, f := range h {
		b.WriteString(f.Name + ": " + f.Value + "\n")
	}
	return b.String()
}

func errorInfoFromCase(ci *apacheCaseInfo) *errorPageInfo {
	p := &errorPageInfo{
		Method:          ci.Method,
		Location:        ci.Location,
		StatusLine:      ci.StatusLine,
		VerboseErrorTo:  ci.Verbose,
		ServerAdmin:     ci.Admin,
		Banner:          ci.Banner,
		ServerName:      ci.Name,
		Port:            ci.Port,
		Recursive:       ci.Recursive,
		SuppressCharset: ci.Suppress,
	}
	if ci.Notes != nil {
		p.ErrorNotes, p.HasErrorNotes = *ci.Notes, true
	}
	if ci.Expect != nil {
		p.Expect, p.HasExpect = *ci.Expect, true
	}
	if ci.Custom != nil {
		p.Custom, p.HasCustom = *ci.Custom, true
	}
	if ci.Allow != nil {
		p.Allow = *ci.Allow
	}
	switch ci.Sig {
	case "on":
		p.Signature = signatureOn
	case "email":
		p.Signature = signatureEMail
	}
	return p
}

// TestErrorPageGolden compares errorPage and errorHead with the error
// responses Apache itself generated.
func TestErrorPageGolden(t *testing.T) {
	seen := map[int]bool{}
	for _, c := range loadApacheCases(t, "error_") {
		t.Run(c.name, func(t *testing.T) {
			resp := parseRawResponse(t, c.response)
			seen[resp.status] = true
			p := errorInfoFromCase(&c.info)

			wantLine := statusLine(resp.status)
			if p.StatusLine != "" {
				wantLine = p.StatusLine
			}
			if resp.statusLine != wantLine {
				t.Errorf("status line %q, statusLine gives %q", resp.statusLine, wantLine)
			}

			head := c.info.Method == "HEAD"
			var body []byte
			if !head {
				body = errorPage(nil, resp.status, p)
				if !bytes.Equal(body, resp.body) {
					t.Errorf("body differs\n got: %q\nwant: %q", body, resp.body)
				}
			} else if len(resp.body) != 0 {
				t.Errorf("recorded HEAD response has a body")
			}

			fields, ct := errorHead(resp.status, p)
			want := contentFields(resp.fields)
			var got Fields
			// What the request carried into err_headers_out comes first.
			for _, f := range want {
				if f.Name == "WWW-Authenticate" {
					got = append(got, f)
				}
			}
			got = append(got, fields...)
			if !c.info.NoLength {
				got = append(got, Field{Name: "Content-Length", Value: strconv.Itoa(len(body))})
			}
			got = append(got, Field{Name: "Content-Type", Value: ct})
			if fieldsString(got) != fieldsString(want) {
				t.Errorf("head fields differ\n got:\n%s want:\n%s", fieldsString(got), fieldsString(want))
			}
		})
	}
	for _, s := range []int{301, 302, 303, 307, 308, 400, 401, 403, 404, 405, 408, 410, 411, 413, 414, 417, 500, 501, 502, 503, 504} {
		if !seen[s] {
			t.Errorf("no golden file for status %d", s)
		}
	}
}

func TestErrorPageStatusLine(t *testing.T) {
	for _, tc := range []struct {
		status   int
		line, ex string
	}{
		{200, "200 OK", "200 OK"},
		{404, "404 Not Found", "404 Not Found"},
		{226, "226 IM Used", "226 IM Used"},
		{418, "500 Internal Server Error", "418 Status 418"},
		{306, "500 Internal Server Error", "306 Status 306"},
		{599, "500 Internal Server Error", "599 Status 599"},
		{600, "500 Internal Server Error", "600 Status 600"},
		{999, "500 Internal Server Error", "999 Status 999"},
		{1000, "500 Internal Server Error", "500 Internal Server Error"},
		{99, "500 Internal Server Error", "500 Internal Server Error"},
		{511, "511 Network Authentication Required", "511 Network Authentication Required"},
	} {
		if got := statusLine(tc.status); got != tc.line {
			t.Errorf("statusLine(%d) = %q, want %q", tc.status, got, tc.line)
		}
		if got := statusLineEx(tc.status); got != tc.ex {
			t.Errorf("statusLineEx(%d) = %q, want %q", tc.status, got, tc.ex)
		}
	}
}

// TestErrorPageCanned covers what the golden files do not reach: the
// canned text of every status, and the module status line rules.
func TestErrorPageCanned(t *testing.T) {
	p := &errorPageInfo{Method: "GET"}
	// Every status has a page with the doctype, its title and an h1.
	for s := 100; s < 600; s++ {
		if !knownStatus(s) {
			continue
		}
		page := string(errorPage(nil, s, p))
		title := statusLine(s)
		if !strings.HasPrefix(page, errorDoctype+"<html><head>\n<title>"+title+"</title>\n</head><body>\n<h1>"+title[4:]+"</h1>\n") ||
			!strings.HasSuffix(page, "</body></html>\n") {
			t.Errorf("%d: %q", s, page)
		}
	}
	for _, tc := range []struct {
		name   string
		status int
		p      errorPageInfo
		want   string // the part between </h1>\n and </body>
	}{
		{"409 falls to the 500 text", 409, errorPageInfo{},
			"<p>The server encountered an internal error or\nmisconfiguration and was unable to complete\nyour request.</p>\n" +
				"<p>Please contact the server administrator at \n [no address given] to inform them of the time this error occurred,\n" +
				" and the actions you performed just before this error.</p>\n<p>More information about this error may be available\nin the server error log.</p>\n"},
		{"500 verbose notes", 500, errorPageInfo{ErrorNotes: "notes<b>", HasErrorNotes: true, VerboseErrorTo: true}, "notes<b><p />\n"},
		{"500 notes not verbose", 500, errorPageInfo{ErrorNotes: "secret", HasErrorNotes: true, ServerAdmin: "a&b"},
			"<p>The server encountered an internal error or\nmisconfiguration and was unable to complete\nyour request.</p>\n" +
				"<p>Please contact the server administrator at \n a&amp;b to inform them of the time this error occurred,\n" +
				" and the actions you performed just before this error.</p>\n<p>More information about this error may be available\nin the server error log.</p>\n"},
		{"403 notes", 403, errorPageInfo{ErrorNotes: "x", HasErrorNotes: true}, "<p>You don't have permission to access this resource.x</p>\n"},
		{"417 without Expect", 417, errorPageInfo{},
			"<p>No expectation was seen, the Expect request-header \nfield was not presented by the client.\n</p><p>Only the 100-continue expectation is supported.</p>\n"},
		{"406 variants", 406, errorPageInfo{VariantList: "<ul></ul>"},
			"<p>An appropriate representation of the requested resource could not be found on this server.</p>\n<ul></ul>"},
		{"300 variants", 300, errorPageInfo{VariantList: "V"}, "V"},
		{"201 is not canned", 201, errorPageInfo{ServerAdmin: "root@h"},
			"<p>The server encountered an internal error or\nmisconfiguration and was unable to complete\nyour request.</p>\n" +
				"<p>Please contact the server administrator at \n root@h to inform them of the time this error occurred,\n" +
				" and the actions you performed just before this error.</p>\n<p>More information about this error may be available\nin the server error log.</p>\n"},
		{"405 escapes the method", 405, errorPageInfo{Method: "A&B"}, "<p>The requested method A&amp;B is not allowed for this URL.</p>\n"},
	} {
		page := string(errorPage(nil, tc.status, &tc.p))
		i := strings.Index(page, "</h1>\n")
		j := strings.LastIndex(page, "</body>")
		if i < 0 || j < 0 || page[i+6:j] != tc.want {
			t.Errorf("%s: %q", tc.name, page)
		}
	}
	for _, tc := range []struct {
		sl    string
		title string
	}{
		{"502 Proxy Error", "502 Proxy Error"},
		{"502", "502 Unknown Reason"},
		{"502 ", "502 Unknown Reason"},
		{"502  Two", "502 Bad Gateway"},        // the fifth byte is not alphanumeric
		{"503 Proxy Error", "502 Bad Gateway"}, // another code
		{"5020 X", "502 Bad Gateway"},
		{"502-X", "502 Bad Gateway"},
	} {
		page := string(errorPage(nil, 502, &errorPageInfo{StatusLine: tc.sl}))
		if !strings.Contains(page, "<title>"+tc.title+"</title>\n</head><body>\n<h1>"+tc.title[4:]+"</h1>") {
			t.Errorf("status line %q: %q", tc.sl, page)
		}
	}
	// Signatures.
	sig := func(p errorPageInfo) string {
		page := string(errorPage(nil, 404, &p))
		i := strings.Index(page, "</p>\n")
		return page[i+5 : len(page)-len("</body></html>\n")]
	}
	base := errorPageInfo{Banner: "Apache/2.4.71 (Debian)", ServerName: "h<1>", Port: 8080}
	if got := sig(base); got != "" {
		t.Errorf("off: %q", got)
	}
	on := base
	on.Signature = signatureOn
	if got := sig(on); got != "<hr>\n<address>Apache/2.4.71 (Debian) Server at h&lt;1&gt; Port 8080</address>\n" {
		t.Errorf("on: %q", got)
	}
	mail := base
	mail.Signature = signatureEMail
	if got := sig(mail); got != "<hr>\n<address>Apache/2.4.71 (Debian) Server at <a href=\"mailto:[no address given]\">h&lt;1&gt;</a> Port 8080</address>\n" {
		t.Errorf("email: %q", got)
	}
	mail.ServerAdmin = "https://h/a?b&c"
	if got := sig(mail); got != "<hr>\n<address>Apache/2.4.71 (Debian) Server at <a href=\"https://h/a?b&amp;c\">h&lt;1&gt;</a> Port 8080</address>\n" {
		t.Errorf("email url: %q", got)
	}
}

func TestErrorPageHead(t *testing.T) {
	f, ct := errorHead(302, &errorPageInfo{Location: "/x"})
	if fieldsString(f) != "Location: /x\n" || ct != "text/html; charset=iso-8859-1" {
		t.Errorf("302: %q %q", fieldsString(f), ct)
	}
	f, _ = errorHead(302, &errorPageInfo{})
	if len(f) != 0 {
		t.Errorf("302 without location: %q", fieldsString(f))
	}
	f, ct = errorHead(405, &errorPageInfo{Allow: allowForStatic(true), SuppressCharset: true})
	if fieldsString(f) != "Allow: OPTIONS,HEAD,GET,POST,TRACE\n" || ct != "text/html" {
		t.Errorf("405: %q %q", fieldsString(f), ct)
	}
	f, _ = errorHead(501, &errorPageInfo{Allow: allowNoHandler(false)})
	if fieldsString(f) != "Allow: \n" {
		t.Errorf("501: %q", fieldsString(f))
	}
	if errorHasBody(304) || errorHasBody(204) || !errorHasBody(404) {
		t.Error("errorHasBody")
	}
}

func TestErrorPageIsURL(t *testing.T) {
	for s, want := range map[string]bool{
		"http://x": true, "mailto:a@b": true, "a+b-c.d:x": true,
		"web@example.com": false, ":x": false, "": false, "a b:c": false,
	} {
		if isURL(s) != want {
			t.Errorf("isURL(%q) != %v", s, want)
		}
	}
}
