package proxy

import (
	"context"
	"net"
	"strings"
	"time"

	"github.com/jl6/logproxy/logformat"
)

// log writes the request's access-log lines: the server's own CustomLog
// lines, or the main server's when a virtual host has none, plus the main
// server's GlobalLog lines (mod_log_config's multi_log_transaction).
func (ex *exchange) log() {
	if ex.noLog {
		return
	}
	logs, global := ex.accessLogs()
	if len(logs) == 0 && len(global) == 0 {
		return
	}
	uses := logsUse(logs) | logsUse(global)
	rec := &ex.rec
	ex.fillRecord(rec, uses)
	if uses&logformat.UsesTid != 0 {
		rec.Tid = uint64(gettid())
	}
	if err := writeAccessLogs(&ex.scratch.line, logs, rec, ex.r.env); err != nil {
		ex.c.e.log().Error(err.Error())
	}
	if len(global) > 0 {
		if err := writeAccessLogs(&ex.scratch.line, global, rec, ex.r.env); err != nil {
			ex.c.e.log().Error(err.Error())
		}
	}
}

// accessLogs returns the logs the exchange writes to: the server's own
// CustomLog lines, or the main server's when a virtual host has none,
// and the main server's GlobalLog lines unless they are the first.
func (ex *exchange) accessLogs() (logs, global []*AccessLog) {
	logs = ex.srv.AccessLogs
	if len(logs) == 0 && ex.srv != ex.site.Main {
		logs = ex.site.Main.AccessLogs
	}
	if ex.srv != ex.site.Main || len(ex.srv.AccessLogs) == 0 {
		global = ex.site.Main.GlobalLogs
	}
	return logs, global
}

// logUses is what the exchange's access logs read of the costlier
// record fields: what it need not measure is left out.
func (ex *exchange) logUses() logformat.Uses {
	if ex.noLog {
		return 0
	}
	logs, global := ex.accessLogs()
	return logsUse(logs) | logsUse(global)
}

func logsUse(logs []*AccessLog) logformat.Uses {
	var u logformat.Uses
	for _, l := range logs {
		u |= l.Format.Uses()
	}
	return u
}

// fillRecord copies what the log items need into rec; End only when the
// formats read it (uses), the thread id in log (it costs a system call).
func (ex *exchange) fillRecord(rec *logformat.Record, uses logformat.Uses) {
	c := ex.c
	h := ex.head
	var end time.Time
	if uses&logformat.UsesEnd != 0 {
		end = c.e.now()
	}
	*rec = logformat.Record{
		Begin:       ex.begin,
		End:         end,
		RemoteIP:    ex.useragentIP,
		PeerIP:      c.remoteIP,
		LocalIP:     c.localIP,
		RemoteHost:  ex.useragentHost,
		PeerHost:    c.remoteIP,
		RemotePort:  ex.useragentPort,
		PeerPort:    int(c.remoteAddr.Port()),
		LocalPort:   int(c.localAddr.Port()),
		ServerPort:  ex.serverPort(),
		RequestPort: ex.requestPort(),
		Scheme:      ex.scheme(),
		TLS:         c.tls,
		ServerAdmin: ex.serverAdmin(),
		VirtualHost: ex.srv.Hostname,
		ServerName:  ex.serverName(),
		KeepAlives:  max(c.keepalives-1, 0),
		BytesIn:     ex.inAfter - ex.inBefore + ex.pipelineIn,
		BytesOut:    c.cw.n - ex.outBefore,
		TTFB:        ex.loggedTTFB(),
		Pid:         c.e.pid,
		LogID:       ex.logID,
		ConnLogID:   c.logID,
	}
	if ex.orig != nil {
		rec.LogID = ex.origLogID // %L reads the original request
	}
	switch {
	case c.aborted:
		rec.ConnStatus = 'X'
	case c.keepalive && (ex.srv.MaxKeepAliveRequests == 0 || ex.srv.MaxKeepAliveRequests-c.keepalives > 0):
		rec.ConnStatus = '+'
	default:
		rec.ConnStatus = '-'
	}
	if d := ex.srv.Dir; d != nil {
		rec.DocumentRoot = d.DocumentRoot
	}
	if d := ex.r.dir; d != nil && d.HostnameLookups != nil && *d.HostnameLookups {
		rec.RemoteHost = ex.c.lookupHost(ex.useragentIP)
		if ex.useragentIP == c.remoteIP {
			rec.PeerHost = rec.RemoteHost
		}
	}
	ex.fillRequest(&rec.Final, &ex.r)
	rec.Final.Line = h.LogLine()
	if rec.Final.Line == "-" && !h.HasTheRequest {
		rec.Final.Line = ""
	}
	rec.Final.LineRead = h.HasTheRequest
	if ex.orig != nil {
		o := new(logformat.Request)
		ex.fillRequest(o, ex.orig)
		o.Line, o.LineRead = rec.Final.Line, rec.Final.LineRead
		rec.Orig = o
	}
}

