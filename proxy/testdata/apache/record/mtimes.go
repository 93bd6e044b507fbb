package main

import (
	"bufio"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"
)

var mtimes map[string]time.Time

// mtimeOf is the modification time mtimes.txt gives the htdocs path rel.
func mtimeOf(rel string) time.Time {
	if mtimes == nil {
		mtimes = map[string]time.Time{}
		f, err := os.Open(filepath.Join(*testdata, "mtimes.txt"))
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			l := strings.TrimSpace(sc.Text())
			if l == "" || l[0] == '#' {
				continue
			}
			i := strings.LastIndexByte(l, ' ')
			t, err := time.Parse(time.RFC3339Nano, l[i+1:])
			if err != nil {
				log.Fatal(err)
			}
			mtimes[l[:i]] = t
		}
	}
	if t, ok := mtimes[rel]; ok {
		return t
	}
	return mtimes["*"]
}
