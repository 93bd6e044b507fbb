package config

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// DefaultServerRoot is the server root when neither Options.ServerRoot nor
// a ServerRoot directive sets one: the HTTPD_ROOT Debian builds apache2
// with.
const DefaultServerRoot = "/etc/apache2"

// DefaultConfigFile is the configuration file Debian's apache2 reads when
// it is given no -f, relative to the server root.
const DefaultConfigFile = "apache2.conf"

// Limits that stop runaway configurations.
const (
	maxIncludeDepth = 128  // AP_MAX_INCLUDE_DEPTH: nested Include directives
	maxDirDepth     = 128  // AP_MAX_FNMATCH_DIR_DEPTH: nested included directories
	maxIncludeFiles = 4096 // included files in one parse (logproxy's own limit)
)

// Options adjust how a configuration is read. The zero value reads like
// Debian's apache2 started without -d or -D, on the host file system.
type Options struct {
	// ServerRoot is the server root before any ServerRoot directive, as
	// httpd's -d flag sets it. Relative Include paths and a relative
	// ParseFile name are taken relative to it. Empty means
	// DefaultServerRoot.
	ServerRoot string
	// Defines are the names given with -D, for <IfDefine>.
	Defines []string
	// LookupEnv finds the process environment variables ${NAME} refers
	// to. Nil means os.LookupEnv.
	LookupEnv func(name string) (string, bool)
	// FS is the file system Include, ServerRoot and <IfFile> look at; a
	// path /a/b is opened as "a/b" in it. Nil means the host's file system.
	FS fs.FS
}

// ParseFile reads the configuration file name and everything it includes,
// and checks it. A relative name is taken relative to the server root, as
// httpd's -f is.
//
// If the file cannot be read, ParseFile returns a nil Config and that
// error. Otherwise it returns the configuration read (as much of it as
// could be, if there were mistakes) and, if there were mistakes, an
// ErrorList holding every one of them. Warnings do not make an error; they
// are in Config.Warnings.
func ParseFile(name string, opts *Options) (*Config, error) {
	p := newParser(opts)
	path := p.rootRelative(name)
	data, err := p.readFile(path)
	if err != nil {
		return nil, fmt.Errorf("could not open configuration file %s: %w", path, err)
	}
	return p.run(path, data)
}

// Parse reads configuration text src as if it were the file name, follows
// its Include directives, and checks it. The results are as for ParseFile.
func Parse(name string, src []byte, opts *Options) (*Config, error) {
	return newParser(opts).run(name, src)
}

// parser holds the state of one Parse or ParseFile call.
type parser struct {
	fsys      fs.FS
	hostFS    bool
	lookupEnv envLookup
	specs     map[string]*Spec

	serverRoot string
	defines    []string          // names for <IfDefine>
	vars       map[string]string // Define'd values for ${NAME}
	modules    []string          // modules in effect, in order
	active     map[string]bool   // module names and source names in effect
	mpm        string            // the MPM module loaded, if any

	includeDepth int
	filesRead    int
	seq          int // logical lines read so far

	errs  ErrorList
	warns ErrorList
}

func newParser(opts *Options) *parser {
	var o Options
	if opts != nil {
		o = *opts
	}
	p := &parser{
		fsys:      o.FS,
		lookupEnv: o.LookupEnv,
		specs:     map[string]*Spec{},
		vars:      map[string]string{},
		active:    map[string]bool{},
	}
	if p.fsys == nil {
		p.fsys = os.DirFS("/")
		p.hostFS = true
	}
	if p.lookupEnv == nil {
		p.lookupEnv = os.LookupEnv
	}
	table := Directives()
	for i := range table {
		s := &table[i]
		p.specs[specKey(s.Name, s.Section)] = s
	}
	for _, m := range Modules() {
		if m.Builtin {
			p.activate(m)
		}
	}
	root := o.ServerRoot
	if root == "" {
		root = DefaultServerRoot
	}
	p.serverRoot = p.absPath(root)
	for _, d := range o.Defines {
		if !slices.Contains(p.defines, d) {
			p.defines = append(p.defines, d)
		}
	}
	return p
}

// run reads the main file, checks the tree and packs the results.
func (p *parser) run(name string, data []byte) (*Config, error) {
	nodes := p.readSource(name, data)
	p.checkList(nodes, &scope{override: serverOverride})
	cfg := &Config{
		File:       name,
		Directives: nodes,
		ServerRoot: p.serverRoot,
		Modules:    p.modules,
		Warnings:   p.warns,
	}
	p.warns.sortStable()
	if len(p.errs) > 0 {
		p.errs.sortStable()
		return cfg, p.errs
	}
	return cfg, nil
}

// readSource reads one whole file: its own sections must close in it.
func (p *parser) readSource(name string, data []byte) []*Directive {
	nodes, _ := p.build(&source{name: name, data: string(data)}, "")
	return nodes
}

func (p *parser) errorf(file string, line int, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: file, Line: line, Msg: fmt.Sprintf(format, args...), seq: p.seq})
}

