package config

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/jl6/logproxy/proxy"
)

// This file builds mod_ssl's server configuration: SSLEngine, the
// certificate files, SSLProtocol, SSLCipherSuite and SSLSessionTickets,
// merged into a virtual host from the main server as
// ssl_config_server_merge does, into each server's proxy.TLSSettings.

// sslBuild is what a server's mod_ssl directives set.
type sslBuild struct {
	engine     *Directive // the last SSLEngine
	on         bool
	certs      []string // SSLCertificateFile, resolved, in order
	certDirs   []*Directive
	keys       []string // SSLCertificateKeyFile, resolved, in order
	chain      string   // SSLCertificateChainFile, resolved
	protoSet   bool
	minV, maxV uint16
	cipherSet  bool
	ciphers    []uint16
	ticketsSet bool
	ticketsOff bool

	// The SSLProxy* settings; nil pointers are unset.
	proxyEngine, proxyPeerName, proxyPeerExpire *bool
	proxyProtoSet                               bool
	proxyMinV, proxyMaxV                        uint16
	proxyCiphers                                []uint16
}

// sslProtocols are SSLProtocol's words and the versions they stand for;
// SSLv3 is absent from Debian's OpenSSL, as from Go.
var sslProtocols = map[string]uint16{
	"TLSv1": tls.VersionTLS10, "TLSv1.1": tls.VersionTLS11, "TLSv1.2": tls.VersionTLS12, "TLSv1.3": tls.VersionTLS13,
}

