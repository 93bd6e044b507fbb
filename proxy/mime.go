package proxy

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// This file is mod_mime's part in serving a file: the TypesConfig table
// (mime_post_config), the per-directory AddType, AddEncoding, AddCharset,
// AddLanguage, RemoveType and DefaultLanguage settings, and find_ct, which
// derives a file's Content-Type, Content-Encoding and Content-Language
// from the extensions of its name. Debian's apache2 reads /etc/mime.types,
// which Debian's media-types package installs.

// defaultTypesConfig is AP_TYPES_CONFIG_FILE as Debian builds apache2:
// "mime.types" relative to the ServerRoot. (Debian's own apache2.conf
// sets TypesConfig /etc/mime.types.)
const defaultTypesConfig = "mime.types"

// typesConfigPath is the file mod_mime reads: the TypesConfig setting
// ("" when the configuration has none: defaultTypesConfig), relative to
// the ServerRoot unless it is absolute (ap_server_root_relative).
func typesConfigPath(serverRoot, setting string) string {
	if setting == "" {
		setting = defaultTypesConfig
	}
	if filepath.IsAbs(setting) || serverRoot == "" {
		return setting
	}
	return filepath.Join(serverRoot, setting)
}

// mimeMaxLine is MAX_STRING_LEN: httpd stops reading the types file at the
// first line this long or longer.
const mimeMaxLine = 8192

// mimeTypes is the TypesConfig table: lower-case extension (without the
// dot) to media type, as written in the file. The last line naming an
// extension wins.
type mimeTypes struct {
	byExt map[string]string
}

// loadMimeTypes reads a TypesConfig file.
func loadMimeTypes(path string) (*mimeTypes, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("could not open mime types config file %s: %w", path, err)
	}
	defer f.Close()
	return parseMimeTypes(f)
}

// parseMimeTypes reads the /etc/mime.types format as mime_post_config
// does: logical lines as ap_cfg_getline gives them (trimmed, a backslash
// before the line break joining the next line), lines starting with #
// skipped, the first word the type and every further word an extension,
// words split as ap_getword_conf splits them.
func parseMimeTypes(r io.Reader) (*mimeTypes, error) {
	t := &mimeTypes{byExt: make(map[string]string, 2048)}
	br := bufio.NewReader(r)
	var logical []byte
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// Longer than any line httpd reads: it stops here.
			return t, nil
		}
		if err != nil && err != io.EOF {
			return nil, err
		}
		if len(line) == 0 && err == io.EOF {
			if len(logical) > 0 {
				t.addLine(string(logical))
			}
			return t, nil
		}
		body := line
		if n := len(body); n > 0 && body[n-1] == '\n' {
			body = body[:n-1]
			if n := len(body); n > 0 && body[n-1] == '\r' {
				body = body[:n-1]
			}
			if n := len(body); n > 0 && body[n-1] == '\\' {
				logical = append(logical, body[:n-1]...)
				if len(logical) >= mimeMaxLine-1 {
					return t, nil
				}
				if err == io.EOF {
					t.addLine(string(logical))
					return t, nil
				}
				continue
			}
		}
		logical = append(logical, body...)
		if len(logical) >= mimeMaxLine-1 {
			return t, nil
		}
		t.addLine(string(logical))
		logical = logical[:0]
		if err == io.EOF {
			return t, nil
		}
	}
}

func (t *mimeTypes) addLine(l string) {
	l = strings.Trim(l, " \t\r\n\v\f")
	if l == "" || l[0] == '#' {
		return
	}
	ct, rest := mimeGetwordConf(l)
	for rest != "" {
		var ext string
		ext, rest = mimeGetwordConf(rest)
		t.byExt[strings.ToLower(ext)] = ct
	}
}

// lookup returns the type the table gives ext (lower case, no dot).
func (t *mimeTypes) lookup(ext string) (string, bool) {
	if t == nil {
		return "", false
	}
	ct, ok := t.byExt[ext]
	return ct, ok
}

// mimeGetwordConf is ap_getword_conf: the first word of s (quoted with "
// or ', or up to white space) and the rest with its leading white space
// removed.
func mimeGetwordConf(s string) (word, rest string) {
	s = strings.TrimLeft(s, " \t\r\n\v\f")
	if s == "" {
		return "", ""
	}
	var end int
	if q := s[0]; q == '"' || q == '\'' {
		j := 1
		for j < len(s) && s[j] != q {
			if s[j] == '\\' && j+1 < len(s) && (s[j+1] == q || s[j+1] == '\\') {
				j += 2
			} else {
				j++
			}
		}
		word = mimeUnescapeWord(s[1:j], q)
		if j < len(s) {
			j++
		}
		end = j
	} else {
		j := 0
		for j < len(s) && !cSpace(s[j]) {
			j++
		}
		word = mimeUnescapeWord(s[:j], 0)
		end = j
	}
	return word, strings.TrimLeft(s[end:], " \t\r\n\v\f")
}

