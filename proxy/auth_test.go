package proxy

import (
	"encoding/base64"
	"testing"
)

// TestAprBase64Decode: credentials are decoded as apr_base64_decode
// decodes them: the leading run of the alphabet, padding or junk ending
// it, a short last group giving what it can.
func TestAprBase64Decode(t *testing.T) {
	tests := []struct{ in, want string }{
		{base64.StdEncoding.EncodeToString([]byte("alice:secret")), "alice:secret"},
		{"YWxpY2U6c2VjcmV0", "alice:secret"},
		{"YWxpY2U6c2VjcmV0!!junk", "alice:secret"},
		{"YWxpY2U=", "alice"},
		{"YWxpY2U", "alice"},
		{"YWxpY2", "alic"},
		{"Y", ""},
		{"", ""},
		{"***", ""},
		{"YWxp Y2U=", "ali"},
	}
	for _, tt := range tests {
		if got := Base64Decode(tt.in); got != tt.want {
			t.Errorf("Base64Decode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
