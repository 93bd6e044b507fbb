package config

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/jl6/logproxy/proxy"
)

// This file builds mod_md's configuration (proxy.ACMESettings): the
// managed domains of MDomain and how their certificates are obtained.
// CertMagic obtains and renews them; the directives that tune what
// CertMagic does its own way are refused rather than silently ignored.

// knownCAs are mod_md's names for CAs (md_core.c's KNOWN_CAs).
var knownCAs = []struct{ name, url string }{
	{"LetsEncrypt", "https://acme-v02.api.letsencrypt.org/directory"},
	{"LetsEncrypt-Test", "https://acme-staging-v02.api.letsencrypt.org/directory"},
	{"Buypass", "https://api.buypass.com/acme/directory"},
	{"Buypass-Test", "https://api.test4.buypass.no/acme/directory"},
}

// mdKeyTypes are MDPrivateKeys' words and CertMagic's key types.
var mdKeyTypes = map[string]string{
	"rsa": "rsa2048", "rsa 2048": "rsa2048", "rsa 4096": "rsa4096", "rsa 8192": "rsa8192",
	"secp256r1": "p256", "p-256": "p256", "secp384r1": "p384", "p-384": "p384",
}

// mdBuild is what mod_md's directives set.
type mdBuild struct {
	domains  [][]string
	ca       string
	email    string
	storeDir string
	caRoots  string
	noHTTP   bool
	noALPN   bool
	httpPort int
	tlsPort  int
	keyType  string
	window   float64
	require  proxy.RequireHTTPS
}

// mdDirective reads one of mod_md's directives.
func (b *siteBuilder) mdDirective(d *Directive, sb *serverBuild) {
	if b.md == nil {
		b.md = &mdBuild{}
	}
	md := b.md
	a := d.Args
	name := strings.ToLower(d.Name)
	if name != "mdomain" && sb.parent != nil {
		b.errorf(d, "%s in a <VirtualHost> is not supported by logproxy: it takes mod_md's settings from the main server", d.Name)
		return
	}
	switch name {
	case "mdomain":
		var names []string
		for _, w := range a {
			switch strings.ToLower(w) {
			case "auto", "manual":
				// mod_md adds a virtual host's other names with auto;
				// logproxy manages the names the line gives.
				continue
			}
			names = append(names, strings.ToLower(w))
		}
		if len(names) == 0 {
			b.errorf(d, "needs at least one domain name")
			return
		}
		md.domains = append(md.domains, names)
	case "mdcertificateagreement":
		// mod_md 2 needs no agreement; "accepted" (or a terms URL) is
		// what configurations say.
	case "mdcertificateauthority":
		if len(a) != 1 {
			b.errorf(d, "MDCertificateAuthority with several CAs (failover) is not supported by logproxy")
			return
		}
		u := a[0]
		for _, k := range knownCAs {
			if strings.EqualFold(k.name, u) {
				u = k.url
			}
		}
		if p, err := url.Parse(u); err != nil || p.Scheme == "" || p.Host == "" {
			b.errorf(d, "The CA name '%s' is not known and it is not a URL either. Known CA names are: LetsEncrypt LetsEncrypt-Test Buypass Buypass-Test.", a[0])
			return
		}
		md.ca = u
	case "mdcontactemail":
		md.email = a[0]
	case "mdstoredir":
		md.storeDir = b.path(a[0])
	case "mdcacertificatefile":
		path, ok := b.sslFile(d)
		if !ok {
			return
		}
		md.caRoots = path
	case "mdcachallenges":
		md.noHTTP, md.noALPN = true, true
		for _, w := range a {
			switch strings.ToLower(w) {
			case "http-01":
				md.noHTTP = false
			case "tls-alpn-01":
				md.noALPN = false
			case "dns-01":
				b.errorf(d, "MDCAChallenges dns-01 is not supported by logproxy (MDChallengeDns01)")
				return
			default:
				b.errorf(d, "MDCAChallenges: unknown challenge type %q", w)
				return
			}
		}
	case "mdportmap":
		for _, w := range a {
			from, to, ok := strings.Cut(w, ":")
			if !ok {
				b.errorf(d, "unable to parse %q, expected format is 'http:port' or 'https:port'", w)
				return
			}
			port := 0
			if to != "-" {
				p, err := strconv.Atoi(to)
				if err != nil || p <= 0 || p > 65535 {
					b.errorf(d, "invalid port number %q in MDPortMap", to)
					return
				}
				port = p
			}
			switch strings.ToLower(from) {
			case "http", "80":
				md.httpPort, md.noHTTP = port, md.noHTTP || port == 0
			case "https", "443":
				md.tlsPort, md.noALPN = port, md.noALPN || port == 0
			default:
				b.errorf(d, "MDPortMap: only http (80) and https (443) are mapped, not %q", from)
				return
			}
		}
	case "mdprivatekeys":
		k, ok := mdKeyTypes[strings.ToLower(strings.Join(a, " "))]
		if !ok {
			b.errorf(d, "MDPrivateKeys %s is not supported by logproxy (one of RSA [2048|4096|8192], secp256r1, secp384r1)", strings.Join(a, " "))
			return
		}
		md.keyType = k
	case "mdrenewwindow":
		v := strings.TrimSpace(a[0])
		if pct, ok := strings.CutSuffix(v, "%"); ok {
			f, err := strconv.ParseFloat(pct, 64)
			if err != nil || f <= 0 || f >= 100 {
				b.errorf(d, "MDRenewWindow: invalid percentage %q", v)
				return
			}
			md.window = f / 100
			return
		}
		b.errorf(d, "MDRenewWindow %s: logproxy takes the window as a percentage of the certificate's lifetime (CertMagic's RenewalWindowRatio), as in \"33%%\"", v)
	case "mdrequirehttps":
		switch strings.ToLower(a[0]) {
		case "off":
			md.require = proxy.RequireOff
		case "temporary":
			md.require = proxy.RequireTemporary
		case "permanent":
			md.require = proxy.RequirePermanent
		default:
			b.errorf(d, "unknown '%s', supported parameter values are 'temporary' and 'permanent'", a[0])
		}
	case "mdbaseserver":
		// Whether the main server outside virtual hosts may be managed:
		// logproxy manages the servers whose ServerName is a managed name.
	case "mdrenewmode", "mddrivemode":
		if !strings.EqualFold(a[0], "auto") && !strings.EqualFold(a[0], "automatic") {
			b.errorf(d, "%s %s is not supported by logproxy (only auto)", d.Name, a[0])
		}
	case "mdmembers", "mdmember":
		for _, w := range a {
			if !strings.EqualFold(w, "auto") && !strings.EqualFold(w, "manual") {
				b.errorf(d, "%s with names is not supported by logproxy (its <MDomain> section is not)", d.Name)
				return
			}
		}
	default:
		b.errorf(d, "%s is not supported by logproxy yet", d.Name)
	}
}