func mimeUnescapeWord(s string, quote byte) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '\\' || (quote != 0 && s[i+1] == quote)) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// mimeExtInfo is mod_mime's extension_info for one extension: what the
// Add* directives of a directory say about it. A field that is set but
// empty matters only for Type: RemoveType sets it to "" so that the
// TypesConfig entry no longer applies either.
type mimeExtInfo struct {
	Type, Encoding, Language, Charset             string
	HasType, HasEncoding, HasLanguage, HasCharset bool
}

// mimeDirConfig is mod_mime's per-directory configuration.
type mimeDirConfig struct {
	// Ext is extension_mappings: lower-case extension without the dot.
	Ext map[string]*mimeExtInfo
	// DefaultLanguage is the DefaultLanguage directive, "" when unset.
	DefaultLanguage string
	// removes are Remove{Encoding,Language,Charset} not yet applied (they
	// apply when this configuration is merged over its parent).
	removes []mimeRemove
}

type mimeRemove struct {
	ext  string
	kind mimeField
}

// mimeField names one field of mimeExtInfo.
type mimeField uint8

const (
	mimeFieldType mimeField = iota
	mimeFieldEncoding
	mimeFieldLanguage
	mimeFieldCharset
)

// add is add_extension_info: the value (lower-cased, as httpd stores it)
// for each extension (lower-cased, one leading dot dropped).
func (m *mimeDirConfig) add(kind mimeField, value string, exts ...string) {
	value = strings.ToLower(value)
	if m.Ext == nil {
		m.Ext = make(map[string]*mimeExtInfo)
	}
	for _, e := range exts {
		e = strings.ToLower(strings.TrimPrefix(e, "."))
		info := m.Ext[e]
		if info == nil {
			info = &mimeExtInfo{}
			m.Ext[e] = info
		}
		info.set(kind, value)
	}
}

func (x *mimeExtInfo) set(kind mimeField, v string) {
	switch kind {
	case mimeFieldType:
		x.Type, x.HasType = v, true
	case mimeFieldEncoding:
		x.Encoding, x.HasEncoding = v, true
	case mimeFieldLanguage:
		x.Language, x.HasLanguage = v, true
	case mimeFieldCharset:
		x.Charset, x.HasCharset = v, true
	}
}

func (x *mimeExtInfo) clear(kind mimeField) {
	switch kind {
	case mimeFieldType:
		x.Type, x.HasType = "", false
	case mimeFieldEncoding:
		x.Encoding, x.HasEncoding = "", false
	case mimeFieldLanguage:
		x.Language, x.HasLanguage = "", false
	case mimeFieldCharset:
		x.Charset, x.HasCharset = "", false
	}
}

// AddType, AddEncoding, AddLanguage and AddCharset are the directives.
func (m *mimeDirConfig) AddType(typ string, exts ...string) { m.add(mimeFieldType, typ, exts...) }
func (m *mimeDirConfig) AddEncoding(enc string, exts ...string) {
	m.add(mimeFieldEncoding, enc, exts...)
}
func (m *mimeDirConfig) AddLanguage(lang string, exts ...string) {
	m.add(mimeFieldLanguage, lang, exts...)
}
func (m *mimeDirConfig) AddCharset(cs string, exts ...string) {
	m.add(mimeFieldCharset, cs, exts...)
}

// RemoveType is the directive: an empty type, which hides the TypesConfig
// entry as well.
func (m *mimeDirConfig) RemoveType(exts ...string) { m.add(mimeFieldType, "", exts...) }

// Remove is RemoveEncoding, RemoveLanguage or RemoveCharset: it takes
// effect when this configuration is merged over the enclosing one.
func (m *mimeDirConfig) Remove(kind mimeField, exts ...string) {
	for _, e := range exts {
		e = strings.ToLower(strings.TrimPrefix(e, "."))
		m.removes = append(m.removes, mimeRemove{ext: e, kind: kind})
	}
}

