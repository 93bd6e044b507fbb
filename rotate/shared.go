package rotate

import (
	"os"
	"sync"
	"sync/atomic"
	"unsafe"
)

// The lock file holds what the processes sharing a log agree on, mapped
// into each of them:
//
//	0     header: magic, the state word, the record of the current file
//	4096  slots: one per Writer, with the generation it is writing to
//
// The state word is read and changed with atomic instructions on the fast
// path; the record is changed only under flock(LOCK_EX) on the lock file,
// which the kernel releases when its holder dies, even by SIGKILL. Each
// Writer owns a slot through an open-file-description lock on one byte of
// the slot table, which also dies with its holder, so that a dead writer's
// slot is never waited for.
const (
	lockMagic = 0x3154_4f52_5058_4f4c // "LOXPROT1", little-endian
	hdrSize   = 4096
	slotSize  = 64
	maxSlots  = 512
	lockSize  = hdrSize + maxSlots*slotSize
	maxName   = hdrSize - 256
)

// The state word: the generation of the current file (bit 40 up), whether
// it is closed to new lines because a rotation has begun (bit 39), and the
// bytes reserved in it so far (bits 0-38).
const (
	genShift  = 40
	closedBit = 1 << 39
	usedMask  = closedBit - 1
	genMask   = 1<<(64-genShift) - 1
)

type header struct {
	magic uint64
	_     [56]byte
	state atomic.Uint64
	_     [56]byte
	// The record of the current file, written under the flock.
	period  int64  // period number when it was opened (time rotation)
	seq     int64  // suffix number (stamped) or ring index (numbered)
	dev     uint64 // its identity
	ino     uint64
	nameLen uint64
	_       [88]byte
	name    [maxName]byte
}

// slot is one Writer's: busy is the generation it is writing a line to
// (0 between lines).
type slot struct {
	busy atomic.Uint64
	pid  atomic.Int64 // for people reading the file with a hex editor
	_    [48]byte
}

var _ = [1]struct{}{}[unsafe.Sizeof(header{})-hdrSize] // header fills its page
var _ = [1]struct{}{}[unsafe.Sizeof(slot{})-slotSize]  // a slot is a cache line

// lockFile is one Writer's handle on the lock file.
type lockFile struct {
	mu    sync.Mutex // held with the flock
	f     *os.File
	mem   []byte
	hdr   *header
	slots *[maxSlots]slot
	slot  int // the index of the Writer's own slot
}

// record is what the header says of the current file.
type record struct {
	period int64
	seq    int64
	id     identity
	name   string
}

func (h *header) record() record {
	n := min(h.nameLen, maxName)
	return record{period: h.period, seq: h.seq, id: identity{h.dev, h.ino}, name: string(h.name[:n])}
}

func (h *header) setRecord(r record) {
	h.period, h.seq, h.dev, h.ino = r.period, r.seq, r.id.dev, r.id.ino
	h.nameLen = uint64(copy(h.name[:], r.name))
}

// mine returns the Writer's own slot.
func (l *lockFile) mine() *slot { return &l.slots[l.slot] }
