package config

import "strings"

// ArgsHow says how httpd splits and counts a directive's arguments (the
// args_how of a command_rec in http_config.h).
type ArgsHow uint8

// The argument forms, with the message httpd gives for a wrong count.
const (
	RawArgs  ArgsHow = iota // the handler reads the text itself
	TakeArgv                // any number of words, up to 64
	NoArgs                  // "X takes no arguments"
	Take1                   // "X takes one argument, <usage>"
	Take2                   // "X takes two arguments, <usage>"
	Take12                  // "X takes 1-2 arguments, <usage>"
	Take3                   // "X takes three arguments, <usage>"
	Take23                  // "X takes two or three arguments, <usage>"
	Take123                 // "X takes one, two or three arguments, <usage>"
	Take13                  // "X takes one or three arguments, <usage>"
	Iterate                 // "X requires at least one argument, <usage>"
	Iterate2                // "X requires at least two arguments, <usage>"
	Flag                    // "X must be On or Off"
)

// Override is the set of contexts a directive may appear in: httpd's
// req_override bits (RSRC_CONF, ACCESS_CONF, OR_*).
type Override uint16

// The override bits, with httpd's values.
const (
	OrLimit    Override = 1   // OR_LIMIT: <Directory>/<Location>, and .htaccess with AllowOverride Limit
	OrOptions  Override = 2   // OR_OPTIONS: anywhere, and .htaccess with AllowOverride Options
	OrFileInfo Override = 4   // OR_FILEINFO: anywhere, and .htaccess with AllowOverride FileInfo
	OrAuthCfg  Override = 8   // OR_AUTHCFG: <Directory>/<Location>, and .htaccess with AllowOverride AuthConfig
	OrIndexes  Override = 16  // OR_INDEXES: anywhere, and .htaccess with AllowOverride Indexes
	AccessConf Override = 64  // ACCESS_CONF: inside <Directory>, <Location> or <Files>
	RsrcConf   Override = 128 // RSRC_CONF: outside them (server config and <VirtualHost>)
	ExecOnRead Override = 256 // EXEC_ON_READ: acts while the file is being read

	OrAll = OrLimit | OrOptions | OrFileInfo | OrAuthCfg | OrIndexes
)

// Server-level and directory-level override sets, as httpd starts them:
// the main server and <VirtualHost> allow (RSRC_CONF | OR_ALL) &
// ~(OR_AUTHCFG | OR_LIMIT); <Directory>, <Location> and <Files> allow
// OR_ALL | ACCESS_CONF.
const (
	serverOverride = (RsrcConf | OrAll) &^ (OrAuthCfg | OrLimit)
	dirOverride    = OrAll | AccessConf
)

// Forbidden lists the sections a directive refuses to be in, beyond what
// its Override allows: the flags its httpd handler passes to
// ap_check_cmd_context.
type Forbidden uint8

// The ap_check_cmd_context flags.
const (
	NotInVirtualHost Forbidden = 0x01 // "X cannot occur within <VirtualHost> section"
	NotInLimit       Forbidden = 0x02
	NotInDirectory   Forbidden = 0x04 // "X cannot occur within <Directory> section"
	NotInLocation    Forbidden = 0x08
	NotInFiles       Forbidden = 0x10
	NotInHtaccess    Forbidden = 0x20
	NotInProxy       Forbidden = 0x40

	NotInDirLocFile = NotInDirectory | NotInLocation | NotInFiles
	NotInDirContext = NotInLimit | NotInDirLocFile | NotInProxy // "X cannot occur within directory context"
	GlobalOnly      = NotInVirtualHost | NotInDirContext
)

// Spec describes a directive logproxy accepts: which module provides it,
// where it may appear and how many arguments it takes, with the wording
// httpd uses when it is misused.
type Spec struct {
	// Name is httpd's canonical spelling, without the '<' of a section.
	// Names are matched without regard to case.
	Name string
	// Section marks a container written <Name ...> ... </Name>.
	Section bool
	// Module is the module that provides the directive; the directive is
	// an unknown command unless that module is built in or loaded. "mpm"
	// stands for whichever MPM module is loaded.
	Module string
	// Args is how the arguments are counted.
	Args ArgsHow
	// Override is where the directive may appear.
	Override Override
	// Forbidden narrows Override further.
	Forbidden Forbidden
	// Usage is httpd's help text, the tail of its argument-count messages.
	Usage string
	// Ignored marks a directive that logproxy accepts, as httpd would, but
	// does not act on (CGI, balancers, scoreboard tuning, ...). Checking
	// a configuration warns about it.
	Ignored bool
	// Unsupported marks a directive httpd knows that changes how requests
	// are handled in a way logproxy does not implement (handlers, filters,
	// CGI, balancers, forward proxying). It is an error: accepting it
	// would silently serve something else than httpd would.
	Unsupported bool

	check checkKind // extra validation logproxy does already
}

// displayName is the name as httpd's messages print it: "<Directory" for
// a section.
func (s *Spec) displayName() string {
	if s.Section {
		return "<" + s.Name
	}
	return s.Name
}

// checkKind selects the extra validation of a directive.
type checkKind uint8

const (
	checkNone checkKind = iota
	checkDirSection
	checkFilesSection
	checkVhostSection
	checkLogFormat
	checkCustomLog
	checkGlobalLog
	checkListen
	checkAlias
	checkError
	checkAllowOverride
	checkLimitSection
	checkRequireSection
	checkIfSection
	checkProxySection
	checkDeprecated
	checkServerAlias
	checkErrorLogFormat
)

