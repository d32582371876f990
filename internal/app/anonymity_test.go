package app_test

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// The anonymity property tests of docs/ANONYMITY.md, rules 4 and 5,
// played through the real services on random histories: two teams,
// sub-teams, waves, people joining and leaving between waves, members who
// answer or not and who skip questions. Every member answers the same way
// in every wave (the worst case for differencing).

// member is one person of a random history.
type member struct {
	rel    *tl.Relationship
	team   int
	active bool
	ans    map[string]int // the same answers every wave
}

// history is a random leader's world, built through the services.
type history struct {
	e      *env
	rt     *rapid.T
	lid    string
	k      int
	teams  []string
	people []*member
}

func newHistory(t *testing.T, rt *rapid.T, be backend) *history {
	e := newEnv(t, be)
	e.t = rt
	lena := must(e.app.Signup(e.ctx, tl.SignupInput{Email: "lena@example.org", Name: "Lena", Password: ownerPass}))(rt)
	h := &history{e: e, rt: rt, lid: lena.LeaderID, teams: []string{tl.DefaultTeamName, "north"}}
	h.k = rapid.SampledFrom([]int{3, 4, 5}).Draw(rt, "k")
	noErr(rt, e.app.SetSetting(e.ctx, h.lid, "anonymity_k", float64(h.k)))
	must(e.app.AddTeam(e.ctx, h.lid, h.teams[1]))(rt)
	for team := range h.teams {
		for range rapid.IntRange(h.k, 6).Draw(rt, fmt.Sprintf("size_%d", team)) {
			h.add(team)
		}
	}
	h.settle()
	return h
}

// add brings a person in; they count once settle has run.
func (h *history) add(team int) {
	i := len(h.people)
	ans := map[string]int{}
	for _, id := range []string{"a1", "a2", "b1", "b2"} {
		ans[id] = rapid.IntRange(1, 5).Draw(h.rt, fmt.Sprintf("%s_%d", id, i))
	}
	r := must(h.e.app.AddPerson(h.e.ctx, h.lid, tl.PersonInput{Name: fmt.Sprintf("P%02d", i), Email: fmt.Sprintf("p%02d@example.org", i),
		Kind: engine.DirectReport, Team: h.teams[team]}))(h.rt)
	h.e.confirm(r)
	h.people = append(h.people, &member{rel: r, team: team, active: true, ans: ans})
}

// settle lets the wait after the newest confirmations pass.
func (h *history) settle() { h.e.clk.Advance(tl.MemberWait + time.Hour) }

// between joins and leaves people at random.
func (h *history) between(w int) {
	switch rapid.IntRange(0, 3).Draw(h.rt, fmt.Sprintf("change_%d", w)) {
	case 1:
		h.add(rapid.IntRange(0, 1).Draw(h.rt, fmt.Sprintf("join_team_%d", w)))
		h.settle()
	case 2:
		i := rapid.IntRange(0, len(h.people)-1).Draw(h.rt, fmt.Sprintf("leaver_%d", w))
		if h.people[i].active {
			h.people[i].active = false
			must(h.e.app.SetActive(h.e.ctx, h.lid, h.people[i].rel.Person, false))(h.rt)
		}
	}
}

// asked draws who a wave asks: a team's active members, all or some.
func (h *history) asked(w int) (team int, idx []int, names []string) {
	team = rapid.IntRange(0, 1).Draw(h.rt, fmt.Sprintf("team_%d", w))
	all := rapid.Bool().Draw(h.rt, fmt.Sprintf("whole_%d", w))
	for i, m := range h.people {
		if m.team == team && m.active && (all || rapid.Bool().Draw(h.rt, fmt.Sprintf("in_%d_%d", w, i))) {
			idx = append(idx, i)
			names = append(names, m.rel.Person)
		}
	}
	if all {
		names = nil // the whole team
	}
	return team, idx, names
}

// scaleItems are the two scales the histories answer.
var scaleItems = map[string][]string{tl.ScaleAbility: {"a1", "a2"}, tl.ScaleBenevolence: {"b1", "b2"}}

