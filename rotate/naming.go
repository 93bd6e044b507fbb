package rotate

import (
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jl6/logproxy/logformat"
)

// Naming is how the files of a log are named.
type Naming uint8

const (
	// NameBackups is lumberjack's naming: lines go to the path itself, and
	// a rotation renames it to name-2006-01-02T15-04-05.000.ext (the time
	// of the rotation, in Options.Location), with .gz added once
	// compressed. A directory lumberjack managed can be continued, and the
	// other way round.
	NameBackups Naming = iota
	// NameStamped is rotatelogs' naming: the path is a strftime pattern if
	// it holds a '%', rendered at the start of the period, or else the
	// path followed by a dot and the start of the period in seconds since
	// the epoch (plus the zone's offset), ten digits. A rotation for size
	// names the file from the time of the rotation instead. Where
	// rotatelogs would reopen the same name (twice in one second, or a
	// pattern coarser than the rotation), the name gets a suffix .1, .2, …
	// so that the size limit holds.
	NameStamped
	// NameNumbered is rotatelogs -n: a ring of Options.Files files, the
	// path, then path.1 … path.(Files-1), then the path again, each
	// truncated when it is reused.
	NameNumbered
	// NameTruncate is rotatelogs -t: the path itself, truncated at each
	// rotation (for tail -f).
	NameTruncate
)

// backupTimeFormat is lumberjack's.
const backupTimeFormat = "2006-01-02T15-04-05.000"

// compressSuffix is what compression adds to a file name, as lumberjack.
const compressSuffix = ".gz"

// backupName is lumberjack's backup name for path at t.
func backupName(path string, t time.Time) string {
	dir, base := filepath.Split(path)
	ext := filepath.Ext(base)
	return dir + base[:len(base)-len(ext)] + "-" + t.Format(backupTimeFormat) + ext
}

// backupTime reads the time out of a backup name (base names only), with
// or without the compression suffix.
func backupTime(path, name string) (time.Time, bool) {
	base := filepath.Base(path)
	ext := filepath.Ext(base)
	prefix := base[:len(base)-len(ext)] + "-"
	name = strings.TrimSuffix(name, compressSuffix)
	if !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, ext) || len(name) < len(prefix)+len(ext) {
		return time.Time{}, false
	}
	t, err := time.Parse(backupTimeFormat, name[len(prefix):len(name)-len(ext)])
	return t, err == nil
}

// nameFormat renders rotatelogs names.
type nameFormat struct {
	pattern  string
	strftime bool
	segs     []nameSeg
}

// nameSeg is a literal piece of a pattern or one strftime conversion.
type nameSeg struct {
	lit  string
	conv *logformat.Format
}

// compileName compiles a rotatelogs file name. The conversions are
// rendered by logformat, which renders them as glibc's strftime does, so
// that names are the ones rotatelogs would give.
func compileName(pattern string, loc *time.Location) (*nameFormat, error) {
	nf := &nameFormat{pattern: pattern, strftime: strings.Contains(pattern, "%")}
	if !nf.strftime {
		return nf, nil
	}
	lit := 0
	for i := 0; i < len(pattern); {
		if pattern[i] != '%' {
			i++
			continue
		}
		if lit < i {
			nf.segs = append(nf.segs, nameSeg{lit: pattern[lit:i]})
		}
		j := convEnd(pattern, i)
		conv := pattern[i:j]
		if strings.ContainsAny(conv, "}") {
			// glibc copies an unknown conversion through; a '}' cannot
			// be one, nor be said inside %{...}t.
			nf.segs = append(nf.segs, nameSeg{lit: conv})
		} else {
			f, err := logformat.Compile("%{begin:"+conv+"}t", &logformat.Options{Location: loc})
			if err != nil {
				return nil, err
			}
			nf.segs = append(nf.segs, nameSeg{conv: f})
		}
		i, lit = j, j
	}
	if lit < len(pattern) {
		nf.segs = append(nf.segs, nameSeg{lit: pattern[lit:]})
	}
	return nf, nil
}

// convEnd returns the end of the strftime conversion that starts at i:
// flags, a width, an E or O modifier and the conversion character.
func convEnd(s string, i int) int {
	j := i + 1
	for j < len(s) && strings.IndexByte("_-0^#", s[j]) >= 0 {
		j++
	}
	for j < len(s) && '0' <= s[j] && s[j] <= '9' {
		j++
	}
	if j < len(s) && (s[j] == 'E' || s[j] == 'O') {
		j++
	}
	return min(j+1, len(s))
}

// render returns the name for a period that starts at stamp, in seconds
// since the epoch plus off, the zone's offset in seconds (rotatelogs'
// "adjusted" time).
func (nf *nameFormat) render(stamp, off int64) string {
	if !nf.strftime {
		return nf.pattern + "." + pad10(stamp)
	}
	t := time.Unix(stamp-off, 0)
	var b []byte
	rec := logformat.Record{Begin: t}
	for _, s := range nf.segs {
		if s.conv == nil {
			b = append(b, s.lit...)
			continue
		}
		n := len(b)
		b = s.conv.Append(b, &rec)
		if len(b) > n && b[len(b)-1] == '\n' {
			b = b[:len(b)-1] // the line's newline
		}
	}
	return string(b)
}

// pad10 is C's %010ld.
func pad10(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	width := 10
	if neg {
		width--
	}
	if len(s) < width {
		s = strings.Repeat("0", width-len(s)) + s
	}
	if neg {
		s = "-" + s
	}
	return s
}

// withSeq appends a suffix number, if any, to a name.
func withSeq(name string, seq int64) string {
	if seq == 0 {
		return name
	}
	return name + "." + strconv.FormatInt(seq, 10)
}
