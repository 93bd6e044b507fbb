package proxy

import (
	"net/netip"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jl6/logproxy/logformat"
	"github.com/jl6/logproxy/strip"
)

// Site is one loaded configuration: what one httpd.conf describes. A Site
// is built once (package config builds it from httpd.conf) and never
// changed afterwards; a reload builds a new Site and the server switches to
// it for new requests while requests in flight finish on the old one.
type Site struct {
	// ServerRoot is the directory relative paths were resolved against.
	ServerRoot string
	// Listen holds the addresses to accept connections on (Listen).
	Listen []string
	// NoDeferAccept is "AcceptFilter http none": connections are
	// accepted at once. By default, as httpd's on Linux, the listening
	// sockets have TCP_DEFER_ACCEPT (30 s): a connection is accepted
	// when its first bytes arrive.
	NoDeferAccept bool
	// PidFile is where the process id is written; "" for none.
	PidFile string
	// ServerTokens is how much the Server header says (ServerTokens,
	// lower case: prod, major, minor, min, os or full; "" for full).
	ServerTokens string
	// Main is the main server: the defaults of every virtual host, and the
	// server of requests that match no <VirtualHost>.
	Main *Server
	// VHosts are the <VirtualHost> sections in file order.
	VHosts []*Server
	// Logs are the access-log files, each opened once and shared by the
	// CustomLog lines that name it.
	Logs []*LogFile
	// BufferedLogs is "BufferedLogs On": each access log keeps whole
	// lines in a buffer of logBufSize bytes and writes them together
	// (bufferedLog).
	BufferedLogs bool
	// ErrorLog is where errors and notices go.
	ErrorLog ErrorLogConfig
	// TypesConfig is the mime.types file of the static-file handler.
	TypesConfig string
	// NoDirModule: mod_dir is not loaded, so a directory gets neither
	// its DirectoryIndex nor the redirect that adds its trailing slash
	// (httpd answers 404).
	NoDirModule bool
	// SSLModule: mod_ssl is loaded (mod_headers' %{VAR}s has answers).
	SSLModule bool
	// ACME is mod_md's configuration; nil without MDomain.
	ACME *ACMESettings
	// LogErrors receives the failures of access-log writes (disk full,
	// a piped program gone), at most once per interval per log; nil
	// drops them.
	LogErrors func(error)

	types *mimeTypes // TypesConfig, loaded by Prepare

	// users counts the connections serving with this site; once the site
	// is retired by a reload, the last one to leave closes its logs.
	users   atomic.Int64
	retired atomic.Bool
	closed  sync.Once
}

// acquire notes a connection that serves with the site.
func (s *Site) acquire() { s.users.Add(1) }

// release notes that a connection stopped serving with the site; the last
// one of a retired site closes its logs.
func (s *Site) release() {
	if s.users.Add(-1) == 0 && s.retired.Load() {
		s.closed.Do(func() { s.CloseLogs() })
	}
}

// retire marks a site replaced by a reload: its logs close as soon as no
// connection serves with it any more.
func (s *Site) retire() {
	s.retired.Store(true)
	if s.users.Load() == 0 {
		s.closed.Do(func() { s.CloseLogs() })
	}
}

