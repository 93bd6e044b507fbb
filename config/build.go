package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jl6/logproxy/logformat"
	"github.com/jl6/logproxy/proxy"
	"github.com/jl6/logproxy/strip"
)

// BuildOptions adjust how a configuration becomes a running site. The
// zero value is ready to use.
type BuildOptions struct {
	// Location is the zone of %t in access logs (nil: the C library's
	// local zone, from TZ).
	Location *time.Location
	// CheckLogDirs makes Build refuse an access log whose directory does
	// not exist, as httpd's open_multi_logs does before "Syntax OK"
	// (AH02297); logproxy -t sets it.
	CheckLogDirs bool
	// CheckDocumentRoot makes Build refuse a main server's DocumentRoot
	// that is no directory, and warn of a virtual host's (AH00112), as
	// httpd's core does as it reads the directive; logproxy sets it to
	// serve and for -t.
	CheckDocumentRoot bool
	// CheckUsers makes Build refuse a User or Group the system does not
	// know (AH00543, AH00544), as httpd's unixd does; logproxy sets it to
	// serve and for -t.
	CheckUsers bool
	// LookupHost resolves the host names of <VirtualHost> lines (nil:
	// net.LookupHost).
	LookupHost func(host string) ([]string, error)
}

// Build turns a checked configuration into the proxy's run-time site: the
// main server, the virtual hosts with their defaults merged from the main
// server as httpd merges them, the access logs with their nicknames
// resolved, and every directive's value checked. Errors name the file and
// line of the directive at fault; all of them are returned.
func Build(cfg *Config, opts *BuildOptions) (*proxy.Site, error) {
	b := &siteBuilder{cfg: cfg, logs: make(map[string]*proxy.LogFile)}
	if opts != nil {
		b.opts = *opts
	}
	b.site = &proxy.Site{ServerRoot: cfg.ServerRoot}
	main := newServerBuild(nil)
	b.site.Main = main.srv
	b.site.BufferedLogs = bufferedLogs(cfg.Directives, false)
	b.build(cfg.Directives, main, nil)
	var vhosts []*serverBuild
	for _, d := range cfg.Directives {
		if strings.EqualFold(d.Name, "VirtualHost") && d.Section {
			vb := newServerBuild(main)
			b.vhostAddrs(d, vb)
			b.build(d.Children, vb, nil)
			vhosts = append(vhosts, vb)
		}
	}
	b.site.NoDirModule = !slices.Contains(cfg.Modules, "dir_module")
	b.site.SSLModule = slices.Contains(cfg.Modules, "ssl_module")
	if slices.Contains(cfg.Modules, "reqtimeout_module") && !main.set["reqtimeout"] {
		// mod_reqtimeout loaded: its defaults apply without a directive.
		rt := proxy.DefaultReqTimeout()
		main.srv.ReqTimeout = &rt
	}
	main.finish(nil)
	b.finishMD(main)
	b.finishSSL(main, nil)
	main.srv.Rewrite = main.rewriteConfig(nil)
	for _, vb := range vhosts {
		vb.finish(main)
		b.finishSSL(vb, main)
		vb.srv.Rewrite = vb.rewriteConfig(main)
		b.site.VHosts = append(b.site.VHosts, vb.srv)
	}
	b.resolveBalancers(main, vhosts)
	b.resolveLogs(main, vhosts)
	if len(b.errs) > 0 {
		return b.site, b.errs
	}
	return b.site, nil
}

type siteBuilder struct {
	cfg  *Config
	opts BuildOptions
	site *proxy.Site
	logs map[string]*proxy.LogFile
	errs ErrorList
	md   *mdBuild // mod_md, nil when none of its directives

	// redact is what LogRedactQuery, LogRedactHeader and LogRedactCookie
	// name: every access log of the site hides it.
	redact logformat.Redaction

	pendingBalancers []pendingBalancer
}

// serverBuild is a server under construction, with what was set in it, so
// that a virtual host inherits what it does not set from the main server.
type serverBuild struct {
	srv    *proxy.Server
	parent *serverBuild
	set    map[string]bool

	nick       logformat.Nicknames
	defaultFmt string        // LogFormat with one argument
	rewrite    *rewriteBuild // mod_rewrite, nil when none of its directives
	ssl        *sslBuild     // mod_ssl, nil when none of its directives
	balancers  []*proxy.Balancer
	logLines   []pendingLog
}

// pendingLog is a CustomLog line whose format is resolved once the whole
// configuration is read (a nickname may be defined further down).
type pendingLog struct {
	d      *Directive
	path   string
	format string
	env    string
	global bool
}

func newServerBuild(parent *serverBuild) *serverBuild {
	sb := &serverBuild{
		srv: &proxy.Server{
			Timeout:              60 * time.Second,
			KeepAlive:            true,
			KeepAliveTimeout:     5 * time.Second,
			MaxKeepAliveRequests: 100,
			Dir:                  &proxy.DirConfig{},
		},
		parent: parent,
		set:    make(map[string]bool),
	}
	if parent != nil {
		sb.nick.Parent = &parent.nick
	}
	return sb
}

// defaultDocumentRoot is httpd's DocumentRoot when none is given: its
// compiled-in DOCUMENT_LOCATION, which Debian sets to /var/www/html.
const defaultDocumentRoot = "/var/www/html"

