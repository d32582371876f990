package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/api"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
)

var start = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

// env is the API over the real app on one database, served by httptest,
// with an owner who leads and a write and a read token. Its clock stands
// at start until a test moves it. Every request goes through hc, which
// checks the exchange against the served OpenAPI document (openapi_test.go).
type env struct {
	t     *testing.T
	db    *store.DB
	app   *app.App
	srv   *httptest.Server
	hc    *http.Client
	owner *tl.User
	write string
	read  string
	c     caller       // with the write token
	now   atomic.Int64 // the clock, in unix nanoseconds
}

// clock is the app's time: start, or where the test moved it.
func (e *env) clock() time.Time { return time.Unix(0, e.now.Load()).UTC() }

// advance moves the clock on by d.
func (e *env) advance(d time.Duration) { e.now.Add(int64(d)) }

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, db: db}
	e.now.Store(start.UnixNano())
	a := app.New(db, app.Options{Now: e.clock})
	srv := httptest.NewServer(api.New(api.Config{Service: a, BaseURL: "https://tl.example"}))
	t.Cleanup(srv.Close)
	doc, err := loadDocument(srv.URL)
	if err != nil {
		t.Fatalf("the served OpenAPI document: %v", err)
	}
	e.hc = &http.Client{Transport: &conforming{doc: doc, next: http.DefaultTransport, report: t.Errorf}}
	u, err := a.Signup(ctx, tl.SignupInput{Email: "lena@example.com", Name: "Lena", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	_, w, err := a.CreateToken(ctx, u.ID, "tests", tl.ScopeWrite)
	if err != nil {
		t.Fatal(err)
	}
	_, r, err := a.CreateToken(ctx, u.ID, "reader", tl.ScopeRead)
	if err != nil {
		t.Fatal(err)
	}
	e.app, e.srv, e.owner, e.write, e.read = a, srv, u, w, r
	e.c = e.client(w)
	return e
}

// caller makes requests with one token ("" for none).
type caller struct {
	e     *env
	token string
}

func (e *env) client(token string) caller { return caller{e: e, token: token} }

// reply is an answer of the API.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r *reply) String() string { return fmt.Sprintf("%d %s", r.status, r.body) }

// option changes one request.
type option func(*http.Request) *http.Request

// key sends an Idempotency-Key.
func key(k string) option {
	return func(r *http.Request) *http.Request { r.Header.Set("Idempotency-Key", k); return r }
}

// refused marks a request the document refuses on purpose: the validator
// must refuse it, and so must the server.
func refused(r *http.Request) *http.Request {
	return r.WithContext(withExpectation(r.Context(), outside))
}

// judge leaves it to the document whether it allows the request; what it
// refuses the server must refuse.
func judge(r *http.Request) *http.Request {
	return r.WithContext(withExpectation(r.Context(), judged))
}

// do sends one request to path (under /api/v1, with its query); in, when
// not nil, is the JSON body (a string is sent as it is).
func (c caller) do(method, path string, in any, opts ...option) *reply {
	c.e.t.Helper()
	var body io.Reader
	switch v := in.(type) {
	case nil:
	case string:
		body = strings.NewReader(v)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			c.e.t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.e.srv.URL+api.Prefix+path, body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for _, o := range opts {
		req = o(req)
	}
	res, err := c.e.hc.Do(req)
	if err != nil {
		c.e.t.Errorf("%s %s: %v", method, path, err)
		return &reply{header: http.Header{}}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.e.t.Errorf("%s %s: %v", method, path, err)
	}
	return &reply{status: res.StatusCode, header: res.Header, body: b}
}

func (c caller) get(path string, opts ...option) *reply {
	return c.do(http.MethodGet, path, nil, opts...)
}
func (c caller) post(path string, in any, opts ...option) *reply {
	return c.do(http.MethodPost, path, in, opts...)
}
func (c caller) put(path string, in any, opts ...option) *reply {
	return c.do(http.MethodPut, path, in, opts...)
}
func (c caller) del(path string, opts ...option) *reply {
	return c.do(http.MethodDelete, path, nil, opts...)
}

// obj is a JSON object to send.
type obj = map[string]any

// as checks an answer's status and decodes its body into T.
func as[T any](t testing.TB, r *reply, status int) T {
	t.Helper()
	var v T
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %T: %v: %s", v, err, r.body)
	}
	return v
}

// list is one page of a list with its limit and cursor.
func list(path string, limit int, cursor string) string {
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", fmt.Sprint(limit))
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// envelope decodes an error body and checks its shape.
func envelope(t *testing.T, r *reply, wantStatus int, wantCode string) api.ErrorBody {
	t.Helper()
	if r.status != wantStatus {
		t.Fatalf("status %d, want %d: %s", r.status, wantStatus, r.body)
	}
	var e struct {
		Error api.ErrorBody `json:"error"`
	}
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("error body is not the envelope: %v: %s", err, r.body)
	}
	if e.Error.Code != wantCode || e.Error.Message == "" {
		t.Fatalf("envelope %+v, want code %q and a message", e.Error, wantCode)
	}
	return e.Error
}

func bothDatabases(t *testing.T, f func(t *testing.T, e *env)) {
	t.Run("sqlite", func(t *testing.T) { f(t, newEnv(t, storetest.OpenSQLite(t))) })
	t.Run("postgres", func(t *testing.T) { f(t, newEnv(t, storetest.OpenPostgres(t))) })
}

func TestDocument(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	res := e.client("").get("/openapi.json")
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(res.body, &doc); err != nil || res.status != 200 {
		t.Fatalf("GET openapi.json: %d %v", res.status, err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	// Every create takes an Idempotency-Key; the document says so.
	for path, ops := range doc.Paths {
		post, ok := ops["post"].(map[string]any)
		if !ok || path == "/simulations" {
			continue
		}
		found := false
		params, _ := post["parameters"].([]any)
		for _, p := range params {
			if m, _ := p.(map[string]any); m["name"] == "Idempotency-Key" && m["in"] == "header" {
				found = true
			}
		}
		if !found {
			t.Errorf("POST %s does not document Idempotency-Key", path)
		}
	}
	for _, p := range []string{"/docs", "/schemas/Error.json"} {
		if res := e.client("").get(p, refused); res.status == 200 {
			t.Errorf("GET %s is served; the docs page loads a CDN script and must be off", p)
		}
	}
}

func TestAuthentication(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))

	res := e.client("").get("/people", refused)
	envelope(t, res, 401, tl.EUNAUTHORIZED)
	if res.header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	res = e.client("tl_not-a-real-token").get("/people")
	envelope(t, res, 401, tl.EUNAUTHORIZED)

	// A read token reads but cannot write.
	rc := e.client(e.read)
	if res := rc.get("/people"); res.status != 200 {
		t.Fatalf("read token list: %s", res)
	}
	envelope(t, rc.post("/people", obj{"name": "Sam"}), 403, tl.EFORBIDDEN)

	// A revoked token stops working on the next request.
	toks := as[api.Page[tl.APIToken]](t, e.c.get("/tokens"), 200)
	if len(toks.Items) != 2 {
		t.Fatalf("tokens: %+v", toks)
	}
	for _, tk := range toks.Items {
		if tk.Scope == "read" {
			if res := e.c.del("/tokens/" + tk.ID); res.status != 200 {
				t.Fatalf("revoke: %s", res)
			}
		}
	}
	envelope(t, rc.get("/people"), 401, tl.EUNAUTHORIZED)

	// Unknown routes get the envelope too.
	envelope(t, e.c.get("/nothing-here", refused), 404, tl.ENOTFOUND)
}

func TestLeaderFlow(t *testing.T) {
	bothDatabases(t, func(t *testing.T, e *env) {
		c := e.c
		me := as[api.Me](t, c.get("/me"), 200)
		if me.Leader == nil || me.Scope != "write" {
			t.Fatalf("me: %+v", me)
		}
		for _, n := range []string{"Sam", "Ana", "Ben", "Kim", "Raj"} {
			if r := as[tl.Relationship](t, c.post("/people", obj{"name": n, "email": strings.ToLower(n) + "@example.com"}), 201); r.Person != n {
				t.Fatalf("create %s: %+v", n, r)
			}
		}
		// Pages of two walk the whole list once.
		seen := map[string]bool{}
		cursor := ""
		for pages := 0; ; pages++ {
			p := as[api.Page[tl.Relationship]](t, c.get(list("/people", 2, cursor)), 200)
			for _, r := range p.Items {
				if seen[r.Person] {
					t.Fatalf("%s on two pages", r.Person)
				}
				seen[r.Person] = true
			}
			if p.NextCursor == "" {
				break
			}
			cursor = p.NextCursor
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
		}
		if len(seen) != 5 {
			t.Fatalf("pages held %d people, want 5", len(seen))
		}
		envelope(t, c.get(list("/people", 0, "bm90LWFuLWlk")), 400, tl.EINVALID)

		// Validation and domain errors share the envelope.
		eb := envelope(t, c.post("/people", obj{"name": ""}, refused), 400, tl.EINVALID)
		if len(eb.Details) == 0 || eb.Details[0].Location != "body.name" {
			t.Errorf("validation details %+v, want body.name", eb.Details)
		}
		envelope(t, c.post("/promises", obj{"to": "Nobody", "what": "x", "due": start.Add(72 * time.Hour)}), 404, tl.ENOTFOUND)

		// The ledger, promises, decisions, journal, status and week.
		if ev := as[api.EventOut](t, c.post("/events", obj{"who": "Sam", "kind": "recognition", "note": "named Sam's fix in the all-hands"}), 201); ev.SourceName != "self" {
			t.Fatalf("event: %+v", ev)
		}
		p := as[tl.Promise](t, c.post("/promises", obj{"to": "Ana", "what": "review the plan", "due": start.Add(48 * time.Hour)}), 201)
		if rp := as[tl.Promise](t, c.post("/promises/"+p.ID+"/resolution", obj{"outcome": "kept"}), 201); rp.Status != "kept" {
			t.Fatalf("resolve: %+v", rp)
		}
		if sd := as[api.SayDo](t, c.get("/promises/say-do"), 200); sd.Kept != 1 {
			t.Fatalf("say-do: %+v", sd)
		}
		if d := c.post("/decisions", obj{"what": "move the release", "why": "the tests are red", "affects": "Ben"}); d.status != 201 {
			t.Fatalf("decision: %s", d)
		}
		if j := c.post("/journal", obj{"question": 1, "text": "I spoke first again"}); j.status != 201 {
			t.Fatalf("journal: %s", j)
		}
		if st := as[tl.StatusReport](t, c.get("/status"), 200); len(st.Relationships) != 5 {
			t.Fatalf("status: %+v", st)
		}
		if ex := c.get("/people/Sam/explanation"); ex.status != 200 {
			t.Fatalf("explain: %s", ex)
		}
		// The week's reason is the services' sentence, as the web and the
		// CLI show it.
		wk := as[tl.WeekReport](t, c.get("/week"), 200)
		svcWeek, err := e.app.Week(context.Background(), e.owner.LeaderID)
		if err != nil {
			t.Fatal(err)
		}
		if wk.Step == nil || wk.Why == nil || wk.Why.Sentence == "" || svcWeek.Why == nil || wk.Why.Sentence != svcWeek.Why.Sentence {
			t.Fatalf("week: step %+v why %+v, the service says %+v", wk.Step, wk.Why, svcWeek.Why)
		}
		evs := as[api.Page[api.EventOut]](t, c.get(list("/events", 1, "")), 200)
		if len(evs.Items) != 1 || evs.NextCursor == "" {
			t.Fatalf("events page: %+v", evs)
		}
		more := as[api.Page[api.EventOut]](t, c.get(list("/events", 100, evs.NextCursor)), 200)
		if len(more.Items) == 0 || more.Items[0].ID == evs.Items[0].ID {
			t.Fatalf("events next page: %+v", more)
		}
		if set := c.put("/settings/half_life_days", obj{"value": 30}); set.status != 200 {
			t.Fatalf("setting: %s", set)
		}
		envelope(t, c.put("/settings/no_such_setting", obj{"value": 1}), 400, tl.EINVALID)
	})
}

func TestIdempotency(t *testing.T) {
	bothDatabases(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c := e.c
		if res := c.post("/people", obj{"name": "Sam"}); res.status != 201 {
			t.Fatalf("person: %s", res)
		}
		body := obj{"who": "Sam", "kind": "recognition"}
		first := c.post("/events", body, key("key-1"))
		again := c.post("/events", body, key("key-1"))
		if as[api.EventOut](t, first, 201).ID != as[api.EventOut](t, again, 201).ID {
			t.Fatalf("a retry created again: %s / %s", first, again)
		}
		if again.header.Get("Idempotent-Replayed") != "true" {
			t.Error("the replay is not marked")
		}
		envelope(t, c.post("/events", obj{"who": "Sam", "kind": "input-sought"}, key("key-1")), 400, tl.EINVALID)

		// Racing retries of one create: exactly one entry.
		var wg sync.WaitGroup
		ids := make([]string, 16)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := c.post("/events", obj{"who": "Sam", "kind": "recognition", "note": "race"}, key("key-race"))
				var ev api.EventOut
				switch {
				case res.status == 201 && json.Unmarshal(res.body, &ev) == nil:
					ids[i] = ev.ID
				case res.status != 0 && res.status != 409:
					t.Errorf("racing create: %s", res)
				}
			}()
		}
		wg.Wait()
		evs, err := e.app.Events(ctx, e.owner.LeaderID, tl.EventFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, ev := range evs {
			if ev.Note == "race" {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("16 racing requests with one key made %d entries, want 1", n)
		}
		for _, id := range ids {
			if id != "" && id != ids[slicesIndexNonEmpty(ids)] {
				t.Fatalf("racing requests saw different entries: %v", ids)
			}
		}
		// A failed create (the user's mistake) saved nothing, so it keeps no key: the retry runs
		// again and gets the same error.
		b1 := c.post("/events", obj{"who": "Nobody", "kind": "recognition"}, key("key-bad"))
		b2 := c.post("/events", obj{"who": "Nobody", "kind": "recognition"}, key("key-bad"))
		if b1.status != 404 || string(b1.body) != string(b2.body) {
			t.Fatalf("failed create and its retry: %s / %s", b1, b2)
		}
	})
}

