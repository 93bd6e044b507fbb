// Command rotateworker is the helper of the multi-process rotation tests
// and benchmarks (integration/rotate_test.go, rotate_bench_test.go). It is
// built without the race detector, so that eight of them run at full speed.
//
//	rotateworker write  -path P -impl rotate|lumberjack|append [...]  write numbered lines
//	rotateworker feed   -id N -inc I -until T -ledger D               the same, to stdout
//	rotateworker verify -dir D -base NAME [...]                       check a log directory
//
// Every line carries its writer id, incarnation (one per start of a
// writer, which the tests kill and restart), sequence number, the time it
// was made and a CRC-32 of all that:
//
//	w=07 i=0003 s=000012345 t=1773500966123456789 x=<filler> c=1a2b3c4d
//
// A writer that ends by itself records in the ledger directory how many
// lines it wrote and when it ended; one that was killed does not, and
// then only the lines it got out form a checked prefix.
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jl6/logproxy/rotate"
	"gopkg.in/natefinch/lumberjack.v2"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: rotateworker write|feed|verify [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "write":
		err = write(os.Args[2:])
	case "feed":
		err = feed(os.Args[2:])
	case "verify":
		err = verify(os.Args[2:], os.Stdout)
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "rotateworker: %v\n", err)
		os.Exit(1)
	}
}

// lineLen is the length of every line, newline included.
const lineLen = 100

// appendLine appends the line of (id, inc, seq) made at t.
func appendLine(b []byte, id, inc int, seq int64, t time.Time) []byte {
	start := len(b)
	b = fmt.Appendf(b, "w=%02d i=%04d s=%09d t=%019d x=", id, inc, seq, t.UnixNano())
	for len(b)-start < lineLen-12 {
		b = append(b, 'a'+byte((seq+int64(len(b)-start))%26))
	}
	sum := crc32.ChecksumIEEE(b[start:])
	return fmt.Appendf(b, " c=%08x\n", sum)
}

// parsed is what a line says of itself.
type parsed struct {
	id, inc int
	seq     int64
	t       int64
}

var lineRE = regexp.MustCompile(`^w=(\d{2}) i=(\d{4}) s=(\d{9}) t=(\d{19}) x=[a-z]+ c=([0-9a-f]{8})\n$`)

func parseLine(l []byte) (parsed, bool) {
	m := lineRE.FindSubmatch(l)
	if m == nil {
		return parsed{}, false
	}
	body := l[:len(l)-len(" c=00000000\n")]
	sum, _ := strconv.ParseUint(string(m[5]), 16, 32)
	if crc32.ChecksumIEEE(body) != uint32(sum) {
		return parsed{}, false
	}
	id, _ := strconv.Atoi(string(m[1]))
	inc, _ := strconv.Atoi(string(m[2]))
	seq, _ := strconv.ParseInt(string(m[3]), 10, 64)
	t, _ := strconv.ParseInt(string(m[4]), 10, 64)
	return parsed{id, inc, seq, t}, true
}

// writerFlags are the flags of write and feed.
type writerFlags struct {
	id, inc  int
	until    int64 // Unix nanoseconds; 0: no end but -lines
	lines    int64 // 0: no end but -until
	ledger   string
	waitIn   bool
	path     string
	impl     string
	maxSize  int64
	interval time.Duration
	compress bool
}

func (w *writerFlags) parse(name string, args []string) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.IntVar(&w.id, "id", 0, "writer id")
	fs.IntVar(&w.inc, "inc", 0, "incarnation")
	fs.Int64Var(&w.until, "until", 0, "stop at this time, Unix nanoseconds")
	fs.Int64Var(&w.lines, "lines", 0, "stop after this many lines")
	fs.StringVar(&w.ledger, "ledger", "", "directory for the record of a writer that ended by itself")
	fs.BoolVar(&w.waitIn, "wait-stdin", false, "start writing when stdin is closed (benchmarks)")
	fs.StringVar(&w.path, "path", "", "log file")
	fs.StringVar(&w.impl, "impl", "rotate", "rotate, lumberjack or append")
	fs.Int64Var(&w.maxSize, "maxsize", 0, "size limit, bytes")
	fs.DurationVar(&w.interval, "interval", 0, "time rotation")
	fs.BoolVar(&w.compress, "compress", false, "gzip rotated files")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if w.until == 0 && w.lines == 0 {
		return errors.New("-until or -lines is needed")
	}
	return nil
}

