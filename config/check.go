package config

import (
	"fmt"
	"slices"
	"strings"
)

// scope is where a directive stands while the tree is checked: what the
// enclosing sections allow (httpd's cmd_parms override, path and
// server->is_virtual).
type scope struct {
	override Override
	inDir    bool       // inside <Directory>, <Location>, <Files> or <Proxy> (cmd->path set)
	virtual  bool       // inside <VirtualHost>
	limited  bool       // inside <Limit>, <LimitExcept> or <Require...> (cmd->limited set)
	parent   *Directive // the enclosing section, nil at the top
	up       *scope     // the scope of the enclosing section
}

// findParent returns the nearest enclosing section with one of names.
func (sc *scope) findParent(names ...string) *Directive {
	for s := sc; s != nil; s = s.up {
		if s.parent == nil {
			continue
		}
		for _, n := range names {
			if strings.EqualFold(s.parent.Name, n) {
				return s.parent
			}
		}
	}
	return nil
}

// checkList checks directives the way httpd's ap_walk_config runs them,
// but goes on after an error so that every mistake is reported.
func (p *parser) checkList(list []*Directive, sc *scope) {
	lastIf := "" // the last <If>, <ElseIf> or <Else> of this scope
	for _, d := range list {
		p.checkDirective(d, sc)
		if !d.Section {
			continue
		}
		switch name := strings.ToLower(d.Name); name {
		case "if", "elseif", "else":
			// ap_add_if_conf, once the section's body was read.
			if name != "if" && lastIf != "if" && lastIf != "elseif" {
				p.errorAt(d, "<Else> or <ElseIf> section without previous <If> or <ElseIf> section in same scope")
			}
			lastIf = name
		}
	}
}

func (p *parser) checkDirective(d *Directive, sc *scope) {
	if d.readTime {
		return // done while reading ("Once was enough?" in ap_walk_config_sub)
	}
	spec := p.specs[specKey(d.Name, d.Section)]
	if spec == nil || !p.moduleActive(spec.Module) {
		name := d.written
		if name == "" {
			name = d.Name
		}
		p.errorAt(d, "Invalid command '"+name+"', perhaps misspelled or defined by a module not included in the server configuration")
		return
	}
	if msg := p.validate(spec, d, sc); msg != "" {
		p.errorAt(d, msg)
	} else if spec.Unsupported {
		name := spec.displayName()
		if spec.Section {
			name += ">"
		}
		p.errorAt(d, name+" is not supported by logproxy: it changes how requests are handled in a way logproxy does not implement")
	} else if spec.Ignored {
		p.warnAt(d, ignoredMessage(spec))
	}
	if d.Section {
		p.checkList(d.Children, childScope(spec, d, sc))
	}
}

// validate returns the first thing wrong with d where it stands, or "":
// the context (invoke_cmd's override test, then the handler's
// ap_check_cmd_context), the number of arguments, then what logproxy
// checks of the values already.
func (p *parser) validate(spec *Spec, d *Directive, sc *scope) string {
	if sc.override&spec.Override == 0 {
		if sc.parent != nil {
			return spec.displayName() + " not allowed in <" + sc.parent.Name + "> context"
		}
		return spec.displayName() + " not allowed here"
	}
	if spec.Args != RawArgs && spec.Args != TakeArgv {
		args := d.Args
		if spec.check == checkLogFormat && len(args) == 3 {
			args = args[:2] // logproxy's escape=, checked below
		}
		if msg := spec.arityError(args, d.raw); msg != "" {
			return msg
		}
	}
	if msg := contextError(spec, spec.Forbidden, sc); msg != "" {
		return msg
	}
	switch spec.check {
	case checkDirSection, checkFilesSection, checkVhostSection:
		return checkSection(spec, d)
	case checkLimitSection, checkRequireSection, checkProxySection:
		return checkOtherSection(spec, d)
	case checkIfSection:
		return ifSectionError(spec, d)
	case checkDeprecated:
		return spec.Usage
	case checkServerAlias:
		if !sc.virtual {
			return "ServerAlias only used in <VirtualHost>"
		}
	case checkLogFormat:
		return logFormatError(d.Args, p.moduleActive("ssl_module"))
	case checkCustomLog, checkGlobalLog:
		return customLogError(d.Args, p.moduleActive("ssl_module"))
	case checkListen:
		if len(d.Args) < 1 || len(d.Args) > 2 {
			return "Listen requires 1 or 2 arguments."
		}
	case checkAlias:
		if len(d.Args) == 2 && d.Args[1] != "" {
			return contextError(spec, NotInDirContext, sc)
		}
		if msg := contextError(spec, NotInDirectory|NotInFiles, sc); msg != "" {
			return msg
		}
		if !sc.inDir {
			return "Alias must have two arguments when used globally"
		}
	case checkErrorLogFormat:
		return errorLogFormatError(d.Args)
	case checkError:
		return errorDirective(d.raw)
	case checkAllowOverride:
		if sc.findParent("Location", "LocationMatch", "Files", "FilesMatch") != nil {
			p.warnAt(d, fmt.Sprintf("Useless use of AllowOverride in line %d of %s.", d.Line, d.File))
		}
	}
	return ""
}

