package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/api"
	"github.com/trustledger/trustledger/internal/api/client"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
)

var start = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

// env is the API over the real app on one database, served by httptest,
// with an owner who leads and a write and a read token. Its clock stands
// at start until a test moves it.
type env struct {
	t     *testing.T
	db    *store.DB
	app   *app.App
	srv   *httptest.Server
	owner *tl.User
	write string
	read  string
	c     *client.ClientWithResponses // with the write token
	now   atomic.Int64                // the clock, in unix nanoseconds
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

func (e *env) client(token string) *client.ClientWithResponses {
	e.t.Helper()
	c, err := client.NewClientWithResponses(e.srv.URL+api.Prefix, client.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		return nil
	}))
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// envelope decodes an error body and checks its shape.
func envelope(t *testing.T, status int, body []byte, wantStatus int, wantCode string) api.ErrorBody {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("status %d, want %d: %s", status, wantStatus, body)
	}
	var e struct {
		Error api.ErrorBody `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body is not the envelope: %v: %s", err, body)
	}
	if e.Error.Code != wantCode || e.Error.Message == "" {
		t.Fatalf("envelope %+v, want code %q and a message", e.Error, wantCode)
	}
	return e.Error
}

func ptr[T any](v T) *T { return &v }

func bothDatabases(t *testing.T, f func(t *testing.T, e *env)) {
	t.Run("sqlite", func(t *testing.T) { f(t, newEnv(t, storetest.OpenSQLite(t))) })
	t.Run("postgres", func(t *testing.T) { f(t, newEnv(t, storetest.OpenPostgres(t))) })
}

func TestDocument(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	res, err := http.Get(e.srv.URL + api.Prefix + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil || res.StatusCode != 200 {
		t.Fatalf("GET openapi.json: %d %v", res.StatusCode, err)
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
		res, err := http.Get(e.srv.URL + api.Prefix + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode == 200 {
			t.Errorf("GET %s is served; the docs page loads a CDN script and must be off", p)
		}
	}
}

func TestAuthentication(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	ctx := context.Background()

	res, err := e.client("").ListPeopleWithResponse(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	envelope(t, res.StatusCode(), res.Body, 401, tl.EUNAUTHORIZED)
	if res.HTTPResponse.Header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	res, _ = e.client("tl_not-a-real-token").ListPeopleWithResponse(ctx, nil)
	envelope(t, res.StatusCode(), res.Body, 401, tl.EUNAUTHORIZED)

	// A read token reads but cannot write.
	rc := e.client(e.read)
	if res, _ := rc.ListPeopleWithResponse(ctx, nil); res.StatusCode() != 200 {
		t.Fatalf("read token list: %d %s", res.StatusCode(), res.Body)
	}
	cr, _ := rc.CreatePersonWithResponse(ctx, nil, client.CreatePersonJSONRequestBody{Name: "Sam"})
	envelope(t, cr.StatusCode(), cr.Body, 403, tl.EFORBIDDEN)

	// A revoked token stops working on the next request.
	toks, _ := e.c.ListTokensWithResponse(ctx, nil)
	if toks.JSON200 == nil || len(*toks.JSON200.Items) != 2 {
		t.Fatalf("tokens: %s", toks.Body)
	}
	for _, tk := range *toks.JSON200.Items {
		if tk.Scope == "read" {
			if res, _ := e.c.RevokeTokenWithResponse(ctx, tk.Id); res.StatusCode() != 200 {
				t.Fatalf("revoke: %d %s", res.StatusCode(), res.Body)
			}
		}
	}
	res, _ = rc.ListPeopleWithResponse(ctx, nil)
	envelope(t, res.StatusCode(), res.Body, 401, tl.EUNAUTHORIZED)

	// Unknown routes get the envelope too.
	req, _ := http.NewRequest("GET", e.srv.URL+api.Prefix+"/nothing-here", nil)
	req.Header.Set("Authorization", "Bearer "+e.write)
	raw, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(raw.Body)
	raw.Body.Close()
	envelope(t, raw.StatusCode, b, 404, tl.ENOTFOUND)
}

func TestLeaderFlow(t *testing.T) {
	bothDatabases(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c := e.c
		me, err := c.GetMeWithResponse(ctx)
		if err != nil || me.JSON200 == nil || me.JSON200.Leader == nil || me.JSON200.Scope != "write" {
			t.Fatalf("me: %v %s", err, me.Body)
		}
		for _, n := range []string{"Sam", "Ana", "Ben", "Kim", "Raj"} {
			res, err := c.CreatePersonWithResponse(ctx, nil, client.CreatePersonJSONRequestBody{Name: n, Email: ptr(strings.ToLower(n) + "@example.com")})
			if err != nil || res.StatusCode() != 201 || res.JSON201 == nil || res.JSON201.Person != n {
				t.Fatalf("create %s: %v %d %s", n, err, res.StatusCode(), res.Body)
			}
		}
		// Pages of two walk the whole list once.
		seen := map[string]bool{}
		cursor := ""
		for pages := 0; ; pages++ {
			p := &client.ListPeopleParams{Limit: ptr(int64(2))}
			if cursor != "" {
				p.Cursor = &cursor
			}
			res, err := c.ListPeopleWithResponse(ctx, p)
			if err != nil || res.JSON200 == nil {
				t.Fatalf("list: %v %s", err, res.Body)
			}
			for _, r := range *res.JSON200.Items {
				if seen[r.Person] {
					t.Fatalf("%s on two pages", r.Person)
				}
				seen[r.Person] = true
			}
			if res.JSON200.NextCursor == nil {
				break
			}
			cursor = *res.JSON200.NextCursor
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
		}
		if len(seen) != 5 {
			t.Fatalf("pages held %d people, want 5", len(seen))
		}
		bad := "bm90LWFuLWlk"
		res, _ := c.ListPeopleWithResponse(ctx, &client.ListPeopleParams{Cursor: &bad})
		envelope(t, res.StatusCode(), res.Body, 400, tl.EINVALID)

		// Validation and domain errors share the envelope.
		cr, _ := c.CreatePersonWithResponse(ctx, nil, client.CreatePersonJSONRequestBody{Name: ""})
		eb := envelope(t, cr.StatusCode(), cr.Body, 400, tl.EINVALID)
		if len(eb.Details) == 0 || eb.Details[0].Location != "body.name" {
			t.Errorf("validation details %+v, want body.name", eb.Details)
		}
		pr, _ := c.CreatePromiseWithResponse(ctx, nil, client.CreatePromiseJSONRequestBody{To: "Nobody", What: "x", Due: start.Add(72 * time.Hour)})
		envelope(t, pr.StatusCode(), pr.Body, 404, tl.ENOTFOUND)

		// The ledger, promises, decisions, journal, status and week.
		ev, err := c.CreateEventWithResponse(ctx, nil, client.CreateEventJSONRequestBody{Who: ptr("Sam"), Kind: "recognition", Note: ptr("named Sam's fix in the all-hands")})
		if err != nil || ev.JSON201 == nil || ev.JSON201.Source != "self" {
			t.Fatalf("event: %v %s", err, ev.Body)
		}
		p, err := c.CreatePromiseWithResponse(ctx, nil, client.CreatePromiseJSONRequestBody{To: "Ana", What: "review the plan", Due: start.Add(48 * time.Hour)})
		if err != nil || p.JSON201 == nil {
			t.Fatalf("promise: %v %s", err, p.Body)
		}
		rp, err := c.ResolvePromiseWithResponse(ctx, p.JSON201.Id, nil, client.ResolvePromiseJSONRequestBody{Outcome: "kept"})
		if err != nil || rp.JSON201 == nil || rp.JSON201.Status != "kept" {
			t.Fatalf("resolve: %v %s", err, rp.Body)
		}
		sd, _ := c.GetSayDoWithResponse(ctx)
		if sd.JSON200 == nil || sd.JSON200.Kept != 1 {
			t.Fatalf("say-do: %s", sd.Body)
		}
		d, _ := c.CreateDecisionWithResponse(ctx, nil, client.CreateDecisionJSONRequestBody{What: "move the release", Why: ptr("the tests are red"), Affects: "Ben"})
		if d.StatusCode() != 201 {
			t.Fatalf("decision: %s", d.Body)
		}
		j, _ := c.CreateJournalEntryWithResponse(ctx, nil, client.CreateJournalEntryJSONRequestBody{Question: ptr(int64(1)), Text: "I spoke first again"})
		if j.StatusCode() != 201 {
			t.Fatalf("journal: %s", j.Body)
		}
		st, _ := c.GetStatusWithResponse(ctx)
		if st.JSON200 == nil || st.JSON200.Relationships == nil || len(*st.JSON200.Relationships) != 5 {
			t.Fatalf("status: %s", st.Body)
		}
		ex, _ := c.ExplainPersonWithResponse(ctx, "Sam")
		if ex.StatusCode() != 200 {
			t.Fatalf("explain: %s", ex.Body)
		}
		wk, _ := c.GetWeekWithResponse(ctx)
		if wk.StatusCode() != 200 {
			t.Fatalf("week: %s", wk.Body)
		}
		evs, _ := c.ListEventsWithResponse(ctx, &client.ListEventsParams{Limit: ptr(int64(1))})
		if evs.JSON200 == nil || len(*evs.JSON200.Items) != 1 || evs.JSON200.NextCursor == nil {
			t.Fatalf("events page: %s", evs.Body)
		}
		more, _ := c.ListEventsWithResponse(ctx, &client.ListEventsParams{Limit: ptr(int64(100)), Cursor: evs.JSON200.NextCursor})
		if more.JSON200 == nil || len(*more.JSON200.Items) == 0 || (*more.JSON200.Items)[0].Id == (*evs.JSON200.Items)[0].Id {
			t.Fatalf("events next page: %s", more.Body)
		}
		set, _ := c.SetSettingWithResponse(ctx, "half_life_days", client.SetSettingJSONRequestBody{Value: 30})
		if set.StatusCode() != 200 {
			t.Fatalf("setting: %s", set.Body)
		}
		bad2, _ := c.SetSettingWithResponse(ctx, "no_such_setting", client.SetSettingJSONRequestBody{Value: 1})
		envelope(t, bad2.StatusCode(), bad2.Body, 400, tl.EINVALID)
	})
}

func TestIdempotency(t *testing.T) {
	bothDatabases(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c := e.c
		if res, _ := c.CreatePersonWithResponse(ctx, nil, client.CreatePersonJSONRequestBody{Name: "Sam"}); res.StatusCode() != 201 {
			t.Fatalf("person: %s", res.Body)
		}
		key := "key-1"
		body := client.CreateEventJSONRequestBody{Who: ptr("Sam"), Kind: "recognition"}
		first, _ := c.CreateEventWithResponse(ctx, &client.CreateEventParams{IdempotencyKey: &key}, body)
		again, _ := c.CreateEventWithResponse(ctx, &client.CreateEventParams{IdempotencyKey: &key}, body)
		if first.JSON201 == nil || again.JSON201 == nil || first.JSON201.Id != again.JSON201.Id {
			t.Fatalf("a retry created again: %s / %s", first.Body, again.Body)
		}
		if again.HTTPResponse.Header.Get("Idempotent-Replayed") != "true" {
			t.Error("the replay is not marked")
		}
		other := client.CreateEventJSONRequestBody{Who: ptr("Sam"), Kind: "input-sought"}
		diff, _ := c.CreateEventWithResponse(ctx, &client.CreateEventParams{IdempotencyKey: &key}, other)
		envelope(t, diff.StatusCode(), diff.Body, 400, tl.EINVALID)

		// Racing retries of one create: exactly one entry.
		race := "key-race"
		var wg sync.WaitGroup
		ids := make([]string, 16)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := c.CreateEventWithResponse(ctx, &client.CreateEventParams{IdempotencyKey: &race}, client.CreateEventJSONRequestBody{Who: ptr("Sam"), Kind: "recognition", Note: ptr("race")})
				if err == nil && res.JSON201 != nil {
					ids[i] = res.JSON201.Id
				} else if err == nil && res.StatusCode() != 409 {
					t.Errorf("racing create: %d %s", res.StatusCode(), res.Body)
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
		// A failed create (the user's mistake) is kept too: the retry gets the same error.
		bad := "key-bad"
		b1, _ := c.CreateEventWithResponse(ctx, &client.CreateEventParams{IdempotencyKey: &bad}, client.CreateEventJSONRequestBody{Who: ptr("Nobody"), Kind: "recognition"})
		b2, _ := c.CreateEventWithResponse(ctx, &client.CreateEventParams{IdempotencyKey: &bad}, client.CreateEventJSONRequestBody{Who: ptr("Nobody"), Kind: "recognition"})
		if b1.StatusCode() != 404 || string(b1.Body) != string(b2.Body) {
			t.Fatalf("failed create and its retry: %d %s / %d %s", b1.StatusCode(), b1.Body, b2.StatusCode(), b2.Body)
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
// path filled in and an empty JSON body, as the leader with a write token
// on a small ledger: each answers with JSON, and an error is the envelope
// with a code the caller can act on, never a 500.
func TestEveryOperation(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	if res, _ := e.c.CreatePersonWithResponse(ctx, nil, client.CreatePersonJSONRequestBody{Name: "Ana"}); res.StatusCode() != 201 {
		t.Fatalf("person: %s", res.Body)
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
			var body io.Reader
			if method == "POST" || method == "PUT" {
				body = strings.NewReader("{}")
			}
			req, _ := http.NewRequest(method, e.srv.URL+api.Prefix+p, body)
			req.Header.Set("Authorization", "Bearer "+e.write)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if !json.Valid(b) {
				t.Errorf("%s %s (%s): %d, not JSON: %s", method, p, op.OperationID, res.StatusCode, b)
				continue
			}
			if res.StatusCode >= 500 {
				t.Errorf("%s %s (%s): %d %s", method, p, op.OperationID, res.StatusCode, b)
			}
			if res.StatusCode >= 400 {
				var env struct {
					Error api.ErrorBody `json:"error"`
				}
				if json.Unmarshal(b, &env) != nil || env.Error.Code == "" || env.Error.Message == "" {
					t.Errorf("%s %s (%s): %d without the envelope: %s", method, p, op.OperationID, res.StatusCode, b)
				}
			}
		}
	}
	if n < 40 {
		t.Fatalf("the document has %d operations; expected the whole API", n)
	}
}

// TestInvitations: the owner invites by link (shown once, it makes the
// account) and by email (queued, no link in the answer); a leader who is
// not an admin may not.
func TestInvitations(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	link := client.CreateInvitationRequestDeliveryLink
	res, err := e.c.CreateInvitationWithResponse(ctx, nil, client.CreateInvitationJSONRequestBody{Email: "sam@example.org", Role: "leader", Delivery: &link})
	if err != nil || res.JSON201 == nil || res.JSON201.Link == nil || !strings.HasPrefix(*res.JSON201.Link.Url, "https://tl.example/invite/") {
		t.Fatalf("invite by link: %v %s", err, res.Body)
	}
	sam, err := e.app.AcceptInvite(ctx, res.JSON201.Link.Token, "Sam", "correct horse battery")
	if err != nil {
		t.Fatalf("the link from the API: %v", err)
	}
	byMail, _ := e.c.CreateInvitationWithResponse(ctx, nil, client.CreateInvitationJSONRequestBody{Email: "ana@example.org", Role: "member"})
	if byMail.JSON201 == nil || byMail.JSON201.Link != nil {
		t.Fatalf("invite by mail: %s", byMail.Body)
	}
	list, _ := e.c.ListInvitationsWithResponse(ctx, nil)
	if list.JSON200 == nil || len(*list.JSON200.Items) != 2 {
		t.Fatalf("invitations: %s", list.Body)
	}
	_, samToken, err := e.app.CreateToken(ctx, sam.ID, "sam", tl.ScopeWrite)
	if err != nil {
		t.Fatal(err)
	}
	denied, _ := e.client(samToken).CreateInvitationWithResponse(ctx, nil, client.CreateInvitationJSONRequestBody{Email: "x@example.org", Role: "member"})
	envelope(t, denied.StatusCode(), denied.Body, 403, tl.EFORBIDDEN)
	users, _ := e.c.ListUsersWithResponse(ctx, nil)
	if users.JSON200 == nil || len(*users.JSON200.Items) != 2 {
		t.Fatalf("users: %s", users.Body)
	}
}
