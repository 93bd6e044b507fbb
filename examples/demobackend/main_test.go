package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHeaders(t *testing.T) {
	srv := httptest.NewServer(newHandler())
	defer srv.Close()

	for _, tc := range []struct {
		path     string
		status   int
		cid, oid string // "" means the header must be absent
	}{
		{"/", 200, "", ""},
		{"/articles/42", 200, "17", "42"},
		{"/photos/5", 200, "23", "5"},
		{"/health", 200, "", ""},
		{"/nowhere", 404, "", ""},
	} {
		resp, err := http.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("GET %s: status %d, want %d", tc.path, resp.StatusCode, tc.status)
		}
		for name, want := range map[string]string{"X-JL6-CID": tc.cid, "X-JL6-OID": tc.oid} {
			got := resp.Header.Values(name) // header names are case-insensitive
			switch {
			case want == "" && len(got) > 0:
				t.Errorf("GET %s: %s: %q, want none", tc.path, name, got)
			case want != "" && (len(got) != 1 || got[0] != want):
				t.Errorf("GET %s: %s: %q, want %q", tc.path, name, got, want)
			}
		}
	}
}
