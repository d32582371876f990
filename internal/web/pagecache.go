package web

import (
	"bytes"
	"net/http"
	"sync"
	"time"
)

// pageTTL is how long a rendered dashboard is reused while nothing has
// been written through this process (the services' own reads are cached
// for as long, see internal/app/statuscache.go).
const pageTTL = 5 * time.Second

// pageCache keeps the last rendered dashboard of each user, with the
// count of writes (Config.Writes) when its data was read.
type pageCache struct {
	mu sync.Mutex
	m  map[string]cachedPage
}

type cachedPage struct {
	body   []byte
	at     time.Time
	writes int64
}

func (c *pageCache) get(userID string, now time.Time, writes int64) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.m[userID]
	if !ok || p.writes != writes || now.Before(p.at) || now.Sub(p.at) >= pageTTL {
		return nil
	}
	return p.body
}

func (c *pageCache) put(userID string, body []byte, now time.Time, writes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) > 10000 {
		c.m = map[string]cachedPage{}
	}
	c.m[userID] = cachedPage{body: bytes.Clone(body), at: now, writes: writes}
}

// pageRecorder captures a rendered page to keep it.
type pageRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (p *pageRecorder) Header() http.Header { return p.header }
func (p *pageRecorder) WriteHeader(code int) {
	if p.status == 0 {
		p.status = code
	}
}
func (p *pageRecorder) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.status = http.StatusOK
	}
	return p.body.Write(b)
}
