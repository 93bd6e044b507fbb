module github.com/jl6/logproxy/integration/bench

go 1.26.0

replace github.com/jl6/logproxy => ../..

require (
	github.com/gorilla/handlers v1.5.2
	github.com/jl6/logproxy v0.0.0-00010101000000-000000000000
)

require github.com/felixge/httpsnoop v1.0.3 // indirect
