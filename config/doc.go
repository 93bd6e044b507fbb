// Package config reads the subset of Apache's httpd.conf language that
// logproxy understands and reports mistakes as FILE:LINE: message.
package config
