package logformat

// DefaultFormat is httpd's DEFAULT_LOG_FORMAT: the format of the predefined
// nickname "CLF", and of TransferLog when no LogFormat sets a default.
const DefaultFormat = `%h %l %u %t "%r" %>s %b`

// Nicknames is one server's table of LogFormat nicknames. As in httpd,
// CustomLog names are resolved when the logs are opened, after the whole
// configuration is read, so a CustomLog may name a nickname defined further
// down; a name that is not a nickname is a format in its own right, so a
// typo logs itself as literal text.
//
// The zero value holds only what httpd predefines: "CLF". Names compare
// without regard to case, as httpd's apr_table_get compares them.
type Nicknames struct {
	// Parent is the main server's table, which a virtual host's table
	// falls back to. Nil for the main server.
	Parent *Nicknames
	defs   []nickname
}

type nickname struct {
	name, format string
	esc          Escape
}

// Define sets the format of a nickname and how it escapes, replacing an
// earlier definition in this table (LogFormat "format" name [escape=json]).
func (n *Nicknames) Define(name, format string, esc Escape) {
	for i := range n.defs {
		if equalFold(n.defs[i].name, name) {
			n.defs[i] = nickname{name, format, esc}
			return
		}
	}
	n.defs = append(n.defs, nickname{name, format, esc})
}

// Resolve returns the format that s names and its escaping, or s itself
// with httpd's escaping when it is not a nickname. Each table holds httpd's
// predefined CLF ahead of its parent, as mod_log_config's per-server
// tables do: a virtual host sees the built-in CLF even when the main
// server redefines it.
func (n *Nicknames) Resolve(s string) (string, Escape) {
	for t := n; t != nil; t = t.Parent {
		if d, ok := t.lookup(s); ok {
			return d.format, d.esc
		}
	}
	return s, EscapeApache
}

func (n *Nicknames) lookup(s string) (nickname, bool) {
	for i := range n.defs {
		if equalFold(n.defs[i].name, s) {
			return n.defs[i], true
		}
	}
	if equalFold(s, "CLF") {
		return nickname{"CLF", DefaultFormat, EscapeApache}, true
	}
	return nickname{}, false
}
