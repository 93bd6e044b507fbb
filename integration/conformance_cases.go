package integration

// This file loads the conformance corpus (testdata/conformance, a copy of
// shared/conformance) into Go values. The test driver that replays it
// against a running server lives in conformance_test.go (build tag
// "conformance"); everything here is plain parsing, so it is unit-tested
// by conformance_cases_test.go in every `go test ./...`.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// conformanceDir is the corpus copy, relative to the package directory
// (go test runs with the package directory as working directory).
const conformanceDir = "testdata/conformance"

// Client modes of the corpus (README, column client_mode).
const (
	modeSequential = "sequential"
	modePipeline   = "pipeline"
	modeAbort      = "abort"
	modePartial    = "partial"
	modeEmpty      = "empty"
	modeExpect     = "expect"
	modeEOF        = "eof"
)

// confCase is one row of httpd-cases.tsv.
type confCase struct {
	Line   int // line number in the TSV, for messages
	Name   string
	Server string // the server column as written
	Port   int    // the listener the bytes go to

	RequestExpr string
	// Request holds the bytes to send. It has one element, except for the
	// expect mode where it is {head, body}: the head is sent first, the
	// body after the interim reply (or 2 s).
	Request [][]byte
	Mode    string

	Upstream     string
	FormatInConf string // logformat_in_httpd_conf: nickname or quoted text as in httpd.conf
	FormatValue  string // logformat_value: the format after the config tokenizer

	NothingLogged bool
	ExpectLog     []byte // apache_log_bytes; may contain {ServerRoot}

	Volatile []string // categories from the volatile column

	Context []map[string]string // httpd's own per-request values (ctx.log)

	ClientSaw []sawSegment

	// ToUpstream is what httpd sent to the backend, one element per
	// exchange; nil when the backend was not contacted.
	ToUpstream []upstreamRequest

	Notes string
}

// sawSegment is one response (or the interim part of one) from client_saw.
type sawSegment struct {
	Data   []byte
	Prefix bool // the corpus shows only the start ("...")
}

// upstreamRequest is one request head httpd sent to upstream.py.
type upstreamRequest struct {
	Head    []byte // including the final CRLFCRLF
	BodyLen int
}

var caseColumns = []string{
	"case", "server", "request_bytes", "client_mode", "upstream",
	"logformat_in_httpd_conf", "logformat_value", "apache_log_bytes",
	"volatile", "context", "client_saw", "apache_to_upstream_request", "notes",
}

// loadCases reads and parses httpd-cases.tsv.
func loadCases(path string) ([]confCase, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var (
		col   map[string]int
		cases []confCase
		line  int
	)
	for sc.Scan() {
		line++
		text := sc.Text()
		if text == "" {
			continue
		}
		fields := strings.Split(text, "\t")
		if col == nil {
			col = map[string]int{}
			for i, f := range fields {
				col[f] = i
			}
			for _, c := range caseColumns {
				if _, ok := col[c]; !ok {
					return nil, fmt.Errorf("%s: header lacks column %q", path, c)
				}
			}
			continue
		}
		if len(fields) != len(col) {
			return nil, fmt.Errorf("%s:%d: %d fields, want %d", path, line, len(fields), len(col))
		}
		get := func(name string) string { return fields[col[name]] }
		c, err := parseCase(get)
		if err != nil {
			return nil, fmt.Errorf("%s:%d (%s): %v", path, line, get("case"), err)
		}
		c.Line = line
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return cases, nil
}

var serverPortRE = regexp.MustCompile(`:(\d+)`)

func parseCase(get func(string) string) (confCase, error) {
	c := confCase{
		Name:         get("case"),
		Server:       get("server"),
		RequestExpr:  get("request_bytes"),
		Mode:         get("client_mode"),
		Upstream:     get("upstream"),
		FormatInConf: get("logformat_in_httpd_conf"),
		FormatValue:  get("logformat_value"),
		Notes:        get("notes"),
	}
	m := serverPortRE.FindStringSubmatch(c.Server)
	if m == nil {
		return c, fmt.Errorf("no port in server column %q", c.Server)
	}
	c.Port, _ = strconv.Atoi(m[1])

	switch c.Mode {
	case modeSequential, modePipeline, modeAbort, modePartial, modeEmpty, modeExpect, modeEOF:
	default:
		return c, fmt.Errorf("unknown client_mode %q", c.Mode)
	}

	req, err := parseRequestBytes(c.RequestExpr)
	if err != nil {
		return c, fmt.Errorf("request_bytes: %v", err)
	}
	c.Request = req
	if c.Mode == modeExpect && len(req) != 2 {
		return c, fmt.Errorf("expect mode needs a head and a body part, got %d parts", len(req))
	}
	if c.Mode != modeExpect && len(req) != 1 {
		return c, fmt.Errorf("%d request parts in mode %s", len(req), c.Mode)
	}

	if lb := get("apache_log_bytes"); lb == "(nothing logged)" {
		c.NothingLogged = true
	} else {
		c.ExpectLog, err = evalPyBytesExpr(lb)
		if err != nil {
			return c, fmt.Errorf("apache_log_bytes: %v", err)
		}
	}

	for _, v := range strings.Split(get("volatile"), ",") {
		if v = strings.TrimSpace(v); v != "" {
			c.Volatile = append(c.Volatile, v)
		}
	}

	if ctx := get("context"); ctx != "" {
		if err := json.Unmarshal([]byte(ctx), &c.Context); err != nil {
			return c, fmt.Errorf("context: %v", err)
		}
	}

	c.ClientSaw, err = parseClientSaw(get("client_saw"))
	if err != nil {
		return c, fmt.Errorf("client_saw: %v", err)
	}
	c.ToUpstream, err = parseToUpstream(get("apache_to_upstream_request"))
	if err != nil {
		return c, fmt.Errorf("apache_to_upstream_request: %v", err)
	}
	return c, nil
}

// RequestBytes is the whole byte stream of the case (all parts).
func (c *confCase) RequestBytes() []byte {
	return bytes.Join(c.Request, nil)
}

// parseRequestBytes evaluates the request_bytes column: one Python bytes
// expression, or for the expect mode
//
//	b'head'  (then, after waiting up to 2 s for an interim reply) b'body'
func parseRequestBytes(s string) ([][]byte, error) {
	var parts [][]byte
	rest := s
	for {
		b, r, err := parsePyBytesPrefix(rest)
		if err != nil {
			return nil, err
		}
		parts = append(parts, b)
		rest = strings.TrimSpace(r)
		if rest == "" {
			return parts, nil
		}
		if rest[0] != '(' {
			return nil, fmt.Errorf("unexpected text after expression: %q", rest)
		}
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return nil, fmt.Errorf("unterminated annotation: %q", rest)
		}
		rest = strings.TrimSpace(rest[end+1:])
	}
}

