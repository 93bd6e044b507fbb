package rotate

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jl6/logproxy/logformat"
)

// Rotatelogs is a command line of Apache's rotatelogs, read as rotatelogs
// 2.4 reads it:
//
//	rotatelogs [-vlfDtTecz] [-L linkname] [-p prog] [-n number] logfile
//	    {rotationtime|filesize(B|K|M|G)} [filesize(B|K|M|G)] [offset]
//
// -z (gzip rotated files) is logproxy's; the rest are rotatelogs'.
type Rotatelogs struct {
	// Path is the logfile argument: a strftime pattern if it holds a '%'.
	Path string
	// Options are what New needs to do what rotatelogs does. Echo and
	// Verbose are left for the caller to point at its stdout and stderr.
	Options Options

	LocalTime bool // -l: Options.Location is the C library's local zone
	UTCOffset int  // the offset argument, in seconds
	Echo      bool // -e
	Verbose   bool // -v
	NoOffset  bool // no offset argument was given
}

// ArgError is a command line that rotatelogs refuses: Msg is its message,
// word for word, and Usage tells whether it prints its usage text after
// it. Either way it exits with status 1.
type ArgError struct {
	Msg   string
	Usage bool
}

func (e *ArgError) Error() string { return e.Msg }

func usageError(msg string) error { return &ArgError{Msg: msg, Usage: true} }

// rotatelogsOpts are the options rotatelogs takes, in apr_getopt's
// notation; z is logproxy's.
const rotatelogsOpts = "lL:p:fDtTvecn:z"

// ParseRotatelogsArgs reads the arguments of rotatelogs (without the
// program name). Its errors are *ArgError.
func ParseRotatelogsArgs(args []string) (*Rotatelogs, error) {
	r := &Rotatelogs{NoOffset: true}
	o := &r.Options
	o.Naming = NameStamped
	numbered := false
	files := 0
	// apr_getopt, with the same answers to odd spellings: grouped flags,
	// an option's argument glued or separate, "--" (or anything that
	// starts so) ends the options, and a '-' inside a group ends them
	// before that argument, which becomes the log file.
	i := 0
opts:
	for i < len(args) {
		a := args[i]
		if len(a) < 2 || a[0] != '-' {
			break
		}
		if a[1] == '-' {
			i++
			break
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			if c == '-' {
				break opts
			}
			k := strings.IndexByte(rotatelogsOpts, c)
			if c == ':' || k < 0 {
				return nil, usageError("rotatelogs: illegal option -- " + string(c))
			}
			if k+1 < len(rotatelogsOpts) && rotatelogsOpts[k+1] == ':' {
				var arg string
				i++
				switch {
				case j+1 < len(a):
					arg = a[j+1:]
				case i < len(args):
					arg = args[i]
					i++
				default:
					return nil, usageError("rotatelogs: option requires an argument -- " + string(c))
				}
				switch c {
				case 'L':
					o.Link = arg
				case 'p':
					o.PostRotate = arg
				case 'n':
					numbered = true
					files = catoi(arg)
				}
				continue opts
			}
			switch c {
			case 'l':
				r.LocalTime = true
			case 'f':
				o.ForceOpen = true
			case 'D':
				o.MakeDirs = true
			case 't':
				o.Naming = NameTruncate
			case 'T':
				o.TruncateRotated = true
			case 'v':
				r.Verbose = true
			case 'e':
				r.Echo = true
			case 'c':
				o.CreateEmpty = true
			case 'z':
				o.Compress = true
			}
		}
		i++
	}
	rest := args[i:]
	if len(rest) < 2 || len(rest) > 4 {
		return nil, usageError("Incorrect number of arguments")
	}
	if rest[0] == "" {
		return nil, usageError("Invalid filename given")
	}
	r.Path = rest[0]
	var size, interval int64
	for k, a := range rest[1:] {
		last := k == len(rest)-2
		if err := r.timeOrSize(a, last, &size, &interval); err != nil {
			return nil, err
		}
	}
	o.MaxSize = size
	o.Interval = time.Duration(interval) * time.Second
	strftime := strings.Contains(r.Path, "%")
	if strftime && numbered && files > 0 {
		return nil, &ArgError{Msg: "Cannot use -n with % in filename"}
	}
	if numbered && files < 1 {
		return nil, &ArgError{Msg: "Invalid -n argument"}
	}
	switch {
	case o.Naming == NameTruncate && strftime:
		// rotatelogs renders the pattern and truncates what it opens.
		o.Naming, o.TruncateRotated = NameStamped, true
	case o.Naming == NameTruncate:
	case numbered:
		o.Naming, o.Files = NameNumbered, files
	}
	switch {
	case r.LocalTime:
		o.Location = logformat.LocalZone()
	case r.UTCOffset != 0:
		o.Location = time.FixedZone(offsetName(r.UTCOffset), r.UTCOffset)
	}
	return r, nil
}

