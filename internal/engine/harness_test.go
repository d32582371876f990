package engine

import (
	"fmt"
	"math"
	"testing"
	"time"
)

// story replays a relationship day by day through the public API, the way
// the scenario simulator does, so the §13 tests exercise what ships.
type story struct {
	s      Settings
	t0     time.Time
	st     State
	b      Bases
	recent []Recent
	n      int
}

var epoch = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

func newStory(b Bases) *story {
	return &story{s: DefaultSettings(), t0: epoch, b: b}
}

func (m *story) at(d float64) time.Time {
	return m.t0.Add(time.Duration(d * float64(24*time.Hour)))
}

// add logs one event on day d and returns it as applied.
func (m *story) add(d float64, k Kind, src Source, sev Severity) Event {
	m.n++
	e := Event{ID: fmt.Sprintf("e%04d", m.n), Kind: k, At: m.at(d), Source: src, Severity: sev}
	m.s.Apply(&m.st, e)
	m.recent = append(m.recent, Recent{Event: e})
	return e
}

func (m *story) apology(d float64, breach Event, ack, offer bool) Event {
	m.n++
	e := Event{ID: fmt.Sprintf("e%04d", m.n), Kind: KindApology, At: m.at(d), Source: Self,
		Repairs: &breach, Acknowledges: ack, OffersRepair: offer}
	m.s.Apply(&m.st, e)
	for i := range m.recent {
		if m.recent[i].ID == breach.ID {
			m.recent[i].Repaired = true
		}
	}
	m.recent = append(m.recent, Recent{Event: e})
	return e
}

// pulse logs a released team pulse wave with n respondents.
func (m *story) pulse(d float64, pA, pB, pI, rwg float64, n int) {
	m.n++
	snap := Snapshot{At: m.at(d), P: [NumDims]float64{pA, pB, pI}, Rwg: [NumDims]float64{rwg, rwg, rwg}, N: n}
	e := Event{ID: fmt.Sprintf("e%04d", m.n), Kind: KindPulse, At: snap.At, Source: System, Snapshot: &snap}
	m.s.Apply(&m.st, e)
	m.recent = append(m.recent, Recent{Event: e})
}

// window keeps the events a caller would pass: the last 42 days.
func (m *story) window(now time.Time) []Recent {
	var out []Recent
	for _, r := range m.recent {
		if age := now.Sub(r.At); age >= 0 && age <= 42*24*time.Hour {
			out = append(out, r)
		}
	}
	return out
}

func (m *story) assess(d float64) Assessment {
	now := m.at(d)
	return m.s.Assess(m.st, m.b, m.window(now), now)
}

func (m *story) clone() *story {
	c := *m
	c.recent = append([]Recent(nil), m.recent...)
	return &c
}

// near fails the test when got is not within ±tol of want.
func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tol {
		t.Errorf("%s = %.4f, want %.4f ± %g", what, got, want, tol)
	}
}
