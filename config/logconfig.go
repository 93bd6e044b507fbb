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
//	LogFormat format [nickname]
//	CustomLog file|pipe format|nickname [env=[!]VAR|expr=expression]
//	GlobalLog file|pipe format|nickname [env=[!]VAR|expr=expression]
//	TransferLog file|pipe
//	BufferedLogs On|Off
//
// A format is compiled even when it will turn out to be a nickname, as
// httpd does: a nickname compiles as literal text.

// formatError compiles a LogFormat string and returns httpd's message if
// it is refused, with where in the format the fault is, or "".
func formatError(format string) string {
	// The zone does not matter for checking; UTC spares a look at TZ.
	_, err := logformat.Compile(format, &logformat.Options{Location: time.UTC})
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
// (add_custom_log): the condition first, then the format.
func customLogError(args []string) string {
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
	return formatError(args[1])
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
