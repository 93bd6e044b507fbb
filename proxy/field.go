package proxy

import "github.com/jl6/logproxy/logformat"

// Field is one header field (name and value) as it arrived or leaves. The
// proxy keeps headers as ordered slices of Fields rather than maps: the
// order is what httpd logs and forwards, and a slice costs no per-request
// map.
type Field = logformat.Field

// Fields is an ordered header table; lookups ignore ASCII case.
type Fields = logformat.Fields