func (p *parser) errorAt(d *Directive, msg string) {
	p.errs = append(p.errs, &Error{File: d.File, Line: d.Line, Msg: msg, seq: d.seq})
}

func (p *parser) warnf(file string, line int, format string, args ...any) {
	p.warns = append(p.warns, &Error{File: file, Line: line, Msg: fmt.Sprintf(format, args...), seq: p.seq})
}

func (p *parser) warnAt(d *Directive, msg string) {
	p.warns = append(p.warns, &Error{File: d.File, Line: d.Line, Msg: msg, seq: d.seq})
}

// builder assembles the directives of one reading scope: a file, or the
// body of a true conditional section. Its sections must close inside it,
// as in httpd's ap_build_config and ap_build_cont_config.
type builder struct {
	p     *parser
	src   *source
	top   []*Directive
	stack []*Directive // open sections, innermost last
}

func (b *builder) add(d *Directive) {
	if n := len(b.stack); n > 0 {
		b.stack[n-1].Children = append(b.stack[n-1].Children, d)
		return
	}
	b.top = append(b.top, d)
}

// build reads logical lines from src until its end or, when closer is not
// empty, until a line that is exactly </closer> at the scope's top level.
// It reports whether it stopped at that line.
func (p *parser) build(src *source, closer string) ([]*Directive, bool) {
	b := &builder{p: p, src: src}
	for {
		ll, ok := src.next()
		if !ok {
			break
		}
		if ll.text == "" || ll.text[0] == '#' {
			continue
		}
		p.seq++
		if closer != "" && len(b.stack) == 0 && strings.HasPrefix(ll.text, "</") &&
			strings.EqualFold(ll.text[2:], closer+">") {
			return b.top, true
		}
		b.line(ll)
	}
	for i := len(b.stack) - 1; i >= 0; i-- {
		d := b.stack[i]
		if d.mismatched {
			continue // reported where the wrong closing tag was
		}
		msg := "<" + d.Name + "> was not closed."
		if closer == "" {
			p.errorAt(d, msg)
		} else {
			// httpd accepts a conditional section that runs to the end of
			// the file, and whatever is open inside it.
			p.warnAt(d, msg)
		}
	}
	return b.top, false
}

// line handles one logical line, as ap_build_config_sub does.
func (b *builder) line(ll logicalLine) {
	p := b.p
	text := resolveEnv(ll.text, p.lookupVar, func(name string) {
		p.warnf(b.src.name, ll.first, "Config variable ${%s} is not defined", name)
	})
	name, rest := getword(text)
	if name == "" {
		return // httpd ignores a line whose first word is empty
	}
	if len(name) < 2 || name[1] != '/' {
		name = strings.TrimSuffix(name, ">")
		if strings.HasPrefix(name, "<") && rest == "" {
			rest = ">"
		}
	}
	written := name
	section := strings.HasPrefix(name, "<") && !strings.HasPrefix(name, "</")
	d := &Directive{
		Name:    strings.TrimPrefix(name, "<"),
		Section: section,
		File:    b.src.name,
		Line:    ll.first,
		raw:     rest,
		seq:     p.seq,
	}
	spec := p.specs[specKey(d.Name, section)]
	if spec != nil {
		d.Name = spec.Name
		if spec.Override&ExecOnRead != 0 && p.moduleActive(spec.Module) {
			b.execute(spec, d)
			return
		}
	}
	switch {
	case strings.HasPrefix(name, "</"):
		b.close(name, d)
	case section:
		if i := strings.LastIndexByte(rest, '>'); i >= 0 {
			d.closed = true
			d.Args = splitWords(rest[:i])
			if tail := trimSpace(rest[i+1:]); tail != "" {
				p.warnAt(d, fmt.Sprintf("text after '>' is ignored: %q", tail))
			}
		} else {
			d.Args = splitWords(rest)
		}
		d.written = written
		b.add(d)
		b.stack = append(b.stack, d)
	default:
		d.Args = splitWords(rest)
		d.written = written
		b.add(d)
	}
}

// close handles a closing tag such as </Directory>.
func (b *builder) close(name string, d *Directive) {
	p := b.p
	if len(b.stack) == 0 {
		p.errorAt(d, name+" without matching <"+name[2:]+" section")
		return
	}
	tag := name[2:]
	if !strings.HasSuffix(name, ">") {
		p.errorAt(d, name+"> directive missing closing '>'")
	} else {
		tag = tag[:len(tag)-1]
	}
	top := b.stack[len(b.stack)-1]
	if strings.EqualFold(tag, top.Name) {
		top.endLine = d.Line
		b.stack = b.stack[:len(b.stack)-1]
		return
	}
	if strings.HasSuffix(name, ">") {
		p.errorAt(d, fmt.Sprintf("Expected </%s> but saw %s (<%s> opened at %s:%d)",
			top.Name, name, top.Name, top.File, top.Line))
	}
	// Recover: a tag closing an outer section closes the inner ones too.
	// The innermost stays open for its own tag, but its error was just
	// reported: it is not reported again as "not closed" at the end of
	// the file (httpd stops at the first).
	top.mismatched = true
	for i := len(b.stack) - 2; i >= 0; i-- {
		if strings.EqualFold(tag, b.stack[i].Name) {
			b.stack[i].endLine = d.Line
			b.stack = b.stack[:i]
			return
		}
	}
}

