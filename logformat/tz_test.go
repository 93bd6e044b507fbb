package logformat

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

//go:generate sh -c "sh testdata/tz/zoneinfo.sh && gcc -std=gnu11 -O2 -Wall -o /tmp/logformat-tz-gen testdata/tz/gen.c && /tmp/logformat-tz-gen > testdata/tz/golden.tsv"

// tzRow is a row of testdata/tz/golden.tsv.
type tzRow struct {
	line                 int
	tzdir                string // "-" when unset
	tz                   string
	unix                 int64
	local                string
	wday, yday           int
	isDST                bool
	offset               int
	zone, numZone, epoch string
}

func readTZGolden(tb testing.TB) []tzRow {
	tb.Helper()
	var rows []tzRow
	for _, r := range readGolden(tb, "testdata/tz/golden.tsv", 12) {
		f := r.fields
		row := tzRow{line: r.line, tzdir: f[0], tz: f[1], local: f[3], zone: f[8], numZone: f[9], epoch: f[10]}
		var err [5]error
		row.unix, err[0] = strconv.ParseInt(f[2], 10, 64)
		row.wday, err[1] = strconv.Atoi(f[4])
		row.yday, err[2] = strconv.Atoi(f[5])
		row.isDST = f[6] == "1"
		row.offset, err[3] = strconv.Atoi(f[7])
		for _, e := range err {
			if e != nil {
				tb.Fatalf("testdata/tz/golden.tsv:%d: %v", r.line, e)
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// setTZDIR sets or, for "-", unsets TZDIR for the rest of the test.
func setTZDIR(t *testing.T, dir string) {
	t.Setenv("TZDIR", dir)
	if dir == "-" {
		os.Unsetenv("TZDIR")
	}
}

// TestLoadTZGolden converts every time in testdata/tz/golden.tsv, which
// gen.c took from glibc's localtime_r and strftime, in the zone LoadTZ
// returns for its TZ value, and expects what glibc gave.
func TestLoadTZGolden(t *testing.T) {
	needZoneinfo(t)
	rows := readTZGolden(t)
	type key struct{ tzdir, tz string }
	groups := map[key][]tzRow{}
	var order []key
	for _, r := range rows {
		k := key{r.tzdir, r.tz}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	for _, k := range order {
		t.Run(fmt.Sprintf("TZDIR=%s/TZ=%q", k.tzdir, k.tz), func(t *testing.T) {
			setTZDIR(t, k.tzdir)
			loc, err := LoadTZ(k.tz)
			if err != nil {
				t.Fatalf("LoadTZ(%q): %v", k.tz, err)
			}
			for _, r := range groups[k] {
				t.Run(strconv.FormatInt(r.unix, 10), func(t *testing.T) {
					checkTZRow(t, loc, r)
				})
			}
		})
	}
}

func checkTZRow(t *testing.T, loc *time.Location, r tzRow) {
	t.Helper()
	when := time.Unix(r.unix, 0).In(loc)
	name, offset := when.Zone()
	got := tzRow{
		local:   fmt.Sprintf("%d-%02d-%02d %02d:%02d:%02d", when.Year(), int(when.Month()), when.Day(), when.Hour(), when.Minute(), when.Second()),
		wday:    int(when.Weekday()),
		yday:    when.YearDay() - 1,
		isDST:   when.IsDST(),
		offset:  offset,
		zone:    name,
		numZone: string(compileStrftime("%z").append(nil, when)),
		epoch:   string(compileStrftime("%s").append(nil, when)),
	}
	want := r
	want.line, want.tzdir, want.tz, want.unix = 0, "", "", 0
	if got != want {
		t.Errorf("line %d: TZ=%q at %d:\n got local=%q wday=%d yday=%d isdst=%v gmtoff=%d %%Z=%q %%z=%q %%s=%q\nwant local=%q wday=%d yday=%d isdst=%v gmtoff=%d %%Z=%q %%z=%q %%s=%q",
			r.line, r.tz, r.unix,
			got.local, got.wday, got.yday, got.isDST, got.offset, got.zone, got.numZone, got.epoch,
			want.local, want.wday, want.yday, want.isDST, want.offset, want.zone, want.numZone, want.epoch)
	}
}

// TestLocalZone checks that LocalZone follows TZ: set (even empty) it is
// LoadTZ of the value; unset it is /etc/localtime, or UTC named "UTC"
// when that file is not there, as glibc's tzset_internal has it.
func TestLocalZone(t *testing.T) {
	t.Setenv("TZDIR", testTZDIR)
	times := []time.Time{
		time.Date(1960, 1, 15, 12, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC),
		time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC),
		time.Date(2040, 7, 15, 12, 0, 0, 0, time.UTC),
	}
	same := func(t *testing.T, got, want *time.Location) {
		t.Helper()
		for _, when := range times {
			gn, go_ := when.In(got).Zone()
			wn, wo := when.In(want).Zone()
			if gn != wn || go_ != wo {
				t.Errorf("at %v: zone %q %d, want %q %d", when, gn, go_, wn, wo)
			}
		}
	}
	tests := []struct {
		name string
		tz   string // "unset" unsets TZ
		want string // the TZ value LoadTZ is to agree with
	}{
		{"named", "America/St_Johns", "America/St_Johns"},
		{"posix", "EST5EDT,M3.2.0,M11.1.0", "EST5EDT,M3.2.0,M11.1.0"},
		{"empty", "", "Universal"},
		{"unset", "unset", tzDefault},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("TZ", tt.tz)
			if tt.tz == "unset" {
				os.Unsetenv("TZ")
			}
			want, err := LoadTZ(tt.want)
			if err != nil {
				t.Fatal(err)
			}
			if tt.tz == "unset" {
				if _, err := os.Stat(tzDefault); err != nil {
					want = time.UTC
				}
			}
			same(t, LocalZone(), want)
		})
	}
}

// TestLoadTZDir checks that TZDIR decides where relative names are looked
// up, and that a zone outside it falls back to POSIX parsing.
func TestLoadTZDir(t *testing.T) {
	needZoneinfo(t)
	data, err := os.ReadFile(testTZDIR + "/Asia/Kolkata")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "My"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "My", "Zone"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TZDIR", dir)
	when := time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		tz     string
		name   string
		offset int
	}{
		{"My/Zone", "IST", 19800},
		{":My/Zone", "IST", 19800},
		{"Asia/Kolkata", "Asia", 0},
		{tzDefaultDir + "/Asia/Kolkata", "IST", 19800},
	}
	for _, tt := range tests {
		t.Run(tt.tz, func(t *testing.T) {
			loc, err := LoadTZ(tt.tz)
			if err != nil {
				t.Fatal(err)
			}
			if name, offset := when.In(loc).Zone(); name != tt.name || offset != tt.offset {
				t.Errorf("zone %q %d, want %q %d", name, offset, tt.name, tt.offset)
			}
		})
	}
}

// TestLoadTZNUL checks the one error: a value no environment can hold.
func TestLoadTZNUL(t *testing.T) {
	if _, err := LoadTZ("UTC\x00"); err == nil {
		t.Error("LoadTZ accepted a NUL byte")
	}
}

// FuzzLoadTZ loads arbitrary TZ values: LoadTZ must not panic, must return
// a usable zone, and for values in the golden data must agree with glibc.
// Values naming files outside TZDIR are skipped, so as not to read
// arbitrary files.
func FuzzLoadTZ(f *testing.F) {
	f.Setenv("TZDIR", testTZDIR)
	byTZ := map[string][]tzRow{}
	for _, r := range readTZGolden(f) {
		if r.tzdir == testTZDIR {
			if _, ok := byTZ[r.tz]; !ok {
				f.Add(r.tz)
			}
			byTZ[r.tz] = append(byTZ[r.tz], r)
		}
	}
	f.Fuzz(func(t *testing.T, tz string) {
		name := strings.TrimPrefix(tz, ":")
		if _, golden := byTZ[tz]; !golden && (strings.HasPrefix(name, "/") || strings.Contains(name, "..")) {
			return // names a file outside TZDIR: not a property of TZ parsing
		}
		loc, err := LoadTZ(tz)
		if err != nil {
			if strings.IndexByte(tz, 0) < 0 {
				t.Fatalf("LoadTZ(%q): %v", tz, err)
			}
			return
		}
		for _, sec := range []int64{-1 << 40, -1e10, 0, 1e9, 2e9, 1 << 40} {
			when := time.Unix(sec, 0).In(loc)
			_, _ = when.Zone()
			_ = compileStrftime("%c %z %Z %s").append(nil, when)
		}
		for _, r := range byTZ[tz] {
			checkTZRow(t, loc, r)
		}
	})
}
