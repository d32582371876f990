package app_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"pgregory.net/rapid"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/storetest"
)

// TestAnonymityAttackerTeams extends TestAnonymityAttacker to what a
// leader's results look like over time: two teams, sub-teams of either,
// people leaving and joining between waves, and both kinds of delivery.
//
// The attacker knows each email wave's respondents exactly. For a shared
// link the service knows only who the link was for; the attacker gets the
// same knowledge, so a shared-link wave gives an exact equation only when
// everyone it was for answered (then N equals the population). Every
// member answers the same way in every wave, the worst case.
func TestAnonymityAttackerTeams(t *testing.T) {
	if testing.Short() {
		fewChecks(10)
	} else {
		fewChecks(40)
	}
	rapid.Check(t, func(rt *rapid.T) {
		e := newEnv(t, backend{"sqlite", storetest.OpenSQLite})
		e.t = rt
		l := e.leader("Lena")
		k := rapid.SampledFrom([]int{3, 4, 5}).Draw(rt, "k")
		noErr(rt, e.app.SetSetting(e.ctx, l.ID, "anonymity_k", float64(k)))
		teams := []string{tl.DefaultTeamName, "north"}
		must(e.app.AddTeam(e.ctx, l.ID, teams[1]))(rt)

		type member struct {
			rel    *tl.Relationship
			team   int
			active bool
			ans    tl.PulseAnswers
			truth  float64 // ability-scale mean
		}
		var people []*member
		add := func(team int) {
			i := len(people)
			a1 := rapid.IntRange(1, 5).Draw(rt, fmt.Sprintf("a1_%d", i))
			a2 := rapid.IntRange(1, 5).Draw(rt, fmt.Sprintf("a2_%d", i))
			r := must(e.app.AddPerson(e.ctx, l.ID, tl.PersonInput{Name: fmt.Sprintf("P%02d", i), Email: fmt.Sprintf("p%02d@example.org", i),
				Kind: engine.DirectReport, Team: teams[team]}))(rt)
			people = append(people, &member{rel: r, team: team, active: true,
				ans: tl.PulseAnswers{Answers: map[string]int{"a1": a1, "a2": a2}}, truth: float64(a1+a2) / 2})
		}
		for team := range teams {
			for range rapid.IntRange(k, 7).Draw(rt, fmt.Sprintf("size_%d", team)) {
				add(team)
			}
		}

		var sets [][]int // the attacker's exact equations: who is summed
		waves := rapid.IntRange(3, 7).Draw(rt, "waves")
		for w := range waves {
			// Membership moves between waves.
			switch rapid.IntRange(0, 3).Draw(rt, fmt.Sprintf("change_%d", w)) {
			case 1:
				add(rapid.IntRange(0, 1).Draw(rt, fmt.Sprintf("joins_%d", w)))
			case 2:
				i := rapid.IntRange(0, len(people)-1).Draw(rt, fmt.Sprintf("leaves_%d", w))
				if people[i].active {
					must(e.app.SetActive(e.ctx, l.ID, people[i].rel.Person, false))(rt)
					people[i].active = false
				}
			}
			team := rapid.IntRange(0, 1).Draw(rt, fmt.Sprintf("team_%d", w))
			var names []string
			var idx []int
			for i, m := range people {
				if m.active && m.team == team && rapid.Float64Range(0, 1).Draw(rt, fmt.Sprintf("in_%d_%d", w, i)) < 0.8 {
					names = append(names, m.rel.Person)
					idx = append(idx, i)
				}
			}
			if len(idx) < k {
				continue
			}
			shared := rapid.Bool().Draw(rt, fmt.Sprintf("shared_%d", w))
			in := tl.PulseInput{Team: teams[team], Members: names}
			if shared {
				in.Delivery = tl.DeliveryLink
			}
			p := must(e.app.LaunchPulse(e.ctx, l.ID, in))(rt)
			var answered []int
			for _, i := range idx {
				if !rapid.Bool().Draw(rt, fmt.Sprintf("answers_%d_%d", w, i)) {
					continue
				}
				tok := p.SharedLink
				if !shared {
					tok = must(e.app.PulseLinkForTest(e.ctx, p.Pulse.ID, people[i].rel.ID))(rt)
				}
				noErr(rt, e.answer(tok, people[i].ans))
				answered = append(answered, i)
			}
			rep := must(e.app.ClosePulse(e.ctx, l.ID, p.Pulse.ID))(rt)
			e.clk.Advance(24 * time.Hour)
			if !rep.Released {
				if rep.Scales != nil || rep.N != 0 || rep.Outcome != nil {
					rt.Fatalf("a withheld result shows numbers: %+v", rep)
				}
				continue
			}
			if rep.N < k || rep.N != len(answered) {
				rt.Fatalf("released N %d with %d answers, k = %d", rep.N, len(answered), k)
			}
			if shared && len(answered) < len(idx) {
				continue // who answered is unknown to the service and the attacker
			}
			var sum float64
			for _, i := range answered {
				sum += people[i].truth
			}
			if math.Abs(rep.Scales[0].Mean*float64(rep.N)-sum) > 1e-9 {
				rt.Fatalf("released mean %.4f over %d is not the respondents' (sum %.2f)", rep.Scales[0].Mean, rep.N, sum)
			}
			sets = append(sets, answered)
		}
		for a := range sets {
			for b := range a {
				if d := symDiff(sets[a], sets[b]); d > 0 && d < k {
					rt.Fatalf("released results %v and %v differ by %d < k=%d people", sets[a], sets[b], d, k)
				}
			}
		}
		if len(sets) == 0 {
			return
		}
		rows := make([][]float64, len(sets))
		for r, s := range sets {
			rows[r] = make([]float64, len(people))
			for _, i := range s {
				rows[r][i] = 1
			}
		}
		base := rank(rows, len(people))
		for i := range people {
			unit := make([]float64, len(people))
			unit[i] = 1
			if rank(append(clone2(rows), unit), len(people)) == base {
				rt.Fatalf("member %d's answer (%.1f) is recoverable from the released results %v", i, people[i].truth, sets)
			}
		}
	})
}
