package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/go-cmp/cmp"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/api"
	"github.com/trustledger/trustledger/internal/storetest"
)

// TestDocumentLimitsAreTheServices reads every maxLength of the served
// document and checks it against the limit the services enforce (the
// root package's constants): a tag that drifts from its constant, or a
// new limit nobody tied to one, fails here.
func TestDocumentLimitsAreTheServices(t *testing.T) {
	const (
		idLength     = 100 // ids in paths: the API's own bound, ids are 26 characters
		cursorLength = 200 // a list's cursor: the API's own
		personPath   = 200 // a person named in a path: the API's own; longer names are unknown anyway
		settingName  = 100 // a setting's name in a path: the API's own; the names are short
		scenarioName = 200 // a scenario's file name, for messages only
	)
	want := map[string]int{
		// Shared parameters, by where they are and their name.
		"path.id": idLength, "path.person": personPath, "path.name": settingName,
		"query.cursor": cursorLength, "query.who": tl.MaxNameLength, "header.Idempotency-Key": tl.MaxIdempotencyKeyLength,
		// Bodies, by operation and property.
		"createPerson.name": tl.MaxNameLength, "createPerson.email": tl.MaxEmailLength,
		"setPersonEmail.email": tl.MaxEmailLength,
		"createTeam.name":      tl.MaxNameLength,
		"createEvent.who":      tl.MaxNameLength, "createEvent.note": tl.MaxNoteLength,
		"reverseEvent.note": tl.MaxNoteLength,
		"createPromise.to":  tl.MaxNameLength, "createPromise.what": tl.MaxTextLength,
		"createDecision.what": tl.MaxTextLength, "createDecision.why": tl.MaxTextLength, "createDecision.affects": tl.MaxNameLength,
		"createJournalEntry.text": tl.MaxNoteLength,
		"launchPulse.team":        tl.MaxNameLength, "launchPulse.question": tl.MaxQuestionLength,
		"createInvitation.email": tl.MaxEmailLength,
		"createProgram.name":     tl.MaxNameLength, "addProgramCoach.email": tl.MaxEmailLength, "addProgramLeader.email": tl.MaxEmailLength,
		"importRoster.csv":      tl.MaxRosterBytes,
		"createWebhook.url":     tl.MaxURLLength,
		"createToken.name":      tl.MaxNameLength,
		"setTimeZone.time_zone": tl.MaxZoneLength,
		"simulate.name":         scenarioName,
		"simulate.scenario":     tl.MaxScenarioBytes,
	}
	doc := api.New(api.Config{}).OpenAPI()
	got := map[string]int{}
	seen := func(key string, n int) {
		if old, ok := got[key]; ok && old != n {
			t.Errorf("%s: maxLength %d in one operation and %d in another", key, old, n)
		}
		got[key] = n
	}
	for path, item := range doc.Paths {
		for _, op := range []*huma.Operation{item.Get, item.Put, item.Post, item.Delete, item.Patch} {
			if op == nil {
				continue
			}
			for _, p := range op.Parameters {
				if p.Schema != nil && p.Schema.MaxLength != nil {
					seen(p.In+"."+p.Name, *p.Schema.MaxLength)
				}
			}
			if op.RequestBody == nil || op.RequestBody.Content["application/json"] == nil {
				continue
			}
			s := op.RequestBody.Content["application/json"].Schema
			if s.Ref != "" {
				s = doc.Components.Schemas.SchemaFromRef(s.Ref)
			}
			if s == nil {
				t.Fatalf("%s %s: a body without a schema", op.Method, path)
			}
			for name, prop := range s.Properties {
				if prop.MaxLength != nil {
					seen(op.OperationID+"."+name, *prop.MaxLength)
				}
			}
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("the document's maxLengths are not the services' limits (-want +got):\n%s", d)
	}
}

// TestTextLimitsAsTheWeb: what the web accepts the API accepts, and what
// the service refuses the API refuses (it once capped a decision at 500
// characters and let a why of 1,500 through to the service).
func TestTextLimitsAsTheWeb(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	c := e.c
	as[tl.Relationship](t, c.post("/people", obj{"name": "Ana"}), 201)
	due := start.Add(72 * time.Hour)
	long := func(n int) string { return strings.Repeat("x", n) }

	// At the limit: accepted, as the web and the service accept it.
	if d := as[tl.Decision](t, c.post("/decisions", obj{"what": long(600), "why": long(tl.MaxTextLength), "affects": "Ana"}), 201); len(d.What) != 600 {
		t.Fatalf("a 600-character decision came back with %d", len(d.What))
	}
	as[tl.Decision](t, c.post("/decisions", obj{"what": long(tl.MaxTextLength), "affects": "Ana"}), 201)
	as[tl.Promise](t, c.post("/promises", obj{"to": "Ana", "what": long(tl.MaxTextLength), "due": due}), 201)
	ev := c.post("/events", obj{"who": "Ana", "kind": "recognition", "note": long(tl.MaxNoteLength)})
	if ev.status != 201 {
		t.Fatalf("a note of %d characters: %s", tl.MaxNoteLength, ev)
	}

	// One over: the document refuses it, as the service would.
	for _, tc := range []struct {
		path string
		body obj
	}{
		{"/decisions", obj{"what": long(tl.MaxTextLength + 1), "affects": "Ana"}},
		{"/decisions", obj{"what": "hire", "why": long(1500), "affects": "Ana"}},
		{"/promises", obj{"to": "Ana", "what": long(tl.MaxTextLength + 1), "due": due}},
		{"/events", obj{"who": "Ana", "kind": "recognition", "note": long(tl.MaxNoteLength + 1)}},
		{"/journal", obj{"question": 1, "text": long(tl.MaxNoteLength + 1)}},
	} {
		envelope(t, c.post(tc.path, tc.body, refused), 400, tl.EINVALID)
	}

	// The service refuses the same lengths by itself, naming the field.
	ctx, lid := context.Background(), e.owner.LeaderID
	for field, try := range map[string]func() error{
		"what": func() error {
			_, err := e.app.Decide(ctx, lid, tl.DecisionInput{What: long(tl.MaxTextLength + 1), Affects: "Ana"})
			return err
		},
		"why": func() error {
			_, err := e.app.Decide(ctx, lid, tl.DecisionInput{What: "hire", Why: long(tl.MaxTextLength + 1), Affects: "Ana"})
			return err
		},
		"note": func() error {
			_, err := e.app.Log(ctx, lid, tl.EventInput{Who: "Ana", Kind: "recognition", Note: long(tl.MaxNoteLength + 1)})
			return err
		},
	} {
		err := try()
		if tl.ErrorCode(err) != tl.EINVALID || tl.ErrorField(err) != field {
			t.Errorf("%s one over the limit: code %q, field %q (%v)", field, tl.ErrorCode(err), tl.ErrorField(err), err)
		}
	}
}

// TestImportByTheService: the service decides who may import; the API
// passes the token's account and maps the refusal.
func TestImportByTheService(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	b, err := e.app.Export(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []tl.Role{tl.RoleLeader, tl.RoleCoach} {
		_, token, err := e.app.Invite(ctx, e.owner.ID, fmt.Sprintf("%s@example.com", role), role)
		if err != nil {
			t.Fatal(err)
		}
		u, err := e.app.AcceptInvite(ctx, token, "Sam "+string(role), "a long enough password")
		if err != nil {
			t.Fatal(err)
		}
		_, secret, err := e.app.CreateToken(ctx, u.ID, "import", tl.ScopeWrite)
		if err != nil {
			t.Fatal(err)
		}
		eb := envelope(t, e.client(secret).post("/import", b), http.StatusForbidden, tl.EFORBIDDEN)
		if !strings.Contains(eb.Message, "only the owner or an admin may import a backup") {
			t.Fatalf("a %s importing: %q", role, eb.Message)
		}
	}
}

// TestBodyLimitsPerOperation: each operation takes the body its data
// needs and no more. A backup of several MiB can be restored through the
// API (a 1 MiB limit for every operation once refused it), a roster of a
// few MiB can be checked, and any other operation refuses a body over
// 1 MiB with a message that says the operation's limit.
func TestBodyLimitsPerOperation(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	c := e.c
	as[tl.Relationship](t, c.post("/people", obj{"name": "Ana"}), 201)
	backup := c.get("/export")
	if backup.status != 200 {
		t.Fatalf("export: %s", backup)
	}
	// The same backup made larger than 1 MiB with whitespace, which JSON
	// ignores, loads into a fresh installation (whose owner is another
	// Lena: the backup's leader is renamed).
	body := strings.ReplaceAll(strings.TrimRight(string(backup.body), " \n"), `"Lena"`, `"Lena Ortiz"`)
	big := body[:len(body)-1] + strings.Repeat(" ", 3<<20) + "}"
	fresh := newEnv(t, storetest.OpenSQLite(t))
	if r := fresh.c.post("/import", big); r.status != http.StatusOK && r.status != http.StatusCreated {
		t.Fatalf("a %d MiB backup: %s", len(big)>>20, trimReply(r))
	}

	// Over the import's limit: refused, saying the limit.
	huge := body[:len(body)-1] + strings.Repeat(" ", tl.MaxImportBytes) + "}"
	eb := envelope(t, fresh.c.post("/import", huge), http.StatusRequestEntityTooLarge, tl.EINVALID)
	if !strings.Contains(eb.Message, "at most 32 MiB") {
		t.Fatalf("an oversized backup: %q", eb.Message)
	}

	// A roster of 3 MiB is read, not refused for its size.
	var csv strings.Builder
	csv.WriteString("email,name,role\n")
	for i := 0; csv.Len() < 3<<20; i++ {
		fmt.Fprintf(&csv, "person%d@example.com,Person %d,member\n", i, i)
	}
	if r := c.post("/roster", obj{"csv": csv.String(), "dry_run": true}); r.status == http.StatusRequestEntityTooLarge || r.status >= 500 {
		t.Fatalf("a 3 MiB roster: %s", trimReply(r))
	}

	// Any other operation: 1 MiB.
	ev := `{"who": "Ana", "kind": "recognition"` + strings.Repeat(" ", tl.MaxRequestBytes) + `}`
	eb = envelope(t, c.post("/events", ev), http.StatusRequestEntityTooLarge, tl.EINVALID)
	if !strings.Contains(eb.Message, "at most 1 MiB") {
		t.Fatalf("an oversized entry: %q", eb.Message)
	}
}

// trimReply is a reply short enough to read in a failure.
func trimReply(r *reply) string {
	s := r.String()
	if len(s) > 500 {
		s = s[:500] + "…"
	}
	return s
}
