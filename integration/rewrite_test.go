package integration

import "testing"

// TestRewriteRules: RewriteRule and RewriteCond in the server and
// <VirtualHost> context answer, rewrite, proxy and log as apache2 2.4.71
// did (testdata/rewrite).
func TestRewriteRules(t *testing.T) {
	testRecordedSite(t, "rewrite", "requests.txt", "vhost-requests.txt", "vhost-requests.txt", "vhost-requests.txt")
}

// TestRewriteMaps: RewriteMap int:, txt: and rnd: maps, a map of a
// virtual host over the main server's with RewriteOptions Inherit, and
// an unknown map's default, as apache2 2.4.71 logged them
// (testdata/rewritemaps).
func TestRewriteMaps(t *testing.T) {
	testRecordedSite(t, "rewritemaps", "requests0.txt", "requests1.txt")
}

// TestRewriteCookies: the cookies of [CO], on every kind of answer, as
// apache2 2.4.71 logged them (testdata/rewritecookies).
func TestRewriteCookies(t *testing.T) {
	testRecordedSite(t, "rewritecookies", "requests0.txt", "requests1.txt")
}

// TestRewriteTypes: RewriteRule [T=] and ForceType, on files and on
// proxied answers without a type of their own, and AddDefaultCharset on
// a backend's type, as apache2 2.4.71 logged and sent them
// (testdata/rewritetypes).
func TestRewriteTypes(t *testing.T) {
	testRecordedSite(t, "rewritetypes", "requests0.txt", "requests1.txt")
}

// TestRewriteSites: the rewriting of two sites as users write them (a
// canonical host and HTTPS redirect, a front controller, [P] with
// ProxyPassReverse, a catch-all ProxyPass; the redirect vhost certbot
// writes) as apache2 2.4.71 logged it (testdata/rewritesites).
func TestRewriteSites(t *testing.T) {
	testRecordedSite(t, "rewritesites", "requests0.txt", "requests1.txt")
}

// TestExpires: ExpiresActive, ExpiresDefault and ExpiresByType (with a
// wildcard a <Location> merge loses, counted from the request or from the
// file's modification) on files, proxied answers, redirects and errors,
// under Header rules, as apache2 2.4.71 logged them (testdata/expires).
func TestExpires(t *testing.T) {
	testRecordedSite(t, "expires", "requests0.txt", "requests1.txt")
}

// TestExprVariables: the expression variables REQUEST_SCHEME,
// SERVER_ADMIN, DOCUMENT_ROOT, PATH_INFO, AUTH_TYPE and SERVER_PORT (the
// port the request named) and the functions escape, unescape and
// unbase64, as apache2 2.4.71 logged them (testdata/exprvars).
func TestExprVariables(t *testing.T) {
	testRecordedSite(t, "exprvars", "requests0.txt", "requests1.txt")
}

// TestCanonicalName: the URL of this server, SERVER_NAME and SERVER_PORT
// from the Host field, and from the ServerName in a virtual host with
// UseCanonicalName On, as apache2 2.4.71 made them
// (testdata/canonicalname).
func TestCanonicalName(t *testing.T) {
	testRecordedSite(t, "canonicalname", "requests.txt", "requests.txt")
}

// TestServerNamePort: a request that names no port gets the ServerName's
// port in the URLs of this server, as apache2 2.4.71 gave it
// (testdata/servernameport).
func TestServerNamePort(t *testing.T) {
	testRecordedSite(t, "servernameport", "requests.txt", "requests.txt")
}

// TestDirectoryModule: a directory's trailing-slash redirect and
// DirectoryIndex come from mod_dir, and without it are 404s, as apache2
// 2.4.71 answered (testdata/moddir, testdata/nomoddir).
func TestDirectoryModule(t *testing.T) {
	t.Run("loaded", func(t *testing.T) { testRecordedSite(t, "moddir", "requests.txt", "requests.txt") })
	t.Run("not loaded", func(t *testing.T) { testRecordedSite(t, "nomoddir", "requests.txt", "requests.txt") })
}
