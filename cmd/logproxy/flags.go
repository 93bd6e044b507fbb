package main

import "strings"

// defineList collects the -D flags.
type defineList []string

func (d *defineList) String() string { return strings.Join(*d, ",") }

func (d *defineList) Set(name string) error {
	*d = append(*d, name)
	return nil
}

// splitDefines rewrites apache2's glued form -DNAME as -D NAME, which the
// flag package understands. Flag values are left alone.
func splitDefines(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(out, args[i:]...)
		case a == "-D" || a == "-d" || a == "-f":
			out = append(out, a)
			if i+1 < len(args) {
				i++
				out = append(out, args[i])
			}
		case strings.HasPrefix(a, "-D") && len(a) > 2 && a[2] != '=':
			out = append(out, "-D", a[2:])
		default:
			out = append(out, a)
		}
	}
	return out
}
