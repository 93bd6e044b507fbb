package integration

import "testing"

// TestRegexSubstitution: $N and backslash escapes in Header edit (with
// format and expr= replacements), AliasMatch, RedirectMatch,
// ProxyPassMatch, SetEnvIf and SetEnvIfExpr values, as apache2 2.4.71
// put them in (testdata/regsub).
func TestRegexSubstitution(t *testing.T) {
	testRecordedSite(t, "regsub", "requests0.txt", "requests1.txt")
}