// parseClientSaw parses the client_saw column: responses separated by
// "||", each a bytes expression optionally followed by "..." when only
// its start is shown. An empty column means the client received nothing.
func parseClientSaw(s string) ([]sawSegment, error) {
	rest := strings.TrimSpace(s)
	if rest == "" {
		return nil, nil
	}
	var segs []sawSegment
	for {
		b, r, err := parsePyBytesPrefix(rest)
		if err != nil {
			return nil, err
		}
		seg := sawSegment{Data: b}
		r = strings.TrimSpace(r)
		if strings.HasPrefix(r, "...") {
			seg.Prefix = true
			r = strings.TrimSpace(r[3:])
		}
		segs = append(segs, seg)
		if r == "" {
			return segs, nil
		}
		if !strings.HasPrefix(r, "||") {
			return nil, fmt.Errorf("unexpected text: %q", r)
		}
		rest = strings.TrimSpace(r[2:])
	}
}

var bodySuffixRE = regexp.MustCompile(`^\+\s*body\s+(\d+)\s+bytes?`)

// parseToUpstream parses apache_to_upstream_request: "-", or request heads
// separated by "||", each optionally followed by "+ body N bytes".
func parseToUpstream(s string) ([]upstreamRequest, error) {
	rest := strings.TrimSpace(s)
	if rest == "-" || rest == "" {
		return nil, nil
	}
	var reqs []upstreamRequest
	for {
		b, r, err := parsePyBytesPrefix(rest)
		if err != nil {
			return nil, err
		}
		u := upstreamRequest{Head: b}
		r = strings.TrimSpace(r)
		if m := bodySuffixRE.FindStringSubmatch(r); m != nil {
			u.BodyLen, _ = strconv.Atoi(m[1])
			r = strings.TrimSpace(r[len(m[0]):])
		}
		reqs = append(reqs, u)
		if r == "" {
			return reqs, nil
		}
		if !strings.HasPrefix(r, "||") {
			return nil, fmt.Errorf("unexpected text: %q", r)
		}
		rest = strings.TrimSpace(r[2:])
	}
}

// evalPyBytesExpr evaluates a whole Python bytes expression (see
// parsePyBytesPrefix) and rejects trailing text.
func evalPyBytesExpr(s string) ([]byte, error) {
	b, rest, err := parsePyBytesPrefix(s)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(rest) != "" {
		return nil, fmt.Errorf("trailing text after bytes expression: %q", rest)
	}
	return b, nil
}