// finish fills what a virtual host did not set from the main server.
func (sb *serverBuild) finish(main *serverBuild) {
	s := sb.srv
	if main == nil {
		if s.Hostname == "" {
			s.Hostname = "localhost"
		}
		if !sb.set["documentroot"] {
			// DOCUMENT_LOCATION, as Debian builds httpd.
			s.Dir.DocumentRoot = defaultDocumentRoot
		}
		return
	}
	m := main.srv
	inherit := func(name string, f func()) {
		if !sb.set[name] {
			f()
		}
	}
	inherit("servername", func() { s.Hostname, s.Port, s.Scheme = m.Hostname, m.Port, m.Scheme })
	inherit("timeout", func() { s.Timeout = m.Timeout })
	inherit("keepalive", func() { s.KeepAlive = m.KeepAlive })
	inherit("keepalivetimeout", func() { s.KeepAliveTimeout = m.KeepAliveTimeout })
	inherit("maxkeepaliverequests", func() { s.MaxKeepAliveRequests = m.MaxKeepAliveRequests })
	inherit("limitrequestline", func() { s.Limits.RequestLine = m.Limits.RequestLine })
	inherit("limitrequestfieldsize", func() { s.Limits.RequestFieldSize = m.Limits.RequestFieldSize })
	inherit("limitrequestfields", func() { s.Limits.RequestFields = m.Limits.RequestFields })
	inherit("httpprotocoloptions", func() {
		s.Limits.Unsafe, s.Limits.RegisteredMethods, s.Limits.Require10 = m.Limits.Unsafe, m.Limits.RegisteredMethods, m.Limits.Require10
	})
	inherit("proxytimeout", func() { s.ProxyTimeout = m.ProxyTimeout })
	inherit("proxymaxforwards", func() { s.MaxForwards, s.HasMaxForwards = m.MaxForwards, m.HasMaxForwards })
	inherit("remoteip", func() { s.RemoteIP = m.RemoteIP })
	inherit("reqtimeout", func() { s.ReqTimeout = m.ReqTimeout })
	inherit("errorlogformat", func() { s.ErrorLogFormat = m.ErrorLogFormat })
	inherit("allowencodedslashes", func() { s.EncodedSlashes = m.EncodedSlashes })
	inherit("mergeslashes", func() { s.NoMergeSlashes = m.NoMergeSlashes })
	// Directory-level settings of the server: the main server's first,
	// the virtual host's over them.
	d := m.Dir.Clone()
	d.Merge(s.Dir)
	if !sb.set["documentroot"] {
		d.DocumentRoot = m.Dir.DocumentRoot
	}
	s.Dir = d
	// Sections and routes: the virtual host's, then the main server's.
	s.Sections = append(s.Sections, m.Sections...)
	s.SectionRedirects = s.SectionRedirects || m.SectionRedirects
	s.Routes = append(s.Routes, m.Routes...)
	s.ReverseRoutes = append(s.ReverseRoutes, m.ReverseRoutes...)
	if !sb.set["defaultformat"] {
		sb.defaultFmt = main.defaultFmt
	}
}

func (b *siteBuilder) errorf(d *Directive, format string, args ...any) {
	b.errs = append(b.errs, &Error{File: d.File, Line: d.Line, Msg: fmt.Sprintf(format, args...)})
}

// path resolves a file name against ServerRoot, as ap_server_root_relative.
func (b *siteBuilder) path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(b.cfg.ServerRoot, p)
}

// build walks directives of a server (dir nil) or of a section (dir set).
// banner is ap_get_server_banner() by the site's ServerTokens.
func (b *siteBuilder) banner() string { return proxy.Banner(b.site.ServerTokens) }

// bufferedLogs is BufferedLogs, a flag of the whole server as httpd's
// static buffered_logs: the last one in file order holds (on holds when
// there is none), also when it is in a <VirtualHost>.
func bufferedLogs(list []*Directive, on bool) bool {
	for _, d := range list {
		switch {
		case d.Section && strings.EqualFold(d.Name, "VirtualHost"):
			on = bufferedLogs(d.Children, on)
		case !d.Section && strings.EqualFold(d.Name, "BufferedLogs"):
			on, _ = onOff(d.Args[0])
		}
	}
	return on
}

