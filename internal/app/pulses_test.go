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
		_, err := e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{})
		wantCode(t, err, tl.EINVALID, "your team has 4 people who can be asked", "at least 5 answers", "traced")
		_, err = e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{K: 2})
		wantCode(t, err, tl.EINVALID, "at least 3 answers behind them, not 2")
		// No shared link, whatever k (docs/ANONYMITY.md, rule 2).
		_, err = e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Delivery: tl.DeliveryLink, K: 3})
		wantCode(t, err, tl.EINVALID, "no longer go by one shared link")
		// k=3 lets a team of four launch (the floor is 3): one invitation
		// each, by mail.
		p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{K: 3}))(t)
		if p.Pulse.K != 3 || p.Pulse.Population != 4 || p.Queued != 4 || p.Pulse.Delivery != tl.DeliveryEmail || len(p.NotAsked) != 0 {
			t.Fatalf("launch: %+v", p)
		}
		_, err = e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{K: 3})
		wantCode(t, err, tl.ECONFLICT, "already has an open pulse")
		must(e.app.ClosePulse(e.ctx, l.ID, p.Pulse.ID))(t)
		_, err = e.app.ClosePulse(e.ctx, l.ID, p.Pulse.ID)
		wantCode(t, err, tl.ECONFLICT, "already closed")

		// A person without an address is not asked, and cannot be named.
		must(e.app.SetEmail(e.ctx, l.ID, people[1].Person, ""))(t)
		_, err = e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{K: 3, Members: []string{people[0].Person, people[1].Person, people[2].Person}})
		wantCode(t, err, tl.EINVALID, "this person cannot be asked yet: "+people[1].Person+" has no email address yet. A pulse asks only")
		_, err = e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{K: 3, Members: []string{"Nobody"}})
		wantCode(t, err, tl.EINVALID, `"Nobody" is not an active member of your team`)
		_, err = e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{K: 3, Question: "a\x00b"})
		wantCode(t, err, tl.EINVALID, "control character")
		_, err = e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{K: 3, Closes: e.clk.Now().Add(-time.Hour)})
		wantCode(t, err, tl.EINVALID, "has passed")
		// Without a name, the team's counted people are asked and the
		// others listed with why not.
		q := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{K: 3}))(t)
		if q.Pulse.Population != 3 || q.Queued != 3 || len(q.NotAsked) != 1 ||
			q.NotAsked[0].Person != people[1].Person || q.NotAsked[0].Step != tl.StepAddress {
			t.Fatalf("launch without %s: %+v", people[1].Person, q)
		}
		if n := e.count(t, "outbox WHERE kind = $1 AND ref_id = $2 AND ref2 = $3", store.MailPulseInvite, q.Pulse.ID, people[1].ID); n != 0 {
			t.Fatalf("%s, without an address, got %d invitations", people[1].Person, n)
		}

		// Another leader cannot see or close it.
		o := e.leader("Omar")
		_, err = e.app.PulseReport(e.ctx, o.ID, p.Pulse.ID)
		wantCode(t, err, tl.ENOTFOUND)
		_, err = e.app.ClosePulse(e.ctx, o.ID, q.Pulse.ID)
		wantCode(t, err, tl.ENOTFOUND)
	})
}

