package web

import (
	"context"
	"math"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/chart"
	"github.com/trustledger/trustledger/internal/engine"
)

// historyWeeks is how many weekly readings the person page draws.
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
	now := ex.Assessment.At
	if now.IsZero() {
		now = s.now()
	}
	now = now.UTC()
	ws := tl.WeekStart(now)
	pts := make([]chart.TrendPoint, 0, historyWeeks)
	for k := historyWeeks - 1; k >= 1; k-- {
		w := ws.AddDate(0, 0, -7*(k-1)) // Monday 00:00: the end of the week before
		if w.Before(ex.Relationship.StartedAt) {
			continue
		}
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
		a := set.Assess(st, ex.Relationship.Bases, nil, w)
		pts = append(pts, chart.TrendPoint{At: w.Add(-time.Millisecond), E: a.Trust.E, Low: a.Trust.Low, High: a.Trust.High})
	}
	cur := ex.Assessment.Trust
	pts = append(pts, chart.TrendPoint{At: now, E: cur.E, Low: cur.Low, High: cur.High})
	return pts, nil
}
