package logformat

import (
	"strings"
	"time"
)

// op says what an item renders. Each letter of mod_log_config and mod_logio
// has one op; a few letters split by argument at compile time.
type op uint8

const (
	opLiteral     op = iota // text of the format
	opRemoteHost            // %h
	opPeerHost              // %{c}h
	opRemoteIP              // %a
	opPeerIP                // %{c}a
	opLocalIP               // %A
	opLogname               // %l
	opUser                  // %u
	opTime                  // %t and %{...}t
	opFilename              // %f
	opBytesCLF              // %b
	opBytes                 // %B
	opHeaderIn              // %{X}i
	opHeaderOut             // %{X}o
	opNote                  // %{X}n
	opLogID                 // %L
	opConnLogID             // %{c}L
	opEnv                   // %{X}e
	opServerName            // %V
	opVirtualHost           // %v
	opServerPort            // %p, %{canonical}p
	opRemotePort            // %{remote}p
	opLocalPort             // %{local}p
	opPid                   // %P, %{pid}P
	opTid                   // %{tid}P
	opHexTid                // %{hextid}P
	opProtocol              // %H
	opMethod                // %m
	opQuery                 // %q
	opConnStatus            // %X
	opCookie                // %{X}C
	opKeepAlives            // %k
	opRequestLine           // %r
	opDurationUS            // %D, %{us}T
	opDurationS             // %T, %{s}T
	opDurationMS            // %{ms}T
	opURI                   // %U
	opStatus                // %s
	opHandler               // %R
	opTrailerIn             // %{X}^ti
	opTrailerOut            // %{X}^to
	opBytesIn               // %I
	opBytesOut              // %O
	opBytesBoth             // %S
	opTTFB                  // %^FB
	opSSL                   // %{VAR}x, %{name}c: mod_ssl's, see tls.go
)

// item is one compiled piece of a format.
type item struct {
	op      op
	orig    bool    // read the original request instead of the final one
	negate  bool    // the status list names the statuses that log "-"
	conds   []int32 // status list; empty means always
	arg     string  // literal text, header name, note name, ...
	time    *timeItem
	itemOff int  // byte offset of the item in the format, for errors and String
	bare    bool // in a JSON format, outside a string: "-" is logged as null
	ssl     sslVar
	redact  uint8 // how the value is redacted (redact.go); 0: not at all
}

// Format is a compiled LogFormat. It is safe for concurrent use.
type Format struct {
	src   string
	items []item
	loc   *time.Location
	clf   clfCache
	uses  Uses
	esc   Escape
	// redact is the Redaction the items with a redact mark follow.
	redact *Redaction
}

// Uses tells which of a Record's costlier fields a format reads: a
// caller may leave the others unset (see Format.Uses).
type Uses uint8

const (
	UsesEnd  Uses = 1 << iota // Record.End: %D, %T, %{..}T, %{end:...}t
	UsesTTFB                  // Record.TTFB: %^FB
	UsesTid                   // Record.Tid: %{tid}P, %{hextid}P
)

// Uses reports which of Record's End, TTFB and Tid the format reads; the
// rest of a Record may be needed by any format.
func (f *Format) Uses() Uses { return f.uses }

func (it *item) uses() Uses {
	switch it.op {
	case opDurationUS, opDurationMS, opDurationS:
		return UsesEnd
	case opTime:
		if it.time != nil && it.time.end {
			return UsesEnd
		}
	case opTTFB:
		return UsesTTFB
	case opTid, opHexTid:
		return UsesTid
	}
	return 0
}

// Options adjust how a format renders. The zero value is ready to use.
type Options struct {
	// Location is the zone of %t and %{format}t. Nil means the zone the C
	// library would use for this process: TZ, read as glibc reads it
	// (including POSIX rule strings), or /etc/localtime.
	Location *time.Location

	// Escape is how the text of items is escaped. The zero value is
	// httpd's escaping.
	Escape Escape

	// SSL says that mod_ssl is loaded: it adds %{VAR}x and %{name}c, which
	// httpd refuses without it.
	SSL bool

	// Redact names secrets the format hides (logproxy's own, see
	// Redaction). The zero value hides nothing.
	Redact Redaction
}

// SyntaxError reports a format that httpd refuses, with httpd's message.
type SyntaxError struct {
	Format string // the format as given to Compile
	Offset int    // byte offset in Format of the item at fault
	Msg    string // httpd's wording, for example "Unrecognized LogFormat directive %Z"
}

