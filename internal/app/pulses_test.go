package app_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// answer opens a link and submits answers through it.
func (e *env) answer(token string, a tl.PulseAnswers) error {
	pass, err := e.app.OpenPulseLink(e.ctx, token)
	if err != nil {
		return err
	}
	return e.app.SubmitPulse(e.ctx, pass, a)
}

// uniform answers every item with v (the outcome item with commit).
func uniform(v int) tl.PulseAnswers {
	m := map[string]int{}
	for _, it := range tl.PulseItems {
		m[it.ID] = v
		if it.Scale == tl.ScaleOutcome {
			m[it.ID] = tl.OutcomeCommit
		}
	}
	return tl.PulseAnswers{Answers: m}
}

func TestPulseLaunchRules(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		people := e.team(l.ID, 4)
		_, err := e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Delivery: tl.DeliveryLink})
		wantCode(t, err, tl.EINVALID, "has 4 people", "at least k=5", "traced")
		_, err = e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Delivery: tl.DeliveryLink, K: 2})
		wantCode(t, err, tl.EINVALID, "at least 3")
		// k=3 lets a team of four launch (the floor is 3).
		p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Delivery: tl.DeliveryLink, K: 3}))(t)
		if p.Pulse.K != 3 || p.Pulse.Population != 4 || p.SharedLink == "" || len(p.SharedLink) < 26 {
			t.Fatalf("launch: %+v", p)
		}
		_, err = e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Delivery: tl.DeliveryLink, K: 3})
		wantCode(t, err, tl.ECONFLICT, "already has an open pulse")
		must(e.app.ClosePulse(e.ctx, l.ID, p.Pulse.ID))(t)
		_, err = e.app.ClosePulse(e.ctx, l.ID, p.Pulse.ID)
		wantCode(t, err, tl.ECONFLICT, "already closed")

		// Email delivery needs every address.
		must(e.app.SetEmail(e.ctx, l.ID, people[1].Person, ""))(t)
		_, err = e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{K: 3})
		wantCode(t, err, tl.EINVALID, "no email address for "+people[1].Person)
		_, err = e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{K: 3, Members: []string{"Nobody"}})
		wantCode(t, err, tl.EINVALID, `"Nobody" is not an active member`)
		_, err = e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{K: 3, Question: "a\x00b", Delivery: tl.DeliveryLink})
		wantCode(t, err, tl.EINVALID, "control character")
		_, err = e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{K: 3, Delivery: tl.DeliveryLink, Closes: e.clk.Now().Add(-time.Hour)})
		wantCode(t, err, tl.EINVALID, "has passed")

		// Another leader cannot see or close it.
		o := e.leader("Omar")
		_, err = e.app.PulseReport(e.ctx, o.ID, p.Pulse.ID)
		wantCode(t, err, tl.ENOTFOUND)
	})
}

