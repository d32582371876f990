package scenario

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// Result is a run's report at the end of every week. Its JSON is the
// format of MODEL.md §17, which scripts and the web app's simulator page
// read.
type Result struct {
	Scenario string `json:"scenario"`
	Weeks    []Week `json:"weeks"`
}

// Week is the state read on day 7w, after that day's events.
type Week struct {
	Week          int            `json:"week"`
	End           string         `json:"end"` // YYYY-MM-DD of day 7w
	Relationships []Relationship `json:"relationships"`
	Team          Team           `json:"team"`
	Step          *Step          `json:"step"` // nil (null) when no relationship is eligible
}

// Dimensions holds expected trust E per dimension.
type Dimensions struct {
	Ability     float64 `json:"ability"`
	Benevolence float64 `json:"benevolence"`
	Integrity   float64 `json:"integrity"`
}

// Relationship is one person's assessment at the end of a week (MODEL.md
// §7–§9 and §17).
type Relationship struct {
	Person      string     `json:"person"`
	Authority   float64    `json:"authority"`
	Power       float64    `json:"power"`
	Trust       float64    `json:"trust"`      // E
	TrustLow    float64    `json:"trust_low"`  // 10% quantile
	TrustHigh   float64    `json:"trust_high"` // 90% quantile
	Uncertainty float64    `json:"uncertainty"`
	PHigh       float64    `json:"p_high"` // Pr(T > θ_T)
	Influence   float64    `json:"influence"`
	Gap         float64    `json:"gap"` // authority − trust
	Evidence    float64    `json:"evidence"`
	Quadrant    string     `json:"quadrant"`
	Warnings    []string   `json:"warnings"`
	PowerUse    float64    `json:"power_use"`
	Dimensions  Dimensions `json:"dimensions"`
}

// Team averages every numeric field of the week's relationships.
type Team struct {
	Authority   float64    `json:"authority"`
	Power       float64    `json:"power"`
	Trust       float64    `json:"trust"`
	TrustLow    float64    `json:"trust_low"`
	TrustHigh   float64    `json:"trust_high"`
	Uncertainty float64    `json:"uncertainty"`
	PHigh       float64    `json:"p_high"`
	Influence   float64    `json:"influence"`
	Gap         float64    `json:"gap"`
	Evidence    float64    `json:"evidence"`
	PowerUse    float64    `json:"power_use"`
	Dimensions  Dimensions `json:"dimensions"`
}

// Step is the week's one concrete step: the relationship where authority
// most exceeds trust (§10) and the move for its weakest dimension (§11).
type Step struct {
	Person    string `json:"person"`
	Dimension string `json:"dimension"`
	Move      string `json:"move"`
	Text      string `json:"text"`
}

// r3 rounds to 3 decimals in JSON: the engine's precision is far beyond
// what its inputs justify, and stable output makes golden files readable.
type r3 float64

func (x r3) MarshalJSON() ([]byte, error) {
	v := float64(x)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	v = math.Round(v*1000)/1000 + 0 // + 0 turns −0 into 0
	return json.Marshal(v)
}

type dimsJSON struct {
	Ability     r3 `json:"ability"`
	Benevolence r3 `json:"benevolence"`
	Integrity   r3 `json:"integrity"`
}

// MarshalJSON rounds to 3 decimals.
func (d Dimensions) MarshalJSON() ([]byte, error) {
	return json.Marshal(dimsJSON{r3(d.Ability), r3(d.Benevolence), r3(d.Integrity)})
}

// MarshalJSON rounds every number to 3 decimals.
func (r Relationship) MarshalJSON() ([]byte, error) {
	w := r.Warnings
	if w == nil {
		w = []string{}
	}
	return json.Marshal(struct {
		Person      string     `json:"person"`
		Authority   r3         `json:"authority"`
		Power       r3         `json:"power"`
		Trust       r3         `json:"trust"`
		TrustLow    r3         `json:"trust_low"`
		TrustHigh   r3         `json:"trust_high"`
		Uncertainty r3         `json:"uncertainty"`
		PHigh       r3         `json:"p_high"`
		Influence   r3         `json:"influence"`
		Gap         r3         `json:"gap"`
		Evidence    r3         `json:"evidence"`
		Quadrant    string     `json:"quadrant"`
		Warnings    []string   `json:"warnings"`
		PowerUse    r3         `json:"power_use"`
		Dimensions  Dimensions `json:"dimensions"`
	}{r.Person, r3(r.Authority), r3(r.Power), r3(r.Trust), r3(r.TrustLow), r3(r.TrustHigh), r3(r.Uncertainty),
		r3(r.PHigh), r3(r.Influence), r3(r.Gap), r3(r.Evidence), r.Quadrant, w, r3(r.PowerUse), r.Dimensions})
}

