package config

import (
	"path/filepath"
	"slices"
	"testing"
)

const mdHead = sslHead + "LoadModule md_module x\n"

func TestBuildMD(t *testing.T) {
	site, err := buildText(t, mdHead+`ServerAdmin mailto:admin@example.test
MDomain example.test www.example.test auto
MDCertificateAgreement accepted
MDCertificateAuthority LetsEncrypt-Test
MDPrivateKeys secp384r1
MDRenewWindow 25%
MDPortMap http:8080 https:-
<VirtualHost *:443>
ServerName example.test
SSLEngine on
</VirtualHost>
<VirtualHost *:443>
ServerName other.test
MDomain other.test
SSLEngine on
</VirtualHost>
`)
	if err != nil {
		t.Fatal(err)
	}
	a := site.ACME
	if a == nil {
		t.Fatal("no ACME settings")
	}
	if !slices.Equal(a.Names(), []string{"example.test", "www.example.test", "other.test"}) {
		t.Errorf("names %v", a.Names())
	}
	if a.CA != "https://acme-staging-v02.api.letsencrypt.org/directory" || a.Email != "admin@example.test" ||
		a.KeyType != "p384" || a.RenewWindow != 0.25 || a.HTTPPort != 8080 || !a.NoTLSALPN01 || a.NoHTTP01 {
		t.Errorf("settings %+v", a)
	}
	if filepath.Base(a.StoreDir) != "md" || !filepath.IsAbs(a.StoreDir) {
		t.Errorf("MDStoreDir default %q, want ServerRoot/md", a.StoreDir)
	}
	for _, v := range site.VHosts {
		if v.TLS == nil || !v.TLS.Managed || len(v.TLS.Certificates) != 0 {
			t.Errorf("%s: TLS %+v, want managed", v.Hostname, v.TLS)
		}
	}
}

func TestBuildMDErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
		line            int
	}{
		{"unknown CA", "MDCertificateAuthority Nope\n", "The CA name 'Nope' is not known and it is not a URL either", 7},
		{"failover", "MDCertificateAuthority LetsEncrypt Buypass\n", "several CAs (failover) is not supported", 7},
		{"dns-01", "MDCAChallenges dns-01\n", "MDCAChallenges dns-01 is not supported by logproxy", 7},
		{"challenge word", "MDCAChallenges http-02\n", `unknown challenge type "http-02"`, 7},
		{"port map", "MDPortMap 8080\n", "expected format is 'http:port'", 7},
		{"key type", "MDPrivateKeys Ed25519\n", "MDPrivateKeys Ed25519 is not supported by logproxy", 7},
		{"renew window in days", "MDRenewWindow 21d\n", "logproxy takes the window as a percentage", 7},
		{"manual renewal", "MDRenewMode manual\n", "MDRenewMode manual is not supported by logproxy", 7},
		{"no names", "MDomain auto\n", "needs at least one domain name", 7},
		{"settings in a virtual host", "<VirtualHost *:443>\nMDContactEmail a@b.test\n</VirtualHost>\n", "MDContactEmail in a <VirtualHost> is not supported by logproxy", 8},
		{"require https", "MDRequireHttps always\n", "unknown 'always', supported parameter values are 'temporary' and 'permanent'", 7},
		{"notify command", "MDNotifyCmd /bin/true\n", "MDNotifyCmd is not supported by logproxy yet", 7},
		{"a TLS host not managed", "MDomain a.test\n<VirtualHost *:443>\nServerName b.test\nSSLEngine on\n</VirtualHost>\n", "AH02572", 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectFirstError(t, parseAndBuild(t, mdHead+tt.src), tt.want, tt.line)
		})
	}
}
