package app

import (
	"sync"
	"time"

	tl "github.com/trustledger/trustledger"
)

// readTTL is how long a leader's computed status (and team views) are
// reused while nothing has been written. The numbers move with time only
// through decay (half-lives of weeks), so a few seconds change nothing
// shown; any write through this process's database handle forgets every
// cached read at once. Another instance's write is seen within readTTL at
// the latest (docs/OPERATIONS.md).
const readTTL = 5 * time.Second

// readCache keeps one computed read per leader, with the time it was
// computed for and the count of writes done through the database handle
// when it was read.
type readCache[T any] struct {
	mu   sync.Mutex
	m    map[string]cacheEntry[T]
	copy func(T) T // what a caller may change is copied out and in
}

type cacheEntry[T any] struct {
	v      T
	at     time.Time
	writes int64
}

// get returns a copy of the cached value if it is still valid at now,
// with writes writes done so far.
func (c *readCache[T]) get(key string, now time.Time, writes int64) (T, bool) {
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if !ok || e.writes != writes || now.Before(e.at) || now.Sub(e.at) >= readTTL {
		var zero T
		return zero, false
	}
	return c.copy(e.v), true
}

func (c *readCache[T]) put(key string, v T, at time.Time, writes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) > 10000 {
		c.m = map[string]cacheEntry[T]{}
	}
	c.m[key] = cacheEntry[T]{v: c.copy(v), at: at, writes: writes}
}

// copyStatus copies what a caller may change: the lists.
func copyStatus(r *tl.StatusReport) *tl.StatusReport {
	out := *r
	out.Relationships = append([]tl.RelationshipStatus(nil), r.Relationships...)
	out.Broken = append([]tl.Promise{}, r.Broken...)
	return &out
}

// copyViews copies the list of team views.
func copyViews(v []tl.TeamView) []tl.TeamView { return append([]tl.TeamView{}, v...) }
