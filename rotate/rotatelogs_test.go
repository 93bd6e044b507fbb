package rotate

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// The expectations were checked against Apache's rotatelogs 2.4
// (apache2-utils), with -v to see what it understood.
func TestParseRotatelogsArgs(t *testing.T) {
	tests := []struct {
		name string
		args string
		want Rotatelogs // Location is checked through LocalTime and UTCOffset
	}{
		{name: "time", args: "logs/access.log 86400",
			want: Rotatelogs{Path: "logs/access.log", NoOffset: true, Options: Options{Interval: 24 * time.Hour, Naming: NameStamped}}},
		{name: "apache's example", args: "-l -n 5 logs/access.log 86400",
			want: Rotatelogs{Path: "logs/access.log", LocalTime: true, NoOffset: true, Options: Options{Interval: 24 * time.Hour, Naming: NameNumbered, Files: 5}}},
		{name: "size", args: "f 5M",
			want: Rotatelogs{Path: "f", NoOffset: true, Options: Options{MaxSize: 5 << 20, Naming: NameStamped}}},
		{name: "time size offset", args: "f 86400 5M 60",
			want: Rotatelogs{Path: "f", UTCOffset: 3600, Options: Options{Interval: 24 * time.Hour, MaxSize: 5 << 20, Naming: NameStamped}}},
		{name: "size then a number is an offset", args: "f 5M 86400",
			want: Rotatelogs{Path: "f", UTCOffset: 86400 * 60, Options: Options{MaxSize: 5 << 20, Naming: NameStamped}}},
		{name: "B wins over K", args: "f 5KB",
			want: Rotatelogs{Path: "f", NoOffset: true, Options: Options{MaxSize: 5, Naming: NameStamped}}},
		{name: "unit found anywhere", args: "f 1M5B",
			want: Rotatelogs{Path: "f", NoOffset: true, Options: Options{MaxSize: 1, Naming: NameStamped}}},
		{name: "glued -n", args: "-n3 f 5K 86400",
			want: Rotatelogs{Path: "f", UTCOffset: 86400 * 60, Options: Options{MaxSize: 5 << 10, Naming: NameNumbered, Files: 3}}},
		{name: "4G fits in 64 bits", args: "f 4G",
			want: Rotatelogs{Path: "f", NoOffset: true, Options: Options{MaxSize: 4 << 30, Naming: NameStamped}}},
		{name: "truncate", args: "-t f 5",
			want: Rotatelogs{Path: "f", NoOffset: true, Options: Options{Interval: 5 * time.Second, Naming: NameTruncate}}},
		{name: "truncate wins over -n", args: "-t -n 2 f 5",
			want: Rotatelogs{Path: "f", NoOffset: true, Options: Options{Interval: 5 * time.Second, Naming: NameTruncate}}},
		{name: "truncate a pattern", args: "-t f%H 5",
			want: Rotatelogs{Path: "f%H", NoOffset: true, Options: Options{Interval: 5 * time.Second, Naming: NameStamped, TruncateRotated: true}}},
		{name: "every flag", args: "-T -f -D -c -e -v -z -L cur.log -p /bin/post f 5",
			want: Rotatelogs{Path: "f", NoOffset: true, Echo: true, Verbose: true, Options: Options{Interval: 5 * time.Second,
				Naming: NameStamped, TruncateRotated: true, ForceOpen: true, MakeDirs: true, CreateEmpty: true, Compress: true,
				Link: "cur.log", PostRotate: "/bin/post"}}},
		{name: "grouped with a glued argument", args: "-fDLcur.log f 5",
			want: Rotatelogs{Path: "f", NoOffset: true, Options: Options{Interval: 5 * time.Second, Naming: NameStamped,
				ForceOpen: true, MakeDirs: true, Link: "cur.log"}}},
		{name: "double dash", args: "-- -f 5",
			want: Rotatelogs{Path: "-f", NoOffset: true, Options: Options{Interval: 5 * time.Second, Naming: NameStamped}}},
		{name: "lone dash is a file", args: "- 5",
			want: Rotatelogs{Path: "-", NoOffset: true, Options: Options{Interval: 5 * time.Second, Naming: NameStamped}}},
		{name: "negative offset", args: "f 3600 -300",
			want: Rotatelogs{Path: "f", UTCOffset: -18000, Options: Options{Interval: time.Hour, Naming: NameStamped}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRotatelogsArgs(strings.Fields(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			if got.LocalTime && got.Options.Location == nil {
				t.Error("-l gives no zone")
			}
			if tt.want.UTCOffset != 0 {
				if _, off := time.Unix(0, 0).In(got.Options.Location).Zone(); off != tt.want.UTCOffset {
					t.Errorf("offset zone %v is %d seconds east, want %d", got.Options.Location, off, tt.want.UTCOffset)
				}
			}
			got.Options.Location = nil
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("ParseRotatelogsArgs(%q)\n= %+v\nwant %+v", tt.args, *got, tt.want)
			}
		})
	}
}

func TestParseRotatelogsArgsErrors(t *testing.T) {
	tests := []struct {
		args  []string
		msg   string
		usage bool
	}{
		{[]string{"-x", "f", "5"}, "rotatelogs: illegal option -- x", true},
		{[]string{"-vx", "f", "5"}, "rotatelogs: illegal option -- x", true},
		{[]string{"-n"}, "rotatelogs: option requires an argument -- n", true},
		{[]string{"f"}, "Incorrect number of arguments", true},
		{[]string{"f", "5", "6", "7", "8"}, "Incorrect number of arguments", true},
		{[]string{"f", "5K", "6K"}, "Rotation size parameter allowed only once", true},
		{[]string{"f", "5", "6", "7"}, "Rotation time parameter allowed only once", true},
		{[]string{"-l", "f", "5", "60"}, "UTC offset parameter is not valid with -l", true},
		{[]string{"f", "0"}, "Invalid rotation time parameter", true},
		{[]string{"f", "-5"}, "Invalid rotation time parameter", true},
		{[]string{"-l-", "f", "5"}, "Invalid rotation time parameter", true},
		{[]string{"f", "5Kx"}, "Invalid rotation size parameter", true},
		{[]string{"", "5"}, "Invalid filename given", true},
		{[]string{"-n", "3", "f%Y", "5"}, "Cannot use -n with % in filename", false},
		{[]string{"-n", "0", "f", "5"}, "Invalid -n argument", false},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, err := ParseRotatelogsArgs(tt.args)
			var ae *ArgError
			if !errors.As(err, &ae) {
				t.Fatalf("error %v, want an *ArgError", err)
			}
			if ae.Msg != tt.msg || ae.Usage != tt.usage {
				t.Errorf("error %q usage %v, want %q usage %v", ae.Msg, ae.Usage, tt.msg, tt.usage)
			}
		})
	}
}

