package store

import (
	"crypto/rand"
	"encoding/binary"
	"sync"
	"time"
)

// crockford is Crockford's base32 alphabet: no I, L, O or U, so ids read
// aloud or typed by hand survive, and its byte order is its sort order.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

var idState struct {
	sync.Mutex
	ms      int64
	hi      uint16 // top 16 of the 80 random bits
	lo      uint64 // bottom 64
	started bool
}

// NewID returns a new unique id that sorts by time: 48 bits of unix
// milliseconds then 80 random bits, 26 characters of Crockford base32
// (the ULID layout). Ids made in the same millisecond by this process
// increase, so the ledger's (occurred_at, id) order is the order of
// creation; a backdated now gives an id of that moment.
func NewID(now time.Time) string {
	ms := now.UnixMilli()
	if ms < 0 {
		ms = 0
	}
	ms &= 1<<48 - 1
	idState.Lock()
	var hi uint16
	var lo uint64
	if idState.started && idState.ms == ms && idState.lo != ^uint64(0) {
		hi, lo = idState.hi, idState.lo+1
	} else {
		var b [10]byte
		_, _ = rand.Read(b[:])                   // never fails (crypto/rand panics instead)
		hi = binary.BigEndian.Uint16(b[:2]) >> 1 // leave room to count up
		lo = binary.BigEndian.Uint64(b[2:]) >> 1
	}
	idState.ms, idState.hi, idState.lo, idState.started = ms, hi, lo, true
	idState.Unlock()

	// 128 bits: ms(48) hi(16) lo(64), written as 26 base32 digits (130
	// bits, the top two always zero).
	var out [26]byte
	w0 := uint64(ms)<<16 | uint64(hi) // the top 64 bits
	w1 := lo                          // the bottom 64 bits
	for i := 25; i >= 0; i-- {
		out[i] = crockford[w1&31]
		w1 = w1>>5 | (w0&31)<<59
		w0 >>= 5
	}
	return string(out[:])
}
