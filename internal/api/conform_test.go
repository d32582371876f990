package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/trustledger/trustledger/internal/api"
	"github.com/trustledger/trustledger/internal/storetest"
)

// recorder collects what the conforming transport reports, in place of
// failing the test.
type recorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *recorder) report(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

func (r *recorder) take() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := strings.Join(r.msgs, "\n")
	r.msgs = nil
	return s
}

// TestDocumentRefusesDrift proves that the validation every API test goes
// through can fail: requests the served document does not allow, sent to
// the real server, and answers it does not describe, from a server that
// drifted, are each reported by the same conforming transport; the same
// exchanges done right are not.
func TestDocumentRefusesDrift(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	doc := e.hc.Transport.(*conforming).doc
	rec := &recorder{}
	hc := &http.Client{Transport: &conforming{doc: doc, next: http.DefaultTransport, report: rec.report}}
	send := func(base, method, path, body string, header map[string]string, exp expectation) {
		t.Helper()
		req, err := http.NewRequestWithContext(withExpectation(context.Background(), exp), method, base+api.Prefix+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Authorization", "Bearer "+e.write)
		for k, v := range header {
			if v == "" {
				req.Header.Del(k)
			} else {
				req.Header.Set(k, v)
			}
		}
		res, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}

	t.Run("requests", func(t *testing.T) {
		for _, c := range []struct {
			name, method, path, body string
			header                   map[string]string
			want                     string // in the report; "" for a request the document allows
		}{
			{"allowed list", "GET", "/people?limit=2", "", nil, ""},
			{"allowed create", "POST", "/teams", `{"name":"Core"}`, map[string]string{"Idempotency-Key": "k1"}, ""},
			{"a field the body has not", "POST", "/teams", `{"name":"Core","colour":"red"}`, nil, "additional properties 'colour' not allowed"},
			{"a field of the wrong type", "POST", "/teams", `{"name":7}`, nil, "at '/name': got number, want string"},
			{"a required field left out", "POST", "/teams", `{}`, nil, "missing property 'name'"},
			{"a value outside the enum", "POST", "/promises/p1/resolution", `{"outcome":"forgotten"}`, nil, "at '/outcome': value must be one of"},
			{"no body where one is required", "POST", "/teams", "", nil, "needs a request body"},
			{"a body where none is taken", "POST", "/week/step/acceptance", `{}`, nil, "takes no request body"},
			{"a body that is not JSON", "POST", "/teams", `name=Core`, nil, "not JSON"},
			{"a body of another media type", "POST", "/teams", `{"name":"Core"}`, map[string]string{"Content-Type": "text/plain"}, "Content-Type"},
			{"a query parameter that is not an integer", "GET", "/people?limit=many", "", nil, "not an integer"},
			{"a query parameter over its maximum", "GET", "/people?limit=501", "", nil, "maximum: got 501, want 500"},
			{"a query parameter the operation has not", "GET", "/people?sort=name", "", nil, "query parameter sort is not in the document"},
			{"a header over its length", "POST", "/teams", `{"name":"Core"}`, map[string]string{"Idempotency-Key": strings.Repeat("k", 201)}, "maxLength: got 201, want 200"},
			{"no token", "GET", "/people", "", map[string]string{"Authorization": ""}, "bearer token"},
			{"a path the document has not", "GET", "/persons", "", nil, "no path"},
			{"a method the path has not", "PATCH", "/people", `{}`, nil, "no PATCH"},
		} {
			t.Run(c.name, func(t *testing.T) {
				send(e.srv.URL, c.method, c.path, c.body, c.header, conform)
				got := rec.take()
				switch {
				case c.want == "" && got != "":
					t.Errorf("an exchange the document allows was reported:\n%s", got)
				case c.want != "" && !strings.Contains(got, c.want):
					t.Errorf("the validator did not refuse it (want a report naming %q), reported:\n%s", c.want, got)
				}
			})
		}
	})

	t.Run("answers", func(t *testing.T) {
		// drifted answers each request with the answer of the case at hand.
		var answer struct {
			status      int
			contentType string
			body        string
			header      map[string]string
		}
		drifted := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for k, v := range answer.header {
				w.Header().Set(k, v)
			}
			if answer.contentType != "" {
				w.Header().Set("Content-Type", answer.contentType)
			}
			w.WriteHeader(answer.status)
			fmt.Fprint(w, answer.body)
		}))
		defer drifted.Close()
		const json = "application/json"
		for _, c := range []struct {
			name, method, path string
			status             int
			contentType, body  string
			want               string // in the report; "" for an answer the document describes
			header             map[string]string
		}{
			{"described", "GET", "/promises/say-do", 200, json, `{"kept":1,"due":2}`, "", nil},
			{"described create", "POST", "/calendar", 201, json, `{"token":"t","path":"/calendar/t.ics"}`, "", nil},
			{"described error", "GET", "/people", 403, json, `{"error":{"code":"forbidden","message":"no"}}`, "", nil},
			{"described replay", "POST", "/calendar", 201, json, `{"token":"t","path":"/calendar/t.ics"}`, "", map[string]string{"Idempotent-Replayed": "true", "X-Request-Id": "0123456789abcdef"}},
			{"described retry", "GET", "/people", 503, json, `{"error":{"code":"internal","message":"later"}}`, "", map[string]string{"Retry-After": "2"}},
			{"an error status the operation does not have", "GET", "/people", 404, json, `{"error":{"code":"not_found","message":"no"}}`, "listPeople answered 404 Not Found", nil},
			{"a header the answer may not carry", "GET", "/promises/say-do", 200, json, `{"kept":1,"due":2}`, "header Idempotent-Replayed", map[string]string{"Idempotent-Replayed": "true"}},
			{"a header value its schema refuses", "GET", "/people", 503, json, `{"error":{"code":"internal","message":"later"}}`, "header Retry-After", map[string]string{"Retry-After": "soon"}},
			{"a field the schema has not", "GET", "/promises/say-do", 200, json, `{"kept":1,"due":2,"ratio":0.5}`, "additional properties 'ratio' not allowed", nil},
			{"a required field missing", "GET", "/promises/say-do", 200, json, `{"kept":1}`, "missing property 'due'", nil},
			{"a field of the wrong type", "GET", "/promises/say-do", 200, json, `{"kept":"one","due":2}`, "at '/kept': got string, want integer", nil},
			{"a date that is not a date-time", "GET", "/teams", 200, json, `{"items":[{"id":"t","leader_id":"l","name":"Core","created_at":"yesterday"}]}`, "is not valid date-time", nil},
			{"a success status the operation does not have", "POST", "/calendar", 200, json, `{"token":"t","path":"/calendar/t.ics"}`, "answered 200 OK", nil},
			{"another media type", "GET", "/promises/say-do", 200, "text/plain", `{"kept":1,"due":2}`, "Content-Type", nil},
			{"an error outside the envelope", "GET", "/people", 403, json, `{"message":"not found"}`, "missing property 'error'", nil},
			{"an error code the envelope has not", "GET", "/people", 400, json, `{"error":{"code":"oops","message":"no"}}`, "at '/error/code': value must be one of", nil},
			{"a success for a route the document has not", "GET", "/persons", 200, json, `{}`, "200 OK for a request no operation describes", nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				answer.status, answer.contentType, answer.body, answer.header = c.status, c.contentType, c.body, c.header
				var header map[string]string
				if c.method == "POST" {
					header = map[string]string{"Idempotency-Key": "k1"}
				}
				exp := conform
				if c.path == "/persons" {
					exp = outside // the request is outside the document too, and says so
				}
				send(drifted.URL, c.method, c.path, "", header, exp)
				got := rec.take()
				switch {
				case c.want == "" && got != "":
					t.Errorf("an answer the document describes was reported:\n%s", got)
				case c.want != "" && !strings.Contains(got, c.want):
					t.Errorf("the validator did not refuse it (want a report naming %q), reported:\n%s", c.want, got)
				}
			})
		}
	})
}