func (b *siteBuilder) build(list []*Directive, sb *serverBuild, dir *proxy.DirConfig) {
	s := sb.srv
	for _, d := range list {
		if d.Section {
			b.section(d, sb, dir)
			continue
		}
		target := dir
		if target == nil {
			target = s.Dir
		}
		name := strings.ToLower(d.Name)
		a := d.Args
		switch name {
		case "bufferedlogs":
			// Build reads it (bufferedLogs).
		case "serverroot", "loadmodule", "user", "group", "startservers", "serverlimit",
			"threadsperchild", "maxrequestworkers", "maxclients", "minsparethreads",
			"maxsparethreads", "minspareservers", "maxspareservers", "threadlimit",
			"maxconnectionsperchild", "maxrequestsperchild", "mutex", "servertokens",
			"serveradmin", "serversignature", "traceenable", "enablesendfile", "enablemmap",
			"accessfilename",
			"adddefaultcharset", "authbasicprovider", "passenv", "requestreadtimeout",
			"proxyrequests", "defaulttype", "addtype", "typesconfig", "listenbacklog",
			"pidfile", "errorlog", "loglevel", "defaultruntimedir", "asyncrequestworkerfactor",
			"namevirtualhost", "readbuffersize", "flushmaxthreshold", "flushmaxpipelined",
			"limitinternalrecursion", "proxyiobuffersize", "proxyreceivebuffersize":
			b.simple(d, sb, target, name)
		case "rewriteengine", "rewriteoptions", "rewritecond", "rewriterule", "rewritebase", "rewritemap":
			b.rewriteDirective(d, sb, dir != nil)
		case "listen":
			b.listen(d)
		case "balancermember", "proxyset":
			if dir != nil {
				b.errorf(d, "%s in a <Directory> or <Location> section is not supported by logproxy", d.Name)
				continue
			}
			b.serverBalancerLine(d, sb)
		case "acceptfilter":
			b.acceptFilter(d)
		case "servername":
			if dir != nil {
				b.errorf(d, "ServerName not allowed here")
				continue
			}
			// server_hostname_port: [scheme://]host[:port], the port
			// read with atoi, no wildcards.
			arg := a[0]
			if fnmatchTest(arg) {
				b.errorf(d, "Invalid ServerName \"%s\" use ServerAlias to set multiple server names.", arg)
				continue
			}
			host, port, scheme := arg, 0, ""
			if i := strings.Index(host, "://"); i >= 0 {
				scheme, host = strings.ToLower(host[:i]), host[i+3:]
			}
			if i := strings.IndexByte(host, ':'); i >= 0 {
				port = atoiPrefix(host[i+1:])
				if port <= 0 || port >= 65536 {
					b.errorf(d, "The port number \"%s\" is outside the appropriate range (i.e., 1..65535).", arg)
					continue
				}
				host = host[:i]
			}
			s.Hostname, s.Port, s.Scheme = host, port, scheme
			sb.set["servername"] = true
		case "serveralias":
			s.Aliases = append(s.Aliases, a...)
		case "usecanonicalname":
			var v proxy.CanonicalName
			switch strings.ToLower(a[0]) {
			case "on":
				v = proxy.CanonicalOn
			case "off":
				v = proxy.CanonicalOff
			case "dns":
				v = proxy.CanonicalDNS
			default:
				b.errorf(d, "parameter must be 'on', 'off', or 'dns'")
				continue
			}
			target.UseCanonicalName = &v
		case "proxymaxforwards":
			// set_max_forwards: atol, no check.
			s.MaxForwards, s.HasMaxForwards = aprAtoi64(a[0]), true
			sb.set[name] = true
		case "timeout", "keepalivetimeout", "proxytimeout":
			var dur time.Duration
			switch name {
			case "keepalivetimeout":
				// ap_timeout_parameter_parse: seconds, or a unit (ms,
				// s, mi, h).
				v, ok := timeoutParam(a[0], "s")
				if !ok {
					b.errorf(d, "KeepAliveTimeout has wrong format")
					continue
				}
				dur = v
			default:
				// Seconds only. httpd reads them with atoi (so that
				// "500ms" is 500 seconds); logproxy refuses what is
				// not a number rather than guess.
				secs, err := strconv.Atoi(a[0])
				if err != nil || secs < 0 {
					b.errorf(d, "%s must be a number of seconds, not %q", d.Name, a[0])
					continue
				}
				if name == "proxytimeout" && secs < 1 {
					b.errorf(d, "Proxy Timeout must be at least 1 second.")
					continue
				}
				dur = time.Duration(secs) * time.Second
			}
			switch name {
			case "timeout":
				s.Timeout = dur
			case "keepalivetimeout":
				s.KeepAliveTimeout = dur
			default:
				s.ProxyTimeout = dur
			}
			sb.set[name] = true
		case "keepalive":
			switch strings.ToLower(a[0]) {
			case "on":
				s.KeepAlive = true
			case "off":
				s.KeepAlive = false
			default:
				b.errorf(d, "KeepAlive must be On or Off")
				continue
			}
			sb.set[name] = true
		case "maxkeepaliverequests", "limitrequestline", "limitrequestfieldsize", "limitrequestfields":
			n, err := strconv.Atoi(a[0])
			if err != nil || n < 0 {
				b.errorf(d, "%s must be a non-negative integer, not %q", d.Name, a[0])
				continue
			}
			switch name {
			case "maxkeepaliverequests":
				s.MaxKeepAliveRequests = n
			case "limitrequestline":
				s.Limits.RequestLine = zeroAsNegative(n)
			case "limitrequestfieldsize":
				s.Limits.RequestFieldSize = zeroAsNegative(n)
			default:
				s.Limits.RequestFields = zeroAsNegative(n)
			}
			sb.set[name] = true
		case "limitrequestbody":
			n, err := strconv.ParseInt(a[0], 10, 64)
			if err != nil || n < 0 {
				b.errorf(d, "LimitRequestBody argument is not parsable.")
				continue
			}
			target.LimitRequestBody = &n
		case "httpprotocoloptions":
			for _, w := range a {
				switch strings.ToLower(w) {
				case "unsafe":
					s.Limits.Unsafe = true
				case "strict":
					s.Limits.Unsafe = false
				case "registeredmethods":
					s.Limits.RegisteredMethods = true
				case "lenientmethods":
					s.Limits.RegisteredMethods = false
				case "require1.0":
					s.Limits.Require10 = true
				case "allow0.9":
					s.Limits.Require10 = false
				default:
					b.errorf(d, "HttpProtocolOptions does not accept %s", w)
				}
			}
			sb.set[name] = true
		case "documentroot":
			target.DocumentRoot = strings.TrimSuffix(b.path(a[0]), "/")
			sb.set[name] = true
			if b.opts.CheckDocumentRoot {
				// core.c set_document_root: an error for the main
				// server, a warning for a virtual host.
				if st, err := os.Stat(target.DocumentRoot); err != nil || !st.IsDir() {
					if sb.parent == nil {
						b.errorf(d, "DocumentRoot '%s' is not a directory, or is not readable", b.path(a[0]))
					} else {
						b.cfg.Warnings = append(b.cfg.Warnings, &Error{File: d.File, Line: d.Line,
							Msg: fmt.Sprintf("AH00112: Warning: DocumentRoot [%s] does not exist", b.path(a[0]))})
					}
				}
			}
		case "expiresactive", "expiresbytype", "expiresdefault":
			b.expires(d, target)
		case "protocols":
			// Without mod_http2 (which logproxy does not load) httpd
			// speaks HTTP/1.1 whatever else the list names; a list
			// without http/1.1 is refused.
			if !slices.ContainsFunc(a, func(p string) bool { return strings.EqualFold(p, "http/1.1") }) {
				b.errorf(d, "Protocols without http/1.1 is not supported by logproxy (it speaks HTTP/1.1 only)")
				continue
			}
		case "protocolshonororder":
			// set_protocols_honor_order; with HTTP/1.1 the only protocol
			// there is nothing to choose.
			if !strings.EqualFold(a[0], "on") && !strings.EqualFold(a[0], "off") {
				b.errorf(d, "ProtocolsHonorOrder must be 'on' or 'off'")
				continue
			}
		case "allowencodedslashes":
			// set_allow2f
			switch strings.ToLower(a[0]) {
			case "on":
				s.EncodedSlashes = proxy.EncodedSlashesOn
			case "off":
				s.EncodedSlashes = proxy.EncodedSlashesOff
			case "nodecode":
				s.EncodedSlashes = proxy.EncodedSlashesNoDecode
			default:
				b.errorf(d, "%s must be On, Off, or NoDecode", d.Name)
				continue
			}
			sb.set[name] = true
		case "mergeslashes":
			s.NoMergeSlashes = strings.EqualFold(a[0], "off")
			sb.set[name] = true
		case "forcetype":
			// ap_set_string_slot_lower
			target.ForceType = strings.ToLower(a[0])
		case "directoryindex":
			if len(a) == 1 && strings.EqualFold(a[0], "disabled") {
				target.DirectoryIndex = []string{}
			} else {
				target.DirectoryIndex = append([]string{}, a...)
			}
		case "alias", "aliasmatch":
			if len(a) < 2 {
				// httpd 2.4.13's one-argument form in a <Location>.
				b.errorf(d, "%s with one argument (in <Location>) is not supported by logproxy", d.Name)
				continue
			}
			al := proxy.Alias{From: a[0], To: a[1]}
			if name == "aliasmatch" {
				re, msg := compileRegex(a[0], "Regular expression could not be compiled.")
				if re == nil {
					b.errorf(d, "%s", msg)
					continue
				}
				al.Regex = re
			} else {
				al.To = b.path(a[1])
			}
			target.Aliases = append(target.Aliases, al)
		case "redirect", "redirectmatch", "redirecttemp", "redirectpermanent":
			b.redirect(d, target, dir != nil)
			if n := len(target.Redirects); dir != nil && n > 0 && target.Redirects[n-1].Path == "" && target.Redirects[n-1].Regex == nil {
				sb.srv.SectionRedirects = true
			}
		case "errordocument":
			// set_error_document: the code read with atoi must be one
			// of httpd's status table (ap_index_of_response).
			code := atoiPrefix(a[0])
			if !proxy.KnownStatus(code) {
				b.errorf(d, "Unsupported HTTP response code %s", a[0])
				continue
			}
			if target.ErrorDocuments == nil {
				target.ErrorDocuments = make(map[int]string)
			}
			// As core's set_error_document: a local path or a URL is a
			// redirect target, anything else a text, kept with a leading
			// quote to tell it apart.
			doc := a[1]
			if doc != "default" && doc[0] != '/' && !isURL(doc) {
				doc = "\"" + doc
			}
			target.ErrorDocuments[code] = doc
		case "hostnamelookups":
			var on bool
			switch strings.ToLower(a[0]) {
			case "on":
				on = true
			case "off":
			case "double":
				b.errorf(d, "HostnameLookups Double is not supported by logproxy")
				continue
			default:
				b.errorf(d, "parameter must be 'on', 'off', or 'double'")
				continue
			}
			target.HostnameLookups = &on
		case "authtype":
			if !strings.EqualFold(a[0], "basic") && !strings.EqualFold(a[0], "none") {
				b.errorf(d, "AuthType %s is not supported by logproxy (only Basic)", a[0])
				continue
			}
			target.AuthType = a[0]
		case "authname":
			target.AuthName = a[0]
		case "authuserfile":
			target.AuthUserFile = b.path(a[0])
		case "require":
			b.require(d, target)
		case "setenv", "unsetenv", "setenvif", "setenvifnocase", "browsermatch", "browsermatchnocase", "setenvifexpr":
			b.envRule(d, target, dir == nil)
		case "requestheader", "header":
			b.headerRule(d, target)
		case "logredactquery", "logredactheader", "logredactcookie":
			b.logRedact(d)
		case "stripheader":
			set, err := strip.Compile(a...)
			if err != nil {
				b.errorf(d, "%v", err)
				continue
			}
			target.Strip = mergeStrip(target.Strip, a, set)
		case "remoteipheader", "remoteipinternalproxy", "remoteiptrustedproxy":
			b.remoteIP(d, sb)
		case "proxypass", "proxypassmatch":
			b.proxyPass(d, sb, dir)
		case "proxypassreverse", "proxypassreversecookiepath", "proxypassreversecookiedomain":
			b.proxyPassReverse(d, sb, dir)
		case "allowoverride":
			if msg := allowOverrideError(a); msg != "" {
				b.errorf(d, "%s", msg)
				continue
			}
		case "options":
			o, err := proxy.ParseOptions(a)
			if err != nil {
				b.errorf(d, "%s", err.Error())
				continue
			}
			target.Options = &o
		case "logiotrackttfb":
			on, ok := onOff(a[0])
			if !ok {
				b.errorf(d, "%s must be On or Off", d.Name)
				continue
			}
			target.TrackTTFB = &on
		case "proxyerroroverride":
			b.proxyErrorOverride(d, target)
		case "proxypreservehost", "proxyaddheaders":
			on, ok := onOff(a[0])
			if !ok {
				b.errorf(d, "%s must be On or Off", d.Name)
				continue
			}
			if name == "proxypreservehost" {
				target.ProxyPreserveHost = &on
			} else {
				target.ProxyAddHeaders = &on
			}
		case "logformat":
			if len(a) >= 2 {
				esc, _ := logFormatEscape(a) // checked when parsed
				sb.nick.Define(a[1], a[0], esc)
			} else {
				sb.defaultFmt = a[0]
				sb.set["defaultformat"] = true
			}
		case "customlog", "globallog":
			pl := pendingLog{d: d, path: a[0], format: a[1], global: name == "globallog"}
			if len(a) == 3 {
				pl.env = a[2]
			}
			sb.logLines = append(sb.logLines, pl)
		case "transferlog":
			sb.logLines = append(sb.logLines, pendingLog{d: d, path: a[0]})
		case "errorlogformat":
			if len(a) == 1 {
				s.ErrorLogFormat = a[0]
			} // else an empty connection or request format: nothing

			sb.set[name] = true
		default:
			spec, known := LookupDirective(d.Name)
			if known && spec.Ignored {
				continue
			}
			if known && spec.Module == "ssl_module" {
				b.sslDirective(d, sb, dir)
				continue
			}
			if known && spec.Module == "md_module" {
				b.mdDirective(d, sb)
				continue
			}
			if isDefaultSetting(name, a) {
				continue // httpd's default, which is what logproxy does
			}
			b.errorf(d, "%s is not supported by logproxy yet (the configuration checker knows it, serving does not)", d.Name)
		}
	}
}

