package proxy

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
)

// corpusCase is one row of /work/shared/conformance/httpd-cases.tsv whose
// log line shows what httpd's request parser produced. want maps log
// items of the row's LogFormat to the text httpd logged for them (the
// first request of the row; want2 for the second); "%I" comes from the
// row's context log. The expectations are httpd's output, copied from the
// corpus, not computed by this package.
type corpusCase struct {
	name   string
	server string // main:18080 defaults, main:18081 Unsafe, main:18084 small limits
	in     string
	mode   string // the corpus client_mode; "partial" ends in a read timeout
	body   int    // bytes of request body that %I counts after the head
	want   map[string]string
	want2  map[string]string
}

var corpusCases = []corpusCase{
	{name: "method_bad_token_400", server: "main:18080", in: "G\"ET /p/x HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "400", "%r": "G\\\"ET /p/x HTTP/1.1", "%m": "G\\\"ET", "%U": "/p/x", "%q": "", "%H": "HTTP/1.1", "%I": "20"},
	},
	{name: "bad_double_space_400", server: "main:18080", in: "GET  /p/x HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "400", "%r": "GET /p/x HTTP/1.1", "%m": "GET", "%U": "/p/x", "%q": "", "%H": "HTTP/1.1", "%s": "400", "%I": "20"},
	},
	{name: "bad_double_space_unsafe", server: "main:18081", in: "GET  /p/x HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "200", "%r": "GET /p/x HTTP/1.1", "%m": "GET", "%U": "/p/x", "%q": "", "%H": "HTTP/1.1", "%I": "80"},
	},
	{name: "bad_lowercase_proto_400", server: "main:18080", in: "GET /p/x http/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "400", "%r": "GET /p/x http/1.1", "%m": "GET", "%U": "/p/x", "%q": "", "%H": "http/1.1", "%I": "19"},
	},
	{name: "proto_http12", server: "main:18080", in: "GET /p/x HTTP/1.2\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "200", "%r": "GET /p/x HTTP/1.2", "%m": "GET", "%U": "/p/x", "%q": "", "%H": "HTTP/1.2", "%I": "79"},
	},
	{name: "proto_junk_400", server: "main:18080", in: "GET /p/x FOO/1.0\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "400", "%r": "GET /p/x FOO/1.0", "%m": "GET", "%U": "/p/x", "%q": "", "%H": "HTTP/1.0", "%I": "18"},
	},
	{name: "http09_get", server: "main:18080", in: "GET /p/x\x0d\x0a",
		mode: "eof",
		want: map[string]string{"%>s": "200", "%r": "GET /p/x", "%m": "GET", "%U": "/p/x", "%q": "", "%H": "HTTP/0.9", "%I": "10"},
	},
	{name: "bare_lf_unsafe", server: "main:18081", in: "GET /p/x HTTP/1.1\x0aHost: www.example.test\x0aUser-Agent: lf\x0aConnection: close\x0a\x0a",
		mode: "eof",
		want: map[string]string{"%>s": "200", "%r": "GET /p/x HTTP/1.1", "%m": "GET", "%U": "/p/x", "%q": "", "%H": "HTTP/1.1", "%I": "75"},
	},
	{name: "leading_blank_line_one", server: "main:18080", in: "\x0d\x0aGET /p/x HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "200", "%I": "81", "%r": "GET /p/x HTTP/1.1"},
	},
	{name: "tls_clienthello_on_plain_port", server: "main:18080", in: "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03 !\"#$%&'()*+,-./0123456789:;<=>?\x0d\x0a\x0d\x0a",
		mode: "eof",
		want: map[string]string{"%>s": "400", "%r": "\\x16\\x03\\x01", "%m": "-", "%U": "-", "%q": "", "%H": "HTTP/1.0", "%I": "45"},
	},
	{name: "connect_and_close", server: "main:18080", in: "",
		mode: "empty",
	},
	{name: "partial_headers_timeout_408", server: "main:18084", in: "GET /p/x HTTP/1.1\x0d\x0aHost: limits.test\x0d\x0a",
		mode: "partial",
		want: map[string]string{"%>s": "408", "%r": "GET /p/x HTTP/1.1", "%m": "GET", "%U": "/p/x", "%q": "", "%H": "HTTP/1.1", "%{Host}i": "-", "%I": "38"},
	},
	{name: "partial_request_line_timeout", server: "main:18084", in: "GET /p/x HT",
		mode: "partial",
		want: map[string]string{"%>s": "408", "%r": "-", "%m": "-", "%U": "-", "%q": "", "%H": "HTTP/1.0", "%I": "11"},
	},
	{name: "header_field_too_long_400", server: "main:18084", in: "GET /p/x HTTP/1.1\x0d\x0aHost: limits.test\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0aX-Long: " + strings.Repeat("z", 150) + "\x0d\x0a\x0d\x0a",
		mode: "eof",
		want: map[string]string{"%>s": "400", "%r": "GET /p/x HTTP/1.1", "%m": "GET", "%U": "/p/x", "%q": "", "%H": "HTTP/1.1", "%{X-Long}i": "-", "%{Host}i": "limits.test", "%I": "226"},
	},
	{name: "too_many_headers_400", server: "main:18084", in: "GET /p/x HTTP/1.1\x0d\x0aHost: limits.test\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0aH1: 1\x0d\x0aH2: 2\x0d\x0aH3: 3\x0d\x0aH4: 4\x0d\x0aH5: 5\x0d\x0a\x0d\x0a",
		mode: "eof",
		want: map[string]string{"%>s": "400", "%r": "GET /p/x HTTP/1.1", "%m": "GET", "%U": "/p/x", "%q": "", "%H": "HTTP/1.1", "%{H1}i": "1", "%{Host}i": "limits.test", "%I": "94"},
	},
	{name: "header_no_colon_400", server: "main:18080", in: "GET /p/x HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0aNoColonHere\x0d\x0a\x0d\x0a",
		mode: "eof",
		want: map[string]string{"%>s": "400", "%r": "GET /p/x HTTP/1.1", "%m": "GET", "%U": "/p/x", "%q": "", "%H": "HTTP/1.1", "%{Host}i": "www.example.test:18080", "%I": "92"},
	},
	{name: "header_ctrl_char", server: "main:18080", in: "GET /p/x HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0aX-C: a\x01b\x7fc\x0d\x0a\x0d\x0a",
		mode: "eof",
		want: map[string]string{"%>s": "400", "%r": "GET /p/x HTTP/1.1", "%m": "GET", "%U": "/p/x", "%q": "", "%H": "HTTP/1.1", "%{X-C}i": "-", "%I": "91"},
	},
	{name: "header_over_default_limit_400", server: "main:18080", in: "GET /p/x HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: " + strings.Repeat("A", 9000) + "\x0d\x0a\x0d\x0a",
		mode: "eof",
		want: map[string]string{"%>s": "400", "%r": "GET /p/x HTTP/1.1", "%m": "GET", "%U": "/p/x", "%q": "", "%H": "HTTP/1.1", "%{User-Agent}i": "-", "%{Host}i": "-", "%I": "9063"},
	},
	{name: "header_whitespace_trim", server: "main:18080", in: "GET /p/x HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0aX-W: \x09 padded  value \x09 \x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "200", "%{X-W}i": "padded  value", "%I": "104"},
	},
	{name: "header_empty_values", server: "main:18080", in: "GET /p/x HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0aX-E:\x0d\x0aX-E2:    \x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "200", "%{X-E}i": "", "%{X-E2}i": "", "%{X-Missing}i": "-", "%I": "96"},
	},
	{name: "host_duplicate", server: "main:18080", in: "GET /p/hello HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0aHost: www.example.test:18080\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "400", "%r": "GET /p/hello HTTP/1.1", "%m": "GET", "%U": "/p/hello", "%q": "", "%H": "HTTP/1.1", "%V": "www.example.test", "%{Host}i": "www.example.test:18080, www.example.test:18080", "%I": "113"},
	},
	{name: "host_invalid_400", server: "main:18080", in: "GET /p/x HTTP/1.1\x0d\x0aHost: bad host\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "400", "%V": "www.example.test", "%{Host}i": "bad host", "%r": "GET /p/x HTTP/1.1", "%I": "65"},
	},
	{name: "host_trailing_dot", server: "main:18080", in: "GET /p/x HTTP/1.1\x0d\x0aHost: WWW.example.test.:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "200", "%V": "www.example.test", "%{Host}i": "WWW.example.test.:18080", "%I": "80"},
	},
	{name: "host_ipv6_literal", server: "main:18080", in: "GET /p/x HTTP/1.1\x0d\x0aHost: [::1]:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "200", "%V": "::1", "%{Host}i": "[::1]:18080", "%I": "68"},
	},
	{name: "host_header_mixed_case", server: "main:18080", in: "GET /p/hello HTTP/1.1\x0d\x0aHost: WWW.Example.TEST:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%V": "www.example.test", "%{Host}i": "WWW.Example.TEST:18080", "%I": "83"},
	},
	{name: "uri_percent_decoding", server: "main:18080", in: "GET /p/a%20b%41%c3%a9%25%22 HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "200", "%r": "GET /p/a%20b%41%c3%a9%25%22 HTTP/1.1", "%m": "GET", "%U": "/p/a bA\\xc3\\xa9%\\\"", "%q": "", "%H": "HTTP/1.1", "%I": "98"},
	},
	{name: "uri_dot_segments", server: "main:18080", in: "GET /p/a/../b/./c HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "200", "%r": "GET /p/a/../b/./c HTTP/1.1", "%m": "GET", "%U": "/p/b/c", "%q": "", "%H": "HTTP/1.1", "%I": "88"},
	},
	{name: "uri_raw_utf8", server: "main:18080", in: "GET /p/caf\xc3\xa9 HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "200", "%r": "GET /p/caf\\xc3\\xa9 HTTP/1.1", "%m": "GET", "%U": "/p/caf\\xc3\\xa9", "%q": "", "%H": "HTTP/1.1", "%I": "83"},
	},
	{name: "uri_ctrl_byte_400", server: "main:18080", in: "GET /p/a\x01b HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "400", "%r": "GET /p/a\\x01b HTTP/1.1", "%m": "GET", "%U": "/p/a\\x01b", "%q": "", "%H": "HTTP/1.1", "%s": "400", "%I": "21"},
	},
	{name: "uri_fragment_400", server: "main:18080", in: "GET /p/x#frag HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "400", "%r": "GET /p/x#frag HTTP/1.1", "%m": "GET", "%U": "/p/x", "%q": "", "%H": "HTTP/1.1", "%I": "24"},
	},
	{name: "uri_fragment_unsafe", server: "main:18081", in: "GET /p/x#frag HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "200", "%r": "GET /p/x#frag HTTP/1.1", "%m": "GET", "%U": "/p/x", "%q": "", "%H": "HTTP/1.1", "%I": "84"},
	},
	{name: "uri_userinfo_strict_400", server: "main:18080", in: "GET http://user:secret@www.example.test:18080/p/x HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "400", "%r": "GET http://user:XXXXXXXX@www.example.test:18080/p/x HTTP/1.1", "%m": "GET", "%U": "/p/x", "%q": "", "%H": "HTTP/1.1", "%I": "60"},
	},
	{name: "uri_userinfo_unsafe", server: "main:18081", in: "GET http://user:secret@www.example.test:18081/p/x?q=1 HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "200", "%r": "GET http://user:XXXXXXXX@www.example.test:18081/p/x?q=1 HTTP/1.1", "%m": "GET", "%U": "/p/x", "%q": "?q=1", "%H": "HTTP/1.1", "%I": "124"},
	},
	{name: "uri_tab_400", server: "main:18080", in: "GET /p/a\x09b HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "400", "%r": "GET /p/a b", "%m": "GET", "%U": "/p/a", "%q": "", "%H": "HTTP/1.0", "%I": "21"},
	},
	{name: "uri_tab_unsafe", server: "main:18081", in: "GET /p/a\x09b HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "400", "%r": "GET /p/a b", "%m": "GET", "%U": "/p/a", "%q": "", "%H": "HTTP/1.0", "%I": "21"},
	},
	{name: "options_star", server: "main:18080", in: "OPTIONS * HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "200", "%r": "OPTIONS * HTTP/1.1", "%m": "OPTIONS", "%U": "*", "%q": "", "%H": "HTTP/1.1", "%I": "80"},
	},
	{name: "cl_and_te_chunked_wins", server: "main:18080", body: 15, in: "POST /p/x HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0aContent-Length: 5\x0d\x0aTransfer-Encoding: chunked\x0d\x0a\x0d\x0a5\x0d\x0ahello\x0d\x0a0\x0d\x0a\x0d\x0a",
		mode: "eof",
		want: map[string]string{"%>s": "200", "%I": "142", "%r": "POST /p/x HTTP/1.1", "%{Content-Length}i": "-", "%{Transfer-Encoding}i": "chunked"},
	},
	{name: "keepalive_blank_line_between", server: "main:18080", in: "GET /p/1 HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a" + "\x0d\x0aGET /p/2 HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0aConnection: close\x0d\x0a\x0d\x0a",
		mode:  "sequential",
		want:  map[string]string{"%I": "79", "%>s": "200", "%r": "GET /p/1 HTTP/1.1"},
		want2: map[string]string{"%I": "100", "%>s": "200", "%r": "GET /p/2 HTTP/1.1"},
	},
	{name: "cond_status_400_after_headers", server: "main:18080", in: "GET /p/x HTTP/1.1\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0aReferer: http://r.test/\x0d\x0aX-Q: q\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%400,501{User-agent}i": "jl6-client/1.0", "%!200,304,302{Referer}i": "http://r.test/", "%200s": "-", "%!200s": "400", "%404,200>s": "-", "%!404,500{X-Q}i": "q", "%I": "82"},
	},
	{name: "cond_status_400_malformed", server: "main:18080", in: "GET /p/x HTTP/1.1 junk\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0aReferer: http://r.test/\x0d\x0a\x0d\x0a",
		mode: "eof",
		want: map[string]string{"%400,501{User-agent}i": "-", "%!200,304,302{Referer}i": "-", "%200s": "-", "%!200s": "400", "%404,200>s": "-", "%!404,500{X-Q}i": "-", "%I": "24"},
	},
	{name: "query_basic", server: "main:18080", in: "GET /p/q?a=1&b=two%20x HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "200", "%r": "GET /p/q?a=1&b=two%20x HTTP/1.1", "%m": "GET", "%U": "/p/q", "%q": "?a=1&b=two%20x", "%H": "HTTP/1.1", "%I": "93"},
	},
	{name: "query_empty_qmark", server: "main:18080", in: "GET /p/q? HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "200", "%r": "GET /p/q? HTTP/1.1", "%m": "GET", "%U": "/p/q", "%q": "?", "%H": "HTTP/1.1", "%I": "80"},
	},
	{name: "query_none", server: "main:18080", in: "GET /p/q HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%q": "", "%U": "/p/q", "%I": "79"},
	},
	{name: "query_quote_backslash", server: "main:18080", in: "GET /p/q?x=\"y\"&z=\\w HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "200", "%r": "GET /p/q?x=\\\"y\\\"&z=\\\\w HTTP/1.1", "%m": "GET", "%U": "/p/q", "%q": "?x=\\\"y\\\"&z=\\\\w", "%H": "HTTP/1.1", "%I": "90"},
	},
	{name: "uri_quote_backslash", server: "main:18080", in: "GET /p/a\"b\\c HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "200", "%r": "GET /p/a\\\"b\\\\c HTTP/1.1", "%m": "GET", "%U": "/p/a\\\"b\\\\c", "%q": "", "%H": "HTTP/1.1", "%I": "83"},
	},
	{name: "method_custom", server: "main:18080", in: "FOO /p/x HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "200", "%r": "FOO /p/x HTTP/1.1", "%m": "FOO", "%U": "/p/x", "%q": "", "%H": "HTTP/1.1", "%I": "79"},
	},
	{name: "method_lowercase", server: "main:18080", in: "get /p/x HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "200", "%r": "get /p/x HTTP/1.1", "%m": "get", "%U": "/p/x", "%q": "", "%H": "HTTP/1.1", "%I": "79"},
	},
	{name: "method_long_custom", server: "main:18080", in: "PROPFIND-EXTENDED-CUSTOM-METHOD /p/x HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "200", "%r": "PROPFIND-EXTENDED-CUSTOM-METHOD /p/x HTTP/1.1", "%m": "PROPFIND-EXTENDED-CUSTOM-METHOD", "%U": "/p/x", "%q": "", "%H": "HTTP/1.1", "%I": "107"},
	},
	{name: "method_head", server: "main:18080", in: "HEAD /p/x HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0aX-Up: len=100\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "200", "%I": "95", "%r": "HEAD /p/x HTTP/1.1"},
	},
	{name: "method_post_cl", server: "main:18080", body: 10, in: "POST /p/x HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0aContent-Length: 10\x0d\x0a\x0d\x0a0123456789",
		mode: "sequential",
		want: map[string]string{"%>s": "200", "%I": "110", "%{Content-Length}i": "10"},
	},
	{name: "method_post_chunked_trailer", server: "main:18080", body: 38, in: "POST /p/x HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0aTransfer-Encoding: chunked\x0d\x0aTrailer: X-JL6-Trailer\x0d\x0a\x0d\x0a5\x0d\x0ahello\x0d\x0a0\x0d\x0aX-JL6-Trailer: tv \"q\"\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "200", "%I": "170", "%{X-JL6-Trailer}i": "-", "%{Transfer-Encoding}i": "chunked"},
	},
	{name: "expect_100_continue", server: "main:18080", body: 4, in: "POST /p/x HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0aContent-Length: 4\x0d\x0aExpect: 100-continue\x0d\x0a\x0d\x0a",
		mode: "expect",
		want: map[string]string{"%>s": "200", "%I": "125"},
	},
	{name: "header_utf8_value", server: "main:18080", in: "GET /p/x HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0aX-U: caf\xc3\xa9 \xff\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "200", "%{X-U}i": "caf\\xc3\\xa9 \\xff", "%I": "93"},
	},
	{name: "header_quotes_backslash_tab", server: "main:18080", in: "GET /p/x HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0aX-Q: a \"b\" \\c\x09d\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "200", "%{X-Q}i": "a \\\"b\\\" \\\\c\\td", "%I": "96"},
	},
	{name: "header_long_value_7000", server: "main:18080", in: "GET /p/x HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: " + strings.Repeat("A", 7000) + "\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "200", "%{User-Agent}i": strings.Repeat("A", 7000), "%I": "7065"},
	},
	{name: "pipelined_two", server: "main:18080", in: "GET /p/one HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a" + "GET /p/two HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0aConnection: close\x0d\x0a\x0d\x0a",
		mode:  "pipeline",
		want:  map[string]string{"%I": "82", "%r": "GET /p/one HTTP/1.1"},
		want2: map[string]string{"%I": "100", "%r": "GET /p/two HTTP/1.1"},
	},
	{name: "keepalive_http10", server: "main:18080", in: "GET /p/one HTTP/1.0\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0aConnection: keep-alive\x0d\x0a\x0d\x0a" + "GET /p/two HTTP/1.0\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0a\x0d\x0a",
		mode:  "sequential",
		want:  map[string]string{"%H": "HTTP/1.0", "%r": "GET /p/one HTTP/1.0", "%I": "105"},
		want2: map[string]string{"%H": "HTTP/1.0", "%r": "GET /p/two HTTP/1.0", "%I": "81"},
	},
	{name: "connection_close_header", server: "main:18080", in: "GET /p/x HTTP/1.1\x0d\x0aHost: www.example.test:18080\x0d\x0aUser-Agent: jl6-client/1.0\x0d\x0aConnection: close\x0d\x0a\x0d\x0a",
		mode: "sequential",
		want: map[string]string{"%>s": "200", "%I": "98"},
	},
}

