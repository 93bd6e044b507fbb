// Package config reads the subset of Apache's httpd.conf language that
// logproxy understands and reports mistakes as FILE:LINE: message.
//
// The reading follows httpd 2.4's own code (server/config.c, server/util.c,
// server/core.c) so that a configuration apache2 -t accepts is accepted,
// and one it refuses is refused with the same message:
//
//   - Lines are read as ap_cfg_getline reads them: a backslash right before
//     the line break joins the next line, white space is trimmed, lines
//     starting with # are comments.
//   - Words are split as ap_getword_conf splits them: double or single
//     quotes, in which a backslash escapes only that quote or a backslash;
//     outside quotes only a doubled backslash is an escape.
//   - ${NAME} is replaced before a line is split, from Define'd variables,
//     then the process environment; an undefined one stays as written and
//     gives a warning.
//   - Include and IncludeOptional (files, directories, wildcards, relative
//     to the server root), Define, UnDefine, <IfModule>, <IfDefine>,
//     <IfFile>, <IfDirective> and <IfSection> act while the file is read;
//     the tree holds their outcome, not the directives themselves.
//   - Sections nest and must close in the file they open in.
//   - Each directive is then checked where it stands: known at all, allowed
//     in its context, given the right number of arguments, with httpd's
//     wording ("LogFormat not allowed in <Directory> context", "TransferLog
//     takes one argument, the filename of the access log"). The
//     mod_log_config directives are checked fully: formats are compiled
//     with package logformat and CustomLog's expr= conditions are parsed
//     with ParseExpr, an implementation of httpd's ap_expr grammar.
//
// Unlike httpd, which stops at the first mistake, every mistake is
// reported, each at the first line of its directive.
//
// Modules: the modules logproxy implements are listed by Modules. Those
// compiled into Debian's apache2 (core, mod_so, http_core, mod_log_config,
// mod_logio, mod_unixd, mod_version, mod_watchdog) are always present; the
// others (an MPM, mod_proxy, mod_headers, ...) are present once
// LoadModule'd, whether or not the .so file exists. <IfModule> tests
// exactly that set, and a directive of a module that is not present is an
// unknown command, as it is to httpd. LoadModule of a module logproxy does
// not implement is an error naming it.
//
// Parse and ParseFile keep no state between calls and may be called
// concurrently.
//
// Server root: Options.ServerRoot (the -d flag), DefaultServerRoot
// (/etc/apache2, as Debian builds apache2) when empty, replaced by any
// ServerRoot directive for the rest of the file.
package config