// TestPulseReleaseAtClose: while open the leader sees only a count band;
// results come at close, only with at least k answers, and enter the
// model as a snapshot for every member.
func TestPulseReleaseAtClose(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		people := e.team(l.ID, 6)
		p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Delivery: tl.DeliveryLink, Question: "What should I start doing?"}))(t)
		before := must(e.app.Status(e.ctx, l.ID))(t)
		for i := range 6 {
			a := uniform(2 + i%3)
			a.Comment = fmt.Sprintf("comment %d", i)
			noErr(t, e.answer(p.SharedLink, a))
			rep := must(e.app.PulseReport(e.ctx, l.ID, p.Pulse.ID))(t)
			want := tl.CountBelowK
			if i+1 >= 5 {
				want = tl.CountK
			}
			if rep.Count != want || rep.Released || rep.N != 0 || rep.Scales != nil || rep.Comments != nil {
				t.Fatalf("after %d answers the open pulse shows %+v", i+1, rep)
			}
		}
		// A seventh answer through the shared link is refused: six were asked.
		wantCode(t, e.answer(p.SharedLink, uniform(3)), tl.ECONFLICT, "everyone")
		noErr(t, e.app.AnswerSelf(e.ctx, l.ID, p.Pulse.ID, map[string]int{"a1": 5, "a2": 5, "b1": 5, "b2": 5, "i1": 5, "i2": 5}))
		rep := must(e.app.ClosePulse(e.ctx, l.ID, p.Pulse.ID))(t)
		if !rep.Released || rep.N != 6 || len(rep.Scales) != 4 {
			t.Fatalf("closed: %+v", rep)
		}
		if rep.Comments != nil {
			t.Fatalf("comments shown at 6 answers (comments need 10): %v", rep.Comments)
		}
		for _, s := range rep.Scales[:3] {
			if !closeTo(s.Mean, 3) || !closeTo(s.P, 0.5) {
				t.Errorf("%s: mean %.3f p %.3f, want 3 and .5", s.Scale, s.Mean, s.P)
			}
		}
		if rep.Outcome == nil || rep.Outcome.Commit != 100 {
			t.Errorf("outcome %+v", rep.Outcome)
		}
		if len(rep.Gaps) != 3 || !rep.Gaps[0].Flagged || !closeTo(rep.Gaps[0].Gap, 2) {
			t.Errorf("gaps %+v", rep.Gaps)
		}
		// The wave is evidence for every member: status changed, and the
		// running state equals a replay of the ledger.
		after := must(e.app.Status(e.ctx, l.ID))(t)
		for i := range people {
			if closeTo(before.Relationships[i].Assessment.Trust.N, after.Relationships[i].Assessment.Trust.N) {
				t.Errorf("%s: no new evidence after the pulse", people[i].Person)
			}
		}
		e.checkReplay(l.ID)
		views := must(e.app.TeamViews(e.ctx, l.ID))(t)
		if len(views) != 1 || views[0].PulseID != p.Pulse.ID || !views[0].Dims[0].HasTeam || !views[0].Dims[0].HasSelf || views[0].Biggest == nil {
			t.Fatalf("team views %+v", views)
		}
		// The ledger's view is the members' mean expected trust, as Status
		// computes it.
		for d := range engine.NumDims {
			var sum float64
			for _, rs := range after.Relationships {
				sum += rs.Assessment.Dims[d].E
			}
			if got := views[0].Dims[d].Ledger; !closeTo(got, sum/float64(len(after.Relationships))) {
				t.Errorf("%s: ledger view %.6f, Status mean %.6f", engine.Dim(d), got, sum/float64(len(after.Relationships)))
			}
			if !closeTo(views[0].Dims[d].Team, 0.5) || !closeTo(views[0].Dims[d].Self, 1) {
				t.Errorf("%s: team %.3f self %.3f, want .5 and 1", engine.Dim(d), views[0].Dims[d].Team, views[0].Dims[d].Self)
			}
		}
	})
}

func TestPulseBelowKWithheld(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		e.team(l.ID, 6)
		p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Delivery: tl.DeliveryLink}))(t)
		for range 4 {
			noErr(t, e.answer(p.SharedLink, uniform(4)))
		}
		rep := must(e.app.ClosePulse(e.ctx, l.ID, p.Pulse.ID))(t)
		if rep.Released || rep.N != 0 || rep.Scales != nil || !strings.Contains(rep.Withheld, "fewer than 5") {
			t.Fatalf("4 answers released: %+v", rep)
		}
		if evs := must(e.app.Events(e.ctx, l.ID, tl.EventFilter{}))(t); len(evs) != 0 {
			t.Fatalf("a withheld pulse entered the ledger: %+v", evs)
		}
		// After closing, the link takes no answers.
		wantCode(t, e.answer(p.SharedLink, uniform(4)), tl.ENOTFOUND, "closed")
	})
}

