package config

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one problem found in a configuration, at the line of the
// directive it concerns. Msg keeps httpd's own wording where httpd has one,
// so that a message reads like the second line of `apache2 -t` output.
type Error struct {
	File string // file name as given to Parse or ParseFile, or the resolved path of an included file
	Line int    // 1-based line number of the directive's first physical line
	Msg  string

	seq int // reading order of the line, for sorting
}

// Error formats e as FILE:LINE: message.
func (e *Error) Error() string {
	if e.Line == 0 {
		return e.File + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// ErrorList is every error found in a configuration, in file order. Parse
// and ParseFile return one as their error; use errors.As to get at it.
type ErrorList []*Error

// Error returns the first error and how many more there are. Print the
// list element by element to see them all.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0].Error(), len(l)-1)
}

// sortStable orders the list the way the lines were read (an included
// file's lines come at the Include), keeping the order of errors reported
// for the same line.
func (l ErrorList) sortStable() {
	sort.SliceStable(l, func(i, j int) bool { return l[i].seq < l[j].seq })
}

// capitalize upper-cases the first byte of an OS error text, so that
// "no such file or directory" reads like httpd's strerror output.
func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
