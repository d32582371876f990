package web

import (
	"context"
	"sort"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/chart"
	"github.com/trustledger/trustledger/internal/engine"
)

// historyWeeks is how many weekly readings the person page draws.
const historyWeeks = 16

// maxHistoryEvents bounds the ledger read for one person's history
// (Events pages of at most 1000).
const maxHistoryEvents = 50000

// trustHistory computes trust E with its 80% interval at the end of each
// of the last historyWeeks weeks, from the person's ledger as corrected
// (reversed entries and their reversals left out, as the running state
// does) folded once in time order with the leader's settings.
//
// Service has no method for a weekly history, so the web layer builds it
// from Service.Events and the engine's Apply/Assess. Check-ins and pulses
// are snapshots stored beside the ledger, not in it, so past points leave
// them out; the last point is the current assessment (cur), which has them.
func (s *Server) trustHistory(ctx context.Context, leader string, rel tl.Relationship, cur engine.Assessment) ([]chart.TrendPoint, error) {
	set, err := s.svc.Settings(ctx, leader)
	if err != nil {
		return nil, err
	}
	var all []tl.Event
	before := ""
	for len(all) < maxHistoryEvents {
		page, err := s.svc.Events(ctx, leader, tl.EventFilter{Who: rel.Person, Limit: 1000, Before: before})
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < 1000 {
			break
		}
		before = page[len(page)-1].ID
	}
	reversed := map[string]bool{}
	byID := make(map[string]*tl.Event, len(all))
	for i := range all {
		byID[all[i].ID] = &all[i]
		if all[i].Reverses != "" {
			reversed[all[i].Reverses] = true
		}
	}
	evs := make([]engine.Event, 0, len(all))
	for i := range all {
		e := &all[i]
		if e.Reverses != "" || reversed[e.ID] {
			continue
		}
		ee := engine.Event{ID: e.ID, Kind: e.Kind, At: e.OccurredAt, Source: e.Source, Severity: e.Severity,
			Acknowledges: e.Acknowledges, OffersRepair: e.OffersRepair}
		if e.Repairs != "" {
			if b := byID[e.Repairs]; b != nil {
				ee.Repairs = &engine.Event{ID: b.ID, Kind: b.Kind, At: b.OccurredAt, Source: b.Source, Severity: b.Severity}
			}
		}
		evs = append(evs, ee)
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].At.Before(evs[j].At) })

	now := s.now().UTC()
	// Readings at the end of each past week (Sunday 24:00 UTC), then now.
	ws := weekStartOf(now)
	var at []time.Time
	for k := historyWeeks - 1; k >= 1; k-- {
		t := ws.AddDate(0, 0, -7*(k-1))
		if t.Before(rel.StartedAt) {
			continue
		}
		at = append(at, t)
	}
	var st engine.State
	pts := make([]chart.TrendPoint, 0, historyWeeks)
	i := 0
	for _, t := range at {
		for i < len(evs) && !evs[i].At.After(t) {
			set.Apply(&st, evs[i])
			i++
		}
		a := set.Assess(st, rel.Bases, nil, t)
		pts = append(pts, chart.TrendPoint{At: t.Add(-time.Millisecond), E: a.Trust.E, Low: a.Trust.Low, High: a.Trust.High})
	}
	pts = append(pts, chart.TrendPoint{At: now, E: cur.Trust.E, Low: cur.Trust.Low, High: cur.Trust.High})
	return pts, nil
}

// weekStartOf is Monday 00:00 UTC of t's week, as the services count weeks.
func weekStartOf(t time.Time) time.Time {
	t = t.UTC()
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	off := (int(d.Weekday()) + 6) % 7
	return d.AddDate(0, 0, -off)
}