// equation is one released number the attacker can use exactly: the sum
// of a known group's answers on one scale.
type equation struct {
	scale string
	group []int
	sum   *big.Rat
}

// TestAnonymityAttacker is rule 4's property: an attacker who knows every
// population, every released number, and even which results everyone
// asked answered in full (more than the product tells), combines the
// released results with exact arithmetic and never pins down fewer than
// k people: no nonzero combination of the equations it can write stands on
// a group of 1..k−1 people. The equations are checked to be true, and the
// service's own invariant is checked too: over the populations of all
// released results, whoever answered, no combination stands on fewer than
// k people.
func TestAnonymityAttacker(t *testing.T) {
	checks := 30
	if testing.Short() {
		checks = 8
	}
	for _, be := range backends(t) {
		if be.name == "postgres" {
			checks = max(3, checks/6) // the same property, fewer histories
		}
		t.Run(be.name, func(t *testing.T) {
			fewChecks(checks)
			rapid.Check(t, func(rt *rapid.T) { attackHistory(t, rt, be) })
		})
	}
}

func attackHistory(t *testing.T, rt *rapid.T, be backend) {
	h := newHistory(t, rt, be)
	e := h.e
	var eqs []equation
	var pops [][]int // populations of released results
	waves := rapid.IntRange(2, 7).Draw(rt, "waves")
	for w := range waves {
		if w > 0 {
			h.between(w)
		}
		_, idx, names := h.asked(w)
		if len(idx) < h.k {
			continue
		}
		launch, err := e.app.LaunchPulse(e.ctx, h.lid, tl.PulseInput{Members: names, Team: h.teams[h.people[idx[0]].team]})
		if err != nil {
			if code := tl.ErrorCode(err); code != tl.EINVALID {
				rt.Fatalf("launch: %v", err)
			}
			continue // refused before anyone was asked: nothing to learn
		}
		if launch.Pulse.Population != len(idx) {
			rt.Fatalf("the pulse asked %d people, want the %d drawn", launch.Pulse.Population, len(idx))
		}
		links := e.links(launch.Pulse.ID)
		answered := map[string][]int{} // scale → who answered it
		for _, i := range idx {
			m := h.people[i]
			if !rapid.Bool().Draw(rt, fmt.Sprintf("answers_%d_%d", w, i)) {
				continue
			}
			a := map[string]int{}
			for scale, items := range scaleItems {
				if rapid.IntRange(0, 4).Draw(rt, fmt.Sprintf("skip_%s_%d_%d", scale, w, i)) == 0 {
					continue // skips the whole scale this time
				}
				for _, id := range items {
					a[id] = m.ans[id]
				}
				answered[scale] = append(answered[scale], i)
			}
			if len(a) == 0 {
				a["o1"] = tl.OutcomeCommit
			}
			noErr(rt, e.answer(links[m.rel.ID], tl.PulseAnswers{Answers: a}))
		}
		rep := must(e.app.ClosePulse(e.ctx, h.lid, launch.Pulse.ID))(rt)
		e.clk.Advance(24 * time.Hour)
		if !rep.Released {
			if rep.Scales != nil || rep.N != 0 || rep.Comments != nil || rep.Outcome != nil {
				rt.Fatalf("a withheld result shows numbers: %+v", rep)
			}
			continue
		}
		if rep.N < h.k {
			rt.Fatalf("released with %d answers, k = %d", rep.N, h.k)
		}
		h.checkSnapshot(launch.Pulse.ID, rep, idx)
		pops = append(pops, idx)
		for _, s := range rep.Scales {
			who := answered[s.Scale]
			if len(who) < h.k {
				rt.Fatalf("scale %s shown with %d answers, k = %d", s.Scale, len(who), h.k)
			}
			// The released mean is the mean over exactly these people.
			sum := new(big.Rat)
			for _, i := range who {
				for _, id := range scaleItems[s.Scale] {
					sum.Add(sum, big.NewRat(int64(h.people[i].ans[id]), int64(len(scaleItems[s.Scale]))))
				}
			}
			mean := new(big.Rat).SetFrac64(int64(s.Mean*1e6+0.5), 1e6)
			exact := new(big.Rat).Quo(sum, big.NewRat(int64(len(who)), 1))
			if d := new(big.Rat).Sub(mean, exact); d.Abs(d).Cmp(big.NewRat(1, 10000)) > 0 {
				rt.Fatalf("scale %s released mean %v, but the %d who answered it average %v", s.Scale, s.Mean, len(who), exact.FloatString(4))
			}
			// The attacker can write an exact equation only when it knows
			// who answered: everyone asked did.
			if slices.Equal(who, idx) {
				eqs = append(eqs, equation{scale: s.Scale, group: idx, sum: sum})
			}
		}
	}
	n := len(h.people)
	for scale := range scaleItems {
		var rows [][]int
		for _, q := range eqs {
			if q.scale == scale {
				rows = append(rows, q.group)
			}
		}
		if s := smallSupport(rows, n, h.k); s != nil {
			rt.Fatalf("scale %s: the released results combine to people %v alone (k = %d); equations %v", scale, s, h.k, rows)
		}
	}
	if s := smallSupport(pops, n, h.k); s != nil {
		rt.Fatalf("the released populations combine to people %v alone (k = %d): %v", s, h.k, pops)
	}
}