// TestPulseReleaseAtClose: while open the leader sees only the count band
// published last; results come at close, only with at least k answers,
// and enter the model as a snapshot for every member.
func TestPulseReleaseAtClose(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		people := e.team(l.ID, 10) // 2k: enough people asked for a band to be published
		p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Question: "What should I start doing?"}))(t)
		links := e.links(p.Pulse.ID)
		before := must(e.app.Status(e.ctx, l.ID))(t)
		band := func() *tl.PulseReport {
			t.Helper()
			rep := must(e.app.PulseReport(e.ctx, l.ID, p.Pulse.ID))(t)
			if rep.Released || rep.N != 0 || rep.Scales != nil || rep.Comments != nil {
				t.Fatalf("the open pulse shows %+v", rep)
			}
			return rep
		}
		for i, r := range people[:6] {
			a := uniform(2 + i%3)
			a.Comment = fmt.Sprintf("comment %d", i)
			noErr(t, e.answer(links[r.ID], a))
			// The band does not move as the answer arrives, only when it
			// is published.
			last := tl.CountBelowK
			if i >= 5 {
				last = tl.CountK
			}
			if rep := band(); rep.Count != last {
				t.Fatalf("right after %d answers the band is %q, want %q (the one published last)", i+1, rep.Count, last)
			}
			e.publish()
			want := tl.CountBelowK
			if i+1 >= 5 {
				want = tl.CountK
			}
			if rep := band(); rep.Count != want {
				t.Fatalf("after %d answers and a publication the band is %q, want %q", i+1, rep.Count, want)
			}
		}
		// A second answer through a used link is refused.
		wantCode(t, e.answer(links[people[0].ID], uniform(3)), tl.ECONFLICT, "already answered")
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
		people := e.team(l.ID, 6)
		p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{}))(t)
		links := e.links(p.Pulse.ID)
		for _, r := range people[:4] {
			noErr(t, e.answer(links[r.ID], uniform(4)))
		}
		rep := must(e.app.ClosePulse(e.ctx, l.ID, p.Pulse.ID))(t)
		if rep.Released || rep.N != 0 || rep.Scales != nil || !strings.Contains(rep.Withheld, "fewer than 5") {
			t.Fatalf("4 answers released: %+v", rep)
		}
		if evs := must(e.app.Events(e.ctx, l.ID, tl.EventFilter{}))(t); len(evs) != 0 {
			t.Fatalf("a withheld pulse entered the ledger: %+v", evs)
		}
		// After closing, an unused link takes no answers.
		wantCode(t, e.answer(links[people[5].ID], uniform(4)), tl.ENOTFOUND, "closed")
	})
}

func TestPulseCommentsAtTen(t *testing.T) {
	e := newEnv(t, backends(t)[0])
	l := e.leader("Lena")
	people := e.team(l.ID, 12)
	p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Question: "Anything else?"}))(t)
	var want []string
	e.answerN(p.Pulse.ID, 10, func(i int) tl.PulseAnswers {
		a := uniform(4)
		a.Comment = fmt.Sprintf("comment %02d", i)
		want = append(want, a.Comment)
		return a
	})
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
	q := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{}))(t)
	a := uniform(3)
	a.Comment = "hello"
	wantCode(t, e.answer(e.links(q.Pulse.ID)[people[0].ID], a), tl.EINVALID, "no free-text question")
}

// TestPulseKFixedAtLaunch: k is the pulse's own; the setting cannot move
// while a pulse is open.
func TestPulseKFixedAtLaunch(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		e.team(l.ID, 6)
		p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{}))(t)
		wantCode(t, e.app.SetSetting(e.ctx, l.ID, "anonymity_k", 3), tl.ECONFLICT, "fixed")
		wantCode(t, e.app.SetSetting(e.ctx, l.ID, "comments_k", 12), tl.ECONFLICT, "fixed")
		e.answerN(p.Pulse.ID, 4, func(int) tl.PulseAnswers { return uniform(4) })
		rep := must(e.app.ClosePulse(e.ctx, l.ID, p.Pulse.ID))(t)
		if rep.Released || rep.Pulse.K != 5 {
			t.Fatalf("k moved: %+v", rep)
		}
		// Once closed, the setting may change; it applies to the next pulse.
		noErr(t, e.app.SetSetting(e.ctx, l.ID, "anonymity_k", 6))
		if must(e.app.PulseReport(e.ctx, l.ID, p.Pulse.ID))(t).Pulse.K != 5 {
			t.Fatal("a closed pulse's k changed with the setting")
		}
		q := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{}))(t)
		if q.Pulse.K != 6 {
			t.Fatalf("new pulse k %d, want 6", q.Pulse.K)
		}
	})
}