// parsePyBytesPrefix evaluates the Python bytes expression at the start of
// s and returns its value and the unparsed rest. The subset understood is
// what the corpus uses:
//
//	expr := term { "+" term }
//	term := atom [ "*" int ] | int "*" atom
//	atom := b'...' | b"..." | "(" expr ")"
//
// with the escapes of Python bytes literals (\\ \' \" \a \b \f \n \r \t \v
// \xhh \ooo and backslash-newline; any other backslash stays as is).
// Parsing stops before a "+" that is not followed by a term, so callers can
// handle annotations such as "+ body 10 bytes".
func parsePyBytesPrefix(s string) ([]byte, string, error) {
	p := &pyParser{s: s}
	v, err := p.expr()
	if err != nil {
		return nil, "", err
	}
	return v, p.s[p.i:], nil
}

type pyParser struct {
	s string
	i int
}

func (p *pyParser) ws() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *pyParser) errf(format string, args ...any) error {
	return fmt.Errorf("offset %d: %s (near %q)", p.i, fmt.Sprintf(format, args...), clip(p.s[p.i:], 30))
}

// startsTerm reports whether a term starts at offset j.
func (p *pyParser) startsTerm(j int) bool {
	if j >= len(p.s) {
		return false
	}
	c := p.s[j]
	if c == '(' || (c >= '0' && c <= '9') {
		return true
	}
	return c == 'b' && j+1 < len(p.s) && (p.s[j+1] == '\'' || p.s[j+1] == '"')
}

func (p *pyParser) expr() ([]byte, error) {
	p.ws()
	v, err := p.term()
	if err != nil {
		return nil, err
	}
	for {
		save := p.i
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == '+' {
			j := p.i + 1
			for j < len(p.s) && (p.s[j] == ' ' || p.s[j] == '\t') {
				j++
			}
			if p.startsTerm(j) {
				p.i = j
				t, err := p.term()
				if err != nil {
					return nil, err
				}
				v = append(v, t...)
				continue
			}
		}
		p.i = save
		return v, nil
	}
}

func (p *pyParser) int() (int, error) {
	start := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	if start == p.i {
		return 0, p.errf("integer expected")
	}
	n, err := strconv.Atoi(p.s[start:p.i])
	if err != nil || n > 1<<24 {
		return 0, p.errf("bad repeat count %q", p.s[start:p.i])
	}
	return n, nil
}

func (p *pyParser) term() ([]byte, error) {
	p.ws()
	if p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		n, err := p.int()
		if err != nil {
			return nil, err
		}
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != '*' {
			return nil, p.errf("'*' expected after count")
		}
		p.i++
		p.ws()
		a, err := p.atom()
		if err != nil {
			return nil, err
		}
		return bytes.Repeat(a, n), nil
	}
	a, err := p.atom()
	if err != nil {
		return nil, err
	}
	save := p.i
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == '*' {
		p.i++
		p.ws()
		n, err := p.int()
		if err != nil {
			return nil, err
		}
		return bytes.Repeat(a, n), nil
	}
	p.i = save
	return a, nil
}