func TestCatoi(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"42", 42}, {"  -7x", -7}, {"+3", 3}, {"", 0}, {"x1", 0}, {"\t\n12", 12},
		{"2147483648", -2147483648},              // int truncation of a long
		{"99999999999999999999999", -1},          // LONG_MAX, truncated
		{"-99999999999999999999999", 0},          // LONG_MIN, truncated
		{"4294967301", 5},                        // 2^32 + 5
		{"-9223372036854775808", 0},              // LONG_MIN exactly
		{"9223372036854775807", -1},              // LONG_MAX exactly
		{"18446744073709551621", -1},             // overflows: LONG_MAX
		{"00000000000000000000000000000017", 17}, // leading zeros do not overflow
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := catoi(tt.in); got != tt.want {
				t.Errorf("catoi(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestRotatelogsDumpConfig(t *testing.T) {
	r, err := ParseRotatelogsArgs([]string{"-v", "f", "86400", "5M", "60"})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	r.DumpConfig(&b)
	// rotatelogs -v f 86400 5M 60, word for word
	want := `Rotation time interval:             86400
Rotation size interval:           5242880
Rotation time UTC offset:            3600
Rotation based on localtime:           no
Rotation file date pattern:            no
Rotation file forced open:             no
Create parent directories:             no
Rotation verbose:                     yes
Rotation create empty logs:            no
Rotation file name:                     f
Post-rotation prog:              not used
`
	if b.String() != want {
		t.Errorf("DumpConfig:\n%s\nwant\n%s", b.String(), want)
	}
}

// FuzzParseRotatelogsArgs checks, for any command line (arguments separated
// by NUL bytes): no panic; an error is an *ArgError with a message; a
// command line that parses gives Options that New accepts, with a rotation
// by time or size or both, and reads back the same from Args().
func FuzzParseRotatelogsArgs(f *testing.F) {
	for _, s := range []string{
		"f 86400", "-l -n 5 logs/access.log 86400", "f 86400 5M 60", "f 5M 86400", "-n3 f 5K 86400",
		"-fDLcur.log f 5", "-- -f 5", "- 5", "-l- f 5", "-t f%H 5", "f 1M5B", "-x f 5", "-n", "f 4G",
		"-T -f -D -c -e -v -z -L cur.log -p /bin/post f 5", "f 3600 -300", "-n 2 -t f 5",
	} {
		f.Add(strings.ReplaceAll(s, " ", "\x00"))
	}
	f.Fuzz(func(t *testing.T, s string) {
		args := strings.Split(s, "\x00")
		r, err := ParseRotatelogsArgs(args)
		if err != nil {
			var ae *ArgError
			if !errors.As(err, &ae) || ae.Msg == "" {
				t.Fatalf("ParseRotatelogsArgs(%q) error %#v, want an *ArgError with a message", args, err)
			}
			return
		}
		o := &r.Options
		if r.Path == "" || o.MaxSize < 0 || o.Interval < 0 || o.Interval%time.Second != 0 {
			t.Fatalf("ParseRotatelogsArgs(%q) = %+v", args, r)
		}
		if o.MaxSize == 0 && o.Interval == 0 {
			t.Fatalf("ParseRotatelogsArgs(%q): neither time nor size", args)
		}
		if strings.Contains(r.Path, "%") && o.Naming != NameStamped {
			t.Fatalf("ParseRotatelogsArgs(%q): pattern %q with naming %d", args, r.Path, o.Naming)
		}
		if r.LocalTime && (r.UTCOffset != 0 || !r.NoOffset) {
			t.Fatalf("ParseRotatelogsArgs(%q): -l with an offset", args)
		}
		if err := o.check(r.Path); err != nil {
			t.Fatalf("ParseRotatelogsArgs(%q): New would refuse: %v", args, err)
		}
		back, err := ParseRotatelogsArgs(r.Args())
		if err != nil {
			t.Fatalf("Args() = %q does not parse: %v", r.Args(), err)
		}
		if !sameZone(back.Options.Location, o.Location) {
			t.Fatalf("Args() = %q: zone %v, was %v", r.Args(), back.Options.Location, o.Location)
		}
		back.Options.Location, o.Location = nil, nil
		if !reflect.DeepEqual(back, r) {
			t.Fatalf("ParseRotatelogsArgs(%q) = %+v\nits Args() %q read back as %+v", args, r, r.Args(), back)
		}
		if again := back.Args(); !slices.Equal(again, r.Args()) {
			t.Fatalf("Args() not stable: %q then %q", r.Args(), again)
		}
	})
}

func sameZone(a, b *time.Location) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.String() == b.String()
}
