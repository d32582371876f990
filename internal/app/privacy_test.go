package app_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// TestPersonExportAndErasure: a person's export holds their data and
// words; after erasure nothing of the leader's holds their name, address
// or words, while the ledger keeps its shape and every score.
func TestPersonExportAndErasure(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		ana := must(e.app.AddPerson(e.ctx, l.ID, tl.PersonInput{Name: "Anastasia", Email: "anastasia@example.org", Kind: engine.DirectReport}))(t)
		e.person(l.ID, "Ben", engine.DirectReport)
		e.log(l.ID, tl.EventInput{Who: "Anastasia", Kind: "person-valued", Note: "Anastasia told me about her caring duties"})
		e.log(l.ID, tl.EventInput{Who: "team", Kind: "recognition", Note: "thanked Anastasia and Ben"})
		c := must(e.app.AddPromise(e.ctx, l.ID, tl.PromiseInput{To: "Anastasia", What: "give Anastasia the budget", Due: e.clk.Now().Add(day)}))(t)
		must(e.app.ResolvePromise(e.ctx, l.ID, c.ID, tl.PromiseKept, time.Time{}))(t)
		noErr(t, e.app.ConfirmPromise(e.ctx, ana.ID, c.ID, true))
		_, tok, err := e.app.AskCheckin(e.ctx, l.ID, "Anastasia", tl.DeliveryLink)
		noErr(t, err)
		pass := must(e.app.OpenCheckinLink(e.ctx, tok))(t)
		noErr(t, e.app.AnswerCheckin(e.ctx, pass, map[string]int{"ca": 3, "cb": 4, "ci": 2}, "my private worry"))
		must(e.app.AddJournal(e.ctx, l.ID, 2, "I lost Anastasia's trust in March"))(t)

		data := must(e.app.PersonData(e.ctx, l.ID, "Anastasia"))(t)
		raw, _ := json.Marshal(data)
		for _, want := range []string{"anastasia@example.org", "caring duties", "my private worry", "give Anastasia the budget", `"confirmed"`} {
			if !strings.Contains(string(raw), want) {
				t.Errorf("the person's export lacks %q", want)
			}
		}
		if len(data.Checkins) != 1 || len(data.Events) < 3 {
			t.Fatalf("export: %d check-ins, %d entries", len(data.Checkins), len(data.Events))
		}
		before := must(e.app.Status(e.ctx, l.ID))(t)
		nEvents := len(must(e.app.Events(e.ctx, l.ID, tl.EventFilter{Limit: 1000}))(t))

		r := must(e.app.ErasePerson(e.ctx, l.ID, "Anastasia"))(t)
		if r.Person != "Erased person 1" || r.Email != "" || r.Active {
			t.Fatalf("after erasure: %+v", r)
		}
		b := must(e.app.Export(e.ctx, l.ID))(t)
		dump, _ := json.Marshal(b)
		cks, _ := json.Marshal(must(e.app.Checkins(e.ctx, l.ID))(t))
		for _, gone := range []string{"Anastasia", "anastasia@example.org", "caring duties", "my private worry"} {
			if strings.Contains(string(dump), gone) || strings.Contains(string(cks), gone) {
				t.Errorf("%q is still stored after erasure", gone)
			}
		}
		if !strings.Contains(string(dump), "thanked Erased person 1 and Ben") {
			t.Error("the team entry's note lost more than the name")
		}
		if n := len(must(e.app.Events(e.ctx, l.ID, tl.EventFilter{Limit: 1000}))(t)); n != nEvents {
			t.Fatalf("the ledger has %d entries after erasure, %d before", n, nEvents)
		}
		after := map[string]float64{}
		for _, rs := range must(e.app.Status(e.ctx, l.ID))(t).Relationships {
			after[rs.Relationship.ID] = rs.Assessment.Trust.E
		}
		for _, rs := range before.Relationships {
			if !closeTo(rs.Assessment.Trust.E, after[rs.Relationship.ID]) {
				t.Errorf("%s: trust %.4f before the erasure, %.4f after", rs.Relationship.Person, rs.Assessment.Trust.E, after[rs.Relationship.ID])
			}
		}
		e.checkReplay(l.ID)
		_, err = e.app.ErasePerson(e.ctx, l.ID, "Anastasia")
		wantCode(t, err, tl.ENOTFOUND)
	})
}