// checkSnapshot checks what a released wave adds to each member's numbers:
// one entry, the same for everyone asked who is still active, carrying
// exactly the released means (a scale not shown carries no weight). So a
// person's numbers hold nothing the released results do not.
func (h *history) checkSnapshot(pulseID string, rep *tl.PulseReport, idx []int) {
	e, rt := h.e, h.rt
	var ev *tl.Event
	noErr(rt, e.db.Read(e.ctx, func(tx *store.Tx) error {
		p, err := tx.PulseByIDAny(e.ctx, pulseID)
		if err != nil || p.EventID == "" {
			return err
		}
		ev, err = tx.EventByID(e.ctx, h.lid, p.EventID)
		return err
	}))
	if ev == nil {
		for _, s := range rep.Scales {
			if s.Scale != tl.ScaleSafety {
				rt.Fatalf("a released trust scale (%s) wrote no entry", s.Scale)
			}
		}
		return
	}
	if ev.Snapshot == nil || ev.Snapshot.N != rep.N {
		rt.Fatalf("the wave's entry carries %+v, want a snapshot of %d answers", ev.Snapshot, rep.N)
	}
	for d := range engine.NumDims {
		s, shown := tl.ScaleResult{}, false
		for _, x := range rep.Scales {
			if x.Scale == engine.Dim(d).String() {
				s, shown = x, true
			}
		}
		p, rwg := ev.Snapshot.P[d], ev.Snapshot.Rwg[d]
		if shown && (math.Abs(p-s.P) > 1e-9 || math.Abs(rwg-s.Rwg) > 1e-9) || !shown && rwg != 0 {
			rt.Fatalf("%s: the entry carries p %.4f rwg %.4f, the released result p %.4f rwg %.4f (shown %v)", engine.Dim(d), p, rwg, s.P, s.Rwg, shown)
		}
	}
	asked := map[string]bool{}
	for _, i := range idx {
		asked[h.people[i].rel.ID] = true
	}
	for _, id := range ev.Targets {
		if !asked[id] {
			rt.Fatalf("the wave's entry reached %s, who was not asked", id)
		}
	}
}

// smallSupport returns a nonempty group of fewer than k people on which
// some combination of the groups' indicator rows stands, or nil. It tries
// every group S with |S| < k: a combination lives within S exactly when
// dropping S's columns lowers the rank. Ranks are exact (fraction-free
// integer elimination).
func smallSupport(groups [][]int, n, k int) []int {
	if len(groups) == 0 {
		return nil
	}
	rows := make([][]int64, len(groups))
	for i, g := range groups {
		rows[i] = make([]int64, n)
		for _, p := range g {
			rows[i][p] = 1
		}
	}
	full := exactRank(rows, nil)
	var found []int
	var try func(start int, s []int)
	try = func(start int, s []int) {
		if found != nil {
			return
		}
		if len(s) > 0 {
			drop := map[int]bool{}
			for _, p := range s {
				drop[p] = true
			}
			if exactRank(rows, drop) < full {
				found = slices.Clone(s)
				return
			}
		}
		if len(s) == k-1 {
			return
		}
		for p := start; p < n; p++ {
			try(p+1, append(s, p))
		}
	}
	try(0, nil)
	return found
}

