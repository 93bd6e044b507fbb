package config

import (
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// conditional runs <IfModule>, <IfDefine>, <IfFile>, <IfDirective> or
// <IfSection> (start_cond_section in server/core.c):
//
//	<IfModule [!]module>       module name (headers_module) or source (mod_headers.c)
//	<IfDefine [!]NAME>         a -D name or a Define'd one
//	<IfFile [!]path>           path relative to the server root exists
//	<IfDirective [!]name>      the directive is available
//	<IfSection [!]name>        the section is available
//
// When the test holds, the body is read like the rest of the file and its
// directives take the section's place; otherwise the body is skipped. A
// module is known when logproxy always has it or it was LoadModule'd
// earlier in the configuration.
func (b *builder) conditional(spec *Spec, d *Directive) {
	p := b.p
	if spec.Name == "IfVersion" {
		match, msg := ifVersionHolds(splitWords(d.raw))
		if msg != "" {
			p.errorAt(d, msg)
			match = false
		}
		b.enterIf(spec, d, match)
		return
	}
	raw := d.raw
	arg := raw
	if i := strings.LastIndexByte(raw, '>'); i >= 0 {
		arg = raw[:i]
	} else {
		p.errorAt(d, "<"+spec.Name+"> directive missing closing '>'")
	}
	not := strings.HasPrefix(raw, "!")
	if not {
		arg = strings.TrimPrefix(arg, "!")
	}
	word, _ := getword(arg)
	if word == "" {
		p.errorAt(d, "<"+spec.Name+"> directive requires additional arguments")
		p.soak(b.src, spec.Name, d.File, d.Line)
		return
	}
	b.enterIf(spec, d, p.testCondition(spec.Name, word) != not)
}

// enterIf reads the body of a conditional section whose test gave match:
// its directives take the section's place, or it is skipped.
func (b *builder) enterIf(spec *Spec, d *Directive, match bool) {
	p := b.p
	if !match {
		p.soak(b.src, spec.Name, d.File, d.Line)
		return
	}
	nodes, closed := p.build(b.src, spec.Name)
	if !closed {
		p.warnAt(d, "<"+spec.Name+"> was not closed.")
	}
	for _, n := range nodes {
		b.add(n)
	}
}

// testCondition evaluates the test of a conditional section.
func (p *parser) testCondition(section, arg string) bool {
	switch section {
	case "IfModule":
		return p.active[arg]
	case "IfDefine":
		return slices.Contains(p.defines, arg)
	case "IfFile":
		_, err := fs.Stat(p.fsys, fsPath(p.rootRelative(arg)))
		return err == nil
	case "IfDirective":
		s := p.specs[specKey(arg, false)]
		return s != nil && p.moduleActive(s.Module)
	case "IfSection":
		s := p.specs[specKey(arg, true)]
		return s != nil && p.moduleActive(s.Module)
	}
	return false
}

// soak skips the body of a section whose condition is false, up to its
// closing tag, checking only that the sections inside it nest
// (ap_soak_end_container in server/config.c). Lines are not ${}-expanded.
// name is the section's name without '<'; file and line say where it was
// opened.
func (p *parser) soak(src *source, name, file string, line int) {
	type opener struct {
		name, file string
		line       int
	}
	stack := []opener{{name, file, line}}
	for {
		ll, ok := src.next()
		if !ok {
			break
		}
		if ll.text == "" || ll.text[0] == '#' {
			continue
		}
		p.seq++
		word, rest := getword(ll.text)
		if !strings.HasPrefix(word, "<") {
			continue
		}
		if !strings.HasPrefix(word, "</") {
			inner := word
			if rest == "" {
				inner = strings.TrimSuffix(inner, ">")
			}
			stack = append(stack, opener{inner[1:], src.name, ll.first})
			continue
		}
		// httpd drops the last byte of a closing tag, whatever it is.
		saw := word[:len(word)-1]
		tag := saw[min(2, len(saw)):]
		top := stack[len(stack)-1]
		if strings.EqualFold(tag, top.name) {
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return
			}
			continue
		}
		p.errorf(src.name, ll.first, "Expected </%s> but saw %s> (<%s> opened at %s:%d)",
			top.name, saw, top.name, top.file, top.line)
		// Recover: a tag closing an outer section closes the inner ones.
		for i := len(stack) - 2; i >= 0; i-- {
			if strings.EqualFold(tag, stack[i].name) {
				stack = stack[:i]
				break
			}
		}
		if len(stack) == 0 {
			return
		}
	}
	top := stack[len(stack)-1]
	p.errs = append(p.errs, &Error{File: top.file, Line: top.line, seq: p.seq,
		Msg: fmt.Sprintf("Expected </%s> before end of configuration", top.name)})
}