// limitsOf returns the Limits of a corpus listener.
func limitsOf(server string) *Limits {
	switch server {
	case "main:18081":
		return &Limits{Unsafe: true}
	case "main:18084":
		return &Limits{RequestLine: 100, RequestFieldSize: 100, RequestFields: 4}
	}
	return &Limits{}
}

// timeoutError is what a net.Conn read returns once its deadline passed.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

// endReader returns its data, then err forever.
type endReader struct {
	data string
	err  error
}

func (r *endReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// oneByteReader hands out one byte per Read, as a slow client would.
type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1]
	}
	return o.r.Read(p)
}

func newHeadReader(in string, timeout bool, size int) *bufio.Reader {
	var err error = io.EOF
	if timeout {
		err = timeoutError{}
	}
	return bufio.NewReaderSize(&endReader{data: in, err: err}, size)
}

// escapeLogItem is ap_escape_logitem, as mod_log_config escapes %r, %U,
// %{X}i and the others.
func escapeLogItem(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\b':
			b.WriteString(`\b`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\v':
			b.WriteString(`\v`)
		case c == '\\' || c == '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// logItem renders one log item of the corpus formats from h the way
// mod_log_config would: conditions (%400,501{X}i, %!200s), %s %>s %r %m %U
// %q %H %V %I and %{X}i. vhost is the ServerName %V falls back to; body
// the request body bytes %I adds.
func logItem(t *testing.T, h *requestHead, item, vhost string, body int) string {
	t.Helper()
	s := strings.TrimPrefix(item, "%")
	status := h.Status
	if status == 0 {
		status = 200
	}
	neg := strings.HasPrefix(s, "!")
	s = strings.TrimPrefix(s, "!")
	codes := ""
	for len(s) > 0 && (s[0] == ',' || '0' <= s[0] && s[0] <= '9') {
		codes += s[:1]
		s = s[1:]
	}
	arg := ""
	if strings.HasPrefix(s, "{") {
		end := strings.IndexByte(s, '}')
		arg, s = s[1:end], s[end+1:]
	}
	s = strings.TrimLeft(s, "<>")
	if codes != "" {
		in := false
		for _, c := range strings.Split(codes, ",") {
			if c == strconv.Itoa(status) {
				in = true
			}
		}
		if in == neg {
			return "-"
		}
	}
	opt := func(v string, ok bool) string {
		if !ok {
			return "-"
		}
		return escapeLogItem(v)
	}
	switch s {
	case "s":
		return strconv.Itoa(status)
	case "r":
		return escapeLogItem(h.LogLine())
	case "m":
		return opt(h.Method, h.HasMethod)
	case "U":
		return opt(h.URI, h.HasURI)
	case "q":
		if !h.HasArgs {
			return ""
		}
		return "?" + escapeLogItem(h.Args)
	case "H":
		return escapeLogItem(h.Protocol)
	case "V":
		if h.HasHostname {
			return escapeLogItem(h.Hostname)
		}
		return vhost
	case "I":
		return strconv.FormatInt(h.BytesRead+int64(body), 10)
	case "i":
		v, ok := h.Get(arg)
		return opt(v, ok)
	}
	t.Fatalf("log item %q not supported by the test", item)
	return ""
}

func checkLogged(t *testing.T, h *requestHead, want map[string]string, body int) {
	t.Helper()
	for item, w := range want {
		if got := logItem(t, h, item, "www.example.test", body); got != w {
			t.Errorf("%s = %q, httpd logged %q", item, got, w)
		}
	}
}

// TestReadRequestHeadCorpus replays the corpus rows: what the parser keeps
// must log exactly what httpd logged.
func TestReadRequestHeadCorpus(t *testing.T) {
	for _, c := range corpusCases {
		for _, size := range []int{4096, 16} {
			t.Run(fmt.Sprintf("%s/buf%d", c.name, size), func(t *testing.T) {
				r := newHeadReader(c.in, c.mode == "partial", size)
				h := readRequestHead(r, limitsOf(c.server))
				if c.want == nil {
					if h.Stage != stageNoRequest || h.BytesRead != 0 {
						t.Fatalf("stage %d, %d bytes; want no request", h.Stage, h.BytesRead)
					}
					return
				}
				extra := c.body
				if c.mode == "pipeline" {
					// httpd logs the first request after ap_check_pipeline
					// peeked at the second.
					n, data, _ := checkPipeline(r)
					if !data {
						t.Errorf("checkPipeline found no pipelined request")
					}
					extra += int(n)
				}
				checkLogged(t, &h, c.want, extra)
				if c.body > 0 && h.BytesRead+int64(c.body) != int64(len(c.in)) && c.mode != "expect" {
					t.Errorf("read %d bytes, want the head only (%d)", h.BytesRead, len(c.in)-c.body)
				}
				if c.want2 != nil {
					h2 := readRequestHead(r, limitsOf(c.server))
					checkLogged(t, &h2, c.want2, 0)
				}
			})
		}
	}
}

// TestReadRequestHeadCorpusFile checks that corpusCases still match the
// corpus file when it is there (it lives outside the repository).
func TestReadRequestHeadCorpusFile(t *testing.T) {
	data, err := os.ReadFile("../integration/testdata/conformance/httpd-cases.tsv")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, c := range corpusCases {
		if !strings.Contains(text, c.name+"\t") {
			t.Errorf("case %s is not in the corpus", c.name)
		}
	}
}

// headCase is a request head checked against httpd's rules directly
// (server/protocol.c, vhost.c, util.c), for what the corpus does not show.
type headCase struct {
	name    string
	lim     Limits
	in      string
	timeout bool
	check   func(t *testing.T, h *requestHead)
}

func wantStatus(stage headStage, status int) func(t *testing.T, h *requestHead) {
	return func(t *testing.T, h *requestHead) {
		t.Helper()
		if h.Stage != stage || h.Status != status {
			t.Errorf("stage %d status %d, want stage %d status %d", h.Stage, h.Status, stage, status)
		}
	}
}

func all(fs ...func(t *testing.T, h *requestHead)) func(t *testing.T, h *requestHead) {
	return func(t *testing.T, h *requestHead) {
		t.Helper()
		for _, f := range fs {
			f(t, h)
		}
	}
}

func logs(want map[string]string) func(t *testing.T, h *requestHead) {
	return func(t *testing.T, h *requestHead) {
		t.Helper()
		checkLogged(t, h, want, 0)
	}
}

func field(check func(h *requestHead) bool, what string) func(t *testing.T, h *requestHead) {
	return func(t *testing.T, h *requestHead) {
		t.Helper()
		if !check(h) {
			t.Errorf("want %s; got %+v", what, *h)
		}
	}
}

const hostLine = "Host: www.example.test\r\n"

var headCases = []headCase{
	// read_request_line
	{name: "blank_lines_ten_skipped", in: strings.Repeat("\r\n", 10) + "GET / HTTP/1.1\r\n" + hostLine + "\r\n",
		check: all(wantStatus(stageDone, 0), logs(map[string]string{"%r": "GET / HTTP/1.1", "%I": "62"}))},
	{name: "blank_lines_eleven_make_empty_request_line", in: strings.Repeat("\r\n", 11) + "GET / HTTP/1.1\r\n",
		check: all(wantStatus(stageRequestLine, 400),
			logs(map[string]string{"%r": "", "%m": "", "%U": "/", "%H": "HTTP/1.0", "%I": "22"}))},
	{name: "strict_bare_lf_request_line", in: "GET / HTTP/1.1\n" + hostLine + "\r\n",
		check: all(wantStatus(stageRequestLine, 400),
			logs(map[string]string{"%r": `GET / HTTP/1.1\n`, "%m": "-", "%U": "-", "%H": "HTTP/1.0", "%I": "15"}))},
	{name: "strict_bare_lf_header", in: "GET / HTTP/1.1\r\nHost: a.test\n\r\n",
		check: all(wantStatus(stageHeaders, 400), logs(map[string]string{"%{Host}i": "-", "%I": "29"}))},
	{name: "request_line_too_long_414", lim: Limits{RequestLine: 20},
		in: "GET /" + strings.Repeat("a", 30) + " HTTP/1.1\r\n" + hostLine + "\r\n",
		check: all(wantStatus(stageRequestLine, 414),
			logs(map[string]string{"%r": "GET /" + strings.Repeat("a", 16), "%m": "-", "%U": "-", "%H": "HTTP/1.0", "%I": "46"}))},
	{name: "request_line_limit_plus_one_fits", lim: Limits{RequestLine: 20},
		in:    "GET /" + strings.Repeat("a", 7) + " HTTP/1.1\r\n" + hostLine + "\r\n",
		check: all(wantStatus(stageDone, 0), logs(map[string]string{"%U": "/aaaaaaa"}))},
	{name: "request_line_limit_plus_two_414", lim: Limits{RequestLine: 20},
		in:    "GET /" + strings.Repeat("a", 8) + " HTTP/1.1\r\n" + hostLine + "\r\n",
		check: all(wantStatus(stageRequestLine, 414), logs(map[string]string{"%I": "24"}))},
	{name: "request_line_very_long_consumes_two_chunks", in: "GET /" + strings.Repeat("a", 20000) + " HTTP/1.1\r\n",
		check: all(wantStatus(stageRequestLine, 414), logs(map[string]string{"%I": "16384"}),
			field(func(h *requestHead) bool { return len(h.TheRequest) == 8191 }, "the_request of 8191 bytes"))},
	{name: "nul_in_request_line", in: "GET /a\x00b HTTP/1.1\r\n" + hostLine + "\r\n",
		check: all(wantStatus(stageRequestLine, 400), logs(map[string]string{"%r": "GET /a", "%m": "-", "%I": "19"}))},
	{name: "eof_in_request_line", in: "GET / HT",
		check: all(wantStatus(stageNoRequest, 0), field(func(h *requestHead) bool { return h.BytesRead == 8 }, "8 bytes read"))},
	{name: "eof_after_blank_lines", in: "\r\n\r\n", check: wantStatus(stageNoRequest, 0)},
	{name: "timeout_after_blank_line", in: "\r\n", timeout: true,
		check: all(wantStatus(stageRequestLine, 408), logs(map[string]string{"%r": "-", "%H": "HTTP/1.0", "%I": "2"}))},

	// ap_parse_request_line
	{name: "leading_space_400", in: " GET / HTTP/1.1\r\n" + hostLine + "\r\n",
		check: all(wantStatus(stageRequestLine, 400), logs(map[string]string{"%r": "GET / HTTP/1.1", "%m": "GET"}))},
	{name: "trailing_space_strict_400", in: "GET / HTTP/1.1 \r\n" + hostLine + "\r\n",
		check: all(wantStatus(stageRequestLine, 400), logs(map[string]string{"%r": "GET / HTTP/1.1", "%H": "HTTP/1.1"}))},
	{name: "trailing_space_unsafe_ok", lim: Limits{Unsafe: true}, in: "GET / HTTP/1.1  \r\n" + hostLine + "\r\n",
		check: all(wantStatus(stageDone, 0), logs(map[string]string{"%r": "GET / HTTP/1.1"}))},
	{name: "trailing_text_unsafe_400", lim: Limits{Unsafe: true}, in: "GET / HTTP/1.1 x\r\n" + hostLine + "\r\n",
		check: all(wantStatus(stageRequestLine, 400), logs(map[string]string{"%r": "GET / HTTP/1.1", "%H": "HTTP/1.1"}))},
	{name: "lowercase_protocol_unsafe_uppercased", lim: Limits{Unsafe: true}, in: "GET / hTtP/1.1\r\n" + hostLine + "\r\n",
		check: all(wantStatus(stageDone, 0), logs(map[string]string{"%r": "GET / hTtP/1.1", "%H": "HTTP/1.1"}))},
	{name: "http_0_9_version_string_400", in: "GET / HTTP/0.9\r\n\r\n",
		check: all(wantStatus(stageRequestLine, 400), logs(map[string]string{"%H": "HTTP/1.0", "%r": "GET / HTTP/0.9"}))},
	{name: "http2_0_accepted_needs_host", in: "GET / HTTP/2.0\r\n\r\n",
		check: all(wantStatus(stageHostCheck, 400), logs(map[string]string{"%H": "HTTP/2.0"}))},
	{name: "missing_uri", in: "GET\r\n\r\n",
		check: all(wantStatus(stageRequestLine, 400), logs(map[string]string{"%r": "GET", "%m": "GET", "%U": "/", "%H": "HTTP/1.0", "%I": "5"}))},
	{name: "http09_head_strict_400", in: "HEAD /x\r\n",
		check: all(wantStatus(stageRequestLine, 400), logs(map[string]string{"%r": "HEAD /x", "%H": "HTTP/1.0"}))},
	{name: "http09_head_unsafe_ok", lim: Limits{Unsafe: true}, in: "HEAD /x\r\n",
		check: all(wantStatus(stageDone, 0), logs(map[string]string{"%H": "HTTP/0.9"}),
			field(func(h *requestHead) bool { return h.HTTP09 && h.HeaderOnly && h.Close }, "HTTP09 HeaderOnly Close"))},
	{name: "http09_require10_400", lim: Limits{Require10: true}, in: "GET /x\r\n",
		check: all(wantStatus(stageRequestLine, 400), logs(map[string]string{"%H": "HTTP/1.0"}))},
	{name: "registered_methods_501", lim: Limits{RegisteredMethods: true}, in: "FOO / HTTP/1.1\r\n" + hostLine + "\r\n",
		check: all(wantStatus(stageRequestLine, 501), logs(map[string]string{"%m": "FOO", "%H": "HTTP/1.1", "%I": "16"}))},
	{name: "registered_methods_known_ok", lim: Limits{RegisteredMethods: true}, in: "PROPFIND / HTTP/1.1\r\n" + hostLine + "\r\n",
		check: wantStatus(stageDone, 0)},
	{name: "target_not_absolute_path_400", in: "GET x HTTP/1.1\r\n" + hostLine + "\r\n",
		check: all(wantStatus(stageRequestLine, 400), logs(map[string]string{"%U": "x"}))},
	{name: "star_without_options_400", in: "GET * HTTP/1.1\r\n" + hostLine + "\r\n",
		check: wantStatus(stageRequestLine, 400)},
	{name: "query_only_target", in: "GET ?a=1 HTTP/1.1\r\n" + hostLine + "\r\n",
		check: all(wantStatus(stageDone, 0), logs(map[string]string{"%U": "/", "%q": "?a=1"}))},
	{name: "colon_in_first_segment_400", in: "GET 1a:b/c?x HTTP/1.1\r\n" + hostLine + "\r\n",
		check: all(wantStatus(stageRequestLine, 400), logs(map[string]string{"%U": "1a:b/c?x", "%q": ""}))},
	{name: "scheme_relative_path_400", in: "GET a:b/c?x HTTP/1.1\r\n" + hostLine + "\r\n",
		check: all(wantStatus(stageRequestLine, 400), logs(map[string]string{"%U": "b/c", "%q": "?x"}))},
	{name: "bad_port_in_absolute_uri_400_masks_password", lim: Limits{Unsafe: true},
		in: "GET http://u:pw@h.test:8x/p HTTP/1.1\r\n" + hostLine + "\r\n",
		check: all(wantStatus(stageRequestLine, 400),
			logs(map[string]string{"%r": "GET http://u:XXXXXXXX@h.test:8x HTTP/1.1", "%U": "http://u:pw@h.test:8x/p", "%V": "www.example.test"}))},
	{name: "password_default_port_dropped", lim: Limits{Unsafe: true},
		in: "GET http://u:pw@H.test:80/a%41?q#f HTTP/1.1\r\n" + hostLine + "\r\n",
		check: all(wantStatus(stageDone, 0),
			logs(map[string]string{"%r": "GET http://u:XXXXXXXX@H.test/aA?q#f HTTP/1.1", "%V": "h.test", "%U": "/aA"}))},
	{name: "user_without_password_strict_400", in: "GET http://u@h.test/ HTTP/1.1\r\n" + hostLine + "\r\n",
		check: all(wantStatus(stageRequestLine, 400), logs(map[string]string{"%r": "GET http://u@h.test/ HTTP/1.1"}))},
	{name: "double_slash_path_not_authority", in: "GET //h.test//p HTTP/1.1\r\n" + hostLine + "\r\n",
		check: all(wantStatus(stageDone, 0), logs(map[string]string{"%U": "/h.test/p", "%V": "www.example.test"}),
			field(func(h *requestHead) bool { return h.UnparsedURI == "//h.test//p" }, "unparsed //h.test//p"))},
	{name: "connect_hostinfo", in: "CONNECT h.test:443 HTTP/1.1\r\nHost: h.test:443\r\n\r\n",
		check: all(wantStatus(stageDone, 0), logs(map[string]string{"%U": "/", "%V": "h.test"}),
			field(func(h *requestHead) bool { return h.Port == 443 && h.HasPort }, "port 443"))},
	{name: "connect_without_port_400", in: "CONNECT h.test HTTP/1.1\r\nHost: h.test\r\n\r\n",
		check: wantStatus(stageRequestLine, 400)},

	// ap_get_mime_headers_core
	{name: "obs_fold_joined", in: "GET / HTTP/1.1\r\n" + hostLine + "X-F: a\r\n \t b\r\n\tc \r\n\r\n",
		check: all(wantStatus(stageDone, 0), logs(map[string]string{"%{X-F}i": "a b c"}))},
	{name: "obs_fold_first_line_400", in: "GET / HTTP/1.1\r\n x\r\n" + hostLine + "\r\n",
		check: wantStatus(stageHeaders, 400)},
	{name: "obs_fold_empty_400", in: "GET / HTTP/1.1\r\n" + hostLine + " \t \r\n\r\n",
		check: all(wantStatus(stageHeaders, 400), logs(map[string]string{"%{Host}i": "-"}))},
	{name: "obs_fold_over_limit_400", lim: Limits{RequestFieldSize: 20},
		in:    "GET / HTTP/1.1\r\nHost: h.test\r\nX: 0123456789\r\n 01234567\r\n\r\n",
		check: all(wantStatus(stageHeaders, 400), logs(map[string]string{"%{Host}i": "h.test"}))},
	{name: "field_limit_plus_one_fits", lim: Limits{RequestFieldSize: 20},
		in:    "GET / HTTP/1.1\r\nHost: h.test\r\nX: " + strings.Repeat("v", 18) + "\r\n\r\n",
		check: all(wantStatus(stageDone, 0), logs(map[string]string{"%{X}i": strings.Repeat("v", 18)}))},
	{name: "field_limit_plus_two_400", lim: Limits{RequestFieldSize: 20},
		in:    "GET / HTTP/1.1\r\nHost: h.test\r\nX: " + strings.Repeat("v", 19) + "\r\n\r\n",
		check: wantStatus(stageHeaders, 400)},
	{name: "merged_over_limit_400", lim: Limits{RequestFieldSize: 20},
		in:    "GET / HTTP/1.1\r\nHost: h.test\r\nX: 0123456789\r\nx: 0123456789\r\n\r\n",
		check: all(wantStatus(stageHeaders, 400), logs(map[string]string{"%{X}i": "0123456789, 0123456789"}))},
	{name: "repeated_names_merged_in_first_place", in: "GET / HTTP/1.1\r\nA: 1\r\n" + hostLine + "a: 2\r\nB: \r\nA: 3\r\nb: x\r\n\r\n",
		check: all(wantStatus(stageDone, 0), field(func(h *requestHead) bool {
			return fmt.Sprint(h.Headers) == "[{A 1, 2, 3} {Host www.example.test} {B , x}]"
		}, "merged headers"))},
	{name: "unmerged_when_head_fails", in: "GET / HTTP/1.1\r\nA: 1\r\nA: 2\r\nbad\r\n\r\n",
		check: all(wantStatus(stageHeaders, 400), logs(map[string]string{"%{A}i": "1"}),
			field(func(h *requestHead) bool { return len(h.Headers) == 2 }, "two A fields"))},
	{name: "space_before_colon_strict_400", in: "GET / HTTP/1.1\r\nHost : h\r\n\r\n",
		check: wantStatus(stageHeaders, 400)},
	{name: "space_before_colon_unsafe_400", lim: Limits{Unsafe: true}, in: "GET / HTTP/1.1\r\nHost : h\r\n\r\n",
		check: wantStatus(stageHeaders, 400)},
	{name: "empty_name_400", in: "GET / HTTP/1.1\r\n: v\r\n" + hostLine + "\r\n",
		check: wantStatus(stageHeaders, 400)},
	{name: "ctrl_in_value_unsafe_ok", lim: Limits{Unsafe: true}, in: "GET / HTTP/1.1\r\n" + hostLine + "X: a\x01b\r\n\r\n",
		check: all(wantStatus(stageDone, 0), logs(map[string]string{"%{X}i": `a\x01b`}))},
	{name: "cr_in_value_unsafe_400", lim: Limits{Unsafe: true}, in: "GET / HTTP/1.1\r\n" + hostLine + "X: a\rb\r\n\r\n",
		check: wantStatus(stageHeaders, 400)},
	{name: "nul_in_header_400", in: "GET / HTTP/1.1\r\n" + hostLine + "X: a\x00b\r\n\r\n",
		check: all(wantStatus(stageHeaders, 400), logs(map[string]string{"%{Host}i": "-"}))},
	{name: "eof_in_headers_400", in: "GET / HTTP/1.1\r\n" + hostLine,
		check: all(wantStatus(stageHeaders, 400), logs(map[string]string{"%{Host}i": "-", "%I": "40"}))},
	{name: "unlimited_fields", lim: Limits{RequestFields: -1}, in: "GET / HTTP/1.1\r\n" + hostLine + strings.Repeat("X: y\r\n", 150) + "\r\n",
		check: wantStatus(stageDone, 0)},
	{name: "default_field_count_100", in: "GET / HTTP/1.1\r\n" + hostLine + strings.Repeat("X: y\r\n", 100) + "\r\n",
		check: wantStatus(stageHeaders, 400)},

	// Content-Length, Transfer-Encoding
	{name: "content_length_bad_400", in: "POST / HTTP/1.1\r\n" + hostLine + "Content-Length: +5\r\n\r\n",
		check: all(wantStatus(stageHeaders, 400), logs(map[string]string{"%{Content-Length}i": "+5"}))},
	{name: "content_length_twice_400", in: "POST / HTTP/1.1\r\n" + hostLine + "Content-Length: 5\r\nContent-Length: 5\r\n\r\n",
		check: all(wantStatus(stageHeaders, 400), logs(map[string]string{"%{Content-Length}i": "5, 5"}))},
	{name: "content_length_ok", in: "POST / HTTP/1.1\r\n" + hostLine + "Content-Length: 0012\r\n\r\n",
		check: all(wantStatus(stageDone, 0), field(func(h *requestHead) bool {
			return h.HasContentLength && h.ContentLength == 12 && !h.Chunked && !h.Close
		}, "length 12"))},
	{name: "transfer_encoding_gzip_400", in: "POST / HTTP/1.1\r\n" + hostLine + "Transfer-Encoding: gzip\r\n\r\n",
		check: wantStatus(stageHeaders, 400)},
	{name: "transfer_encoding_gzip_chunked", in: "POST / HTTP/1.1\r\n" + hostLine + "Transfer-Encoding: gzip, Chunked\r\n\r\n",
		check: all(wantStatus(stageDone, 0), field(func(h *requestHead) bool { return h.Chunked }, "chunked"))},
	{name: "transfer_encoding_space_only_400", in: "POST / HTTP/1.1\r\n" + hostLine + "Transfer-Encoding: gzip chunked\r\n\r\n",
		check: wantStatus(stageHeaders, 400)},
	{name: "cl_and_te_close", in: "POST / HTTP/1.1\r\n" + hostLine + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
		check: all(wantStatus(stageDone, 0), field(func(h *requestHead) bool {
			return h.Chunked && !h.HasContentLength && h.Close
		}, "chunked, no length, close"))},

	// ap_check_request_header, fix_hostname
	{name: "missing_host_http11_400", in: "GET / HTTP/1.1\r\nX: y\r\n\r\n",
		check: all(wantStatus(stageHostCheck, 400), logs(map[string]string{"%{X}i": "y", "%V": "www.example.test"}))},
	{name: "missing_host_http10_ok", in: "GET / HTTP/1.0\r\n\r\n", check: wantStatus(stageDone, 0)},
	{name: "empty_host_http11_400", in: "GET / HTTP/1.1\r\nHost:\r\n\r\n", check: wantStatus(stageHostCheck, 400)},
	{name: "absolute_uri_without_host_header_400", in: "GET http://h.test/ HTTP/1.1\r\n\r\n",
		check: all(wantStatus(stageHostCheck, 400), logs(map[string]string{"%V": "h.test"}))},
	{name: "absolute_uri_replaces_host_strict", in: "GET http://Other.TEST.:81/x HTTP/1.1\r\nHost: foo\r\n\r\n",
		check: all(wantStatus(stageDone, 0), logs(map[string]string{"%V": "other.test", "%{Host}i": "other.test:81", "%U": "/x"}),
			field(func(h *requestHead) bool { return h.Port == 81 }, "port 81"))},
	{name: "absolute_uri_keeps_host_unsafe", lim: Limits{Unsafe: true}, in: "GET http://Other.test/x HTTP/1.1\r\nHost: foo\r\n\r\n",
		check: all(wantStatus(stageDone, 0), logs(map[string]string{"%V": "other.test", "%{Host}i": "foo"}))},
	{name: "absolute_uri_other_scheme_uses_host", in: "GET ftp://o.test/x HTTP/1.1\r\nHost: h.test:8080\r\n\r\n",
		check: all(wantStatus(stageDone, 0), logs(map[string]string{"%V": "h.test", "%{Host}i": "h.test:8080"}),
			field(func(h *requestHead) bool { return h.Port == 8080 }, "port 8080"))},
	{name: "absolute_uri_bad_host_keeps_raw", in: "GET http://a..b/x HTTP/1.1\r\nHost: h.test\r\n\r\n",
		check: all(wantStatus(stageHostCheck, 400), logs(map[string]string{"%V": "a..b"}))},
	{name: "host_numeric_strict_400", in: "GET / HTTP/1.1\r\nHost: 8080\r\n\r\n", check: wantStatus(stageHostCheck, 400)},
	{name: "host_numeric_unsafe", lim: Limits{Unsafe: true}, in: "GET / HTTP/1.1\r\nHost: 8080\r\n\r\n",
		check: all(wantStatus(stageDone, 0), logs(map[string]string{"%V": "8080"}))},
	{name: "host_dotted_quad", in: "GET / HTTP/1.1\r\nHost: 127.0.0.1:8\r\n\r\n",
		check: all(wantStatus(stageDone, 0), logs(map[string]string{"%V": "127.0.0.1"}))},
	{name: "host_three_part_number_400", in: "GET / HTTP/1.1\r\nHost: 127.0.1\r\n\r\n", check: wantStatus(stageHostCheck, 400)},
	{name: "host_leading_zero_400", in: "GET / HTTP/1.1\r\nHost: 127.0.0.01\r\n\r\n", check: wantStatus(stageHostCheck, 400)},
	{name: "host_numeric_tld_400", in: "GET / HTTP/1.1\r\nHost: a.1b\r\n\r\n", check: wantStatus(stageHostCheck, 400)},
	{name: "host_underscore_ok", in: "GET / HTTP/1.1\r\nHost: my_host.test\r\n\r\n",
		check: all(wantStatus(stageDone, 0), logs(map[string]string{"%V": "my_host.test"}))},
	{name: "host_unsafe_keeps_odd_chars", lim: Limits{Unsafe: true}, in: "GET / HTTP/1.1\r\nHost: Bad Host!\r\n\r\n",
		check: all(wantStatus(stageDone, 0), logs(map[string]string{"%V": "bad host!"}))},
	{name: "host_slash_unsafe_400", lim: Limits{Unsafe: true}, in: "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n",
		check: wantStatus(stageHostCheck, 400)},
	{name: "host_port_zero_400", in: "GET / HTTP/1.1\r\nHost: h.test:0\r\n\r\n", check: wantStatus(stageHostCheck, 400)},
	{name: "host_port_too_big_400", in: "GET / HTTP/1.1\r\nHost: h.test:65536\r\n\r\n", check: wantStatus(stageHostCheck, 400)},
	{name: "host_empty_port_strict_400", in: "GET / HTTP/1.1\r\nHost: h.test:\r\n\r\n", check: wantStatus(stageHostCheck, 400)},
	{name: "host_ipv6_upper", in: "GET / HTTP/1.1\r\nHost: [2001:DB8::A]\r\n\r\n",
		check: all(wantStatus(stageDone, 0), logs(map[string]string{"%V": "2001:db8::a"}))},
	{name: "host_ipv6_v4_mapped", in: "GET / HTTP/1.1\r\nHost: [::ffff:1.2.3.4]:80\r\n\r\n",
		check: all(wantStatus(stageDone, 0), logs(map[string]string{"%V": "::ffff:1.2.3.4"}))},
	{name: "host_ipv6_bad_400", in: "GET / HTTP/1.1\r\nHost: [::g]\r\n\r\n", check: wantStatus(stageHostCheck, 400)},
	{name: "host_ipv6_scope_400", in: "GET / HTTP/1.1\r\nHost: [fe80::1%eth0]\r\n\r\n", check: wantStatus(stageHostCheck, 400)},
	{name: "expect_continue_any_case", in: "POST / HTTP/1.1\r\n" + hostLine + "Expect: 100-Continue\r\nContent-Length: 1\r\n\r\n",
		check: all(wantStatus(stageDone, 0), field(func(h *requestHead) bool { return h.ExpectContinue }, "expect 100"))},
	{name: "expect_other_417", in: "POST / HTTP/1.1\r\n" + hostLine + "Expect: foo\r\n\r\n",
		check: all(wantStatus(stageHostCheck, 417), field(func(h *requestHead) bool { return !h.Close }, "no forced close"))},
	{name: "connection_tokens", in: "GET / HTTP/1.1\r\n" + hostLine + "Connection: Upgrade, Keep-Alive\r\n\r\n",
		check: field(func(h *requestHead) bool { return h.ConnKeepAlive && !h.ConnClose }, "keep-alive token")},
	{name: "connection_prefix_quirk", in: "GET / HTTP/1.1\r\n" + hostLine + "Connection: clo\r\n\r\n",
		check: field(func(h *requestHead) bool { return h.ConnClose }, "close token (prefix match)")},

	// ap_process_request_internal: ap_normalize_path, ap_unescape_url_ex
	{name: "encoded_slash_404", in: "GET /p/a%2Fb HTTP/1.1\r\n" + hostLine + "\r\n",
		check: all(wantStatus(stageURI, 404), logs(map[string]string{"%U": "/p/a/b", "%r": "GET /p/a%2Fb HTTP/1.1"}),
			field(func(h *requestHead) bool { return !h.Close }, "404 keeps the connection"))},
	{name: "encoded_nul_404_cuts_uri", in: "GET /p/a%00b%41 HTTP/1.1\r\n" + hostLine + "\r\n",
		check: all(wantStatus(stageURI, 404), logs(map[string]string{"%U": "/p/a"}))},
	{name: "bad_escape_400", in: "GET /p/%zz/%41%2 HTTP/1.1\r\n" + hostLine + "\r\n",
		check: all(wantStatus(stageURI, 400), logs(map[string]string{"%U": "/p/%zz/A%2"}))},
	{name: "dotdot_above_root_400", in: "GET /../x HTTP/1.1\r\n" + hostLine + "\r\n",
		check: all(wantStatus(stageURI, 400), logs(map[string]string{"%U": "/x"}))},
	{name: "encoded_dots", in: "GET /a/b/%2e%2E/c/.%2e/d HTTP/1.1\r\n" + hostLine + "\r\n",
		check: all(wantStatus(stageDone, 0), logs(map[string]string{"%U": "/a/d"}))},
	{name: "merge_slashes", in: "GET /a//b///c/ HTTP/1.1\r\n" + hostLine + "\r\n",
		check: all(wantStatus(stageDone, 0), logs(map[string]string{"%U": "/a/b/c/"}))},
	{name: "no_double_decoding", in: "GET /a%2541 HTTP/1.1\r\n" + hostLine + "\r\n",
		check: all(wantStatus(stageDone, 0), logs(map[string]string{"%U": "/a%41"}))},
	{name: "uri_not_normalised_on_host_error", in: "GET /a/../%41 HTTP/1.1\r\nX: y\r\n\r\n",
		check: all(wantStatus(stageHostCheck, 400), logs(map[string]string{"%U": "/a/../%41"}))},
}

func TestReadRequestHeadRules(t *testing.T) {
	for _, c := range headCases {
		t.Run(c.name, func(t *testing.T) {
			lim := c.lim
			h := readRequestHead(newHeadReader(c.in, c.timeout, 4096), &lim)
			c.check(t, &h)
			// A slow client changes nothing.
			var end error = io.EOF
			if c.timeout {
				end = timeoutError{}
			}
			h2 := readRequestHead(bufio.NewReaderSize(oneByteReader{&endReader{c.in, end}}, 16), &lim)
			if fmt.Sprintf("%+v", h2) != fmt.Sprintf("%+v", h) {
				t.Errorf("byte-by-byte read differs:\n%+v\n%+v", h2, h)
			}
		})
	}
}

func TestNormalizeURIOptions(t *testing.T) {
	for _, c := range []struct {
		name   string
		opt    uriOptions
		in     string
		uri    string
		status int
	}{
		{"off_dots_before_slashes", uriOptions{}, "/a%2Fb/%2e%2e/c", "/c", 0},
		{"off", uriOptions{}, "/a/%2F../c", "/a//../c", 404},
		{"on", uriOptions{EncodedSlashes: EncodedSlashesOn}, "/a/%2F../c", "/c", 0},
		{"nodecode", uriOptions{EncodedSlashes: EncodedSlashesNoDecode}, "/a/%2f../c%20d", "/a/%2f../c d", 0},
		{"no_merge", uriOptions{NoMergeSlashes: true}, "/a//b", "/a//b", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := readRequestHead(newHeadReader("GET "+c.in+" HTTP/1.1\r\n"+hostLine+"\r\n", false, 4096), nil)
			h.normalizeURI(c.opt)
			if h.URI != c.uri || h.Status != c.status {
				t.Errorf("URI %q status %d, want %q %d", h.URI, h.Status, c.uri, c.status)
			}
		})
	}
}

func TestCheckPipeline(t *testing.T) {
	for _, c := range []struct {
		name            string
		in              string
		counted         int64
		data, closeConn bool
		left            int
	}{
		{"empty", "", 0, false, false, 0},
		{"request", "GET", 1, true, false, 3},
		{"crlf_then_request", "\r\nGET", 6, true, false, 3},
		{"lf_then_request", "\nGET", 3, true, false, 3},
		{"cr_alone_is_data", "\rX", 3, true, false, 2},
		{"partial_crlf", "\r", 2, true, false, 1},
		{"eleven_blank_lines", strings.Repeat("\n", 12), 21, false, true, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := bufio.NewReader(strings.NewReader(c.in))
			r.Peek(len(c.in))
			n, data, cl := checkPipeline(r)
			if n != c.counted || data != c.data || cl != c.closeConn || r.Buffered() != c.left {
				t.Errorf("got %d %v %v left %d, want %d %v %v left %d",
					n, data, cl, r.Buffered(), c.counted, c.data, c.closeConn, c.left)
			}
		})
	}
}

