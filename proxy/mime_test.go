package proxy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMimeSystemTypes reads the /etc/mime.types Debian's apache2 uses
// (package media-types). It fails, rather than skips, when the file is
// missing: the golden tests need it too.
func TestMimeSystemTypes(t *testing.T) {
	if _, err := os.Stat("/etc/mime.types"); err != nil {
		t.Fatalf("/etc/mime.types is missing (%v): on Debian, apt-get install media-types", err)
	}
	types := systemMimeTypes(t)
	for ext, want := range map[string]string{
		"html": "text/html", "htm": "text/html", "txt": "text/plain", "css": "text/css",
		"png": "image/png", "json": "application/json", "gz": "application/gzip", "csv": "text/csv",
	} {
		if got, ok := types.lookup(ext); !ok || got != want {
			t.Errorf("%s: %q %v, want %q", ext, got, ok, want)
		}
	}
	if len(types.byExt) < 500 {
		t.Errorf("only %d extensions read", len(types.byExt))
	}
}

func TestMimeTypesConfigPath(t *testing.T) {
	for _, tc := range []struct{ root, setting, want string }{
		{"/etc/apache2", "", "/etc/apache2/mime.types"},
		{"/etc/apache2", "/etc/mime.types", "/etc/mime.types"},
		{"/srv", "conf/types", "/srv/conf/types"},
	} {
		if got := typesConfigPath(tc.root, tc.setting); got != tc.want {
			t.Errorf("typesConfigPath(%q, %q) = %q", tc.root, tc.setting, got)
		}
	}
}

