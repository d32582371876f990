package engine

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// Property tests for the invariants of MODEL.md §14.

var evidenceKinds = func() []Kind {
	var out []Kind
	for _, k := range kindTable {
		if len(k.Effects) > 0 {
			out = append(out, k.Kind)
		}
	}
	return out
}()

func dayAt(d float64) time.Time { return epoch.Add(time.Duration(d * float64(24*time.Hour))) }

func genEvent(t *rapid.T, id int, maxDay float64) Event {
	return Event{
		ID:       fmt.Sprintf("e%03d", id),
		Kind:     rapid.SampledFrom(evidenceKinds).Draw(t, "kind"),
		At:       dayAt(rapid.Float64Range(0, maxDay).Draw(t, "day")),
		Source:   Source(rapid.IntRange(0, NumSources-1).Draw(t, "source")),
		Severity: rapid.SampledFrom([]Severity{0, Minor, Normal, Major, Severe}).Draw(t, "severity"),
	}
}

// genLedger draws evidence events and, for some breaches, one apology each
// within the apology window.
func genLedger(t *rapid.T) []Event {
	n := rapid.IntRange(0, 40).Draw(t, "n")
	var evs []Event
	for i := range n {
		evs = append(evs, genEvent(t, i, 400))
	}
	for i, e := range slices.Clone(evs) {
		if k, _ := kindInfo(e.Kind); k.Breach && rapid.Bool().Draw(t, "apologise") {
			b := e
			evs = append(evs, Event{
				ID: fmt.Sprintf("a%03d", i), Kind: KindApology, Source: Self,
				At:           e.At.Add(time.Duration(rapid.Float64Range(0, 40).Draw(t, "after") * float64(24*time.Hour))),
				Repairs:      &b,
				Acknowledges: rapid.Bool().Draw(t, "ack"), OffersRepair: rapid.Bool().Draw(t, "offer"),
			})
		}
	}
	return evs
}

func chronological(evs []Event) []Event {
	out := slices.Clone(evs)
	slices.SortStableFunc(out, func(a, b Event) int { return a.At.Compare(b.At) })
	return out
}

func relEq(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))+1e-12
}

// sameReading compares two states read at now, accumulator by accumulator.
func sameReading(t *rapid.T, s Settings, a, b State, now time.Time) {
	t.Helper()
	ga, gb := 0.0, 0.0
	if !a.TLast.IsZero() {
		ga = s.decay(days(a.TLast, now))
	}
	if !b.TLast.IsZero() {
		gb = s.decay(days(b.TLast, now))
	}
	for d := range NumDims {
		for src := range NumSources {
			if !relEq(a.R[d][src]*ga, b.R[d][src]*gb) || !relEq(a.S[d][src]*ga, b.S[d][src]*gb) {
				t.Fatalf("%s/%s differ: r %v vs %v, s %v vs %v", Dim(d), Source(src),
					a.R[d][src]*ga, b.R[d][src]*gb, a.S[d][src]*ga, b.S[d][src]*gb)
			}
		}
	}
}

func TestPropOpinionBounds(t *testing.T) {
	s := DefaultSettings()
	rapid.Check(t, func(t *rapid.T) {
		r := rapid.Float64Range(0, 1e6).Draw(t, "r")
		n := rapid.Float64Range(0, 1e6).Draw(t, "s")
		o := s.Opinion(r, n)
		if !(o.E > 0 && o.E < 1) {
			t.Fatalf("E = %v outside (0,1)", o.E)
		}
		if math.Abs(o.B+o.D+o.U-1) > 1e-12 {
			t.Fatalf("b+d+u = %v", o.B+o.D+o.U)
		}
		if !(o.Low <= o.E+1e-9 && o.E <= o.High+1e-9) && o.N < 1e5 {
			t.Fatalf("E %v outside [q10 %v, q90 %v]", o.E, o.Low, o.High)
		}
	})
}

func TestPropLedgerBounds(t *testing.T) {
	s := DefaultSettings()
	rapid.Check(t, func(t *rapid.T) {
		st := s.Replay(genLedger(t))
		a := s.Assess(st, DefaultBases(DirectReport), nil, dayAt(450))
		for _, o := range append(a.Dims[:], a.Trust) {
			if !(o.E > 0 && o.E < 1) || math.Abs(o.B+o.D+o.U-1) > 1e-12 {
				t.Fatalf("opinion out of bounds: %+v", o)
			}
		}
	})
}

