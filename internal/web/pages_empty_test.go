package web

import "testing"

// TestPagesEmptyStates opens every page of a leader with nothing yet: each
// says what to do first instead of showing an empty list.
func TestPagesEmptyStates(t *testing.T) {
	e := newPagesEnv(t)
	lena := e.lena
	e.run(t, []pagesCase{
		{name: "promises", url: "/promises", as: lena, status: 200, contains: []string{
			"No promises yet. Make one below", "Add the people you lead first", "No promise has come due yet",
		}, excludes: []string{`action="/promises"`}},
		{name: "decisions", url: "/decisions", as: lena, status: 200, contains: []string{
			"No decisions logged yet", "Add the people you lead first",
		}, excludes: []string{`action="/decisions"`}},
		{name: "journal", url: "/journal", as: lena, status: 200, contains: []string{
			"Nothing from earlier weeks yet", `action="/journal"`,
		}},
		{name: "settings", url: "/settings", as: lena, status: 200, contains: []string{
			"Nobody yet.", `action="/settings/teams"`, "All are at their defaults.",
		}},
		{name: "simulator", url: "/simulator", as: lena, status: 200, contains: []string{
			`action="/simulator"`, "lena.yaml",
		}},
	})
}

// TestPagesOtherLeaderEveryRoute tries every route of these pages that
// names an id with another leader's ids: each is a 404 and changes
// nothing.
func TestPagesOtherLeaderEveryRoute(t *testing.T) {
	e := newPagesEnv(t)
	_, _, zed := e.pagesPeople()
	c, err := e.app.AddPromise(e.ctx, e.omar.leader, pagesPromiseInput("Zed"))
	e.must(err)
	for _, outcome := range []string{"kept", "kept-late", "broken", "renegotiated"} {
		e.run(t, []pagesCase{{name: "resolve " + outcome, method: "POST", url: "/promises/" + c.ID + "/resolve", as: e.lena,
			form: pagesForm("outcome", outcome, "due", "2026-12-20"), status: 404}})
	}
	for _, active := range []string{"true", "false"} {
		e.run(t, []pagesCase{{name: "active " + active, method: "POST", url: "/settings/people/" + zed.ID + "/active", as: e.lena,
			form: pagesForm("active", active), status: 404}})
	}
	e.run(t, []pagesCase{{name: "his own promise works", method: "POST", url: "/promises/" + c.ID + "/resolve", as: e.omar,
		form: pagesForm("outcome", "kept"), status: 303}})
}
