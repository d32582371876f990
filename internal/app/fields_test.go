package app_test

import (
	"strings"
	"testing"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// TestErrorsNameTheirField: what a service refuses names the input it is
// about (as the API's body names it), so every form shows it beside that
// field and no front end checks the input again to know where it goes.
func TestErrorsNameTheirField(t *testing.T) {
	e := newEnv(t, backends(t)[0])
	ctx := e.ctx
	l := e.leader("Lena")
	e.person(l.ID, "Ana", engine.DirectReport)
	due := e.clk.Now().Add(3 * day)
	long := func(n int) string { return strings.Repeat("x", n) }
	fail := func(_ any, err error) error { return err }
	fail3 := func(_, _ any, err error) error { return err }
	cases := []struct {
		name, field string
		err         error
	}{
		{"promise without words", "what", fail(e.app.AddPromise(ctx, l.ID, tl.PromiseInput{To: "Ana", What: " ", Due: due}))},
		{"promise too long", "what", fail(e.app.AddPromise(ctx, l.ID, tl.PromiseInput{To: "Ana", What: long(tl.MaxTextLength + 1), Due: due}))},
		{"promise without a day", "due", fail(e.app.AddPromise(ctx, l.ID, tl.PromiseInput{To: "Ana", What: "x"}))},
		{"promise in the past", "due", fail(e.app.AddPromise(ctx, l.ID, tl.PromiseInput{To: "Ana", What: "x", Due: due.AddDate(0, -1, 0)}))},
		{"promise to nobody", "to", fail(e.app.AddPromise(ctx, l.ID, tl.PromiseInput{What: "x", Due: due}))},
		{"promise to a stranger", "to", fail(e.app.AddPromise(ctx, l.ID, tl.PromiseInput{To: "Zed", What: "x", Due: due}))},
		{"decision without words", "what", fail(e.app.Decide(ctx, l.ID, tl.DecisionInput{Affects: "Ana"}))},
		{"why too long", "why", fail(e.app.Decide(ctx, l.ID, tl.DecisionInput{What: "x", Why: long(tl.MaxTextLength + 1), Affects: "Ana"}))},
		{"decision in the future", "at", fail(e.app.Decide(ctx, l.ID, tl.DecisionInput{What: "x", Affects: "Ana", At: due}))},
		{"decision for a stranger", "affects", fail(e.app.Decide(ctx, l.ID, tl.DecisionInput{What: "x", Affects: "Zed"}))},
		{"entry without a kind", "kind", fail(e.app.Log(ctx, l.ID, tl.EventInput{Who: "Ana"}))},
		{"entry of an unknown kind", "kind", fail(e.app.Log(ctx, l.ID, tl.EventInput{Who: "Ana", Kind: "hug"}))},
		{"entry about a stranger", "who", fail(e.app.Log(ctx, l.ID, tl.EventInput{Who: "Zed", Kind: "recognition"}))},
		{"entry in the future", "at", fail(e.app.Log(ctx, l.ID, tl.EventInput{Who: "Ana", Kind: "recognition", At: due}))},
		{"note too long", "note", fail(e.app.Log(ctx, l.ID, tl.EventInput{Who: "Ana", Kind: "recognition", Note: long(tl.MaxNoteLength + 1)}))},
		{"empty journal entry", "text", fail(e.app.AddJournal(ctx, l.ID, 1, " "))},
		{"person without a name", "name", fail(e.app.AddPerson(ctx, l.ID, tl.PersonInput{Kind: engine.Peer}))},
		{"person of no kind", "kind", fail(e.app.AddPerson(ctx, l.ID, tl.PersonInput{Name: "Bo", Kind: "boss"}))},
		{"person in no such team", "team", fail(e.app.AddPerson(ctx, l.ID, tl.PersonInput{Name: "Bo", Kind: engine.Peer, Team: "nope"}))},
		{"person named twice", "name", fail(e.app.AddPerson(ctx, l.ID, tl.PersonInput{Name: "ana", Kind: engine.Peer}))},
		{"power out of range", "power.reward", fail(e.app.SetPower(ctx, l.ID, "Ana", map[string]int{"reward": 9}))},
		{"signup without an address", "email", fail(e.app.Signup(ctx, tl.SignupInput{Email: "lena at home", Name: "Lena", Password: ownerPass}))},
		{"signup with a short password", "password", fail(e.app.Signup(ctx, tl.SignupInput{Email: "lena@example.org", Name: "Lena", Password: "short"}))},
		{"webhook without an address", "url", fail3(e.app.AddWebhook(ctx, l.ID, " ", nil))},
		{"webhook for no such event", "events", fail3(e.app.AddWebhook(ctx, l.ID, "https://hooks.example.org/a", []string{"promise.eaten"}))},
	}
	for _, tc := range cases {
		if tc.err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if got := tl.ErrorField(tc.err); got != tc.field {
			t.Errorf("%s: field %q, want %q (%v)", tc.name, got, tc.field, tc.err)
		}
	}
}
