package proxy

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"

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
func (m *acmeManager) tlsConfig(ts *TLSSettings, hello *tls.ClientHelloInfo) *tls.Config {
	cfg := ts.config.Clone()
	cfg.GetCertificate = m.magic.GetCertificate
	if slices.Contains(hello.SupportedProtos, "acme-tls/1") {
		cfg.NextProtos = []string{"acme-tls/1"}
	}
	return cfg
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