func (e *SyntaxError) Error() string {
	return e.Msg + " (at byte " + itoa(e.Offset) + " of the format)"
}

// Escape reports how the format escapes the text of its items.
func (f *Format) Escape() Escape { return f.esc }

// String returns the format as it was given to Compile.
func (f *Format) String() string { return f.src }

// Compile parses an Apache LogFormat string as mod_log_config does, after the
// configuration tokenizer has processed its quotes. Nil opts means the zero
// Options. A format httpd refuses returns a *SyntaxError.
func Compile(format string, opts *Options) (*Format, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Location == nil {
		o.Location = LocalZone()
	}
	src := format
	// httpd reads the format as a C string: it ends at the first NUL.
	if i := strings.IndexByte(format, 0); i >= 0 {
		format = format[:i]
	}
	f := &Format{src: src, loc: o.Location, esc: o.Escape}
	s := 0
	for s < len(format) {
		if format[s] != '%' {
			var lit []byte
			lit, s = compileLiteral(format, s)
			f.addLiteral(string(lit))
			continue
		}
		it, next, err := compileItem(format, s, o.SSL)
		if err != nil {
			err.Format = src
			return nil, err
		}
		s = next
		if it.op == opLiteral && len(it.conds) == 0 {
			f.addLiteral(it.arg)
			continue
		}
		f.items = append(f.items, it)
		f.uses |= it.uses()
	}
	if o.Escape == EscapeJSON {
		if err := f.compileJSON(); err != nil {
			err.Format = src
			return nil, err
		}
	}
	f.addLiteral("\n")
	rd := o.Redact
	f.markRedactions(&rd)
	return f, nil
}

// MustCompile is Compile for tests and examples: it panics on error.
func MustCompile(format string) *Format {
	f, err := Compile(format, nil)
	if err != nil {
		panic(err)
	}
	return f
}

// addLiteral appends text, merging it with a literal just before it.
func (f *Format) addLiteral(text string) {
	if text == "" {
		return
	}
	if n := len(f.items); n > 0 && f.items[n-1].op == opLiteral && len(f.items[n-1].conds) == 0 {
		f.items[n-1].arg += text
		return
	}
	f.items = append(f.items, item{op: opLiteral, arg: text})
}

// compileLiteral reads text up to the next '%', applying the backslash
// escapes httpd's parse_log_misc_string applies: \\ \r \n \t. Any other
// backslash is kept as it is, with the character after it.
func compileLiteral(format string, s int) ([]byte, int) {
	var d []byte
	for s < len(format) && format[s] != '%' {
		c := format[s]
		if c != '\\' {
			d = append(d, c)
			s++
			continue
		}
		s++
		if s < len(format) {
			switch format[s] {
			case '\\':
				d = append(d, '\\')
				s++
				continue
			case 'r':
				d = append(d, '\r')
				s++
				continue
			case 'n':
				d = append(d, '\n')
				s++
				continue
			case 't':
				d = append(d, '\t')
				s++
				continue
			}
		}
		d = append(d, '\\')
	}
	return d, s
}

// letters maps a format letter to its op, and says whether the item reads
// the original request by default, as log_pfn_register's last argument.
var letters = [256]struct {
	op   op
	ok   bool
	orig bool
}{
	'h': {opRemoteHost, true, false},
	'a': {opRemoteIP, true, false},
	'A': {opLocalIP, true, false},
	'l': {opLogname, true, false},
	'u': {opUser, true, false},
	't': {opTime, true, false},
	'f': {opFilename, true, false},
	'b': {opBytesCLF, true, false},
	'B': {opBytes, true, false},
	'i': {opHeaderIn, true, false},
	'o': {opHeaderOut, true, false},
	'n': {opNote, true, false},
	'L': {opLogID, true, true},
	'e': {opEnv, true, false},
	'V': {opServerName, true, false},
	'v': {opVirtualHost, true, false},
	'p': {opServerPort, true, false},
	'P': {opPid, true, false},
	'H': {opProtocol, true, false},
	'm': {opMethod, true, false},
	'q': {opQuery, true, false},
	'X': {opConnStatus, true, false},
	'C': {opCookie, true, false},
	'k': {opKeepAlives, true, false},
	'r': {opRequestLine, true, true},
	'D': {opDurationUS, true, true},
	'T': {opDurationS, true, true},
	'U': {opURI, true, true},
	's': {opStatus, true, true},
	'R': {opHandler, true, true},
	'I': {opBytesIn, true, false},
	'O': {opBytesOut, true, false},
	'S': {opBytesBoth, true, false},
}

