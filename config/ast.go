package config

import "strings"

// Directive is one node of a configuration tree: a directive line, or a
// section such as <VirtualHost> with the directives it holds.
//
// The tree is the configuration httpd would act on: Include and
// IncludeOptional are replaced by the directives of the files they name,
// <IfModule>, <IfDefine>, <IfFile>, <IfDirective> and <IfSection> by the
// directives they hold when their condition is true (by nothing
// otherwise), and Define and UnDefine are gone, their ${NAME} references
// already substituted. ServerRoot and LoadModule act while the file is
// read but stay in the tree, so that the printed tree is a complete
// configuration.
//
// Trees are built by Parse and ParseFile and are not meant to be modified;
// a Directive is safe for concurrent reads.
type Directive struct {
	// Name is the directive's name: httpd's canonical spelling for a known
	// directive (LogFormat, VirtualHost), as written otherwise. A section's
	// name has no angle bracket.
	Name string
	// Args are the words after the name, quotes and escapes removed, as
	// httpd's ap_getword_conf reads them. For a section, the words before
	// the closing '>'.
	Args []string
	// Section marks a <Name Args...> ... </Name> block.
	Section bool
	// Children are a section's directives.
	Children []*Directive
	// File is the file the directive was read from.
	File string
	// Line is the number of the directive's first physical line in File.
	// (httpd itself reports the last line of a line continued with a
	// backslash.)
	Line int

	raw      string // the arguments as one string, after ${} substitution
	written  string // the name as written, for "Invalid command" messages
	closed   bool   // a section's argument text ended with '>'
	endLine  int    // line of a section's closing tag, 0 if missing
	seq      int    // reading order, for sorting errors
	readTime bool   // executed while reading (ServerRoot, LoadModule)
	// mismatched: a wrong closing tag met this open section (reported)
	mismatched bool
}

// String prints the directive as canonical configuration text, a section
// with its children indented by four spaces. Parsing the text gives the
// same directive back (File and Line aside).
func (d *Directive) String() string {
	var b strings.Builder
	d.print(&b, 0)
	return b.String()
}

func (d *Directive) print(b *strings.Builder, depth int) {
	indent := strings.Repeat("    ", depth)
	b.WriteString(indent)
	if !d.Section {
		b.WriteString(quoteWord(d.Name, true))
		for _, a := range d.Args {
			b.WriteByte(' ')
			b.WriteString(quoteWord(a, false))
		}
		b.WriteByte('\n')
		return
	}
	// httpd drops one '>' from the end of the name word, so a name that
	// ends in '>', or stands alone, is written with one more.
	open := "<" + d.Name
	if len(d.Args) == 0 || strings.HasSuffix(d.Name, ">") {
		open += ">"
	}
	b.WriteString(quoteWord(open, true))
	for i, a := range d.Args {
		b.WriteByte(' ')
		b.WriteString(quoteWord(a, false))
		if i == len(d.Args)-1 {
			b.WriteByte('>')
		}
	}
	b.WriteByte('\n')
	for _, c := range d.Children {
		c.print(b, depth+1)
	}
	b.WriteString(indent)
	b.WriteString(quoteWord("</"+d.Name+">", true))
	b.WriteByte('\n')
}

// Config is a configuration read by Parse or ParseFile.
type Config struct {
	// File is the configuration file that was read (the name given to
	// Parse, or the path ParseFile opened).
	File string
	// Directives are the top-level directives, in file order.
	Directives []*Directive
	// ServerRoot is the server root in effect at the end of the file:
	// Options.ServerRoot, or the last ServerRoot directive.
	ServerRoot string
	// Modules are the names (log_config_module) of the modules in effect:
	// the ones logproxy always has, then the ones LoadModule'd, in order.
	Modules []string
	// Warnings are problems that do not stop httpd from starting, such as
	// a ${NAME} reference to an undefined variable.
	Warnings []*Error
}

// MPMLoaded reports whether one of the MPM modules is loaded: httpd
// neither starts nor passes -t without one (AH00534).
func (c *Config) MPMLoaded() bool {
	for _, name := range c.Modules {
		if m, ok := LookupModule(name); ok && m.MPM {
			return true
		}
	}
	return false
}

// String prints the whole tree as canonical configuration text.
func (c *Config) String() string {
	var b strings.Builder
	for _, d := range c.Directives {
		d.print(&b, 0)
	}
	return b.String()
}

// Walk calls fn for each directive of the tree in file order, parents
// before their children. It stops and returns false if fn does.
func (c *Config) Walk(fn func(d *Directive) bool) bool {
	return walkList(c.Directives, fn)
}

func walkList(list []*Directive, fn func(d *Directive) bool) bool {
	for _, d := range list {
		if !fn(d) || !walkList(d.Children, fn) {
			return false
		}
	}
	return true
}
