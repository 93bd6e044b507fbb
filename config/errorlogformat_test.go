package config

import "testing"

// TestErrorLogFormatError: ErrorLogFormat lines are refused with httpd's
// messages (set_errorlog_format, parse_errorlog_string), and the forms
// and items logproxy does not write are refused by name.
func TestErrorLogFormatError(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"corpus format", []string{"[%t] [%l] [%L] %M"}, ""},
		{"modifiers and braces", []string{"[%{cu}t] [%-m:%l] [pid %P:tid %T] %7a %-L %E: %F: %M"}, ""},
		{"field separator", []string{"[%t]% %M"}, ""},
		{"escaped percent", []string{`\%Z %M`}, ""},
		{"literal percent", []string{"100%% %M"}, ""},
		{"unknown item", []string{"%Z %M"}, "Unrecognized error log format directive %Z"},
		{"unclosed brace", []string{"%{x"}, "Ran off end of error log format parsing args to some directive"},
		{"lone percent", []string{"%M %"}, "Ran off end of error log format parsing args to some directive"},
		{"dangling modifier", []string{"%M %-"}, "Ran off end of error log format parsing args to some directive"},
		{"no message", []string{"%{cu}t %a"}, "main ErrorLogFormat must contain message format string '%M'"},
		{"plus in main", []string{"%+M"}, "The '+' flag cannot be used in the main error log format"},
		{"level out of range", []string{"%16l %M"}, "The specified loglevel modifier is out of range"},
		{"item not written", []string{"%v %M"}, "ErrorLogFormat item %v is not supported by logproxy"},
		{"bad type", []string{"bogus", "[%t]"}, "ErrorLogFormat type must be one of request, connection"},
		{"message per connection", []string{"connection", "[%t] %M"}, "%M cannot be used in once-per-request or once-per-connection formats"},
		{"level per request", []string{"request", "%7a"}, "The loglevel cannot be used as a condition in once-per-request or once-per-connection formats"},
		{"empty connection format", []string{"Connection", ""}, ""},
		{"connection format", []string{"connection", "[%t] %a"}, "ErrorLogFormat connection (a once-per-connection format) is not supported by logproxy"},
		{"request format", []string{"REQUEST", "%+{X}i"}, "ErrorLogFormat request (a once-per-request format) is not supported by logproxy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errorLogFormatError(tt.args); got != tt.want {
				t.Errorf("errorLogFormatError(%q) = %q, want %q", tt.args, got, tt.want)
			}
		})
	}
}