// mergeMimeDirConfig is merge_mime_dir_configs: add's settings over
// base's, extension by extension and field by field.
func mergeMimeDirConfig(base, add *mimeDirConfig) *mimeDirConfig {
	if base == nil {
		base = &mimeDirConfig{}
	}
	if add == nil {
		add = &mimeDirConfig{}
	}
	n := &mimeDirConfig{DefaultLanguage: base.DefaultLanguage}
	if add.DefaultLanguage != "" {
		n.DefaultLanguage = add.DefaultLanguage
	}
	if len(base.Ext) > 0 || len(add.Ext) > 0 {
		n.Ext = make(map[string]*mimeExtInfo, len(base.Ext)+len(add.Ext))
		for k, v := range base.Ext {
			c := *v
			n.Ext[k] = &c
		}
		for k, v := range add.Ext {
			old := n.Ext[k]
			if old == nil {
				c := *v
				n.Ext[k] = &c
				continue
			}
			if v.HasType {
				old.Type, old.HasType = v.Type, true
			}
			if v.HasEncoding {
				old.Encoding, old.HasEncoding = v.Encoding, true
			}
			if v.HasLanguage {
				old.Language, old.HasLanguage = v.Language, true
			}
			if v.HasCharset {
				old.Charset, old.HasCharset = v.Charset, true
			}
		}
		for _, r := range add.removes {
			if x := n.Ext[r.ext]; x != nil {
				x.clear(r.kind)
			}
		}
	}
	return n
}

// mimeResult is what find_ct decides for a file.
type mimeResult struct {
	// ContentType is r->content_type ("" for none: DefaultType none).
	ContentType string
	// Encoding is r->content_encoding: the AddEncoding values of the
	// extensions in order, joined with ", ".
	Encoding string
	// Languages is r->content_languages, in extension order.
	Languages []string
}

// find is find_ct for a regular file: the name's extensions, each looked
// up in conf's mappings and in the types table. The base name (up to the
// first dot after any leading dots) is never an extension; each further
// dot-separated part is, in any order: a later type replaces an earlier
// one ("a.html.gz" is whatever .gz is, "a.gz.html" is text/html), encodings
// and languages accumulate, the last charset wins. Extensions are matched
// without regard to case; unknown ones are skipped.
func (t *mimeTypes) find(filename string, conf *mimeDirConfig) mimeResult {
	var res mimeResult
	fn := filename
	if i := strings.LastIndexByte(fn, '/'); i >= 0 {
		fn = fn[i+1:]
	}
	j := 0
	for j < len(fn) && fn[j] == '.' {
		j++
	}
	if k := strings.IndexByte(fn[j:], '.'); k >= 0 {
		fn = fn[j+k+1:]
	} else {
		fn = ""
	}
	var charset string
	hasCharset := false
	for fn != "" {
		var ext string
		if k := strings.IndexByte(fn, '.'); k >= 0 {
			ext, fn = fn[:k], fn[k+1:]
		} else {
			ext, fn = fn, ""
		}
		if ext == "" {
			continue
		}
		ext = strings.ToLower(ext)
		var info *mimeExtInfo
		if conf != nil && conf.Ext != nil {
			info = conf.Ext[ext]
		}
		if info == nil || !info.HasType {
			if ct, ok := t.lookup(ext); ok {
				res.ContentType = ct
			}
		}
		if info != nil {
			if info.HasType && info.Type != "" {
				res.ContentType = info.Type
			}
			if info.HasCharset {
				charset, hasCharset = info.Charset, true
			}
			if info.HasLanguage {
				res.Languages = append(res.Languages, info.Language)
			}
			if info.HasEncoding {
				if res.Encoding == "" {
					res.Encoding = info.Encoding
				} else {
					res.Encoding += ", " + info.Encoding
				}
			}
		}
	}
	if res.ContentType != "" {
		res.ContentType = normalizeContentType(res.ContentType, charset, hasCharset)
	}
	if len(res.Languages) == 0 && conf != nil && conf.DefaultLanguage != "" {
		res.Languages = []string{conf.DefaultLanguage}
	}
	return res
}

// normalizeContentType is the end of find_ct: the type parsed by
// analyze_ct and rebuilt as "type/subtype; attr=value..." with the
// AddCharset charset replacing the first charset parameter or appended.
// A type analyze_ct cannot parse is kept as it is, without the charset.
func normalizeContentType(ct, charset string, hasCharset bool) string {
	a, ok := analyzeCT(ct)
	if !ok {
		return ct
	}
	var b strings.Builder
	b.WriteString(a.typ)
	b.WriteByte('/')
	b.WriteString(a.subtype)
	override := false
	for _, p := range a.params {
		if hasCharset && p[0] == "charset" {
			if !override {
				b.WriteString("; charset=")
				b.WriteString(charset)
				override = true
			}
			continue
		}
		b.WriteString("; ")
		b.WriteString(p[0])
		b.WriteByte('=')
		b.WriteString(p[1])
	}
	if hasCharset && !override {
		b.WriteString("; charset=")
		b.WriteString(charset)
	}
	return b.String()
}

