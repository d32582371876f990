package web

import (
	"testing"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

func TestPagesSettings(t *testing.T) {
	e := newPagesEnv(t)
	lena, omar := e.lena, e.omar
	ana, _, zed := e.pagesPeople()

	e.run(t, []pagesCase{
		{name: "no session goes to login", url: "/settings", status: 303, location: "/login"},
		{name: "everything on one page", url: "/settings", as: lena, status: 200, contains: []string{
			"<title>Settings · trustledger</title>",
			`<a href="/people/` + ana.ID + `">Ana</a>`, "Ben", "direct report", "peer",
			"<strong>team</strong>", "2 active",
			"<th scope=\"row\">direct report</th><td data-label=\"legitimate\">4</td>", "legitimate", "referent",
			"<code>half_life_days</code>", "days after which evidence keeps half its weight", "Default 90",
			"All are at their defaults.", "Evidence and trust", "The weekly step",
		}, excludes: []string{"Zed", `<details class="card" open>`}},
		{name: "not a number keeps the input", method: "POST", url: "/settings/model/half_life_days", as: lena,
			form: pagesForm("value", "abc"), status: 422, contains: []string{"is not a number", `value="abc"`, `aria-invalid="true"`,
				`<details class="card" open>`}},
		{name: "out of range keeps the input", method: "POST", url: "/settings/model/base_rate", as: lena,
			form: pagesForm("value", "1.5"), status: 422, contains: []string{"between 0 and 1", `value="1.5"`}},
		{name: "whole numbers only", method: "POST", url: "/settings/model/anonymity_k", as: lena,
			form: pagesForm("value", "5.5"), status: 422, contains: []string{"whole number"}},
		{name: "unknown setting is a 404", method: "POST", url: "/settings/model/nope", as: lena,
			form: pagesForm("value", "1"), status: 404},
		{name: "set", method: "POST", url: "/settings/model/half_life_days", as: lena,
			form: pagesForm("value", "60"), status: 303, location: "/settings#s-half_life_days",
			then: []string{"Saved: the new value is 60 (it was 90)", `action="/settings/model/half_life_days?value=90"`,
				"yours: 60", "1 setting differs from the default", "Back to the default (90)"}},
		{name: "another leader keeps the default", url: "/settings", as: omar, status: 200,
			contains: []string{"All are at their defaults."}},
		{name: "undo sets the old value back", method: "POST", url: "/settings/model/half_life_days?value=90", as: lena,
			status: 303, then: []string{"Saved: the new value is 90 (it was 60)", "All are at their defaults."}},
		{name: "reset", method: "POST", url: "/settings/model/confidence", as: lena,
			form: pagesForm("value", "0.9"), status: 303, then: []string{"yours: 0.9"}},
		{name: "back to the default", method: "POST", url: "/settings/model/confidence/reset", as: lena,
			status: 303, then: []string{"Back to the default value, 0.8 (it was 0.9)", "All are at their defaults."}},

		{name: "team needs a name", method: "POST", url: "/settings/teams", as: lena,
			form: pagesForm("name", " "), status: 422, contains: []string{"a team needs a name"}},
		{name: "team name taken", method: "POST", url: "/settings/teams", as: lena,
			form: pagesForm("name", "team"), status: 409, contains: []string{"already exists", `value="team"`}},
		{name: "add a team", method: "POST", url: "/settings/teams", as: lena,
			form: pagesForm("name", "Platform"), status: 303, location: "/settings#teams",
			then: []string{"Team Platform added", "<strong>Platform</strong>"}},

		{name: "another leader's person is a 404", method: "POST", url: "/settings/people/" + zed.ID + "/active", as: lena,
			form: pagesForm("active", "false"), status: 404},
		{name: "bad active value", method: "POST", url: "/settings/people/" + ana.ID + "/active", as: lena,
			form: pagesForm("active", "maybe"), status: 400},
		{name: "deactivate", method: "POST", url: "/settings/people/" + ana.ID + "/active", as: lena,
			form: pagesForm("active", "false"), status: 303, location: "/settings#people",
			then: []string{"Ana is inactive", `action="/settings/people/` + ana.ID + `/active?active=true"`, "Reactivate", "1 active, 1 inactive"}},
		{name: "undo reactivates", method: "POST", url: "/settings/people/" + ana.ID + "/active?active=true", as: lena,
			status: 303, then: []string{"Ana is active again", "2 active"}},
	})

	rels, err := e.app.People(e.ctx, omar.leader)
	e.must(err)
	if len(rels) != 1 || !rels[0].Active {
		t.Errorf("Omar's people = %+v, want Zed still active", rels)
	}
	set, err := e.app.Settings(e.ctx, lena.leader)
	e.must(err)
	if set.HalfLifeDays != 90 || set.Gamma != 0.8 {
		t.Errorf("after undo and reset: half-life %g, confidence %g; want the defaults", set.HalfLifeDays, set.Gamma)
	}
	if _, err := e.app.AddPerson(e.ctx, lena.leader, tl.PersonInput{Name: "Cara", Kind: "peer", Team: "Platform"}); err != nil {
		t.Errorf("the team added on the page is not usable: %v", err)
	}
}

// TestPagesSettingGroups checks that grouping shows every documented
// setting exactly once, and that a setting no group names still shows.
func TestPagesSettingGroups(t *testing.T) {
	var rows []settingRow
	for _, si := range engine.SettingNames() {
		rows = append(rows, settingRow{Name: si.Name})
	}
	rows = append(rows, settingRow{Name: "brand_new", Changed: true})
	seen := map[string]int{}
	groups := groupSettings(rows)
	for _, g := range groups {
		for _, r := range g.Settings {
			seen[r.Name]++
		}
	}
	for _, r := range rows {
		if seen[r.Name] != 1 {
			t.Errorf("setting %s shown %d times, want once", r.Name, seen[r.Name])
		}
	}
	last := groups[len(groups)-1]
	if last.Title != "Other" || len(last.Settings) != 1 || !last.Open {
		t.Errorf("last group = %+v, want Other holding brand_new, open because it changed", last)
	}
	for _, g := range groups[:len(groups)-1] {
		if len(g.Settings) == 0 {
			t.Errorf("group %s is empty: a setting was renamed?", g.Title)
		}
	}
}
