package proxy

import (
	"os"
	"path/filepath"
	"strings"
)

// match reports whether the rule applies to uri (r->uri, decoded) and
// returns the backend URL for it, as mod_proxy's proxy_trans does: a
// ProxyPass path must match a prefix of the URI (the path "/p/" does not
// match "/p"), a ProxyPassMatch regex anywhere, with $N references to its
// groups in the target.
func (rt *Route) match(uri string) (string, bool) {
	if rt.Regex != nil {
		m := rt.Regex.FindStringSubmatchIndex(uri)
		if m == nil {
			return "", false
		}
		if rt.Exclude {
			return "", true
		}
		found := regsub(rt.Target, uri, m) // ap_pregsub
		if found == rt.Target {
			// No substitution: the URI goes after the target, as if
			// the pattern ended in $1 (ap_proxy_trans_match).
			found += uri
		}
		return found, true
	}
	if !aliasMatch(uri, rt.Path) {
		return "", false
	}
	if rt.Exclude {
		return "", true
	}
	return rt.Target + uri[aliasMatchLen(uri, rt.Path):], true
}

// matchRaw is ap_proxy_trans_match for a nocanon rule that matched the
// decoded uri: the backend URL made of the request target as sent
// (unparsed), when the rule matches it the same way, else false (httpd
// then ignores nocanon, AH01136).
func (rt *Route) matchRaw(uri, unparsed string) (string, bool) {
	if rt.Regex != nil {
		m := rt.Regex.FindStringSubmatchIndex(unparsed)
		if m == nil {
			return "", false
		}
		found := regsub(rt.Target, unparsed, m)
		if found == rt.Target {
			found += unparsed
		}
		return found, true
	}
	n := aliasMatchLen(unparsed, rt.Path)
	if n < 0 || n != aliasMatchLen(uri, rt.Path) {
		return "", false
	}
	return rt.Target + unparsed[n:], true
}

// matchParts is match, with the backend URL returned in two parts to be
// joined (target + rest), which spares building it for ProxyPass.
func (rt *Route) matchParts(uri string) (target, rest string, ok bool) {
	if rt.Regex != nil {
		target, ok = rt.match(uri)
		return target, "", ok
	}
	n := aliasMatchLen(uri, rt.Path)
	if n < 0 {
		return "", "", false
	}
	if rt.Exclude {
		return "", "", true
	}
	return rt.Target, uri[n:], true
}

// aliasMatch is mod_proxy's aliasMatch: the path matches the start of
// the URI, where runs of '/' in either count as one.
func aliasMatch(uri, alias string) bool { return aliasMatchLen(uri, alias) >= 0 }

// aliasMatchLen returns how much of uri the alias matches, or -1.
func aliasMatchLen(uri, alias string) int {
	u, a := 0, 0
	for a < len(alias) {
		if alias[a] == '/' {
			if u >= len(uri) || uri[u] != '/' {
				return -1
			}
			for a < len(alias) && alias[a] == '/' {
				a++
			}
			for u < len(uri) && uri[u] == '/' {
				u++
			}
			continue
		}
		if u >= len(uri) || uri[u] != alias[a] {
			return -1
		}
		u++
		a++
	}
	// The alias must end at a segment boundary unless it ends in '/'.
	if len(alias) > 0 && alias[len(alias)-1] != '/' && u < len(uri) && uri[u] != '/' {
		return -1
	}
	return u
}

// matchesURI reports whether a <Location> section applies to uri as
// httpd's location walk decides: the regex of <LocationMatch> or
// <Location ~>, a shell pattern, or a path prefix that ends at a '/' or
// at the end of the URI.
func (s *Section) matchesURI(uri string) bool {
	if s.Regex != nil {
		return s.Regex.MatchString(uri)
	}
	if s.Wildcard {
		return Fnmatch(s.Path, uri, FnmPathname)
	}
	// ap_location_walk: a prefix; one that does not end with '/' only
	// up to a '/' or the end of the path, so that <Location /admin>
	// takes /admin and /admin/x but not /administrator.
	p := s.Path
	return strings.HasPrefix(uri, p) &&
		(p == "" || p[len(p)-1] == '/' || len(uri) == len(p) || uri[len(p)] == '/')
}

// matchesFile reports whether a <Directory> or <Files> section applies to
// the file name.
func (s *Section) matchesFile(name string) bool {
	if name == "" {
		return false
	}
	if s.Kind == SectionFiles {
		base := filepath.Base(name)
		if s.Regex != nil {
			return s.Regex.MatchString(base)
		}
		// ap_file_walk: apr_fnmatch for a name with a wildcard, else
		// the name itself.
		if FnmatchTest(s.Path) {
			return Fnmatch(s.Path, base, FnmPathname)
		}
		return s.Path == base
	}
	if s.Regex != nil {
		return s.Regex.MatchString(name)
	}
	dir := strings.TrimSuffix(s.Path, "/")
	if dir == "" {
		return true
	}
	if FnmatchTest(dir) {
		for d := name; d != "/" && d != "."; d = filepath.Dir(d) {
			if Fnmatch(dir, d, FnmPathname) {
				return true
			}
		}
		return false
	}
	return name == dir || strings.HasPrefix(name, dir+"/")
}