// execute runs a directive that acts while the file is read
// (EXEC_ON_READ in httpd): Define, UnDefine, Include, IncludeOptional,
// the conditional sections, ServerRoot, DefaultRuntimeDir, LoadModule.
func (b *builder) execute(spec *Spec, d *Directive) {
	p := b.p
	if spec.Section {
		b.conditional(spec, d)
		return
	}
	d.Args = splitWords(d.raw)
	if msg := spec.arityError(d.Args, d.raw); msg != "" {
		p.errorAt(d, msg)
		return
	}
	switch spec.Name {
	case "Define":
		name := d.Args[0]
		if strings.IndexByte(name, ':') >= 0 {
			p.errorAt(d, "Variable name must not contain ':'")
			return
		}
		if !slices.Contains(p.defines, name) {
			p.defines = append(p.defines, name)
		}
		if len(d.Args) == 2 && d.Args[1] != "" {
			p.vars[name] = d.Args[1]
		}
	case "UnDefine":
		name := d.Args[0]
		if strings.IndexByte(name, ':') >= 0 {
			p.errorAt(d, "Variable name must not contain ':'")
			return
		}
		p.defines = slices.DeleteFunc(p.defines, func(s string) bool { return s == name })
		delete(p.vars, name)
	case "Include", "IncludeOptional":
		for _, n := range p.include(d, spec.Name == "IncludeOptional") {
			b.add(n)
		}
	case "ServerRoot":
		root := p.absPath(d.Args[0])
		if fi, err := fs.Stat(p.fsys, fsPath(root)); err != nil || !fi.IsDir() {
			p.errorAt(d, "ServerRoot must be a valid directory")
			return
		}
		p.serverRoot = root
		d.readTime = true
		b.add(d)
	case "DefaultRuntimeDir":
		d.readTime = true
		b.add(d)
	case "LoadFile":
		p.warnAt(d, ignoredMessage(spec))
	case "LoadModule":
		if b.p.loadModule(d) {
			d.readTime = true
			b.add(d)
		}
	}
}

// lookupVar finds ${NAME}: Define'd variables first, then the environment.
func (p *parser) lookupVar(name string) (string, bool) {
	if v, ok := p.vars[name]; ok {
		return v, true
	}
	return p.lookupEnv(name)
}

// activate puts a module in effect.
func (p *parser) activate(m Module) {
	p.modules = append(p.modules, m.Name)
	p.active[m.Name] = true
	p.active[m.Source] = true
	if m.MPM {
		p.mpm = m.Name
	}
}

// moduleActive reports whether the module providing a directive is in
// effect.
func (p *parser) moduleActive(name string) bool {
	if name == mpmModule {
		return p.mpm != ""
	}
	return p.active[name]
}

// loadModule runs LoadModule (load_module in modules/core/mod_so.c). The
// shared object itself is not looked at: logproxy implements the module.
// It reports whether the module was loaded.
func (p *parser) loadModule(d *Directive) bool {
	name := d.Args[0]
	m, ok := LookupModule(name)
	switch {
	case ok && m.Builtin:
		p.errorAt(d, "module "+name+" is built-in and can't be loaded")
	case !ok:
		p.errorAt(d, fmt.Sprintf("module %q is not supported by logproxy (LoadModule %s)", name, d.Args[1]))
	case slices.Contains(p.modules, name):
		p.warnAt(d, "module "+name+" is already loaded, skipping")
	case m.MPM && p.mpm != "":
		p.errorAt(d, "More than one MPM loaded.")
	default:
		p.activate(m)
		return true
	}
	return false
}

// absPath makes a path absolute: relative to the working directory on the
// host file system (as apr_filepath_merge does), relative to the root of
// Options.FS otherwise.
func (p *parser) absPath(path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	if p.hostFS {
		if abs, err := filepath.Abs(path); err == nil {
			return abs
		}
	}
	return filepath.Join("/", path)
}

// rootRelative resolves a path against the server root, as
// ap_server_root_relative does.
func (p *parser) rootRelative(path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(p.serverRoot, path)
}

// fsPath turns an absolute path into a name for an fs.FS rooted at "/".
func fsPath(abs string) string {
	rel := strings.TrimPrefix(filepath.Clean(abs), "/")
	if rel == "" {
		return "."
	}
	return rel
}

// readFile reads a configuration file; only regular files are read.
func (p *parser) readFile(path string) ([]byte, error) {
	name := fsPath(path)
	fi, err := fs.Stat(p.fsys, name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file")
	}
	return fs.ReadFile(p.fsys, name)
}
