package config

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// include runs Include or IncludeOptional (include_config in
// server/core.c) and returns the directives of the files it names:
//
//	Include path|directory|wildcard
//	IncludeOptional path|directory|wildcard
//
// A relative path is relative to the server root. A directory includes
// every file below it, in byte order of their paths. Wildcards (*, ?,
// [...]) may appear in any path segment; a leading '.' in a name must be
// matched by a '.'. Include fails when a wildcard matches nothing or a
// file cannot be read; IncludeOptional ignores missing files and empty
// matches. Each included file is read on its own: its sections must close
// in it.
func (p *parser) include(d *Directive, optional bool) []*Directive {
	if p.includeDepth >= maxIncludeDepth {
		p.errorAt(d, fmt.Sprintf("Exceeded maximum include depth of %d, There appears to be a recursion.", maxIncludeDepth))
		return nil
	}
	g := &globber{p: p, optional: optional}
	path := p.rootRelative(d.Args[0])
	if !fnmatchTest(path) {
		g.noMatch(path)
	} else {
		g.match("/", strings.TrimPrefix(path, "/"))
	}
	if g.err != "" {
		p.errorAt(d, g.err)
	}
	var out []*Directive
	for _, f := range g.files {
		if p.filesRead >= maxIncludeFiles {
			p.errorAt(d, fmt.Sprintf("more than %d included files", maxIncludeFiles))
			break
		}
		p.filesRead++
		data, err := p.readFile(f)
		if err != nil {
			p.errorAt(d, fmt.Sprintf("Could not open configuration file %s: %s", f, osErrorText(err)))
			continue
		}
		p.includeDepth++
		out = append(out, p.readSource(f, data)...)
		p.includeDepth--
	}
	return out
}

// globber lists the files an Include names (ap_dir_nofnmatch and
// ap_dir_fnmatch in server/util.c). It stops at the first error.
type globber struct {
	p        *parser
	optional bool
	depth    int
	files    []string
	err      string
}

const includePrefix = "Include/IncludeOptional: "

// noMatch handles a path without wildcards: a directory is walked, a
// missing file is skipped by IncludeOptional, anything else is a file.
func (g *globber) noMatch(path string) {
	if g.err != "" {
		return
	}
	fsys := g.p.fsys
	fi, statErr := fs.Stat(fsys, fsPath(path))
	if statErr == nil && fi.IsDir() {
		g.depth++
		if g.depth > maxDirDepth {
			g.err = fmt.Sprintf("%sDirectory '%s' exceeds the maximum include directory nesting level of %d. You have probably a recursion somewhere.",
				includePrefix, path, maxDirDepth)
			return
		}
		entries, err := fs.ReadDir(fsys, fsPath(path))
		if err != nil {
			g.err = fmt.Sprintf("%sCould not open directory %s: %s", includePrefix, path, osErrorText(err))
			return
		}
		names := make([]string, 0, len(entries))
		for _, e := range entries {
			names = append(names, filepath.Join(path, e.Name()))
		}
		sort.Strings(names)
		for _, n := range names {
			g.noMatch(n)
		}
		g.depth--
		return
	}
	if g.optional && statErr != nil {
		return
	}
	g.files = append(g.files, path)
}

// match handles pattern, the part of a wildcard path below dir.
func (g *globber) match(dir, pattern string) {
	if g.err != "" {
		return
	}
	seg, rest, hasRest := strings.Cut(pattern, "/")
	if !fnmatchTest(seg) {
		next := filepath.Join(dir, seg)
		if !hasRest {
			g.noMatch(next)
		} else {
			g.match(next, rest)
		}
		return
	}
	entries, err := fs.ReadDir(g.p.fsys, fsPath(dir))
	if err != nil {
		if g.optional && errors.Is(err, fs.ErrNotExist) {
			return
		}
		g.err = fmt.Sprintf("%sCould not open directory %s: %s", includePrefix, dir, osErrorText(err))
		return
	}
	var names []string
	for _, e := range entries {
		if !fnmatch(seg, e.Name()) || (hasRest && !e.IsDir()) {
			continue
		}
		names = append(names, filepath.Join(dir, e.Name()))
	}
	if len(names) == 0 {
		if !g.optional {
			g.err = fmt.Sprintf("%sNo matches for the wildcard '%s' in '%s', failing", includePrefix, seg, dir)
		}
		return
	}
	sort.Strings(names)
	for _, n := range names {
		if hasRest {
			g.match(n, rest)
		} else {
			g.noMatch(n)
		}
	}
}