// redirect reads Redirect [status] URL-path URL, RedirectMatch [status]
// regex URL, RedirectTemp and RedirectPermanent, as mod_alias'
// add_redirect_internal.
func (b *siteBuilder) redirect(d *Directive, dir *proxy.DirConfig, inSection bool) {
	a := d.Args
	name := strings.ToLower(d.Name)
	rd := proxy.Redirect{Status: 302}
	switch name {
	case "redirecttemp":
	case "redirectpermanent":
		rd.Status = 301
	default:
		if len(a) > 1 {
			switch strings.ToLower(a[0]) {
			case "permanent":
				rd.Status, a = 301, a[1:]
			case "temp":
				rd.Status, a = 302, a[1:]
			case "seeother":
				rd.Status, a = 303, a[1:]
			case "gone":
				rd.Status, a = 410, a[1:]
			default:
				if n, err := strconv.Atoi(a[0]); err == nil {
					rd.Status, a = n, a[1:]
				}
			}
		}
	}
	if rd.Status < 100 || rd.Status > 599 {
		b.errorf(d, "Redirect: invalid status %d", rd.Status)
		return
	}
	redirect := rd.Status >= 300 && rd.Status < 400
	switch {
	case !redirect || (len(a) == 1 && !inSection && !strings.Contains(a[0], "://")):
		// A status that is not a redirect (gone, 404, 503) takes the
		// path alone: the answer is that status.
		if redirect {
			b.errorf(d, "Redirect to non-URL")
			return
		}
		if len(a) != 1 {
			b.errorf(d, "Redirect URL not valid for this status")
			return
		}
		rd.Path = a[0]
	case len(a) == 2:
		rd.Path, rd.Target = a[0], a[1]
	case len(a) == 1 && inSection:
		// add_redirect_internal: in a section, the URL alone is a string
		// expression.
		e, err := ParseStringExpr(a[0])
		if err != nil {
			b.errorf(d, "Cannot parse redirect expression '%s': %v", a[0], err)
			return
		}
		if lit, ok := e.Root.(*ExprString); ok {
			rd.Target = lit.Value
			break
		}
		prog, err := compileExpr(e, b.banner)
		if err != nil {
			b.errorf(d, "%s %s: %v", d.Name, a[0], err)
			return
		}
		rd.Target, rd.TargetExpr = a[0], prog.Value
	default:
		b.errorf(d, "%s takes a URL-path and a URL", d.Name)
		return
	}
	if rd.TargetExpr == nil && rd.Target != "" && !strings.Contains(rd.Target, "://") && !strings.HasPrefix(rd.Target, "/") {
		b.errorf(d, "Redirect to non-URL")
		return
	}
	if name == "redirectmatch" {
		re, msg := compileRegex(rd.Path, "Regular expression could not be compiled.")
		if re == nil {
			b.errorf(d, "%s", msg)
			return
		}
		rd.Regex, rd.Path = re, ""
	}
	dir.Redirects = append(dir.Redirects, rd)
}