func slicesIndexNonEmpty(s []string) int {
	for i, v := range s {
		if v != "" {
			return i
		}
	}
	panic(fmt.Sprintf("no non-empty id in %v", s))
}

// TestEveryOperation calls every operation in the document, with the
// path filled in and an empty JSON body where it takes one, as the leader
// with a write token on a small ledger: each answers with JSON, and an
// error is the envelope with a code the caller can act on, never a 500.
// The document judges each request: what it refuses, the server refuses.
func TestEveryOperation(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	if res := e.c.post("/people", obj{"name": "Ana"}); res.status != 201 {
		t.Fatalf("person: %s", res)
	}
	doc := api.New(api.Config{}).OpenAPI()
	n := 0
	for path, item := range doc.Paths {
		for method, op := range map[string]*huma.Operation{"GET": item.Get, "POST": item.Post, "PUT": item.Put, "DELETE": item.Delete} {
			if op == nil {
				continue
			}
			n++
			p := strings.NewReplacer("{person}", "Ana", "{id}", "no-such-id", "{name}", "half_life_days").Replace(path)
			var body any
			if op.RequestBody != nil {
				body = "{}"
			}
			res := e.c.do(method, p, body, judge)
			if !json.Valid(res.body) {
				t.Errorf("%s %s (%s): %d, not JSON: %s", method, p, op.OperationID, res.status, res.body)
				continue
			}
			if res.status >= 500 {
				t.Errorf("%s %s (%s): %s", method, p, op.OperationID, res)
			}
			if res.status >= 400 {
				var env struct {
					Error api.ErrorBody `json:"error"`
				}
				if json.Unmarshal(res.body, &env) != nil || env.Error.Code == "" || env.Error.Message == "" {
					t.Errorf("%s %s (%s): %d without the envelope: %s", method, p, op.OperationID, res.status, res.body)
				}
			}
		}
	}
	if n < 40 {
		t.Fatalf("the document has %d operations; expected the whole API", n)
	}
}