func TestPulseCommentsAtTen(t *testing.T) {
	e := newEnv(t, backends(t)[0])
	l := e.leader("Lena")
	e.team(l.ID, 12)
	p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Delivery: tl.DeliveryLink, Question: "Anything else?"}))(t)
	var want []string
	for i := range 10 {
		a := uniform(4)
		a.Comment = fmt.Sprintf("comment %02d", i)
		want = append(want, a.Comment)
		noErr(t, e.answer(p.SharedLink, a))
	}
	rep := must(e.app.ClosePulse(e.ctx, l.ID, p.Pulse.ID))(t)
	got := slices.Clone(rep.Comments)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("comments %v, want %v", rep.Comments, want)
	}
	// The order is random at every read: over a few reads it changes and
	// is not always the order of submission.
	orders := map[string]bool{}
	for range 8 {
		r := must(e.app.PulseReport(e.ctx, l.ID, p.Pulse.ID))(t)
		orders[strings.Join(r.Comments, "|")] = true
	}
	if len(orders) < 2 {
		t.Fatalf("comments came in one order over 8 reads: %v", orders)
	}
	// No comment without a question.
	e.clk.Advance(time.Hour)
	q := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Delivery: tl.DeliveryLink}))(t)
	a := uniform(3)
	a.Comment = "hello"
	wantCode(t, e.answer(q.SharedLink, a), tl.EINVALID, "no free-text question")
}

// TestPulseKFixedAtLaunch: k is the pulse's own; the setting cannot move
// while a pulse is open.
func TestPulseKFixedAtLaunch(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		e.team(l.ID, 6)
		p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Delivery: tl.DeliveryLink}))(t)
		wantCode(t, e.app.SetSetting(e.ctx, l.ID, "anonymity_k", 3), tl.ECONFLICT, "fixed")
		wantCode(t, e.app.SetSetting(e.ctx, l.ID, "comments_k", 5), tl.ECONFLICT, "fixed")
		for range 4 {
			noErr(t, e.answer(p.SharedLink, uniform(4)))
		}
		rep := must(e.app.ClosePulse(e.ctx, l.ID, p.Pulse.ID))(t)
		if rep.Released || rep.Pulse.K != 5 {
			t.Fatalf("k moved: %+v", rep)
		}
		// Once closed, the setting may change; it applies to the next pulse.
		noErr(t, e.app.SetSetting(e.ctx, l.ID, "anonymity_k", 6))
		if must(e.app.PulseReport(e.ctx, l.ID, p.Pulse.ID))(t).Pulse.K != 5 {
			t.Fatal("a closed pulse's k changed with the setting")
		}
		q := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Delivery: tl.DeliveryLink}))(t)
		if q.Pulse.K != 6 {
			t.Fatalf("new pulse k %d, want 6", q.Pulse.K)
		}
	})
}

// TestPulseMemberLinks: personal links are single use, replaced by a
// reminder, and answering says nothing about who answered what.
func TestPulseMemberLinks(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		people := e.team(l.ID, 5)
		p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{}))(t)
		if p.Queued != 5 || p.SharedLink != "" {
			t.Fatalf("launch: %+v", p)
		}
		tok := must(e.app.PulseLinkForTest(e.ctx, p.Pulse.ID, people[0].ID))(t)
		// Opening twice (a mail scanner, then the person) does not use it up.
		pass1 := must(e.app.OpenPulseLink(e.ctx, tok))(t)
		pass2 := must(e.app.OpenPulseLink(e.ctx, tok))(t)
		form := must(e.app.PulseForm(e.ctx, pass2))(t)
		if form.Leader != "Lena" || form.K != 5 || form.Answered || len(form.Items) != len(tl.PulseItems) {
			t.Fatalf("form %+v", form)
		}
		noErr(t, e.app.SubmitPulse(e.ctx, pass2, uniform(4)))
		wantCode(t, e.app.SubmitPulse(e.ctx, pass1, uniform(1)), tl.ECONFLICT, "already answered")
		_, err := e.app.OpenPulseLink(e.ctx, tok)
		wantCode(t, err, tl.ECONFLICT, "already answered")
		_, err = e.app.OpenPulseLink(e.ctx, "not-a-token")
		wantCode(t, err, tl.ENOTFOUND, "not valid")

		// A reminder's new link replaces the old one; a pass opened with
		// the old link still works.
		old := must(e.app.PulseLinkForTest(e.ctx, p.Pulse.ID, people[1].ID))(t)
		midway := must(e.app.OpenPulseLink(e.ctx, old))(t)
		noErr(t, e.app.RemindPulse(e.ctx, l.ID, p.Pulse.ID))
		fresh := must(e.app.PulseLinkForTest(e.ctx, p.Pulse.ID, people[1].ID))(t)
		_, err = e.app.OpenPulseLink(e.ctx, old)
		wantCode(t, err, tl.ENOTFOUND, "replaced")
		noErr(t, e.app.SubmitPulse(e.ctx, midway, uniform(3)))
		_, err = e.app.OpenPulseLink(e.ctx, fresh)
		wantCode(t, err, tl.ECONFLICT, "already answered")
		// Nothing to issue for someone who answered.
		if tok := must(e.app.PulseLinkForTest(e.ctx, p.Pulse.ID, people[0].ID))(t); tok != "" {
			t.Fatalf("a link was issued to someone who answered")
		}
		// Reminders went only to the three who have not answered.
		var reminders int
		noErr(t, e.db.Read(e.ctx, func(tx *store.Tx) error {
			var err error
			reminders, err = tx.CountRows(e.ctx, "SELECT COUNT(*) FROM outbox WHERE kind = 'pulse-reminder'")
			return err
		}))
		if reminders != 4 { // people[1] had not answered when the reminder went out
			t.Fatalf("%d reminders, want 4", reminders)
		}
	})
}

