package web

import (
	"context"
	"math"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/chart"
	"github.com/trustledger/trustledger/internal/engine"
)

// historyWeeks is how many weekly readings the person page draws, and how
// many weeks the dashboard's map steps through (this one and the 15
// before it).
const historyWeeks = 16

// trustHistory computes trust E with its 80% interval at the end of each
// of the last historyWeeks-1 weeks, and now.
//
// Service has no method for a weekly history, so the web layer derives it
// from Service.Explain, which it loads for the page anyway. Explain's
// weights are every live entry's contribution decayed to now, and evidence
// decays exponentially (2^(−Δt/h)), so the accumulators as they stood at
// an earlier time w are the weights of the entries up to w, scaled back up
// by 2^((now−w)/h). The engine's Assess then reads them at w exactly as
// it reads the stored state (self cap, prior, quadrant). This needs no
// replay and no second pass over the ledger. Two simplifications: the
// clamp at zero of reversals and repairs is applied once, now, rather than
// at each step; and check-ins and pulses (snapshots stored beside the
// ledger) are left out of past points; the last point is the current
// assessment, which has them.
func (s *Server) trustHistory(ctx context.Context, leader string, ex *tl.Explanation) ([]chart.TrendPoint, error) {
	set, err := s.svc.Settings(ctx, leader)
	if err != nil {
		return nil, err
	}
	now := explainedAt(ex, s.now())
	// The leader's weeks, and the chart's dates, in the leader's zone (the
	// zone of the account whose request ctx is).
	loc := zoneOf(userOf(ctx))
	ws := tl.WeekStartIn(now, loc)
	pts := make([]chart.TrendPoint, 0, historyWeeks)
	for k := historyWeeks - 1; k >= 1; k-- {
		w := tl.WeekBegins(ws.AddDate(0, 0, -7*(k-1)), loc) // Monday 00:00: the end of the week before
		if w.Before(ex.Relationship.StartedAt) {
			continue
		}
		a := set.Assess(stateAt(set, ex, now, w), ex.Relationship.Bases, nil, w)
		pts = append(pts, chart.TrendPoint{At: w.Add(-time.Millisecond), E: a.Trust.E, Low: a.Trust.Low, High: a.Trust.High})
	}
	cur := ex.Assessment.Trust
	pts = append(pts, chart.TrendPoint{At: now.In(loc), E: cur.E, Low: cur.Low, High: cur.High})
	return pts, nil
}

// explainedAt is the time an explanation's weights are decayed to.
func explainedAt(ex *tl.Explanation, fallback time.Time) time.Time {
	if ex.Assessment.At.IsZero() {
		return fallback.UTC()
	}
	return ex.Assessment.At.UTC()
}

// stateAt is the relationship's evidence as it stood at w, rebuilt from an
// explanation of it at now (see trustHistory).
func stateAt(set engine.Settings, ex *tl.Explanation, now, w time.Time) engine.State {
	up := math.Exp2(now.Sub(w).Hours() / 24 / set.HalfLifeDays)
	var st engine.State
	for _, wt := range ex.Weights {
		if wt.At.After(w) {
			continue
		}
		acc := &st.R[wt.Dim][wt.Source]
		if wt.Negative {
			acc = &st.S[wt.Dim][wt.Source]
		}
		*acc += wt.Now * up
	}
	for d := range st.R {
		for src := range st.R[d] {
			st.R[d][src] = max(st.R[d][src], 0)
			st.S[d][src] = max(st.S[d][src], 0)
		}
	}
	st.TLast = w
	return st
}

// basesAt is a relationship's power bases as they stood at w: today's,
// with the power entries logged after w undone, newest first (a reversal
// of one is undone the other way). A shift the 0–4 scale clipped when it
// was logged is undone in full, and a profile edited on the person page
// has no history: both are rare, and the map of a past week shows the
// power the ledger records.
func (s *Server) basesAt(ctx context.Context, leader string, rel tl.Relationship, w time.Time) (engine.Bases, error) {
	b := rel.Bases
	f := tl.EventFilter{Who: rel.Person, Limit: 200}
	for {
		evs, err := s.svc.Events(ctx, leader, f)
		if err != nil {
			return b, err
		}
		for _, e := range evs {
			if !e.OccurredAt.After(w) {
				return b, nil
			}
			base, err := engine.ParseBase(e.Base)
			if e.Base == "" || e.Shift == 0 || err != nil {
				continue
			}
			if e.Reverses != "" {
				b = b.Shift(base, e.Shift)
			} else {
				b = b.Shift(base, -e.Shift)
			}
		}
		if len(evs) < f.Limit {
			return b, nil
		}
		f.Before = evs[len(evs)-1].ID
	}
}

// mapAsOf is the dashboard's map as it stood at w: each relationship that
// is active and had started by then, assessed from its evidence and power
// at w, as the trend charts are.
func (s *Server) mapAsOf(ctx context.Context, leader string, set engine.Settings, rels []tl.RelationshipStatus, w time.Time) ([]chart.MapPoint, error) {
	var pts []chart.MapPoint
	for _, rs := range rels {
		rel := rs.Relationship
		if !rel.Active || w.Before(rel.StartedAt) {
			continue
		}
		ex, err := s.svc.Explain(ctx, leader, rel.Person)
		if err != nil {
			return nil, err
		}
		bases, err := s.basesAt(ctx, leader, ex.Relationship, w)
		if err != nil {
			return nil, err
		}
		a := set.Assess(stateAt(set, ex, explainedAt(ex, s.now()), w), bases, nil, w)
		pts = append(pts, mapPoint(rel, a))
	}
	return pts, nil
}

// mapPoint is one relationship on the dashboard's map.
func mapPoint(rel tl.Relationship, a engine.Assessment) chart.MapPoint {
	return chart.MapPoint{
		Name: rel.Person, Power: a.Power, Trust: a.Trust.E,
		TrustLow: a.Trust.Low, TrustHigh: a.Trust.High,
		Quadrant: string(a.Quadrant), Href: "/people/" + rel.ID,
	}
}
