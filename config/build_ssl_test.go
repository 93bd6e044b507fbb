package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// writeTestCert writes a self-signed ECDSA certificate for names and its
// key as PEM files in dir, and returns their paths.
func writeTestCert(t *testing.T, dir, base string, names ...string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: names[0]}, DNSNames: names,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, base+".crt"), filepath.Join(dir, base+".key")
	writeFileT(t, certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	writeFileT(t, keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}))
	return certFile, keyFile
}

func writeFileT(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

const sslHead = "LoadModule mpm_event_module x\nLoadModule proxy_module x\nLoadModule proxy_http_module x\nLoadModule ssl_module x\nListen 127.0.0.1:0\n"

func TestBuildSSL(t *testing.T) {
	dir := t.TempDir()
	aCert, aKey := writeTestCert(t, dir, "a", "a.test")
	bCert, bKey := writeTestCert(t, dir, "b", "b.test", "www.b.test")
	// The key in the certificate's file, as mod_ssl allows.
	both := filepath.Join(dir, "both.pem")
	c, _ := os.ReadFile(bCert)
	k, _ := os.ReadFile(bKey)
	writeFileT(t, both, append(c, k...))
	site, err := buildText(t, sslHead+`SSLEngine on
SSLCertificateFile `+aCert+`
SSLCertificateKeyFile `+aKey+`
SSLProtocol all -TLSv1 -TLSv1.1
SSLCipherSuite ECDHE+AESGCM
<VirtualHost *:443>
ServerName a.test
</VirtualHost>
<VirtualHost *:443>
ServerName b.test
SSLCertificateFile `+bCert+`
SSLCertificateKeyFile `+bKey+`
SSLProtocol -all +TLSv1.3
SSLSessionTickets off
</VirtualHost>
<VirtualHost *:80>
ServerName plain.test
SSLEngine off
</VirtualHost>
`)
	if err != nil {
		t.Fatal(err)
	}
	// Without SSLCertificateKeyFile, the key is in the certificate's file.
	site2, err := buildText(t, sslHead+"Listen 127.0.0.1:0 https\nSSLFIPS off\nSSLEngine on\nSSLCertificateFile "+both+"\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := site2.Main.TLS.Certificates[0].Leaf.DNSNames; !slices.Equal(got, []string{"b.test", "www.b.test"}) {
		t.Errorf("certificate and key in one file: %v", got)
	}
	main, a, b, plain := site.Main.TLS, site.VHosts[0].TLS, site.VHosts[1].TLS, site.VHosts[2].TLS
	if main == nil || a == nil || b == nil {
		t.Fatalf("TLS settings main %v, a %v, b %v: want all three", main, a, b)
	}
	if plain != nil {
		t.Errorf("SSLEngine off in a virtual host: %+v", plain)
	}
	if got := a.Certificates[0].Leaf.DNSNames; !slices.Equal(got, []string{"a.test"}) {
		t.Errorf("a.test inherits the main server's certificate: %v", got)
	}
	if got := b.Certificates[0].Leaf.DNSNames; !slices.Equal(got, []string{"b.test", "www.b.test"}) {
		t.Errorf("b.test's own certificate: %v", got)
	}
	if a.MinVersion != tls.VersionTLS12 || a.MaxVersion != tls.VersionTLS13 || b.MinVersion != tls.VersionTLS13 {
		t.Errorf("versions: a %x-%x, b %x-%x", a.MinVersion, a.MaxVersion, b.MinVersion, b.MaxVersion)
	}
	want := []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384}
	if !slices.Equal(a.CipherSuites, want) || !slices.Equal(b.CipherSuites, want) {
		t.Errorf("cipher suites a %x b %x, want %x (inherited)", a.CipherSuites, b.CipherSuites, want)
	}
	if a.SessionTicketsDisabled || !b.SessionTicketsDisabled {
		t.Errorf("session tickets disabled: a %v, b %v", a.SessionTicketsDisabled, b.SessionTicketsDisabled)
	}
}