// contextError is ap_check_cmd_context: the message when d's scope is one
// forbidden lists, or "".
func contextError(spec *Spec, forbidden Forbidden, sc *scope) string {
	name := spec.displayName()
	if spec.Section {
		name += ">"
	}
	if forbidden&NotInVirtualHost != 0 && sc.virtual {
		return name + " cannot occur within <VirtualHost> section"
	}
	if forbidden&NotInDirContext != 0 && sc.limited {
		return name + " cannot occur within <Limit> or <LimitExcept> section"
	}
	if forbidden&NotInDirLocFile == NotInDirLocFile && sc.inDir {
		return name + " cannot occur within directory context"
	}
	var found *Directive
	switch {
	case forbidden&NotInDirectory != 0 && sc.findParent("Directory", "DirectoryMatch") != nil:
		found = sc.findParent("Directory", "DirectoryMatch")
	case forbidden&NotInLocation != 0 && sc.findParent("Location", "LocationMatch") != nil:
		found = sc.findParent("Location", "LocationMatch")
	case forbidden&NotInFiles != 0 && sc.findParent("Files", "FilesMatch", "If", "ElseIf", "Else") != nil:
		found = sc.findParent("Files", "FilesMatch", "If", "ElseIf", "Else")
	case forbidden&NotInProxy != 0 && sc.findParent("Proxy", "ProxyMatch") != nil:
		found = sc.findParent("Proxy", "ProxyMatch")
	}
	if found != nil {
		return name + " cannot occur within <" + found.Name + "> section"
	}
	return ""
}

// childScope is the scope of a section's body.
func childScope(spec *Spec, d *Directive, sc *scope) *scope {
	c := *sc
	c.parent, c.up = d, sc
	switch spec.check {
	case checkDirSection, checkFilesSection, checkProxySection, checkIfSection:
		c.override, c.inDir = dirOverride, true
	case checkVhostSection:
		c.virtual = true
	case checkLimitSection:
		c.limited = true
	case checkRequireSection:
		c.override, c.limited = OrAuthCfg, true
	}
	return &c
}

// ignoredMessage is the warning for a directive logproxy does not act on.
func ignoredMessage(spec *Spec) string {
	return spec.displayName() + " is ignored: logproxy does not implement it"
}

// ifSectionError checks <If expr>, <ElseIf expr> and <Else> as core's
// ifsection does.
func ifSectionError(spec *Spec, d *Directive) string {
	name := "<" + spec.Name + ">"
	if !d.closed {
		return name + " directive missing closing '>'"
	}
	if spec.Name == "Else" {
		if len(d.Args) > 0 && d.Args[0] != "" {
			return "<Else> does not take an argument"
		}
		return ""
	}
	if len(d.Args) == 0 || d.Args[0] == "" {
		return name + " directive requires additional arguments"
	}
	if _, err := ParseExpr(d.Args[0]); err != nil {
		return "Cannot parse condition clause: " + err.Error()
	}
	if len(d.Args) > 1 {
		return "Multiple " + name + " arguments not supported."
	}
	return ""
}

// checkOtherSection checks the arguments of <Limit>, <LimitExcept>
// (ap_limit_section in server/core.c), <RequireAll> and its kin
// (add_authz_section in mod_authz_core.c), <Proxy> and <ProxyMatch>
// (proxysection in mod_proxy.c).
//
//	<Limit method ...>   <LimitExcept method ...>
//	<RequireAll>  <RequireAny>  <RequireNone>
//	<Proxy url [key=value ...]>  <ProxyMatch regex>
func checkOtherSection(spec *Spec, d *Directive) string {
	name := "<" + spec.Name + ">"
	if !d.closed {
		return name + " directive missing closing '>'"
	}
	switch spec.check {
	case checkLimitSection:
		if len(d.Args) == 0 {
			return name + " directive requires additional arguments"
		}
		if spec.Name == "Limit" && slices.Contains(d.Args, "TRACE") {
			return "TRACE cannot be controlled by <Limit>, see TraceEnable"
		}
	case checkRequireSection:
		if len(d.Args) > 0 {
			return name + " directive doesn't take additional arguments"
		}
	case checkProxySection:
		if spec.Name == "ProxyMatch" && len(d.Args) > 0 {
			if !regexOK(d.Args[0]) {
				return "Regex could not be compiled"
			}
			if len(d.Args) > 1 {
				return "Multiple <ProxyMatch> arguments not (yet) supported."
			}
		}
	}
	return ""
}

// checkSection checks the arguments of <Directory>, <Location>, <Files>,
// their Match forms and <VirtualHost> (dirsection, urlsection,
// filesection and virtualhost_section in server/core.c).
//
//	<Directory path|~ regex>      <DirectoryMatch regex>
//	<Location url|~ regex>        <LocationMatch regex>
//	<Files name|~ regex>          <FilesMatch regex>
//	<VirtualHost addr[:port] ...>
func checkSection(spec *Spec, d *Directive) string {
	name := "<" + spec.Name + ">"
	if !d.closed {
		return name + " directive missing closing '>'"
	}
	if len(d.Args) == 0 {
		return name + " directive requires additional arguments"
	}
	if spec.check == checkVhostSection {
		return ""
	}
	args := d.Args[1:]
	isMatch := strings.HasSuffix(spec.Name, "Match")
	var pattern string
	switch {
	case d.Args[0] == "~" && !(isMatch && spec.Name != "DirectoryMatch"):
		if len(args) > 0 {
			pattern, args = args[0], args[1:]
		}
		if !regexOK(pattern) {
			return "Regex could not be compiled"
		}
	case isMatch:
		if !regexOK(d.Args[0]) {
			return "Regex could not be compiled"
		}
	}
	if len(args) > 0 {
		return "Multiple " + name + " arguments not (yet) supported."
	}
	return ""
}

// errorDirective is the Error directive: its text is the error
// (generate_error in server/core.c).
//
//	Error message
func errorDirective(raw string) string {
	if raw == "" {
		return "The Error directive was used with no message."
	}
	if n := len(raw); n >= 2 && (raw[0] == '"' || raw[0] == '\'') && raw[n-1] == raw[0] {
		return raw[1 : n-1]
	}
	return raw
}
