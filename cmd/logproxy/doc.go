// Command logproxy is a reverse proxy that reads an Apache httpd.conf and
// writes the access log lines httpd would have written.
package main
