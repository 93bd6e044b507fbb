package integration

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"log"
	"net"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/letsencrypt/pebble/v2/ca"
	"github.com/letsencrypt/pebble/v2/db"
	"github.com/letsencrypt/pebble/v2/va"
	"github.com/letsencrypt/pebble/v2/wfe"
)

// startPebble runs Let's Encrypt's test CA in this process, its
// validation authority dialling httpPort for HTTP-01 and tlsPort for
// TLS-ALPN-01; it returns the
// directory URL, the file of the CA's HTTPS certificate (to trust for
// the ACME API) and the root the certificates it issues chain to.
func startPebble(t *testing.T, httpPort, tlsPort int) (dir, apiCertFile string, root *x509.Certificate) {
	t.Helper()
	// Read when the parts are made: no random sleep before a
	// validation, no nonces refused for practice.
	t.Setenv("PEBBLE_VA_NOSLEEP", "1")
	t.Setenv("PEBBLE_WFE_NONCEREJECT", "0")
	t.Setenv("PEBBLE_AUTHZREUSE", "0")
	logger := log.New(io.Discard, "", 0)
	store := db.NewMemoryStore()
	authority := ca.New(logger, store, "", "ecdsa", 0, 1, map[string]ca.Profile{"default": {Description: "default", ValidityPeriod: 7776000}})
	validator := va.New(logger, httpPort, tlsPort, false, "", store)
	front := wfe.New(logger, store, validator, authority, []string{"pebble.letsencrypt.org"}, false, false, 0, 0)
	srv := httptest.NewTLSServer(front.Handler())
	t.Cleanup(srv.Close)
	apiCertFile = filepath.Join(t.TempDir(), "pebble-api.pem")
	writeFile(t, apiCertFile, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})))
	return srv.URL + "/dir", apiCertFile, authority.GetRootCert(0).Cert
}

// TestACMEHTTP01: a configuration as mod_md's manual has it, MDomain and
// a TLS virtual host with no certificate, gets its certificate from an
// ACME CA (Pebble, in this process) through the HTTP-01 challenge, which
// logproxy answers on its plain port and logs; the TLS virtual host then
// serves the certificate, which chains to the CA's root.
func TestACMEHTTP01(t *testing.T) {
	root, p := testACME(t, "http-01")
	log := readFileString(p.logPath("access.log"))
	// The CA's HTTP-01 request, answered and logged on the plain port.
	if !strings.Contains(log, "localhost GET /.well-known/acme-challenge/") || !strings.Contains(log, " HTTP/1.1 200 -\n") {
		t.Errorf("no HTTP-01 request answered 200 in the access log:\n%s", log)
	}
	// CertMagic's store is mod_md's MDStoreDir, "md" under ServerRoot.
	if files, _ := filepath.Glob(filepath.Join(root, "md", "certificates", "*", "localhost", "localhost.crt")); len(files) != 1 {
		t.Errorf("the certificate is not in ServerRoot/md: %v", files)
	}
}

// TestACMETLSALPN01: the same through the TLS-ALPN-01 challenge, which
// logproxy answers in the handshake on its TLS port (ALPN acme-tls/1):
// no request is logged for it.
func TestACMETLSALPN01(t *testing.T) {
	_, p := testACME(t, "tls-alpn-01")
	if log := readFileString(p.logPath("access.log")); strings.Contains(log, "acme-challenge") {
		t.Errorf("an HTTP-01 request with TLS-ALPN-01 alone:\n%s", log)
	}
}