// mapToFile maps a URI to a file name as mod_alias and the core translate
// hook do: the first Alias or AliasMatch that matches, else DocumentRoot.
func mapToFile(docRoot, uri string, aliases []Alias) string {
	for _, a := range aliases {
		if a.Regex != nil {
			if m := a.Regex.FindStringSubmatchIndex(uri); m != nil {
				return regsub(a.To, uri, m)
			}
			continue
		}
		if n := aliasMatchLen(uri, a.From); n >= 0 {
			return a.To + uri[n:]
		}
	}
	if uri == "" || uri[0] != '/' {
		return ""
	}
	return strings.TrimSuffix(docRoot, "/") + uri
}

// walkPath splits a mapped file name as httpd's directory walk does: the
// path up to the first component that does not exist, or that is a file,
// is r->filename; the rest is r->path_info.
func walkPath(name string) (filename, pathInfo string) {
	if name == "" || name[0] != '/' {
		return name, ""
	}
	i := 1
	for i < len(name) {
		j := strings.IndexByte(name[i:], '/')
		end := len(name)
		if j >= 0 {
			end = i + j
		}
		prefix := name[:end]
		st, err := os.Stat(prefix)
		if err != nil || !st.IsDir() {
			return prefix, name[end:]
		}
		i = end + 1
	}
	return name, ""
}

// Clone returns a copy of d that Merge may change.
func (d *DirConfig) Clone() *DirConfig {
	n := *d
	return &n
}

// Merge lays the section configuration add over d, as httpd's per-module
// merge functions do: what add sets wins; lists of rules (SetEnv,
// RequestHeader, Header) are appended; ErrorDocuments merge per status.
func (d *DirConfig) Merge(add *DirConfig) {
	d.SSLRequired = d.SSLRequired || add.SSLRequired
	if len(add.ErrorDocuments) > 0 {
		m := make(map[int]string, len(d.ErrorDocuments)+len(add.ErrorDocuments))
		for k, v := range d.ErrorDocuments {
			m[k] = v
		}
		for k, v := range add.ErrorDocuments {
			m[k] = v
		}
		d.ErrorDocuments = m
	}
	if add.HostnameLookups != nil {
		d.HostnameLookups = add.HostnameLookups
	}
	if add.UseCanonicalName != nil {
		d.UseCanonicalName = add.UseCanonicalName
	}
	if add.AuthType != "" {
		d.AuthType = add.AuthType
	}
	if add.AuthName != "" {
		d.AuthName = add.AuthName
	}
	if add.AuthUserFile != "" {
		d.AuthUserFile = add.AuthUserFile
		d.htpasswd = add.htpasswd
	}
	if add.Require != nil {
		d.Require = add.Require
	}
	if len(add.Ifs) > 0 {
		d.Ifs = append(append([]*Section(nil), d.Ifs...), add.Ifs...)
	}
	if len(add.SetEnv) > 0 {
		d.SetEnv = append(append([]EnvRule(nil), d.SetEnv...), add.SetEnv...)
	}
	if len(add.ReqHeaders) > 0 {
		d.ReqHeaders = append(append([]HeaderRule(nil), d.ReqHeaders...), add.ReqHeaders...)
	}
	if len(add.RespHeaders) > 0 {
		d.RespHeaders = append(append([]HeaderRule(nil), d.RespHeaders...), add.RespHeaders...)
	}
	if add.Strip != nil {
		d.Strip = add.Strip
	}
	if len(add.AddTypes) > 0 {
		m := make(map[string]string, len(d.AddTypes)+len(add.AddTypes))
		for k, v := range d.AddTypes {
			m[k] = v
		}
		for k, v := range add.AddTypes {
			m[k] = v
		}
		d.AddTypes = m
	}
	// mod_alias puts the more specific configuration's Alias and Redirect
	// lines first: the first that matches wins.
	if len(add.Redirects) > 0 {
		d.Redirects = append(append([]Redirect(nil), add.Redirects...), d.Redirects...)
	}
	if len(add.Aliases) > 0 {
		d.Aliases = append(append([]Alias(nil), add.Aliases...), d.Aliases...)
	}
	if add.DirectoryIndex != nil {
		d.DirectoryIndex = add.DirectoryIndex
	}
	if add.ProxyPass != nil {
		d.ProxyPass = add.ProxyPass
	}
	if add.ProxyPreserveHost != nil {
		d.ProxyPreserveHost = add.ProxyPreserveHost
	}
	if add.ProxyAddHeaders != nil {
		d.ProxyAddHeaders = add.ProxyAddHeaders
	}
	if add.ProxyErrorOverride != nil {
		d.ProxyErrorOverride = add.ProxyErrorOverride
	}
	if len(add.ProxyErrorOverrideCodes) > 0 {
		d.ProxyErrorOverrideCodes = append(append([]int(nil), d.ProxyErrorOverrideCodes...), add.ProxyErrorOverrideCodes...)
	}
	if add.Options != nil {
		base := DirOptions{Set: true, Opts: defaultOpts}
		if d.Options != nil {
			base = mergeOptions(base, *d.Options)
		}
		m := mergeOptions(base, *add.Options)
		d.Options = &m
	}
	if add.TrackTTFB != nil {
		d.TrackTTFB = add.TrackTTFB
	}
	if add.LimitRequestBody != nil {
		d.LimitRequestBody = add.LimitRequestBody
	}
	if add.Signature != nil {
		d.Signature = add.Signature
	}
	if add.DefaultCharset != nil {
		d.DefaultCharset = add.DefaultCharset
	}
	if add.ForceType != "" {
		d.ForceType = add.ForceType
	}
	switch {
	case d.Expires != nil:
		d.Expires = mergeExpires(d.Expires, add.Expires)
	case add.Expires != nil:
		d.Expires = mergeExpires(&ExpiresConfig{}, add.Expires)
	}
}
