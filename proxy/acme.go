package proxy

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/caddyserver/certmagic"
	"go.uber.org/zap"
)

// ACMESettings is mod_md's configuration: the managed domains (MDomain)
// and how their certificates are obtained, kept and renewed. CertMagic
// does the work; a virtual host with SSLEngine On and no certificate of
// its own whose ServerName is a managed name is served with them.
type ACMESettings struct {
	// Domains are the MDomain lines, each a list of names. CertMagic
	// gets a certificate per name (mod_md one per line, for all of it).
	Domains [][]string
	// CA is the ACME directory URL (MDCertificateAuthority).
	CA string
	// Email is MDContactEmail, else the main server's ServerAdmin.
	Email string
	// StoreDir is MDStoreDir, resolved: keys, certificates and accounts.
	StoreDir string
	// CARoots is MDCACertificateFile: the roots trusted for HTTPS to the
	// CA, "" for the system's.
	CARoots string
	// NoHTTP01 and NoTLSALPN01 turn a challenge type off
	// (MDCAChallenges, MDPortMap's "-").
	NoHTTP01, NoTLSALPN01 bool
	// HTTPPort and TLSPort are the local ports the CA's port 80 and 443
	// reach (MDPortMap); CertMagic binds one itself for a challenge only
	// when logproxy does not listen there.
	HTTPPort, TLSPort int
	// KeyType is MDPrivateKeys' as CertMagic names it ("p256",
	// "rsa2048", ...); "" is CertMagic's default.
	KeyType string
	// RenewWindow is MDRenewWindow as a fraction of a certificate's
	// lifetime; 0 is CertMagic's default (one third).
	RenewWindow float64
	// RequireHTTPS is MDRequireHttps: plain requests for a managed name
	// are redirected to https, and with RequirePermanent TLS answers
	// get Strict-Transport-Security.
	RequireHTTPS RequireHTTPS
}

// RequireHTTPS is MDRequireHttps' setting.
type RequireHTTPS uint8

// The MDRequireHttps settings.
const (
	RequireOff RequireHTTPS = iota
	RequireTemporary
	RequirePermanent
)

// manages reports whether name is a managed name, compared without
// regard to case.
func (a *ACMESettings) manages(name string) bool {
	for _, d := range a.Domains {
		for _, n := range d {
			if strings.EqualFold(n, name) {
				return true
			}
		}
	}
	return false
}

// assigned reports whether mod_md assigns a managed domain to the server:
// its ServerName or a ServerAlias is a managed name.
func (a *ACMESettings) assigned(s *Server) bool {
	if a.manages(s.Hostname) {
		return true
	}
	return slices.ContainsFunc(s.Aliases, a.manages)
}