// TestPulseSameTokenConcurrent: 20 submissions racing with one token store
// exactly one response.
func TestPulseSameTokenConcurrent(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		people := e.team(l.ID, 5)
		p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{}))(t)
		tok := must(e.app.PulseLinkForTest(e.ctx, p.Pulse.ID, people[0].ID))(t)
		passes := make([]string, 20)
		for i := range passes {
			passes[i] = must(e.app.OpenPulseLink(e.ctx, tok))(t)
		}
		var ok, conflict atomic.Int32
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Go(func() {
				// Half reuse one pass, half hold passes of their own.
				pass := passes[i]
				if i%2 == 0 {
					pass = passes[0]
				}
				err := e.app.SubmitPulse(e.ctx, pass, uniform(4))
				switch tl.ErrorCode(err) {
				case "":
					ok.Add(1)
				case tl.ECONFLICT, tl.ENOTFOUND:
					conflict.Add(1)
				default:
					t.Errorf("submit: %v", err)
				}
			})
		}
		wg.Wait()
		if ok.Load() != 1 || conflict.Load() != 19 {
			t.Fatalf("%d stored, %d refused; want 1 and 19", ok.Load(), conflict.Load())
		}
		if n := responses(t, e, p.Pulse.ID); n != 1 {
			t.Fatalf("%d responses stored, want 1", n)
		}
	})
}

func responses(t *testing.T, e *env, pulseID string) int {
	var n int
	noErr(t, e.db.Read(e.ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.CountPulseResponses(e.ctx, pulseID)
		return err
	}))
	return n
}