func (ex *exchange) fillRequest(q *logformat.Request, r *request) {
	h := ex.head
	*q = logformat.Request{
		Method:      r.method,
		URI:         r.uri,
		Query:       r.args,
		HasQuery:    r.hasArgs,
		Protocol:    h.Protocol,
		Status:      r.status,
		Filename:    r.filename,
		Handler:     r.handler,
		User:        r.user,
		HasUser:     r.hasUser,
		AuthType:    r.authType,
		PathInfo:    r.pathInfo,
		BodyBytes:   r.bytesSent,
		HeadersIn:   r.headersIn,
		HeadersOut:  r.headersOut,
		TrailersIn:  r.trailersIn,
		TrailersOut: r.trailersOut,
		Notes:       r.notes,
		Env:         r.env,
	}
	q.MethodRead = h.HasMethod
	if !h.HasMethod {
		q.Method = ""
	}
	if !h.HasURI {
		q.URI = ""
	}
}

// lookupHost returns the DNS name of ip for %h under HostnameLookups On,
// as httpd's ap_get_remote_host (a reverse lookup, lower-cased; the
// address itself when there is no name). The answer is kept for the
// connection.
func (c *conn) lookupHost(ip string) string {
	if c.hostName != "" && c.hostFor == ip {
		return c.hostName
	}
	name := ip
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if names, err := net.DefaultResolver.LookupAddr(ctx, ip); err == nil && len(names) > 0 {
		name = strings.ToLower(strings.TrimSuffix(names[0], "."))
	}
	c.hostName, c.hostFor = name, ip
	return name
}

// serverPort is the canonical port (%p): the ServerName's port, else the
// default port of the scheme.
func (ex *exchange) serverPort() int {
	if ex.srv.Port != 0 {
		return ex.srv.Port
	}
	return ex.defaultPort()
}

// scheme is ap_http_scheme: "https" on a TLS connection (mod_ssl's hook)
// or for a server whose ServerName says so, else "http".
func (ex *exchange) scheme() string {
	if ex.srv.Scheme == "https" || ex.c.tls != nil {
		return "https"
	}
	return "http"
}

// defaultPort is ap_default_port: 443 for an https server, else 80.
func (ex *exchange) defaultPort() int {
	if ex.scheme() == "https" {
		return 443
	}
	return 80
}

// canonicalName reports UseCanonicalName On for the request: in its
// directory configuration, or the server's before it has one.
func (ex *exchange) canonicalName() bool {
	d := ex.r.dir
	if d == nil {
		d = ex.srv.Dir
	}
	return d != nil && d.UseCanonicalName != nil && *d.UseCanonicalName == CanonicalOn
}

// serverName is ap_get_server_name (%V): with UseCanonicalName On the
// ServerName, else the request's host name when it has one.
func (ex *exchange) serverName() string {
	if ex.canonicalName() {
		return ex.srv.Hostname
	}
	if ex.hasHostname {
		return ex.hostname
	}
	return ex.srv.Hostname
}

// loggedTTFB is %^FB's time: none (logged "-") unless LogIOTrackTTFB is
// On for the request, the server's setting for one that was refused
// before it had a configuration of its own.
func (ex *exchange) loggedTTFB() time.Duration {
	d := ex.r.dir
	if d == nil {
		d = ex.srv.Dir
	}
	if d == nil || d.TrackTTFB == nil || !*d.TrackTTFB {
		return 0
	}
	return ex.ttfb
}