func TestMimeParse(t *testing.T) {
	const file = "# comment\n" +
		"text/html html htm\n" +
		"   # indented comment\n" +
		"\n" +
		"application/X-Thing  THING\tthg \\\n" +
		"  cont\r\n" +
		"text/plain txt html\n" + // a later line wins
		"\"quoted/type\" 'q e'\n" +
		"bare/type\n" +
		"last/type last" // no final newline
	types, err := parseMimeTypes(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	for ext, want := range map[string]string{
		"htm": "text/html", "html": "text/plain", "thing": "application/X-Thing",
		"thg": "application/X-Thing", "cont": "application/X-Thing", "txt": "text/plain",
		"q e": "quoted/type", "last": "last/type",
	} {
		if got, ok := types.lookup(ext); !ok || got != want {
			t.Errorf("%q: %q %v, want %q", ext, got, ok, want)
		}
	}
	if len(types.byExt) != 8 {
		t.Errorf("extensions: %v", types.byExt)
	}
	// httpd stops reading at a line of MAX_STRING_LEN bytes or more.
	long := "a/b first\n" + "c/d " + strings.Repeat("x", mimeMaxLine) + "\nlater/type later\n"
	types, err = parseMimeTypes(strings.NewReader(long))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := types.lookup("later"); ok {
		t.Error("read past an over-long line")
	}
	if _, ok := types.lookup("first"); !ok {
		t.Error("lost the line before an over-long one")
	}
	if _, err := loadMimeTypes(filepath.Join(t.TempDir(), "none")); err == nil {
		t.Error("no error for a missing file")
	}
}

func TestMimeFind(t *testing.T) {
	types, err := parseMimeTypes(strings.NewReader(
		"text/html html\ntext/plain txt\napplication/gzip gz\nimage/png png\n" +
			"application/x-odd  odd\ntext/x-p;charset=latin1 p\nbroken broken\n"))
	if err != nil {
		t.Fatal(err)
	}
	conf := &mimeDirConfig{}
	conf.AddType("application/x-gzip", ".gz")
	conf.AddType("text/x-Own; q=\"a b\"", "own")
	conf.AddEncoding("gzip", "gzip")
	conf.AddEncoding("x-compress", "Z")
	conf.AddLanguage("en", ".en")
	conf.AddLanguage("fr", ".FR")
	conf.AddCharset("UTF-8", ".utf8")
	conf.RemoveType(".txt")
	for _, tc := range []struct {
		name          string
		ct, enc, lang string
	}{
		{"/d/a.html", "text/html", "", ""},
		{"/d/A.HTML", "text/html", "", ""},
		{"/d/a.html.gz", "application/x-gzip", "", ""},
		{"/d/a.gz.html", "text/html", "", ""},
		{"/d/a.html.gzip", "text/html", "gzip", ""},
		{"/d/a.html.gzip.Z", "text/html", "gzip, x-compress", ""},
		{"/d/a.en.fr.html", "text/html", "", "en,fr"},
		{"/d/a.txt", "", "", ""}, // RemoveType hides the TypesConfig entry
		{"/d/a.html.txt", "text/html", "", ""},
		{"/d/html", "", "", ""}, // the base name is never an extension
		{"/d/.html", "", "", ""},
		{"/d/..html.png", "image/png", "", ""},
		{"/d/bad..html", "text/html", "", ""},
		{"/d/a.html.", "text/html", "", ""},
		{"/d/a.html.nope", "text/html", "", ""},
		{"/d.html/noext", "", "", ""},
		{"/d/a.utf8.html", "text/html; charset=utf-8", "", ""},
		{"/d/a.p.utf8", "text/x-p; charset=utf-8", "", ""},
		{"/d/a.p", "text/x-p; charset=latin1", "", ""},
		{"/d/a.own", "text/x-own; q=\"a b\"", "", ""},
		{"/d/a.odd", "application/x-odd", "", ""},
		{"/d/a.broken.utf8", "broken", "", ""}, // not analysable: kept, no charset
		{"/d/a.utf8", "", "", ""},
	} {
		r := types.find(tc.name, conf)
		if r.ContentType != tc.ct || r.Encoding != tc.enc || strings.Join(r.Languages, ",") != tc.lang {
			t.Errorf("%s: %q %q %q, want %q %q %q", tc.name, r.ContentType, r.Encoding,
				strings.Join(r.Languages, ","), tc.ct, tc.enc, tc.lang)
		}
	}
	conf.DefaultLanguage = "de"
	if r := types.find("/a.html", conf); strings.Join(r.Languages, ",") != "de" {
		t.Errorf("DefaultLanguage: %q", r.Languages)
	}
	if r := types.find("/a.en.html", conf); strings.Join(r.Languages, ",") != "en" {
		t.Errorf("DefaultLanguage with a language: %q", r.Languages)
	}
	if r := types.find("/a.html", nil); r.ContentType != "text/html" {
		t.Errorf("nil config: %q", r.ContentType)
	}
	var none *mimeTypes
	if r := none.find("/a.html", nil); r.ContentType != "" {
		t.Errorf("nil table: %q", r.ContentType)
	}
}

func TestMimeAnalyzeCT(t *testing.T) {
	for _, tc := range []struct {
		in, out string // out "" when analyze_ct fails
	}{
		{"text/html", "text/html"},
		{" text/html ", "text/html"},
		{"text/html;charset=x", "text/html; charset=x"},
		{"text/html ; a = b;c=\"d;e\"", "text/html; a=b; c=\"d;e\""},
		{"text/html; a=b ;c=d", ""}, // white space after a value
		{"text /html", "text /html"},
		{"text/ html", "text/html"},
		{"text/html junk", "text/html"},
		{"text", ""},
		{"text;x", ""},
		{"text/", ""},
		{"/x", ""},
		{"", ""},
		{"text/html;", ""},
		{"text/html; =b", ""},
		{"text/html; a=", ""},
		{"text/html; a=b c", ""},
		{"text/html; a=\"b\" c", ""},
		{"text/html; a=\"b", "text/html; a=\"b"},
		{"text/html; a", "text/html"},
	} {
		a, ok := analyzeCT(tc.in)
		got := ""
		if ok {
			got = normalizeContentType(tc.in, "", false)
			_ = a
		}
		if got != tc.out {
			t.Errorf("%q: %q, want %q", tc.in, got, tc.out)
		}
	}
	if got := normalizeContentType("text/html; a=1; charset=x; charset=y", "utf-8", true); got != "text/html; a=1; charset=utf-8" {
		t.Errorf("charset replacement: %q", got)
	}
}

func TestMimeMakeContentType(t *testing.T) {
	for _, tc := range []struct{ ct, cs, want string }{
		{"text/plain", "", "text/plain"},
		{"text/plain", "utf-8", "text/plain; charset=utf-8"},
		{"text/html", "iso-8859-1", "text/html; charset=iso-8859-1"},
		{"application/xhtml+xml", "utf-8", "application/xhtml+xml"},
		{"text/plain; charset=x", "utf-8", "text/plain; charset=x"},
		{"x/text/plainish", "utf-8", "x/text/plainish; charset=utf-8"},
		{"", "utf-8", ""},
	} {
		if got := makeContentType(tc.ct, tc.cs); got != tc.want {
			t.Errorf("makeContentType(%q, %q) = %q", tc.ct, tc.cs, got)
		}
	}
}

func TestMimeMerge(t *testing.T) {
	base := &mimeDirConfig{}
	base.AddType("text/x-a", "a")
	base.AddLanguage("en", "a")
	base.AddEncoding("gzip", "gz")
	add := &mimeDirConfig{DefaultLanguage: "fr"}
	add.AddCharset("utf-8", "a")
	add.Remove(mimeFieldLanguage, ".A")
	add.Remove(mimeFieldEncoding, "gz")
	m := mergeMimeDirConfig(base, add)
	a := m.Ext["a"]
	if a == nil || a.Type != "text/x-a" || a.HasLanguage || a.Charset != "utf-8" || m.DefaultLanguage != "fr" {
		t.Errorf("merged: %+v %q", a, m.DefaultLanguage)
	}
	if g := m.Ext["gz"]; g == nil || g.HasEncoding {
		t.Errorf("RemoveEncoding: %+v", g)
	}
	if base.Ext["a"].Language != "en" || !base.Ext["gz"].HasEncoding {
		t.Error("merge changed its base")
	}
	if m := mergeMimeDirConfig(nil, nil); m == nil || m.Ext != nil {
		t.Errorf("empty merge: %+v", m)
	}
}

// TestMimeGolden checks find against the Content-Type, Content-Encoding
// and Content-Language Apache sent for the files of testdata/apache/htdocs.
func TestMimeGolden(t *testing.T) {
	types := systemMimeTypes(t)
	conf := testMimeConfig()
	n := 0
	for _, c := range loadApacheCases(t, "static_type") {
		if strings.Contains(c.name, "range") || strings.HasPrefix(c.info.Path, "cs/") {
			continue
		}
		rec := parseRawResponse(t, c.response)
		r := types.find(c.info.Path, conf)
		ct, _ := headerIn(rec.fields, "Content-Type")
		enc, _ := headerIn(rec.fields, "Content-Encoding")
		lang, _ := headerIn(rec.fields, "Content-Language")
		if r.ContentType != ct || r.Encoding != enc || strings.Join(r.Languages, ",") != lang {
			t.Errorf("%s: %q %q %q, Apache sent %q %q %q", c.info.Path, r.ContentType, r.Encoding,
				strings.Join(r.Languages, ","), ct, enc, lang)
		}
		n++
	}
	if n < 15 {
		t.Errorf("only %d type cases", n)
	}
}