// isURL is ap_is_url: a scheme of letters, digits, '+', '-' or '.'
// followed by ':'.
func isURL(s string) bool {
	i := strings.IndexByte(s, ':')
	if i <= 0 {
		return false
	}
	for _, c := range []byte(s[:i]) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

func zeroAsNegative(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

func onOff(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "on":
		return true, true
	case "off":
		return false, true
	}
	return false, false
}

func mergeStrip(old *strip.Set, patterns []string, add *strip.Set) *strip.Set {
	if old == nil {
		return add
	}
	all := append(old.Patterns(), patterns...)
	s, _ := strip.Compile(all...)
	return s
}

// simple handles the directives with a plain value, and the ones logproxy
// accepts because they tune httpd's process model.
func (b *siteBuilder) simple(d *Directive, sb *serverBuild, dir *proxy.DirConfig, name string) {
	s := sb.srv
	switch name {
	case "pidfile":
		b.site.PidFile = b.path(d.Args[0])
	case "errorlog":
		if sb.parent == nil {
			p := d.Args[0]
			if !strings.HasPrefix(p, "|") && !strings.HasPrefix(p, "syslog") {
				p = b.path(p)
				if b.opts.CheckLogDirs {
					if dir, missing := logDirMissing(p); missing {
						b.errorf(d, "AH02291: Cannot access directory '%s/' for main error log", dir)
						return
					}
				}
			}
			b.site.ErrorLog.Path = p
		}
	case "loglevel":
		b.logLevel(d)
	case "typesconfig":
		b.site.TypesConfig = b.path(d.Args[0])
	case "addtype":
		if dir.AddTypes == nil {
			dir.AddTypes = make(map[string]string)
		}
		for _, ext := range d.Args[1:] {
			dir.AddTypes[strings.ToLower(strings.TrimPrefix(ext, "."))] = d.Args[0]
		}
	case "serversignature":
		v := strings.ToLower(d.Args[0])
		if v != "on" && v != "off" && v != "email" {
			b.errorf(d, "ServerSignature: use one of: off | on | email")
			return
		}
		dir.Signature = &v
	case "serveradmin":
		s.Admin = d.Args[0]
	case "traceenable":
		switch strings.ToLower(d.Args[0]) {
		case "on":
			s.TraceDisabled = false
		case "off":
			s.TraceDisabled = true
		default:
			b.errorf(d, "TraceEnable %q is not supported by logproxy (on or off)", d.Args[0])
		}
	case "adddefaultcharset":
		v := d.Args[0]
		switch strings.ToLower(v) {
		case "off":
			v = ""
		case "on":
			v = "iso-8859-1"
		}
		dir.DefaultCharset = &v
	case "authbasicprovider":
		for _, p := range d.Args {
			if !strings.EqualFold(p, "file") {
				b.errorf(d, "AuthBasicProvider %q is not supported by logproxy (only file)", p)
			}
		}
	case "servertokens":
		if t, ok := serverTokens[strings.ToLower(d.Args[0])]; ok {
			b.site.ServerTokens = t
		} else {
			b.errorf(d, "ServerTokens takes 1 argument: 'Prod(uctOnly)', 'Major', 'Minor', 'Min(imal)', 'OS', or 'Full'")
		}
	case "enablesendfile", "enablemmap":
		// How httpd sends files; logproxy's way does not change.
		if _, ok := onOff(d.Args[0]); !ok {
			b.errorf(d, "parameter must be 'on' or 'off'")
		}
	case "limitinternalrecursion":
		for _, w := range d.Args {
			if atoiPrefix(w) <= 0 {
				b.errorf(d, "The recursion limit must be greater than zero.")
				return
			}
		}
	case "listenbacklog":
		if atoiPrefix(d.Args[0]) <= 0 {
			b.errorf(d, "ListenBacklog must be > 0")
		}
	case "proxyreceivebuffersize":
		if n := atoiPrefix(d.Args[0]); n < 512 && n != 0 {
			b.errorf(d, "ProxyReceiveBufferSize must be >= 512 bytes, or 0 for system default.")
		}
	case "user", "group":
		if b.opts.CheckUsers && !strings.HasPrefix(d.Args[0], "#") {
			// unixd's ap_uname2id and ap_gname2id, which exit on a
			// name the system does not know.
			if name == "user" {
				if _, err := user.Lookup(d.Args[0]); errors.As(err, new(user.UnknownUserError)) {
					b.errorf(d, "AH00543: bad user name %s", d.Args[0])
					return
				}
			} else if _, err := user.LookupGroup(d.Args[0]); errors.As(err, new(user.UnknownGroupError)) {
				b.errorf(d, "AH00544: bad group name %s", d.Args[0])
				return
			}
		}
		// httpd switches to User and Group when started as root;
		// logproxy does not switch, and says so rather than run as
		// root unnoticed.
		if os.Geteuid() == 0 && d.Args[0] != "root" && d.Args[0] != "#0" {
			b.cfg.Warnings = append(b.cfg.Warnings, &Error{File: d.File, Line: d.Line,
				Msg: fmt.Sprintf("%s %s is not acted on: logproxy does not switch users and keeps running as root (start it as the user it should run as)", d.Name, d.Args[0])})
		}
	case "proxyrequests":
		if on, _ := onOff(d.Args[0]); on {
			b.errorf(d, "ProxyRequests On (a forward proxy) is not supported by logproxy")
		}
	case "passenv":
		for _, n := range d.Args {
			v, ok := os.LookupEnv(n)
			if !ok {
				continue
			}
			dir.SetEnv = append(dir.SetEnv, proxy.EnvRule{Vars: []proxy.EnvAssign{{Name: n, Value: v}}})
		}
	case "requestreadtimeout":
		rt := proxy.DefaultReqTimeout()
		if s.ReqTimeout != nil {
			rt = *s.ReqTimeout
		}
		if err := proxy.ParseReqTimeout(&rt, d.Args); err != nil {
			b.errorf(d, "%v", err)
			return
		}
		s.ReqTimeout = &rt
		sb.set["reqtimeout"] = true
	}
	_ = s
}

// logLevel reads "LogLevel [module:]level ...".
func (b *siteBuilder) logLevel(d *Directive) {
	for _, w := range d.Args {
		mod, lvl, hasMod := strings.Cut(w, ":")
		if !hasMod {
			lvl, mod = mod, ""
		}
		l, ok := proxy.ParseLogLevel(lvl)
		if !ok {
			b.errorf(d, "LogLevel requires level keyword: one of emerg/alert/crit/error/warn/notice/info/debug/trace1/.../trace8")
			return
		}
		if mod == "" {
			b.site.ErrorLog.Level, b.site.ErrorLog.LevelSet = l, true
			continue
		}
		if b.site.ErrorLog.Module == nil {
			b.site.ErrorLog.Module = make(map[string]proxy.LogLevel)
		}
		b.site.ErrorLog.Module[strings.TrimSuffix(strings.ToLower(mod), "_module")] = l
	}
}

// listen reads Listen [addr:]port [protocol].
func (b *siteBuilder) listen(d *Directive) {
	a := d.Args[0]
	if strings.HasPrefix(a, ":") {
		// apr_parse_addr_port: a port after a colon needs a host.
		b.errorf(d, "Invalid address or port")
		return
	}
	if !strings.Contains(a, ":") || strings.HasSuffix(a, "]") {
		a = ":" + a
	}
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		b.errorf(d, "Invalid address or port: %s", d.Args[0])
		return
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		b.errorf(d, "Port must be specified")
		return
	}
	if len(d.Args) > 1 && !strings.EqualFold(d.Args[1], "http") && !strings.EqualFold(d.Args[1], "https") {
		// "https" only names the listener's protocol (for AcceptFilter);
		// SSLEngine makes its connections TLS, as in httpd.
		b.errorf(d, "Listen protocol %q is not supported by logproxy", d.Args[1])
		return
	}
	addr := net.JoinHostPort(host, port)
	if slices.Contains(b.site.Listen, addr) && port != "0" {
		b.errorf(d, "Cannot define multiple Listeners on the same IP:port")
		return
	}
	b.site.Listen = append(b.site.Listen, addr)
}