// Names returns every managed name, once each.
func (a *ACMESettings) Names() []string {
	var out []string
	for _, d := range a.Domains {
		for _, n := range d {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// sameAccount reports whether b obtains certificates the way a does, so
// that the manager made for a may go on serving b.
func (a *ACMESettings) sameAccount(b *ACMESettings) bool {
	return a.CA == b.CA && a.Email == b.Email && a.StoreDir == b.StoreDir && a.CARoots == b.CARoots &&
		a.NoHTTP01 == b.NoHTTP01 && a.NoTLSALPN01 == b.NoTLSALPN01 && a.HTTPPort == b.HTTPPort &&
		a.TLSPort == b.TLSPort && a.KeyType == b.KeyType && a.RenewWindow == b.RenewWindow
}

// acmeManager is the engine's CertMagic: one cache, one configuration and
// one ACME issuer, with its background maintenance, which stop runs down.
type acmeManager struct {
	settings *ACMESettings
	cache    *certmagic.Cache
	magic    *certmagic.Config
	issuer   *certmagic.ACMEIssuer
	ctx      context.Context
	cancel   context.CancelFunc
	managed  []string

	mu        sync.Mutex
	fallbacks map[string]*tls.Certificate // by name, made on first use
}

// newACMEManager starts CertMagic for s; events (certificates obtained,
// failures) go to the error log.
func newACMEManager(s *ACMESettings, log func() *slog.Logger) (*acmeManager, error) {
	var roots *x509.CertPool
	if s.CARoots != "" {
		pem, err := os.ReadFile(s.CARoots)
		if err != nil {
			return nil, fmt.Errorf("MDCACertificateFile: %w", err)
		}
		roots = x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("MDCACertificateFile: no PEM certificate in %q", s.CARoots)
		}
	}
	m := &acmeManager{settings: s}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	m.cache = certmagic.NewCache(certmagic.CacheOptions{
		GetConfigForCert: func(certmagic.Certificate) (*certmagic.Config, error) { return m.magic, nil },
		Logger:           zap.NewNop(),
	})
	tmpl := certmagic.Config{
		Storage:            &certmagic.FileStorage{Path: s.StoreDir},
		Logger:             zap.NewNop(),
		RenewalWindowRatio: s.RenewWindow,
		OnEvent: func(_ context.Context, event string, data map[string]any) error {
			switch event {
			case "cert_obtained":
				log().Info(fmt.Sprintf("md: certificate obtained for %v", data["identifier"]), "module", "md")
			case "cert_failed":
				log().Error(fmt.Sprintf("md: obtaining a certificate for %v failed: %v", data["identifier"], data["error"]), "module", "md")
			}
			return nil
		},
	}
	if s.KeyType != "" {
		tmpl.KeySource = certmagic.StandardKeyGenerator{KeyType: certmagic.KeyType(s.KeyType)}
	}
	m.magic = certmagic.New(m.cache, tmpl)
	m.issuer = certmagic.NewACMEIssuer(m.magic, certmagic.ACMEIssuer{
		CA: s.CA, TestCA: s.CA, // never Let's Encrypt's staging behind the configured CA's back
		Email: s.Email, Agreed: true, TrustedRoots: roots,
		DisableHTTPChallenge: s.NoHTTP01, DisableTLSALPNChallenge: s.NoTLSALPN01,
		AltHTTPPort: s.HTTPPort, AltTLSALPNPort: s.TLSPort,
		Logger: zap.NewNop(),
	})
	m.magic.Issuers = []certmagic.Issuer{m.issuer}
	return m, nil
}

// manage has CertMagic obtain and renew the certificates of the names it
// does not manage yet; it returns at once.
func (m *acmeManager) manage(names []string) error {
	var add []string
	for _, n := range names {
		if !slices.Contains(m.managed, n) {
			add = append(add, n)
		}
	}
	if len(add) == 0 {
		return nil
	}
	m.managed = append(m.managed, add...)
	return m.magic.ManageAsync(m.ctx, add)
}

// stop ends the maintenance goroutines.
func (m *acmeManager) stop() {
	m.cancel()
	m.cache.Stop()
}

// tlsConfig is the handshake configuration of a managed server: its
// certificate from CertMagic, or, for a CA's TLS-ALPN-01 check (ALPN
// acme-tls/1), the challenge certificate.
// While a name has no certificate yet, the handshake gets a self-signed
// one and fallback is called: mod_md's fallback certificate, with which
// every request is answered 503.
func (m *acmeManager) tlsConfig(ts *TLSSettings, hello *tls.ClientHelloInfo, fallback func()) *tls.Config {
	cfg := ts.config.Clone()
	if slices.Contains(hello.SupportedProtos, "acme-tls/1") {
		cfg.NextProtos = []string{"acme-tls/1"}
		cfg.GetCertificate = m.magic.GetCertificate
		return cfg
	}
	cfg.GetCertificate = func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
		cert, err := m.magic.GetCertificate(h)
		if err == nil {
			return cert, nil
		}
		fallback()
		return m.fallback(h.ServerName)
	}
	return cfg
}

// fallback returns the self-signed certificate served for name while it
// has none from the CA, made once.
func (m *acmeManager) fallback(name string) (*tls.Certificate, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c := m.fallbacks[name]; c != nil {
		return c, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "Temporary Certificate", Organization: []string{"logproxy mod_md fallback"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if name != "" {
		tmpl.DNSNames = []string{name}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	c := &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	if m.fallbacks == nil {
		m.fallbacks = make(map[string]*tls.Certificate)
	}
	m.fallbacks[name] = c
	return c, nil
}

// requireHTTPS is mod_md's MDRequireHttps (md_require_https_maybe, a
// post_read_request hook after mod_ssl's): a plain request for a managed
// name is redirected to https (301 or 302 for GET and HEAD, 308 or 307
// for other methods); with permanent, TLS answers get HSTS. It returns
// the status to answer, or 0.
func (ex *exchange) requireHTTPS() int {
	a := ex.site.ACME
	if a == nil || a.RequireHTTPS == RequireOff || strings.HasPrefix(ex.r.uri, "/.well-known/") || !a.assigned(ex.srv) {
		return 0
	}
	host := ex.serverName()
	if !a.manages(host) {
		return 0
	}
	r := &ex.r
	if ex.c.tls != nil {
		if _, ok := r.headersOut.Get("Strict-Transport-Security"); a.RequireHTTPS == RequirePermanent && !ok {
			r.headersOut = setField(r.headersOut, "Strict-Transport-Security", "max-age=15768000")
		}
		return 0
	}
	status := 302
	switch {
	case r.method == "GET" || r.method == "HEAD":
		if a.RequireHTTPS == RequirePermanent {
			status = 301
		}
	case a.RequireHTTPS == RequirePermanent:
		status = 308
	default:
		status = 307
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // ap_get_server_name_for_url
	}
	loc := "https://" + host + r.uri
	if r.hasArgs {
		loc += "?" + r.args
	}
	r.headersOut = setField(r.headersOut, "Location", loc)
	return status
}

// answerHTTPChallenge answers a CA's HTTP-01 request for a challenge
// CertMagic is solving, as mod_md's post_read_request hook does; it
// reports whether it did.
func (m *acmeManager) answerHTTPChallenge(ex *exchange) bool {
	r := &ex.r
	if !strings.HasPrefix(r.uri, "/.well-known/acme-challenge/") || r.method != "GET" {
		return false
	}
	host := ex.hostname
	req, err := http.NewRequestWithContext(m.ctx, "GET", "http://localhost"+r.uri, nil)
	if err != nil {
		return false
	}
	req.Host = host
	req.RemoteAddr = ex.c.remoteIP
	if ua, ok := r.headersIn.Get("User-Agent"); ok {
		req.Header.Set("User-Agent", ua)
	}
	w := &challengeWriter{h: http.Header{}}
	if !m.issuer.HandleHTTPChallenge(w, req) {
		return false
	}
	status := w.status
	if status == 0 {
		status = 200
	}
	ex.r.dir = ex.srv.Dir
	ex.r.status = status
	ex.sendGenerated(status, []byte(w.body.String()), w.h.Get("Content-Type"))
	return true
}

// challengeWriter records what CertMagic's challenge handler writes.
type challengeWriter struct {
	h      http.Header
	status int
	body   strings.Builder
}

func (w *challengeWriter) Header() http.Header { return w.h }
func (w *challengeWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *challengeWriter) Write(p []byte) (int, error) { return w.body.Write(p) }

// errNoACME is the handshake error of a managed server while the engine
// runs no ACME manager.
var errNoACME = errors.New("no ACME manager for a managed certificate")
