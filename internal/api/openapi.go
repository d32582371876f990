package api

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	tl "github.com/trustledger/trustledger"
)

// The document beyond what huma writes from the Go types: the tags and
// what each groups, each operation's description (opdocs.go), the error
// answers each operation can give with the envelope (errors.go), and the
// headers the server sends. The tests hold it to the server: every
// answer of the API's tests must be one the document declares for its
// operation, with its headers (openapi_test.go), and Spectral lints it
// (lint_test.go, testdata/spectral.yaml). docs/API.md says the same for
// people.

// contact is where the document sends its readers with questions.
var contact = &huma.Contact{Name: "trustledger", URL: "https://github.com/trustledger/trustledger"}

// The response headers the server sends.
var (
	// requestIDHeader: the web server's middleware sets X-Request-Id on
	// every answer, the API's included (internal/web/middleware.go); the
	// same id is on the server's log lines for the request.
	requestIDHeader = &huma.Header{
		Description: "The request's id, also on every log line the server wrote for it: quote it when you report a problem.",
		Schema:      &huma.Schema{Type: "string", Pattern: "^[0-9a-f]{16}$"},
	}
	// replayedHeader: ServeHTTP's idempotent marks a replayed answer.
	replayedHeader = &huma.Header{
		Description: "true when this is the stored answer to an earlier request with the same Idempotency-Key and body, replayed instead of acting again.",
		Schema:      &huma.Schema{Type: "string", Enum: []any{"true"}},
	}
	retryAfterHeader = &huma.Header{
		Description: "Seconds to wait before trying again.",
		Schema:      &huma.Schema{Type: "integer", Minimum: ptr(1.0)},
	}
	authenticateHeader = &huma.Header{
		Description: `The scheme to authenticate with: Bearer realm="trustledger", with error="invalid_token" when a token was sent but is not valid.`,
		Schema:      &huma.Schema{Type: "string"},
	}
)

// idempotencyParam is the Idempotency-Key every POST accepts: ServeHTTP
// applies it to any POST, so the operations that do not name it in their
// input (Idempotent) take it all the same.
var idempotencyParam = &huma.Param{
	Name: "Idempotency-Key", In: "header",
	Description: "A unique key for this request (a random UUID). A retry with the same key and body returns the first response instead of acting again. Kept for 24 hours.",
	Schema:      &huma.Schema{Type: "string", MaxLength: ptr(tl.MaxIdempotencyKeyLength)},
}

func ptr[T any](v T) *T { return &v }

// errorAnswers says, per status, what an error answer means.
var errorAnswers = map[int]string{
	http.StatusBadRequest: "The request is invalid (code invalid): a parameter or the body breaks the schema, a value is out of range, " +
		"an object names a member twice, or an Idempotency-Key is reused with another request. The message says what to change; details name the parts.",
	http.StatusUnauthorized:          "No API token, or one that is not valid (code unauthorized): send Authorization: Bearer tl_….",
	http.StatusForbidden:             "The token or its account may not do this (code forbidden): a read token cannot change anything, an account that leads no one has no ledger, and some operations are for the owner and admins.",
	http.StatusNotFound:              "Something the request names does not exist for this account (code not_found): the message says which.",
	http.StatusConflict:              "The request clashes with what is there (code conflict): a name already taken, something already closed or resolved, or the first request with this Idempotency-Key still running.",
	http.StatusRequestEntityTooLarge: "The body is over this operation's limit (code invalid): the message says the limit.",
	http.StatusUnsupportedMediaType:  "The body is not sent as JSON (code invalid): send it with Content-Type: application/json.",
	http.StatusInternalServerError:   "Something failed on the server (code internal); the server's log has the cause under the request's id. Try again.",
	http.StatusServiceUnavailable:    "The server cannot use its database for now, which is down or full (code unavailable); nothing was saved, unless the message says the database went away while saving. Wait Retry-After seconds and try again, with the same Idempotency-Key for a POST.",
}

// describe completes the document once every operation is registered.
func (a *API) describe() {
	doc := a.huma.OpenAPI()
	doc.Info.Contact = contact
	doc.Tags = tags
	for _, item := range doc.Paths {
		for _, op := range []*huma.Operation{item.Get, item.Put, item.Post, item.Delete, item.Patch} {
			if op != nil {
				describeOperation(op)
			}
		}
	}
}

func describeOperation(op *huma.Operation) {
	d, ok := opDocs[op.OperationID]
	if !ok {
		panic("api: operation " + op.OperationID + " has no description in opdocs.go")
	}
	op.Description = d.text
	post := op.Method == http.MethodPost
	if post && !slices.ContainsFunc(op.Parameters, func(p *huma.Param) bool { return p.Name == idempotencyParam.Name }) {
		op.Parameters = append(op.Parameters, idempotencyParam)
	}
	for status, r := range op.Responses {
		if status == "default" || !isSuccess(status) {
			delete(op.Responses, status) // huma's catch-all; replaced below by the real ones
			continue
		}
		addHeader(r, "X-Request-Id", requestIDHeader)
		if post {
			addHeader(r, "Idempotent-Replayed", replayedHeader)
		}
	}
	for _, status := range errorStatuses(op, d) {
		r := &huma.Response{
			Description: errorAnswers[status],
			Content:     map[string]*huma.MediaType{"application/json": {Schema: &huma.Schema{Ref: "#/components/schemas/Error"}}},
		}
		addHeader(r, "X-Request-Id", requestIDHeader)
		switch status {
		case http.StatusUnauthorized:
			addHeader(r, "WWW-Authenticate", authenticateHeader)
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
			addHeader(r, "Retry-After", retryAfterHeader)
		}
		// An answer the operation gave is stored under its key and
		// replayed: everything after the token is checked, below 500.
		if post && status != http.StatusUnauthorized && status != http.StatusForbidden && status < 500 {
			addHeader(r, "Idempotent-Replayed", replayedHeader)
		}
		op.Responses[strconv.Itoa(status)] = r
	}
}

func isSuccess(status string) bool { return len(status) == 3 && status[0] == '2' }

func addHeader(r *huma.Response, name string, h *huma.Header) {
	if r.Headers == nil {
		r.Headers = map[string]*huma.Header{}
	}
	r.Headers[name] = h
}

// errorStatuses are the errors op can answer: those every operation can
// (401 before the token is read, 500, 503), those its shape brings, and
// the ones opdocs.go names for it.
func errorStatuses(op *huma.Operation, d opDoc) []int {
	out := []int{http.StatusUnauthorized, http.StatusInternalServerError, http.StatusServiceUnavailable}
	hasBody := op.RequestBody != nil
	if hasBody || len(op.Parameters) > 0 {
		out = append(out, http.StatusBadRequest) // the schema's checks
	}
	if hasBody {
		out = append(out, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType)
	}
	if op.Method != http.MethodGet || !d.anyAccount {
		// A read token changes nothing; reading a ledger needs an account that leads.
		out = append(out, http.StatusForbidden)
	}
	if slices.ContainsFunc(op.Parameters, func(p *huma.Param) bool { return p.In == "path" }) {
		out = append(out, http.StatusNotFound)
	}
	if op.Method == http.MethodPost {
		out = append(out, http.StatusConflict) // the first request with the Idempotency-Key still runs
	}
	out = append(out, d.also...)
	slices.Sort(out)
	return slices.Compact(out)
}
