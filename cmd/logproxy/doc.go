// Command logproxy is a reverse proxy that reads an Apache httpd.conf and
// writes the access log lines httpd would have written.
//
// Usage:
//
//	logproxy [-d serverroot] [-f file] [-D name]... -t
//	logproxy -v
//
// -t checks the configuration as apache2 -t does: "Syntax OK" on stdout and
// exit status 0, or every mistake on stderr as FILE:LINE: message and exit
// status 1. Warnings (FILE:LINE: warning: message) do not change the
// status. -f defaults to apache2.conf and, when relative, is taken relative
// to the server root (-d, default /etc/apache2), as with apache2. -D defines
// a name for <IfDefine>; -DNAME works too.
//
// Serving is not implemented yet: without -t, logproxy says so and exits
// with status 2.
package main
