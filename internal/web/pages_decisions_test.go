package web

import (
	"testing"

	tl "github.com/trustledger/trustledger"
)

func TestPagesDecisions(t *testing.T) {
	e := newPagesEnv(t)
	ctx, lena, omar := e.ctx, e.lena, e.omar
	e.pagesPeople()
	_, err := e.app.Decide(ctx, lena.leader, tl.DecisionInput{What: "Moved the demo to Friday", Why: "The client can only join then", Affects: "team"})
	e.must(err)
	_, err = e.app.Decide(ctx, lena.leader, tl.DecisionInput{What: "Cancelled the offsite", Affects: "Ana"})
	e.must(err)
	_, err = e.app.Decide(ctx, omar.leader, tl.DecisionInput{What: "Omar reorganised his team", Affects: "Zed"})
	e.must(err)

	e.run(t, []pagesCase{
		{name: "no session goes to login", url: "/decisions", status: 303, location: "/login"},
		{name: "the log with its why and the flag", url: "/decisions", as: lena, status: 200, contains: []string{
			"<title>Decisions · trustledger</title>",
			"Moved the demo to Friday", "Why: The client can only join then", "affects the whole team",
			"Cancelled the offsite", "affects Ana", "No why shared — a transparency withdrawal",
			"1 of 2 decisions were never explained",
		}, excludes: []string{"Omar reorganised"}},
		{name: "another leader sees only theirs", url: "/decisions", as: omar, status: 200,
			contains: []string{"Omar reorganised his team"}, excludes: []string{"Moved the demo", "Cancelled the offsite"}},
		{name: "missing what keeps the why", method: "POST", url: "/decisions", as: lena,
			form:   pagesForm("what", " ", "why", "Because the data says so", "affects", "Ben"),
			status: 422, contains: []string{"Say what you decided", "Because the data says so</textarea>", `<option value="Ben" selected>`}},
		{name: "unknown person", method: "POST", url: "/decisions", as: lena,
			form:   pagesForm("what", "Hire a designer", "affects", "Zed"),
			status: 422, contains: []string{"unknown person", `value="Hire a designer"`}},
		{name: "no one affected", method: "POST", url: "/decisions", as: lena,
			form:   pagesForm("what", "Hire a designer"),
			status: 422, contains: []string{"Pick who the decision affects"}},
		{name: "in the future", method: "POST", url: "/decisions", as: lena,
			form:   pagesForm("what", "Hire a designer", "affects", "team", "when", "2027-01-01"),
			status: 422, contains: []string{"in the future", `value="2027-01-01"`}},
		{name: "bad date", method: "POST", url: "/decisions", as: lena,
			form:   pagesForm("what", "Hire a designer", "affects", "team", "when", "yesterday"),
			status: 422, contains: []string{"YYYY-MM-DD"}},
		{name: "with a why", method: "POST", url: "/decisions", as: lena,
			form:   pagesForm("what", "Hire a designer", "why", "Two projects wait for design", "affects", "team", "when", "2026-11-20"),
			status: 303, location: "/decisions",
			then: []string{"Decision logged for your team with its why", "Hire a designer", "Fri 20 Nov 2026", "1 of 3 decisions"}},
		{name: "without a why", method: "POST", url: "/decisions", as: lena,
			form:   pagesForm("what", "Stopped the mobile work", "affects", "Ben"),
			status: 303, location: "/decisions",
			then: []string{"Decision logged for Ben without a why", "transparency withdrawal", "2 of 4 decisions"}},
	})

	// The unexplained decision is in Ben's ledger as a withdrawal.
	evs, err := e.app.Events(ctx, lena.leader, tl.EventFilter{Who: "Ben"})
	e.must(err)
	if len(evs) == 0 || evs[0].Kind != "decision-unexplained" {
		t.Errorf("Ben's ledger = %+v, want a decision-unexplained entry first", evs)
	}
}
