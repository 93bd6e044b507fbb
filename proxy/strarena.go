package proxy

import "unsafe"

// strArena makes strings by copying bytes into a chunk it fills from the
// front, so that the short strings of a request (its head, the backend's
// head, r->filename) share one allocation instead of making one each.
//
// A region once handed out is never written again: the chunk is only
// appended to, and a full chunk is left to the strings that point into it
// (which keep it alive for as long as any of them lives) while a new one
// is made. So the strings are as immutable as any, however long they are
// kept; there is nothing to audit about their lifetime. The zero value is
// ready; a nil *strArena makes plain strings.
type strArena struct {
	buf []byte
}

const (
	strArenaChunk = 4 << 10 // bytes a chunk holds
	strArenaMax   = 1 << 10 // longer strings get an allocation of their own
)

// str returns b as a string.
func (a *strArena) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if a == nil || len(b) > strArenaMax {
		return string(b)
	}
	if len(b) > cap(a.buf)-len(a.buf) {
		a.buf = make([]byte, 0, strArenaChunk)
	}
	i := len(a.buf)
	a.buf = append(a.buf, b...)
	return unsafe.String(&a.buf[i], len(b))
}
