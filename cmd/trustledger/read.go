package main

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/cli"
	"github.com/trustledger/trustledger/internal/engine"
)

type statusCmd struct{}

func (statusCmd) Help() string {
	return "Power is what the person perceives you hold (0–1), trust the expected value\n" +
		"with its 80% interval, influence power × 2 × trust (so influence equals power at\n" +
		"neutral trust). Quadrants: influence (power and trust), compliance (power\n" +
		"outpaces trust), goodwill (trust without power), unanchored (neither). Until\n" +
		"there is enough evidence the quadrant reads \"not enough evidence yet\".\n\n" +
		"Example:\n\n    trustledger status\n    trustledger status --json\n"
}

type statusRow struct {
	Person string `json:"person"`
	Kind   string `json:"kind"`
	Team   string `json:"team"`
	Active bool   `json:"active"`
	assessmentView
}

type statusView struct {
	Leader        string      `json:"leader"`
	At            time.Time   `json:"at"`
	Relationships []statusRow `json:"relationships"`
}

func (c *statusCmd) Run(rt *runtime) error {
	svc, lid, err := rt.service()
	if err != nil {
		return err
	}
	rep, err := svc.Status(rt.ctx, lid)
	if err != nil {
		return err
	}
	n, err := rt.names(svc, lid)
	if err != nil {
		return err
	}
	v := statusView{Leader: rep.Leader.Name, At: rep.At, Relationships: make([]statusRow, 0, len(rep.Relationships))}
	for _, rs := range rep.Relationships {
		r := rs.Relationship
		v.Relationships = append(v.Relationships, statusRow{
			Person: r.Person, Kind: string(r.Kind), Team: n.team(r.TeamID), Active: r.Active,
			assessmentView: viewAssessment(rs.Assessment),
		})
	}
	return rt.output(v, func() error {
		if len(rep.Relationships) == 0 {
			rt.printf("No relationships yet. Add the people you lead with: trustledger person add NAME --kind direct-report\n")
			return nil
		}
		t := cli.NewTable("person", "kind", "power", "trust [low–high]", "influence", "quadrant", "warnings")
		for _, rs := range rep.Relationships {
			r, a := rs.Relationship, rs.Assessment
			name := r.Person
			if !r.Active {
				name += " (inactive)"
			}
			t.Row(name, string(r.Kind), fmt.Sprintf("%.3f", a.Power), trustCell(a.Trust),
				fmt.Sprintf("%.3f", a.Influence), quadrantCell(a.Quadrant), strings.Join(a.Warnings, ", "))
		}
		if err := t.Write(rt.stdout); err != nil {
			return err
		}
		rt.printf("\nWhy a relationship stands where it does: trustledger explain NAME\n")
		return nil
	})
}

type explainCmd struct {
	Who string `arg:"" help:"The person."`
}

func (explainCmd) Help() string {
	return "Shows trust per dimension (ability, benevolence, integrity), how much evidence\n" +
		"there is and how much of it you logged yourself, the entries that weigh most\n" +
		"today, and what one broken promise would cost now.\n\n" +
		"Example:\n\n    trustledger explain Ana\n"
}

// weightView is one entry's current weight in explain.
type weightView struct {
	EventID string        `json:"event_id"`
	Kind    string        `json:"kind"`
	At      time.Time     `json:"occurred_at"`
	Source  string        `json:"source"`
	Note    string        `json:"note,omitempty"`
	Weight  r3            `json:"weight"` // signed: + deposits, − withdrawals
	Effects map[string]r3 `json:"effects"`
	order   [engine.NumDims]float64
}

type dimExplain struct {
	Dimension string `json:"dimension"`
	Words     string `json:"words"`
	Trust     r3     `json:"trust"`
	TrustLow  r3     `json:"trust_low"`
	TrustHigh r3     `json:"trust_high"`
	Evidence  r3     `json:"evidence"`
}

type explainView struct {
	Person          personView     `json:"person"`
	At              time.Time      `json:"at"`
	Assessment      assessmentView `json:"assessment"`
	Dimensions      []dimExplain   `json:"dimensions"`
	EvidenceNeeded  r3             `json:"evidence_needed"`
	Entries         int            `json:"entries"`
	Top             []weightView   `json:"weighs_most"`
	IfPromiseBroken assessmentView `json:"if_promise_broken"`
}

// maxTop is how many entries explain lists.
const maxTop = 10

