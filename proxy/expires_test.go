package proxy

import (
	"testing"
	"time"
)

func TestParseExpiresCode(t *testing.T) {
	tests := []struct{ in, code, msg string }{
		{"access plus 1 hour", "A3600", ""},
		{"now plus 2 days 3 hours", "A183600", ""},
		{"modification 10 minutes", "M600", ""},
		{"a 1 year 1 month 1 week 1 second", "A34732801", ""},
		{"M60", "M60", ""},
		{"Access plus 1 day", "Access plus 1 day", ""}, // httpd's old form: A then seconds (none)
		{"access plus 1 m", "", "bad expires code, unrecognised <type>'m'"},
		{"tomorrow", "", "bad expires code, unrecognised <base> 'tomorrow'"},
		{"access plus one day", "", "bad expires code, numeric value expected <num> 'one'"},
		{"access plus 5", "", "bad expires code, missing <type>"},
	}
	for _, tt := range tests {
		code, msg := ParseExpiresCode(tt.in)
		if code != tt.code || msg != tt.msg {
			t.Errorf("ParseExpiresCode(%q) = %q, %q; want %q, %q", tt.in, code, msg, tt.code, tt.msg)
		}
	}
}

// TestExpiresFields: Expires is the base plus the seconds, never before
// the request, and max-age the seconds from the request to it.
func TestExpiresFields(t *testing.T) {
	begin := time.Date(2026, 11, 22, 23, 41, 27, 500000000, time.UTC)
	tests := []struct {
		code          string
		mtime         int64
		cache, expiry string
	}{
		{"A183600", 0, "max-age=183600", "Wed, 25 Nov 2026 02:41:27 GMT"},
		{"M600", begin.Add(-5 * time.Minute).UnixMicro(), "max-age=300", "Sun, 22 Nov 2026 23:46:27 GMT"},
		{"M30", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro(), "max-age=0", "Sun, 22 Nov 2026 23:41:27 GMT"},
		{"M30", 0, "", ""},
		{"Access plus 1 day", 0, "max-age=0", "Sun, 22 Nov 2026 23:41:27 GMT"},
	}
	for _, tt := range tests {
		ex := &exchange{begin: begin, fileMtime: tt.mtime}
		ex.r.headersOut = Fields{{Name: "Cache-Control", Value: "public"}}
		ex.setExpiration(tt.code)
		cc, _ := ex.r.headersOut.Get("Cache-Control")
		exp, _ := ex.r.headersOut.Get("Expires")
		wantCC := "public"
		if tt.cache != "" {
			wantCC += ", " + tt.cache
		}
		if cc != wantCC || exp != tt.expiry {
			t.Errorf("setExpiration(%q) = %q, %q; want %q, %q", tt.code, cc, exp, wantCC, tt.expiry)
		}
	}
}
