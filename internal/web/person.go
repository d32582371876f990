package web

import (
	"html/template"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/chart"
	"github.com/trustledger/trustledger/internal/engine"
)

// ledgerRow is one entry in a ledger listing.
type ledgerRow struct {
	tl.Event
	Reversed bool // a later entry cancels this one
	Who      string
}

// weightRow is one entry of the explanation: what it adds now.
type weightRow struct {
	EventID string
	Kind    engine.Kind
	At      time.Time
	Dims    string  // the dimensions it moves
	Net     float64 // positive minus negative evidence it carries now
	Note    string
}

// baseRow is one power base in the editable form.
type baseRow struct {
	Name  string
	Label string
	Value int
}

// personPage is the data of person.html.
type personPage struct {
	Page
	Rel         tl.Relationship
	A           engine.Assessment
	IfBroken    engine.Assessment
	Trend       template.HTML
	Bars        template.HTML
	Dims        []dimRow
	Bases       []baseRow
	Ledger      []ledgerRow
	Explain     []weightRow
	Checkins    []tl.Checkin // named check-ins with this person, newest first
	Standing    tl.Standing  // whether they count toward k, and why not
	CostTrust   float64      // drop in trust E if one promise broke now
	CostInteg   float64      // drop in integrity E
	QuadChange  bool
	Breaches    []breachRow // breaches among the ledger's entries, newest first
	ApologyDays int         // days after a breach in which an apology repairs part of it
}

// breachRow is one breach of trust on the person page and what repaired it.
type breachRow struct {
	tl.Event
	Apology *tl.Event // the live apology that repairs it; nil when none
	Share   float64   // the share of the breach's weight the apology took back
	Open    bool      // no apology yet, and one would still repair part of it
}

// dimRow restates a dimension in words beside the bars.
type dimRow struct {
	Label  string
	E      float64
	Low    float64
	High   float64
	Enough bool
}

// baseWords names the six power bases for the form (MODEL.md §7).
var baseWords = [engine.NumBases]string{
	"Legitimate: the title and the right to decide",
	"Reward: pay, promotion, good assignments",
	"Coercive: sanctions, bad reviews",
	"Informational: what you know that they need",
	"Expert: your skill as they see it",
	"Referent: how much they identify with you",
}

// relByID finds one of the leader's relationships by id; another leader's
// id is ENOTFOUND like an unknown one.
func (s *Server) relByID(r *http.Request, id string) (*tl.Relationship, error) {
	rels, err := s.svc.People(r.Context(), s.leader(r))
	if err != nil {
		return nil, err
	}
	for i := range rels {
		if rels[i].ID == id {
			return &rels[i], nil
		}
	}
	return nil, tl.Errorf(tl.ENOTFOUND, "no such person among the people you lead")
}

func (s *Server) personData(r *http.Request, rel *tl.Relationship) (*personPage, error) {
	ctx, leader := r.Context(), s.leader(r)
	ex, err := s.svc.Explain(ctx, leader, rel.Person)
	if err != nil {
		return nil, err
	}
	evs, err := s.svc.Events(ctx, leader, tl.EventFilter{Who: rel.Person, Limit: 50})
	if err != nil {
		return nil, err
	}
	hist, err := s.trustHistory(ctx, leader, ex)
	if err != nil {
		return nil, err
	}
	a := ex.Assessment
	d := &personPage{
		Page:     Page{Title: ex.Relationship.Person, Nav: "dashboard"},
		Rel:      ex.Relationship,
		A:        a,
		IfBroken: ex.IfBroken,
		Ledger:   ledgerRows(evs, rel.Person),
	}
	d.Trend = chart.HTML(chart.TrustOverTime(chart.Series{
		ID: "trend", Title: "Trust in " + rel.Person + " over time", Name: rel.Person,
		Empty: "No readings yet: log what happens between you.", Points: hist,
	}))
	var bars []chart.Bar
	for i := 0; i < engine.NumDims; i++ {
		o := a.Dims[i]
		bars = append(bars, chart.Bar{Dim: engine.Dim(i).String(), Label: dimWords[i], Value: o.E, Low: o.Low, High: o.High})
		d.Dims = append(d.Dims, dimRow{Label: dimWords[i], E: o.E, Low: o.Low, High: o.High, Enough: o.Enough})
	}
	d.Bars = chart.HTML(chart.DimensionBars(chart.Dims{ID: "dims", Title: "Trust in " + rel.Person + " by dimension", Bars: bars}))
	for i := 0; i < engine.NumBases; i++ {
		d.Bases = append(d.Bases, baseRow{Name: engine.Base(i).String(), Label: baseWords[i], Value: ex.Relationship.Bases[i]})
	}
	d.Explain = explainRows(ex, 10)
	set, err := s.svc.Settings(ctx, leader)
	if err != nil {
		return nil, err
	}
	d.ApologyDays = int(set.ApologyWindow + 0.5)
	d.Breaches = breachRows(d.Ledger, ex, s.now(), set.ApologyWindow)
	d.CostTrust = a.Trust.E - ex.IfBroken.Trust.E
	d.CostInteg = a.Dims[engine.Integrity].E - ex.IfBroken.Dims[engine.Integrity].E
	d.QuadChange = a.Quadrant != ex.IfBroken.Quadrant
	roster, err := s.svc.VoiceRoster(ctx, leader)
	if err != nil {
		return nil, err
	}
	for _, st := range roster {
		if st.RelationshipID == rel.ID {
			d.Standing = st
		}
	}
	cks, err := s.svc.Checkins(ctx, leader)
	if err != nil {
		return nil, err
	}
	for _, c := range cks {
		if c.RelationshipID == rel.ID {
			d.Checkins = append(d.Checkins, c)
		}
	}
	return d, nil
}