func TestReadRequestHeadTimeoutError(t *testing.T) {
	r := bufio.NewReader(&endReader{"GET / HTTP/1.1\r\n", os.ErrDeadlineExceeded})
	if h := readRequestHead(r, nil); h.Status != 408 || h.Stage != stageHeaders {
		t.Errorf("stage %d status %d, want 408 while reading headers", h.Stage, h.Status)
	}
	r = bufio.NewReader(&endReader{"GET / HTTP/1.1\r\n", errors.New("connection reset")})
	if h := readRequestHead(r, nil); h.Status != 400 {
		t.Errorf("status %d, want 400 on a read error in the headers", h.Status)
	}
	r = bufio.NewReader(&endReader{"GET / HT", errors.New("connection reset")})
	if h := readRequestHead(r, nil); h.Stage != stageNoRequest {
		t.Errorf("stage %d, want no request on a read error in the request line", h.Stage)
	}
}

// fuzzLimits picks the configuration from the fuzzer's mode byte.
func fuzzLimits(mode uint8) Limits {
	var l Limits
	l.Unsafe = mode&1 != 0
	l.RegisteredMethods = mode&2 != 0
	l.Require10 = mode&4 != 0
	if mode&8 != 0 {
		l.RequestLine, l.RequestFieldSize, l.RequestFields = 40, 30, 4
	}
	return l
}