// TestPulse200Respondents: 200 people answering one pulse at once are all
// stored, exactly once, with no error (PRODUCT.md's number).
func TestPulse200Respondents(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		people := e.team(l.ID, 200)
		p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{}))(t)
		toks := make([]string, len(people))
		for i, r := range people {
			toks[i] = must(e.app.PulseLinkForTest(e.ctx, p.Pulse.ID, r.ID))(t)
		}
		var wg sync.WaitGroup
		var failed atomic.Int32
		for i := range toks {
			wg.Go(func() {
				if err := e.answer(toks[i], uniform(1+i%5)); err != nil {
					failed.Add(1)
					t.Errorf("respondent %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		if failed.Load() != 0 {
			t.Fatalf("%d of 200 failed", failed.Load())
		}
		if n := responses(t, e, p.Pulse.ID); n != 200 {
			t.Fatalf("%d responses stored, want 200", n)
		}
		rep := must(e.app.ClosePulse(e.ctx, l.ID, p.Pulse.ID))(t)
		if !rep.Released || rep.N != 200 || !closeTo(rep.Scales[0].Mean, 3) {
			t.Fatalf("report: released %v n %d mean %.3f", rep.Released, rep.N, rep.Scales[0].Mean)
		}
	})
}

// TestPulseStorageHoldsNoLink reads the schema and rows themselves: a
// response has no time, token or person, the used-link record has nothing
// that points at a response, and the stored order is not the order of
// submission.
func TestPulseStorageHoldsNoLink(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		var respCols, tokCols []string
		noErr(t, e.db.Read(e.ctx, func(tx *store.Tx) error {
			var err error
			if respCols, err = tx.Columns(e.ctx, "pulse_responses"); err != nil {
				return err
			}
			tokCols, err = tx.Columns(e.ctx, "pulse_tokens")
			return err
		}))
		if want := []string{"answers", "comment", "id", "pulse_id"}; !slices.Equal(respCols, want) {
			t.Fatalf("pulse_responses has columns %v, want exactly %v", respCols, want)
		}
		if want := []string{"pulse_id", "relationship_id", "token_hash", "used"}; !slices.Equal(tokCols, want) {
			t.Fatalf("pulse_tokens has columns %v, want exactly %v", tokCols, want)
		}

		l := e.leader("Lena")
		e.team(l.ID, 30)
		p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Delivery: tl.DeliveryLink, Question: "Q?"}))(t)
		var order []string
		for i := range 30 {
			a := uniform(3)
			a.Comment = fmt.Sprintf("%02d", i)
			order = append(order, a.Comment)
			noErr(t, e.answer(p.SharedLink, a))
			e.clk.Advance(time.Minute)
		}
		var stored []string
		noErr(t, e.db.Read(e.ctx, func(tx *store.Tx) error {
			rs, err := tx.PulseResponses(e.ctx, p.Pulse.ID)
			for _, r := range rs {
				stored = append(stored, r.Comment)
			}
			return err
		}))
		if slices.Equal(stored, order) {
			t.Fatal("responses are stored in the order they were submitted")
		}
		// 30 random keys in submission order by chance: 1/30!, never.
	})
}

// TestPulseDifferencing: a second wave over a group that differs from the
// first by fewer than k people is withheld, and says why.
func TestPulseDifferencing(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		people := e.team(l.ID, 7)
		names := func(rs []*tl.Relationship) []string {
			var out []string
			for _, r := range rs {
				out = append(out, r.Person)
			}
			return out
		}
		w1 := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Delivery: tl.DeliveryLink, Members: names(people[:6])}))(t)
		for range 6 {
			noErr(t, e.answer(w1.SharedLink, uniform(4)))
		}
		if !must(e.app.ClosePulse(e.ctx, l.ID, w1.Pulse.ID))(t).Released {
			t.Fatal("wave 1 withheld")
		}
		// Wave 2 adds one person: wave 2 − wave 1 would be that person.
		e.clk.Advance(day)
		w2 := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Delivery: tl.DeliveryLink}))(t)
		for range 7 {
			noErr(t, e.answer(w2.SharedLink, uniform(2)))
		}
		rep := must(e.app.ClosePulse(e.ctx, l.ID, w2.Pulse.ID))(t)
		if rep.Released || !strings.Contains(rep.Withheld, "wave 1") || rep.Scales != nil {
			t.Fatalf("wave 2 differs by one person and was shown: %+v", rep)
		}
		// The same six again is a new measurement, not a difference.
		e.clk.Advance(day)
		w3 := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Delivery: tl.DeliveryLink, Members: names(people[:6])}))(t)
		for range 6 {
			noErr(t, e.answer(w3.SharedLink, uniform(3)))
		}
		if rep := must(e.app.ClosePulse(e.ctx, l.ID, w3.Pulse.ID))(t); !rep.Released {
			t.Fatalf("wave 3, the same people as wave 1, withheld: %s", rep.Withheld)
		}
	})
}

// TestPulseClosesByItself: Tick closes a pulse at its closing time.
func TestPulseClosesByItself(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		e.team(l.ID, 5)
		p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Delivery: tl.DeliveryLink}))(t)
		for range 5 {
			noErr(t, e.answer(p.SharedLink, uniform(5)))
		}
		e.clk.Advance(7*day + time.Minute)
		must(e.app.Tick(e.ctx))(t)
		rep := must(e.app.PulseReport(e.ctx, l.ID, p.Pulse.ID))(t)
		if rep.Pulse.Status != tl.PulseClosed || !rep.Released || rep.N != 5 {
			t.Fatalf("after its closing time: %+v", rep)
		}
		e.checkReplay(l.ID)
	})
}

