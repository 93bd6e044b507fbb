package proxy

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jl6/logproxy/logformat"
)

// TLSSettings is a server's mod_ssl configuration (SSLEngine On): its
// certificates and what it allows of the protocol.
type TLSSettings struct {
	// Certificates are SSLCertificateFile's, each with its key and chain;
	// the handshake picks one the client supports (RSA or ECDSA).
	Certificates []tls.Certificate
	// MinVersion and MaxVersion are SSLProtocol's range.
	MinVersion, MaxVersion uint16
	// CipherSuites are the TLS 1.2 suites SSLCipherSuite selects; nil is
	// Go's default choice. TLS 1.3's are not configurable.
	CipherSuites []uint16
	// SessionTicketsDisabled is SSLSessionTickets Off.
	SessionTicketsDisabled bool
	// Managed: the certificates come from the ACME manager (mod_md's
	// MDomain names the server), Certificates is empty.
	Managed bool
	// File and Line are those of the server's SSLEngine, for messages.
	File string
	Line int

	config *tls.Config // made by Site.Prepare
}

// prepareTLS makes the crypto/tls configuration of each server with
// TLSSettings.
func (s *Site) prepareTLS() {
	for _, srv := range append([]*Server{s.Main}, s.VHosts...) {
		ts := srv.TLS
		if ts == nil {
			continue
		}
		ts.config = &tls.Config{
			Certificates:           ts.Certificates,
			MinVersion:             ts.MinVersion,
			MaxVersion:             ts.MaxVersion,
			CipherSuites:           ts.CipherSuites,
			SessionTicketsDisabled: ts.SessionTicketsDisabled,
			// No NextProtos: as httpd without mod_http2, no ALPN
			// protocol is chosen and the client speaks HTTP/1.1.
		}
	}
}

// compatible reports whether a request may be served with the TLS
// session of another server's handshake: the same protocols, suites and
// certificates (mod_ssl's ssl_server_compatible).
func (ts *TLSSettings) compatible(o *TLSSettings) bool {
	if ts == o {
		return true
	}
	if ts == nil || o == nil || ts.Managed || o.Managed || ts.MinVersion != o.MinVersion || ts.MaxVersion != o.MaxVersion ||
		!slices.Equal(ts.CipherSuites, o.CipherSuites) || len(ts.Certificates) != len(o.Certificates) {
		return false
	}
	for i := range ts.Certificates {
		if !bytes.Equal(ts.Certificates[i].Certificate[0], o.Certificates[i].Certificate[0]) {
			return false
		}
	}
	return true
}

// httpOnHTTPS is the request mod_ssl makes up for a client that speaks
// plain HTTP to a TLS port (HTTP_ON_HTTPS_PORT and the empty line after
// it); the client's own bytes are not read.
const httpOnHTTPS = "GET / HTTP/1.0\r\n\r\n"

// startTLS runs the TLS handshake of a connection whose base server has
// SSLEngine On, the certificate chosen by the name the client sent (SNI)
// among the virtual hosts of the address, as mod_ssl's ssl_find_vhost. It
// reports whether the connection goes on: over TLS, or, for a client that
// spoke plain HTTP, for the one request that answers it 400.
func (c *conn) startTLS() bool {
	base := c.base
	var sni string
	var renegSCSV, renegExt bool
	cfg := &tls.Config{
		GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
			srv := base
			if h.ServerName != "" {
				sni = h.ServerName
				if v := c.site.serverForHost(c.localAddr, strings.ToLower(h.ServerName), true); v.TLS != nil {
					srv = v
				}
			}
			c.tlsServer = srv
			// RFC 5746 support, as OpenSSL tells it: the signalling suite,
			// or the extension, which TLS 1.3 ignores.
			renegSCSV = slices.Contains(h.CipherSuites, 0x00ff)
			renegExt = slices.Contains(h.Extensions, 0xff01)
			if srv.TLS.Managed {
				m := c.e.acme.Load()
				if m == nil {
					return nil, errNoACME
				}
				return m.tlsConfig(srv.TLS, h, func() { c.mdFallback = true }), nil
			}
			return srv.TLS.config, nil
		},
	}
	tc := tls.Server(c.nc, cfg)
	if base.Timeout > 0 {
		tc.SetDeadline(time.Now().Add(base.Timeout))
	}
	err := tc.Handshake()
	if err != nil {
		var rh tls.RecordHeaderError
		if errors.As(err, &rh) && rh.Conn != nil && looksLikeHTTP(rh.RecordHeader[:]) {
			c.connLog(slogInfo, "AH01996: SSL handshake failed: HTTP spoken on HTTPS port; trying to send HTML error page")
			c.nc = &madeUpRequest{Conn: c.nc, r: strings.NewReader(httpOnHTTPS)}
			c.plainOnTLS = true
			return true
		}
		c.connLog(slogInfo, "AH02008: SSL library error 1 in handshake (server "+vhostName(base)+")", "err", err)
		return false
	}
	tc.SetDeadline(time.Time{})
	st := tc.ConnectionState()
	name, bits := opensslSuite(st.CipherSuite)
	c.tls = &logformat.TLS{
		Protocol: opensslVersion(st.Version), Cipher: name, UseKeySize: bits, AlgKeySize: bits,
		SNI: sni, Resumed: st.DidResume,
		SecureRenegotiation: renegSCSV || (renegExt && st.Version <= tls.VersionTLS12),
	}
	c.nc = tc
	return true
}