func (w *writerFlags) done(seq int64, t time.Time) bool {
	return w.lines > 0 && seq >= w.lines || w.until > 0 && t.UnixNano() >= w.until
}

// record writes the ledger entry of a writer that ended by itself.
func (w *writerFlags) record(n int64, end time.Time) error {
	if w.ledger == "" {
		return nil
	}
	name := filepath.Join(w.ledger, fmt.Sprintf("%02d-%04d.done", w.id, w.inc))
	return os.WriteFile(name, fmt.Appendf(nil, "%d %d\n", n, end.UnixNano()), 0o644)
}

// write writes lines through one of the implementations.
func write(args []string) error {
	var f writerFlags
	if err := f.parse("write", args); err != nil {
		return err
	}
	var w io.WriteCloser
	var stop func()
	switch f.impl {
	case "rotate":
		rw, err := rotate.New(f.path, &rotate.Options{MaxSize: f.maxSize, Interval: f.interval, Compress: f.compress,
			ErrorLog: func(err error) { fmt.Fprintln(os.Stderr, err) }})
		if err != nil {
			return err
		}
		w = rw
	case "lumberjack":
		// lumberjack's unit is the megabyte, and time rotation is the
		// application's: Rotate at each boundary.
		lj := &lumberjack.Logger{Filename: f.path, MaxSize: int(max(f.maxSize>>20, 1)), Compress: f.compress}
		w = lj
		if f.interval > 0 {
			quit := make(chan struct{})
			ended := make(chan struct{})
			go func() {
				defer close(ended)
				for {
					now := time.Now()
					next := now.Truncate(f.interval).Add(f.interval)
					t := time.NewTimer(next.Sub(now))
					select {
					case <-quit:
						t.Stop()
						return
					case <-t.C:
						lj.Rotate()
					}
				}
			}()
			stop = func() { close(quit); <-ended }
		}
	case "append":
		af, err := os.OpenFile(f.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return err
		}
		w = af
	default:
		return fmt.Errorf("unknown -impl %q", f.impl)
	}
	if f.waitIn {
		io.Copy(io.Discard, os.Stdin)
	}
	buf := make([]byte, 0, lineLen)
	var seq int64
	var now time.Time
	for {
		now = time.Now()
		if f.done(seq, now) {
			break
		}
		buf = appendLine(buf[:0], f.id, f.inc, seq, now)
		if _, err := w.Write(buf); err != nil {
			fmt.Fprintf(os.Stderr, "line %d: %v\n", seq, err)
		}
		seq++
	}
	if stop != nil {
		stop()
	}
	if err := w.Close(); err != nil {
		return err
	}
	if rw, ok := w.(*rotate.Writer); ok && rw.Lost() > 0 {
		return fmt.Errorf("%d lines lost", rw.Lost())
	}
	return f.record(seq, now)
}

