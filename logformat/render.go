package logformat

import "strconv"

// Append renders the log line of r, newline included, appends it to dst and
// returns the extended slice. It makes no allocations once dst has room for
// the line. Every value from the request or the backend is escaped as httpd
// escapes it (or as JSON, see EscapeJSON), so no client can put a newline,
// quote or control byte into a log line.
func (f *Format) Append(dst []byte, r *Record) []byte {
	for i := range f.items {
		it := &f.items[i]
		if it.op == opLiteral && len(it.conds) == 0 {
			dst = append(dst, it.arg...)
			continue
		}
		dst = f.appendOne(dst, it, r)
	}
	return dst
}

// appendOne renders one item, honouring its status list.
func (f *Format) appendOne(dst []byte, it *item, r *Record) []byte {
	n := len(dst)
	if len(it.conds) > 0 && !it.statusMatches(r.Final.Status) {
		dst = append(dst, '-')
	} else {
		dst = f.appendItem(dst, it, r)
	}
	if it.bare && len(dst) == n+1 && dst[n] == '-' {
		dst = append(dst[:n], "null"...) // a number outside a JSON string
	}
	return dst
}

// statusMatches reports whether an item with a status list logs for a
// request whose final status is status (httpd's process_item).
func (it *item) statusMatches(status int) bool {
	in := false
	for _, c := range it.conds {
		if int(c) == status {
			in = true
			break
		}
	}
	return in != it.negate
}

// appendItem renders one non-literal item.
func (f *Format) appendItem(dst []byte, it *item, r *Record) []byte {
	if it.redact != 0 {
		return f.appendRedacted(dst, it, r)
	}
	q := &r.Final
	if it.orig && r.Orig != nil {
		q = r.Orig
	}
	switch it.op {
	case opLiteral:
		return append(dst, it.arg...)
	case opRemoteHost:
		return f.escapedOrDash(dst, r.RemoteHost)
	case opPeerHost:
		return f.escapedOrDash(dst, r.PeerHost)
	case opRemoteIP:
		return appendOrDash(dst, r.RemoteIP)
	case opPeerIP:
		return appendOrDash(dst, r.PeerIP)
	case opLocalIP:
		return appendOrDash(dst, r.LocalIP)
	case opLogname:
		// IdentityCheck (mod_ident) is not supported: httpd logs "-".
		return append(dst, '-')
	case opUser:
		switch {
		case !q.HasUser:
			return append(dst, '-')
		case q.User == "" && f.esc == EscapeJSON:
			return dst // the format's own quotes hold the empty name
		case q.User == "":
			return append(dst, `""`...)
		}
		return f.escape(dst, q.User)
	case opTime:
		return f.appendTime(dst, it.time, r)
	case opFilename:
		return f.escapedOrDash(dst, q.Filename)
	case opBytesCLF:
		if q.BodyBytes <= 0 {
			return append(dst, '-')
		}
		return strconv.AppendInt(dst, q.BodyBytes, 10)
	case opBytes:
		if q.BodyBytes <= 0 {
			return append(dst, '0')
		}
		return strconv.AppendInt(dst, q.BodyBytes, 10)
	case opHeaderIn:
		return f.lookup(dst, q.HeadersIn, it.arg)
	case opHeaderOut:
		return f.headerOut(dst, q.HeadersOut, it.arg)
	case opNote:
		return f.lookup(dst, q.Notes, it.arg)
	case opEnv:
		return f.lookup(dst, q.Env, it.arg)
	case opTrailerIn:
		return f.lookup(dst, q.TrailersIn, it.arg)
	case opTrailerOut:
		return f.lookup(dst, q.TrailersOut, it.arg)
	case opCookie:
		v, ok := cookieValue(q.HeadersIn, it.arg)
		if !ok {
			return append(dst, '-')
		}
		return f.escape(dst, v)
	case opLogID:
		return appendOrDash(dst, r.LogID)
	case opConnLogID:
		return appendOrDash(dst, r.ConnLogID)
	case opServerName:
		return f.escapedOrDash(dst, r.ServerName)
	case opVirtualHost:
		return f.escapedOrDash(dst, r.VirtualHost)
	case opServerPort:
		return strconv.AppendInt(dst, int64(r.ServerPort), 10)
	case opRemotePort:
		return strconv.AppendInt(dst, int64(r.RemotePort), 10)
	case opLocalPort:
		return strconv.AppendInt(dst, int64(r.LocalPort), 10)
	case opPid:
		return strconv.AppendInt(dst, int64(r.Pid), 10)
	case opTid:
		return strconv.AppendUint(dst, r.Tid, 10)
	case opHexTid:
		return strconv.AppendUint(dst, r.Tid, 16)
	case opProtocol:
		return f.escapedOrDash(dst, q.Protocol)
	case opMethod:
		if q.Method == "" && q.MethodRead {
			return dst
		}
		return f.escapedOrDash(dst, q.Method)
	case opQuery:
		if !q.HasQuery {
			return dst
		}
		return f.escape(append(dst, '?'), q.Query)
	case opConnStatus:
		if r.ConnStatus == 0 {
			return append(dst, '-')
		}
		return append(dst, r.ConnStatus)
	case opKeepAlives:
		return strconv.AppendInt(dst, int64(r.KeepAlives), 10)
	case opRequestLine:
		if q.Line == "" && q.LineRead {
			return dst // r->the_request is "", not NULL
		}
		return f.escapedOrDash(dst, q.Line)
	case opDurationUS:
		return strconv.AppendInt(dst, r.End.Sub(r.Begin).Microseconds(), 10)
	case opDurationMS:
		return strconv.AppendInt(dst, r.End.Sub(r.Begin).Microseconds()/1e3, 10)
	case opDurationS:
		return strconv.AppendInt(dst, r.End.Sub(r.Begin).Microseconds()/1e6, 10)
	case opURI:
		return f.escapedOrDash(dst, q.URI)
	case opStatus:
		if q.Status <= 0 {
			return append(dst, '-')
		}
		return strconv.AppendInt(dst, int64(q.Status), 10)
	case opHandler:
		return f.escapedOrDash(dst, q.Handler)
	case opBytesIn:
		return strconv.AppendInt(dst, r.BytesIn, 10)
	case opBytesOut:
		return strconv.AppendInt(dst, r.BytesOut, 10)
	case opBytesBoth:
		return strconv.AppendInt(dst, r.BytesIn+r.BytesOut, 10)
	case opSSL:
		return f.appendSSL(dst, it, r.TLS)
	case opTTFB:
		us := r.TTFB.Microseconds()
		if us == 0 {
			return append(dst, '-')
		}
		return strconv.AppendInt(dst, us, 10)
	}
	return dst
}

