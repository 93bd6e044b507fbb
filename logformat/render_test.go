package logformat

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// renderCase is one file of testdata/render: see its README.
type renderCase struct {
	format string
	tz     string
	rec    Record
	want   string
}

func readRenderCase(t *testing.T, path string) renderCase {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	head, tail, ok := strings.Cut(string(data), "\n-----\n")
	if !ok {
		t.Fatalf("%s: no ----- separator", path)
	}
	var c renderCase
	head, recJSON, ok := strings.Cut(head, "record:\n")
	if !ok {
		t.Fatalf("%s: no record: line", path)
	}
	for line := range strings.SplitSeq(head, "\n") {
		switch {
		case strings.HasPrefix(line, "format: "):
			c.format = strings.TrimPrefix(line, "format: ")
		case strings.HasPrefix(line, "tz: "):
			c.tz = strings.TrimPrefix(line, "tz: ")
		}
	}
	if err := json.Unmarshal([]byte(recJSON), &c.rec); err != nil {
		t.Fatalf("%s: record: %v", path, err)
	}
	latin1Strings(reflect.ValueOf(&c.rec).Elem())
	c.want, err = strconv.Unquote(strings.TrimSpace(tail))
	if err != nil {
		t.Fatalf("%s: expected line: %v", path, err)
	}
	return c
}

// latin1Strings turns every string reachable from v from Latin-1 text into
// the bytes it stands for (see testdata/render/README).
func latin1Strings(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		b := make([]byte, 0, len(s))
		for _, r := range s {
			b = append(b, byte(r))
		}
		v.SetString(string(b))
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				latin1Strings(v.Field(i))
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			latin1Strings(v.Index(i))
		}
	case reflect.Pointer:
		if !v.IsNil() {
			latin1Strings(v.Elem())
		}
	}
}

// TestRenderCorpus renders every case taken from the conformance corpus and
// compares it with the line Apache httpd wrote.
func TestRenderCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/render/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 50 {
		t.Fatalf("found %d render cases, want at least 50", len(files))
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".txt")
		t.Run(name, func(t *testing.T) {
			c := readRenderCase(t, path)
			loc, err := LoadTZ(c.tz)
			if err != nil {
				t.Fatalf("LoadTZ(%q): %v", c.tz, err)
			}
			f, err := Compile(c.format, &Options{Location: loc})
			if err != nil {
				t.Fatalf("Compile(%q): %v", c.format, err)
			}
			got := string(f.Append(nil, &c.rec))
			if got != c.want {
				t.Errorf("Append(%q)\n got %q\nwant %q", c.format, got, c.want)
			}
			// Rendering twice (now from the %t cache) gives the same line.
			if again := string(f.Append(nil, &c.rec)); again != got {
				t.Errorf("second Append = %q, first %q", again, got)
			}
		})
	}
}

func TestAppendKeepsDst(t *testing.T) {
	f := MustCompile("%>s %U")
	r := &Record{Final: Request{Status: 200, URI: "/a"}}
	dst := []byte("prefix:")
	got := string(f.Append(dst, r))
	if got != "prefix:200 /a\n" {
		t.Errorf("Append = %q, want %q", got, "prefix:200 /a\n")
	}
}

// TestRequestLineEmpty: %r logs "-" for a request line never read
// (r->the_request NULL) and nothing for one read empty, as httpd does for
// a line whose first byte is a NUL.
func TestRequestLineEmpty(t *testing.T) {
	f := MustCompile(`"%r" %>r`)
	tests := []struct {
		name string
		q    Request
		want string
	}{
		{"not read", Request{}, `"-" -` + "\n"},
		{"read empty", Request{LineRead: true}, `"" ` + "\n"},
		{"read", Request{Line: "GET / HTTP/1.1", LineRead: true}, `"GET / HTTP/1.1" GET / HTTP/1.1` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(f.Append(nil, &Record{Final: tt.q})); got != tt.want {
				t.Errorf("%q, want %q", got, tt.want)
			}
		})
	}
}