// acceptFilter reads AcceptFilter protocol filter. On Linux httpd has no
// accept filters; any filter but "none" means TCP_DEFER_ACCEPT (30 s) on
// the listeners of that protocol, and "http" has it by default
// (core.c, listen.c's ap_apply_accept_filter). Only http listeners exist
// here; a filter for another protocol is kept by httpd and changes
// nothing.
func (b *siteBuilder) acceptFilter(d *Directive) {
	if !strings.EqualFold(d.Args[0], "http") {
		return
	}
	b.site.NoDeferAccept = d.Args[1] == "none"
}

// vhostAddrs reads the addresses of <VirtualHost addr[:port] ...>.
func (b *siteBuilder) vhostAddrs(d *Directive, sb *serverBuild) {
	sb.srv.File, sb.srv.Line = d.File, d.Line
	for _, w := range d.Args {
		var va proxy.VHostAddr
		host, port := w, ""
		if i := strings.LastIndexByte(w, ':'); i >= 0 && !strings.HasSuffix(w, "]") {
			host, port = w[:i], w[i+1:]
		}
		switch port {
		case "", "*":
			va.AnyPort = true
		default:
			p, err := strconv.Atoi(port)
			if err != nil || p < 0 || p > 65535 {
				b.errorf(d, "The port number \"%s\" is outside the appropriate range (i.e., 1..65535).", port)
				continue
			}
			va.Port = p
		}
		host = strings.Trim(host, "[]")
		switch {
		case host == "*" || strings.EqualFold(host, "_default_"):
			va.Any = true
		default:
			ip, err := netip.ParseAddr(host)
			if err != nil {
				lookup := b.opts.LookupHost
				if lookup == nil {
					lookup = net.LookupHost
				}
				addrs, lerr := lookup(host)
				if lerr != nil || len(addrs) == 0 {
					// AH00547, a warning: the address is left out.
					b.cfg.Warnings = append(b.cfg.Warnings, &Error{File: d.File, Line: d.Line,
						Msg: fmt.Sprintf("Could not resolve host name %s -- ignoring!", host)})
					continue
				}
				ip, _ = netip.ParseAddr(addrs[0])
			}
			va.Addr = ip
		}
		sb.srv.Addrs = append(sb.srv.Addrs, va)
	}
}

