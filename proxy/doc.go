// Package proxy serves HTTP and forwards requests to backends as mod_proxy does.
package proxy