// timeOrSize is rotatelogs' get_time_or_size.
func (r *Rotatelogs) timeOrSize(arg string, last bool, size, interval *int64) error {
	mult := int64(0)
	unit := -1
	for _, u := range []struct {
		c byte
		m int64
	}{{'B', 1}, {'K', 1 << 10}, {'M', 1 << 20}, {'G', 1 << 30}} {
		if k := strings.IndexByte(arg, u.c); k >= 0 {
			unit, mult = k, u.m
			break
		}
	}
	switch {
	case unit >= 0:
		if *size > 0 {
			return usageError("Rotation size parameter allowed only once")
		}
		if unit == len(arg)-1 {
			*size = int64(catoi(arg)) * mult
		}
		if *size <= 0 {
			*size = 0
			return usageError("Invalid rotation size parameter")
		}
	case (*size > 0 || *interval > 0) && last:
		if r.LocalTime {
			return usageError("UTC offset parameter is not valid with -l")
		}
		r.UTCOffset = catoi(arg) * 60
		r.NoOffset = false
	default:
		if *interval > 0 {
			return usageError("Rotation time parameter allowed only once")
		}
		*interval = int64(catoi(arg))
		if *interval <= 0 {
			*interval = 0
			return usageError("Invalid rotation time parameter")
		}
	}
	return nil
}

// catoi is C's atoi on glibc: strtol, clamped to a long, then truncated to
// an int.
func catoi(s string) int {
	i := 0
	for i < len(s) && (s[i] == ' ' || '\t' <= s[i] && s[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var n uint64
	over := false
	for ; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		if n > (math.MaxUint64-9)/10 {
			over = true
			continue
		}
		n = n*10 + uint64(s[i]-'0')
	}
	var l int64
	switch {
	case neg && (over || n > 1<<63):
		l = math.MinInt64
	case neg:
		l = -int64(n)
	case over || n > math.MaxInt64:
		l = math.MaxInt64
	default:
		l = int64(n)
	}
	return int(int32(l))
}

func offsetName(off int) string {
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("UTC%c%02d:%02d", sign, off/3600, off/60%60)
}

// Args returns a command line that reads back as r.
func (r *Rotatelogs) Args() []string {
	o := &r.Options
	var a []string
	flag := func(on bool, f string) {
		if on {
			a = append(a, f)
		}
	}
	flag(r.LocalTime, "-l")
	if o.Link != "" {
		a = append(a, "-L", o.Link)
	}
	if o.PostRotate != "" {
		a = append(a, "-p", o.PostRotate)
	}
	flag(o.ForceOpen, "-f")
	flag(o.MakeDirs, "-D")
	flag(o.Naming == NameTruncate, "-t")
	flag(o.TruncateRotated, "-T")
	flag(r.Verbose, "-v")
	flag(r.Echo, "-e")
	flag(o.CreateEmpty, "-c")
	flag(o.Compress, "-z")
	if o.Naming == NameNumbered {
		a = append(a, "-n", strconv.Itoa(o.Files))
	}
	a = append(a, "--", r.Path)
	if o.Interval > 0 {
		a = append(a, strconv.FormatInt(int64(o.Interval/time.Second), 10))
	}
	if o.MaxSize > 0 {
		a = append(a, sizeArg(o.MaxSize))
	}
	if !r.NoOffset {
		a = append(a, strconv.Itoa(r.UTCOffset/60))
	}
	return a
}

// sizeArg writes a size in the largest unit that divides it, which keeps
// the number within what rotatelogs' atoi reads.
func sizeArg(n int64) string {
	for _, u := range []struct {
		c string
		m int64
	}{{"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}} {
		if n%u.m == 0 {
			return strconv.FormatInt(n/u.m, 10) + u.c
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

// DumpConfig writes what rotatelogs -v writes about its configuration.
func (r *Rotatelogs) DumpConfig(w io.Writer) {
	o := &r.Options
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	prog := o.PostRotate
	if prog == "" {
		prog = "not used"
	}
	fmt.Fprintf(w, "Rotation time interval:      %12d\n", int64(o.Interval/time.Second))
	fmt.Fprintf(w, "Rotation size interval:      %12d\n", o.MaxSize)
	fmt.Fprintf(w, "Rotation time UTC offset:    %12d\n", r.UTCOffset)
	fmt.Fprintf(w, "Rotation based on localtime: %12s\n", yes(r.LocalTime))
	fmt.Fprintf(w, "Rotation file date pattern:  %12s\n", yes(strings.Contains(r.Path, "%")))
	fmt.Fprintf(w, "Rotation file forced open:   %12s\n", yes(o.ForceOpen))
	fmt.Fprintf(w, "Create parent directories:   %12s\n", yes(o.MakeDirs))
	fmt.Fprintf(w, "Rotation verbose:            %12s\n", yes(r.Verbose))
	fmt.Fprintf(w, "Rotation create empty logs:  %12s\n", yes(o.CreateEmpty))
	fmt.Fprintf(w, "Rotation file name: %21s\n", r.Path)
	fmt.Fprintf(w, "Post-rotation prog: %21s\n", prog)
}