// section reads a <Directory>, <Location>, <Files> section (or a Match
// form) into the server's list; <VirtualHost> is handled by Build.
func (b *siteBuilder) section(d *Directive, sb *serverBuild, parent *proxy.DirConfig) {
	name := strings.ToLower(d.Name)
	if name == "virtualhost" {
		return
	}
	sec := &proxy.Section{Dir: &proxy.DirConfig{}}
	switch name {
	case "if", "elseif", "else":
		b.ifSection(d, sb, parent, sec)
		return
	}
	arg := ""
	if len(d.Args) > 0 {
		arg = d.Args[len(d.Args)-1]
	}
	isRegex := strings.HasSuffix(name, "match") || (len(d.Args) == 2 && d.Args[0] == "~")
	switch strings.TrimSuffix(name, "match") {
	case "location":
		sec.Kind = proxy.SectionLocation
	case "directory":
		sec.Kind = proxy.SectionDirectory
		if !isRegex {
			arg = b.path(arg)
		}
	case "files":
		sec.Kind = proxy.SectionFiles
	default:
		if name == "proxy" && parent == nil && len(d.Args) > 0 && hasPrefixFold(d.Args[len(d.Args)-1], "balancer://") {
			b.balancerSection(d, sb)
			return
		}
		if name == "proxy" && onlyRequireAllGranted(d.Children) {
			// <Proxy *> Require all granted </Proxy>, common in pasted
			// configurations, grants what is granted anyway.
			return
		}
		b.errorf(d, "<%s> is not supported by logproxy", d.Name)
		return
	}
	if isRegex {
		re, msg := compileRegex(arg, "Regex could not be compiled")
		if re == nil {
			b.errorf(d, "%s", msg)
			return
		}
		sec.Regex = re
	}
	sec.Path = arg
	sec.Wildcard = !isRegex && sec.Kind == proxy.SectionLocation && fnmatchTest(arg)
	b.build(d.Children, sb, sec.Dir)
	if sec.Dir.ProxyPass != nil && sec.Kind == proxy.SectionLocation {
		sec.Dir.ProxyPass.Path = sec.Path
	}
	sb.srv.Sections = append(sb.srv.Sections, sec)
}

