//go:build !linux

package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "sidebyside: the side-by-side benchmark needs Linux (/proc, taskset, CPU pinning)")
	os.Exit(1)
}
