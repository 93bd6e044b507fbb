package proxy

import (
	"bufio"
	"bytes"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// staticHtdocs copies testdata/apache/htdocs to a temporary directory and
// gives its files the modification times of testdata/apache/mtimes.txt,
// as the recording did.
func staticHtdocs(t *testing.T) string {
	t.Helper()
	mt := map[string]time.Time{}
	b, err := os.ReadFile(filepath.Join("testdata", "apache", "mtimes.txt"))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || l[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(l, ' ')
		tm, err := time.Parse(time.RFC3339Nano, l[i+1:])
		if err != nil {
			t.Fatal(err)
		}
		mt[l[:i]] = tm
	}
	src := filepath.Join("testdata", "apache", "htdocs")
	dst := filepath.Join(t.TempDir(), "htdocs")
	var dirs []string
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			dirs = append(dirs, rel)
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			return err
		}
		tm, ok := mt[filepath.ToSlash(rel)]
		if !ok {
			tm = mt["*"]
		}
		return os.Chtimes(target, tm, tm)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if err := os.Chtimes(filepath.Join(dst, d), mt["*"], mt["*"]); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// testMimeConfig is the mod_mime part of testdata/apache/httpd.conf.
func testMimeConfig() *mimeDirConfig {
	m := &mimeDirConfig{}
	m.AddType("application/x-gzip", ".gz", ".tgz")
	m.AddEncoding("x-compress", ".Z")
	m.AddEncoding("deflate", ".zz")
	m.AddLanguage("en", ".en")
	m.AddLanguage("fr", ".fr")
	m.AddCharset("UTF-8", ".utf8")
	m.RemoveType(".bin")
	return m
}

// systemMimeTypes loads /etc/mime.types, which the recording used; the
// Debian package media-types provides it.
func systemMimeTypes(t *testing.T) *mimeTypes {
	t.Helper()
	types, err := loadMimeTypes("/etc/mime.types")
	if err != nil {
		t.Fatalf("%v\n/etc/mime.types is needed: on Debian, apt-get install media-types", err)
	}
	return types
}

// parseRawRequest takes a recorded request apart: method, target and the
// header fields.
func parseRawRequest(t *testing.T, b []byte) (method, target string, h Fields) {
	t.Helper()
	i := bytes.Index(b, []byte("\r\n\r\n"))
	if i < 0 {
		t.Fatalf("request without an end of head: %q", b)
	}
	lines := strings.Split(string(b[:i]), "\r\n")
	parts := strings.Split(lines[0], " ")
	for _, l := range lines[1:] {
		k := strings.IndexByte(l, ':')
		h = append(h, Field{Name: l[:k], Value: strings.TrimSpace(l[k+1:])})
	}
	return parts[0], parts[1], h
}

// TestStaticGolden serves each recorded static request with serveFile and
// compares status line, head fields (all but Date, Server and the
// connection's framing) and body with what Apache sent.
func TestStaticGolden(t *testing.T) {
	root := staticHtdocs(t)
	types := systemMimeTypes(t)
	mime := testMimeConfig()
	for _, c := range loadApacheCases(t, "static_") {
		t.Run(c.name, func(t *testing.T) {
			rec := parseRawResponse(t, c.response)
			method, _, hin := parseRawRequest(t, c.request)
			ci := &c.info
			if ci.MtimeFile != "" {
				tm := time.UnixMicro(ci.MtimeUS)
				if err := os.Chtimes(filepath.Join(root, ci.MtimeFile), tm, tm); err != nil {
					t.Fatal(err)
				}
			}
			date, _ := headerIn(rec.fields, "Date")
			reqTime, err := time.Parse(http.TimeFormat, date)
			if err != nil {
				t.Fatal(err)
			}
			if ci.RequestTimeUS != 0 {
				reqTime = time.UnixMicro(ci.RequestTimeUS)
			}
			now := reqTime
			if lm, ok := headerIn(rec.fields, "Last-Modified"); ok {
				if tm, err := time.Parse(http.TimeFormat, lm); err == nil && tm.After(now) {
					now = tm
				}
			}
			host, _ := headerIn(hin, "Host")
			port := 80
			if i := strings.IndexByte(host, ':'); i >= 0 {
				port, _ = strconv.Atoi(host[i+1:])
				host = host[:i]
			}
			req := &fileRequest{
				Method:        method,
				URI:           ci.URI,
				Args:          ci.Args,
				HasArgs:       ci.HasArgs,
				Filename:      filepath.Join(root, filepath.FromSlash(ci.Path)),
				PathInfo:      ci.PathInfo,
				HeadersIn:     hin,
				RequestTime:   reqTime,
				Now:           func() time.Time { return now },
				Types:         types,
				Mime:          mime,
				TraceDisabled: ci.TraceDisabled,
				ServerName:    host,
				ServerPort:    port,
			}
			if strings.HasPrefix(ci.Path, "cs/") {
				req.DefaultCharset = "utf-8"
			}
			if ci.Path == "multi" {
				req.DirectoryIndex = []string{"missing.html", "index.txt"}
			}
			if ct, ok := headerIn(rec.fields, "Content-Type"); ok {
				if _, b, ok := strings.Cut(ct, "boundary="); ok {
					req.Boundary = b
				}
			}
			resp, err := serveFile(req)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if resp.Body != nil {
					resp.Body.Close()
				}
			}()
			head := method == "HEAD"
			var got Fields
			var body []byte
			line := statusLine(resp.Status)
			if resp.Canned {
				p := &errorPageInfo{Method: method, Location: resp.Location, Allow: resp.Allow}
				if !head {
					body = errorPage(nil, resp.Status, p)
				}
				f, ct := errorHead(resp.Status, p)
				got = append(got, f...)
				if !head && !resp.CannedNoLength {
					got = append(got, Field{Name: "Content-Length", Value: strconv.Itoa(len(body))})
				}
				got = append(got, Field{Name: "Content-Type", Value: ct})
			} else {
				got = append(got, resp.Headers...)
				if resp.ContentType != "" {
					got = append(got, Field{Name: "Content-Type", Value: resp.ContentType})
				}
				if resp.ContentEncoding != "" {
					got = append(got, Field{Name: "Content-Encoding", Value: resp.ContentEncoding})
				}
				if resp.ContentLanguage != "" {
					got = append(got, Field{Name: "Content-Language", Value: resp.ContentLanguage})
				}
				if !head {
					var buf bytes.Buffer
					n, err := resp.WriteBody(&buf)
					if err != nil {
						t.Fatal(err)
					}
					body = buf.Bytes()
					if resp.ContentLength >= 0 && n != resp.ContentLength {
						t.Errorf("wrote %d bytes, ContentLength %d", n, resp.ContentLength)
					}
				}
				if _, chunked := headerIn(rec.fields, "Transfer-Encoding"); chunked != (resp.ContentLength < 0) {
					t.Errorf("ContentLength %d, recorded response chunked: %v", resp.ContentLength, chunked)
				}
			}
			if rec.statusLine != line {
				t.Errorf("status %q, want %q", line, rec.statusLine)
			}
			if want := contentFields(rec.fields); fieldsString(got) != fieldsString(want) {
				t.Errorf("head fields differ\n got:\n%s want:\n%s", fieldsString(got), fieldsString(want))
			}
			if !bytes.Equal(body, rec.body) {
				t.Errorf("body differs\n got: %q\nwant: %q", body, rec.body)
			}
		})
	}
}