// ifSection reads <If expr>, <ElseIf expr> and <Else> (core's
// ifsection): the section joins the If sections of the scope it is in
// (parent, or the server's), which a request evaluates once its other
// sections are merged (ap_if_walk). check.go has checked the expression
// and the order already.
func (b *siteBuilder) ifSection(d *Directive, sb *serverBuild, parent *proxy.DirConfig, sec *proxy.Section) {
	sec.Kind = proxy.SectionIf
	switch strings.ToLower(d.Name) {
	case "elseif":
		sec.Chain = proxy.ChainElseIf
	case "else":
		sec.Chain = proxy.ChainElse
	}
	if sec.Chain != proxy.ChainElse && len(d.Args) > 0 {
		prog, err := b.expr(d.Args[0], false)
		if err != nil {
			b.errorf(d, "<%s %s>: %v", d.Name, d.Args[0], err)
			return
		}
		sec.Cond = prog.Match
	}
	sec.Path = "*If" // cmd->path inside the section
	b.build(d.Children, sb, sec.Dir)
	if parent == nil {
		parent = sb.srv.Dir
	}
	parent.Ifs = append(parent.Ifs, sec)
}

// atoiPrefix is C's atoi: leading blanks, a sign, then digits, whatever
// follows ignored; 0 when there are no digits. The value is capped far
// beyond any port or count it is used for.
func atoiPrefix(s string) int {
	return int(max(min(aprAtoi64(s), 1<<30), -(1 << 30)))
}

// defaultSettings are directives logproxy does not implement written with
// httpd's default value, which changes nothing: pasted configurations
// often spell them out. Any other value is refused.
var defaultSettings = map[string]string{
	"proxyvia":       "off",
	"proxybadheader": "iserror",
	"directoryslash": "on",
}

// isDefaultSetting reports whether the directive name (lower case) with
// args is one of defaultSettings.
func isDefaultSetting(name string, args []string) bool {
	v, ok := defaultSettings[name]
	return ok && len(args) == 1 && strings.EqualFold(args[0], v)
}

// onlyRequireAllGranted reports whether a section holds nothing but
// "Require all granted" lines.
func onlyRequireAllGranted(children []*Directive) bool {
	for _, c := range children {
		if !strings.EqualFold(c.Name, "Require") || len(c.Args) != 2 ||
			c.Args[0] != "all" || !strings.EqualFold(c.Args[1], "granted") {
			return false
		}
	}
	return true
}

// serverTokens are set_banner's words, and the setting each stands for.
var serverTokens = map[string]string{
	"prod": "prod", "productonly": "prod", "major": "major", "minor": "minor",
	"min": "min", "minimal": "min", "os": "os", "full": "full",
}