// Server is httpd's server_rec: the main server or one <VirtualHost>.
type Server struct {
	// Hostname and Port come from ServerName (server_hostname and port);
	// Port is 0 when ServerName gives none.
	Hostname string
	Port     int
	// Scheme is the scheme of a ServerName written scheme://host
	// (server_scheme), lower case; "" otherwise. "https" makes the
	// server's default port 443 and its own URLs https ones.
	Scheme string
	// Aliases are the ServerAlias names, possibly with * and ? wildcards.
	Aliases []string
	// Addrs are the addresses of the <VirtualHost> line; nil for Main.
	Addrs []VHostAddr
	// File and Line locate the section, for messages.
	File string
	Line int

	Timeout time.Duration // Timeout
	// EncodedSlashes is AllowEncodedSlashes; NoMergeSlashes MergeSlashes
	// Off.
	EncodedSlashes EncodedSlashes
	NoMergeSlashes bool
	// SectionRedirects is set when a <Location> or <If> section has a
	// one-argument Redirect, which mod_alias applies at translate time.
	SectionRedirects     bool
	KeepAlive            bool          // KeepAlive
	KeepAliveTimeout     time.Duration // KeepAliveTimeout
	MaxKeepAliveRequests int           // MaxKeepAliveRequests; 0 is unlimited
	Limits               Limits        // LimitRequest*, HttpProtocolOptions
	ProxyTimeout         time.Duration // ProxyTimeout; 0 means Timeout
	// MaxForwards is ProxyMaxForwards when HasMaxForwards: the
	// Max-Forwards a proxied request without one gets (httpd's default,
	// -1, adds none).
	MaxForwards    int64
	HasMaxForwards bool

	// AccessLogs are the CustomLog and TransferLog lines of this server.
	// A virtual host without any logs to the main server's.
	AccessLogs []*AccessLog
	// GlobalLogs are the main server's GlobalLog lines, which every
	// virtual host logs to as well.
	GlobalLogs []*AccessLog

	RemoteIP *RemoteIPConfig // mod_remoteip; nil when unset
	// Rewrite is the mod_rewrite rule list of the server (RewriteEngine
	// On); nil when the engine is off.
	Rewrite *RewriteConfig

	// ReqTimeout is mod_reqtimeout's RequestReadTimeout; nil when the
	// module is not loaded (then only Timeout limits slow clients).
	ReqTimeout *ReqTimeout

	// Dir is the per-directory configuration of the server itself
	// (directives outside any section).
	Dir *DirConfig
	// Sections are <Directory>, <Files>, <Location> and their Match forms,
	// in file order; they merge over Dir as httpd merges them.
	Sections []*Section

	// Routes are the server's ProxyPass and ProxyPassMatch rules, in file
	// order; the first that matches wins.
	Routes []*Route
	// ReverseRoutes are ProxyPassReverse and its cookie forms.
	ReverseRoutes []*ReverseRoute

	ErrorLogFormat string // ErrorLogFormat; "" for the default

	// TLS is the server's mod_ssl configuration; nil without SSLEngine
	// On. A connection is TLS when the default server of the address it
	// came to has it, as mod_ssl decides by c->base_server.
	TLS *TLSSettings
	// ProxyTLS is the server's side of https backends (SSLProxyEngine);
	// nil when it has none.
	ProxyTLS *ProxyTLSSettings
	// Balancers are the server's <Proxy balancer://...> balancers (a
	// virtual host's own, then the main server's).
	Balancers     []*Balancer
	Admin         string // ServerAdmin; "" for httpd's default
	TraceDisabled bool   // TraceEnable Off
}

// VHostAddr is one address of a <VirtualHost> line. A zero Addr stands for
// '*' or _default_; Port 0 for any port.
type VHostAddr struct {
	Addr    netip.Addr
	Any     bool // '*' or _default_
	Port    int
	AnyPort bool // ':*' or no port
}

// SectionKind says which kind of <section> a Section is.
type SectionKind uint8

// The kinds of section, merged in this order as httpd merges them:
// directories, then files, then locations.
const (
	SectionDirectory SectionKind = iota
	SectionFiles
	SectionLocation
	SectionIf // <If>, <ElseIf>, <Else>: merged last, when Cond holds
)

// The place of an If section in its chain.
const (
	ChainIf     uint8 = iota // <If>: starts a chain
	ChainElseIf              // <ElseIf>: when no section before it in the chain held
	ChainElse                // <Else>: likewise, with no condition
)

// Section is one <Directory>, <Files> or <Location> (or its Match form).
type Section struct {
	Kind  SectionKind
	Path  string         // the argument, for the plain forms
	Regex *regexp.Regexp // for the Match forms, and <Location ~ ...>
	// Wildcard marks a plain <Location> path with a wildcard
	// (apr_fnmatch_test): it matches as a shell pattern, with Fnmatch.
	Wildcard bool
	// Cond and Chain are an If section's condition (nil for <Else>) and
	// place in its chain.
	Cond  func(*logformat.Record) bool
	Chain uint8
	Dir   *DirConfig
}