func TestPropMonotone(t *testing.T) {
	s := DefaultSettings()
	rapid.Check(t, func(t *rapid.T) {
		st := s.Replay(genLedger(t))
		e := genEvent(t, 999, 450)
		now := maxTime(st.TLast, e.At)
		before := s.Read(st, now)
		after := st
		s.Apply(&after, e)
		ra := s.Read(after, now)
		k, _ := kindInfo(e.Kind)
		for _, ef := range k.Effects {
			eb := s.Opinion(before.R[ef.Dim], before.S[ef.Dim]).E
			ea := s.Opinion(ra.R[ef.Dim], ra.S[ef.Dim]).E
			if ef.Negative && ea > eb+1e-12 {
				t.Fatalf("%s raised E_%s from %v to %v", e.Kind, ef.Dim, eb, ea)
			}
			if !ef.Negative && ea < eb-1e-12 {
				t.Fatalf("%s lowered E_%s from %v to %v", e.Kind, ef.Dim, eb, ea)
			}
		}
	})
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func TestPropOrderAndReplay(t *testing.T) {
	s := DefaultSettings()
	rapid.Check(t, func(t *rapid.T) {
		evs := genLedger(t)
		// The running state: every event applied as it happens.
		var running State
		for _, e := range chronological(evs) {
			s.Apply(&running, e)
		}
		shuffled := rapid.Permutation(evs).Draw(t, "order")
		replayed := s.Replay(shuffled)
		sameReading(t, s, running, replayed, dayAt(500))

		// Plain evidence folded with Apply in any order gives the same state.
		var plain []Event
		for _, e := range evs {
			if e.Kind != KindApology {
				plain = append(plain, e)
			}
		}
		var a, b State
		for _, e := range plain {
			s.Apply(&a, e)
		}
		for _, e := range rapid.Permutation(plain).Draw(t, "order2") {
			s.Apply(&b, e)
		}
		sameReading(t, s, a, b, dayAt(500))
	})
}

func TestPropNeutralInfluence(t *testing.T) {
	s := DefaultSettings()
	rapid.Check(t, func(t *rapid.T) {
		var b Bases
		for i := range b {
			b[i] = rapid.IntRange(0, 4).Draw(t, "base")
		}
		var st State
		// Equal positive and negative evidence keeps E at exactly 0.5.
		n := rapid.IntRange(0, 5).Draw(t, "pairs")
		for i := range n {
			s.Apply(&st, Event{ID: fmt.Sprint("p", i), Kind: KindExpertiseShown, At: epoch, Source: System})
			s.Apply(&st, Event{ID: fmt.Sprint("n", i), Kind: KindCompetenceFailure, At: epoch, Source: System})
		}
		a := s.Assess(st, b, nil, epoch)
		if math.Abs(a.Trust.E-0.5) > 1e-12 || math.Abs(a.Influence-a.Power) > 1e-12 {
			t.Fatalf("E %v I %v P %v: want I = P at E = 0.5", a.Trust.E, a.Influence, a.Power)
		}
	})
}

func TestPropReverse(t *testing.T) {
	s := DefaultSettings()
	rapid.Check(t, func(t *rapid.T) {
		evs := genLedger(t)
		st := s.Replay(evs)
		var e Event
		if len(evs) > 0 && rapid.Bool().Draw(t, "reverse-existing") {
			// Reversing an entry of the ledger equals never having logged it.
			i := rapid.IntRange(0, len(evs)-1).Draw(t, "which")
			e = evs[i]
			if e.Kind == KindApology || !hasApology(evs, e.ID) {
				without := slices.Delete(slices.Clone(evs), i, i+1)
				after := st
				s.Reverse(&after, e)
				sameReading(t, s, after, s.Replay(without), dayAt(500))
			}
			return
		}
		e = genEvent(t, 999, 450)
		after := st
		s.Apply(&after, e)
		s.Reverse(&after, e)
		sameReading(t, s, st, after, dayAt(500))
	})
}

func hasApology(evs []Event, id string) bool {
	for _, e := range evs {
		if e.Repairs != nil && e.Repairs.ID == id {
			return true
		}
	}
	return false
}

func TestPropExplainSums(t *testing.T) {
	s := DefaultSettings()
	rapid.Check(t, func(t *rapid.T) {
		evs := genLedger(t)
		st := s.Replay(evs)
		now := dayAt(rapid.Float64Range(450, 900).Draw(t, "now"))
		var r, n [NumDims][NumSources]float64
		ws := s.Explain(evs, now)
		for i, w := range ws {
			if i > 0 && math.Abs(w.Now) > math.Abs(ws[i-1].Now) {
				t.Fatalf("weights not largest first at %d", i)
			}
			if w.Negative {
				n[w.Dim][w.Source] += w.Now
			} else {
				r[w.Dim][w.Source] += w.Now
			}
		}
		g := 0.0
		if !st.TLast.IsZero() {
			g = s.decay(days(st.TLast, now))
		}
		for d := range NumDims {
			for src := range NumSources {
				if !relEq(r[d][src], st.R[d][src]*g) || !relEq(n[d][src], st.S[d][src]*g) {
					t.Fatalf("%s/%s: explained r %v s %v, stored r %v s %v", Dim(d), Source(src),
						r[d][src], n[d][src], st.R[d][src]*g, st.S[d][src]*g)
				}
			}
		}
	})
}

func TestPropReadsArePure(t *testing.T) {
	s := DefaultSettings()
	rapid.Check(t, func(t *rapid.T) {
		evs := genLedger(t)
		st := s.Replay(evs)
		snap := CheckinSnapshot(dayAt(300), [NumDims]float64{4, 2, 3})
		st.Checkin = &snap
		pulse := Snapshot{At: dayAt(320), P: [NumDims]float64{.6, .5, .4}, Rwg: [NumDims]float64{.8, .8, .8}, N: 6}
		st.Pulse = &pulse
		var recent []Recent
		for _, e := range evs {
			recent = append(recent, Recent{Event: e})
		}
		keep := st
		keepCheckin, keepPulse := *st.Checkin, *st.Pulse
		keepRecent := slices.Clone(recent)
		now := dayAt(410)
		b := DefaultBases(DirectReport)
		a1 := s.Assess(st, b, recent, now)
		r1 := s.Recommend(a1, recent, nil, now)
		s.BrokenPromiseCost(st, b, recent, now)
		s.Explain(evs, now)
		a2 := s.Assess(st, b, recent, now)
		r2 := s.Recommend(a2, recent, nil, now)
		if !reflect.DeepEqual(a1, a2) || !reflect.DeepEqual(r1, r2) {
			t.Fatalf("reads differ: %+v vs %+v", a1, a2)
		}
		if !reflect.DeepEqual(keep, st) || *st.Checkin != keepCheckin || *st.Pulse != keepPulse || !reflect.DeepEqual(keepRecent, recent) {
			t.Fatalf("a read changed its input")
		}
	})
}