func TestEscaped(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "abc def", "abc def"},
		{"quote and backslash", `a"b\c`, `a\"b\\c`},
		{"short escapes", "\b\t\n\v\r", `\b\t\n\v\r`},
		{"form feed is hex", "\f", `\x0c`},
		{"nul", "a\x00b", `a\x00b`},
		{"del and high bytes", "\x7f\x80\xff", `\x7f\x80\xff`},
		{"utf-8", "é", `\xc3\xa9`},
		{"printable edge", " ~", " ~"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendEscaped(nil, tt.in)); got != tt.want {
				t.Errorf("appendEscaped(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestEscapedNeverRaw checks, on every byte value, the properties that
// matter for log integrity: an escaped value holds only printable ASCII, no
// quote that a reader could take for a delimiter, and unescapes to the
// original bytes.
func TestEscapedNeverRaw(t *testing.T) {
	var all []byte
	for c := 0; c < 256; c++ {
		all = append(all, byte(c), 'a')
	}
	out := appendEscaped(nil, string(all))
	for i, c := range out {
		if c < 0x20 || c > 0x7e {
			t.Fatalf("byte %#x at %d left raw in %q", c, i, out)
		}
	}
	if bytes.Contains(bytes.ReplaceAll(out, []byte(`\\`), nil), []byte(`"`)) {
		if bytes.Count(out, []byte(`"`)) != bytes.Count(out, []byte(`\"`)) {
			t.Fatalf("a quote without its backslash in %q", out)
		}
	}
	if back := unescape(string(out)); back != string(all) {
		t.Fatalf("unescape(appendEscaped(x)) != x:\n got %q\nwant %q", back, all)
	}
}

func TestStatusConditions(t *testing.T) {
	tests := []struct {
		format string
		status int
		want   string
	}{
		{"%200s", 200, "200"},
		{"%200s", 404, "-"},
		{"%!200s", 200, "-"},
		{"%!200s", 500, "500"},
		{"%!!200s", 200, "200"}, // a second ! cancels the first
		{"%,200,s", 200, "200"}, // commas are skipped
		{"%2000s", 200, "-"},    // one number, not 200 and a 0
		{"%200{bogus}T", 200, "bogus"},
		{"%200{bogus}T", 201, "-"},
	}
	for _, tt := range tests {
		t.Run(tt.format+"/"+strconv.Itoa(tt.status), func(t *testing.T) {
			f := MustCompile(tt.format)
			got := string(f.Append(nil, &Record{Final: Request{Status: tt.status}}))
			if got != tt.want+"\n" {
				t.Errorf("%q with status %d = %q, want %q", tt.format, tt.status, got, tt.want+"\n")
			}
		})
	}
}

func TestOrigAndFinal(t *testing.T) {
	r := &Record{
		Final: Request{Status: 404, URI: "/errdoc.html", Filename: "/f", Handler: "h2"},
		Orig:  &Request{Status: 302, URI: "/missing", Filename: "/o", Handler: "h1"},
	}
	tests := []struct{ format, want string }{
		{"%s %>s %<s", "302 404 302"},
		{"%U %>U %<U", "/missing /errdoc.html /missing"},
		{"%f %<f %>f", "/f /o /f"},
		{"%R %>R", "h1 h2"},
		{"%<>s %><s", "404 302"}, // the last of < and > wins
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			if got := string(MustCompile(tt.format).Append(nil, r)); got != tt.want+"\n" {
				t.Errorf("%q = %q, want %q", tt.format, got, tt.want+"\n")
			}
		})
	}
}

func TestDurations(t *testing.T) {
	begin := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r := &Record{Begin: begin, End: begin.Add(2*time.Second + 345678*time.Microsecond)}
	f := MustCompile("%D|%T|%{s}T|%{MS}T|%{us}T|%{US}T|%{x}T")
	want := "2345678|2|2|2345|2345678|2345678|x\n"
	if got := string(f.Append(nil, r)); got != want {
		t.Errorf("durations = %q, want %q", got, want)
	}
}

// TestEscapedEveryBytePosition: the eight-bytes-at-a-time path escapes
// exactly as the byte-at-a-time rule (escapeOne) does, for every byte
// value at every place of strings of 0 to 24 bytes, and for two such bytes
// in one word.
func TestEscapedEveryBytePosition(t *testing.T) {
	escapeOne := func(s string) string {
		var b []byte
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case logSafe[c]:
				b = append(b, c)
			case escapeShort[c] != 0:
				b = append(b, '\\', escapeShort[c])
			default:
				b = append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
			}
		}
		return string(b)
	}
	base := "Mozilla/5.0 (X11) Gecko"
	for n := 0; n <= 24; n++ {
		plain := (base + base)[:n]
		if got, want := string(appendEscaped(nil, plain)), escapeOne(plain); got != want {
			t.Fatalf("%q: %q, want %q", plain, got, want)
		}
		for pos := 0; pos < n; pos++ {
			for c := 0; c < 256; c++ {
				b := []byte(plain)
				b[pos] = byte(c)
				if pos+3 < n {
					b[pos+3] = '"'
				}
				s := string(b)
				if got, want := string(appendEscaped([]byte("x"), s)), "x"+escapeOne(s); got != want {
					t.Fatalf("byte %#x at %d of %d: %q, want %q", c, pos, n, got, want)
				}
			}
		}
	}
}
