package proxy

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// maxIdleWorkers is how many goroutines may wait for a connection to
// serve; more exit when they are done. It is above the usual number of
// connections served at once: with 32, 64 clients opening a connection
// per request had workers exit and new ones grow their stacks again
// (2.5% of the CPU); the GC still shrinks the stacks of idle ones.
const maxIdleWorkers = 128

// workers runs connections on goroutines that are kept, with the stack
// they grew, for the next connection: a request's path needs more than a
// new goroutine's stack, and growing it (copying it twice) cost a new
// connection more than the goroutine itself. An idle worker costs its
// stack; at most maxIdleWorkers wait.
//
// The zero value is unusable: see newWorkers. Every worker goroutine
// exits once stop has been called and its current connection is done.
type workers struct {
	work    chan workerTask // unbuffered: a send succeeds only if a worker waits
	quit    chan struct{}
	idle    atomic.Int32
	started atomic.Int64 // goroutines started so far
	wg      sync.WaitGroup
	once    sync.Once
}

// workerTask is a connection to serve: a new one, or a parked one the
// idle poller found readable.
type workerTask struct {
	c      *conn
	resume bool
}

// do serves the task. A panic while serving is the connection's end, not
// the server's, as net/http treats a handler's: it is logged with its
// stack and the connection is closed.
func (t workerTask) do() {
	defer func() {
		if r := recover(); r != nil {
			c := t.c
			stack := make([]byte, 32<<10)
			stack = stack[:runtime.Stack(stack, false)]
			c.e.log().Error(fmt.Sprintf("panic serving %s: %v", c.remoteIP, r), "stack", string(stack))
			if !c.ended {
				c.nc.Close()
				c.e.connDone(c)
			}
		}
	}()
	if t.resume {
		t.c.resume()
	} else {
		t.c.serve()
	}
}

func newWorkers() *workers {
	return &workers{work: make(chan workerTask), quit: make(chan struct{})}
}

// run serves t on an idle worker, or on a new one.
func (w *workers) run(t workerTask) {
	select {
	case w.work <- t:
		return
	default:
	}
	w.wg.Add(1)
	w.started.Add(1)
	go w.loop(t)
}

func (w *workers) loop(t workerTask) {
	defer w.wg.Done()
	for {
		t.do()
		t = workerTask{}
		if w.idle.Add(1) > maxIdleWorkers {
			w.idle.Add(-1)
			return
		}
		select {
		case t = <-w.work:
			w.idle.Add(-1)
		case <-w.quit:
			w.idle.Add(-1)
			return
		}
	}
}

// stop makes idle workers exit, and busy ones once they are done; it
// waits for them.
func (w *workers) stop() {
	w.once.Do(func() { close(w.quit) })
	w.wg.Wait()
}
