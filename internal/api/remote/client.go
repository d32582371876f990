package remote

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/api"
)

// The HTTP side of the service: a few generic helpers over net/http that
// every method uses. Requests and answers are the root package's types
// and the few envelopes internal/api declares, so there is nothing to
// generate; the API's tests prove every exchange against the server's
// OpenAPI document.

// get reads one resource into T.
func get[T any](ctx context.Context, s *Service, path string, query url.Values) (*T, error) {
	return call[T](ctx, s, http.MethodGet, path, query, nil)
}

// post creates (or acts) with body in, nil for none, and reads the answer
// into T. Every POST carries an Idempotency-Key, so a retry is safe.
func post[T any](ctx context.Context, s *Service, path string, in any) (*T, error) {
	return call[T](ctx, s, http.MethodPost, path, nil, in)
}

// put changes a resource and reads the answer into T.
func put[T any](ctx context.Context, s *Service, path string, in any) (*T, error) {
	return call[T](ctx, s, http.MethodPut, path, nil, in)
}

// send makes a request whose answer has nothing to say.
func send(ctx context.Context, s *Service, method, path string, in any) error {
	_, err := call[json.RawMessage](ctx, s, method, path, nil, in)
	return err
}

// all fetches every page of a list, 500 items a page.
func all[T any](ctx context.Context, s *Service, path string, query url.Values) ([]T, error) {
	out := []T{}
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	q.Set("limit", "500")
	for {
		p, err := get[api.Page[T]](ctx, s, path, q)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
		if p.NextCursor == "" {
			return out, nil
		}
		q.Set("cursor", p.NextCursor)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}

// pathOf fills a path's %s with escaped segments: pathOf("/people/%s", "Ana Lima").
func pathOf(format string, segments ...string) string {
	args := make([]any, len(segments))
	for i, s := range segments {
		args[i] = url.PathEscape(s)
	}
	return fmt.Sprintf(format, args...)
}

// call makes one request with the token and reads the answer: the JSON
// body into T on success, the error envelope into a *tl.Error otherwise.
func call[T any](ctx context.Context, s *Service, method, path string, query url.Values, in any) (*T, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, &tl.Error{Code: tl.EINTERNAL, Op: opRemote, Err: err, Message: "cannot encode the request for the server"}
		}
		body = bytes.NewReader(b)
	}
	u := s.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, &tl.Error{Code: tl.EINVALID, Op: opRemote, Err: err, Message: fmt.Sprintf("--server %q: %v", s.server, err)}
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("User-Agent", "trustledger-cli")
	if method == http.MethodPost {
		req.Header.Set("Idempotency-Key", rand.Text())
	}
	res, err := s.hc.Do(req)
	return decode[T](s, res, err)
}

// decode reads a response: the JSON body into T on success, the error
// envelope into a *tl.Error otherwise.
func decode[T any](s *Service, res *http.Response, err error) (*T, error) {
	if err != nil {
		return nil, &tl.Error{Code: tl.EINTERNAL, Op: opRemote, Err: err,
			Message: fmt.Sprintf("cannot reach trustledger at %s: check --server and that the server is running", s.server)}
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 256<<20))
	if err != nil {
		return nil, &tl.Error{Code: tl.EINTERNAL, Op: opRemote, Err: err, Message: fmt.Sprintf("the answer from %s broke off: try again", s.server)}
	}
	if res.StatusCode >= 400 {
		var env struct {
			Error api.ErrorBody `json:"error"`
		}
		if json.Unmarshal(body, &env) != nil || env.Error.Code == "" {
			return nil, &tl.Error{Code: tl.EINTERNAL, Op: opRemote, Err: errors.New(string(body)),
				Message: fmt.Sprintf("%s answered %s, not as a trustledger server: check --server", s.server, res.Status)}
		}
		e := &tl.Error{Code: env.Error.Code, Message: env.Error.Message, RetryAfter: time.Duration(env.Error.RetryAfter) * time.Second}
		if e.Code == tl.EINTERNAL {
			e.Op = opRemote
			e.Message = fmt.Sprintf("the server at %s failed (%s); its log has the cause", s.server, res.Status)
		}
		return nil, e
	}
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, &tl.Error{Code: tl.EINTERNAL, Op: opRemote, Err: err,
			Message: fmt.Sprintf("the answer from %s was not understood: is the server the same version as this CLI?", s.server)}
	}
	return &v, nil
}

// retrying resends a GET, or a request that carries an Idempotency-Key
// (every create), when the connection fails or a proxy answers 502–504:
// the key makes the retry safe, the server runs the create at most once.
type retrying struct{ next http.RoundTripper }

func (t *retrying) RoundTrip(r *http.Request) (*http.Response, error) {
	retryable := r.Method == http.MethodGet || r.Header.Get("Idempotency-Key") != ""
	var res *http.Response
	var err error
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			if r.GetBody != nil {
				b, gerr := r.GetBody()
				if gerr != nil {
					return nil, gerr
				}
				r = r.Clone(r.Context())
				r.Body = b
			}
			select {
			case <-r.Context().Done():
				return nil, r.Context().Err()
			case <-time.After(time.Duration(attempt*attempt) * 100 * time.Millisecond):
			}
		}
		res, err = t.next.RoundTrip(r)
		transient := err != nil || res.StatusCode == http.StatusBadGateway || res.StatusCode == http.StatusServiceUnavailable || res.StatusCode == http.StatusGatewayTimeout
		if !retryable || !transient || attempt == 3 || (r.Body != nil && r.GetBody == nil) {
			return res, err
		}
		if res != nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	}
}
