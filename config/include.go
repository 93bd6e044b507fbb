package config

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/jl6/logproxy/proxy"
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

// fnmatchTest reports whether pattern holds a wildcard (apr_fnmatch_test).
func fnmatchTest(pattern string) bool { return proxy.FnmatchTest(pattern) }

// fnmatch matches a file name against a shell pattern as apr_fnmatch does
// with APR_FNM_PERIOD (a leading '.' in name matches only a literal '.').
func fnmatch(pattern, name string) bool { return proxy.Fnmatch(pattern, name, proxy.FnmPeriod) }