// testACME runs a configuration as mod_md's manual has it, MDomain and a
// TLS virtual host with no certificate, against an ACME CA (Pebble, in
// this process) with one challenge type, and waits until the virtual
// host serves a certificate that chains to the CA's root and proxies a
// request over it. It returns the server root and the process.
func testACME(t *testing.T, challenge string) (string, *lpProc) {
	t.Helper()
	backend := serveTCP(t, serveRequestLine)
	httpPort, tlsPort := freePort(t), freePort(t)
	dir, apiCert, root := startPebble(t, httpPort, tlsPort)
	conf := configHead(addrOf(httpPort), addrOf(tlsPort)) +
		"LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n" +
		"LoadModule md_module /usr/lib/apache2/modules/mod_md.so\n" +
		"ServerAdmin webmaster@example.test\n" +
		"MDomain localhost\n" +
		"MDCertificateAgreement accepted\n" +
		"MDCertificateAuthority " + dir + "\n" +
		"MDCACertificateFile " + apiCert + "\n" +
		"MDCAChallenges " + challenge + "\n" +
		"MDPortMap http:" + strconv.Itoa(httpPort) + " https:" + strconv.Itoa(tlsPort) + "\n" +
		"LogFormat \"%v %r %>s %{SSL_PROTOCOL}x\" t\nCustomLog logs/access.log t\n" +
		"<VirtualHost *:" + strconv.Itoa(httpPort) + ">\nServerName localhost\nProxyPass /p/ http://" + backend + "/\n</VirtualHost>\n" +
		"<VirtualHost *:" + strconv.Itoa(tlsPort) + ">\nServerName localhost\nSSLEngine on\nProxyPass /p/ http://" + backend + "/\n</VirtualHost>\n"
	serverRoot, confPath := newServerRoot(t, conf)
	p := startLogproxy(t, serverRoot, confPath, addrOf(httpPort))

	pool := x509.NewCertPool()
	pool.AddCert(root)
	cfg := &tls.Config{ServerName: "localhost", RootCAs: pool}
	deadline := time.Now().Add(60 * time.Second)
	var conn *tls.Conn
	for {
		c, err := tls.DialWithDialer(&net.Dialer{Timeout: 2 * time.Second}, "tcp", addrOf(tlsPort), cfg)
		if err == nil {
			conn = c
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no certificate from the CA after 60 s: %v\nerror log:\n%s", err, readFileString(p.logPath("error.log")))
		}
		time.Sleep(200 * time.Millisecond)
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(conn, "GET /p/tls HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
	resp, _ := io.ReadAll(conn)
	conn.Close()
	if !strings.HasPrefix(string(resp), "HTTP/1.1 200 OK\r\n") {
		t.Fatalf("over TLS: %q", resp)
	}
	waitFileContains(t, p.logPath("access.log"), "localhost GET /p/tls HTTP/1.1 200 TLSv1.3\n", 5*time.Second)
	if errLog := readFileString(p.logPath("error.log")); !strings.Contains(errLog, "md: certificate obtained for localhost") {
		t.Errorf("the error log does not tell the certificate was obtained:\n%s", errLog)
	}
	return serverRoot, p
}

// TestACMEReload: a name added to MDomain by a reload (SIGHUP) gets its
// certificate from the CA while the server keeps running, and the name it
// had keeps its own. The CA validates every challenge (Pebble's
// PEBBLE_VA_ALWAYS_VALID), so that any name will do.
func TestACMEReload(t *testing.T) {
	t.Setenv("PEBBLE_VA_ALWAYS_VALID", "1")
	backend := serveTCP(t, serveRequestLine)
	httpPort, tlsPort := freePort(t), freePort(t)
	dir, apiCert, root := startPebble(t, httpPort, tlsPort)
	conf := func(names ...string) string {
		c := configHead(addrOf(httpPort), addrOf(tlsPort)) +
			"LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n" +
			"LoadModule md_module /usr/lib/apache2/modules/mod_md.so\n" +
			"MDCertificateAuthority " + dir + "\nMDCACertificateFile " + apiCert + "\n" +
			"MDPortMap http:" + strconv.Itoa(httpPort) + " https:" + strconv.Itoa(tlsPort) + "\n"
		for _, n := range names {
			c += "MDomain " + n + "\n<VirtualHost *:" + strconv.Itoa(tlsPort) + ">\nServerName " + n +
				"\nSSLEngine on\nProxyPass / http://" + backend + "/\n</VirtualHost>\n"
		}
		return c
	}
	serverRoot, confPath := newServerRoot(t, conf("app.example.test"))
	p := startLogproxy(t, serverRoot, confPath, addrOf(httpPort))
	pool := x509.NewCertPool()
	pool.AddCert(root)
	waitCert := func(name string) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			c, err := tls.DialWithDialer(&net.Dialer{Timeout: 2 * time.Second}, "tcp", addrOf(tlsPort), &tls.Config{ServerName: name, RootCAs: pool})
			if err == nil {
				c.Close()
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("no certificate for %s after 60 s: %v\nerror log:\n%s", name, err, readFileString(p.logPath("error.log")))
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	waitCert("app.example.test")
	writeFile(t, confPath, conf("app.example.test", "www.example.test"))
	p.signal(syscall.SIGHUP)
	waitReloaded(t, p.logPath("error.log"), 1)
	waitCert("www.example.test")
	waitCert("app.example.test")
}
