package proxy

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jl6/logproxy/logformat"
)

// HeaderValue is a compiled mod_headers value: literal text (with the
// backslash escapes \\ \r \n \t) and the format tags %t, %D, %{VAR}e,
// %{VAR}s and %l.
type HeaderValue struct {
	parts []headerPart
}

type headerPart struct {
	tag byte // 0 for literal text
	arg string
}

// ParseHeaderValue compiles the value of a Header or RequestHeader line as
// mod_headers' parse_format_string does. An unknown tag is an error with
// httpd's wording; %i and %b (idle and busy workers of httpd's scoreboard)
// have no meaning for logproxy and are refused too.
func ParseHeaderValue(s string) (HeaderValue, error) {
	var v HeaderValue
	for s != "" {
		if s[0] != '%' {
			i := strings.IndexByte(s, '%')
			if i < 0 {
				i = len(s)
			}
			v.parts = append(v.parts, headerPart{arg: unescapeHeaderLiteral(s[:i])})
			s = s[i:]
			continue
		}
		s = s[1:]
		if s == "" || s[0] == '%' {
			v.parts = append(v.parts, headerPart{arg: "%"})
			if s != "" {
				s = s[1:]
			}
			continue
		}
		var arg string
		if s[0] == '{' {
			end := strings.IndexByte(s, '}')
			if end < 0 {
				arg, s = s[1:], ""
			} else {
				arg, s = s[1:end], s[end+1:]
				for s != "" && s[0] == '}' {
					s = s[1:]
				}
			}
		}
		if s == "" {
			//lint:ignore ST1005 httpd's wording, kept verbatim
			return v, errors.New("Unrecognized header format %")
		}
		tag := s[0]
		s = s[1:]
		switch tag {
		case 's':
			if arg != "HTTPS" && !logformat.IsSSLVar(arg) {
				return v, fmt.Errorf("header format %%{%s}s: logproxy gives %%{..}s mod_ssl's variables only (HTTPS and SSL_PROTOCOL, SSL_CIPHER, ...)", arg)
			}
		case 't', 'D', 'e', 'l':
		case 'i', 'b':
			return v, fmt.Errorf("header format %%%c (httpd's idle or busy workers) is not supported by logproxy", tag)
		default:
			return v, errors.New("Unrecognized header format %" + string(tag))
		}
		v.parts = append(v.parts, headerPart{tag: tag, arg: arg})
	}
	return v, nil
}

// unescapeHeaderLiteral applies parse_misc_string's escapes.
func unescapeHeaderLiteral(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '\\':
			b.WriteByte('\\')
		case 'r':
			b.WriteByte('\r')
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		default:
			b.WriteByte('\\')
			continue
		}
		i++
	}
	return b.String()
}

// IsEmpty reports whether the value has no parts at all.
func (v HeaderValue) IsEmpty() bool { return len(v.parts) == 0 }

// plain returns the value when it is plain text, with no % item.
func (v HeaderValue) plain() (string, bool) {
	if len(v.parts) == 1 && v.parts[0].tag == 0 {
		return v.parts[0].arg, true
	}
	if len(v.parts) == 0 {
		return "", true
	}
	return "", false
}

// headerConn is what %{VAR}s reads: the connection's TLS session (nil
// for plain HTTP) and whether mod_ssl is loaded, without which
// ap_ssl_var_lookup has no answer.
type headerConn struct {
	tls *logformat.TLS
	ssl bool
}

// render evaluates the value for a request with environment env that
// began at begin, on connection hc.
func (v HeaderValue) render(env Fields, begin, now time.Time, hc headerConn) string {
	if s, ok := v.plain(); ok {
		return s
	}
	var b strings.Builder
	for _, p := range v.parts {
		switch p.tag {
		case 0:
			b.WriteString(p.arg)
		case 't':
			b.WriteString("t=")
			b.WriteString(strconv.FormatInt(begin.UnixMicro(), 10))
		case 'D':
			b.WriteString("D=")
			b.WriteString(strconv.FormatInt(now.Sub(begin).Microseconds(), 10))
		case 'e':
			if val, ok := env.Get(p.arg); ok {
				b.WriteString(unwrapHeader(val))
			} else {
				b.WriteString("(null)")
			}
		case 's':
			// header_request_ssl_var: the value, or "(null)" for none.
			val := ""
			switch {
			case !hc.ssl:
			case p.arg == "HTTPS" && hc.tls != nil:
				val = "on"
			case p.arg == "HTTPS":
				val = "off"
			default:
				val = logformat.SSLVar(hc.tls, p.arg)
			}
			if val == "" {
				val = "(null)"
			}
			b.WriteString(unwrapHeader(val))
		case 'l':
			b.WriteString(loadAverage())
		}
	}
	return b.String()
}

// unwrapHeader replaces line breaks in a value with spaces, as
// mod_headers' unwrap_header.
func unwrapHeader(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(s)
}

// loadAverage is mod_headers' %l: "l=1.00/0.50/0.25".
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "l=-1/-1/-1"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "l=-1/-1/-1"
	}
	return "l=" + f[0] + "/" + f[1] + "/" + f[2]
}
