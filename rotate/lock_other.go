//go:build !linux

package rotate

import (
	"errors"
	"io/fs"
	"os"
)

// openLock needs Linux's open-file-description locks.
func openLock(path string, perm fs.FileMode) (*lockFile, error) {
	return nil, errors.New("rotate: shared log files need Linux")
}

func (l *lockFile) alive(i int) bool         { return false }
func (l *lockFile) busyWith(gen uint64) bool { return false }
func (l *lockFile) lock() error              { return errors.New("rotate: shared log files need Linux") }
func (l *lockFile) unlock()                  {}
func (l *lockFile) close() error             { return nil }

// pipeUnread cannot tell: a closing Pipe does not restart its program.
func pipeUnread(f *os.File) int { return 0 }
