package proxy

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// The Options bits of core's allow_options_t that logproxy reads or
// keeps for merging.
const (
	OptIndexes  uint16 = 1 << iota // Indexes
	OptIncludes                    // Includes, IncludesNOEXEC
	OptSymLinks                    // FollowSymLinks
	OptExecCGI                     // ExecCGI
	OptIncExec                     // Includes (with exec)
	OptSymOwner                    // SymLinksIfOwnerMatch
	OptMulti                       // MultiViews
	OptAll      = OptIndexes | OptIncludes | OptIncExec | OptSymLinks | OptExecCGI
	defaultOpts = OptSymLinks // httpd 2.4's default: Options FollowSymlinks
)

// DirOptions is one Options directive, or the merge of several: Set when it
// names options outright (which replaces what the parent had), else the
// +/- changes to the parent's.
type DirOptions struct {
	Set         bool
	Opts        uint16
	Add, Remove uint16
}

// mergeOptions is core's merge of Options: an outright setting wins, +/-
// changes apply to the parent's options.
func mergeOptions(base, add DirOptions) DirOptions {
	if add.Set {
		return add
	}
	n := DirOptions{Set: base.Set}
	n.Add = (base.Add &^ add.Remove) | add.Add
	n.Remove = (base.Remove &^ add.Add) | add.Remove
	n.Opts = (base.Opts &^ n.Remove) | n.Add
	return n
}

// options returns the options in effect for d.
func (d *DirConfig) options() uint16 {
	base := DirOptions{Set: true, Opts: defaultOpts}
	if d == nil || d.Options == nil {
		return base.Opts
	}
	return mergeOptions(base, *d.Options).Opts
}

// symlinkRefused is ap_directory_walk's check of symbolic links when
// FollowSymLinks is off: the first component of name that is a link,
// unless SymLinksIfOwnerMatch allows it (the link and its target have the
// same owner), or a link whose target is not there. It returns "" when
// the path may be served.
func symlinkRefused(name string, opts uint16) string {
	if opts&OptSymLinks != 0 || !filepath.IsAbs(name) {
		return ""
	}
	for i := 1; i <= len(name); i++ {
		if i < len(name) && name[i] != '/' {
			continue
		}
		prefix := name[:i]
		lst, err := os.Lstat(prefix)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
				return "" // the rest does not exist: a 404 follows
			}
			return ""
		}
		if lst.Mode()&fs.ModeSymlink == 0 {
			continue
		}
		if opts&OptSymOwner == 0 {
			return prefix
		}
		st, err := os.Stat(prefix)
		if err != nil {
			return prefix
		}
		lsys, ok1 := lst.Sys().(*syscall.Stat_t)
		ssys, ok2 := st.Sys().(*syscall.Stat_t)
		if !ok1 || !ok2 || lsys.Uid != ssys.Uid {
			return prefix
		}
	}
	return ""
}

// optionsWords reads the words of an Options line as core's set_options
// does; it returns httpd's message for a bad line.
func optionsWords(words []string) (DirOptions, string) {
	var o DirOptions
	first, merge, allNone := true, false, false
	for _, w := range words {
		action := byte(0)
		if w != "" && (w[0] == '+' || w[0] == '-') {
			action, w = w[0], w[1:]
			if !merge && !first && !allNone {
				return o, "Either all Options must start with + or -, or no Option may."
			}
			merge = true
		} else if first {
			o.Set, o.Opts = true, 0
		} else if merge {
			return o, "Either all Options must start with + or -, or no Option may."
		}
		var opt uint16
		switch strings.ToLower(w) {
		case "indexes":
			opt = OptIndexes
		case "includes":
			opt = OptIncludes | OptIncExec
		case "includesnoexec":
			opt = OptIncludes
		case "followsymlinks":
			opt = OptSymLinks
		case "symlinksifownermatch":
			opt = OptSymOwner
		case "execcgi":
			opt = OptExecCGI
		case "multiviews":
			opt = OptMulti
		case "runscripts":
			opt = OptMulti | OptExecCGI
		case "none":
			if !first {
				return o, "'Options None' must be the first Option given."
			} else if merge {
				return o, "You may not use 'Options +None' or 'Options -None'."
			}
			allNone = true
		case "all":
			if !first {
				return o, "'Options All' must be the first option given."
			} else if merge {
				return o, "You may not use 'Options +All' or 'Options -All'."
			}
			opt = OptAll
			allNone = true
		default:
			return o, "Illegal option " + w
		}
		switch action {
		case '-':
			o.Remove |= opt
			o.Add &^= opt
			o.Opts &^= opt
		case '+':
			o.Add |= opt
			o.Remove &^= opt
			o.Opts |= opt
		default:
			o.Opts |= opt
		}
		first = false
	}
	return o, ""
}

// ParseOptions reads an Options line; the error is httpd's message.
func ParseOptions(words []string) (DirOptions, error) {
	o, msg := optionsWords(words)
	if msg != "" {
		return DirOptions{}, errors.New(msg)
	}
	return o, nil
}
