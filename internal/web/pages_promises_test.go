package web

import (
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// pagesPeople gives Lena Ana and Ben and Omar Zed.
func (e *pagesEnv) pagesPeople() (ana, ben, zed *tl.Relationship) {
	e.t.Helper()
	var err error
	ana, err = e.app.AddPerson(e.ctx, e.lena.leader, tl.PersonInput{Name: "Ana", Kind: engine.DirectReport})
	e.must(err)
	ben, err = e.app.AddPerson(e.ctx, e.lena.leader, tl.PersonInput{Name: "Ben", Kind: engine.Peer})
	e.must(err)
	zed, err = e.app.AddPerson(e.ctx, e.omar.leader, tl.PersonInput{Name: "Zed", Kind: engine.DirectReport})
	e.must(err)
	return ana, ben, zed
}

func TestPagesPromises(t *testing.T) {
	e := newPagesEnv(t)
	ctx, lena, omar := e.ctx, e.lena, e.omar
	e.pagesPeople()
	today := dayIn(pagesNow, time.UTC)
	soon, err := e.app.AddPromise(ctx, lena.leader, tl.PromiseInput{To: "Ana", What: "Review the prototype plan", Due: today.AddDate(0, 0, 3)})
	e.must(err)
	late, err := e.app.AddPromise(ctx, lena.leader, tl.PromiseInput{To: "Ben", What: "Send the budget numbers", Due: today.Add(-time.Millisecond)})
	e.must(err)
	_, err = e.app.AddPromise(ctx, lena.leader, tl.PromiseInput{To: "team", What: "Share the roadmap", Due: today.AddDate(0, 0, 20)})
	e.must(err)
	kept, err := e.app.AddPromise(ctx, lena.leader, tl.PromiseInput{To: "Ana", What: "Book the offsite room", Due: today.AddDate(0, 0, 1)})
	e.must(err)
	_, err = e.app.ResolvePromise(ctx, lena.leader, kept.ID, tl.PromiseKept, time.Time{})
	e.must(err)
	theirs, err := e.app.AddPromise(ctx, omar.leader, tl.PromiseInput{To: "Zed", What: "Omar's secret promise", Due: today.AddDate(0, 0, 2)})
	e.must(err)

	resolve := "/promises/" + soon.ID + "/resolve"
	e.run(t, []pagesCase{
		{name: "no session goes to login", url: "/promises", status: 303, location: "/login"},
		{name: "lists by state", url: "/promises", as: lena, status: 200, contains: []string{
			"<title>Promises · trustledger</title>", `aria-current="page"`,
			"Overdue", "Send the budget numbers", "1 day ago",
			"Due in the next 7 days", "Review the prototype plan",
			"Open, due later", "Share the roadmap",
			"Book the offsite room", "kept</span> on",
			// one kept of two come due (kept + overdue)
			"50%", "you kept 1 of the 2 promises that have come due",
			"The say/do ratio is the share of your promises",
			`<option value="Ana">Ana</option>`, "The whole team (2 people)",
		}, excludes: []string{"secret", "Zed"}},
		{name: "another leader sees only theirs", url: "/promises", as: omar, status: 200,
			contains: []string{"Omar&#39;s secret promise", "No promise has come due yet"},
			excludes: []string{"Review the prototype plan", "Ana"}},
		{name: "missing what keeps the rest", method: "POST", url: "/promises", as: lena,
			form:   pagesForm("to", "Ana", "what", "", "due", "2026-12-01"),
			status: 422, contains: []string{"Say what you promised", `value="2026-12-01"`, `<option value="Ana" selected>`, `aria-invalid="true"`}},
		{name: "past due date", method: "POST", url: "/promises", as: lena,
			form:   pagesForm("to", "Ben", "what", "Fix the build", "due", "2020-01-01"),
			status: 422, contains: []string{"in the past", `value="Fix the build"`, `<option value="Ben" selected>`}},
		{name: "bad date", method: "POST", url: "/promises", as: lena,
			form:   pagesForm("to", "Ben", "what", "Fix the build", "due", "next week"),
			status: 422, contains: []string{"YYYY-MM-DD", `value="Fix the build"`}},
		{name: "unknown person is a form error", method: "POST", url: "/promises", as: lena,
			form:   pagesForm("to", "Nobody", "what", "Fix the build", "due", "2026-12-01"),
			status: 422, contains: []string{"unknown person", `value="Fix the build"`}},
		{name: "another leader's person is unknown", method: "POST", url: "/promises", as: lena,
			form:   pagesForm("to", "Zed", "what", "Fix the build", "due", "2026-12-01"),
			status: 422, contains: []string{"unknown person"}},
		{name: "no recipient", method: "POST", url: "/promises", as: lena,
			form:   pagesForm("what", "Fix the build", "due", "2026-12-01"),
			status: 422, contains: []string{"Pick who the promise is to"}},
		{name: "make a promise", method: "POST", url: "/promises", as: lena,
			form:   pagesForm("to", "Ana", "what", "Fix the build", "due", "2026-12-01"),
			status: 303, location: "/promises",
			then: []string{"Promise made to Ana, due Tue 1 Dec 2026", "Fix the build", `role="status"`}},
		{name: "another leader's promise is a 404", method: "POST", url: "/promises/" + theirs.ID + "/resolve", as: lena,
			form: pagesForm("outcome", "kept"), status: 404},
		{name: "an unknown promise is a 404", method: "POST", url: "/promises/nope/resolve", as: lena,
			form: pagesForm("outcome", "kept"), status: 404},
		{name: "renegotiate needs a date", method: "POST", url: resolve, as: lena,
			form:   pagesForm("outcome", "renegotiated", "due", ""),
			status: 422, contains: []string{"pick the new due date", "<details open>"}},
		{name: "renegotiate with a bad date keeps it", method: "POST", url: resolve, as: lena,
			form:   pagesForm("outcome", "renegotiated", "due", "2020-01-01"),
			status: 422, contains: []string{"in the past", `value="2020-01-01"`}},
		{name: "unknown outcome", method: "POST", url: resolve, as: lena,
			form: pagesForm("outcome", "maybe"), status: 422, contains: []string{"unknown outcome"}},
		{name: "renegotiate", method: "POST", url: resolve, as: lena,
			form:   pagesForm("outcome", "renegotiated", "due", "2026-12-10"),
			status: 303, location: "/promises",
			then: []string{"Promise to Ana renegotiated", "now due Thu 10 Dec 2026"}},
		{name: "overdue cannot be renegotiated", method: "POST", url: "/promises/" + late.ID + "/resolve", as: lena,
			form:   pagesForm("outcome", "renegotiated", "due", "2026-12-10"),
			status: 422, contains: []string{"renegotiated before it is due"}},
		{name: "kept after the date is kept late", method: "POST", url: "/promises/" + late.ID + "/resolve", as: lena,
			form:   pagesForm("outcome", "kept"),
			status: 303, location: "/promises",
			then: []string{"Logged: promise kept late for Ben", "kept late</span>"}},
		{name: "resolving twice is a conflict", method: "POST", url: "/promises/" + late.ID + "/resolve", as: lena,
			form: pagesForm("outcome", "broken"), status: 409, contains: []string{"already kept-late"}},
		{name: "the confirmation shows once", url: "/promises", as: lena, status: 200,
			excludes: []string{"Logged: promise kept late"}, contains: []string{"you kept 2 of the 2 promises"}},
	})

	// Omar's promise is untouched by Lena's attempt.
	open, err := e.app.Promises(ctx, omar.leader, tl.PromiseOpen)
	e.must(err)
	if len(open) != 1 || open[0].ID != theirs.ID {
		t.Errorf("Omar's open promises = %+v, want his one promise still open", open)
	}
}

func TestPagesPromiseBroken(t *testing.T) {
	e := newPagesEnv(t)
	e.pagesPeople()
	c, err := e.app.AddPromise(e.ctx, e.lena.leader, tl.PromiseInput{To: "Ana", What: "Write the review", Due: dayIn(pagesNow, time.UTC).AddDate(0, 0, 2)})
	e.must(err)
	e.run(t, []pagesCase{
		{name: "broken", method: "POST", url: "/promises/" + c.ID + "/resolve", as: e.lena,
			form: pagesForm("outcome", "broken"), status: 303, location: "/promises",
			then: []string{"Logged: promise to Ana broken", "an apology soon after", "0%", "you kept 0 of the 1 promises"}},
	})
	evs, err := e.app.Events(e.ctx, e.lena.leader, tl.EventFilter{Who: "Ana"})
	e.must(err)
	if len(evs) != 1 || evs[0].Kind != "promise-broken" || evs[0].PromiseID != c.ID {
		t.Errorf("Ana's ledger = %+v, want one promise-broken for the promise", evs)
	}
}

// pagesPromiseInput is a promise to who due in a week.
func pagesPromiseInput(who string) tl.PromiseInput {
	return tl.PromiseInput{To: who, What: "A promise to " + who, Due: dayIn(pagesNow, time.UTC).AddDate(0, 0, 7)}
}

func TestPagesShort(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"  keep it  ", "keep it"},
		{strings.Repeat("é", 80), strings.Repeat("é", 80)},
		{strings.Repeat("é", 81), strings.Repeat("é", 79) + "…"},
	} {
		if got := short(tc.in); got != tc.want {
			t.Errorf("short(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