// explainRows sums each event's current weights across dimensions and
// sources (negative evidence counts against) and keeps the n largest.
func explainRows(ex *tl.Explanation, n int) []weightRow {
	type acc struct {
		net  float64
		dims map[engine.Dim]bool
		w    engine.Weight
	}
	by := map[string]*acc{}
	var order []string
	for _, w := range ex.Weights {
		a := by[w.EventID]
		if a == nil {
			a = &acc{dims: map[engine.Dim]bool{}, w: w}
			by[w.EventID] = a
			order = append(order, w.EventID)
		}
		if w.Negative {
			a.net -= w.Now
		} else {
			a.net += w.Now
		}
		a.dims[w.Dim] = true
	}
	sort.SliceStable(order, func(i, j int) bool { return math.Abs(by[order[i]].net) > math.Abs(by[order[j]].net) })
	if len(order) > n {
		order = order[:n]
	}
	rows := make([]weightRow, 0, len(order))
	for _, id := range order {
		a := by[id]
		var dims string
		for d := engine.Dim(0); d < engine.NumDims; d++ {
			if a.dims[d] {
				if dims != "" {
					dims += ", "
				}
				dims += d.String()
			}
		}
		ev := ex.Events[id]
		if ev.ID == "" {
			ev = tl.Event{ID: id, Kind: a.w.Kind, OccurredAt: a.w.At}
		}
		rows = append(rows, weightRow{EventID: id, Kind: a.w.Kind, At: ev.OccurredAt, Dims: dims, Net: a.net, Note: ev.Note})
	}
	return rows
}

// breachRows picks the live breaches out of a ledger listing, each with
// the live apology that repairs it and the share of the breach's weight
// that apology took back today (from the explanation's weights); a breach
// without one is open while an apology would still repair part of it.
func breachRows(rows []ledgerRow, ex *tl.Explanation, now time.Time, windowDays float64) []breachRow {
	weight := map[string]float64{} // each entry's negative evidence now (an apology's removals count negative)
	for _, w := range ex.Weights {
		if w.Negative {
			weight[w.EventID] += w.Now
		}
	}
	apology := map[string]*tl.Event{}
	for i := range rows {
		if e := &rows[i].Event; e.Kind == engine.KindApology && e.Repairs != "" && e.Reverses == "" && !rows[i].Reversed {
			apology[e.Repairs] = e
		}
	}
	var out []breachRow
	for _, r := range rows {
		info, err := engine.LookupKind(string(r.Kind))
		if err != nil || !info.Breach || r.Reverses != "" || r.Reversed {
			continue
		}
		b := breachRow{Event: r.Event, Apology: apology[r.ID]}
		if b.Apology != nil {
			if w := weight[r.ID]; w > 0 {
				b.Share = -weight[b.Apology.ID] / w
			}
		} else {
			b.Open = now.Sub(r.OccurredAt) <= time.Duration(windowDays*float64(24*time.Hour))
		}
		out = append(out, b)
	}
	return out
}

// ledgerRows marks the entries a listed reversal cancels.
func ledgerRows(evs []tl.Event, who string) []ledgerRow {
	reversed := map[string]bool{}
	for _, e := range evs {
		if e.Reverses != "" {
			reversed[e.Reverses] = true
		}
	}
	rows := make([]ledgerRow, 0, len(evs))
	for _, e := range evs {
		rows = append(rows, ledgerRow{Event: e, Reversed: reversed[e.ID], Who: who})
	}
	return rows
}

func (s *Server) personPage(w http.ResponseWriter, r *http.Request) {
	rel, err := s.relByID(r, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.personData(r, rel)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "person.html", d)
}

// personPower saves the power bases form.
func (s *Server) personPower(w http.ResponseWriter, r *http.Request) {
	rel, err := s.relByID(r, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	power := map[string]int{}
	fe := FormErrors{}
	for i := 0; i < engine.NumBases; i++ {
		name := engine.Base(i).String()
		v, err := strconv.Atoi(r.PostFormValue(name))
		if err != nil {
			fe[name] = "Pick 0 (none) to 4 (very strong)."
			continue
		}
		power[name] = v
	}
	if len(fe) == 0 {
		_, err = s.svc.SetPower(r.Context(), s.leader(r), rel.Person, power)
		if err == nil {
			s.flash(w, r, "Power bases saved for "+rel.Person+".")
			redirect(w, r, "/people/"+rel.ID+"#power")
			return
		}
		if tl.ErrorCode(err) != tl.EINVALID {
			s.fail(w, r, err)
			return
		}
		field := ""
		if base, ok := strings.CutPrefix(tl.ErrorField(err), "power."); ok {
			field = base
		}
		fe[field] = tl.ErrorMessage(err)
	}
	d, derr := s.personData(r, rel)
	if derr != nil {
		s.fail(w, r, derr)
		return
	}
	for i := range d.Bases {
		if v, err := strconv.Atoi(r.PostFormValue(d.Bases[i].Name)); err == nil {
			d.Bases[i].Value = v
		}
	}
	d.Errors = fe
	s.render(w, r, http.StatusUnprocessableEntity, "person.html", d)
}