// MarshalJSON rounds every number to 3 decimals.
func (t Team) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Authority   r3         `json:"authority"`
		Power       r3         `json:"power"`
		Trust       r3         `json:"trust"`
		TrustLow    r3         `json:"trust_low"`
		TrustHigh   r3         `json:"trust_high"`
		Uncertainty r3         `json:"uncertainty"`
		PHigh       r3         `json:"p_high"`
		Influence   r3         `json:"influence"`
		Gap         r3         `json:"gap"`
		Evidence    r3         `json:"evidence"`
		PowerUse    r3         `json:"power_use"`
		Dimensions  Dimensions `json:"dimensions"`
	}{r3(t.Authority), r3(t.Power), r3(t.Trust), r3(t.TrustLow), r3(t.TrustHigh), r3(t.Uncertainty), r3(t.PHigh),
		r3(t.Influence), r3(t.Gap), r3(t.Evidence), r3(t.PowerUse), t.Dimensions})
}

// timeline returns the indices of events in the order they happen: by
// week, then day, then file order. Day 0 of week w sorts after day 7 of
// week w−1 although both fall on the same instant, which is what makes it
// "the start of week w".
func timeline(events []Event) []int {
	idx := make([]int, len(events))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		return cmp.Or(cmp.Compare(events[a].Week, events[b].Week), cmp.Compare(events[a].Day, events[b].Day))
	})
	return idx
}

// applied is a negative event kept so that a later apology can find it.
type applied struct {
	ev   engine.Event
	week int
}

// rel is one relationship's running state during a run.
type rel struct {
	name     string
	bases    engine.Bases
	st       engine.State
	recent   []engine.Recent // events of the last window, oldest first
	breaches []applied
	n        int
}

// invalid is an EINVALID error of the simulation; a %w operand is its
// cause.
func invalid(format string, args ...any) error {
	e := trustledger.Errorf(trustledger.EINVALID, format, args...)
	e.Op = "simulate"
	return e
}

// Run replays the scenario through the engine and reports every week. It
// is deterministic: the same scenario always gives the same result.
func Run(sc *Scenario) (*Result, error) {
	if sc == nil || len(sc.People) == 0 {
		return nil, invalid("the scenario has no people")
	}
	s := sc.Settings
	rels := make([]*rel, len(sc.People))
	byName := make(map[string]*rel, len(sc.People))
	for i, p := range sc.People {
		rels[i] = &rel{name: p.Name, bases: p.Bases}
		byName[p.Name] = rels[i]
	}
	infos := make([]engine.KindInfo, len(sc.Events))
	for i, e := range sc.Events {
		ki, err := engine.LookupKind(string(e.Kind))
		if err != nil {
			return nil, invalid("%s:%d: %w", sc.File, e.Line, err)
		}
		infos[i] = ki
	}
	window := time.Duration(max(s.BarrierWindow, s.CommandWindow, s.BreachWindow) * float64(24*time.Hour))

	order := timeline(sc.Events)
	weeks := sc.Weeks()
	res := &Result{Scenario: sc.Name, Weeks: make([]Week, 0, weeks)}
	next := 0
	as := make([]engine.Assessment, len(rels))
	cands := make([]engine.Candidate, len(rels))
	for w := 1; w <= weeks; w++ {
		for next < len(order) && sc.Events[order[next]].Week <= w {
			i := order[next]
			next++
			e := &sc.Events[i]
			who := e.Who
			if e.Team {
				who = who[:0:0]
				for _, p := range sc.People {
					who = append(who, p.Name)
				}
			}
			for _, name := range who {
				r := byName[name]
				if r == nil {
					return nil, invalid("%s:%d: unknown person %q", sc.File, e.Line, name)
				}
				for range max(e.Count, 1) {
					if err := r.apply(sc, e, infos[i]); err != nil {
						return nil, err
					}
				}
			}
		}

		now := sc.weekEnd(w)
		wk := Week{Week: w, End: now.Format("2006-01-02"), Relationships: make([]Relationship, len(rels))}
		for i, r := range rels {
			r.trim(now, window)
			a := s.Assess(r.st, r.bases, r.recent, now)
			as[i] = a
			cands[i] = engine.Candidate{ID: r.name, Authority: a.Authority, E: a.Trust.E, PrBelowA: a.PrBelowA, Active: true}
			wk.Relationships[i] = relationship(r.name, a)
		}
		wk.Team = average(wk.Relationships)
		if i := s.Pick(cands, now); i >= 0 {
			rec := s.Recommend(as[i], rels[i].recent, nil, now)
			wk.Step = &Step{Person: rels[i].name, Dimension: rec.Dim.String(), Move: rec.Move, Text: rec.Text}
		}
		res.Weeks = append(res.Weeks, wk)
	}
	return res, nil
}