// DirConfig is the per-directory configuration (httpd's per_dir_config)
// that sections merge: each field set in a more specific section wins.
type DirConfig struct {
	ErrorDocuments map[int]string // ErrorDocument; "" value disables a code

	HostnameLookups  *bool // HostnameLookups On|Off (Double is refused)
	UseCanonicalName *CanonicalName

	// SSLRequired is SSLRequireSSL: a request not over TLS is refused 403.
	SSLRequired bool

	AuthType     string // AuthType Basic (others refused at load time)
	AuthName     string
	AuthUserFile string
	Require      *Require
	htpasswd     *htpasswd // AuthUserFile, loaded by Site.Prepare

	SetEnv []EnvRule // SetEnv, UnsetEnv, SetEnvIf, SetEnvIfNoCase, BrowserMatch, in order
	// Ifs are the If sections of this scope and of the sections merged
	// into it, in merge order (httpd's sec_if).
	Ifs         []*Section
	ReqHeaders  []HeaderRule // RequestHeader, in order
	RespHeaders []HeaderRule // Header, in order
	Strip       *strip.Set   // StripHeader patterns (beyond httpd)

	DocumentRoot   string            // server level only, kept here for the mapping
	AddTypes       map[string]string // AddType: extension (lower case, no dot) to type
	DirectoryIndex []string          // DirectoryIndex; nil means unset
	Aliases        []Alias
	Redirects      []Redirect // Redirect, RedirectMatch, RedirectTemp, RedirectPermanent

	ProxyPass          *Route // ProxyPass with one argument inside <Location>
	ProxyPreserveHost  *bool
	ProxyAddHeaders    *bool
	ProxyErrorOverride *bool
	// ProxyErrorOverrideCodes are the statuses ProxyErrorOverride On
	// replaces when it lists some (else every 4xx and 5xx); a section's
	// add to its parent's, as httpd merges them.
	ProxyErrorOverrideCodes []int

	// TrackTTFB is LogIOTrackTTFB (default Off): without it mod_logio
	// measures no time to first byte and %^FB logs "-".
	TrackTTFB *bool

	// Options is the Options line (nil: httpd's default,
	// FollowSymLinks); logproxy acts on FollowSymLinks and
	// SymLinksIfOwnerMatch when it serves files.
	Options *DirOptions

	LimitRequestBody *int64

	Signature *string // ServerSignature: "off", "on" or "email"
	// Expires is mod_expires' configuration; nil when no scope has any.
	Expires *ExpiresConfig
	// ForceType is the ForceType directive, lower case; "" when unset,
	// "none" to undo one from an enclosing scope.
	ForceType      string
	DefaultCharset *string // AddDefaultCharset: "" for Off, else the charset
}

// CanonicalName is the value of UseCanonicalName.
type CanonicalName uint8

// The values of UseCanonicalName.
const (
	CanonicalOff CanonicalName = iota
	CanonicalOn
	CanonicalDNS
)

// Limits are the limits on what a client may send in a request head, and
// HttpProtocolOptions. The zero value means httpd's defaults.
type Limits struct {
	RequestLine       int  // LimitRequestLine, default 8190
	RequestFieldSize  int  // LimitRequestFieldSize, default 8190
	RequestFields     int  // LimitRequestFields, default 100
	Unsafe            bool // HttpProtocolOptions Unsafe (default Strict)
	RegisteredMethods bool // HttpProtocolOptions RegisteredMethods (default LenientMethods)
	Require10         bool // HttpProtocolOptions Require1.0 (default Allow0.9)
}

