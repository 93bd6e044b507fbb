package config

import (
	"fmt"
	"io/fs"
	"slices"
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
	if p.testCondition(spec.Name, word) == not {
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