type analyzedCT struct {
	typ, subtype string
	params       [][2]string
}

// mimeTSpecial is mod_mime's tspecial set.
const mimeTSpecial = "()<>@,;:\\\"/[]?="

func mimeIsToken(c byte) bool {
	return c > 0x20 && c < 0x7f && strings.IndexByte(mimeTSpecial, c) < 0
}

func mimeIsQText(c byte) bool { return c < 0x80 && c != '"' && c != '\\' && c != '\n' }

// at0 returns s[i], or 0 past the end (C's terminating NUL).
func at0(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

func mimeZapSp(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n') {
		i++
	}
	return i
}

func mimeZapSpDup(s string, start, end int) string {
	for start < end && cSpace(s[start]) {
		start++
	}
	for end > start && cSpace(s[end-1]) {
		end--
	}
	return s[start:end]
}

// analyzeCT is mod_mime's analyze_ct.
func analyzeCT(s string) (a analyzedCT, ok bool) {
	cp := 0
	for cp < len(s) && cSpace(s[cp]) {
		cp++
	}
	if cp >= len(s) {
		return a, false
	}
	tstart := cp
	for {
		cp++
		c := at0(s, cp)
		if c == 0 || c == '/' || cSpace(c) || c == ';' {
			break
		}
	}
	if c := at0(s, cp); c == 0 || c == ';' {
		return a, false
	}
	for cp < len(s) && cSpace(s[cp]) {
		cp++
	}
	if at0(s, cp) != '/' {
		return a, false
	}
	a.typ = s[tstart:cp]
	cp++
	for cp < len(s) && cSpace(s[cp]) {
		cp++
	}
	if cp >= len(s) {
		return a, false
	}
	sstart := cp
	for {
		cp++
		c := at0(s, cp)
		if c == 0 || cSpace(c) || c == ';' {
			break
		}
	}
	a.subtype = s[sstart:cp]
	for cp < len(s) && cSpace(s[cp]) {
		cp++
	}
	if cp >= len(s) {
		return a, true
	}
	cp++ // the ';' (or whatever stands there)
	cp = mimeZapSp(s, cp)
	if cp >= len(s) {
		return a, false
	}
	mp := cp
	var attribute string
	haveAttr := false
	quoted := false
	for cp < len(s) {
		if !haveAttr {
			c := s[cp]
			switch {
			case mimeIsToken(c), c == ' ', c == '\t', c == '\n':
				cp++
			case c == '=':
				attribute = mimeZapSpDup(s, mp, cp)
				if attribute == "" {
					return a, false
				}
				haveAttr = true
				cp++
				cp = mimeZapSp(s, cp)
				if cp >= len(s) {
					return a, false
				}
				mp = cp
			default:
				return a, false
			}
			continue
		}
		if mp == cp {
			if s[cp] == '"' {
				quoted = true
				cp++
			} else {
				quoted = false
			}
		}
		if quoted {
			for quoted && cp < len(s) {
				c := s[cp]
				switch {
				case mimeIsQText(c):
					cp++
				case c == '\\' && cp+1 < len(s) && s[cp+1] < 0x80:
					cp += 2
				case c == '"':
					cp++
					cp = mimeZapSp(s, cp)
					if cp < len(s) && s[cp] != ';' {
						return a, false
					}
					quoted = false
				default:
					return a, false
				}
			}
		} else {
			for {
				c := at0(s, cp)
				if c != 0 && mimeIsToken(c) {
					cp++
				} else if c == 0 || c == ';' {
					break
				} else {
					return a, false
				}
			}
		}
		value := mimeZapSpDup(s, mp, cp)
		if value == "" {
			return a, false
		}
		a.params = append(a.params, [2]string{attribute, value})
		quoted = false
		haveAttr = false
		if cp >= len(s) {
			break
		}
		cp++
		mp = cp
	}
	return a, true
}

// makeContentType is ap_make_content_type: with AddDefaultCharset in force
// (defaultCharset != "", the charset it names, iso-8859-1 for "On") a type
// containing "text/plain" or "text/html" and no "charset=" gets
// "; charset=" and the charset appended. "" stays "" (no Content-Type).
func makeContentType(ct, defaultCharset string) string {
	if ct == "" || defaultCharset == "" {
		return ct
	}
	if strings.Contains(ct, "charset=") {
		return ct
	}
	if strings.Contains(ct, "text/plain") || strings.Contains(ct, "text/html") {
		return ct + "; charset=" + defaultCharset
	}
	return ct
}
