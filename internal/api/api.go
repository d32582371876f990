package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"path"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/allow"
)

// Prefix is where the API lives.
const Prefix = "/api/v1"

// Version is the API's version in its OpenAPI document.
const Version = "1.0.0"

// maxBody caps a request body: an import of a large backup fits, a
// runaway client does not.
const maxBody = tl.MaxImportBytes + 1

// Config is what New needs.
type Config struct {
	Service tl.Services
	// Logger receives internal errors; nil discards.
	Logger *slog.Logger
	// BaseURL, when set, makes absolute links (a calendar feed's URL).
	BaseURL string
}

// API serves /api/v1: bearer tokens, idempotency keys and one error
// envelope around the operations registered with huma.
type API struct {
	svc     tl.Services
	log     *slog.Logger
	baseURL string
	mux     *http.ServeMux
	huma    huma.API
}

type ctxKey int

const (
	ctxUser ctxKey = iota
	ctxScope
	ctxLog   // the request's logger (request id, method, path)
	ctxRoute // the route pattern that serves the request
)

func init() {
	// A body's field names are the document's, to the letter: huma's
	// validator would otherwise take "nAme" for "name", as encoding/json
	// does, where the document's closed objects refuse it.
	huma.ValidateStrictCasing = true
}

// New builds the API and its OpenAPI document.
func New(cfg Config) *API {
	a := &API{svc: cfg.Service, log: cfg.Logger, baseURL: strings.TrimRight(cfg.BaseURL, "/"), mux: http.NewServeMux()}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	hc := huma.DefaultConfig("trustledger API", Version)
	hc.Info.Description = "The trust ledger of a leader: people, the ledger, promises, decisions, the weekly step, " +
		"team pulses, the journal and settings. Authenticate with a bearer token (make one in the web app's " +
		"account page or with `trustledger token create`). Every POST that creates something accepts an " +
		"Idempotency-Key header: a retry with the same key and body returns the first answer instead of creating twice. " +
		"Lists are paged with an opaque cursor. Every error has the same envelope: {\"error\": {\"code\", \"message\", \"details\"}}."
	hc.Servers = []*huma.Server{{URL: Prefix}}
	hc.Components.Schemas = huma.NewMapRegistry("#/components/schemas/", schemaName)
	hc.DocsPath = "" // its page loads a script from a CDN
	hc.SchemasPath = ""
	hc.CreateHooks = nil // no $schema links in bodies
	hc.OpenAPIPath = "/openapi"
	hc.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "An API token (tl_…), scoped read or write."},
	}
	hc.Security = []map[string][]string{{"bearer": {}}}
	a.huma = humago.NewWithPrefix(a.mux, Prefix, hc)
	a.register()
	a.describe()
	return a
}

// publishedNames are schema names the document keeps although the Go type
// was renamed: tl.Promise was Commitment, and clients generated from the
// document know its schemas by those names.
var publishedNames = map[string]string{"Promise": "Commitment", "PagePromise": "PageCommitment"}

// schemaName names a type's schema as huma does (its Go name), but keeps
// the published names.
func schemaName(t reflect.Type, hint string) string {
	name := huma.DefaultSchemaNamer(t, hint)
	if old, ok := publishedNames[name]; ok {
		return old
	}
	return name
}

// OpenAPI is the API's document.
func (a *API) OpenAPI() *huma.OpenAPI { return a.huma.OpenAPI() }

// Pattern is the route pattern that serves r, for metrics.
func (a *API) Pattern(r *http.Request) string {
	_, p := a.mux.Handler(r)
	if p == "" {
		return Prefix + "/"
	}
	return p
}

// publicPaths are served without a token: the description of the API.
var publicPaths = map[string]bool{
	Prefix + "/openapi.json": true, Prefix + "/openapi.yaml": true,
	Prefix + "/openapi-3.0.json": true, Prefix + "/openapi-3.0.yaml": true,
}

