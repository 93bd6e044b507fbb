package config

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jl6/logproxy/logformat"
)

// This file checks the mod_log_config directives as
// modules/loggers/mod_log_config.c does when it reads them:
//
//	LogFormat format [nickname [escape=json|apache]]
//	CustomLog file|pipe format|nickname [env=[!]VAR|expr=expression]
//	GlobalLog file|pipe format|nickname [env=[!]VAR|expr=expression]
//	TransferLog file|pipe
//	BufferedLogs On|Off
//
// A format is compiled even when it will turn out to be a nickname, as
// httpd does: a nickname compiles as literal text.

// formatError compiles a LogFormat string and returns httpd's message if
// it is refused, with where in the format the fault is, or "".
func formatError(format string, esc logformat.Escape, ssl bool) string {
	// The zone does not matter for checking; UTC spares a look at TZ.
	_, err := logformat.Compile(format, &logformat.Options{Location: time.UTC, Escape: esc, SSL: ssl})
	if err == nil {
		return ""
	}
	var se *logformat.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s (at byte %d of the format)", se.Msg, se.Offset)
	}
	return err.Error()
}

// customLogError checks the arguments of CustomLog or GlobalLog
// (add_custom_log): the condition first, then the format. ssl says that
// mod_ssl is loaded, which adds %x and %c.
func customLogError(args []string, ssl bool) string {
	if len(args) == 3 {
		clause := args[2]
		switch {
		case hasPrefixFold(clause, "env="):
			if v := clause[4:]; v == "" || v == "!" {
				return "missing environment variable name"
			}
		case hasPrefixFold(clause, "expr="):
			if clause[5:] == "" {
				return "missing condition"
			}
			if _, err := ParseExpr(clause[5:]); err != nil {
				return err.Error()
			}
		default:
			return "error in condition clause"
		}
	}
	return formatError(args[1], logformat.EscapeApache, ssl)
}

// logFormatError checks LogFormat's arguments: the format, and
// logproxy's own third argument, escape=json or escape=apache, after a
// nickname (see logFormatEscape).
func logFormatError(args []string, ssl bool) string {
	esc, msg := logFormatEscape(args)
	if msg != "" {
		return msg
	}
	return formatError(args[0], esc, ssl)
}

// logFormatEscape reads how a LogFormat line escapes: escape=json as the
// third argument makes the nickname's lines JSON (logformat.EscapeJSON);
// escape=apache, or no third argument, is httpd's escaping. A second
// argument that reads escape=... is refused rather than taken for a
// nickname: the nickname must come first.
func logFormatEscape(args []string) (logformat.Escape, string) {
	if len(args) == 2 && hasPrefixFold(args[1], "escape=") {
		return 0, fmt.Sprintf("LogFormat %s needs a nickname before it: LogFormat format nickname %s", args[1], args[1])
	}
	if len(args) < 3 {
		return logformat.EscapeApache, ""
	}
	if !hasPrefixFold(args[2], "escape=") {
		return 0, "LogFormat takes 1-2 arguments, a log format string (see docs) and an optional format name" // httpd's words
	}
	switch v := args[2][len("escape="):]; {
	case strings.EqualFold(v, "json"):
		return logformat.EscapeJSON, ""
	case strings.EqualFold(v, "apache"):
		return logformat.EscapeApache, ""
	default:
		return 0, fmt.Sprintf("LogFormat escape= takes json or apache, not %q", v)
	}
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// errorLogFormatError is what httpd's set_errorlog_format says of an
// ErrorLogFormat line, parsed as parse_errorlog_string parses it, or "".
// The once-per-connection and once-per-request formats are checked, then
// refused: logproxy writes only the main format. So are the items its
// error log does not render.
func errorLogFormatError(args []string) string {
	if len(args) == 1 {
		return errorLogStringError(args[0], true)
	}
	kind := strings.ToLower(args[0])
	if kind != "connection" && kind != "request" {
		return "ErrorLogFormat type must be one of request, connection"
	}
	if args[1] == "" {
		return "" // httpd adds no format
	}
	if msg := errorLogStringError(args[1], false); msg != "" {
		return msg
	}
	return "ErrorLogFormat " + kind + " (a once-per-" + kind + " format) is not supported by logproxy"
}

// errorLogStringError follows parse_errorlog_string and
// parse_errorlog_item over s.
func errorLogStringError(s string, main bool) string {
	seenMsg := false
	for i := 0; i < len(s); {
		if s[i] == '\\' {
			i += 2 // the next byte is copied as it is, even a '%'
			continue
		}
		if s[i] != '%' {
			i++
			continue
		}
		i++
		if i < len(s) && (s[i] == ' ' || s[i] == '%') {
			if s[i] == '%' {
				i++
				continue
			}
			// "% " is a field separator; the item follows.
			i++
			if i >= len(s) || s[i] != '%' {
				continue
			}
			i++
		}
		required, level, item := false, 0, byte(0)
		for item == 0 {
			if i >= len(s) {
				return "Ran off end of error log format parsing args to some directive"
			}
			switch c := s[i]; {
			case c == '{':
				if j := strings.IndexByte(s[i+1:], '}'); j >= 0 {
					i += j + 2
				} else {
					i = len(s)
				}
			case c == '+':
				required = true
				i++
			case c == '-':
				i++
			case '0' <= c && c <= '9':
				level = 0
				for i < len(s) && '0' <= s[i] && s[i] <= '9' {
					level = min(level*10+int(s[i]-'0'), 1000)
					i++
				}
			default:
				item = c
				i++
			}
		}
		switch item {
		case 'M':
			if !main {
				return "%M cannot be used in once-per-request or once-per-connection formats"
			}
			seenMsg = true
		case 'a', 'E', 'F', 'l', 'L', 'm', 'P', 't', 'T':
		case 'A', 'e', 'i', 'k', 'n', 'v', 'V':
			if main {
				return "ErrorLogFormat item %" + string(item) + " is not supported by logproxy"
			}
		default:
			return "Unrecognized error log format directive %" + string(item)
		}
		if main && required {
			return "The '+' flag cannot be used in the main error log format"
		}
		if !main && level != 0 {
			return "The loglevel cannot be used as a condition in once-per-request or once-per-connection formats"
		}
		if level > 15 { // APLOG_TRACE8
			return "The specified loglevel modifier is out of range"
		}
	}
	if main && !seenMsg {
		return "main ErrorLogFormat must contain message format string '%M'"
	}
	return ""
}
