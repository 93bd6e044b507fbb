package logformat

import "time"

// Record holds everything about one request that a log line can show. The
// proxy fills it; Format.Append only reads it, so a Record may be reused for
// the next request once its line has been rendered.
//
// Fields follow httpd's request_rec and conn_rec. A string that httpd keeps
// as NULL is the empty string here and logs as "-", except where a Has flag
// tells an empty value from a missing one.
type Record struct {
	// Final is the request as it ended, after internal redirects
	// (ErrorDocument); items without a < modifier read it, apart from the
	// ones httpd reads from the original request by default (%s %U %r %T %D
	// %L %R).
	Final Request
	// Orig is the request as the client sent it, before any internal
	// redirect. Nil means there was none: Orig is the same as Final.
	Orig *Request

	// Begin is when the request line arrived (%t, %{begin:...}t); End is
	// when the request was logged (%{end:...}t, %D, %T).
	Begin, End time.Time

	RemoteIP   string // %a: the client, after mod_remoteip
	PeerIP     string // %{c}a: the peer of the TCP connection
	LocalIP    string // %A
	RemoteHost string // %h: RemoteIP, or its DNS name with HostnameLookups
	PeerHost   string // %{c}h
	RemotePort int    // %{remote}p
	PeerPort   int    // the TCP peer's port (REMOTE_PORT of an expression)
	LocalPort  int    // %{local}p
	ServerPort int    // %p, %{canonical}p: the server's canonical port
	// RequestPort is ap_get_server_port: the port the request named
	// (unless UseCanonicalName On), else the server's (SERVER_PORT of an
	// expression).
	RequestPort int

	// Scheme is ap_http_scheme, DocumentRoot ap_document_root and
	// ServerAdmin the server's ServerAdmin (REQUEST_SCHEME, DOCUMENT_ROOT
	// and SERVER_ADMIN of an expression).
	Scheme, DocumentRoot, ServerAdmin string

	// ContentType is r->content_type where an expression reads it
	// (CONTENT_TYPE): the response's, for mod_headers' response rules.
	ContentType string

	VirtualHost string // %v: ServerName of the virtual host that served the request
	ServerName  string // %V: the name UseCanonicalName picks

	KeepAlives int  // %k: requests served on this connection before this one
	ConnStatus byte // %X: 'X' aborted, '+' may be kept alive, '-' will close

	BytesIn  int64         // %I: bytes read from the client, headers included
	BytesOut int64         // %O: bytes written to the client, headers included
	TTFB     time.Duration // %^FB: time to the first byte of the response; 0 logs "-"

	LogID     string // %L
	ConnLogID string // %{c}L

	Pid int    // %P
	Tid uint64 // %{tid}P, %{hextid}P

	// TLS is the connection's TLS session (%{VAR}x, %{name}c); nil for a
	// plain connection.
	TLS *TLS
}

// Request holds the facts of one request_rec: the one the client sent, or
// the one an internal redirect made of it.
type Request struct {
	Line     string // %r: the request line, a password already masked
	LineRead bool   // a request line was read, even an empty one (a NUL first): "" logs as nothing, not "-"
	Method   string // %m
	// MethodRead says r->method was set, even to "" (a request line that
	// starts with a space): "" logs as nothing, not "-".
	MethodRead bool
	URI        string // %U: the path, percent-decoded and normalised
	Query      string // %q without its '?', as sent
	HasQuery   bool   // the request had a '?' (%q logs "?" + Query)
	Protocol   string // %H
	Status     int    // %s; 0 or less logs "-"
	Filename   string // %f
	Handler    string // %R
	User       string // %u
	HasUser    bool   // a user was authenticated (an empty name logs "")
	AuthType   string // r->ap_auth_type: the AuthType of an authentication that ran
	PathInfo   string // r->path_info: the part of the path past the file

	BodyBytes int64 // %b, %B: response body bytes sent

	HeadersIn   Fields // %i, %C: request headers as the proxy sees them, repeated names merged with ", "
	HeadersOut  Fields // %o: response headers in the order they are sent
	TrailersIn  Fields // %^ti
	TrailersOut Fields // %^to
	Notes       Fields // %n
	Env         Fields // %e
}

// Field is one name and value of a header, note or environment table.
type Field struct {
	Name, Value string
}

// Fields is an ordered table of name/value pairs that may repeat a name, as
// an apr_table_t. Lookups compare names without regard to ASCII case.
type Fields []Field

// Get returns the value of the first field named name, compared without
// regard to ASCII case.
func (fs Fields) Get(name string) (string, bool) {
	for i := range fs {
		// The length first, without a call: most names differ in it.
		if len(fs[i].Name) == len(name) && equalFold(fs[i].Name, name) {
			return fs[i].Value, true
		}
	}
	return "", false
}

// equalFold reports whether a and b are equal under ASCII case folding, as
// httpd's ap_cstr_casecmp compares.
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		ca, cb := a[i], b[i]
		if ca == cb {
			continue
		}
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return false
		}
	}
	return true
}