// TestPulseAnswerValidation: bad answers are refused with what to fix.
func TestPulseAnswerValidation(t *testing.T) {
	e := newEnv(t, backends(t)[0])
	l := e.leader("Lena")
	e.team(l.ID, 5)
	p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Delivery: tl.DeliveryLink}))(t)
	pass := must(e.app.OpenPulseLink(e.ctx, p.SharedLink))(t)
	for _, c := range []struct {
		a    map[string]int
		want string
	}{
		{map[string]int{}, "at least one"},
		{map[string]int{"zz": 3}, "not one of the questions"},
		{map[string]int{"a1": 6}, "must be 1–5"},
		{map[string]int{"o1": 4}, "must be 1–3"},
	} {
		wantCode(t, e.app.SubmitPulse(e.ctx, pass, tl.PulseAnswers{Answers: c.a}), tl.EINVALID, c.want)
	}
	// The pass survived the refusals.
	noErr(t, e.app.SubmitPulse(e.ctx, pass, tl.PulseAnswers{Answers: map[string]int{"s1": 2}}))
	wantCode(t, e.app.AnswerSelf(e.ctx, l.ID, p.Pulse.ID, map[string]int{"s1": 2}), tl.EINVALID, "not one of the questions")
}

// BenchmarkSubmitPulse measures answers stored per second when 200 people
// answer one pulse at once through their own links (open the link, then
// submit), on each database:
//
//	go test -run '^$' -bench BenchmarkSubmitPulse -benchtime 3x ./internal/app/
//
// One iteration is a whole wave of 200; it reports answers/s and the
// wave's wall time.
func BenchmarkSubmitPulse(b *testing.B) {
	for _, be := range backends(b) {
		b.Run(be.name, func(b *testing.B) {
			e := newEnv(b, be)
			l := e.leader("Lena")
			people := e.team(l.ID, 200)
			var total time.Duration
			for b.Loop() {
				b.StopTimer()
				p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{}))(b)
				toks := make([]string, len(people))
				for i, r := range people {
					toks[i] = must(e.app.PulseLinkForTest(e.ctx, p.Pulse.ID, r.ID))(b)
				}
				b.StartTimer()
				t0 := time.Now()
				var wg sync.WaitGroup
				for i := range toks {
					wg.Go(func() {
						if err := e.answer(toks[i], uniform(1+i%5)); err != nil {
							b.Error(err)
						}
					})
				}
				wg.Wait()
				total += time.Since(t0)
				b.StopTimer()
				must(e.app.ClosePulse(e.ctx, l.ID, p.Pulse.ID))(b)
				e.clk.Advance(time.Hour)
				b.StartTimer()
			}
			b.ReportMetric(float64(200*b.N)/total.Seconds(), "answers/s")
			b.ReportMetric(total.Seconds()/float64(b.N)*1000, "ms/wave")
		})
	}
}

// TestPulseSharedLinkPartialWave: two shared-link waves of one team of 10,
// with 10 and then 9 answers, would give away whoever skipped the second
// (the difference of the sums is their answer): the second is withheld.
// With 5 answers the counts are k apart, and it is released.
func TestPulseSharedLinkPartialWave(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		e.team(l.ID, 10)
		wave := func(n int) *tl.PulseReport {
			p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Delivery: tl.DeliveryLink}))(t)
			for range n {
				noErr(t, e.answer(p.SharedLink, uniform(4)))
			}
			e.clk.Advance(day)
			return must(e.app.ClosePulse(e.ctx, l.ID, p.Pulse.ID))(t)
		}
		if r := wave(10); !r.Released {
			t.Fatalf("wave 1: %s", r.Withheld)
		}
		if r := wave(9); r.Released || !strings.Contains(r.Withheld, "shared link that not everyone answered") {
			t.Fatalf("wave 2 with 9 of 10 answers was shown: %+v", r)
		}
		if r := wave(5); !r.Released {
			t.Fatalf("wave 3 with 5 of 10 answers (k apart from 10): %s", r.Withheld)
		}
	})
}
