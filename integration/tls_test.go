package integration

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// writeCert writes a self-signed certificate for name, with an ECDSA or
// an RSA key, to dir/base.crt and dir/base.key.
func writeCert(t *testing.T, dir, base, name string, rsaKey bool) {
	t.Helper()
	var pub, priv any
	if rsaKey {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		pub, priv = &k.PublicKey, k
	} else {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		pub, priv = &k.PublicKey, k
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, base+".crt"), string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	writeFile(t, filepath.Join(dir, base+".key"), string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})))
}

// TestTLSRecorded: two TLS virtual hosts chosen by SNI and a plain one,
// with mod_ssl's log items, the https scheme in redirects, expressions
// and %p, the SNI and Host checks (421, 400) and plain HTTP sent to the
// TLS port, logged as apache2 2.4.71 logged the same requests
// (testdata/tls).
func TestTLSRecorded(t *testing.T) {
	testRecordedTLS(t, "tls", true)
}

// TestMDRecorded: mod_md's MDRequireHttps redirects on the plain port,
// and the 503 a managed TLS virtual host answers until it has its
// certificate, logged as apache2 2.4.71 logged them with a CA it could
// not reach (testdata/md).
func TestMDRecorded(t *testing.T) {
	testRecordedTLS(t, "md", false)
}

