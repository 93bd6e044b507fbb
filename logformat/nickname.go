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
	defs   Fields
}

// Define sets the format of a nickname, replacing an earlier definition in
// this table (LogFormat "format" name).
func (n *Nicknames) Define(name, format string) {
	for i := range n.defs {
		if equalFold(n.defs[i].Name, name) {
			n.defs[i].Value = format
			return
		}
	}
	n.defs = append(n.defs, Field{name, format})
}

// Resolve returns the format that s names, or s itself when it is not a
// nickname. Each table holds httpd's predefined CLF ahead of its parent, as
// mod_log_config's per-server tables do: a virtual host sees the built-in
// CLF even when the main server redefines it.
func (n *Nicknames) Resolve(s string) string {
	for t := n; t != nil; t = t.Parent {
		if f, ok := t.lookup(s); ok {
			return f
		}
	}
	return s
}

func (n *Nicknames) lookup(s string) (string, bool) {
	if f, ok := n.defs.Get(s); ok {
		return f, true
	}
	if equalFold(s, "CLF") {
		return DefaultFormat, true
	}
	return "", false
}