// sslDirective reads one of mod_ssl's directives in a server (dir nil)
// or a section (dir its configuration).
func (b *siteBuilder) sslDirective(d *Directive, sb *serverBuild, dir *proxy.DirConfig) {
	inDir := dir != nil
	if sb.ssl == nil {
		sb.ssl = &sslBuild{}
	}
	sc := sb.ssl
	a := d.Args
	name := strings.ToLower(d.Name)
	flag := func(off string) {
		// A switch whose Off is what logproxy does; On is refused.
		if on, _ := onOff(a[0]); on {
			b.errorf(d, "%s On is not supported by logproxy (%s)", d.Name, off)
		}
	}
	switch name {
	case "sslengine":
		switch strings.ToLower(a[0]) {
		case "on", "off":
			sc.engine, sc.on = d, strings.EqualFold(a[0], "on")
		case "optional":
			b.errorf(d, "SSLEngine Optional is not supported by logproxy (the upgrade to TLS of RFC 2817)")
		default:
			b.errorf(d, "Argument must be On, Off, or Optional")
		}
	case "sslcertificatefile", "sslcertificatekeyfile", "sslcertificatechainfile":
		path, ok := b.sslFile(d)
		if !ok {
			return
		}
		switch name {
		case "sslcertificatefile":
			sc.certs = append(sc.certs, path)
			sc.certDirs = append(sc.certDirs, d)
		case "sslcertificatekeyfile":
			sc.keys = append(sc.keys, path)
		default:
			sc.chain = path
		}
	case "sslprotocol":
		minV, maxV, msg := sslProtocol(d)
		if msg != "" {
			b.errorf(d, "%s", msg)
			return
		}
		sc.protoSet, sc.minV, sc.maxV = true, minV, maxV
	case "sslciphersuite":
		if inDir {
			b.errorf(d, "SSLCipherSuite in a directory context is not supported by logproxy (it renegotiates the connection)")
			return
		}
		spec := a[0]
		if len(a) == 2 {
			switch a[0] {
			case "SSL":
				spec = a[1]
			case "TLSv1.3":
				b.errorf(d, "SSLCipherSuite TLSv1.3 is not supported by logproxy: Go's crypto/tls chooses among the TLS 1.3 suites itself")
				return
			default:
				b.errorf(d, "protocol '%s' not supported", a[0])
				return
			}
		}
		ids := selectCiphers(spec + ":!aNULL:!eNULL:!EXP")
		if len(ids) == 0 {
			b.errorf(d, "AH01898: Unable to configure permitted SSL ciphers (%q selects no cipher suite logproxy's TLS implements)", spec)
			return
		}
		sc.cipherSet, sc.ciphers = true, ids
	case "sslsessiontickets":
		on, _ := onOff(a[0])
		sc.ticketsSet, sc.ticketsOff = true, !on
	case "sslcompression":
		flag("TLS compression")
	case "sslinsecurerenegotiation":
		flag("insecure renegotiation")
	case "sslstrictsnivhostcheck":
		flag("refusing clients without SNI")
	case "sslusestapling":
		flag("OCSP stapling")
	case "sslproxyengine", "sslproxycheckpeername", "sslproxycheckpeerexpire", "sslproxycheckpeercn":
		on, _ := onOff(a[0])
		switch name {
		case "sslproxyengine":
			sc.proxyEngine = &on
		case "sslproxycheckpeername", "sslproxycheckpeercn":
			// CN is the older check; logproxy checks the names of the
			// certificate, as CheckPeerName does.
			sc.proxyPeerName = &on
		default:
			sc.proxyPeerExpire = &on
		}
	case "sslproxyverify":
		if !strings.EqualFold(a[0], "none") {
			b.errorf(d, "SSLProxyVerify %s is not supported by logproxy (only none: the backend's chain is not verified)", a[0])
		}
	case "sslproxyprotocol":
		minV, maxV, msg := sslProtocol(d)
		if msg != "" {
			b.errorf(d, "%s", strings.Replace(msg, "SSLProtocol", "SSLProxyProtocol", 1))
			return
		}
		sc.proxyProtoSet, sc.proxyMinV, sc.proxyMaxV = true, minV, maxV
	case "sslproxyciphersuite":
		spec := a[len(a)-1]
		if len(a) == 2 && a[0] != "SSL" {
			b.errorf(d, "SSLProxyCipherSuite %s is not supported by logproxy", a[0])
			return
		}
		ids := selectCiphers(spec + ":!aNULL:!eNULL:!EXP")
		if len(ids) == 0 {
			b.errorf(d, "AH01898: Unable to configure permitted SSL ciphers (%q selects no cipher suite logproxy's TLS implements)", spec)
			return
		}
		sc.proxyCiphers = ids
	case "sslfips":
		flag("FIPS mode")
	case "sslrequiressl":
		dir.SSLRequired = true // OR_AUTHCFG: only ever in a section
	case "sslverifyclient":
		if !strings.EqualFold(a[0], "none") {
			b.errorf(d, "SSLVerifyClient %s is not supported by logproxy (client certificates)", a[0])
		}
	default:
		b.errorf(d, "%s is not supported by logproxy yet", d.Name)
	}
}

// sslFile checks a certificate or key file as ssl_cmd_check_file: it
// must exist and not be empty.
func (b *siteBuilder) sslFile(d *Directive) (string, bool) {
	path := b.path(d.Args[0])
	if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() || st.Size() == 0 {
		b.errorf(d, "%s: file '%s' does not exist or is empty", d.Name, path)
		return "", false
	}
	return path, true
}