func TestStaticDateParse(t *testing.T) {
	const want = 1711016430 // Thu, 21 Mar 2024 10:20:30 GMT
	for s, w := range map[string]int64{
		"Thu, 21 Mar 2024 10:20:30 GMT":       want,
		"Thu, 21 Mar 2024 10:20:30":           0, // the mask wants a space after the time
		"  Thu, 21 Mar 2024 10:20:30 GMT":     want,
		"Thursday, 21-Mar-24 10:20:30 GMT":    want,
		"Thu Mar 21 10:20:30 2024":            want,
		"Thu Mar  1 10:20:30 2024":            1709288430,
		"Thu, 1 Mar 2024 10:20:30 GMT":        1709288430,
		"Xyz, 21 Mar 2024 10:20:30 GMT":       want, // the weekday is not read
		"Thu, 21 Mar 2024 10:20:61 GMT":       want + 31,
		"Thu, 21 Mar 2024 24:00:00 GMT":       0,
		"Thu, 31 Apr 2024 10:20:30 GMT":       0,
		"Thu, 29 Feb 2023 10:20:30 GMT":       0,
		"Thu, 29 Feb 2024 00:00:00 GMT":       1709164800,
		"Thu, 21 mar 2024 10:20:30 GMT":       0,
		"Thu, 21 Mar 1969 10:20:30 GMT":       0,
		"Thu, 21 Mar 1800 10:20:30 GMT":       0,
		"Thu,21 Mar 2024 10:20:30 GMT":        0,
		"Thursday, 21-Mar-69 10:20:30 GMT":    3131086830, // 2069
		"":                                    0,
		"yesterday":                           0,
		"Thu, 21 Mar 2024 10:20:30 GMT trail": want,
	} {
		if got := aprDateParseHTTP(s) / 1e6; got != w {
			t.Errorf("%q: %d, want %d", s, got, w)
		}
	}
}

