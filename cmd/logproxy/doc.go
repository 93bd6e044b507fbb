// Command logproxy is a reverse proxy that reads an Apache httpd.conf and
// writes the access log lines httpd would have written.
//
// Usage:
//
//	logproxy [-d serverroot] [-f file] [-D name]...      serve in the foreground
//	logproxy [-d serverroot] [-f file] [-D name]... -t   check the configuration
//	logproxy [-d serverroot] [-f file] -k command        signal the running server
//	logproxy -v
//	logproxy rotatelogs [options] logfile rotationtime|filesize(B|K|M|G)
//
// -t checks the configuration as apache2 -t does: "Syntax OK" on stdout and
// exit status 0, or every mistake on stderr as FILE:LINE: message and exit
// status 1. Warnings (FILE:LINE: warning: message) do not change the
// status. -f defaults to apache2.conf and, when relative, is taken relative
// to the server root (-d, default /etc/apache2), as with apache2. -D defines
// a name for <IfDefine>; -DNAME works too.
//
// Without -t, logproxy serves in the foreground. Signals are httpd's:
// SIGTERM stops (requests in flight finish, logs are flushed and closed),
// SIGWINCH stops gracefully, SIGUSR1 (graceful restart) and SIGHUP
// (restart) reload the configuration and reopen every log file without
// dropping connections; a configuration that fails to load is reported and
// the running one keeps serving. -k start|stop|restart|graceful|
// graceful-stop signals the server whose pid is in the PidFile, as
// apachectl does.
package main