// testRecordedTLS runs testdata/<dir>/rules.conf with mod_ssl and mod_md
// on two ports (PORTA, PORTB), the backend of serveRequestLine (BACKEND),
// a scratch directory for SSLSessionCache and MDStoreDir, and in CERTDIR
// a.crt (ECDSA, a.test) and b.crt (RSA, b.test) with their keys. It sends
// the requests of testdata/<dir>/requests.txt, one connection each: "tls
// SNI VERSION request" with a Go TLS client (1.2 offering only the ECDHE
// AES-128-GCM suites), or "plain A|B request"; with checkCert, the
// certificate must be the one for the SNI. It expects the log apache2
// wrote, testdata/<dir>/access.log.
func testRecordedTLS(t *testing.T, dir string, checkCert bool) {
	backend := serveTCP(t, serveRequestLine)
	addrA, addrB := addrOf(freePort(t)), addrOf(freePort(t))
	_, portA, _ := net.SplitHostPort(addrA)
	_, portB, _ := net.SplitHostPort(addrB)
	rules, err := os.ReadFile(filepath.Join("testdata", dir, "rules.conf"))
	if err != nil {
		t.Fatal(err)
	}
	conf := strings.Replace(configHead(addrA, addrB), "ServerName localhost\n", "ServerName x\n", 1) +
		"LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so\n" +
		"LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\n" +
		"LoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so\n" +
		"LoadModule socache_shmcb_module /usr/lib/apache2/modules/mod_socache_shmcb.so\n" +
		"LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n" +
		"LoadModule md_module /usr/lib/apache2/modules/mod_md.so\n"
	root, confPath := newServerRoot(t, conf)
	certs := filepath.Join(root, "certs")
	if err := os.MkdirAll(certs, 0o700); err != nil {
		t.Fatal(err)
	}
	writeCert(t, certs, "a", "a.test", false)
	writeCert(t, certs, "b", "b.test", true)
	body := strings.NewReplacer("PORTA", portA, "PORTB", portB, "BACKEND", backend, "CERTDIR", certs,
		"SSLCACHE", filepath.Join(root, "scache"), "MDSTORE", filepath.Join(root, "md")).Replace(string(rules))
	writeFile(t, confPath, conf+body)
	p := startLogproxy(t, root, confPath, addrA)

	data, err := os.ReadFile(filepath.Join("testdata", dir, "requests.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Split(l, "\t")
		raw, err := strconv.Unquote(f[len(f)-1])
		if err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		raw = strings.NewReplacer("ADDRA_PORT", portA, "PORTB", portB).Replace(raw)
		var c net.Conn
		if f[0] == "tls" {
			cfg := &tls.Config{InsecureSkipVerify: true, ServerName: f[1]}
			if f[2] == "1.2" {
				cfg.MaxVersion = tls.VersionTLS12
				cfg.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}
			}
			tc, err := tls.Dial("tcp", addrA, cfg)
			if err != nil {
				t.Fatalf("%q: %v", l, err)
			}
			if want, got := f[1], tc.ConnectionState().PeerCertificates[0].Subject.CommonName; checkCert && want != "" && got != want {
				t.Errorf("SNI %s: the certificate of %s", want, got)
			}
			c = tc
		} else {
			addr := addrA
			if f[1] == "B" {
				addr = addrB
			}
			if c, err = net.Dial("tcp", addr); err != nil {
				t.Fatal(err)
			}
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(c, raw)
		io.ReadAll(c)
		c.Close()
	}
	expectRecordedLog(t, p.logPath("access.log"), filepath.Join(dir, "access.log"), "PORTA", portA, "PORTB", portB, "BACKEND", backend)
}

// TestTLSBadClients: clients that stall in the handshake, send bytes that
// are neither TLS nor HTTP, or leave halfway, neither take the server down
// nor hold up the others; each failed handshake is in the error log.
func TestTLSBadClients(t *testing.T) {
	backend := serveTCP(t, serveRequestLine)
	addr := addrOf(freePort(t))
	conf := configHead(addr) + "LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n"
	root, confPath := newServerRoot(t, conf)
	writeCert(t, root, "s", "localhost", false)
	writeFile(t, confPath, conf+"Timeout 30\nSSLEngine on\nSSLCertificateFile "+root+"/s.crt\nSSLCertificateKeyFile "+root+"/s.key\n"+
		"LogFormat \"%r %>s %{SSL_PROTOCOL}x\" t\nCustomLog logs/access.log t\nProxyPass /p/ http://"+backend+"/\n")
	p := startLogproxy(t, root, confPath, addr)

	// Stalled handshakes: the first bytes of a record, then nothing.
	for i := 0; i < 50; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.Write([]byte{0x16, 0x03, 0x01})
	}
	// Garbage, and a client that leaves after its ClientHello.
	for i := 0; i < 5; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte("\x00\x01\x02garbage that is no TLS record at all\r\n\r\n"))
		io.ReadAll(c)
		c.Close()
	}
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	tc := tls.Client(raw, &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"})
	go tc.Handshake()
	time.Sleep(50 * time.Millisecond)
	raw.Close()

	cfg := &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"}
	for i := 0; i < 20; i++ {
		start := time.Now()
		c, err := tls.Dial("tcp", addr, cfg)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(c, "GET /p/ok"+strconv.Itoa(i)+" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
		resp, _ := io.ReadAll(c)
		c.Close()
		if !strings.HasPrefix(string(resp), "HTTP/1.1 200 OK\r\n") {
			t.Fatalf("request %d: %q", i, resp)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("request %d took %v with stalled handshakes around", i, d)
		}
	}
	waitFileContains(t, p.logPath("access.log"), "GET /p/ok19 HTTP/1.1 200 TLSv1.3\n", 5*time.Second)
	errLog := waitFileContains(t, p.logPath("error.log"), "AH02008", 5*time.Second)
	if n := strings.Count(errLog, "AH02008: SSL library error 1 in handshake (server localhost:443)"); n < 6 {
		t.Errorf("%d failed handshakes in the error log, want at least 6:\n%s", n, errLog)
	}
	if strings.Contains(readFileString(p.logPath("access.log")), "garbage") {
		t.Errorf("a failed handshake was logged as a request")
	}
}

// TestProxyTLSRecorded: https backends (SSLProxyEngine), the backend's
// certificate checked by name but not by CA, SSLProxyCheckPeerName Off,
// and an https backend without SSLProxyEngine, logged as apache2 2.4.71
// logged them (testdata/proxytls).
func TestProxyTLSRecorded(t *testing.T) {
	// The backend: TLS with a certificate for "localhost" only; it
	// answers with its request line and Host.
	certs := t.TempDir()
	writeCert(t, certs, "be", "localhost", false)
	cert, err := tls.LoadX509KeyPair(filepath.Join(certs, "be.crt"), filepath.Join(certs, "be.key"))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	serveListener(t, ln, func(c net.Conn) {
		defer c.Close()
		br := bufio.NewReader(c)
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nX-Got: %s %s %s | %s\r\nContent-Length: 2\r\n\r\nok", req.Method, req.RequestURI, req.Proto, req.Host)
		}
	})
	_, tlsPort, _ := net.SplitHostPort(ln.Addr().String())

	addr := addrOf(freePort(t))
	_, port, _ := net.SplitHostPort(addr)
	rules, err := os.ReadFile("testdata/proxytls/rules.conf")
	if err != nil {
		t.Fatal(err)
	}
	conf := strings.Replace(configHead(addr), "ServerName localhost\n", "ServerName main.test\n", 1) +
		"LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so\n" +
		strings.NewReplacer("PORTA", port, "TLSPORT", tlsPort).Replace(string(rules))
	root, confPath := newServerRoot(t, conf)
	p := startLogproxy(t, root, confPath, addr)
	for _, hp := range [][2]string{{"on.test", "/ok/a"}, {"on.test", "/ip/b"}, {"noname.test", "/ip/c"}, {"off.test", "/ok/d"}, {"on.test", "/ok/e?q=1"}} {
		sendOnce(t, addr, "GET "+hp[1]+" HTTP/1.1\r\nHost: "+hp[0]+"\r\nConnection: close\r\n\r\n")
	}
	expectRecordedLog(t, p.logPath("access.log"), "proxytls/access.log", "TLSPORT", tlsPort)
	errLog := readFileString(p.logPath("error.log"))
	for _, want := range []string{"AH02411: SSL Proxy: Peer certificate does not match for hostname 127.0.0.1",
		"AH00898: Error during SSL Handshake with remote server returned by /ip/b", "AH00961: https: failed to enable ssl support"} {
		if !strings.Contains(errLog, want) {
			t.Errorf("the error log has no %q:\n%s", want, errLog)
		}
	}
}