func (c *explainCmd) Run(rt *runtime) error {
	svc, lid, err := rt.service()
	if err != nil {
		return err
	}
	ex, err := svc.Explain(rt.ctx, lid, c.Who)
	if err != nil {
		return err
	}
	set, err := svc.Settings(rt.ctx, lid)
	if err != nil {
		return err
	}
	n, err := rt.names(svc, lid)
	if err != nil {
		return err
	}
	a := ex.Assessment
	v := explainView{
		Person: viewPerson(ex.Relationship, n), At: a.At, Assessment: viewAssessment(a),
		IfPromiseBroken: viewAssessment(ex.IfBroken),
		EvidenceNeeded:  r3(set.W * (1 - set.UMax) / set.UMax),
	}
	for d := range engine.NumDims {
		o := a.Dims[d]
		v.Dimensions = append(v.Dimensions, dimExplain{
			Dimension: engine.Dim(d).String(), Words: dimWords[d],
			Trust: r3(o.E), TrustLow: r3(o.Low), TrustHigh: r3(o.High), Evidence: r3(o.N),
		})
	}
	// Weights come per entry, dimension and source: add them up per entry.
	byID := map[string]*weightView{}
	var order []string
	for _, w := range ex.Weights {
		wv, ok := byID[w.EventID]
		if !ok {
			e := ex.Events[w.EventID]
			wv = &weightView{EventID: w.EventID, Kind: string(w.Kind), At: w.At, Source: w.Source.String(), Note: e.Note, Effects: map[string]r3{}}
			byID[w.EventID] = wv
			order = append(order, w.EventID)
		}
		signed := w.Now
		if w.Negative {
			signed = -w.Now
		}
		wv.order[w.Dim] += signed
		wv.Weight += r3(signed)
	}
	v.Entries = len(order)
	all := make([]*weightView, 0, len(order))
	for _, id := range order {
		wv := byID[id]
		for d := range engine.NumDims {
			if wv.order[d] != 0 {
				wv.Effects[engine.Dim(d).String()] = r3(wv.order[d])
			}
		}
		all = append(all, wv)
	}
	sort.SliceStable(all, func(i, j int) bool {
		x, y := math.Abs(float64(all[i].Weight)), math.Abs(float64(all[j].Weight))
		if x != y {
			return x > y
		}
		return all[i].At.After(all[j].At)
	})
	for i := 0; i < len(all) && i < maxTop; i++ {
		v.Top = append(v.Top, *all[i])
	}
	if v.Top == nil {
		v.Top = []weightView{}
	}
	return rt.output(v, func() error { return writeExplain(rt, ex, v) })
}

func writeExplain(rt *runtime, ex *tl.Explanation, v explainView) error {
	r, a, b := ex.Relationship, ex.Assessment, ex.IfBroken
	rt.printf("%s: %s, team %s\n", r.Person, r.Kind, v.Person.Team)
	rt.printf("power %.3f (authority %.3f), trust %s, influence %.3f, %s\n",
		a.Power, a.Authority, trustCell(a.Trust), a.Influence, quadrantCell(a.Quadrant))
	if len(a.Warnings) > 0 {
		rt.printf("warnings: %s\n", strings.Join(a.Warnings, ", "))
	}
	rt.printf("\n")
	t := cli.NewTable("dimension", "trust [low–high]", "evidence", "in the article's words")
	for d := range engine.NumDims {
		o := a.Dims[d]
		t.Row(engine.Dim(d).String(), trustCell(o), fmt.Sprintf("%.2f", o.N), dimWords[d])
	}
	if err := t.Write(rt.stdout); err != nil {
		return err
	}
	rt.printf("\nEvidence: %.2f units (%.0f needed before a quadrant is called), %.0f%% of it logged by you alone.\n",
		a.Evidence, float64(v.EvidenceNeeded), 100*a.SelfShare)
	if a.Quadrant == engine.Undetermined {
		rt.printf("Not enough evidence yet: ask %s for feedback, or confirm what you logged with --source confirmed.\n", r.Person)
	}
	if len(v.Top) == 0 {
		rt.printf("\nNo entries about %s yet.\n", r.Person)
	} else {
		rt.printf("\nThe entries that weigh most today (%d of %s):\n", len(v.Top), plural(v.Entries, "entry", "entries"))
		t := cli.NewTable("date", "kind", "weight now", "source", "note")
		for _, w := range v.Top {
			var eff []string
			for d := range engine.NumDims {
				if x := w.order[d]; x != 0 {
					eff = append(eff, fmt.Sprintf("%s %+.2f", engine.Dim(d), x))
				}
			}
			t.Row(rt.date(w.At), w.Kind, strings.Join(eff, ", "), w.Source, clip(w.Note, 40))
		}
		if err := t.Write(rt.stdout); err != nil {
			return err
		}
	}
	quad := "stays " + quadrantCell(a.Quadrant)
	if b.Quadrant != a.Quadrant {
		quad = quadrantCell(a.Quadrant) + " → " + quadrantCell(b.Quadrant)
	}
	rt.printf("\nOne broken promise to %s now would cost: trust %.3f → %.3f, integrity %.3f → %.3f, influence %.3f → %.3f; quadrant %s.\n",
		r.Person, a.Trust.E, b.Trust.E, a.Dims[engine.Integrity].E, b.Dims[engine.Integrity].E, a.Influence, b.Influence, quad)
	return nil
}
