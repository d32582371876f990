// Package allow tells whether a ServeMux would answer a request 405, and
// with which Allow header, so that the web app and the JSON API can answer
// a wrong method on a known path in their own way (a page, an envelope).
package allow

import "net/http"

// Methods is the Allow header the mux's handler h gives r when r's path
// has routes for other methods only, or "" when h answers otherwise (not
// found, or a redirect to a cleaned path). The mux's answer itself is
// dropped.
func Methods(h http.Handler, r *http.Request) string {
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
