package proxy

import (
	"io"
	"strings"
)

// staticHandler serves r->filename as core's default handler with mod_dir
// and mod_mime. It returns 0 when a response went out, or the status of an
// error to answer through ap_die.
func (ex *exchange) staticHandler() int {
	r := &ex.r
	d := r.dir
	if link := symlinkRefused(r.filename, d.options()); link != "" {
		ex.logError("AH00037: Symbolic link not allowed or link target not accessible: "+link, "module", "core")
		return 403
	}
	req := fileRequest{
		Method:         r.method,
		HTTP09:         ex.head.HTTP09,
		ErrorDocument:  ex.recursive != 0,
		URI:            r.uri,
		Args:           r.args,
		HasArgs:        r.hasArgs,
		Filename:       r.filename,
		PathInfo:       r.pathInfo,
		HeadersIn:      r.headersIn,
		RequestTime:    ex.begin,
		Now:            ex.c.e.now,
		Types:          ex.site.types,
		DirectoryIndex: d.DirectoryIndex,
		ServerName:     ex.serverName(),
		ServerPort:     ex.requestPort(),
		Scheme:         ex.scheme(),
		TraceDisabled:  ex.srv.TraceDisabled,
		ForceType:      ex.forcedType,
		NoDir:          ex.site.NoDirModule,
	}
	if d.DefaultCharset != nil {
		req.DefaultCharset = *d.DefaultCharset
	}
	req.Mime = dirMime(d)
	if ex.body != nil && !ex.head.Close {
		// default_handler reads the request body away first
		// (ap_discard_request_body, with a 100 Continue for a client
		// that waits for one): a broken body is the answer, and the
		// connection can stay open after a good one.
		if ex.head.ExpectContinue && !ex.continueSent {
			ex.sendContinue()
		}
		ex.c.setReadDeadline(deadline(ex.srv.Timeout))
		if _, err := io.Copy(io.Discard, ex.body); err != nil {
			if index := indexOf(&req); index != "" {
				// mod_dir's fixup mapped a directory to its index
				// before the index's handler read the body.
				r.filename = index
				r.uri = strings.TrimSuffix(r.uri, "/") + "/" + lastElem(index)
			}
			return ex.bodyErrorStatus(err)
		}
	}
	resp, err := serveFile(&req)
	if err != nil {
		ex.logError("serving "+r.filename+": "+err.Error(), "module", "core")
	}
	if resp.Status == 501 && resp.Canned && !httpMethods[req.Method] {
		// core's default_handler: a method httpd does not know is an
		// error (and gives the request its log id).
		if t := ex.head.TheRequest; len(t) >= 2 && t[0] == 0x16 && (t[1] == 2 || t[1] == 3) {
			ex.logError("AH00134: Invalid method in request "+t+" - possible attempt to establish SSL connection on non-SSL port", "module", "core")
		} else {
			ex.logError("AH00135: Invalid method in request "+t, "module", "core")
		}
	}
	if resp.IndexFile != "" {
		// DirectoryIndex serves the index through a sub-request whose
		// results become the request's.
		r.filename = resp.IndexFile
		r.uri = strings.TrimSuffix(r.uri, "/") + "/" + lastElem(resp.IndexFile)
		if ex.head.HTTP09 && ex.site.types != nil {
			ex.checkedType = ex.site.types.find(r.filename, req.Mime).ContentType
		}
	}
	ex.fileMtime = resp.Mtime
	if resp.Body != nil {
		defer resp.Body.Close()
	}
	if resp.Canned {
		if resp.CannedNoLength {
			// The byterange filter's 416, made in the output filters
			// once the header filter had already run.
			ex.filterError = true
		}
		if resp.Location != "" {
			r.headersOut = setField(r.headersOut, "Location", resp.Location)
		}
		return resp.Status
	}
	switch {
	case resp.Status != 200:
		r.status = resp.Status
	case ex.rewriteStatus != 0:
		r.status = ex.rewriteStatus
	case ex.recursive == 0:
		r.status = resp.Status
	}
	r.headersOut = append(r.headersOut, resp.Headers...)
	// HTTP/0.9 has no head for HEAD to keep the body from: the header
	// filter, which drops it, is gone for such a request.
	noBody := ex.head.HeaderOnly && !ex.head.HTTP09 || resp.Body == nil
	rh := responseHead{
		status:        r.status,
		contentType:   resp.ContentType,
		noBody:        noBody,
		unknownLength: !noBody && resp.ContentLength < 0,
	}
	if !ex.sendHead(&rh) {
		return 0
	}
	if noBody {
		return 0
	}
	ex.writeFileBody(&resp)
	return 0
}

// writeFileBody sends the body of a file (or of ranges cut from a body)
// after its head; a write that fails means the client left.
func (ex *exchange) writeFileBody(resp *fileResponse) {
	n, err := resp.WriteBody(ex.c.bw)
	ex.r.bytesSent = n
	if err != nil {
		ex.c.aborted = true
		ex.keepalive = false
	}
}

// requestPort is ap_get_server_port: with UseCanonicalName On the
// server's port; else the port the request named, else the server's
// (its ServerName's, else the scheme's default).
func (ex *exchange) requestPort() int {
	if ex.canonicalName() {
		return ex.serverPort()
	}
	if ex.head.HasPort {
		return ex.head.Port
	}
	return ex.serverPort()
}

func lastElem(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// dirMime is mod_mime's per-directory configuration of d (AddType), or
// nil when it has none.
func dirMime(d *DirConfig) *mimeDirConfig {
	if len(d.AddTypes) == 0 {
		return nil
	}
	m := &mimeDirConfig{}
	for ext, t := range d.AddTypes {
		m.AddType(t, ext)
	}
	return m
}
