module github.com/jl6/logproxy

go 1.26.0

require golang.org/x/crypto v0.58.0

require gopkg.in/natefinch/lumberjack.v2 v2.2.1