func TestBuildSSLErrors(t *testing.T) {
	dir := t.TempDir()
	aCert, aKey := writeTestCert(t, dir, "a", "a.test")
	_, bKey := writeTestCert(t, dir, "b", "b.test")
	empty := filepath.Join(dir, "empty.pem")
	writeFileT(t, empty, nil)
	enc := filepath.Join(dir, "enc.key")
	writeFileT(t, enc, []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n"))
	pair := "SSLCertificateFile " + aCert + "\nSSLCertificateKeyFile " + aKey + "\n"
	tests := []struct {
		name, src, want string
		line            int
	}{
		{"missing file", "SSLCertificateFile " + dir + "/nope.crt\n", "SSLCertificateFile: file '" + dir + "/nope.crt' does not exist or is empty", 6},
		{"empty file", "SSLCertificateKeyFile " + empty + "\n", "does not exist or is empty", 6},
		{"key does not match", "SSLEngine on\nSSLCertificateFile " + aCert + "\nSSLCertificateKeyFile " + bKey + "\n", "AH02565: Certificate and private key from", 7},
		// As mod_ssl merges them by position, a virtual host's only
		// certificate goes with the main server's first key.
		{"the main server's key", "SSLCertificateKeyFile " + bKey + "\n<VirtualHost *:443>\nSSLEngine on\nSSLCertificateFile " + aCert + "\n</VirtualHost>\n", "AH02565", 9},
		{"encrypted key", "SSLEngine on\nSSLCertificateFile " + aCert + "\nSSLCertificateKeyFile " + enc + "\n", "AH02564", 7},
		{"no certificate", "ServerName x.test\nSSLEngine on\n", "AH02572: Failed to configure at least one certificate and key for x.test:443", 7},
		{"engine word", "SSLEngine maybe\n", "Argument must be On, Off, or Optional", 6},
		{"engine optional", "SSLEngine optional\n", "SSLEngine Optional is not supported by logproxy", 6},
		{"protocol word", "SSLProtocol all -TLSv9\n", "SSLProtocol: Illegal protocol 'TLSv9'", 6},
		{"sslv2", "SSLProtocol +SSLv2\n", "SSLProtocol: SSLv2 is no longer supported", 6},
		{"sslv3", "SSLProtocol SSLv3\n", "SSLv3 not supported by this version of OpenSSL", 6},
		{"only old protocols", "SSLProtocol TLSv1 +TLSv1.1\n", "it serves TLS 1.2 and 1.3 only", 6},
		{"no protocol", "SSLProtocol all -TLSv1.2 -TLSv1.3 -TLSv1.1 -TLSv1\n", "No SSL protocols available", 6},
		{"ciphers none", "SSLCipherSuite RC4:3DES:DHE\n", "AH01898: Unable to configure permitted SSL ciphers", 6},
		{"ciphers tls 1.3", "SSLCipherSuite TLSv1.3 TLS_AES_256_GCM_SHA384\n", "SSLCipherSuite TLSv1.3 is not supported by logproxy", 6},
		{"ciphers protocol", "SSLCipherSuite TLSv1.2 HIGH\n", "protocol 'TLSv1.2' not supported", 6},
		{"ciphers in a directory", "<Location /x>\nSSLCipherSuite HIGH\n</Location>\n", "SSLCipherSuite in a directory context is not supported by logproxy", 7},
		{"stapling", pair + "SSLUseStapling on\n", "SSLUseStapling On is not supported by logproxy (OCSP stapling)", 8},
		{"client certificates", "SSLVerifyClient require\n", "SSLVerifyClient require is not supported by logproxy", 6},
		{"compression in a virtual host", "<VirtualHost *:443>\nSSLCompression off\n</VirtualHost>\n", "SSLCompression cannot occur within <VirtualHost> section", 7},
		{"require expression", "<Location /x>\nSSLRequire %{SSL_CIPHER} =~ m/AES/\n</Location>\n", "SSLRequire is not supported by logproxy", 7},
		{"require ssl in a server", "SSLRequireSSL\n", "SSLRequireSSL not allowed here", 6},
		{"headers' ssl variable", "LoadModule headers_module x\nHeader set X %{HTTP_HOST}s\n", "logproxy gives %{..}s mod_ssl's variables only", 7},
		{"fips", "SSLFIPS on\n", "SSLFIPS On is not supported by logproxy (FIPS mode)", 6},
		{"ticket key file", "SSLSessionTicketKeyFile " + aKey + "\n", "SSLSessionTicketKeyFile is not supported by logproxy yet", 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectFirstError(t, parseAndBuild(t, sslHead+tt.src), tt.want, tt.line)
		})
	}
}

func TestSSLLogItems(t *testing.T) {
	// %x needs mod_ssl, loaded anywhere in the configuration.
	_, err := buildText(t, "LogFormat \"%{SSL_PROTOCOL}x %{version}c\" tls\nLoadModule mpm_event_module x\nLoadModule ssl_module x\nListen 127.0.0.1:0\nCustomLog /dev/null tls\n")
	if err != nil {
		t.Errorf("with mod_ssl: %v", err)
	}
	err = parseAndBuild(t, "LoadModule mpm_event_module x\nListen 127.0.0.1:0\nCustomLog /dev/null \"%{SSL_PROTOCOL}x\"\n")
	if err == nil || !strings.Contains(err.Error(), "Unrecognized LogFormat directive %x") {
		t.Errorf("without mod_ssl: %v", err)
	}
}

// parseAndBuild is buildText that returns the parser's errors too.
func parseAndBuild(t *testing.T, src string) error {
	t.Helper()
	root := t.TempDir()
	path := filepath.Join(root, "httpd.conf")
	writeFileT(t, path, []byte(src))
	cfg, err := ParseFile(path, &Options{ServerRoot: root})
	if err != nil {
		return err
	}
	_, err = Build(cfg, &BuildOptions{Location: time.UTC})
	return err
}