// looksLikeHTTP reports whether the first bytes of a connection are an
// HTTP request line, as OpenSSL's SSL_R_HTTP_REQUEST tells.
func looksLikeHTTP(b []byte) bool {
	for _, m := range [...]string{"GET ", "POST ", "HEAD ", "PUT "} {
		if bytes.HasPrefix(b, []byte(m)) {
			return true
		}
	}
	return false
}

// vhostName is mod_ssl's vhost_id of a server: name:port, the port 443
// when the server names none.
func vhostName(s *Server) string {
	port := s.Port
	if port == 0 {
		port = 443
	}
	return s.Hostname + ":" + itoa(port)
}

// madeUpRequest is a connection whose reads come from r, its writes going
// to the client.
type madeUpRequest struct {
	net.Conn
	r *strings.Reader
}

func (m *madeUpRequest) Read(p []byte) (int, error) { return m.r.Read(p) }

// connLog writes an entry about the connection to the error log.
func (c *conn) connLog(level slog.Level, msg string, args ...any) {
	l := c.e.log()
	if !l.Enabled(context.Background(), level) {
		return
	}
	args = append(args, "module", "ssl", "client", c.remoteIP+":"+itoa(int(c.remoteAddr.Port())))
	if f := c.base.ErrorLogFormat; f != "" {
		args = append(args, "errorlogformat", f)
	}
	l.Log(context.Background(), level, msg, args...)
}

// checkSNI is mod_ssl's post_read_request check of a request on a TLS
// connection whose client sent a name (SNI): it must name a host, and one
// whose TLS settings are those of the handshake. It returns the status to
// answer, or 0.
func (ex *exchange) checkSNI() int {
	c := ex.c
	if c.plainOnTLS {
		ex.r.notes = setField(ex.r.notes, "error-notes", "Reason: You're speaking plain HTTP to an SSL-enabled "+
			"server port.<br />\n Instead use the HTTPS scheme to access this URL, please.<br />\n")
		return 400
	}
	if c.mdFallback {
		// mod_md's fallback certificate: sslconn->service_unavailable.
		ex.keepalive = false
		return 503
	}
	if c.tls == nil || c.tls.SNI == "" || ex.orig != nil {
		return 0
	}
	if !ex.hasHostname {
		ex.logError("AH02031: Hostname "+c.tls.SNI+" provided via SNI, but no hostname provided in HTTP request", "module", "ssl")
		return 400
	}
	if ex.srv != c.tlsServer && !c.tlsServer.TLS.compatible(ex.srv.TLS) {
		ex.logError("AH02032: Hostname "+c.tls.SNI+" provided via SNI and hostname "+ex.hostname+
			" provided via HTTP have no compatible SSL setup", "module", "ssl")
		return 421
	}
	return 0
}

// ProxyTLSSettings is mod_ssl's configuration of a server as the client
// of https backends (SSLProxy*).
type ProxyTLSSettings struct {
	// Engine is SSLProxyEngine On: without it an https backend is a 500.
	Engine bool
	// CheckPeerName and CheckPeerExpire are SSLProxyCheckPeerName and
	// SSLProxyCheckPeerExpire (both On by default): the backend's
	// certificate must name the backend's host and be current. Its chain
	// is not verified (SSLProxyVerify none, the default).
	CheckPeerName, CheckPeerExpire bool
	// MinVersion, MaxVersion and CipherSuites are SSLProxyProtocol's and
	// SSLProxyCipherSuite's; zero values are Go's defaults.
	MinVersion, MaxVersion uint16
	CipherSuites           []uint16

	mu      sync.Mutex
	configs map[string]*tls.Config // by backend host name, made on first use
}

// clientConfig returns the TLS configuration for the backend host (a name
// or an IP address, the SNI when a name), one per host; nil when the
// server does not proxy to https (SSLProxyEngine Off).
func (ps *ProxyTLSSettings) clientConfig(host string) *tls.Config {
	if ps == nil || !ps.Engine {
		return nil
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if c := ps.configs[host]; c != nil {
		return c
	}
	c := &tls.Config{
		ServerName:         host,
		InsecureSkipVerify: true, // SSLProxyVerify none: the chain is not checked
		MinVersion:         ps.MinVersion,
		MaxVersion:         ps.MaxVersion,
		CipherSuites:       ps.CipherSuites,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("SSL Proxy: no peer certificate")
			}
			leaf := cs.PeerCertificates[0]
			if ps.CheckPeerExpire && time.Now().After(leaf.NotAfter) {
				return errors.New("AH02005: SSL Proxy: Peer certificate is expired")
			}
			if ps.CheckPeerName && leaf.VerifyHostname(host) != nil {
				return errors.New("AH02411: SSL Proxy: Peer certificate does not match for hostname " + host)
			}
			return nil
		},
	}
	if ps.configs == nil {
		ps.configs = make(map[string]*tls.Config)
	}
	ps.configs[host] = c
	return c
}