func appendOrDash(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, '-')
	}
	return append(dst, s...)
}

// escape appends s escaped as the format escapes.
func (f *Format) escape(dst []byte, s string) []byte {
	if f.esc == EscapeJSON {
		return appendJSONEscaped(dst, s)
	}
	return appendEscaped(dst, s)
}

func (f *Format) escapedOrDash(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, '-')
	}
	return f.escape(dst, s)
}

// lookup logs the first value of name in fs, escaped, or "-".
func (f *Format) lookup(dst []byte, fs Fields, name string) []byte {
	v, ok := fs.Get(name)
	if !ok {
		return append(dst, '-')
	}
	return f.escape(dst, v)
}

// headerOut logs a response header as httpd's log_header_out does:
// Content-Type without its parameters, every Set-Cookie joined with ", ",
// and the first value of any other header.
func (f *Format) headerOut(dst []byte, fs Fields, name string) []byte {
	switch {
	case equalFold(name, "Content-Type"):
		v, ok := fs.Get(name)
		if !ok {
			return append(dst, '-')
		}
		return f.escape(dst, fieldNoParam(v))
	case equalFold(name, "Set-Cookie"):
		n := 0
		for i := range fs {
			if !equalFold(fs[i].Name, name) {
				continue
			}
			if n > 0 {
				dst = append(dst, ',', ' ')
			}
			dst = f.escape(dst, fs[i].Value)
			n++
		}
		if n == 0 {
			return append(dst, '-')
		}
		return dst
	}
	return f.lookup(dst, fs, name)
}

// fieldNoParam cuts a media type at its first ';' and drops the white space
// before it, as ap_field_noparam.
func fieldNoParam(v string) string {
	for i := 0; i < len(v); i++ {
		if v[i] == ';' {
			j := i
			for j > 0 && isSpace(v[j-1]) {
				j--
			}
			return v[:j]
		}
	}
	return v
}

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}