func TestStaticFindETag(t *testing.T) {
	const tag = `"25-6142"`
	for _, tc := range []struct {
		line string
		typ  etagMatch
		want bool
	}{
		{`"25-6142"`, etagStrong, true},
		{`"25-6142"`, etagWeak, true},
		{`W/"25-6142"`, etagWeak, true},
		{`W/"25-6142"`, etagStrong, false},
		{`"a", "25-6142"`, etagStrong, true},
		{`"a" ,  "25-6142" `, etagStrong, true},
		{`W/"a", "25-6142"`, etagStrong, false}, // a strong search stops at a weak tag
		{`"25-6142x"`, etagStrong, false},
		{`"25-614"`, etagStrong, false},
		{`"25-6142", "b"`, etagWeak, true},
		{`"25-6142`, etagStrong, false},
		{`25-6142`, etagStrong, false},
		{``, etagWeak, false},
	} {
		if got := findETag(tc.line, tag, tc.typ); got != tc.want {
			t.Errorf("findETag(%q, %v) = %v", tc.line, tc.typ, got)
		}
	}
	if !findETag(`W/"x"`, `W/"x"`, etagWeak) || findETag(`W/"x"`, `W/"x"`, etagStrong) {
		t.Error("weak tag against weak tag")
	}
}

func TestStaticByteRanges(t *testing.T) {
	for _, tc := range []struct {
		spec string
		n    int
		want []byteRange
	}{
		{"bytes=0-4", 1, []byteRange{{0, 4}}},
		{"bytes=-5", 1, []byteRange{{32, 36}}},
		{"bytes=0-4,6-8", 2, []byteRange{{0, 4}, {6, 8}}},
		{"bytes=0-4,5-8", 1, []byteRange{{0, 8}}},
		{"bytes=6-8,0-5", 1, []byteRange{{0, 8}}},
		{"bytes=5-9,0-,20-22", 1, []byteRange{{0, 36}}},
		{"bytes=100-", -1, nil},
		{"bytes=0-4,,6-8", 2, []byteRange{{0, 4}, {6, 8}}},
		{"bytes=0-4,", 1, []byteRange{{0, 4}}},
		{"bytes=0-4;x", 0, nil},
		{"bytes=+1-4", 0, nil},
		{"bytes=1-4-", 0, nil},
		{"bytes=99999999999999999999-", 0, nil},
	} {
		c := &condInput{headers: Fields{{Name: "Range", Value: tc.spec}}}
		got, n, _, _ := parseByteRanges(c, 37)
		if n != tc.n || len(got) != len(tc.want) {
			t.Errorf("%q: %v %d, want %v %d", tc.spec, got, n, tc.want, tc.n)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%q: %v, want %v", tc.spec, got, tc.want)
			}
		}
	}
}

