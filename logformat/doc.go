// Package logformat compiles Apache mod_log_config LogFormat strings once and
// renders, or parses back, access log lines byte for byte as httpd writes them.
package logformat