// Directives returns the table of every directive logproxy accepts, a
// fresh copy on each call. Directives of modules logproxy does not
// implement are unknown commands, as they are to an httpd without those
// modules.
func Directives() []Spec {
	const (
		core   = "core_module"
		http   = "http_module"
		so     = "so_module"
		unixd  = "unixd_module"
		logcfg = "log_config_module"
		logio  = "logio_module"
		mpm    = mpmModule
		alias  = "alias_module"
		basic  = "auth_basic_module"
		authnc = "authn_core_module"
		authnf = "authn_file_module"
		authzc = "authz_core_module"
		dir    = "dir_module"
		env    = "env_module"
		hdrs   = "headers_module"
		mime   = "mime_module"
		proxy  = "proxy_module"
		rip    = "remoteip_module"
		reqto  = "reqtimeout_module"
		seif   = "setenvif_module"
		rw     = "rewrite_module"
		exp    = "expires_module"
		ssl    = "ssl_module"
		md     = "md_module"
	)
	return []Spec{
		// core: sections (server/core.c)
		{Name: "Directory", Section: true, Module: core, Args: RawArgs, Override: RsrcConf, Forbidden: NotInDirContext, check: checkDirSection,
			Usage: "Container for directives affecting resources located in the specified directories"},
		{Name: "DirectoryMatch", Section: true, Module: core, Args: RawArgs, Override: RsrcConf, Forbidden: NotInDirContext, check: checkDirSection,
			Usage: "Container for directives affecting resources located in the specified directories"},
		{Name: "Location", Section: true, Module: core, Args: RawArgs, Override: RsrcConf, Forbidden: NotInDirContext, check: checkDirSection,
			Usage: "Container for directives affecting resources accessed through the specified URL paths"},
		{Name: "LocationMatch", Section: true, Module: core, Args: RawArgs, Override: RsrcConf, Forbidden: NotInDirContext, check: checkDirSection,
			Usage: "Container for directives affecting resources accessed through the specified URL paths"},
		{Name: "Files", Section: true, Module: core, Args: RawArgs, Override: OrAll, Forbidden: NotInLocation | NotInLimit, check: checkFilesSection,
			Usage: "Container for directives affecting files matching specified patterns"},
		{Name: "FilesMatch", Section: true, Module: core, Args: RawArgs, Override: OrAll, Forbidden: NotInLocation | NotInLimit, check: checkFilesSection,
			Usage: "Container for directives affecting files matching specified patterns"},
		{Name: "VirtualHost", Section: true, Module: core, Args: RawArgs, Override: RsrcConf, Forbidden: GlobalOnly, check: checkVhostSection,
			Usage: "Container to map directives to a particular virtual host, takes one or more host addresses"},
		{Name: "IfModule", Section: true, Module: core, Args: RawArgs, Override: ExecOnRead | OrAll,
			Usage: "Container for directives based on existence of specified modules"},
		{Name: "IfDefine", Section: true, Module: core, Args: RawArgs, Override: ExecOnRead | OrAll,
			Usage: "Container for directives based on existence of command line defines"},
		{Name: "IfFile", Section: true, Module: core, Args: RawArgs, Override: ExecOnRead | OrAll,
			Usage: "Container for directives based on existence of files on disk"},
		{Name: "IfDirective", Section: true, Module: core, Args: RawArgs, Override: ExecOnRead | OrAll,
			Usage: "Container for directives based on existence of named directive"},
		{Name: "IfSection", Section: true, Module: core, Args: RawArgs, Override: ExecOnRead | OrAll,
			Usage: "Container for directives based on existence of named section"},
		{Name: "IfVersion", Section: true, Module: "version_module", Args: RawArgs, Override: ExecOnRead | OrAll,
			Usage: "a comparison operator, a version (and a delimiter)"},
		{Name: "If", Section: true, Module: core, Args: RawArgs, Override: OrAll, Forbidden: NotInLimit, check: checkIfSection,
			Usage: "Container for directives to be conditionally applied"},
		{Name: "ElseIf", Section: true, Module: core, Args: RawArgs, Override: OrAll, Forbidden: NotInLimit, check: checkIfSection,
			Usage: "Container for directives to be conditionally applied"},
		{Name: "Else", Section: true, Module: core, Args: RawArgs, Override: OrAll, Forbidden: NotInLimit, check: checkIfSection,
			Usage: "Container for directives to be conditionally applied"},
		{Name: "AuthnProviderAlias", Section: true, Module: authnc, Args: RawArgs, Override: RsrcConf, Forbidden: NotInDirContext, Unsupported: true,
			Usage: "container for grouping an authentication provider's directives under a provider alias"},
		{Name: "AuthzProviderAlias", Section: true, Module: authzc, Args: RawArgs, Override: RsrcConf, Forbidden: NotInDirContext, Unsupported: true,
			Usage: "container for grouping an authorization provider's directives under a provider alias"},

		// core: directives acting while the file is read
		{Name: "Define", Module: core, Args: Take12, Override: ExecOnRead | AccessConf | RsrcConf,
			Usage: "Define a variable, optionally to a value.  Same as passing -D to the command line."},
		{Name: "UnDefine", Module: core, Args: Take1, Override: ExecOnRead | AccessConf | RsrcConf,
			Usage: "Undefine the existence of a variable. Undo a Define."},
		{Name: "Include", Module: core, Args: Take1, Override: RsrcConf | AccessConf | ExecOnRead,
			Usage: "Name(s) of the config file(s) to be included; fails if the wildcard does not match at least one file"},
		{Name: "IncludeOptional", Module: core, Args: Take1, Override: RsrcConf | AccessConf | ExecOnRead,
			Usage: "Name or pattern of the config file(s) to be included; ignored if the file does not exist or the pattern does not match any files"},
		{Name: "ServerRoot", Module: core, Args: Take1, Override: RsrcConf | ExecOnRead,
			Usage: "Common directory of server-related files (logs, confs, etc.)"},
		{Name: "DefaultRuntimeDir", Module: core, Args: Take1, Override: RsrcConf | ExecOnRead,
			Usage: "Common directory for run-time files (shared memory, locks, etc.)"},
		{Name: "LoadModule", Module: so, Args: Take2, Override: RsrcConf | ExecOnRead,
			Usage: "a module name and the name of a shared object file to load it from"},

		// core: the rest
		{Name: "AccessFileName", Module: core, Args: RawArgs, Override: RsrcConf, Forbidden: NotInDirContext,
			Usage: "Name(s) of per-directory config files (default: .htaccess)"},
		{Name: "AddDefaultCharset", Module: core, Args: Take1, Override: OrFileInfo,
			Usage: "The name of the default charset to add to any Content-Type without one or 'Off' to disable"},
		{Name: "AllowOverride", Module: core, Args: RawArgs, Override: AccessConf, check: checkAllowOverride,
			Usage: "Controls what groups of directives can be configured by per-directory config files"},
		{Name: "DefaultType", Module: core, Args: Take1, Override: OrFileInfo,
			Usage: "the default media type for otherwise untyped files (DEPRECATED)"},
		{Name: "DocumentRoot", Module: core, Args: Take1, Override: RsrcConf, Forbidden: NotInDirContext,
			Usage: "Root directory of the document tree"},
		{Name: "EnableMMAP", Module: core, Args: Take1, Override: OrFileInfo,
			Usage: "Controls whether memory-mapping may be used to read files"},
		{Name: "EnableSendfile", Module: core, Args: Take1, Override: OrFileInfo,
			Usage: "Controls whether sendfile may be used to transmit files"},
		{Name: "Error", Module: core, Args: RawArgs, Override: OrAll, check: checkError,
			Usage: "Generate error message from within configuration"},
		{Name: "ErrorDocument", Module: core, Args: Take2, Override: OrFileInfo,
			Usage: "Change responses for HTTP errors"},
		{Name: "ErrorLog", Module: core, Args: Take1, Override: RsrcConf, Forbidden: NotInDirContext,
			Usage: "The filename of the error log"},
		{Name: "ErrorLogFormat", Module: core, Args: Take12, Override: RsrcConf, check: checkErrorLogFormat,
			Usage: "Format string for the ErrorLog"},
		{Name: "HostnameLookups", Module: core, Args: Take1, Override: AccessConf | RsrcConf,
			Usage: `"on" to enable, "off" to disable reverse DNS lookups, or "double" to enable double-reverse DNS lookups`},
		{Name: "HttpProtocolOptions", Module: core, Args: Iterate, Override: RsrcConf,
			Usage: "'Allow0.9' or 'Require1.0' (default); 'RegisteredMethods' or 'LenientMethods' (default); 'Unsafe' or 'Strict' (default). Sets HTTP acceptance rules"},
		{Name: "LimitRequestBody", Module: core, Args: Take1, Override: OrAll,
			Usage: "Limit (in bytes) on maximum size of request message body"},
		{Name: "LimitRequestFields", Module: core, Args: Take1, Override: RsrcConf, Forbidden: NotInDirContext,
			Usage: "Limit (0 = unlimited) on max number of header fields in a request message"},
		{Name: "LimitRequestFieldsize", Module: core, Args: Take1, Override: RsrcConf, Forbidden: NotInDirContext,
			Usage: "Limit on maximum size of an HTTP request header field"},
		{Name: "LimitRequestLine", Module: core, Args: Take1, Override: RsrcConf, Forbidden: NotInDirContext,
			Usage: "Limit on maximum size of an HTTP request line"},
		{Name: "LogLevel", Module: core, Args: Iterate, Override: RsrcConf | AccessConf,
			Usage: "Level of verbosity in error logging"},
		{Name: "MaxConnectionsPerChild", Module: core, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly,
			Usage: "Maximum number of connections a particular child serves before dying."},
		{Name: "MaxRequestsPerChild", Module: core, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly,
			Usage: "Maximum number of connections a particular child serves before dying. (DEPRECATED, use MaxConnectionsPerChild)"},
		{Name: "Mutex", Module: core, Args: RawArgs, Override: RsrcConf, Forbidden: GlobalOnly,
			Usage: `mutex (or "default") and mechanism`},
		{Name: "Options", Module: core, Args: RawArgs, Override: OrOptions,
			Usage: "Set a number of attributes for a given directory"},
		{Name: "PidFile", Module: core, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly,
			Usage: "A file for logging the server process ID"},
		{Name: "ServerAdmin", Module: core, Args: Take1, Override: RsrcConf, Forbidden: NotInDirContext,
			Usage: "The email address of the server administrator"},
		{Name: "ServerAlias", Module: core, Args: RawArgs, Override: RsrcConf, check: checkServerAlias,
			Usage: "A name or names alternately used to access the server"},
		{Name: "ServerName", Module: core, Args: Take1, Override: RsrcConf, Forbidden: NotInDirContext,
			Usage: "The hostname and port of the server"},
		{Name: "ServerSignature", Module: core, Args: Take1, Override: OrAll,
			Usage: "En-/disable server signature (on|off|email)"},
		{Name: "ServerTokens", Module: core, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly,
			Usage: "Determine tokens displayed in the Server: header - Min(imal), Major, Minor, Prod(uctOnly), OS, or Full"},
		{Name: "Timeout", Module: core, Args: Take1, Override: RsrcConf, Forbidden: NotInDirContext,
			Usage: "Timeout duration (sec)"},
		{Name: "TraceEnable", Module: core, Args: Take1, Override: RsrcConf,
			Usage: "'on' (default), 'off' or 'extended' to trace request body content"},
		{Name: "UseCanonicalName", Module: core, Args: Take1, Override: RsrcConf | AccessConf,
			Usage: "How to work out the ServerName : Port when constructing URLs"},

		// http_core.c
		{Name: "KeepAlive", Module: http, Args: Flag, Override: RsrcConf, Forbidden: NotInDirContext,
			Usage: "Whether persistent connections should be On or Off"},
		{Name: "KeepAliveTimeout", Module: http, Args: Take1, Override: RsrcConf, Forbidden: NotInDirContext,
			Usage: "Keep-Alive timeout duration (sec)"},
		{Name: "MaxKeepAliveRequests", Module: http, Args: Take1, Override: RsrcConf, Forbidden: NotInDirContext,
			Usage: "Maximum number of Keep-Alive requests per connection, or 0 for infinite"},

		// mod_unixd.c
		{Name: "User", Module: unixd, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly,
			Usage: "Effective user id for this server"},
		{Name: "Group", Module: unixd, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly,
			Usage: "Effective group id for this server"},

		// the MPM: listen.c's LISTEN_COMMANDS and the event MPM's own
		{Name: "Listen", Module: mpm, Args: TakeArgv, Override: RsrcConf, Forbidden: GlobalOnly, check: checkListen,
			Usage: "A port number or a numeric IP address and a port number, and an optional protocol"},
		{Name: "ListenBacklog", Module: mpm, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly,
			Usage: "Maximum length of the queue of pending connections, as used by listen(2)"},
		{Name: "ListenCoresBucketsRatio", Module: mpm, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly, Ignored: true,
			Usage: "Ratio between the number of CPU cores (online) and the number of listeners buckets"},
		{Name: "SendBufferSize", Module: mpm, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly, Ignored: true,
			Usage: "Send buffer size in bytes"},
		{Name: "ReceiveBufferSize", Module: mpm, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly, Ignored: true,
			Usage: "Receive buffer size in bytes"},
		{Name: "ListenTCPDeferAccept", Module: mpm, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly, Ignored: true,
			Usage: "Value set for the socket option TCP_DEFER_ACCEPT if it is set"},
		{Name: "GracefulShutdownTimeout", Module: mpm, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly, Ignored: true,
			Usage: "Maximum time in seconds to wait for child processes to complete transactions during shutdown"},
		{Name: "WatchdogInterval", Module: "watchdog_module", Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly, Ignored: true,
			Usage: "Watchdog interval in seconds"},
		{Name: "StartServers", Module: mpm, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly,
			Usage: "Number of child processes launched at server startup"},
		{Name: "ServerLimit", Module: mpm, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly,
			Usage: "Maximum number of child processes for this run of Apache"},
		{Name: "MinSpareThreads", Module: mpm, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly,
			Usage: "Minimum number of idle threads, to handle request spikes"},
		{Name: "MaxSpareThreads", Module: mpm, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly,
			Usage: "Maximum number of idle threads"},
		{Name: "MinSpareServers", Module: mpm, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly,
			Usage: "Minimum number of idle children, to handle request spikes"},
		{Name: "MaxSpareServers", Module: mpm, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly,
			Usage: "Maximum number of idle children"},
		{Name: "MaxClients", Module: mpm, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly,
			Usage: "Deprecated name of MaxRequestWorkers"},
		{Name: "MaxRequestWorkers", Module: mpm, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly,
			Usage: "Maximum number of threads alive at the same time"},
		{Name: "ThreadsPerChild", Module: mpm, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly,
			Usage: "Number of threads each child creates"},
		{Name: "ThreadLimit", Module: mpm, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly,
			Usage: "Maximum number of worker threads per child process for this run of Apache - Upper limit for ThreadsPerChild"},
		{Name: "AsyncRequestWorkerFactor", Module: mpm, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly,
			Usage: "How many additional connects will be accepted per idle worker thread"},

		// mod_log_config.c, mod_logio.c
		{Name: "CustomLog", Module: logcfg, Args: Take23, Override: RsrcConf, check: checkCustomLog,
			Usage: `a file name, a custom log format string or format name, and an optional "env=" or "expr=" clause (see docs)`},
		{Name: "GlobalLog", Module: logcfg, Args: Take23, Override: RsrcConf, Forbidden: GlobalOnly, check: checkGlobalLog,
			Usage: "Same as CustomLog, but forces virtualhosts to inherit the log"},
		{Name: "TransferLog", Module: logcfg, Args: Take1, Override: RsrcConf,
			Usage: "the filename of the access log"},
		{Name: "LogFormat", Module: logcfg, Args: Take12, Override: RsrcConf, check: checkLogFormat,
			Usage: "a log format string (see docs) and an optional format name"},
		{Name: "BufferedLogs", Module: logcfg, Args: Flag, Override: RsrcConf,
			Usage: "Enable Buffered Logging (experimental)"},
		{Name: "LogIOTrackTTFB", Module: logio, Args: Flag, Override: OrAll,
			Usage: "Set to 'ON' to enable tracking time to first byte"},

		// mod_alias.c
		{Name: "Alias", Module: alias, Args: Take12, Override: RsrcConf | AccessConf, check: checkAlias,
			Usage: "a fakename and a realname, or a realname in a Location"},
		{Name: "AliasMatch", Module: alias, Args: Take2, Override: RsrcConf, Forbidden: NotInDirContext,
			Usage: "a regular expression and a filename"},
		{Name: "Redirect", Module: alias, Args: Take123, Override: OrFileInfo,
			Usage: "an optional status, then document to be redirected and destination URL"},
		{Name: "RedirectMatch", Module: alias, Args: Take23, Override: OrFileInfo,
			Usage: "an optional status, then a regular expression and destination URL"},
		{Name: "RedirectTemp", Module: alias, Args: Take2, Override: OrFileInfo,
			Usage: "a document to be redirected, then the destination URL"},
		{Name: "RedirectPermanent", Module: alias, Args: Take2, Override: OrFileInfo,
			Usage: "a document to be redirected, then the destination URL"},

		// mod_authn_core.c, mod_authn_file.c, mod_auth_basic.c, mod_authz_core.c
		{Name: "AuthType", Module: authnc, Args: Take1, Override: OrAuthCfg,
			Usage: `an HTTP authorization type (e.g., "Basic")`},
		{Name: "AuthName", Module: authnc, Args: Take1, Override: OrAuthCfg,
			Usage: `the authentication realm (e.g. "Members Only")`},
		{Name: "AuthUserFile", Module: authnf, Args: Take1, Override: OrAuthCfg,
			Usage: "text file containing user IDs and passwords"},
		{Name: "AuthBasicProvider", Module: basic, Args: Iterate, Override: OrAuthCfg,
			Usage: "specify the auth providers for a directory or location"},
		{Name: "Require", Module: authzc, Args: RawArgs, Override: OrAuthCfg,
			Usage: "specifies authorization directives which one must pass (or not) for a request to suceeed"},

		// mod_dir.c
		{Name: "DirectoryIndex", Module: dir, Args: RawArgs, Override: OrIndexes,
			Usage: "a list of file names"},
		{Name: "DirectorySlash", Module: dir, Args: Flag, Override: OrIndexes,
			Usage: "On or Off"},

		// mod_env.c
		{Name: "PassEnv", Module: env, Args: Iterate, Override: OrFileInfo,
			Usage: "a list of environment variables to pass to CGI."},
		{Name: "SetEnv", Module: env, Args: Take12, Override: OrFileInfo,
			Usage: "an environment variable name and optional value to pass to CGI."},
		{Name: "UnsetEnv", Module: env, Args: Iterate, Override: OrFileInfo,
			Usage: "a list of variables to remove from the CGI environment."},

		// mod_headers.c
		{Name: "Header", Module: hdrs, Args: RawArgs, Override: OrFileInfo,
			Usage: "an optional condition, an action, header and value followed by optional env clause"},
		{Name: "RequestHeader", Module: hdrs, Args: RawArgs, Override: OrFileInfo,
			Usage: "an action, header and value followed by optional env clause"},
		// logproxy's extension: remove response headers by name or prefix*
		// from everything a client receives, after they were logged.
		{Name: "StripHeader", Module: "logproxy_module", Args: Iterate, Override: RsrcConf | OrFileInfo,
			Usage: "response header names or prefix* patterns to remove from every response, after logging"},
		// logproxy's extension: secrets no access log writes.
		{Name: "LogRedactQuery", Module: "logproxy_module", Args: Iterate, Override: RsrcConf, Forbidden: GlobalOnly,
			Usage: "names of query parameters whose values the access logs hide"},
		{Name: "LogRedactHeader", Module: "logproxy_module", Args: Iterate, Override: RsrcConf, Forbidden: GlobalOnly,
			Usage: "names of header fields whose values the access logs hide"},
		{Name: "LogRedactCookie", Module: "logproxy_module", Args: Iterate, Override: RsrcConf, Forbidden: GlobalOnly,
			Usage: "names of cookies whose values the access logs hide"},

		// mod_mime.c
		{Name: "AddCharset", Module: mime, Args: Iterate2, Override: OrFileInfo,
			Usage: "a charset (e.g., iso-2022-jp), followed by one or more file extensions"},
		{Name: "AddEncoding", Module: mime, Args: Iterate2, Override: OrFileInfo,
			Usage: "an encoding (e.g., gzip), followed by one or more file extensions"},
		{Name: "AddLanguage", Module: mime, Args: Iterate2, Override: OrFileInfo,
			Usage: "a language (e.g., fr), followed by one or more file extensions"},
		{Name: "AddType", Module: mime, Args: Iterate2, Override: OrFileInfo,
			Usage: "a mime type followed by one or more file extensions"},
		{Name: "DefaultLanguage", Module: mime, Args: Take1, Override: OrFileInfo,
			Usage: "language to use for documents with no other language file extension"},
		{Name: "TypesConfig", Module: mime, Args: Take1, Override: RsrcConf,
			Usage: "the MIME types config file"},

		// mod_proxy.c
		// mod_ssl (modules/ssl/mod_ssl.c); what logproxy does with each is in
		// build_ssl.go. Ignored ones tune OpenSSL's internals.
		{Name: "SSLEngine", Module: ssl, Args: Take1, Override: RsrcConf,
			Usage: "SSL switch for the protocol engine ('on', 'off')"},
		{Name: "SSLCertificateFile", Module: ssl, Args: Take1, Override: RsrcConf,
			Usage: "SSL Server Certificate file ('/path/to/file' - PEM or DER encoded)"},
		{Name: "SSLCertificateKeyFile", Module: ssl, Args: Take1, Override: RsrcConf,
			Usage: "SSL Server Private Key file ('/path/to/file' - PEM or DER encoded)"},
		{Name: "SSLCertificateChainFile", Module: ssl, Args: Take1, Override: RsrcConf,
			Usage: "SSL Server CA Certificate Chain file ('/path/to/file' - PEM encoded)"},
		{Name: "SSLProtocol", Module: ssl, Args: RawArgs, Override: RsrcConf,
			Usage: "Enable or disable various SSL protocols ('[+-][SSLv3|TLSv1|TLSv1.1|TLSv1.2|TLSv1.3] ...' - see manual)"},
		{Name: "SSLCipherSuite", Module: ssl, Args: Take12, Override: RsrcConf | OrAuthCfg,
			Usage: "Colon-delimited list of permitted SSL Ciphers, optional preceded by protocol identifier ('XXX:...:XXX' - see manual)"},
		{Name: "SSLSessionTickets", Module: ssl, Args: Flag, Override: RsrcConf,
			Usage: "Enable or disable TLS session tickets(`on', `off')"},
		{Name: "SSLCompression", Module: ssl, Args: Flag, Override: RsrcConf, Forbidden: GlobalOnly,
			Usage: "Enable SSL level compression (`on', `off')"},
		{Name: "SSLInsecureRenegotiation", Module: ssl, Args: Flag, Override: RsrcConf,
			Usage: "Enable support for insecure renegotiation"},
		{Name: "SSLStrictSNIVHostCheck", Module: ssl, Args: Flag, Override: RsrcConf,
			Usage: "Strict SNI virtual host checking"},
		{Name: "SSLUseStapling", Module: ssl, Args: Flag, Override: RsrcConf,
			Usage: "SSL switch for the OCSP Stapling protocol (`on', `off')"},
		{Name: "SSLProxyEngine", Module: ssl, Args: Flag, Override: RsrcConf,
			Usage: "SSL switch for the proxy protocol engine ('on', 'off')"},
		{Name: "SSLProxyCheckPeerName", Module: ssl, Args: Flag, Override: RsrcConf,
			Usage: "SSL Proxy: check the peer certificate's name (must be present in subjectAltName extension or CN"},
		{Name: "SSLProxyCheckPeerCN", Module: ssl, Args: Flag, Override: RsrcConf,
			Usage: "SSL Proxy: check the peer certificate's CN"},
		{Name: "SSLProxyCheckPeerExpire", Module: ssl, Args: Flag, Override: RsrcConf,
			Usage: "SSL Proxy: check the peer certificate's expiration date"},
		{Name: "SSLProxyVerify", Module: ssl, Args: Take1, Override: RsrcConf,
			Usage: "SSL Proxy: whether to verify the remote certificate ('on' or 'off')"},
		{Name: "SSLProxyProtocol", Module: ssl, Args: RawArgs, Override: RsrcConf,
			Usage: "SSL Proxy: enable or disable SSL protocol flavors ('[+-][SSLv3|TLSv1|TLSv1.1|TLSv1.2|TLSv1.3] ...' - see manual)"},
		{Name: "SSLProxyCipherSuite", Module: ssl, Args: Take12, Override: RsrcConf,
			Usage: "SSL Proxy: colon-delimited list of permitted SSL ciphers , optionally preceded by protocol specifier ('XXX:...:XXX' - see manual)"},
		{Name: "SSLProxyCACertificateFile", Module: ssl, Args: Take1, Override: RsrcConf, Ignored: true,
			Usage: "SSL Proxy: file containing server certificates ('/path/to/file' - PEM encoded certificates)"},
		{Name: "SSLVerifyClient", Module: ssl, Args: Take1, Override: RsrcConf | OrAuthCfg,
			Usage: "SSL Client verify type ('none', 'optional', 'require', 'optional_no_ca')"},
		{Name: "SSLSessionTicketKeyFile", Module: ssl, Args: Take1, Override: RsrcConf,
			Usage: "TLS session ticket encryption/decryption key file (RFC 5077) ('/path/to/file' - file with 48 bytes of random data)"},
		{Name: "SSLFIPS", Module: ssl, Args: Flag, Override: RsrcConf, Forbidden: GlobalOnly,
			Usage: "Enable FIPS-140 mode (`on', `off')"},
		{Name: "SSLHonorCipherOrder", Module: ssl, Args: Flag, Override: RsrcConf, Ignored: true,
			Usage: "Use the server's cipher ordering preference"},
		{Name: "SSLPassPhraseDialog", Module: ssl, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly, Ignored: true,
			Usage: "SSL dialog mechanism for the pass phrase query ('builtin', '|/path/to/pipe_program', or 'exec:/path/to/cgi_program')"},
		{Name: "SSLSessionCache", Module: ssl, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly, Ignored: true,
			Usage: "SSL Session Cache storage ('none', 'nonenotnull', 'dbm:/path/to/file')"},
		{Name: "SSLSessionCacheTimeout", Module: ssl, Args: Take1, Override: RsrcConf, Ignored: true,
			Usage: "SSL Session Cache object lifetime ('N' - number of seconds)"},
		{Name: "SSLRandomSeed", Module: ssl, Args: Take23, Override: RsrcConf, Forbidden: GlobalOnly, Ignored: true,
			Usage: "SSL Pseudo Random Number Generator (PRNG) seeding source ('startup|connect builtin|file:/path|exec:/path [bytes]')"},
		{Name: "SSLCryptoDevice", Module: ssl, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly, Ignored: true,
			Usage: "SSL external Crypto Device usage ('builtin', '...')"},
		{Name: "SSLStaplingCache", Module: ssl, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly, Ignored: true,
			Usage: "SSL Stapling Response Cache storage (`dbm:/path/to/file')"},
		{Name: "SSLCACertificateFile", Module: ssl, Args: Take1, Override: RsrcConf | OrAuthCfg, Ignored: true,
			Usage: "SSL CA Certificate file ('/path/to/file' - PEM encoded)"},
		{Name: "SSLCACertificatePath", Module: ssl, Args: Take1, Override: RsrcConf | OrAuthCfg, Ignored: true,
			Usage: "SSL CA Certificate path ('/path/to/dir' - contains PEM encoded files)"},
		{Name: "SSLVerifyDepth", Module: ssl, Args: Take1, Override: RsrcConf | OrAuthCfg, Ignored: true,
			Usage: "SSL Client verify depth ('N' - number of intermediate certificates)"},
		{Name: "SSLOptions", Module: ssl, Args: RawArgs, Override: OrOptions | RsrcConf, Ignored: true,
			Usage: "Set one or more options to configure the SSL engine('[+-]option[=value] ...' - see manual)"},
		{Name: "SSLRequireSSL", Module: ssl, Args: NoArgs, Override: OrAuthCfg,
			Usage: "Require the SSL protocol for the per-directory context (no arguments)"},
		{Name: "SSLRequire", Module: ssl, Args: RawArgs, Override: OrAuthCfg, Unsupported: true,
			Usage: "Require a boolean expression to evaluate to true for granting access(arbitrary complex boolean expression - see manual)"},
		{Name: "SSLOpenSSLConfCmd", Module: ssl, Args: Take2, Override: RsrcConf, Unsupported: true,
			Usage: "OpenSSL configuration command"},
		// mod_md (modules/md/mod_md_config.c); what logproxy does with each
		// is in build_md.go.
		{Name: "MDomain", Module: md, Args: TakeArgv, Override: RsrcConf, Forbidden: NotInDirLocFile,
			Usage: "A group of server names with one certificate"},
		{Name: "MDCertificateAgreement", Module: md, Args: Take1, Override: RsrcConf, Forbidden: NotInDirLocFile,
			Usage: "either 'accepted' or the URL of CA Terms-of-Service agreement you accept"},
		{Name: "MDCertificateAuthority", Module: md, Args: TakeArgv, Override: RsrcConf, Forbidden: NotInDirLocFile,
			Usage: "URL(s) or known name(s) of CA issuing the certificates"},
		{Name: "MDContactEmail", Module: md, Args: Take1, Override: RsrcConf, Forbidden: NotInDirLocFile,
			Usage: "Email address used for account registration"},
		{Name: "MDStoreDir", Module: md, Args: Take1, Override: RsrcConf, Forbidden: NotInDirLocFile,
			Usage: "the directory for file system storage of managed domain data."},
		{Name: "MDCACertificateFile", Module: md, Args: Take1, Override: RsrcConf, Forbidden: NotInDirLocFile,
			Usage: "Set the CA file to use for connections"},
		{Name: "MDCAChallenges", Module: md, Args: TakeArgv, Override: RsrcConf, Forbidden: NotInDirLocFile,
			Usage: "A list of challenge types to be used."},
		{Name: "MDPortMap", Module: md, Args: Take12, Override: RsrcConf, Forbidden: NotInDirLocFile,
			Usage: "Declare the mapped ports 80 and 443 on the local server. E.g. 80:8000 to indicate that the server port 8000 is reachable as port 80 from the internet. Use 80:- to indicate that port 80 is not reachable from the outside."},
		{Name: "MDPrivateKeys", Module: md, Args: TakeArgv, Override: RsrcConf, Forbidden: NotInDirLocFile,
			Usage: "set the type and parameters for private key generation"},
		{Name: "MDRenewWindow", Module: md, Args: Take1, Override: RsrcConf, Forbidden: NotInDirLocFile,
			Usage: "Time length for renewal before certificate expires (defaults to days)."},
		{Name: "MDRenewMode", Module: md, Args: Take1, Override: RsrcConf, Forbidden: NotInDirLocFile,
			Usage: "Controls how renewal of Managed Domain certificates shall be handled."},
		{Name: "MDDriveMode", Module: md, Args: Take1, Override: RsrcConf, Forbidden: NotInDirLocFile,
			Usage: "deprecated, older name for MDRenewMode"},
		{Name: "MDMembers", Module: md, Args: TakeArgv, Override: RsrcConf, Forbidden: NotInDirLocFile,
			Usage: "Define domain name(s) part of the Managed Domain. Use 'auto' or 'manual' to enable/disable auto adding names from virtual hosts."},
		{Name: "MDMember", Module: md, Args: TakeArgv, Override: RsrcConf, Forbidden: NotInDirLocFile,
			Usage: "Define domain name(s) part of the Managed Domain. Use 'auto' or 'manual' to enable/disable auto adding names from virtual hosts."},
		{Name: "MDBaseServer", Module: md, Args: Take1, Override: RsrcConf, Forbidden: NotInDirLocFile,
			Usage: "Allow managing of base server outside virtual hosts."},
		{Name: "MDRequireHttps", Module: md, Args: Take1, Override: RsrcConf | OrAuthCfg, Forbidden: NotInDirLocFile,
			Usage: "Redirect non-secure requests to the https: equivalent."},
		{Name: "MDMustStaple", Module: md, Args: Take1, Override: RsrcConf, Forbidden: NotInDirLocFile,
			Usage: "Enable/Disable the Must-Staple flag for new certificates."},
		{Name: "MDHttpProxy", Module: md, Args: Take1, Override: RsrcConf, Forbidden: NotInDirLocFile,
			Usage: "URL of a HTTP(S) proxy to use for outgoing connections"},
		{Name: "MDNotifyCmd", Module: md, Args: RawArgs, Override: RsrcConf, Forbidden: NotInDirLocFile,
			Usage: "Set the command to run when signup/renew of domain is complete."},
		{Name: "MDMessageCmd", Module: md, Args: RawArgs, Override: RsrcConf, Forbidden: NotInDirLocFile,
			Usage: "Set the command run when a message about a domain is issued."},
		{Name: "MDChallengeDns01", Module: md, Args: RawArgs, Override: RsrcConf, Forbidden: NotInDirLocFile,
			Usage: "Set the command for setup/teardown of dns-01 challenges"},
		{Name: "MDCertificateFile", Module: md, Args: Take1, Override: RsrcConf, Forbidden: NotInDirLocFile,
			Usage: "set the static certificate (chain) file to use for this domain."},
		{Name: "MDCertificateKeyFile", Module: md, Args: Take1, Override: RsrcConf, Forbidden: NotInDirLocFile,
			Usage: "set the static private key file to use for this domain."},
		{Name: "MDStapling", Module: md, Args: Take1, Override: RsrcConf, Forbidden: NotInDirLocFile,
			Usage: "Enable/Disable OCSP Stapling for this/all Managed Domain(s)."},
		{Name: "MDExternalAccountBinding", Module: md, Args: Take12, Override: RsrcConf, Forbidden: NotInDirLocFile,
			Usage: "Set the external account binding keyid and hmac values to use at CA"},
		{Name: "ProxyPass", Module: proxy, Args: RawArgs, Override: RsrcConf | AccessConf, Forbidden: NotInDirectory | NotInFiles | NotInLimit,
			Usage: "a virtual path and a URL"},
		{Name: "ProxyPassMatch", Module: proxy, Args: RawArgs, Override: RsrcConf | AccessConf, Forbidden: NotInDirectory | NotInFiles | NotInLimit,
			Usage: "a virtual path and a URL"},
		{Name: "ProxyPassReverse", Module: proxy, Args: Take123, Override: RsrcConf | AccessConf, Forbidden: NotInDirectory | NotInFiles,
			Usage: "a virtual path and a URL for reverse proxy behaviour"},
		{Name: "ProxyPassReverseCookiePath", Module: proxy, Args: Take23, Override: RsrcConf | AccessConf,
			Usage: "Path rewrite rule for proxying cookies"},
		{Name: "ProxyPassReverseCookieDomain", Module: proxy, Args: Take23, Override: RsrcConf | AccessConf,
			Usage: "Domain rewrite rule for proxying cookies"},
		{Name: "ProxyPreserveHost", Module: proxy, Args: Flag, Override: RsrcConf | AccessConf,
			Usage: "on if we should preserve host header while proxying"},
		{Name: "ProxyTimeout", Module: proxy, Args: Take1, Override: RsrcConf,
			Usage: "Set the timeout (in seconds) for a proxied connection. This overrides the server timeout"},
		{Name: "ProxyAddHeaders", Module: proxy, Args: Flag, Override: RsrcConf | AccessConf,
			Usage: "on if X-Forwarded-* headers should be added or completed"},
		{Name: "ProxyErrorOverride", Module: proxy, Args: Iterate, Override: RsrcConf | AccessConf,
			Usage: "use our error handling pages instead of the servers' we are proxying"},
		{Name: "ProxyRequests", Module: proxy, Args: Flag, Override: RsrcConf,
			Usage: "on if the true proxy requests should be accepted"},
		{Name: "ProxyVia", Module: proxy, Args: Take1, Override: RsrcConf,
			Usage: "Configure Via: proxy header header to one of: on | off | block | full"},

		// mod_remoteip.c
		{Name: "RemoteIPHeader", Module: rip, Args: Take1, Override: RsrcConf,
			Usage: "Specifies a request header to trust as the client IP, e.g. X-Forwarded-For"},
		{Name: "RemoteIPInternalProxy", Module: rip, Args: Iterate, Override: RsrcConf,
			Usage: "Specifies one or more internal (transparent) proxies which are trusted to present IP headers"},
		{Name: "RemoteIPTrustedProxy", Module: rip, Args: Iterate, Override: RsrcConf,
			Usage: "Specifies one or more proxies which are trusted to present IP headers"},
		{Name: "RemoteIPInternalProxyList", Module: rip, Args: Take1, Override: RsrcConf, Unsupported: true,
			Usage: "The filename to read the list of internal proxies, see the RemoteIPInternalProxy directive"},
		{Name: "RemoteIPTrustedProxyList", Module: rip, Args: Take1, Override: RsrcConf, Unsupported: true,
			Usage: "The filename to read the list of trusted proxies, see the RemoteIPTrustedProxy directive"},
		{Name: "RemoteIPProxiesHeader", Module: rip, Args: Take1, Override: RsrcConf,
			Usage: "Specifies a request header to record proxy IP's, e.g. X-Forwarded-By; if not given then do not record"},

		// mod_reqtimeout.c
		{Name: "RequestReadTimeout", Module: reqto, Args: RawArgs, Override: RsrcConf,
			Usage: "Set various timeout parameters for TLS handshake and/or reading request headers and body"},

		// mod_expires.c
		{Name: "ExpiresActive", Module: exp, Args: Flag, Override: OrIndexes,
			Usage: "Limited to 'on' or 'off'"},
		{Name: "ExpiresByType", Module: exp, Args: Take2, Override: OrIndexes,
			Usage: "a MIME type followed by an expiry date code"},
		{Name: "ExpiresDefault", Module: exp, Args: Take1, Override: OrIndexes,
			Usage: "an expiry date code"},

		// mod_rewrite.c (server and <VirtualHost> context)
		{Name: "RewriteEngine", Module: rw, Args: Flag, Override: OrFileInfo,
			Usage: "On or Off to enable or disable (default) the whole rewriting engine"},
		{Name: "RewriteOptions", Module: rw, Args: Iterate, Override: OrFileInfo,
			Usage: "List of option strings to set"},
		{Name: "RewriteBase", Module: rw, Args: Take1, Override: OrFileInfo,
			Usage: "the base URL of the per-directory context"},
		{Name: "RewriteCond", Module: rw, Args: RawArgs, Override: OrFileInfo,
			Usage: "an input string and a to be applied regexp-pattern"},
		{Name: "RewriteRule", Module: rw, Args: RawArgs, Override: OrFileInfo,
			Usage: "an URL-applied regexp-pattern and a substitution URL"},
		{Name: "RewriteMap", Module: rw, Args: Take23, Override: RsrcConf,
			Usage: "a mapname and a filename and options"},

		// mod_setenvif.c
		{Name: "SetEnvIf", Module: seif, Args: RawArgs, Override: OrFileInfo,
			Usage: "A header-name, regex and a list of variables."},
		{Name: "SetEnvIfNoCase", Module: seif, Args: RawArgs, Override: OrFileInfo,
			Usage: "a header-name, regex and a list of variables."},
		{Name: "BrowserMatch", Module: seif, Args: RawArgs, Override: OrFileInfo,
			Usage: "A browser regex and a list of variables."},
		{Name: "BrowserMatchNoCase", Module: seif, Args: RawArgs, Override: OrFileInfo,
			Usage: "A browser regex and a list of variables."},

		// sections of the modules logproxy implements
		{Name: "Limit", Section: true, Module: core, Args: RawArgs, Override: OrLimit | OrAuthCfg, check: checkLimitSection,
			Usage: "Container for authentication directives when accessed using specified HTTP methods"},
		{Name: "LimitExcept", Section: true, Module: core, Args: RawArgs, Override: OrLimit | OrAuthCfg, check: checkLimitSection,
			Usage: "Container for authentication directives to be applied when any HTTP method other than those specified is used to access the resource"},
		{Name: "RequireAll", Section: true, Module: authzc, Args: RawArgs, Override: OrAuthCfg, check: checkRequireSection,
			Usage: "container for grouping authorization directives of which none must fail and at least one must pass for a request to succeed"},
		{Name: "RequireAny", Section: true, Module: authzc, Args: RawArgs, Override: OrAuthCfg, check: checkRequireSection,
			Usage: "container for grouping authorization directives of which one must pass for a request to succeed"},
		{Name: "RequireNone", Section: true, Module: authzc, Args: RawArgs, Override: OrAuthCfg, check: checkRequireSection,
			Usage: "container for grouping authorization directives of which none must pass for a request to succeed"},
		{Name: "Proxy", Section: true, Module: proxy, Args: RawArgs, Override: RsrcConf, Forbidden: NotInDirContext, check: checkProxySection,
			Usage: "Container for directives affecting resources located in the proxied location"},
		{Name: "ProxyMatch", Section: true, Module: proxy, Args: RawArgs, Override: RsrcConf, Forbidden: NotInDirContext, check: checkProxySection,
			Usage: "Container for directives affecting resources located in the proxied location, in regular expression syntax"},

		// the rest of those modules' directives: accepted as httpd accepts
		// them, most of them ignored
		{Name: "AcceptPathInfo", Module: core, Args: Take1, Override: OrFileInfo, Unsupported: true,
			Usage: "Set to on or off for PATH_INFO to be accepted by handlers, or default for the per-handler preference"},
		{Name: "AllowOverrideList", Module: core, Args: TakeArgv, Override: AccessConf, Ignored: true,
			Usage: "Controls what individual directives can be configured by per-directory config files"},
		{Name: "FileETag", Module: core, Args: RawArgs, Override: OrFileInfo, Unsupported: true,
			Usage: "Specify components used to construct a file's ETag"},
		{Name: "ReadBufferSize", Module: core, Args: Take1, Override: AccessConf | RsrcConf,
			Usage: "Size (in bytes) of the memory buffers used to read data"},
		{Name: "FlushMaxThreshold", Module: core, Args: Take1, Override: RsrcConf,
			Usage: "Maximum threshold above which pending data are flushed to the network"},
		{Name: "FlushMaxPipelined", Module: core, Args: Take1, Override: RsrcConf,
			Usage: "Maximum number of pipelined responses (pending) above which they are flushed to the network"},
		{Name: "Protocol", Module: core, Args: Take1, Override: RsrcConf, Forbidden: NotInDirContext, Unsupported: true,
			Usage: "Set the Protocol for httpd to use."},
		{Name: "AcceptFilter", Module: core, Args: Take2, Override: RsrcConf, Forbidden: GlobalOnly,
			Usage: "Set the Accept Filter to use for a protocol"},
		{Name: "Port", Module: core, Args: Take1, Override: RsrcConf, check: checkDeprecated,
			Usage: "Port was replaced with Listen in Apache 2.0"},
		{Name: "ServerPath", Module: core, Args: Take1, Override: RsrcConf, Forbidden: NotInDirContext, Unsupported: true,
			Usage: "The pathname the server can be reached at"},
		{Name: "ContentDigest", Module: core, Args: Flag, Override: OrOptions, Unsupported: true,
			Usage: "whether or not to send a Content-MD5 header with each request"},
		{Name: "UseCanonicalPhysicalPort", Module: core, Args: Take1, Override: RsrcConf | AccessConf,
			Usage: "Whether to use the physical Port when constructing URLs"},
		{Name: "NameVirtualHost", Module: core, Args: Take1, Override: RsrcConf,
			Usage: "A numeric IP address:port, or the name of a host"},
		{Name: "LimitXMLRequestBody", Module: core, Args: Take1, Override: OrAll,
			Usage: "Limit (in bytes) on maximum size of an XML-based request body"},
		{Name: "MaxRanges", Module: core, Args: Take1, Override: RsrcConf | AccessConf,
			Usage: "Maximum number of Ranges in a request before returning the entire resource, or 0 for unlimited"},
		{Name: "MaxRangeOverlaps", Module: core, Args: Take1, Override: RsrcConf | AccessConf,
			Usage: "Maximum number of overlaps in Ranges in a request before returning the entire resource, or 0 for unlimited"},
		{Name: "MaxRangeReversals", Module: core, Args: Take1, Override: RsrcConf | AccessConf,
			Usage: "Maximum number of reversals in Ranges in a request before returning the entire resource, or 0 for unlimited"},
		{Name: "RLimitCPU", Module: core, Args: Take12, Override: OrAll, Ignored: true,
			Usage: "Soft/hard limits for max CPU usage in seconds"},
		{Name: "RLimitMEM", Module: core, Args: Take12, Override: OrAll, Ignored: true,
			Usage: "Soft/hard limits for max memory usage per process"},
		{Name: "RLimitNPROC", Module: core, Args: Take12, Override: OrAll, Ignored: true,
			Usage: "soft/hard limits for max number of processes per uid"},
		{Name: "RegexDefaultOptions", Module: core, Args: RawArgs, Override: RsrcConf, Forbidden: GlobalOnly, Unsupported: true,
			Usage: "default options for regexes (prefixed by '+' to add, '-' to del)"},
		{Name: "LimitInternalRecursion", Module: core, Args: Take12, Override: RsrcConf,
			Usage: "maximum recursion depth of internal redirects and subrequests"},
		{Name: "CGIPassAuth", Module: core, Args: Flag, Override: OrAuthCfg, Unsupported: true,
			Usage: "Controls whether HTTP authorization headers, normally hidden, will be passed to scripts"},
		{Name: "CGIVar", Module: core, Args: Take2, Override: OrFileInfo, Unsupported: true,
			Usage: "Controls how some CGI variables are set"},
		{Name: "QualifyRedirectURL", Module: core, Args: Flag, Override: OrFileInfo, Unsupported: true,
			Usage: "Controls whether the REDIRECT_URL environment variable is fully qualified"},
		{Name: "StrictHostCheck", Module: core, Args: Flag, Override: RsrcConf,
			Usage: "Controls whether a hostname match is required"},
		{Name: "ForceType", Module: core, Args: Take1, Override: OrFileInfo,
			Usage: "a mime type that overrides other configured type"},
		{Name: "SetHandler", Module: core, Args: Take1, Override: OrFileInfo, Unsupported: true,
			Usage: "a handler name that overrides any other configured handler"},
		{Name: "SetOutputFilter", Module: core, Args: Take1, Override: OrFileInfo, Unsupported: true,
			Usage: "filter (or ; delimited list of filters) to be run on the request content"},
		{Name: "SetInputFilter", Module: core, Args: Take1, Override: OrFileInfo, Unsupported: true,
			Usage: "filter (or ; delimited list of filters) to be run on the request body"},
		{Name: "AllowEncodedSlashes", Module: core, Args: Take1, Override: RsrcConf,
			Usage: "Allow URLs containing '/' encoded as '%2F'"},
		{Name: "ScoreBoardFile", Module: core, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly, Ignored: true,
			Usage: "A file for Apache to maintain runtime process management information"},
		{Name: "ExtendedStatus", Module: core, Args: Flag, Override: RsrcConf, Forbidden: GlobalOnly, Ignored: true,
			Usage: `"On" to track extended status information, "Off" to disable`},
		{Name: "SeeRequestTail", Module: core, Args: Flag, Override: RsrcConf, Forbidden: GlobalOnly, Ignored: true,
			Usage: `For extended status, "On" to see the last 63 chars of the request line, "Off" (default) to see the first 63`},
		{Name: "CoreDumpDirectory", Module: core, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly, Ignored: true,
			Usage: "The location of the directory Apache changes to before dumping core"},
		{Name: "MaxMemFree", Module: core, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly, Ignored: true,
			Usage: "Maximum number of 1k blocks a particular child's allocator may hold."},
		{Name: "ThreadStackSize", Module: core, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly, Ignored: true,
			Usage: "Size in bytes of stack used by threads handling client connections"},
		{Name: "MergeTrailers", Module: core, Args: Flag, Override: RsrcConf,
			Usage: "merge request trailers into request headers or not"},
		{Name: "Protocols", Module: core, Args: Iterate, Override: RsrcConf, Forbidden: NotInDirContext,
			Usage: "Controls which protocols are allowed"},
		{Name: "ProtocolsHonorOrder", Module: core, Args: Take1, Override: RsrcConf, Forbidden: NotInDirContext,
			Usage: "'off' (default) or 'on' to respect given order of protocols, by default the client specified order determines selection"},
		{Name: "RegisterHttpMethod", Module: core, Args: Iterate, Override: RsrcConf, Forbidden: GlobalOnly,
			Usage: "Registers non-standard HTTP methods"},
		{Name: "MergeSlashes", Module: core, Args: Flag, Override: RsrcConf,
			Usage: "Controls whether consecutive slashes in the URI path are merged"},
		{Name: "LoadFile", Module: so, Args: Iterate, Override: RsrcConf | ExecOnRead, Unsupported: true,
			Usage: "shared object file or library to load into the server at runtime"},
		{Name: "ChrootDir", Module: unixd, Args: Take1, Override: RsrcConf, Forbidden: GlobalOnly, Unsupported: true,
			Usage: "The directory to chroot(2) into"},
		{Name: "Suexec", Module: unixd, Args: Flag, Override: RsrcConf, Forbidden: GlobalOnly, Unsupported: true,
			Usage: "Enable or disable suEXEC support"},
		{Name: "ScriptAlias", Module: alias, Args: Take12, Override: RsrcConf | AccessConf, Unsupported: true,
			Usage: "a fakename and a realname, or a realname in a Location"},
		{Name: "ScriptAliasMatch", Module: alias, Args: Take2, Override: RsrcConf, Unsupported: true,
			Usage: "a regular expression and a filename"},
		{Name: "RedirectRelative", Module: alias, Args: Flag, Override: OrFileInfo,
			Usage: "Set to ON to allow relative redirect targets to be issued as-is"},
		{Name: "AliasPreservePath", Module: alias, Args: Flag, Override: OrFileInfo,
			Usage: "Set to ON to map the full path after the fakename to the realname."},
		{Name: "FallbackResource", Module: dir, Args: Take1, Override: OrIndexes,
			Usage: "Set a default handler"},
		{Name: "DirectoryCheckHandler", Module: dir, Args: Flag, Override: OrIndexes,
			Usage: "On or Off"},
		{Name: "DirectoryIndexRedirect", Module: dir, Args: Take1, Override: OrIndexes,
			Usage: "On, Off, or a 3xx status code."},
		{Name: "AddHandler", Module: mime, Args: Iterate2, Override: OrFileInfo, Unsupported: true,
			Usage: "a handler name followed by one or more file extensions"},
		{Name: "AddInputFilter", Module: mime, Args: Iterate2, Override: OrFileInfo, Unsupported: true,
			Usage: "input filter name (or ; delimited names) followed by one or more file extensions"},
		{Name: "AddOutputFilter", Module: mime, Args: Iterate2, Override: OrFileInfo, Unsupported: true,
			Usage: "output filter name (or ; delimited names) followed by one or more file extensions"},
		{Name: "MultiviewsMatch", Module: mime, Args: Iterate, Override: OrFileInfo, Forbidden: NotInLocation, Unsupported: true,
			Usage: "NegotiatedOnly (default), Handlers and/or Filters, or Any"},
		{Name: "RemoveCharset", Module: mime, Args: Iterate, Override: OrFileInfo,
			Usage: "one or more file extensions"},
		{Name: "RemoveEncoding", Module: mime, Args: Iterate, Override: OrFileInfo,
			Usage: "one or more file extensions"},
		{Name: "RemoveHandler", Module: mime, Args: Iterate, Override: OrFileInfo, Unsupported: true,
			Usage: "one or more file extensions"},
		{Name: "RemoveInputFilter", Module: mime, Args: Iterate, Override: OrFileInfo, Unsupported: true,
			Usage: "one or more file extensions"},
		{Name: "RemoveLanguage", Module: mime, Args: Iterate, Override: OrFileInfo,
			Usage: "one or more file extensions"},
		{Name: "RemoveOutputFilter", Module: mime, Args: Iterate, Override: OrFileInfo, Unsupported: true,
			Usage: "one or more file extensions"},
		{Name: "RemoveType", Module: mime, Args: Iterate, Override: OrFileInfo,
			Usage: "one or more file extensions"},
		{Name: "ModMimeUsePathInfo", Module: mime, Args: Flag, Override: AccessConf, Ignored: true,
			Usage: "Set to 'yes' to allow mod_mime to use path info for type checking"},
		{Name: "AuthBasicAuthoritative", Module: basic, Args: Flag, Override: OrAuthCfg,
			Usage: "Set to 'Off' to allow access control to be passed along to lower modules if the UserID is not known to this module"},
		{Name: "AuthBasicFake", Module: basic, Args: Take12, Override: OrAuthCfg, Unsupported: true,
			Usage: "Fake basic authentication using the given expressions for username and password, 'off' to disable. Password defaults to 'password' if missing."},
		{Name: "AuthBasicUseDigestAlgorithm", Module: basic, Args: Take1, Override: OrAuthCfg, Unsupported: true,
			Usage: "Set to 'MD5' to use the auth provider's authentication check for digest auth, using a hash of 'user:realm:pass'"},
		{Name: "AuthMerging", Module: authzc, Args: Take1, Override: OrAuthCfg,
			Usage: "controls how a <Directory>, <Location>, or similar directive's authorization directives are combined with those of its predecessor"},
		{Name: "AuthzSendForbiddenOnFailure", Module: authzc, Args: Flag, Override: OrAuthCfg,
			Usage: "Controls if an authorization failure should result in a '403 FORBIDDEN' response instead of the HTTP-conforming '401 UNAUTHORIZED'"},
		{Name: "ProxyRemote", Module: proxy, Args: Take23, Override: RsrcConf, Unsupported: true,
			Usage: "a scheme, partial URL or '*' and a proxy server"},
		{Name: "ProxyRemoteMatch", Module: proxy, Args: Take23, Override: RsrcConf, Forbidden: NotInDirectory | NotInFiles, Unsupported: true,
			Usage: "a regex pattern and a proxy server"},
		{Name: "ProxyPassInterpolateEnv", Module: proxy, Args: Flag, Override: RsrcConf | AccessConf,
			Usage: "Interpolate Env Vars in reverse Proxy"},
		{Name: "ProxyBlock", Module: proxy, Args: Iterate, Override: RsrcConf, Unsupported: true,
			Usage: "A list of names, hosts or domains to which the proxy will not connect"},
		{Name: "ProxyReceiveBufferSize", Module: proxy, Args: Take1, Override: RsrcConf,
			Usage: "Receive buffer size for outgoing HTTP and FTP connections in bytes"},
		{Name: "ProxyIOBufferSize", Module: proxy, Args: Take1, Override: RsrcConf,
			Usage: "IO buffer size for outgoing HTTP and FTP connections in bytes"},
		{Name: "ProxyMaxForwards", Module: proxy, Args: Take1, Override: RsrcConf,
			Usage: "The maximum number of proxies a request may be forwarded through."},
		{Name: "NoProxy", Module: proxy, Args: Iterate, Override: RsrcConf, Unsupported: true,
			Usage: "A list of domains, hosts, or subnets to which the proxy will connect directly"},
		{Name: "ProxyDomain", Module: proxy, Args: Take1, Override: RsrcConf, Unsupported: true,
			Usage: "The default intranet domain name (in absence of a domain in the URL)"},
		{Name: "ProxyBadHeader", Module: proxy, Args: Take1, Override: RsrcConf,
			Usage: "How to handle bad header line in response: IsError | Ignore | StartBody"},
		{Name: "BalancerMember", Module: proxy, Args: RawArgs, Override: RsrcConf | AccessConf,
			Usage: "A balancer name and scheme with list of params"},
		{Name: "BalancerGrowth", Module: proxy, Args: Take1, Override: RsrcConf, Unsupported: true,
			Usage: "Number of additional Balancers that can be added post-config"},
		{Name: "BalancerPersist", Module: proxy, Args: Flag, Override: RsrcConf, Unsupported: true,
			Usage: "on if the balancer should persist changes on reboot/restart made via the Balancer Manager"},
		{Name: "BalancerInherit", Module: proxy, Args: Flag, Override: RsrcConf, Unsupported: true,
			Usage: "on if this server should inherit Balancers and Workers defined in the main server (Setting to off recommended if using the Balancer Manager)"},
		{Name: "ProxyPassInherit", Module: proxy, Args: Flag, Override: RsrcConf, Ignored: true,
			Usage: "on if this server should inherit all ProxyPass directives defined in the main server (Setting to off recommended if using the Balancer Manager)"},
		{Name: "ProxyStatus", Module: proxy, Args: Take1, Override: RsrcConf, Unsupported: true,
			Usage: "Configure Status: proxy status to one of: on | off | full"},
		{Name: "ProxySet", Module: proxy, Args: RawArgs, Override: RsrcConf | AccessConf,
			Usage: "A balancer or worker name with list of params"},
		{Name: "ProxySourceAddress", Module: proxy, Args: Take1, Override: RsrcConf,
			Usage: "Configure local source IP used for request forward"},
		{Name: "Proxy100Continue", Module: proxy, Args: Flag, Override: RsrcConf | AccessConf,
			Usage: "on if 100-Continue should be forwarded to the origin server, off if the proxy should handle it by itself"},
		{Name: "RemoteIPProxyProtocol", Module: rip, Args: Flag, Override: RsrcConf,
			Usage: "Enable PROXY protocol handling ('on', 'off')"},
		{Name: "RemoteIPProxyProtocolExceptions", Module: rip, Args: TakeArgv, Override: RsrcConf,
			Usage: "Disable PROXY protocol handling for this list of networks in CIDR format"},
		{Name: "SetEnvIfExpr", Module: seif, Args: RawArgs, Override: OrFileInfo,
			Usage: "an expression and a list of variables."},
	}
}

