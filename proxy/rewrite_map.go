package proxy

// RewriteMap lookups: the internal functions and text files (txt:, rnd:)
// of mod_rewrite, a text file read again whenever it changes.

import (
	"bufio"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"time"
)

// RewriteMap is one RewriteMap of a server.
type RewriteMap interface {
	// lookup returns the value of key; ok is false when there is none
	// (an empty value counts as none).
	lookup(ex *exchange, key string) (value string, ok bool)
}

// RewriteMapFunc returns the internal map int:name (tolower, toupper,
// escape, unescape), or false if httpd has none of that name.
func RewriteMapFunc(name string) (RewriteMap, bool) {
	switch name {
	case "tolower", "toupper", "escape", "unescape":
		return rewriteMapFunc(name), true
	}
	return nil, false
}

type rewriteMapFunc string

func (f rewriteMapFunc) lookup(_ *exchange, key string) (string, bool) {
	switch f {
	case "tolower":
		key = asciiLower(key)
	case "toupper":
		key = asciiUpper(key)
	case "escape":
		key = osEscapePath(key)
	case "unescape":
		// ap_unescape_url: every good escape decoded (a %00 ends the
		// string), a bad one kept.
		b := []byte(key)
		n, _ := unescapeURL(b, unescForbidSlashes)
		key = string(b[:n])
	}
	return key, true
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - ('a' - 'A')
		}
	}
	return string(b)
}

// NewRewriteMapFile returns the map of a txt: (or rnd:, random) file:
// lines "key value", where lines that begin with '#' or white space are
// comments. The file is looked at on each lookup and read again when its
// modification time changed, as mod_rewrite's cache does.
func NewRewriteMapFile(path string, random bool) RewriteMap {
	return &rewriteMapFile{path: path, random: random}
}

type rewriteMapFile struct {
	path   string
	random bool

	mu    sync.Mutex
	mtime time.Time
	cache map[string]string // key -> value, "" for a key not found
}

// rewriteMaxTxtLine is REWRITE_MAX_TXT_MAP_LINE: longer lines are read
// in pieces, as apr_file_gets reads them.
const rewriteMaxTxtLine = 1024

func (m *rewriteMapFile) lookup(ex *exchange, key string) (string, bool) {
	st, err := os.Stat(m.path)
	if err != nil {
		ex.logError("AH00661: mod_rewrite: can't access text RewriteMap file "+m.path, "module", "rewrite")
		return "", false
	}
	m.mu.Lock()
	if !st.ModTime().Equal(m.mtime) || m.cache == nil {
		m.mtime, m.cache = st.ModTime(), make(map[string]string)
	}
	v, cached := m.cache[key]
	m.mu.Unlock()
	if !cached {
		var ok bool
		v, ok = m.read(ex, key)
		if !ok {
			return "", false // not cached: httpd caches only what it read
		}
		m.mu.Lock()
		if m.mtime.Equal(st.ModTime()) {
			m.cache[key] = v
		}
		m.mu.Unlock()
	}
	if v == "" {
		return "", false
	}
	if m.random {
		v = randomPart(v)
	}
	return v, v != ""
}

// read is lookup_map_txtfile: the first value of key in the file, "" if
// none; ok is false when the file cannot be opened.
func (m *rewriteMapFile) read(ex *exchange, key string) (string, bool) {
	f, err := os.Open(m.path)
	if err != nil {
		ex.logError("AH00655: mod_rewrite: can't open text RewriteMap file "+m.path, "module", "rewrite")
		return "", false
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 4096)
	for {
		line, err := readMapLine(r)
		if line != "" && line[0] != '#' && !isMapSpace(line[0]) {
			if v, ok := mapLineValue(line, key); ok {
				return v, true
			}
		}
		if err != nil {
			return "", true
		}
	}
}

// readMapLine reads what apr_file_gets would into a buffer of
// rewriteMaxTxtLine+1 bytes: up to and including a newline, or at most
// rewriteMaxTxtLine bytes.
func readMapLine(r *bufio.Reader) (string, error) {
	var b []byte
	for len(b) < rewriteMaxTxtLine {
		c, err := r.ReadByte()
		if err != nil {
			return string(b), err
		}
		b = append(b, c)
		if c == '\n' {
			break
		}
	}
	return string(b), nil
}

// mapLineValue matches a line against key: the key, white space, and the
// value up to the next white space.
func mapLineValue(line, key string) (string, bool) {
	if strings.ContainsAny(key, " \t\n\v\f\r") || !strings.HasPrefix(line, key) || len(line) == len(key) || !isMapSpace(line[len(key)]) {
		return "", false
	}
	rest := strings.TrimLeft(line[len(key):], " \t\n\v\f\r")
	if rest == "" {
		return "", false
	}
	end := strings.IndexAny(rest, " \t\n\v\f\r")
	if end < 0 {
		end = len(rest)
	}
	return rest[:end], true
}

func isMapSpace(c byte) bool { return c == ' ' || c >= '\t' && c <= '\r' }

// randomPart is select_random_value_part: one of the '|'-separated
// values, picked at random.
func randomPart(v string) string {
	parts := strings.Split(v, "|")
	return parts[rand.IntN(len(parts))]
}