func (p *pyParser) atom() ([]byte, error) {
	if p.i >= len(p.s) {
		return nil, p.errf("bytes literal expected")
	}
	if p.s[p.i] == '(' {
		p.i++
		v, err := p.expr()
		if err != nil {
			return nil, err
		}
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != ')' {
			return nil, p.errf("')' expected")
		}
		p.i++
		return v, nil
	}
	if p.s[p.i] != 'b' || p.i+1 >= len(p.s) || (p.s[p.i+1] != '\'' && p.s[p.i+1] != '"') {
		return nil, p.errf("bytes literal expected")
	}
	quote := p.s[p.i+1]
	p.i += 2
	var out []byte
	for {
		if p.i >= len(p.s) {
			return nil, p.errf("unterminated bytes literal")
		}
		c := p.s[p.i]
		if c == quote {
			p.i++
			return out, nil
		}
		if c != '\\' {
			out = append(out, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.s) {
			return nil, p.errf("backslash at end")
		}
		e := p.s[p.i+1]
		p.i += 2
		switch e {
		case '\\', '\'', '"':
			out = append(out, e)
		case 'a':
			out = append(out, 7)
		case 'b':
			out = append(out, 8)
		case 'f':
			out = append(out, 12)
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'v':
			out = append(out, 11)
		case '\n':
			// line continuation
		case 'x':
			if p.i+2 > len(p.s) {
				return nil, p.errf("short \\x escape")
			}
			v, err := strconv.ParseUint(p.s[p.i:p.i+2], 16, 8)
			if err != nil {
				return nil, p.errf("bad \\x escape")
			}
			out = append(out, byte(v))
			p.i += 2
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := int(e - '0')
			for k := 0; k < 2 && p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '7'; k++ {
				v = v*8 + int(p.s[p.i]-'0')
				p.i++
			}
			out = append(out, byte(v))
		default:
			out = append(out, '\\', e)
		}
	}
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// confTemplate is what the driver needs to know about an httpd.conf
// template: which file each CustomLog writes, and the Timeout per port.
type confTemplate struct {
	Text       string
	CustomLogs []customLog
	// Timeout is the global Timeout; VhostTimeout overrides it per port.
	Timeout      int
	VhostTimeout map[int]int
}

type customLog struct {
	Path   string // as written, relative to ServerRoot
	Format string // the format argument as written, without surrounding quotes
}

var vhostPortRE = regexp.MustCompile(`^<VirtualHost\s+[^>]*:(\d+)\s*>`)

func loadTemplate(path string) (*confTemplate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseTemplate(string(data))
}

func parseTemplate(text string) (*confTemplate, error) {
	t := &confTemplate{Text: text, Timeout: 60, VhostTimeout: map[int]int{}}
	vhostPort := 0
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if m := vhostPortRE.FindStringSubmatch(line); m != nil {
			vhostPort, _ = strconv.Atoi(m[1])
			continue
		}
		if strings.HasPrefix(line, "</VirtualHost") {
			vhostPort = 0
			continue
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		switch {
		case strings.EqualFold(fields[0], "Timeout") && len(fields) == 2:
			n, err := strconv.Atoi(fields[1])
			if err != nil {
				return nil, fmt.Errorf("bad Timeout line %q", line)
			}
			if vhostPort == 0 {
				t.Timeout = n
			} else {
				t.VhostTimeout[vhostPort] = n
			}
		case strings.EqualFold(fields[0], "CustomLog") && len(fields) >= 3:
			rest := strings.TrimSpace(line[len(fields[0]):])
			rest = strings.TrimSpace(rest[len(fields[1]):])
			if len(rest) >= 2 && rest[0] == '"' && rest[len(rest)-1] == '"' {
				rest = rest[1 : len(rest)-1]
			}
			t.CustomLogs = append(t.CustomLogs, customLog{Path: fields[1], Format: rest})
		}
	}
	return t, nil
}

// logPathFor returns the CustomLog path (relative to ServerRoot) whose
// format argument is exactly formatInConf.
func (t *confTemplate) logPathFor(formatInConf string) (string, error) {
	var found []string
	for _, cl := range t.CustomLogs {
		if cl.Format == formatInConf {
			found = append(found, cl.Path)
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("no CustomLog line with format %q in the template", formatInConf)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("format %q is written by several CustomLog lines: %v", formatInConf, found)
}

// timeoutFor is the Timeout that applies to connections on port.
func (t *confTemplate) timeoutFor(port int) int {
	if n, ok := t.VhostTimeout[port]; ok {
		return n
	}
	return t.Timeout
}

// instanceSpec describes one server instance of the corpus environment.
type instanceSpec struct {
	Name     string
	TZ       string // TZ environment variable of the instance
	Template string // file name in testdata/conformance
	Ports    []int
	// TemplatePort is the port written in the template's Listen and
	// VirtualHost lines, replaced by Ports[0] (TZ instances share a template).
	TemplatePort int
}

var instanceSpecs = []instanceSpec{
	{Name: "main", TZ: "UTC", Template: "httpd.conf.template", Ports: []int{18080, 18081, 18082, 18083, 18084}},
	{Name: "tz-st-johns", TZ: "America/St_Johns", Template: "httpd-tz.conf.template", Ports: []int{18085}, TemplatePort: 18086},
	{Name: "tz-kolkata", TZ: "Asia/Kolkata", Template: "httpd-tz.conf.template", Ports: []int{18086}, TemplatePort: 18086},
	{Name: "tz-jls", TZ: "JLS-5:30:45", Template: "httpd-tz.conf.template", Ports: []int{18087}, TemplatePort: 18086},
}

func instanceForPort(port int) (*instanceSpec, bool) {
	for i := range instanceSpecs {
		for _, p := range instanceSpecs[i].Ports {
			if p == port {
				return &instanceSpecs[i], true
			}
		}
	}
	return nil, false
}

// renderConfig substitutes {ServerRoot} and, for the TZ template, the port.
func (s *instanceSpec) renderConfig(templateText, serverRoot string) string {
	text := strings.ReplaceAll(templateText, "{ServerRoot}", serverRoot)
	if s.TemplatePort != 0 && s.TemplatePort != s.Ports[0] {
		from := fmt.Sprintf("127.0.0.1:%d", s.TemplatePort)
		to := fmt.Sprintf("127.0.0.1:%d", s.Ports[0])
		text = strings.ReplaceAll(text, "Listen "+from, "Listen "+to)
		text = strings.ReplaceAll(text, "<VirtualHost "+from+">", "<VirtualHost "+to+">")
	}
	return text
}

func templatePath(name string) string {
	return filepath.Join(conformanceDir, name)
}
