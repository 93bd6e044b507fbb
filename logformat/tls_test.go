package logformat

import (
	"strings"
	"testing"
)

func TestSSLItems(t *testing.T) {
	format := `%{HTTPS}x %{SSL_PROTOCOL}x %{SSL_CIPHER}x %{SSL_CIPHER_USEKEYSIZE}x/%{SSL_CIPHER_ALGKEYSIZE}x %{SSL_CIPHER_EXPORT}x "%{SSL_TLS_SNI}x" %{SSL_SESSION_RESUMED}x %{SSL_CLIENT_VERIFY}x %{SSL_CLIENT_S_DN}x %{SSL_COMPRESS_METHOD}x %{SSL_SECURE_RENEG}x %{version}c %{cipher}c %{subjectdn}c %{errcode}c %{bogus}c`
	f, err := Compile(format, &Options{Location: utc(), SSL: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		tls  *TLS
		want string
	}{
		{"plain connection", nil, `off - - -/- - "-" - - - - - - - - - -`},
		{"TLS 1.3", &TLS{Protocol: "TLSv1.3", Cipher: "TLS_AES_128_GCM_SHA256", UseKeySize: 128, AlgKeySize: 128, SNI: "www.example.test"},
			`on TLSv1.3 TLS_AES_128_GCM_SHA256 128/128 false "www.example.test" Initial NONE - NULL false TLSv1.3 TLS_AES_128_GCM_SHA256 - - -`},
		{"TLS 1.2 resumed, no SNI", &TLS{Protocol: "TLSv1.2", Cipher: "ECDHE-RSA-AES256-GCM-SHA384", UseKeySize: 256, AlgKeySize: 256, Resumed: true, SecureRenegotiation: true},
			`on TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384 256/256 false "-" Resumed NONE - NULL true TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384 - - -`},
		{"a hostile SNI is escaped", &TLS{Protocol: "TLSv1.3", SNI: "a\"b\n"},
			`on TLSv1.3 - 0/0 false "a\"b\n" Initial NONE - NULL false TLSv1.3 - - - -`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sampleRecord()
			r.TLS = tc.tls
			if got := string(f.Append(nil, r)); got != tc.want+"\n" {
				t.Errorf("got  %q\nwant %q", got, tc.want+"\n")
			}
		})
	}
}

func TestSSLItemsNeedModSSL(t *testing.T) {
	for _, format := range []string{`%{SSL_PROTOCOL}x`, `%{version}c`} {
		_, err := Compile(format, &Options{Location: utc()})
		if err == nil || !strings.Contains(err.Error(), "Unrecognized LogFormat directive %") {
			t.Errorf("Compile(%q) without mod_ssl: %v, want httpd's error", format, err)
		}
	}
	_, err := Compile(`%{SSL_SERVER_S_DN}x`, &Options{Location: utc(), SSL: true})
	if err == nil || !strings.Contains(err.Error(), "does not log this mod_ssl variable") {
		t.Errorf("an unknown variable: %v", err)
	}
}

func TestSSLVar(t *testing.T) {
	tl := &TLS{Protocol: "TLSv1.2", Cipher: "ECDHE-RSA-AES128-GCM-SHA256", UseKeySize: 128, AlgKeySize: 128, SNI: "a\"b", Resumed: true}
	for _, tc := range []struct {
		name string
		tls  *TLS
		want string
	}{
		{"SSL_PROTOCOL", tl, "TLSv1.2"},
		{"SSL_CIPHER", tl, "ECDHE-RSA-AES128-GCM-SHA256"},
		{"SSL_CIPHER_USEKEYSIZE", tl, "128"},
		{"SSL_TLS_SNI", tl, "a\"b"},
		{"SSL_SESSION_RESUMED", tl, "Resumed"},
		{"SSL_CLIENT_S_DN", tl, ""},
		{"SSL_PROTOCOL", nil, ""},
		{"SSL_CLIENT_VERIFY", nil, ""},
	} {
		if got := SSLVar(tc.tls, tc.name); got != tc.want {
			t.Errorf("SSLVar(%v, %s) = %q, want %q", tc.tls != nil, tc.name, got, tc.want)
		}
	}
	if IsSSLVar("HTTPS") || !IsSSLVar("SSL_CIPHER") || IsSSLVar("SSL_SERVER_S_DN") {
		t.Error("IsSSLVar")
	}
}
