package proxy

// mod_rewrite's rules as package config builds them: RewriteRule and
// RewriteCond lists of the server and <VirtualHost> context, with their
// substitutions and test strings parsed into templates.

import (
	"regexp"

	"github.com/jl6/logproxy/logformat"
)

// RewriteConfig is the rule list of one server (RewriteEngine On), the
// main server's rules already merged in as RewriteOptions Inherit*
// says.
type RewriteConfig struct {
	Rules []*RewriteRule
	// Maps are the RewriteMap lines of the server, by name.
	Maps map[string]RewriteMap
	// AllowAnyURI is RewriteOptions AllowAnyURI: the rules run for a
	// request whose URI is no URL-path ("*") too.
	AllowAnyURI bool
	// LegacyPrefixDocRoot is RewriteOptions LegacyPrefixDocRoot: a
	// URL of this server reduced to its path is not forced under
	// DocumentRoot.
	LegacyPrefixDocRoot bool
	// UnsafePrefixStat is RewriteOptions UnsafePrefixStat: a result
	// whose first path segment exists is used as it is, whatever the
	// rule wrote.
	UnsafePrefixStat bool
}

// RewriteRule is one RewriteRule line with the RewriteCond lines before
// it.
type RewriteRule struct {
	Regex  *regexp.Regexp // the pattern, compiled with [NC] when given
	Negate bool           // the pattern began with '!'
	// Subst is the substitution; Output the same as written, without
	// a final '?' that drops the query (prefix_stat compares with it).
	Subst  RewriteTemplate
	Output string
	Conds  []RewriteCond
	Flags  RewriteFlags
	// Status is the answer of [R=code], [F] or [G] (forced_responsecode;
	// 302 by default).
	Status    int
	Skip      int // [S=n]
	MaxRounds int // [N=n]; 32000 by default
	// Env holds the [E=...] specs, Cookies the [CO=...] ones.
	Env, Cookies []RewriteTemplate
	// ForcedType is [T=type]; nil when not given.
	ForcedType RewriteTemplate
	// Escapes and NoEscapes are the bytes of [B=...] and [BNE=...].
	Escapes, NoEscapes string
	// File and Line locate the rule, for messages.
	File string
	Line int
}

// RewriteFlags are the flags of a RewriteRule.
type RewriteFlags uint32

// The RewriteRule flags, as mod_rewrite's RULEFLAG_* bits.
const (
	RewriteNoSub            RewriteFlags = 1 << iota // substitution "-", [F], [G], [R=non-3xx]
	RewriteChain                                     // [C]
	RewriteStatus                                    // [F], [G], [R=non-3xx]: answer Status
	RewriteRedirect                                  // [R]
	RewriteLast                                      // [L]
	RewriteEnd                                       // [END]
	RewriteNext                                      // [N]
	RewriteNoEscape                                  // [NE]
	RewriteProxy                                     // [P]
	RewritePassThrough                               // [PT]
	RewriteQSAppend                                  // [QSA]
	RewriteQSDiscard                                 // [QSD]
	RewriteQSLast                                    // [QSL], or QSA with a final '?'
	RewriteQSNone                                    // a final '?', or QSD without '?': no query
	RewriteEscapeBackref                             // [B], [BCTLS]
	RewriteEscapeNoPlus                              // [BNP]
	RewriteEscapeCtls                                // [BCTLS]
	RewriteUnsafeAllow3F                             // [UnsafeAllow3F]
	RewriteUnsafePrefixStat                          // [UnsafePrefixStat]
	RewriteUNC                                       // [UNC]
)

// RewriteCond is one RewriteCond line.
type RewriteCond struct {
	Test RewriteTemplate // the TestString
	Op   RewriteCondOp
	// Regex is the pattern of CondRegex; Pattern the operand of a string
	// comparison, Int of an integer one.
	Regex   *regexp.Regexp
	Pattern string
	Int     int
	// Expr is the condition of CondExpr: whether it holds, and the word
	// and groups of its last regular expression match.
	Expr func(*logformat.Record) (bool, string, []int)

	Negate bool // '!' before the pattern
	NoCase bool // [NC]
	OrNext bool // [OR]
	NoVary bool // [NV]
}

// RewriteCondOp is what a RewriteCond tests.
type RewriteCondOp uint8

// The RewriteCond tests (CONDPAT_*).
const (
	CondRegex RewriteCondOp = iota
	CondFile                // -f
	CondSize                // -s
	CondDir                 // -d
	CondLink                // -l, -L, -h
	CondExec                // -x
	CondStrEQ               // =
	CondStrLT               // <
	CondStrLE               // <=
	CondStrGT               // >
	CondStrGE               // >=
	CondIntEQ               // -eq (and -ne, negated)
	CondIntLT               // -lt
	CondIntLE               // -le
	CondIntGT               // -gt
	CondIntGE               // -ge
	CondExpr                // TestString "expr"
)

// RewriteTemplate is a substitution, test string or flag value, split
// where do_expand would act.
type RewriteTemplate []RewritePart

// RewritePart is one piece of a template.
type RewritePart struct {
	Kind RewritePartKind
	// Text is the literal of PartText and PartEscaped, the name after
	// "ENV:" of PartEnv, the header of PartHeader, the variable of
	// PartServerVar, the map of PartMap.
	Text string
	N    int // $N, %N
	// Var reads a variable of PartVar from the request as it is.
	Var func(*logformat.Record) string
	// Key and Default are the key of ${map:key|default} and what it
	// expands to when the map has no value for the key.
	Key, Default RewriteTemplate
}

// RewritePartKind says what a RewritePart expands to.
type RewritePartKind uint8

// The kinds of template piece.
const (
	PartText      RewritePartKind = iota // text as written
	PartEscaped                          // a character after '\'
	PartRuleRef                          // $N: the rule pattern's group N
	PartCondRef                          // %N: group N of the last matching condition
	PartVar                              // %{NAME} read through Var
	PartEnv                              // %{ENV:name}
	PartHeader                           // %{HTTP:name} and the HTTP_* variables
	PartServerVar                        // a variable of the server (Text: its name)
	PartMap                              // ${map:key|default}
)
