package proxy

import "crypto/tls"

// TLSSuite is a TLS 1.2 cipher suite that Go's crypto/tls implements and
// counts secure, with OpenSSL's name for it and the properties OpenSSL's
// cipher strings select by (SSLCipherSuite), as `openssl ciphers -V`
// lists them.
type TLSSuite struct {
	ID   uint16
	Name string // OpenSSL's: "ECDHE-RSA-AES128-GCM-SHA256"

	KeyExchange string // "ECDHE" or "RSA" (Kx=ECDH or RSA)
	Auth        string // "RSA" or "ECDSA"
	Cipher      string // "AES128", "AES256" or "CHACHA20"
	GCM         bool   // Enc=AESGCM
	MAC         string // "SHA1" or "AEAD"
	MinVersion  string // the oldest protocol it runs on: "SSLv3", "TLSv1" or "TLSv1.2"
	Bits        int    // SSL_CIPHER_USEKEYSIZE and _ALGKEYSIZE (equal for these)
}

// TLSSuites returns the suites, in Go's order of preference; a fresh
// copy on each call.
func TLSSuites() []TLSSuite {
	return []TLSSuite{
		{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE", "ECDSA", "AES128", true, "AEAD", "TLSv1.2", 128},
		{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE", "RSA", "AES128", true, "AEAD", "TLSv1.2", 128},
		{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE", "ECDSA", "AES256", true, "AEAD", "TLSv1.2", 256},
		{tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE", "RSA", "AES256", true, "AEAD", "TLSv1.2", 256},
		{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE", "ECDSA", "CHACHA20", false, "AEAD", "TLSv1.2", 256},
		{tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-RSA-CHACHA20-POLY1305", "ECDHE", "RSA", "CHACHA20", false, "AEAD", "TLSv1.2", 256},
		{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, "ECDHE-ECDSA-AES128-SHA", "ECDHE", "ECDSA", "AES128", false, "SHA1", "TLSv1", 128},
		{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, "ECDHE-RSA-AES128-SHA", "ECDHE", "RSA", "AES128", false, "SHA1", "TLSv1", 128},
		{tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, "ECDHE-ECDSA-AES256-SHA", "ECDHE", "ECDSA", "AES256", false, "SHA1", "TLSv1", 256},
		{tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, "ECDHE-RSA-AES256-SHA", "ECDHE", "RSA", "AES256", false, "SHA1", "TLSv1", 256},
		{tls.TLS_RSA_WITH_AES_128_GCM_SHA256, "AES128-GCM-SHA256", "RSA", "RSA", "AES128", true, "AEAD", "TLSv1.2", 128},
		{tls.TLS_RSA_WITH_AES_256_GCM_SHA384, "AES256-GCM-SHA384", "RSA", "RSA", "AES256", true, "AEAD", "TLSv1.2", 256},
		{tls.TLS_RSA_WITH_AES_128_CBC_SHA, "AES128-SHA", "RSA", "RSA", "AES128", false, "SHA1", "SSLv3", 128},
		{tls.TLS_RSA_WITH_AES_256_CBC_SHA, "AES256-SHA", "RSA", "RSA", "AES256", false, "SHA1", "SSLv3", 256},
	}
}

// tls13Suites are TLS 1.3's suites; OpenSSL names them as the RFC does.
var tls13Suites = map[uint16]struct {
	name string
	bits int
}{
	tls.TLS_AES_128_GCM_SHA256:       {"TLS_AES_128_GCM_SHA256", 128},
	tls.TLS_AES_256_GCM_SHA384:       {"TLS_AES_256_GCM_SHA384", 256},
	tls.TLS_CHACHA20_POLY1305_SHA256: {"TLS_CHACHA20_POLY1305_SHA256", 256},
}

// opensslSuite returns OpenSSL's name and key size of a negotiated suite.
func opensslSuite(id uint16) (string, int) {
	if s, ok := tls13Suites[id]; ok {
		return s.name, s.bits
	}
	for _, s := range TLSSuites() {
		if s.ID == id {
			return s.Name, s.Bits
		}
	}
	return tls.CipherSuiteName(id), 0
}

// opensslVersion is SSL_get_version's name of a protocol version.
func opensslVersion(v uint16) string {
	switch v {
	case tls.VersionTLS13:
		return "TLSv1.3"
	case tls.VersionTLS12:
		return "TLSv1.2"
	case tls.VersionTLS11:
		return "TLSv1.1"
	case tls.VersionTLS10:
		return "TLSv1"
	}
	return "unknown"
}
