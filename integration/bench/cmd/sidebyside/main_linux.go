//go:build linux

package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "backend":
			os.Exit(runBackend(os.Args[2:]))
		case "httputil":
			os.Exit(runRefProxy(os.Args[2:]))
		case "floor":
			os.Exit(runFloor(os.Args[2:]))
		}
	}
	if err := runHarness(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "sidebyside:", err)
		os.Exit(1)
	}
}
