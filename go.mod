module github.com/jl6/logproxy

go 1.26.0

require golang.org/x/crypto v0.58.0