// sslProtocol reads SSLProtocol's words as ssl_cmd_protocol_parse, into
// the range of versions logproxy serves: TLS 1.2 and 1.3 (Debian's
// OpenSSL refuses older ones at its default security level too).
func sslProtocol(d *Directive) (uint16, uint16, string) {
	const all = 0xf // bits 0-3: TLSv1 .. TLSv1.3
	bit := func(v uint16) int { return 1 << (v - tls.VersionTLS10) }
	set := 0
	for _, w := range strings.Fields(d.raw) {
		action := byte(0)
		if w[0] == '+' || w[0] == '-' {
			action, w = w[0], w[1:]
		}
		var this int
		switch {
		case w == "SSLv2":
			if action == '-' {
				continue
			}
			return 0, 0, "SSLProtocol: SSLv2 is no longer supported"
		case w == "SSLv3":
			if action == '-' {
				continue
			}
			return 0, 0, "SSLv3 not supported by this version of OpenSSL"
		case w == "all":
			this = all
		default:
			v, ok := sslProtocols[w]
			if !ok {
				return 0, 0, "SSLProtocol: Illegal protocol '" + w + "'"
			}
			this = bit(v)
		}
		switch action {
		case '-':
			set &^= this
		case '+':
			set |= this
		default:
			set = this
		}
	}
	old := bit(tls.VersionTLS10) | bit(tls.VersionTLS11)
	if set&old != 0 && set&^old == 0 {
		return 0, 0, "SSLProtocol " + strings.TrimSpace(d.raw) + " is not supported by logproxy: it serves TLS 1.2 and 1.3 only"
	}
	set &^= old
	if set == 0 {
		return 0, 0, "No SSL protocols available [hint: SSLProtocol]"
	}
	var minV, maxV uint16
	for v := uint16(tls.VersionTLS12); v <= tls.VersionTLS13; v++ {
		if set&bit(v) != 0 {
			if minV == 0 {
				minV = v
			}
			maxV = v
		}
	}
	return minV, maxV, ""
}

// finishSSL merges a virtual host's mod_ssl settings over the main
// server's (ssl_config_server_merge) and, with SSLEngine On, loads the
// certificates into the server's TLSSettings.
func (b *siteBuilder) finishSSL(sb, main *serverBuild) {
	sc := sb.ssl
	if sc == nil {
		sc = &sslBuild{}
	}
	if main != nil && main.ssl != nil {
		m := main.ssl
		if sc.engine == nil {
			sc.engine, sc.on = m.engine, m.on
		}
		sc.certs = mergeByPosition(m.certs, sc.certs)
		sc.certDirs = mergeByPosition(m.certDirs, sc.certDirs)
		sc.keys = mergeByPosition(m.keys, sc.keys)
		if sc.chain == "" {
			sc.chain = m.chain
		}
		if !sc.protoSet {
			sc.protoSet, sc.minV, sc.maxV = m.protoSet, m.minV, m.maxV
		}
		if !sc.cipherSet {
			sc.cipherSet, sc.ciphers = m.cipherSet, m.ciphers
		}
		if !sc.ticketsSet {
			sc.ticketsSet, sc.ticketsOff = m.ticketsSet, m.ticketsOff
		}
	}
	if main != nil && main.ssl != nil {
		m := main.ssl
		inheritBool := func(p **bool, v *bool) {
			if *p == nil {
				*p = v
			}
		}
		inheritBool(&sc.proxyEngine, m.proxyEngine)
		inheritBool(&sc.proxyPeerName, m.proxyPeerName)
		inheritBool(&sc.proxyPeerExpire, m.proxyPeerExpire)
		if !sc.proxyProtoSet {
			sc.proxyProtoSet, sc.proxyMinV, sc.proxyMaxV = m.proxyProtoSet, m.proxyMinV, m.proxyMaxV
		}
		if sc.proxyCiphers == nil {
			sc.proxyCiphers = m.proxyCiphers
		}
	}
	if sc.proxyEngine != nil && *sc.proxyEngine {
		ps := &proxy.ProxyTLSSettings{Engine: true, CheckPeerName: true, CheckPeerExpire: true, CipherSuites: sc.proxyCiphers}
		if sc.proxyPeerName != nil {
			ps.CheckPeerName = *sc.proxyPeerName
		}
		if sc.proxyPeerExpire != nil {
			ps.CheckPeerExpire = *sc.proxyPeerExpire
		}
		if sc.proxyProtoSet {
			ps.MinVersion, ps.MaxVersion = sc.proxyMinV, sc.proxyMaxV
		}
		sb.srv.ProxyTLS = ps
	}
	if !sc.on {
		return
	}
	s := sb.srv
	ts := &proxy.TLSSettings{
		MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS13,
		CipherSuites: sc.ciphers, SessionTicketsDisabled: sc.ticketsOff,
		File: sc.engine.File, Line: sc.engine.Line,
	}
	if sc.protoSet {
		ts.MinVersion, ts.MaxVersion = sc.minV, sc.maxV
	}
	for i, certFile := range sc.certs {
		keyFile := certFile // the key may be in the certificate's file
		if i < len(sc.keys) {
			keyFile = sc.keys[i]
		}
		cert, err := loadCertificate(certFile, keyFile, sc.chain)
		if err != nil {
			b.errorf(sc.certDirs[i], "%v", err)
			return
		}
		ts.Certificates = append(ts.Certificates, cert)
	}
	if len(ts.Certificates) == 0 && b.mdManaged(s) {
		ts.Managed = true // mod_md's certificate
	} else if len(ts.Certificates) == 0 {
		b.errorf(sc.engine, "AH02572: Failed to configure at least one certificate and key for %s", vhostID(s))
		return
	}
	s.TLS = ts
}

