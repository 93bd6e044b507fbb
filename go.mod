module github.com/jl6/logproxy

go 1.26