// AccessLog is one CustomLog, TransferLog or GlobalLog line.
type AccessLog struct {
	File   *LogFile
	Format *logformat.Format
	// EnvVar, when not "", is the env= condition: log only when the
	// variable is set (or, with Negate, only when it is not).
	EnvVar string
	Negate bool
	// Cond, when not nil, is the expr= condition: log only when it
	// holds for the request.
	Cond func(*logformat.Record) bool
}

// LogFile is an access-log destination shared by the lines that name it.
type LogFile struct {
	// Path is the file name, or the command after '|' for a piped log.
	Path  string
	Piped bool
	w     lineWriter
}

// ErrorLogConfig is ErrorLog, LogLevel and ErrorLogFormat of the main
// server.
type ErrorLogConfig struct {
	Path     string // file, "|command", or "" for stderr
	Level    LogLevel
	LevelSet bool                // LogLevel was given (else warn)
	Module   map[string]LogLevel // LogLevel mod:level
	Format   string
}

// LogLevel is an httpd log level, from emerg (0) to trace8.
type LogLevel int

var levelNames = [...]string{"emerg", "alert", "crit", "error", "warn", "notice", "info", "debug",
	"trace1", "trace2", "trace3", "trace4", "trace5", "trace6", "trace7", "trace8"}

// ParseLogLevel reads a LogLevel keyword, without regard to case.
func ParseLogLevel(s string) (LogLevel, bool) {
	for i, n := range levelNames {
		if strings.EqualFold(n, s) {
			return LogLevel(i), true
		}
	}
	return 0, false
}

// String returns the level's keyword.
func (l LogLevel) String() string {
	if l >= 0 && int(l) < len(levelNames) {
		return levelNames[l]
	}
	return "level?"
}

// The httpd log levels.
const (
	LevelEmerg LogLevel = iota
	LevelAlert
	LevelCrit
	LevelError
	LevelWarn
	LevelNotice
	LevelInfo
	LevelDebug
	LevelTrace1
	LevelTrace8 = LevelTrace1 + 7
)

// RemoteIPConfig is mod_remoteip's configuration of a server.
type RemoteIPConfig struct {
	Header   string         // RemoteIPHeader
	Internal []netip.Prefix // RemoteIPInternalProxy
	Trusted  []netip.Prefix // RemoteIPTrustedProxy
}

// Route is one ProxyPass or ProxyPassMatch rule.
type Route struct {
	Path    string         // the URL-path prefix of ProxyPass
	Regex   *regexp.Regexp // ProxyPassMatch
	Exclude bool           // ProxyPass path !
	// Target is the backend URL, with $1... references for ProxyPassMatch.
	Target string
	// Scheme, Addr and BasePath are Target split up for ProxyPass.
	Scheme   string
	Addr     string // host:port
	HostPort string // as written in Target, for the Host header
	BasePath string

	Timeout          time.Duration // timeout=
	ConnectTimeout   time.Duration // connectiontimeout=
	KeepAlive        bool          // keepalive=On (TCP keep-alive)
	MaxConns         int           // max=: connections open to the backend at most (0: no cap)
	AcquireTimeout   time.Duration // acquire=: longest wait for one at the cap
	UpgradeWebSocket bool          // upgrade=websocket
	FlushPackets     bool          // flushpackets=on
	DisableReuse     bool          // disablereuse=On
	// NoCanon is the nocanon flag: the backend gets the path (and query)
	// as the client sent them, when the path as sent matches the rule as
	// the decoded one does.
	NoCanon bool
	// Balancer is the balancer of a balancer://name Target.
	Balancer *Balancer
}

// ReverseRoute is one ProxyPassReverse (or Cookie) rule.
type ReverseRoute struct {
	Kind   ReverseKind
	Path   string // the local path or domain
	Target string // the backend URL, path or domain
}

// ReverseKind says what a ReverseRoute rewrites.
type ReverseKind uint8

// The kinds of ReverseRoute.
const (
	ReverseLocation     ReverseKind = iota // ProxyPassReverse
	ReverseCookiePath                      // ProxyPassReverseCookiePath
	ReverseCookieDomain                    // ProxyPassReverseCookieDomain
)