// httpdVersion is the version <IfVersion> compares with: the httpd whose
// behaviour logproxy follows.
var httpdVersion = [3]int{2, 4, 71}

// ifVersionHolds is mod_version's start_ifversion over the words of an
// <IfVersion> line (the last one still ending in '>'): whether its body
// is read, or httpd's message for a bad line.
//
//	<IfVersion [[!]op] version>   op: = == < <= > >=, or ~ for a regex
//	<IfVersion [!]= /regex/>
func ifVersionHolds(args []string) (bool, string) {
	if len(args) == 0 || len(args) > 3 {
		return false, "<IfVersion takes one, two or three arguments"
	}
	arg1, arg2, arg3 := args[0], "", ""
	if len(args) > 1 {
		arg2 = args[1]
	}
	if len(args) > 2 {
		arg3 = args[2]
	}
	if len(args) == 1 {
		arg1, arg2 = "=", args[0]
	}
	if len(args) <= 2 && arg2 == ">" {
		// <IfVersion "2.4" > : the quoted version, then the '>'.
		arg1, arg2, arg3 = "=", arg1, ">"
	}
	closed := arg3 == ">"
	if arg2 == "" || (!closed && !strings.HasSuffix(arg2, ">")) {
		return false, "<IfVersion> directive missing closing '>'"
	}
	if !closed {
		arg2 = arg2[:len(arg2)-1]
	}
	op, reverse := arg1, false
	if strings.HasPrefix(op, "!") {
		reverse = true
		if len(op) > 1 {
			op = op[1:]
		}
	}
	c, rest := op[0], op[1:]
	if !(rest == "" || (rest == "=" && c != '~')) {
		return false, "unrecognized operator '" + arg1 + "'"
	}
	var match bool
	switch c {
	case '=', '~':
		if c == '=' && !strings.HasPrefix(arg2, "/") {
			cmp, ok := compareVersion(arg2)
			if !ok {
				return false, versionInvalid
			}
			match = cmp == 0
			break
		}
		if c == '=' {
			if len(arg2) < 2 || !strings.HasSuffix(arg2, "/") {
				return false, "Missing delimiting / of regular expression."
			}
			arg2 = arg2[1 : len(arg2)-1]
		}
		re, err := regexp.Compile(arg2)
		if err != nil {
			return false, "Unable to compile regular expression"
		}
		match = re.MatchString(fmt.Sprintf("%d.%d.%d", httpdVersion[0], httpdVersion[1], httpdVersion[2]))
	case '<', '>':
		cmp, ok := compareVersion(arg2)
		if !ok {
			return false, versionInvalid
		}
		want := -1
		if c == '>' {
			want = 1
		}
		match = cmp == want || (rest != "" && cmp == 0)
	default:
		return false, "unrecognized operator '" + arg1 + "'"
	}
	return match != reverse, ""
}

const versionInvalid = "Version appears to be invalid. It must have the format major[.minor[.patch]] where major, minor and patch are numbers."

// compareVersion is mod_version's compare_version: httpd's version
// against v (major[.minor[.patch]]), -1, 0 or 1.
func compareVersion(v string) (int, bool) {
	if v == "" || v[0] < '0' || v[0] > '9' {
		return 0, false
	}
	var parts [3]int
	fields := strings.SplitN(v, ".", 4)
	if len(fields) > 3 {
		// compare_version stops after three numbers; what follows is
		// a syntax error.
		return 0, false
	}
	for i, f := range fields {
		if f == "" && i < len(fields)-1 {
			return 0, false
		}
		for j := 0; j < len(f); j++ {
			if f[j] < '0' || f[j] > '9' {
				return 0, false
			}
		}
		parts[i], _ = strconv.Atoi(f)
	}
	for i := range parts {
		switch {
		case httpdVersion[i] > parts[i]:
			return 1, true
		case httpdVersion[i] < parts[i]:
			return -1, true
		}
	}
	return 0, true
}