// mergeByPosition merges a virtual host's certificate or key files over
// the main server's as modssl_ctx_cfg_merge_certkeys_array: each of the
// virtual host's takes the place of the main server's at its position,
// the main server's further ones follow.
func mergeByPosition[T any](base, add []T) []T {
	out := append([]T(nil), add...)
	if len(base) > len(add) {
		out = append(out, base[len(add):]...)
	}
	return out
}

// vhostID is mod_ssl's name of a server in messages: name:port.
func vhostID(s *proxy.Server) string {
	port := s.Port
	if port == 0 && len(s.Addrs) > 0 {
		port = s.Addrs[0].Port
	}
	if port == 0 {
		port = 443
	}
	return s.Hostname + ":" + strconv.Itoa(port)
}

// loadCertificate reads a certificate (PEM, with the chain after it as
// mod_ssl allows), its private key, and SSLCertificateChainFile's
// certificates, and checks that the key matches.
func loadCertificate(certFile, keyFile, chainFile string) (tls.Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	keyPEM := certPEM
	if keyFile != certFile {
		if keyPEM, err = os.ReadFile(keyFile); err != nil {
			return tls.Certificate{}, err
		}
	}
	if chainFile != "" {
		chain, err := os.ReadFile(chainFile)
		if err != nil {
			return tls.Certificate{}, err
		}
		certPEM = append(append(append([]byte{}, certPEM...), '\n'), chain...)
	}
	certs := pemBlocks(certPEM, "CERTIFICATE")
	if len(certs) == 0 {
		return tls.Certificate{}, fmt.Errorf("SSLCertificateFile: no PEM certificate in '%s'", certFile)
	}
	if len(pemBlocks(keyPEM, "PRIVATE KEY")) == 0 {
		if strings.Contains(string(keyPEM), "ENCRYPTED") {
			return tls.Certificate{}, fmt.Errorf("AH02564: Failed to configure encrypted (?) private key %s, check %s: logproxy does not read encrypted keys (SSLPassPhraseDialog)", certFile, keyFile)
		}
		return tls.Certificate{}, fmt.Errorf("no PEM private key in '%s' for the certificate of '%s'", keyFile, certFile)
	}
	cert, err := tls.X509KeyPair(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certs[0]}), keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("AH02565: Certificate and private key from %s and %s do not match: %v", certFile, keyFile, err)
	}
	cert.Certificate = certs
	if cert.Leaf, err = x509.ParseCertificate(certs[0]); err != nil {
		return tls.Certificate{}, fmt.Errorf("SSLCertificateFile '%s': %v", certFile, err)
	}
	return cert, nil
}

// pemBlocks returns the DER bytes of the PEM blocks in data whose type
// ends in kind ("CERTIFICATE"; "PRIVATE KEY" for RSA, EC and PKCS#8 keys).
func pemBlocks(data []byte, kind string) [][]byte {
	var out [][]byte
	for {
		var blk *pem.Block
		blk, data = pem.Decode(data)
		if blk == nil {
			return out
		}
		if strings.HasSuffix(blk.Type, kind) && !strings.Contains(blk.Type, "ENCRYPTED") {
			out = append(out, blk.Bytes)
		}
	}
}
