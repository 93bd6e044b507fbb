package logformat

import (
	"testing"
)

// TestAllocs holds the render path to zero allocations per line, for
// "combined" and for the 10-item format with headers and %t.
func TestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	r := sampleRecord()
	for _, format := range []string{combinedFormat, heavyFormat, `%{%Y-%m-%dT%H:%M:%S%z}t %{msec_frac}t %{Cookie}i %{theme}C %q`, jsonFormat} {
		t.Run(format, func(t *testing.T) {
			esc := EscapeApache
			if format == jsonFormat {
				esc = EscapeJSON
			}
			f, err := Compile(format, &Options{Location: utc(), Escape: esc})
			if err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 0, 4096)
			if n := testing.AllocsPerRun(1000, func() { buf = f.Append(buf[:0], r) }); n != 0 {
				t.Errorf("Append allocates %v times per line, want 0", n)
			}
		})
	}
}

func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(heavyFormat, &Options{Location: utc()}); err != nil {
			b.Fatal(err)
		}
	}
}

func benchmarkRender(b *testing.B, format string) {
	f, err := Compile(format, &Options{Location: utc()})
	if err != nil {
		b.Fatal(err)
	}
	r := sampleRecord()
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		buf = f.Append(buf[:0], r)
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkRenderCombined(b *testing.B) { benchmarkRender(b, combinedFormat) }
func BenchmarkRenderHeavy(b *testing.B)    { benchmarkRender(b, heavyFormat) }

func BenchmarkParseCombined(b *testing.B) {
	f, err := Compile(combinedFormat, &Options{Location: utc()})
	if err != nil {
		b.Fatal(err)
	}
	line := string(f.Append(nil, sampleRecord()))
	vals := make([]string, 0, 16)
	b.ReportAllocs()
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		if vals, err = f.Parse(line, vals[:0]); err != nil {
			b.Fatal(err)
		}
	}
}
