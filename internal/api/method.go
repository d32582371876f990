package api

import "net/http"

// allowed is the Allow header the mux's handler h gives r when r's path
// has operations for other methods only, or "" when h answers otherwise.
// The mux's own answer is dropped: the API answers in its envelope.
func allowed(h http.Handler, r *http.Request) string {
	probe := &headerProbe{h: http.Header{}}
	h.ServeHTTP(probe, r)
	if probe.code != http.StatusMethodNotAllowed {
		return ""
	}
	return probe.h.Get("Allow")
}

// headerProbe is a ResponseWriter that keeps the status and headers and
// discards the body.
type headerProbe struct {
	h    http.Header
	code int
}

func (p *headerProbe) Header() http.Header { return p.h }

func (p *headerProbe) WriteHeader(code int) {
	if p.code == 0 {
		p.code = code
	}
}

func (p *headerProbe) Write(b []byte) (int, error) {
	if p.code == 0 {
		p.code = http.StatusOK
	}
	return len(b), nil
}
