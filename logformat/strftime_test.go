package logformat

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

//go:generate sh -c "sh testdata/tz/zoneinfo.sh && gcc -std=gnu11 -O2 -Wall -o /tmp/logformat-strftime-gen testdata/strftime/gen.c && /tmp/logformat-strftime-gen > testdata/strftime/golden.tsv"

// testTZDIR holds copies of the tzfiles the golden data was made with.
const testTZDIR = "testdata/tz/zoneinfo"

// goldenRow is one line of a golden TSV file written by a gen.c program:
// quoted fields unquoted, others as they are.
type goldenRow struct {
	line   int
	fields []string
}

// readGolden reads a golden TSV file, skipping '#' comment lines.
func readGolden(tb testing.TB, path string, nfields int) []goldenRow {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatalf("golden data: %v", err)
	}
	defer f.Close()
	var rows []goldenRow
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Split(text, "\t")
		if len(fields) != nfields {
			tb.Fatalf("%s:%d: %d fields, want %d", path, n, len(fields), nfields)
		}
		for i, fld := range fields {
			if strings.HasPrefix(fld, `"`) {
				u, err := strconv.Unquote(fld)
				if err != nil {
					tb.Fatalf("%s:%d: field %d: %v", path, n, i+1, err)
				}
				fields[i] = u
			}
		}
		rows = append(rows, goldenRow{line: n, fields: fields})
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	if len(rows) == 0 {
		tb.Fatalf("%s: no rows", path)
	}
	return rows
}

// needZoneinfo fails the test when the system's zone database, which a
// few cases read, is missing: they need the tzdata package.
func needZoneinfo(tb testing.TB) {
	tb.Helper()
	for _, z := range []string{"UTC", "Etc/UTC", "Universal", "Asia/Kolkata", "Asia/Tokyo"} {
		if _, err := os.Stat(tzDefaultDir + "/" + z); err != nil {
			tb.Fatalf("this test needs the IANA zone files in %s (Debian package tzdata): %v", tzDefaultDir, err)
		}
	}
}

// zoneCache loads each TZ value once.
type zoneCache map[string]*time.Location

func (c zoneCache) get(tb testing.TB, tz string) *time.Location {
	tb.Helper()
	if loc, ok := c[tz]; ok {
		return loc
	}
	loc, err := LoadTZ(tz)
	if err != nil {
		tb.Fatalf("LoadTZ(%q): %v", tz, err)
	}
	c[tz] = loc
	return loc
}

func shorten(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// TestStrftimeGolden renders every row of testdata/strftime/golden.tsv, which
// gen.c took from glibc's strftime, and expects the same bytes.
func TestStrftimeGolden(t *testing.T) {
	t.Setenv("TZDIR", testTZDIR)
	rows := readGolden(t, "testdata/strftime/golden.tsv", 5)
	zones := zoneCache{}
	for _, r := range rows {
		tz, layout, want := r.fields[0], r.fields[2], r.fields[4]
		unix, err := strconv.ParseInt(r.fields[1], 10, 64)
		if err != nil {
			t.Fatalf("line %d: %v", r.line, err)
		}
		ret, err := strconv.Atoi(r.fields[3])
		if err != nil || ret != len(want) {
			t.Fatalf("line %d: return value %q does not match the output length %d", r.line, r.fields[3], len(want))
		}
		loc := zones.get(t, tz)
		name := fmt.Sprintf("%d/%s/%d/%q", r.line, tz, unix, shorten(layout, 40))
		t.Run(name, func(t *testing.T) {
			got := compileStrftime(layout).append(nil, time.Unix(unix, 0).In(loc))
			if string(got) != want {
				t.Errorf("strftime(%q) at %d in TZ=%q = %q, want %q", shorten(layout, 200), unix, tz, shorten(string(got), 200), shorten(want, 200))
			}
		})
	}
}

// TestStrftimeApacheCorpus checks the examples from the Apache corpus.
func TestStrftimeApacheCorpus(t *testing.T) {
	t.Setenv("TZDIR", testTZDIR)
	when := time.Date(2026, 11, 21, 22, 12, 27, 238671000, time.UTC)
	tests := []struct {
		name, tz, layout, want string
	}{
		{"iso8601", "UTC", "%Y-%m-%dT%H:%M:%S%z", "2026-11-21T22:12:27+0000"},
		{"names", "UTC", "%a %A %b %B", "Sat Saturday Nov November"},
		{"locale", "UTC", "%c", "Sat Nov 21 22:12:27 2026"},
		{"zone", "UTC", "%Z", "UTC"},
		{"epoch", "UTC", "%s", "1795299147"},
		{"percent", "UTC", "%%", "%"},
		{"unknown", "UTC", "%Q", "%Q"},
		{"numbers", "UTC", "%j %U %u %e %k %l %p", "325 46 6 21 22 10 PM"},
		{"literal", "UTC", "literal text", "literal text"},
		{"offset half hour", "America/St_Johns", "%z", "-0330"},
		{"zone half hour", "America/St_Johns", "%Z", "NST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc, err := LoadTZ(tt.tz)
			if err != nil {
				t.Fatal(err)
			}
			got := string(compileStrftime(tt.layout).append(nil, when.In(loc)))
			if got != tt.want {
				t.Errorf("strftime(%q) = %q, want %q", tt.layout, got, tt.want)
			}
		})
	}
}