// exactRank is the rank of rows without the dropped columns, by Bareiss's
// fraction-free elimination: every intermediate is a minor of a 0/1
// matrix, small enough for int64 at these sizes, and every division exact.
func exactRank(rows [][]int64, drop map[int]bool) int {
	var m [][]int64
	for _, r := range rows {
		var row []int64
		for j, v := range r {
			if !drop[j] {
				row = append(row, v)
			}
		}
		m = append(m, row)
	}
	if len(m) == 0 || len(m[0]) == 0 {
		return 0
	}
	rank, prev := 0, int64(1)
	for c := 0; c < len(m[0]) && rank < len(m); c++ {
		p := -1
		for i := rank; i < len(m); i++ {
			if m[i][c] != 0 {
				p = i
				break
			}
		}
		if p < 0 {
			continue
		}
		m[rank], m[p] = m[p], m[rank]
		for i := rank + 1; i < len(m); i++ {
			for j := c + 1; j < len(m[i]); j++ {
				m[i][j] = (m[rank][c]*m[i][j] - m[i][c]*m[rank][j]) / prev
			}
			m[i][c] = 0
		}
		prev = m[rank][c]
		rank++
	}
	return rank
}

// TestAnonymityDecisionIgnoresWho is rule 5's property: the same history
// twice, with the same people asked and the same number answering each
// wave, but different people answering, gets the same verdict at every
// launch and every close. Whether a result is shown says nothing about
// who answered it.
func TestAnonymityDecisionIgnoresWho(t *testing.T) {
	checks := 15
	if testing.Short() {
		checks = 5
	}
	fewChecks(checks)
	be := backends(t)[0]
	rapid.Check(t, func(rt *rapid.T) {
		seed := rapid.Int64().Draw(rt, "seed")
		var runs [2][]string
		for run := range 2 {
			// Both runs draw the same history from the same seed; only the
			// choice of who answers differs (by the run number).
			rapid.Custom(func(rt2 *rapid.T) int {
				runs[run] = verdicts(t, rt2, be, run)
				return 0
			}).Example(int(seed & 0x7fffffff))
		}
		if !slices.Equal(runs[0], runs[1]) {
			rt.Fatalf("the verdicts differ with who answered:\n%v\n%v", runs[0], runs[1])
		}
	})
}

// verdicts plays one history and returns what the leader was told at each
// launch and close. run picks who answers among those asked: the first
// run the first c people, the second the last c.
func verdicts(t *testing.T, rt *rapid.T, be backend, run int) []string {
	h := newHistory(t, rt, be)
	e := h.e
	var out []string
	for w := range rapid.IntRange(2, 6).Draw(rt, "waves") {
		if w > 0 {
			h.between(w)
		}
		_, idx, names := h.asked(w)
		if len(idx) < h.k {
			continue
		}
		launch, err := e.app.LaunchPulse(e.ctx, h.lid, tl.PulseInput{Members: names, Team: h.teams[h.people[idx[0]].team]})
		if err != nil {
			out = append(out, fmt.Sprintf("wave %d refused: %s", w, tl.ErrorMessage(err)))
			continue
		}
		c := rapid.IntRange(0, len(idx)).Draw(rt, fmt.Sprintf("count_%d", w))
		who := idx[:c]
		if run == 1 {
			who = idx[len(idx)-c:]
		}
		links := e.links(launch.Pulse.ID)
		for _, i := range who {
			noErr(rt, e.answer(links[h.people[i].rel.ID], tl.PulseAnswers{Answers: h.people[i].ans}))
		}
		rep := must(e.app.ClosePulse(e.ctx, h.lid, launch.Pulse.ID))(rt)
		out = append(out, fmt.Sprintf("wave %d released=%v n=%d withheld=%q", w, rep.Released, rep.N, rep.Withheld))
		e.clk.Advance(24 * time.Hour)
	}
	return out
}