// apply folds one occurrence of e into the relationship.
func (r *rel) apply(sc *Scenario, e *Event, ki engine.KindInfo) error {
	r.n++
	ev := engine.Event{
		ID:       fmt.Sprintf("%s#%d", r.name, r.n),
		Kind:     ki.Kind,
		At:       sc.dayTime(e.Week, e.Day),
		Source:   e.Source,
		Severity: e.Severity,
	}
	switch {
	case ki.IsPower:
		for b := range engine.NumBases {
			if e.SetBase[b] {
				r.bases[b] = min(max(e.Bases[b], 0), 4)
			}
		}
	case ki.IsSnapshot:
		snap := engine.Snapshot{At: ev.At, P: e.Scores, N: 1}
		for d := range engine.NumDims {
			snap.Rwg[d] = 1
			if ki.Kind == engine.KindPulse {
				snap.Rwg[d] = e.Agreement
			}
		}
		if ki.Kind == engine.KindPulse {
			snap.N = e.Responses
		}
		ev.Snapshot = &snap
	case ki.IsApology:
		if e.Repairs == nil {
			return invalid("%s:%d: apology needs repairs", sc.File, e.Line)
		}
		j := len(r.breaches) - 1
		for ; j >= 0; j-- {
			if b := r.breaches[j]; b.ev.Kind == e.Repairs.Kind && b.week <= e.Repairs.Week {
				break
			}
		}
		if j < 0 {
			return invalid("%s:%d: the apology finds no %s for %s on or before week %d to repair",
				sc.File, e.Line, e.Repairs.Kind, r.name, e.Repairs.Week)
		}
		breach := r.breaches[j].ev
		ev.Repairs, ev.Acknowledges, ev.OffersRepair = &breach, e.Acknowledges, e.OffersRepair
		for k := range r.recent {
			if r.recent[k].ID == breach.ID {
				r.recent[k].Repaired = true
			}
		}
	}
	sc.Settings.Apply(&r.st, ev)
	r.recent = append(r.recent, engine.Recent{Event: ev})
	if negative(ki) {
		r.breaches = append(r.breaches, applied{ev: ev, week: e.Week})
	}
	return nil
}

// trim drops events older than the longest window any rule looks at.
func (r *rel) trim(now time.Time, window time.Duration) {
	cut := now.Add(-window)
	i := 0
	for i < len(r.recent) && r.recent[i].At.Before(cut) {
		i++
	}
	if i > 0 {
		r.recent = append(r.recent[:0], r.recent[i:]...)
	}
}

func relationship(name string, a engine.Assessment) Relationship {
	w := append([]string{}, a.Warnings...)
	return Relationship{
		Person: name, Authority: a.Authority, Power: a.Power,
		Trust: a.Trust.E, TrustLow: a.Trust.Low, TrustHigh: a.Trust.High,
		Uncertainty: a.Trust.U, PHigh: a.Trust.PHigh, Influence: a.Influence, Gap: a.Gap,
		Evidence: a.Evidence, Quadrant: string(a.Quadrant), Warnings: w, PowerUse: a.PowerUse,
		Dimensions: Dimensions{
			Ability:     a.Dims[engine.Ability].E,
			Benevolence: a.Dims[engine.Benevolence].E,
			Integrity:   a.Dims[engine.Integrity].E,
		},
	}
}

func average(rs []Relationship) Team {
	var t Team
	if len(rs) == 0 {
		return t
	}
	for _, r := range rs {
		t.Authority += r.Authority
		t.Power += r.Power
		t.Trust += r.Trust
		t.TrustLow += r.TrustLow
		t.TrustHigh += r.TrustHigh
		t.Uncertainty += r.Uncertainty
		t.PHigh += r.PHigh
		t.Influence += r.Influence
		t.Gap += r.Gap
		t.Evidence += r.Evidence
		t.PowerUse += r.PowerUse
		t.Dimensions.Ability += r.Dimensions.Ability
		t.Dimensions.Benevolence += r.Dimensions.Benevolence
		t.Dimensions.Integrity += r.Dimensions.Integrity
	}
	n := float64(len(rs))
	for _, p := range []*float64{&t.Authority, &t.Power, &t.Trust, &t.TrustLow, &t.TrustHigh, &t.Uncertainty,
		&t.PHigh, &t.Influence, &t.Gap, &t.Evidence, &t.PowerUse,
		&t.Dimensions.Ability, &t.Dimensions.Benevolence, &t.Dimensions.Integrity} {
		*p /= n
	}
	return t
}

// WriteJSON writes the result as the indented JSON of MODEL.md §17 with a
// final newline: what `simulate --json` prints.
func WriteJSON(w io.Writer, r *Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
