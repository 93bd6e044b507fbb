// Package bench compares logproxy's logformat with other Go access-log
// writers, rendering Apache's "combined" line for the same request.
//
// It is a module of its own so that the peers it measures (gorilla/handlers)
// never enter logproxy's go.mod. Everything is in the _test.go files; see
// README.md for what each benchmark measures and how to run it.
package bench
