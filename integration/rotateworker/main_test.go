package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The verifier is what the multi-process test trusts: each case builds a
// log directory with one flaw and checks that verify counts it, and
// nothing else.
func TestVerify(t *testing.T) {
	sec := func(s int64) time.Time { return time.Unix(1773500000+s, 0) }
	line := func(id, inc int, seq int64, at time.Time) []byte { return appendLine(nil, id, inc, seq, at) }
	lines := func(id, inc int, from, to int64, at time.Time) []byte {
		var b []byte
		for s := from; s < to; s++ {
			b = append(b, line(id, inc, s, at)...)
		}
		return b
	}
	end := func(n int64) string { return fmt.Sprintf("%d %d", n, sec(0).UnixNano()) }
	gz := func(b []byte) []byte {
		var out bytes.Buffer
		zw := gzip.NewWriter(&out)
		zw.Write(b)
		zw.Close()
		return out.Bytes()
	}
	// a killed writer's line cut at the page boundary, then another line
	full := lines(1, 0, 0, 40, sec(0)) // 4000 bytes
	cut := append(append(append([]byte{}, full...), line(1, 0, 40, sec(0))[:96]...), line(2, 0, 0, sec(0))...)
	notAtPage := append(append(append([]byte{}, full...), line(1, 0, 40, sec(0))[:50]...), line(2, 0, 0, sec(0))...)
	tests := []struct {
		name   string
		files  map[string][]byte
		ledger map[string]string // file: "lines end"
		naming string
		max    string // the size limit, if not 10000
		want   Report
	}{
		{
			name:   "clean",
			files:  map[string][]byte{"access.log": append(lines(1, 0, 0, 3, sec(0)), lines(2, 0, 0, 2, sec(0))...)},
			ledger: map[string]string{"01-0000.done": end(3), "02-0000.done": end(2)},
			want:   Report{Files: 1, Lines: 5, Writers: 2},
		},
		{
			name:   "lost in the middle",
			files:  map[string][]byte{"access.log": append(lines(1, 0, 0, 1, sec(0)), lines(1, 0, 2, 3, sec(0))...)},
			ledger: map[string]string{"01-0000.done": end(3)},
			want:   Report{Files: 1, Lines: 2, Writers: 1, Lost: 1},
		},
		{
			name:   "lost at the end",
			files:  map[string][]byte{"access.log": lines(1, 0, 0, 2, sec(0))},
			ledger: map[string]string{"01-0000.done": end(3)},
			want:   Report{Files: 1, Lines: 2, Writers: 1, Lost: 1},
		},
		{
			name:  "killed: a prefix is whole",
			files: map[string][]byte{"access.log": lines(1, 0, 0, 4, sec(0))},
			want:  Report{Files: 1, Lines: 4, Writers: 1, Killed: 1},
		},
		{
			name:  "killed with a gap",
			files: map[string][]byte{"access.log": append(lines(1, 0, 0, 1, sec(0)), lines(1, 0, 2, 3, sec(0))...)},
			want:  Report{Files: 1, Lines: 2, Writers: 1, Killed: 1, Lost: 1},
		},
		{
			name:  "duplicated",
			files: map[string][]byte{"access.log": append(lines(1, 0, 0, 2, sec(0)), lines(1, 0, 1, 2, sec(0))...)},
			want:  Report{Files: 1, Lines: 3, Writers: 1, Killed: 1, Duplicated: 1},
		},
		{
			name:  "torn",
			files: map[string][]byte{"access.log": append(lines(1, 0, 0, 2, sec(0)), "w=01 garbage\n"...)},
			want:  Report{Files: 1, Lines: 3, Writers: 1, Killed: 1, Torn: 1},
		},
		{
			name:  "cut by SIGKILL at a page boundary",
			files: map[string][]byte{"access.log": cut},
			want:  Report{Files: 1, Lines: 41, Writers: 2, Killed: 2, Cut: 1},
		},
		{
			name:   "cut but the writer ended by itself",
			files:  map[string][]byte{"access.log": cut},
			ledger: map[string]string{"01-0000.done": end(41), "02-0000.done": end(1)},
			want:   Report{Files: 1, Lines: 41, Writers: 2, Torn: 1, Lost: 1},
		},
		{
			name:  "cut elsewhere than at a page boundary",
			files: map[string][]byte{"access.log": notAtPage},
			// the line after the fragment cannot be told from it
			want: Report{Files: 1, Lines: 41, Writers: 1, Killed: 1, Torn: 1},
		},
		{
			name:   "misplaced",
			naming: "stamped",
			files:  map[string][]byte{"access.log.1773500004": lines(1, 0, 0, 1, sec(5))},
			want:   Report{Files: 1, Lines: 1, Writers: 1, Killed: 1, Misplaced: 1},
		},
		{
			name:   "out of order",
			naming: "stamped",
			files: map[string][]byte{
				"access.log.1773500004":   lines(1, 0, 1, 2, sec(4)),
				"access.log.1773500004.1": lines(1, 0, 0, 1, sec(4)),
			},
			want: Report{Files: 2, Lines: 2, Writers: 1, Killed: 1, Disordered: 1},
		},
		{
			name:  "over the limit",
			max:   "2000",
			files: map[string][]byte{"access.log": lines(1, 0, 0, 40, sec(0))},
			want:  Report{Files: 1, Lines: 40, Writers: 1, Killed: 1, Oversize: 1},
		},
		{
			name: "a file and its gz alike count once",
			files: map[string][]byte{
				"access-2026-03-14T15-09-26.000.log":    lines(1, 0, 0, 2, sec(0)),
				"access-2026-03-14T15-09-26.000.log.gz": gz(lines(1, 0, 0, 2, sec(0))),
			},
			want: Report{Files: 1, Lines: 2, Writers: 1, Killed: 1},
		},
		{
			name: "a file and its gz that differ",
			files: map[string][]byte{
				"access-2026-03-14T15-09-26.000.log":    lines(1, 0, 0, 2, sec(0)),
				"access-2026-03-14T15-09-26.000.log.gz": gz(lines(1, 0, 0, 1, sec(0))),
			},
			want: Report{Files: 1, Lines: 3, Writers: 1, Killed: 1, Inconsistent: 1, Duplicated: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, ledger := t.TempDir(), t.TempDir()
			for name, data := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for name, data := range tt.ledger {
				if err := os.WriteFile(filepath.Join(ledger, name), []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			limit := tt.max
			if limit == "" {
				limit = "10000"
			}
			naming := tt.naming
			if naming == "" {
				naming = "backups"
			}
			var out bytes.Buffer
			args := []string{"-dir", dir, "-naming", naming, "-maxsize", limit, "-interval", "1s", "-ledger", ledger, "-direct"}
			if err := verify(args, &out); err != nil {
				t.Fatal(err)
			}
			var got Report
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			problems := got.Problems
			got.Problems, got.Bytes, got.MaxRatio = nil, 0, 0
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("verify = %+v\nwant     %+v\nproblems %q", got, tt.want, problems)
			}
		})
	}
}