// LookupDirective returns the spec of the directive called name (any
// case); section names are written with their '<', as in "<Directory".
func LookupDirective(name string) (Spec, bool) {
	section := strings.HasPrefix(name, "<")
	name = strings.TrimPrefix(name, "<")
	for _, s := range Directives() {
		if s.Section == section && strings.EqualFold(s.Name, name) {
			return s, true
		}
	}
	return Spec{}, false
}

// specKey is the lookup key of a directive: its lower-case name, with the
// '<' of a section.
func specKey(name string, section bool) string {
	if section {
		return "<" + strings.ToLower(name)
	}
	return strings.ToLower(name)
}

// arityError returns httpd's message when args do not fit s.Args, or ""
// (invoke_cmd in server/config.c). raw is the argument text, for NoArgs.
func (s *Spec) arityError(args []string, raw string) string {
	name := s.displayName()
	usage := ""
	if s.Usage != "" {
		usage = ", " + s.Usage
	}
	first := len(args) > 0 && args[0] != ""
	switch s.Args {
	case NoArgs:
		if raw != "" {
			return name + " takes no arguments"
		}
	case Take1:
		if !first || len(args) != 1 {
			return name + " takes one argument" + usage
		}
	case Take2:
		if !first || len(args) != 2 || args[1] == "" {
			return name + " takes two arguments" + usage
		}
	case Take12:
		if !first || len(args) > 2 {
			return name + " takes 1-2 arguments" + usage
		}
	case Take3:
		if !first || len(args) != 3 || args[1] == "" || args[2] == "" {
			return name + " takes three arguments" + usage
		}
	case Take23:
		if !first || len(args) < 2 || args[1] == "" || len(args) > 3 {
			return name + " takes two or three arguments" + usage
		}
	case Take123:
		if !first || len(args) > 3 {
			return name + " takes one, two or three arguments" + usage
		}
	case Take13:
		if !first || len(args) > 3 || (len(args) == 2 && args[1] != "") {
			return name + " takes one or three arguments" + usage
		}
	case Iterate:
		if !first {
			return name + " requires at least one argument" + usage
		}
	case Iterate2:
		if !first || len(args) < 2 {
			return name + " requires at least two arguments" + usage
		}
	case Flag:
		if len(args) == 0 || !(strings.EqualFold(args[0], "on") || strings.EqualFold(args[0], "off")) {
			return name + " must be On or Off"
		}
	}
	return ""
}