// caretItems are mod_log_config's and mod_logio's three-character names.
var caretItems = map[string]struct {
	op   op
	orig bool
}{
	"^ti": {opTrailerIn, false},
	"^to": {opTrailerOut, false},
	"^FB": {opTTFB, false},
}

// compileItem parses the item that starts with the '%' at format[s], as
// httpd's parse_log_item does, and returns it with the offset after it.
func compileItem(format string, s int, ssl bool) (item, int, *SyntaxError) {
	start := s
	s++
	if s < len(format) && format[s] == '%' {
		return item{op: opLiteral, arg: "%", itemOff: start}, s + 1, nil
	}
	it := item{itemOff: start}
	wantOrig := -1
	for s < len(format) {
		c := format[s]
		switch {
		case c == '!':
			s++
			it.negate = !it.negate
		case c == '<':
			s++
			wantOrig = 1
		case c == '>':
			s++
			wantOrig = 0
		case c == ',':
			s++
		case c == '{':
			s++
			end := strings.IndexByte(format[s:], '}')
			if end < 0 {
				it.arg = format[s:]
				s = len(format)
				break
			}
			it.arg = format[s : s+end]
			s += end
			for s < len(format) && format[s] == '}' {
				s++
			}
		case '0' <= c && c <= '9':
			// C int arithmetic: a long list of digits wraps as httpd's does.
			var n int32
			for s < len(format) && '0' <= format[s] && format[s] <= '9' {
				n = n*10 + int32(format[s]-'0')
				s++
			}
			it.conds = append(it.conds, n)
		default:
			if c == '^' && s+2 < len(format) {
				if ci, ok := caretItems[format[s:s+3]]; ok {
					it.op = ci.op
					if wantOrig == -1 {
						it.orig = ci.orig
					} else {
						it.orig = wantOrig == 1
					}
					return it, s + 3, nil
				}
			}
			if ssl && (c == 'x' || c == 'c') {
				it.op = opSSL
				if err := it.compileSSL(c); err != nil {
					return it, 0, err
				}
				return it, s + 1, nil
			}
			l := letters[c]
			if !l.ok {
				return it, 0, &SyntaxError{Offset: s, Msg: "Unrecognized LogFormat directive %" + string([]byte{c})}
			}
			it.op = l.op
			if wantOrig == -1 {
				it.orig = l.orig
			} else {
				it.orig = wantOrig == 1
			}
			it.specialise()
			return it, s + 1, nil
		}
	}
	return it, 0, &SyntaxError{Offset: start, Msg: "Ran off end of LogFormat parsing args to some directive"}
}

// specialise picks the op that the item's argument selects, at compile time
// instead of on every line. Arguments that httpd echoes verbatim ("bogus
// format") become literals that still obey the status list.
func (it *item) specialise() {
	a := it.arg
	switch it.op {
	case opRemoteHost:
		if a == "c" {
			it.op = opPeerHost
		}
	case opRemoteIP:
		if a == "c" {
			it.op = opPeerIP
		}
	case opLogID:
		if a == "c" {
			it.op = opConnLogID
		}
	case opServerPort:
		switch {
		case a == "" || strings.EqualFold(a, "canonical"):
		case strings.EqualFold(a, "remote"):
			it.op = opRemotePort
		case strings.EqualFold(a, "local"):
			it.op = opLocalPort
		default:
			it.op = opLiteral
		}
	case opPid:
		switch {
		case a == "" || strings.EqualFold(a, "pid"):
		case strings.EqualFold(a, "tid"):
			it.op = opTid
		case strings.EqualFold(a, "hextid"):
			it.op = opHexTid
		default:
			it.op = opLiteral
		}
	case opDurationS:
		switch {
		case a == "" || strings.EqualFold(a, "s"):
		case strings.EqualFold(a, "ms"):
			it.op = opDurationMS
		case strings.EqualFold(a, "us"):
			it.op = opDurationUS
		default:
			it.op = opLiteral
		}
	case opTime:
		it.time = compileTime(a)
	}
}

// itoa formats a small non-negative int without fmt.
func itoa(n int) string {
	return string(appendInt(nil, int64(n)))
}