// TestPulseMemberLinks: personal links are single use and replaced by a
// reminder; a reminder goes to everyone asked, and the link of someone
// who answered tells them so.
func TestPulseMemberLinks(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		people := e.team(l.ID, 5)
		p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{}))(t)
		if p.Queued != 5 {
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
		// The form names everyone asked.
		var names []string
		for _, r := range people {
			names = append(names, r.Person)
		}
		if !slices.Equal(form.Asked, names) {
			t.Fatalf("the form names %v, want everyone asked %v", form.Asked, names)
		}
		noErr(t, e.app.SubmitPulse(e.ctx, pass2, uniform(4)))
		// The other browser's pass went with the answer: it would only
		// have kept when the link was opened (docs/ANONYMITY.md, rule 7).
		wantCode(t, e.app.SubmitPulse(e.ctx, pass1, uniform(1)), tl.ENOTFOUND, "open the link you were sent again")
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
		// Someone who answered gets a link too, like everyone asked; it
		// tells them, and only them, that they answered.
		again := must(e.app.PulseLinkForTest(e.ctx, p.Pulse.ID, people[0].ID))(t)
		if again == "" {
			t.Fatal("no link was issued to someone who answered: the reminders would tell who did")
		}
		_, err = e.app.OpenPulseLink(e.ctx, again)
		wantCode(t, err, tl.ECONFLICT, "already answered")
		// Reminders went to all five, answered or not.
		if n := e.count(t, "outbox WHERE kind = $1 AND ref_id = $2", store.MailPulseReminder, p.Pulse.ID); n != 5 {
			t.Fatalf("%d reminders, want 5 (everyone asked)", n)
		}
		if n := responses(t, e, p.Pulse.ID); n != 2 {
			t.Fatalf("%d responses stored, want 2", n)
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
		people := e.team(l.ID, 30)
		p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Question: "Q?"}))(t)
		links := e.links(p.Pulse.ID)
		var order []string
		for i, r := range people {
			a := uniform(3)
			a.Comment = fmt.Sprintf("%02d", i)
			order = append(order, a.Comment)
			noErr(t, e.answer(links[r.ID], a))
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

// TestPulseDifferencing: the release rule is on populations, the people
// asked (docs/ANONYMITY.md, rule 4). A wave whose people differ from a
// released one by 1 to k−1 people is refused before anyone is asked, and
// names them; a wave that differs by k is launched. Waves of the same
// people release whatever the number of answers, so released or withheld
// says nothing about who answered (rule 5).
func TestPulseDifferencing(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		people := e.team(l.ID, 11)
		names := func(rs []*tl.Relationship) []string {
			var out []string
			for _, r := range rs {
				out = append(out, r.Person)
			}
			return out
		}
		wave := func(members []*tl.Relationship, answers int) *tl.PulseReport {
			t.Helper()
			p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Members: names(members)}))(t)
			e.answerN(p.Pulse.ID, answers, func(int) tl.PulseAnswers { return uniform(4) })
			e.clk.Advance(day)
			return must(e.app.ClosePulse(e.ctx, l.ID, p.Pulse.ID))(t)
		}
		if rep := wave(people[:6], 6); !rep.Released {
			t.Fatalf("wave 1 withheld: %s", rep.Withheld)
		}
		// One more person: wave 2 − wave 1 would be Member 007. Four more:
		// the sum of four people's answers. Both are refused at launch.
		for _, n := range []int{7, 10} {
			_, err := e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Members: names(people[:n])})
			wantCode(t, err, tl.EINVALID, "could never be shown", "wave 1 of your team", people[6].Person)
		}
		if ps := must(e.app.Pulses(e.ctx, l.ID))(t); len(ps) != 1 {
			t.Fatalf("%d pulses after refused launches, want 1", len(ps))
		}
		if n := e.count(t, "outbox WHERE kind = $1", store.MailPulseInvite); n != 6 {
			t.Fatalf("%d pulse invitations after refused launches, want wave 1's 6", n)
		}
		// Five more people than wave 1 (k) are not a person's answer.
		if rep := wave(people[:11], 5); !rep.Released {
			t.Fatalf("a wave that differs from wave 1 by k people withheld: %s", rep.Withheld)
		}
		// The same six again with fewer answers than wave 1 (the old rule
		// withheld it: the missing answer was one person's) and with as
		// many: both release.
		for _, n := range []int{5, 6} {
			if rep := wave(people[:6], n); !rep.Released || rep.N != n {
				t.Fatalf("the same six as wave 1, %d answers: %+v", n, rep)
			}
		}
	})
}

// TestPulseClosesByItself: Tick closes a pulse at its closing time.
func TestPulseClosesByItself(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		e.team(l.ID, 5)
		p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{}))(t)
		e.answerN(p.Pulse.ID, 5, func(int) tl.PulseAnswers { return uniform(5) })
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
	people := e.team(l.ID, 5)
	p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{}))(t)
	pass := must(e.app.OpenPulseLink(e.ctx, e.links(p.Pulse.ID)[people[0].ID]))(t)
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