// osErrorText is the strerror-like text of a file error.
func osErrorText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return capitalize(errno.Error())
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "No such file or directory"
	case errors.Is(err, fs.ErrPermission):
		return "Permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return capitalize(pe.Err.Error())
	}
	return capitalize(err.Error())
}

// fnmatchTest reports whether pattern holds a wildcard (apr_fnmatch_test):
// '*' or '?', or a '[' with a matching ']'; a backslash escapes the next
// byte.
func fnmatchTest(pattern string) bool {
	nesting := 0
	for i := 0; i < len(pattern); i++ {
		switch pattern[i] {
		case '?', '*':
			return true
		case '\\':
			i++
			if i >= len(pattern) {
				return false
			}
		case '[':
			nesting++
		case ']':
			if nesting > 0 {
				return true
			}
		}
	}
	return false
}

// fnmatch matches a file name against a shell pattern as apr_fnmatch does
// with APR_FNM_PERIOD: '*' any run of bytes, '?' one byte, [...] a set (a
// leading '!' or '^' negates it, a-z is a range), a backslash escapes the
// next byte, and a leading '.' in name matches only a literal '.'.
func fnmatch(pattern, name string) bool {
	if strings.HasPrefix(name, ".") && !strings.HasPrefix(pattern, ".") && !strings.HasPrefix(pattern, `\.`) {
		return false
	}
	return matchFrom(pattern, name)
}

func matchFrom(pattern, name string) bool {
	for len(pattern) > 0 {
		switch c := pattern[0]; c {
		case '*':
			for len(pattern) > 0 && pattern[0] == '*' {
				pattern = pattern[1:]
			}
			if pattern == "" {
				return true
			}
			for i := 0; i <= len(name); i++ {
				if matchFrom(pattern, name[i:]) {
					return true
				}
			}
			return false
		case '?':
			if name == "" {
				return false
			}
			pattern, name = pattern[1:], name[1:]
		case '[':
			if name == "" {
				return false
			}
			ok, n := matchSet(pattern, name[0])
			if n == 0 { // no closing ']': a literal '['
				if name[0] != '[' {
					return false
				}
				pattern, name = pattern[1:], name[1:]
				continue
			}
			if !ok {
				return false
			}
			pattern, name = pattern[n:], name[1:]
		case '\\':
			if len(pattern) > 1 {
				pattern = pattern[1:]
			}
			fallthrough
		default:
			if name == "" || name[0] != pattern[0] {
				return false
			}
			pattern, name = pattern[1:], name[1:]
		}
	}
	return name == ""
}

// matchSet matches b against the set at the start of pattern. It returns
// the length of the set, 0 if it has no closing ']'.
func matchSet(pattern string, b byte) (bool, int) {
	i := 1
	negate := false
	if i < len(pattern) && (pattern[i] == '!' || pattern[i] == '^') {
		negate = true
		i++
	}
	matched := false
	first := true
	for i < len(pattern) {
		c := pattern[i]
		if c == ']' && !first {
			return matched != negate, i + 1
		}
		first = false
		if c == '\\' && i+1 < len(pattern) {
			i++
			c = pattern[i]
		}
		lo, hi := c, c
		if i+2 < len(pattern) && pattern[i+1] == '-' && pattern[i+2] != ']' {
			hi = pattern[i+2]
			if hi == '\\' && i+3 < len(pattern) {
				i++
				hi = pattern[i+2]
			}
			i += 2
		}
		if lo <= b && b <= hi {
			matched = true
		}
		i++
	}
	return false, 0
}
