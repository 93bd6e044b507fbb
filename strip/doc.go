// Package strip removes internal response headers from everything a client can receive.
package strip
