package app

// What a leader may see of a pulse: a count band while it is open, and
// the released results (scales, outcome shares, comments, the self–team
// gaps) once it has closed; and the dashboard's three views of each team.

import (
	"context"
	"math"
	mrand "math/rand/v2"
	"slices"
	"sort"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// PulseReport is what the leader may see of a pulse.
func (a *App) PulseReport(ctx context.Context, leaderID, pulseID string) (*tl.PulseReport, error) {
	var out *tl.PulseReport
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		p, err := tx.PulseByID(ctx, leaderID, pulseID)
		if err != nil {
			return err
		}
		set, err := settingsFor(ctx, tx, leaderID)
		if err != nil {
			return err
		}
		out, err = report(ctx, tx, set, p)
		return err
	})
	return out, err
}

// report builds a pulse's report: a count band while open, the results
// once released.
func report(ctx context.Context, tx *store.Tx, set engine.Settings, p *store.PulseRow) (*tl.PulseReport, error) {
	n, err := tx.CountPulseResponses(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	rep := &tl.PulseReport{Pulse: p.Pulse, Count: countBand(n, p), Withheld: p.Withheld}
	if p.Status == tl.PulseOpen {
		// While answers still come in, the count is the one published
		// last (publish.go), never the live one: a band that moved as an
		// answer arrived would date it.
		rep.Count = p.Band
		return rep, nil
	}
	if p.Status != tl.PulseClosed || !p.Released {
		return rep, nil
	}
	resps, err := tx.PulseResponses(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	rep.Released = true
	rep.N = len(resps)
	commentsK := p.CommentsK
	if !p.CommentsShown {
		commentsK = math.MaxInt
	}
	rep.CommentsWithheld = p.CommentsWithheld
	fillResults(rep, resps, set, decodeAnswers(p.SelfAnswers), p.K, commentsK)
	return rep, nil
}

// scaleOrder is the order scales are reported in.
var scaleOrder = []string{tl.ScaleAbility, tl.ScaleBenevolence, tl.ScaleIntegrity, tl.ScaleSafety}

// scoreScale aggregates one scale over the responses, and says how many
// respondents answered at least one of its items.
func scoreScale(decoded []map[string]int, scale string, set engine.Settings) (tl.ScaleResult, int) {
	var items []tl.PulseItem
	for _, it := range tl.PulseItems {
		if it.Scale == scale {
			items = append(items, it)
		}
	}
	reverse := make([]bool, len(items))
	for j, it := range items {
		reverse[j] = it.Reverse
	}
	answers := make([][]int, 0, len(decoded))
	for _, d := range decoded {
		row := make([]int, len(items))
		for j, it := range items {
			row[j] = d[it.ID]
		}
		answers = append(answers, row)
	}
	res := engine.ScorePulse(answers, tl.PulseScalePoints, reverse)
	return tl.ScaleResult{Scale: scale, Mean: res.Mean, P: res.P, Rwg: res.Rwg, Agreement: agreement(res.Rwg, set)}, res.N
}

func agreement(rwg float64, set engine.Settings) string {
	switch {
	case rwg < set.RwgWeak:
		return "weak"
	case rwg < set.RwgStrong:
		return "moderate"
	}
	return "strong"
}

// fillResults scores the released responses into rep. Items may be
// skipped, so a scale, or the outcome item, that fewer than k of the
// respondents answered is left out: every number shown stands on at least
// k people, not only the pulse as a whole.
func fillResults(rep *tl.PulseReport, resps []store.PulseResponse, set engine.Settings, self map[string]int, k, commentsK int) {
	decoded := make([]map[string]int, len(resps))
	for i, r := range resps {
		decoded[i] = decodeAnswers(r.Answers)
	}
	for _, sc := range scaleOrder {
		if res, n := scoreScale(decoded, sc, set); enough(n, k) {
			rep.Scales = append(rep.Scales, res)
		}
	}
	var counts [4]int
	total := 0
	for _, d := range decoded {
		if v, ok := d["o1"]; ok {
			counts[v]++
			total++
		}
	}
	if enough(total, k) {
		pct := func(n int) int { return int(math.Round(100 * float64(n) / float64(total))) }
		rep.Outcome = &tl.OutcomeResult{Commit: pct(counts[tl.OutcomeCommit]), Comply: pct(counts[tl.OutcomeComply]), Resist: pct(counts[tl.OutcomeResist])}
	}
	if enough(len(resps), commentsK) {
		for _, r := range resps {
			if r.Comment != "" {
				rep.Comments = append(rep.Comments, r.Comment)
			}
		}
		mrand.Shuffle(len(rep.Comments), func(i, j int) { rep.Comments[i], rep.Comments[j] = rep.Comments[j], rep.Comments[i] })
	}
	rep.Gaps = gaps(rep.Scales, self, set)
}

// scaleOf finds one scale's result among those shown.
func scaleOf(scales []tl.ScaleResult, scale string) (tl.ScaleResult, bool) {
	for _, s := range scales {
		if s.Scale == scale {
			return s, true
		}
	}
	return tl.ScaleResult{}, false
}

// selfMean is the leader's mean answer on one trust scale.
func selfMean(self map[string]int, scale string) (float64, bool) {
	var sum, n float64
	for _, it := range tl.PulseItems {
		if v, ok := self[it.ID]; ok && it.Scale == scale && it.Self != "" {
			sum += float64(v)
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return sum / n, true
}

// gaps compares the leader's self-view with the team's, per dimension.
func gaps(scales []tl.ScaleResult, self map[string]int, set engine.Settings) []tl.Gap {
	var out []tl.Gap
	for _, s := range scales {
		if s.Scale == tl.ScaleSafety {
			continue
		}
		m, ok := selfMean(self, s.Scale)
		if !ok {
			continue
		}
		g := m - s.Mean
		out = append(out, tl.Gap{Scale: s.Scale, Self: m, Team: s.Mean, Gap: g, Flagged: math.Abs(g) >= set.SelfOtherGap})
	}
	return out
}

// TeamViews shows, per team, the ledger's view, the team's (the latest
// released pulse) and the leader's own, dimension by dimension.
func (a *App) TeamViews(ctx context.Context, leaderID string) ([]tl.TeamView, error) {
	now := a.clock()
	writes := a.db.WriteStats().Writes
	if v, ok := a.views.get(leaderID, now, writes); ok {
		return v, nil
	}
	var out []tl.TeamView
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		teams, err := tx.Teams(ctx, leaderID)
		if err != nil {
			return err
		}
		pulses, err := tx.Pulses(ctx, leaderID)
		if err != nil {
			return err
		}
		set, err := settingsFor(ctx, tx, leaderID)
		if err != nil {
			return err
		}
		rels, err := tx.Relationships(ctx, leaderID)
		if err != nil {
			return err
		}
		states, err := tx.States(ctx, leaderID)
		if err != nil {
			return err
		}
		for _, t := range teams {
			// The ledger's view: expected trust per dimension (MODEL.md
			// §3), read from the stored state; the quantiles Status adds
			// are not needed here.
			var sum [engine.NumDims]float64
			n := 0
			for _, r := range rels {
				if r.TeamID != t.ID || !r.Active {
					continue
				}
				rd := set.Read(states[r.ID], now)
				for d := range engine.NumDims {
					sum[d] += set.Expected(rd.R[d], rd.S[d])
				}
				n++
			}
			if n == 0 {
				continue
			}
			v := tl.TeamView{Team: t}
			var latest, latestSelf *store.PulseRow
			for i := range pulses {
				p := &pulses[i]
				if p.TeamID != t.ID {
					continue
				}
				if latest == nil && p.Released {
					latest = p
				}
				if latestSelf == nil && p.SelfAnswers != "" {
					latestSelf = p
				}
			}
			var shown []tl.ScaleResult // the scales the latest released wave shows
			if latest != nil {
				v.PulseID = latest.ID
				rep, err := report(ctx, tx, set, latest)
				if err != nil {
					return err
				}
				shown = rep.Scales
				if s, ok := scaleOf(shown, tl.ScaleSafety); ok {
					v.Safety = &s
				}
			}
			var self map[string]int
			if latestSelf != nil {
				self = decodeAnswers(latestSelf.SelfAnswers)
			}
			for d := range engine.NumDims {
				vd := tl.ViewDim{Scale: engine.Dim(d).String(), Ledger: sum[d] / float64(n)}
				known := []float64{vd.Ledger}
				if s, ok := scaleOf(shown, vd.Scale); ok {
					vd.Team, vd.HasTeam = s.P, true
					known = append(known, vd.Team)
				}
				if m, ok := selfMean(self, vd.Scale); ok {
					vd.Self, vd.HasSelf = (m-1)/4, true
					known = append(known, vd.Self)
				}
				vd.Gap = slices.Max(known) - slices.Min(known)
				v.Dims = append(v.Dims, vd)
			}
			best := -1
			for i, vd := range v.Dims {
				if (vd.HasTeam || vd.HasSelf) && (best < 0 || vd.Gap > v.Dims[best].Gap) {
					best = i
				}
			}
			if best >= 0 {
				b := v.Dims[best]
				v.Biggest = &b
			}
			out = append(out, v)
		}
		sort.SliceStable(out, func(i, j int) bool { return out[i].Team.Name < out[j].Team.Name })
		return nil
	})
	if err != nil {
		return nil, err
	}
	out = nonNil(out)
	a.views.put(leaderID, out, now, writes)
	return out, nil
}