// TestPublishedSchemaNames: a promise's schemas keep the names the
// document published before the Go type was renamed (Commitment), so
// clients generated from it still build.
func TestPublishedSchemaNames(t *testing.T) {
	schemas := api.New(api.Config{}).OpenAPI().Components.Schemas.Map()
	for _, name := range []string{"Commitment", "PageCommitment"} {
		if schemas[name] == nil {
			t.Errorf("the document has no schema %s", name)
		}
	}
	for _, name := range []string{"Promise", "PagePromise"} {
		if schemas[name] != nil {
			t.Errorf("the document has a schema %s; its published name is kept", name)
		}
	}
}

// TestInvitations: the owner invites by link (shown once, it makes the
// account) and by email (queued, no link in the answer); a leader who is
// not an admin may not.
func TestInvitations(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	inv := as[api.InvitationCreated](t, e.c.post("/invitations", obj{"email": "sam@example.org", "role": "leader", "delivery": "link"}), 201)
	if inv.Link == nil || !strings.HasPrefix(inv.Link.URL, "https://tl.example/invite/") {
		t.Fatalf("invite by link: %+v", inv)
	}
	sam, err := e.app.AcceptInvite(ctx, inv.Link.Token, "Sam", "correct horse battery")
	if err != nil {
		t.Fatalf("the link from the API: %v", err)
	}
	if byMail := as[api.InvitationCreated](t, e.c.post("/invitations", obj{"email": "ana@example.org", "role": "member"}), 201); byMail.Link != nil {
		t.Fatalf("invite by mail: %+v", byMail)
	}
	if l := as[api.Page[tl.Invitation]](t, e.c.get("/invitations"), 200); len(l.Items) != 2 {
		t.Fatalf("invitations: %+v", l)
	}
	_, samToken, err := e.app.CreateToken(ctx, sam.ID, "sam", tl.ScopeWrite)
	if err != nil {
		t.Fatal(err)
	}
	envelope(t, e.client(samToken).post("/invitations", obj{"email": "x@example.org", "role": "member"}), 403, tl.EFORBIDDEN)
	if users := as[api.Page[tl.User]](t, e.c.get("/users"), 200); len(users.Items) != 2 {
		t.Fatalf("users: %+v", users)
	}
}
