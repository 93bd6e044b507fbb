// Package integration holds end-to-end tests that run logproxy as real processes.
package integration