func TestStaticETagComponents(t *testing.T) {
	root := t.TempDir()
	p := filepath.Join(root, "f.txt")
	if err := os.WriteFile(p, []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mt := time.Date(2024, 3, 21, 10, 20, 30, 123456000, time.UTC)
	if err := os.Chtimes(p, mt, mt); err != nil {
		t.Fatal(err)
	}
	serve := func(bits etagComponents) string {
		resp, err := serveFile(&fileRequest{Method: "HEAD", Filename: p, RequestTime: mt.Add(time.Hour), FileETag: bits})
		if err != nil {
			t.Fatal(err)
		}
		v, _ := headerIn(resp.Headers, "ETag")
		return v
	}
	if got := serve(0); got != `"6-614290e85b9c0"` {
		t.Errorf("default: %s", got)
	}
	if got := serve(etagSize); got != `"6"` {
		t.Errorf("size: %s", got)
	}
	if got := serve(etagNone); got != "" {
		t.Errorf("none: %s", got)
	}
	if got := serve(etagDigest); got != `"9XLTlvrpIGYocU+yzgD3LpTyJY8="` {
		t.Errorf("digest: %s", got)
	}
	if got := serve(etagInode | etagMTime); !strings.HasSuffix(got, `-614290e85b9c0"`) || strings.Count(got, "-") != 1 {
		t.Errorf("inode mtime: %s", got)
	}
}

func TestStaticMaxRanges(t *testing.T) {
	root := t.TempDir()
	p := filepath.Join(root, "f.txt")
	if err := os.WriteFile(p, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := Fields{{Name: "Range", Value: "bytes=0-1,3-4"}}
	for _, tc := range []struct {
		max    int
		status int
		accept string
	}{
		{rangesDefault, 206, "bytes"},
		{rangesNone, 200, "none"},
		{1, 200, "bytes"},
		{2, 206, "bytes"},
		{rangesUnlimited, 206, "bytes"},
	} {
		resp, err := serveFile(&fileRequest{Method: "GET", Filename: p, HeadersIn: h, RequestTime: time.Now(), MaxRanges: tc.max, Boundary: "b"})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		a, _ := headerIn(resp.Headers, "Accept-Ranges")
		if resp.Status != tc.status || a != tc.accept {
			t.Errorf("MaxRanges %d: %d %s", tc.max, resp.Status, a)
		}
	}
}

func TestStaticEscapePath(t *testing.T) {
	if got := osEscapePath("/a b/ü?#%;:@&=$,~"); got != "/a%20b/%c3%bc%3f%23%25;:@&=$,~" {
		t.Errorf("osEscapePath: %q", got)
	}
}

func TestStaticBoundary(t *testing.T) {
	b := newMultipartBoundary()
	if len(b) == 0 || len(b) > 16 || strings.Trim(b, "0123456789abcdef") != "" || b[0] == '0' && len(b) > 1 {
		t.Errorf("boundary %q", b)
	}
}

// FuzzStaticParsers feeds request header values to the parsers that read
// them: none may panic, and ranges stay inside the body.
func FuzzStaticParsers(f *testing.F) {
	for _, s := range []string{
		"bytes=0-4,10-12", "bytes=-5", "bytes=0-", `"a", W/"b"`, `W/"x" (c) "y"`,
		"Thu, 21 Mar 2024 10:20:30 GMT", "Thu Mar  1 10:20:30 2024", "text/html; a=\"b\\\"c\"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		aprDateParseHTTP(s)
		findETag(s, `"25-6142"`, etagStrong)
		findETag(s, `W/"25-6142"`, etagWeak)
		findETag(`"a", "b"`, s, etagWeak)
		if a, ok := analyzeCT(s); ok {
			_ = a
			normalizeContentType(s, "utf-8", true)
		}
		c := &condInput{headers: Fields{{Name: "Range", Value: s}, {Name: "If-Range", Value: s}}, etag: `"x"`}
		ranges, n, _, _ := parseByteRanges(c, 37)
		if n > 0 && len(ranges) != n {
			t.Fatalf("%q: %d ranges, n=%d", s, len(ranges), n)
		}
		for _, r := range ranges {
			if r.start < 0 || r.end >= 37 || r.start > r.end {
				t.Fatalf("%q: range %v", s, r)
			}
		}
		meetsConditions(&condInput{method: "GET", headers: Fields{
			{Name: "If-None-Match", Value: s}, {Name: "If-Modified-Since", Value: s},
			{Name: "If-Match", Value: s}, {Name: "If-Unmodified-Since", Value: s},
		}, etag: `"x"`, lastMod: 1711016430, requestTime: 1711016490})
	})
}
