//go:build !linux

package proxy

import (
	"errors"
	"time"
)

// idlePoller parks idle connections; without epoll there is none, and
// idle connections keep waiting on their goroutines.
type idlePoller struct{}

func newIdlePoller() (*idlePoller, error) { return nil, errors.ErrUnsupported }

func (p *idlePoller) park(c *conn, until time.Time) bool { return false }
func (p *idlePoller) unpark(c *conn) bool                { return false }
func (p *idlePoller) stop()                              {}
