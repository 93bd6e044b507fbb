package config

import (
	"strings"

	"github.com/jl6/logproxy/proxy"
)

// This file reads SSLCipherSuite's cipher string as OpenSSL's
// SSL_CTX_set_cipher_list reads it, over the TLS 1.2 suites Go
// implements (proxy.TLSSuites): words separated by ':', ',' or blanks;
// a word adds the suites it names, "-word" takes them out, "!word" takes
// them out for good, "+word" moves them (order is Go's anyway); "a+b"
// names the suites that are both; "@STRENGTH" and "@SECLEVEL=n" sort and
// set levels, which changes nothing here. A word that names no suite Go
// has (DHE-RSA-AES128-GCM-SHA256, CAMELLIA, an unknown name) selects
// nothing, as OpenSSL skips it.

// cipherAliases are OpenSSL's aliases that select some of Go's suites;
// the others (MEDIUM, LOW, RC4, 3DES, DHE, CAMELLIA, aNULL, ...) select
// none of them.
var cipherAliases = map[string]func(s *proxy.TLSSuite) bool{
	"ALL":      func(*proxy.TLSSuite) bool { return true },
	"DEFAULT":  func(*proxy.TLSSuite) bool { return true },
	"HIGH":     func(*proxy.TLSSuite) bool { return true },
	"kRSA":     func(s *proxy.TLSSuite) bool { return s.KeyExchange == "RSA" },
	"RSA":      func(s *proxy.TLSSuite) bool { return s.KeyExchange == "RSA" },
	"aRSA":     func(s *proxy.TLSSuite) bool { return s.Auth == "RSA" },
	"kECDHE":   func(s *proxy.TLSSuite) bool { return s.KeyExchange == "ECDHE" },
	"kEECDH":   func(s *proxy.TLSSuite) bool { return s.KeyExchange == "ECDHE" },
	"ECDHE":    func(s *proxy.TLSSuite) bool { return s.KeyExchange == "ECDHE" },
	"EECDH":    func(s *proxy.TLSSuite) bool { return s.KeyExchange == "ECDHE" },
	"aECDSA":   func(s *proxy.TLSSuite) bool { return s.Auth == "ECDSA" },
	"ECDSA":    func(s *proxy.TLSSuite) bool { return s.Auth == "ECDSA" },
	"AES":      func(s *proxy.TLSSuite) bool { return strings.HasPrefix(s.Cipher, "AES") },
	"AES128":   func(s *proxy.TLSSuite) bool { return s.Cipher == "AES128" },
	"AES256":   func(s *proxy.TLSSuite) bool { return s.Cipher == "AES256" },
	"AESGCM":   func(s *proxy.TLSSuite) bool { return s.GCM },
	"CHACHA20": func(s *proxy.TLSSuite) bool { return s.Cipher == "CHACHA20" },
	"SHA1":     func(s *proxy.TLSSuite) bool { return s.MAC == "SHA1" },
	"SHA":      func(s *proxy.TLSSuite) bool { return s.MAC == "SHA1" },
	"TLSv1.2":  func(s *proxy.TLSSuite) bool { return s.MinVersion == "TLSv1.2" },
	"TLSv1.0":  func(s *proxy.TLSSuite) bool { return s.MinVersion == "TLSv1" },
	"TLSv1":    func(s *proxy.TLSSuite) bool { return s.MinVersion == "TLSv1" },
	"SSLv3":    func(s *proxy.TLSSuite) bool { return s.MinVersion == "SSLv3" },
}

// selectCiphers returns the IDs of the suites that spec selects, in Go's
// order, or nil if it selects none.
func selectCiphers(spec string) []uint16 {
	suites := proxy.TLSSuites()
	in := make([]bool, len(suites))
	banned := make([]bool, len(suites))
	words := strings.FieldsFunc(spec, func(r rune) bool { return r == ':' || r == ',' || r == ' ' || r == '\t' })
	for _, w := range words {
		op := byte(0)
		if w != "" && (w[0] == '-' || w[0] == '!' || w[0] == '+') {
			op, w = w[0], w[1:]
		}
		if w == "" || w[0] == '@' {
			continue // @STRENGTH, @SECLEVEL=n
		}
		for i := range suites {
			if !cipherWordMatches(w, &suites[i]) {
				continue
			}
			switch op {
			case 0:
				in[i] = in[i] || !banned[i]
			case '-':
				in[i] = false
			case '!':
				in[i], banned[i] = false, true
			}
		}
	}
	var ids []uint16
	for i := range suites {
		if in[i] {
			ids = append(ids, suites[i].ID)
		}
	}
	return ids
}

// cipherWordMatches reports whether one word of a cipher string (a name,
// an alias, or aliases joined by '+') selects s.
func cipherWordMatches(w string, s *proxy.TLSSuite) bool {
	if w == s.Name {
		return true
	}
	for _, part := range strings.Split(w, "+") {
		f, ok := cipherAliases[part]
		if !ok || !f(s) {
			return false
		}
	}
	return true
}