// Redirect is one mod_alias redirect. In a <Location> section Path is
// empty: the section's path applies.
type Redirect struct {
	Status int            // 301, 302 (temp), 303 (seeother), 410 (gone), or another 3xx
	Path   string         // the URL-path prefix of Redirect
	Regex  *regexp.Regexp // RedirectMatch
	Target string         // the URL (with $N for RedirectMatch); "" for gone
	// TargetExpr, when not nil, is the URL of a one-argument Redirect in
	// a section, a string expression evaluated for each request.
	TargetExpr func(*logformat.Record) string
}

// Alias is one Alias or AliasMatch.
type Alias struct {
	From  string
	Regex *regexp.Regexp
	To    string
}

// Require is the Require directives of a section.
type Require struct {
	// Any holds the alternatives: the request is granted if one grants.
	Any []RequireRule
}

// RequireRule is one Require line.
type RequireRule struct {
	Kind   RequireKind
	Negate bool     // Require not ...
	Args   []string // user names, ip prefixes
	IPs    []netip.Prefix
}

// RequireKind is the provider of a Require line.
type RequireKind uint8

// The Require providers logproxy implements.
const (
	RequireAllGranted RequireKind = iota
	RequireAllDenied
	RequireValidUser
	RequireUser
	RequireIP
)

// EnvRule is one SetEnv, UnsetEnv or SetEnvIf-family line.
type EnvRule struct {
	Unset bool
	// Attribute and Regex are the SetEnvIf condition; Attribute "" means
	// unconditional (SetEnv, UnsetEnv).
	Attribute string
	Regex     *regexp.Regexp
	// Literal: Regex is a plain string (no metacharacter but escaped
	// ones), which mod_setenvif searches for as such; the values are set
	// as written, with no $N put in.
	Literal bool
	// NameRegex, when not nil, is Attribute as a regular expression: an
	// attribute that is not a special name and has bytes other than
	// letters, digits, '-' and '_' matches request header names.
	NameRegex *regexp.Regexp
	// Expr, when not nil, is the SetEnvIfExpr condition in place of
	// Attribute and Regex: whether it holds, and the word and groups of
	// its last regular expression with groups, for $N in the values (m
	// nil when it tried none, empty when the last one failed).
	Expr func(*logformat.Record) (ok bool, source string, m []int)
	// Early rules (SetEnvIf outside sections) run at post-read-request
	// time; the others in the fixup phase, like httpd's.
	Early bool
	// Vars are the assignments: name, value ("" value means "1" for
	// SetEnvIf, empty for SetEnv), and !name to unset.
	Vars []EnvAssign
}

// EnvAssign is one variable of an EnvRule.
type EnvAssign struct {
	Name  string
	Value string
	Unset bool
}

// HeaderRule is one Header or RequestHeader line.
type HeaderRule struct {
	Action HeaderAction
	Always bool // the "always" condition table (Header only)
	Name   string
	Value  string      // the value as written
	Format HeaderValue // Value compiled (set, add, append, merge, note)
	// ValueExpr, when not nil, is a value written "expr=...": a string
	// expression evaluated on the request at hand, in place of Format.
	ValueExpr func(*logformat.Record) string
	// Regex is what edit and edit* match (then Value, Format or
	// ValueExpr is the replacement), and what echo matches.
	Regex *regexp.Regexp
	// EnvVar is the env= condition ("" for none); Negate for env=!VAR.
	EnvVar string
	Negate bool
	// Cond, when not nil, is the expr= condition, evaluated on the
	// request at hand as the rule is applied.
	Cond  func(*logformat.Record) bool
	Early bool // RequestHeader ... early
}

// HeaderAction is the action of a HeaderRule.
type HeaderAction uint8

// The actions of mod_headers.
const (
	HeaderSet HeaderAction = iota
	HeaderAppend
	HeaderAdd
	HeaderMerge
	HeaderUnset
	HeaderNote
	HeaderEcho
	HeaderEdit
	HeaderEditAll
	HeaderSetIfEmpty
)
