// Package rotate is a log writer that several processes can share, with size
// and time rotation.
package rotate
