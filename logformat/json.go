package logformat

import (
	"encoding/json"
	"time"
)

// A format escaped as JSON (EscapeJSON) must be a JSON text once its items
// have values, so that every line it renders is one: compileJSON checks
// that when the format is compiled. An item inside a JSON string is text,
// escaped for JSON. An item outside one must be a number (%>s, %B, %D,
// ...) or a time whose format renders as one; where httpd would log "-"
// for it (no status, %b of an empty body, an item whose status list does
// not match) it logs null instead.

// compileJSON marks the items of f that stand outside a JSON string and
// checks the format as above.
func (f *Format) compileJSON() *SyntaxError {
	inString := false
	var probe []byte
	sample := &Record{Begin: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	sample.End = sample.Begin
	for i := range f.items {
		it := &f.items[i]
		if it.op == opLiteral && len(it.conds) == 0 {
			for j := 0; j < len(it.arg); j++ {
				switch c := it.arg[j]; {
				case inString && c == '\\':
					j++ // the escaped byte
				case c == '"':
					inString = !inString
				}
			}
			probe = append(probe, it.arg...)
			continue
		}
		if inString {
			probe = append(probe, 'x')
			continue
		}
		it.bare = true
		switch c := it.class(); {
		case c == classNumber:
			probe = append(probe, '0')
		case c == classAny && it.op == opTime:
			// A time in a format of the user's (%{%s}t): what it renders.
			probe = f.appendItem(probe, it, sample)
		default:
			return &SyntaxError{Offset: it.itemOff,
				Msg: "in a format escaped as JSON, " + f.itemSource(it) + " is text and must stand inside a JSON string (in double quotes)"}
		}
	}
	if err := json.Unmarshal(probe, new(any)); err != nil {
		return &SyntaxError{Msg: "a format escaped as JSON must be a JSON text once its items have values: " + err.Error()}
	}
	return nil
}
