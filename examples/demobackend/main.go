// Command demobackend is a tiny stand-in for the app server that logproxy
// sits in front of. It is what `make run` starts behind logproxy.
//
// Like the real app, it names what each page shows in two internal
// response headers, which logproxy writes to the access log and never
// sends to the client:
//
//	X-JL6-CID  content type id (17 for articles, 23 for photos)
//	X-JL6-OID  object id (the <id> in the URL)
//
// It logs nothing itself: the access log is logproxy's job.
//
// Usage:
//
//	demobackend [-addr 127.0.0.1:8090]
package main

import (
	"flag"
	"fmt"
	"html"
	"net/http"
	"os"
)

// Content type ids, as the app's database numbers them.
const (
	articleCID = "17"
	photoCID   = "23"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8090", "`host:port` to listen on")
	flag.Parse()
	if err := http.ListenAndServe(*addr, newHandler()); err != nil {
		fmt.Fprintln(os.Stderr, "demobackend:", err)
		os.Exit(1)
	}
}

// newHandler returns the demo site's routes.
func newHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", index)
	mux.HandleFunc("GET /articles/{id}", object("Article", articleCID))
	mux.HandleFunc("GET /photos/{id}", object("Photo", photoCID))
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok") // no JL6 headers: nothing worth counting
	})
	return mux
}

func index(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, `<!doctype html>
<title>logproxy demo</title>
<h1>logproxy demo</h1>
<ul>
<li><a href="/articles/42">article 42</a>
<li><a href="/articles/7">article 7</a>
<li><a href="/photos/5">photo 5</a>
<li><a href="/health">health check</a>
</ul>
`)
}

// object serves one article or photo page, naming it in the X-JL6 headers
// for the access log.
func object(kind, cid string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		// Go sends these as X-Jl6-Cid and X-Jl6-Oid: header names are
		// case-insensitive, and so are httpd and logproxy about them.
		w.Header().Set("X-JL6-CID", cid)
		w.Header().Set("X-JL6-OID", id)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!doctype html>\n<title>%s %s</title>\n<p>%s %s. <a href=\"/\">Back</a>\n",
			kind, html.EscapeString(id), kind, html.EscapeString(id))
	}
}