// TestStrftimeAppends checks that output is appended to what dst holds,
// and that a failed rendering leaves dst as it was.
func TestStrftimeAppends(t *testing.T) {
	when := time.Date(2026, 11, 21, 22, 12, 27, 0, time.UTC)
	tests := []struct {
		name, layout, want string
	}{
		{"fits", "%Y", "prefix 2026"},
		{"too long", "%8192Y", "prefix "},
		{"too long late", "%Y%8190Y", "prefix "},
		{"empty", "", "prefix "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := compileStrftime(tt.layout).append([]byte("prefix "), when)
			if string(got) != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestStrftimeNUL checks that a NUL ends the layout, as in C.
func TestStrftimeNUL(t *testing.T) {
	when := time.Date(2026, 11, 21, 22, 12, 27, 0, time.UTC)
	got := string(compileStrftime("%Y\x00%m").append(nil, when))
	if got != "2026" {
		t.Errorf("got %q, want %q", got, "2026")
	}
}

// TestStrftimeAllocs checks that rendering allocates nothing when dst has
// room.
func TestStrftimeAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	t.Setenv("TZDIR", testTZDIR)
	loc, err := LoadTZ("America/St_Johns")
	if err != nil {
		t.Fatal(err)
	}
	when := time.Date(2026, 11, 21, 22, 12, 27, 0, time.UTC).In(loc)
	tests := []struct {
		name, layout string
	}{
		{"every conversion", "%a %A %b %B %c %C %d %D %e %F %g %G %h %H %I %j %k %l %m %M %n %p %P %r %R %s %S %t %T %u %U %V %w %W %x %X %y %Y %z %Z %%"},
		{"flags", "%^a %#Z %-d %_H %010Y %^c %20c %-10z %_6s %Q %5Q %"},
		{"overflow", "%Y%8191d"},
	}
	buf := make([]byte, 0, 2*strftimeMax)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := compileStrftime(tt.layout)
			if n := testing.AllocsPerRun(100, func() { buf = s.append(buf[:0], when) }); n != 0 {
				t.Errorf("%v allocations per call, want 0", n)
			}
		})
	}
}

// FuzzStrftime renders arbitrary layouts at arbitrary times: it must not
// panic, and must produce at most strftimeMax bytes.
func FuzzStrftime(f *testing.F) {
	f.Setenv("TZDIR", testTZDIR)
	for i, r := range readGolden(f, "testdata/strftime/golden.tsv", 5) {
		if i%7 == 0 {
			unix, _ := strconv.ParseInt(r.fields[1], 10, 64)
			f.Add(r.fields[2], unix, uint8(i))
		}
	}
	var locs []*time.Location
	for _, tz := range []string{"UTC", "America/St_Johns", "JLS-5:30:45", "garbage", "<-00>0:0:30"} {
		loc, err := LoadTZ(tz)
		if err != nil {
			f.Fatal(err)
		}
		locs = append(locs, loc)
	}
	f.Fuzz(func(t *testing.T, layout string, unix int64, zone uint8) {
		when := time.Unix(unix, 0).In(locs[int(zone)%len(locs)])
		s := compileStrftime(layout)
		got := s.append([]byte("x"), when)
		if len(got)-1 > strftimeMax {
			t.Fatalf("strftime(%q) gave %d bytes", layout, len(got)-1)
		}
		if string(got[:1]) != "x" {
			t.Fatalf("strftime(%q) overwrote dst", layout)
		}
		if again := s.append(nil, when); string(again) != string(got[1:]) {
			t.Fatalf("strftime(%q) is not deterministic", layout)
		}
	})
}

func BenchmarkStrftime(b *testing.B) {
	b.Setenv("TZDIR", testTZDIR)
	loc, err := LoadTZ("America/St_Johns")
	if err != nil {
		b.Fatal(err)
	}
	when := time.Date(2026, 11, 21, 22, 12, 27, 0, time.UTC).In(loc)
	for _, layout := range []string{"%Y-%m-%dT%H:%M:%S%z", "%c %Z", "%s"} {
		b.Run(layout, func(b *testing.B) {
			s := compileStrftime(layout)
			buf := make([]byte, 0, 64)
			b.ReportAllocs()
			for b.Loop() {
				buf = s.append(buf[:0], when)
			}
		})
	}
}