// finishMD makes the site's ACMESettings and marks the TLS servers whose
// ServerName is a managed name and that have no certificate of their own.
func (b *siteBuilder) finishMD(main *serverBuild) {
	md := b.md
	if md == nil || len(md.domains) == 0 {
		return
	}
	a := &proxy.ACMESettings{
		Domains: md.domains, CA: md.ca, Email: md.email, StoreDir: md.storeDir, CARoots: md.caRoots,
		NoHTTP01: md.noHTTP, NoTLSALPN01: md.noALPN, HTTPPort: md.httpPort, TLSPort: md.tlsPort,
		KeyType: md.keyType, RenewWindow: md.window, RequireHTTPS: md.require,
	}
	if a.CA == "" {
		a.CA = knownCAs[0].url
	}
	if a.Email == "" {
		a.Email = strings.TrimPrefix(main.srv.Admin, "mailto:")
	}
	if a.StoreDir == "" {
		a.StoreDir = b.path("md")
	}
	if a.HTTPPort == 0 && !a.NoHTTP01 {
		a.HTTPPort = 80
	}
	if a.TLSPort == 0 && !a.NoTLSALPN01 {
		a.TLSPort = 443
	}
	b.site.ACME = a
}

// mdManaged reports whether a TLS server without certificate files gets
// them from mod_md: its ServerName is a managed name.
func (b *siteBuilder) mdManaged(s *proxy.Server) bool {
	if b.md == nil {
		return false
	}
	for _, d := range b.md.domains {
		for _, n := range d {
			if strings.EqualFold(n, s.Hostname) {
				return true
			}
		}
	}
	return false
}