func FuzzReadRequestHead(f *testing.F) {
	for _, c := range corpusCases {
		f.Add([]byte(c.in), uint8(0))
		f.Add([]byte(c.in), uint8(1))
		f.Add([]byte(c.in), uint8(9|16))
	}
	for _, c := range headCases {
		f.Add([]byte(c.in), uint8(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		lim := fuzzLimits(mode)
		h := readRequestHead(newHeadReader(string(data), mode&16 != 0, 4096), &lim)
		if h.BytesRead > int64(len(data)) {
			t.Fatalf("read %d of %d bytes", h.BytesRead, len(data))
		}
		for _, f := range h.Headers {
			if strings.ContainsAny(f.Name, "\r\n") || strings.ContainsAny(f.Value, "\r\n") {
				t.Fatalf("CR or LF in header %q: %q", f.Name, f.Value)
			}
		}
		var end error = io.EOF
		if mode&16 != 0 {
			end = timeoutError{}
		}
		slow := readRequestHead(bufio.NewReaderSize(oneByteReader{&endReader{string(data), end}}, 16), &lim)
		if fmt.Sprintf("%+v", slow) != fmt.Sprintf("%+v", h) {
			t.Fatalf("byte-by-byte read differs:\n%+v\n%+v", slow, h)
		}
		if h.Status != 0 && (h.Status < 400 || h.Status > 599) {
			t.Fatalf("status %d", h.Status)
		}
		if (h.Status == 0) != (h.Stage == stageDone || h.Stage == stageNoRequest) {
			t.Fatalf("status %d at stage %d", h.Status, h.Stage)
		}
		if h.Status != 0 || h.Stage != stageDone {
			return
		}
		// The head as parsed, written out again, parses the same; but a
		// merged value ending in an empty one ("a, ") ends in a blank,
		// which a header line cannot carry.
		for _, f := range h.Headers {
			if strings.HasSuffix(f.Value, " ") {
				return
			}
		}
		var b strings.Builder
		b.WriteString(h.TheRequest + "\r\n")
		if !h.HTTP09 {
			for _, f := range h.Headers {
				b.WriteString(f.Name + ":" + f.Value + "\r\n")
			}
			b.WriteString("\r\n")
		}
		big := lim
		big.RequestLine, big.RequestFieldSize, big.RequestFields = 1<<20, 1<<20, -1
		h2 := readRequestHead(newHeadReader(b.String(), false, 4096), &big)
		same := func(h *requestHead) string {
			return fmt.Sprintf("%d %q %q %q %q %v %q %q %v %q %d %q %q %v %v %d",
				h.Status, h.TheRequest, h.Method, h.URI, h.Args, h.HasArgs, h.Protocol,
				h.Hostname, h.HasHostname, h.LogLine(), h.ProtoNum, h.Headers,
				h.UnparsedURI, h.Chunked, h.ExpectContinue, h.Port)
		}
		if same(&h) != same(&h2) {
			t.Fatalf("re-parse differs:\n%s\n%s\nfrom %q", same(&h), same(&h2), b.String())
		}
	})
}

func BenchmarkReadRequestHead(b *testing.B) {
	req := "GET /static/js/app.3f9a1c.js?v=12 HTTP/1.1\r\n" +
		"Host: www.example.test\r\n" +
		"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36\r\n" +
		"Accept: */*\r\n" +
		"Accept-Language: en-US,en;q=0.9\r\n" +
		"Accept-Encoding: gzip, deflate, br, zstd\r\n" +
		"Referer: https://www.example.test/\r\n" +
		"Cookie: session=0123456789abcdef; theme=dark\r\n" +
		"Sec-Fetch-Dest: script\r\n" +
		"Sec-Fetch-Mode: no-cors\r\n" +
		"Sec-Fetch-Site: same-origin\r\n" +
		"Connection: keep-alive\r\n\r\n"
	sr := strings.NewReader(req)
	br := bufio.NewReader(sr)
	b.ReportAllocs()
	b.SetBytes(int64(len(req)))
	for b.Loop() {
		sr.Reset(req)
		br.Reset(sr)
		h := readRequestHead(br, nil)
		if h.Status != 0 || len(h.Headers) != 11 {
			b.Fatalf("status %d, %d headers", h.Status, len(h.Headers))
		}
	}
}

// TestAddFieldName: under the strict parser a header line is taken when
// the bytes up to its first non-tchar are at least one, and that byte is
// the ':' (ap_get_mime_headers_core's T_HTTP_TOKEN_STOP scan), for every
// byte value in every place of a short name.
func TestAddFieldName(t *testing.T) {
	rule := func(line []byte) bool {
		i := 0
		for i < len(line) && h1CharClass[line[i]]&tcHTTPTokenStop == 0 {
			i++
		}
		return i > 0 && i < len(line) && line[i] == ':'
	}
	lines := 0
	for _, base := range []string{"Name: v", "N:v", ":v", "Na", "Nam:", "Accept-Language: en"} {
		for pos := 0; pos <= len(base); pos++ {
			for c := 0; c < 256; c++ {
				line := []byte(base[:pos] + string(rune(0)) + base[pos:])
				line[pos] = byte(c)
				var p h1Parser
				p.strict = true
				p.buf = line
				got := p.addField(0, len(line))
				// A value with a control byte is refused on its own account.
				want := rule(line)
				if want {
					if colon := bytes.IndexByte(line, ':'); hasHTTPCtrl(bytes.TrimLeft(line[colon+1:], " \t")) {
						want = false
					}
				}
				if got != want {
					t.Fatalf("addField(%q) = %v, want %v", line, got, want)
				}
				lines++
			}
		}
	}
	t.Logf("%d lines", lines)
}

// TestIsToken: every byte value alone and inside a name, against RFC
// 9110's tchar list.
func TestIsToken(t *testing.T) {
	const tchar = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	if isToken("") || isToken([]byte{}) {
		t.Fatal("empty name taken as a token")
	}
	for c := 0; c < 256; c++ {
		want := strings.IndexByte(tchar, byte(c)) >= 0
		for _, s := range []string{string([]byte{byte(c)}), "X-JL6-" + string([]byte{byte(c)}) + "-CID-Name"} {
			if got := isToken(s); got != want {
				t.Errorf("isToken(%q) = %v, want %v", s, got, want)
			}
			if got := isToken([]byte(s)); got != want {
				t.Errorf("isToken([]byte(%q)) = %v, want %v", s, got, want)
			}
		}
	}
}