// feed writes lines to stdout, for logproxy rotatelogs to read, as a
// server writes a piped log: whole lines, at most PIPE_BUF bytes in one
// write(2), so that each write enters the pipe whole even when SIGKILL
// ends the feeder in it (a larger write goes in page by page, and a kill
// between pages would leave half a line that no server writes).
func feed(args []string) error {
	var f writerFlags
	if err := f.parse("feed", args); err != nil {
		return err
	}
	const pipeBuf = 4096 // PIPE_BUF on Linux
	out := bufio.NewWriterSize(os.Stdout, pipeBuf)
	buf := make([]byte, 0, lineLen)
	var seq int64
	var now time.Time
	for {
		now = time.Now()
		if f.done(seq, now) {
			break
		}
		buf = appendLine(buf[:0], f.id, f.inc, seq, now)
		if out.Available() < len(buf) {
			if err := out.Flush(); err != nil {
				return err
			}
		}
		if _, err := out.Write(buf); err != nil {
			return err
		}
		seq++
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if err := os.Stdout.Close(); err != nil {
		return err
	}
	return f.record(seq, now)
}

// Report is what verify finds.
type Report struct {
	Files        int     `json:"files"`
	Bytes        int64   `json:"bytes"`
	Lines        int64   `json:"lines"`
	Writers      int     `json:"incarnations"`
	Killed       int     `json:"killed"`
	Torn         int64   `json:"torn"`         // lines that do not check
	Duplicated   int64   `json:"duplicated"`   // lines found more than once
	Lost         int64   `json:"lost"`         // lines missing
	Misplaced    int64   `json:"misplaced"`    // lines in the file of another period
	Disordered   int64   `json:"disordered"`   // lines in an earlier file than the writer's line before
	Oversize     int     `json:"oversize"`     // files over the limit by more than one line
	MaxRatio     float64 `json:"max_ratio"`    // largest file / limit
	Inconsistent int     `json:"inconsistent"` // a file and its .gz that differ, or a .gz that does not read
	// Cut counts the lines cut short by SIGKILL: the kernel checks for a
	// fatal signal between the pages of a write(2) (generic_perform_write),
	// so the line a process is writing when it is killed can stop at a 4
	// KiB boundary of the file, whatever the program. Only such a line
	// counts here: the next line its writer owed, of an incarnation that
	// was killed, ending exactly at a page boundary, the lines after it
	// whole. Any other broken line is Torn.
	Cut      int64 `json:"cut"`
	Problems []string
}

// pageSize is the unit the kernel copies a write(2) into the page cache in.
const pageSize = 4096

// fragment is a piece of a line cut short by SIGKILL, to be checked
// against the ledger once every line is read.
type fragment struct {
	file    string
	text    []byte
	id, inc int
	seq     int64
	known   bool // the ids were long enough to read
}

var fragmentRE = regexp.MustCompile(`^w=(\d{2}) i=(\d{4}) s=(\d{9})`)

// cutFragment reads l, a line that does not check, which starts at offset
// off of its file, as a fragment cut at a page boundary followed by whole
// lines. It returns the fragment and the rest.
func cutFragment(file string, l []byte, off int64) (fragment, []byte, bool) {
	end := len(l)
	if l[end-1] == '\n' {
		end = -1
		for p := 1; p < len(l); p++ {
			if (off+int64(p))%pageSize == 0 {
				end = p
				break
			}
		}
		if end < 0 {
			return fragment{}, nil, false
		}
	} else if (off+int64(end))%pageSize != 0 {
		return fragment{}, nil, false
	}
	f := fragment{file: file, text: l[:end]}
	if m := fragmentRE.FindSubmatch(f.text); m != nil {
		f.id, _ = strconv.Atoi(string(m[1]))
		f.inc, _ = strconv.Atoi(string(m[2]))
		f.seq, _ = strconv.ParseInt(string(m[3]), 10, 64)
		f.known = true
	}
	// the fragment must look like the start of a line
	model := appendLine(nil, f.id, f.inc, f.seq, time.Unix(0, 0))
	shape := func(a, b byte) bool {
		isDigit := func(c byte) bool { return '0' <= c && c <= '9' }
		isLower := func(c byte) bool { return 'a' <= c && c <= 'z' }
		return a == b || isDigit(a) && isDigit(b) || isLower(a) && isLower(b)
	}
	if len(f.text) >= len(model) {
		return fragment{}, nil, false
	}
	for i := range f.text {
		if !shape(f.text[i], model[i]) {
			return fragment{}, nil, false
		}
	}
	return f, l[end:], true
}

func (r *Report) problem(format string, args ...any) {
	if len(r.Problems) < 20 {
		r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
	}
}

// logFile is one file of the log as the verifier reads it.
type logFile struct {
	name   string
	data   []byte
	key    [2]int64 // the order of the files: time in the name, suffix
	period int64    // the period its name says, or -1
}

// verify reads every file of a log and checks every line.
func verify(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	dir := fs.String("dir", "", "log directory")
	base := fs.String("base", "access.log", "log file name")
	naming := fs.String("naming", "backups", "backups or stamped")
	maxSize := fs.Int64("maxsize", 0, "size limit")
	interval := fs.Duration("interval", 0, "time rotation")
	ledger := fs.String("ledger", "", "ledger directory")
	direct := fs.Bool("direct", false, "the writers wrote themselves (not through a pipe): check that lines are not late either")
	if err := fs.Parse(args); err != nil {
		return err
	}
	rep := &Report{}
	files, err := readLog(*dir, *base, *naming, *interval, rep)
	if err != nil {
		return err
	}
	type seen struct {
		file int
		t    int64
	}
	byWriter := map[[2]int]map[int64]seen{}
	var fragments []fragment
	for fi, f := range files {
		rep.Files++
		rep.Bytes += int64(len(f.data))
		if *maxSize > 0 {
			ratio := float64(len(f.data)) / float64(*maxSize)
			rep.MaxRatio = max(rep.MaxRatio, ratio)
			if int64(len(f.data)) > *maxSize+lineLen {
				rep.Oversize++
				rep.problem("%s: %d bytes, limit %d", f.name, len(f.data), *maxSize)
			}
		}
		data := f.data
		off := int64(0)
		for len(data) > 0 {
			n := bytes.IndexByte(data, '\n') + 1
			if n == 0 {
				n = len(data)
			}
			l := data[:n]
			data = data[n:]
			lineOff := off
			off += int64(n)
			p, ok := parseLine(l)
			if !ok {
				frag, rest, cut := cutFragment(f.name, l, lineOff)
				if cut {
					fragments = append(fragments, frag)
					if len(rest) == 0 {
						continue
					}
					p, ok = parseLine(rest)
				}
				if !ok {
					rep.Lines++
					rep.Torn++
					rep.problem("%s: torn line %.120q", f.name, l)
					continue
				}
			}
			rep.Lines++
			k := [2]int{p.id, p.inc}
			m := byWriter[k]
			if m == nil {
				m = map[int64]seen{}
				byWriter[k] = m
			}
			if _, dup := m[p.seq]; dup {
				rep.Duplicated++
				rep.problem("%s: duplicate w=%d i=%d s=%d", f.name, p.id, p.inc, p.seq)
				continue
			}
			m[p.seq] = seen{fi, p.t}
		}
	}
	ends, err := readLedger(*ledger)
	if err != nil {
		return err
	}
	for k := range ends {
		if byWriter[k] == nil {
			byWriter[k] = map[int64]seen{}
		}
	}
	for _, fr := range fragments {
		k := [2]int{fr.id, fr.inc}
		_, clean := ends[k]
		m := byWriter[k]
		last := int64(-1)
		for s := range m {
			last = max(last, s)
		}
		switch {
		case !fr.known:
			rep.Cut++ // too short to say whose: a page boundary within its first bytes
		case !clean && fr.seq == last+1:
			rep.Cut++
		default:
			rep.Torn++
			rep.problem("%s: torn line %.120q", fr.file, fr.text)
		}
	}
	period := func(t int64) int64 {
		if *interval <= 0 {
			return 0
		}
		return floorDiv(t, int64(*interval))
	}
	// per file: the latest period its lines allow and the earliest
	type bounds struct{ lo, hi int64 }
	fileBounds := make([]bounds, len(files))
	for i := range fileBounds {
		fileBounds[i] = bounds{lo: -1 << 62, hi: 1 << 62}
	}
	for k, m := range byWriter {
		rep.Writers++
		end, clean := ends[k]
		if !clean {
			rep.Killed++
		}
		seqs := make([]int64, 0, len(m))
		for s := range m {
			seqs = append(seqs, s)
		}
		slices.Sort(seqs)
		want := int64(0)
		if len(seqs) > 0 {
			want = seqs[len(seqs)-1] + 1
		}
		if clean {
			if end.n < want {
				rep.problem("w=%d i=%d: lines past the %d it wrote", k[0], k[1], end.n)
			}
			want = end.n
		}
		if missing := want - int64(len(seqs)); missing > 0 {
			rep.Lost += missing
			rep.problem("w=%d i=%d: %d of %d lines missing", k[0], k[1], missing, want)
		}
		for i, s := range seqs {
			cur := m[s]
			f := &files[cur.file]
			lo := period(cur.t)
			hi := int64(1 << 62)
			switch {
			case i+1 < len(seqs) && seqs[i+1] == s+1:
				hi = period(m[s+1].t)
			case clean && s+1 == end.n:
				hi = period(end.t)
			}
			if i > 0 && seqs[i-1] == s-1 {
				if prev := files[m[s-1].file].key; cmpKey(f.key, prev) < 0 {
					rep.Disordered++
					rep.problem("w=%d i=%d s=%d: in %s, after s=%d in %s", k[0], k[1], s, f.name, s-1, files[m[s-1].file].name)
				}
			}
			if *interval <= 0 {
				continue
			}
			if f.period >= 0 {
				if f.period < lo || *direct && f.period > hi {
					rep.Misplaced++
					rep.problem("w=%d i=%d s=%d made in period %d: in %s", k[0], k[1], s, lo, f.name)
				}
				continue
			}
			b := &fileBounds[cur.file]
			b.lo, b.hi = max(b.lo, lo), min(b.hi, hi)
		}
	}
	if *direct && *interval > 0 {
		for i, b := range fileBounds {
			if b.lo > b.hi {
				rep.Misplaced++
				rep.problem("%s: lines of periods %d and %d", files[i].name, b.hi, b.lo)
			}
		}
	}
	return json.NewEncoder(stdout).Encode(rep)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func cmpKey(a, b [2]int64) int {
	if a[0] != b[0] {
		return cmpInt(a[0], b[0])
	}
	return cmpInt(a[1], b[1])
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

type ledgerEntry struct{ n, t int64 }

// readLedger returns the writers that ended by themselves: how many lines
// they wrote and when they ended.
func readLedger(dir string) (map[[2]int]ledgerEntry, error) {
	out := map[[2]int]ledgerEntry{}
	if dir == "" {
		return out, nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		var id, inc int
		if _, err := fmt.Sscanf(e.Name(), "%02d-%04d.done", &id, &inc); err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		var le ledgerEntry
		if _, err := fmt.Sscanf(string(data), "%d %d", &le.n, &le.t); err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name(), err)
		}
		out[[2]int{id, inc}] = le
	}
	return out, nil
}

// readLog reads the files of the log in order: rotated files by the time
// in their name (and suffix), the current file last. A file and its .gz
// both present (a compression killed before it removed the original) must
// hold the same lines and count once.
func readLog(dir, base, naming string, interval time.Duration, rep *Report) ([]logFile, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	ext := filepath.Ext(base)
	prefix := strings.TrimSuffix(base, ext) + "-"
	stampRE := regexp.MustCompile(`^` + regexp.QuoteMeta(base) + `\.(\d+)(?:\.(\d+))?$`)
	byName := map[string]*logFile{}
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || strings.Contains(name, ".gz.tmp-") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		plain := strings.TrimSuffix(name, ".gz")
		if plain != name {
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err == nil {
				data, err = io.ReadAll(zr)
			}
			if err != nil {
				rep.Inconsistent++
				rep.problem("%s: %v", name, err)
			}
		}
		if other := byName[plain]; other != nil {
			if !bytes.Equal(other.data, data) {
				rep.Inconsistent++
				rep.problem("%s and its .gz differ", plain)
				other.data = append(other.data, data...)
			}
			continue
		}
		f := &logFile{name: name, data: data, period: -1}
		switch {
		case plain == base:
			f.key = [2]int64{1 << 62, 0}
		case naming == "stamped":
			m := stampRE.FindStringSubmatch(plain)
			if m == nil {
				rep.problem("%s: not a file of the log", name)
				continue
			}
			s, _ := strconv.ParseInt(m[1], 10, 64)
			k, _ := strconv.ParseInt(m[2]+"0", 10, 64)
			f.key = [2]int64{s * 1e9, k / 10}
			if interval > 0 {
				f.period = floorDiv(s*1e9, int64(interval))
			}
		default:
			ts := strings.TrimSuffix(strings.TrimPrefix(plain, prefix), ext)
			t, err := time.Parse("2006-01-02T15-04-05.000", ts)
			if err != nil || !strings.HasPrefix(plain, prefix) {
				rep.problem("%s: not a file of the log", name)
				continue
			}
			f.key = [2]int64{t.UnixNano(), 0}
		}
		byName[plain] = f
	}
	files := make([]logFile, 0, len(byName))
	for _, f := range byName {
		files = append(files, *f)
	}
	sort.Slice(files, func(i, j int) bool { return cmpKey(files[i].key, files[j].key) < 0 })
	return files, nil
}