// ServeHTTP authenticates the bearer token, applies its scope and the
// idempotency key, and runs the operation.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	}
	if publicPaths[r.URL.Path] {
		a.mux.ServeHTTP(w, r)
		return
	}
	h, route := a.mux.Handler(r)
	r = r.WithContext(a.withLog(w, r, route))
	// A path with a dot segment or a doubled slash is no operation's: the
	// mux would redirect it to the cleaned path, which may be another
	// operation (GET /programs/. would list the programs).
	if r.URL.Path != path.Clean(r.URL.Path) {
		a.writeError(w, r, newError(http.StatusNotFound, tl.ENOTFOUND,
			"there is no API operation "+r.Method+" "+r.URL.Path+": a path has no empty, . or .. segments; see "+Prefix+"/openapi.json"))
		return
	}
	if route == "" {
		// A path with operations for other methods is 405 with Allow
		// (RFC 9110, 15.5.6), before the token is looked at, as a 404 is.
		if methods := allow.Methods(h, r); methods != "" {
			w.Header().Set("Allow", methods)
			a.writeError(w, r, newError(http.StatusMethodNotAllowed, tl.EINVALID,
				"the operations at "+r.URL.Path+" take "+methods+", not "+r.Method+": see "+Prefix+"/openapi.json"))
			return
		}
		a.writeError(w, r, newError(http.StatusNotFound, tl.ENOTFOUND,
			"there is no API operation "+r.Method+" "+r.URL.Path+": see "+Prefix+"/openapi.json"))
		return
	}
	auth := r.Header.Get("Authorization")
	secret, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || strings.TrimSpace(secret) == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="trustledger"`)
		a.writeError(w, r, newError(http.StatusUnauthorized, tl.EUNAUTHORIZED,
			"send an API token as 'Authorization: Bearer tl_…': make one on your account page or with: trustledger token create"))
		return
	}
	u, tok, err := a.svc.TokenUser(r.Context(), secret)
	if err != nil {
		if tl.ErrorCode(err) == tl.EUNAUTHORIZED {
			w.Header().Set("WWW-Authenticate", `Bearer realm="trustledger", error="invalid_token"`)
		}
		a.writeError(w, r, fromDomain(err))
		return
	}
	if tok.Scope != tl.ScopeWrite && r.Method != http.MethodGet && r.Method != http.MethodHead {
		a.writeError(w, r, newError(http.StatusForbidden, tl.EFORBIDDEN,
			"this token may only read: make a token with scope write to change anything"))
		return
	}
	ctx := context.WithValue(r.Context(), ctxUser, u)
	ctx = context.WithValue(ctx, ctxScope, tok.Scope)
	r = r.WithContext(ctx)
	if !a.refuseDuplicateKeys(w, r) {
		return
	}
	if key := r.Header.Get("Idempotency-Key"); key != "" && r.Method == http.MethodPost {
		a.idempotent(w, r, u.ID, key)
		return
	}
	a.mux.ServeHTTP(w, r)
}

// idempotent runs a POST at most once per user and key: a retry replays
// the first response (marked Idempotent-Replayed: true). The key is kept
// by the request's write (tl.IdempotencyService), so the response is held
// until the key is settled: a retry's own response (its write refused, as
// the key was taken) is dropped for the first one's.
func (a *API) idempotent(w http.ResponseWriter, r *http.Request, userID, key string) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		a.writeError(w, r, bodyError(err))
		return
	}
	h := sha256.New()
	io.WriteString(h, r.Method+" "+r.URL.RequestURI()+"\n")
	h.Write(body)
	hash := hex.EncodeToString(h.Sum(nil))
	// Twice at most: a second run only after the key had expired and was
	// forgotten.
	for range 2 {
		ctx, err := a.svc.ClaimKey(r.Context(), userID, key, hash)
		if err != nil {
			a.writeError(w, r, fromDomain(err))
			return
		}
		rr := r.WithContext(ctx)
		rr.Body = io.NopCloser(bytes.NewReader(body))
		held := &heldResponse{header: w.Header().Clone()}
		a.mux.ServeHTTP(held, rr)
		// The answer is kept even when the client has gone: a retry must
		// see it.
		replay, rerun, err := a.svc.SettleKey(context.WithoutCancel(ctx), userID, key, hash,
			tl.StoredResponse{Status: held.code(), Body: held.body.String()})
		switch {
		case err != nil:
			a.writeError(w, r, fromDomain(err))
		case replay != nil:
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(replay.Status)
			io.WriteString(w, replay.Body)
		case rerun:
			continue
		default:
			held.send(w)
		}
		return
	}
	a.writeError(w, r, newError(http.StatusConflict, tl.ECONFLICT, "this Idempotency-Key could not be settled: send the request again"))
}

// heldResponse keeps a response (its own copy of the headers, the status
// and the body) until it is sent, or dropped for another.
type heldResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (h *heldResponse) Header() http.Header { return h.header }

func (h *heldResponse) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
	}
}

func (h *heldResponse) Write(b []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return h.body.Write(b)
}

// code is the status written, 200 if none was.
func (h *heldResponse) code() int {
	if h.status == 0 {
		return http.StatusOK
	}
	return h.status
}

// send writes the held response to w.
func (h *heldResponse) send(w http.ResponseWriter) {
	dst := w.Header()
	clear(dst)
	for k, v := range h.header {
		dst[k] = v
	}
	w.WriteHeader(h.code())
	w.Write(h.body.Bytes())
}

// user is the token's user; ServeHTTP always sets it before an operation.
func user(ctx context.Context) *tl.User {
	u, _ := ctx.Value(ctxUser).(*tl.User)
	return u
}

// leader is the leader the token's user keeps accounts for.
func leader(ctx context.Context) (string, error) {
	u := user(ctx)
	if u == nil {
		return "", newError(http.StatusUnauthorized, tl.EUNAUTHORIZED, "send an API token")
	}
	if u.LeaderID == "" {
		return "", newError(http.StatusForbidden, tl.EFORBIDDEN, "this account does not lead anyone, so it has no trust accounts to read or change")
	}
	return u.LeaderID, nil
}

// bodyError explains a body that could not be read.
func bodyError(err error) *Error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return newError(http.StatusRequestEntityTooLarge, tl.EINVALID, "the request body is too large: send at most 32 MiB")
	}
	return newError(http.StatusBadRequest, tl.EINVALID, "the request body could not be read: "+err.Error())
}
