package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// apologyForm is the apology's form on the log page, kept on a failed
// submit. Who and Promise only choose what the form offers: Who narrows
// the breaches to one person's, Promise chooses the breach a broken
// promise left.
type apologyForm struct {
	Who          string
	Repairs      string // the breach's entry id
	Promise      string
	Acknowledges bool
	OffersRepair bool
	When         string // yyyy-mm-dd
	Note         string
	What         string // the offer of repair, made a promise when given
	Due          string // yyyy-mm-dd, the promise's due date
}

// breachOption is one breach an apology may still repair.
type breachOption struct {
	ID    string
	Label string
}

// apologyData is what the apology's form needs.
type apologyData struct {
	Form     apologyForm
	Breaches []breachOption
	Window   int    // days after a breach in which an apology repairs part of it
	Person   string // the person the breaches are narrowed to, "" for everyone
}

// apologyData lists the breaches an apology may still repair: entries of
// a breaching kind from the apology window, neither reversed nor already
// apologised for, newest first; only the named person's (theirs or their
// team's) when form.Who names one. The service checks the apology itself.
func (s *Server) apologyData(r *http.Request, people []tl.Relationship, teams []tl.Team, form apologyForm) (apologyData, error) {
	ctx, leader := r.Context(), s.leader(r)
	set, err := s.svc.Settings(ctx, leader)
	if err != nil {
		return apologyData{}, err
	}
	now := s.now()
	d := apologyData{Window: int(set.ApologyWindow + 0.5)}
	since := now.Add(-time.Duration(set.ApologyWindow * float64(24*time.Hour)))
	evs, err := s.eventsSince(r, since)
	if err != nil {
		return apologyData{}, err
	}
	names := map[string]string{}
	var only *tl.Relationship
	for i, p := range people {
		names[p.ID] = p.Person
		if form.Who != "" && strings.EqualFold(p.Person, form.Who) {
			only = &people[i]
			d.Person = p.Person
		}
	}
	for _, t := range teams {
		names[t.ID] = "the whole team"
		if t.Name != tl.DefaultTeamName {
			names[t.ID] += " " + t.Name
		}
	}
	gone := map[string]bool{} // reversed, or repaired by a live apology
	reversed := map[string]bool{}
	for _, e := range evs {
		if e.Reverses != "" {
			reversed[e.Reverses] = true
			gone[e.Reverses] = true
		}
	}
	for _, e := range evs {
		if e.Kind == engine.KindApology && e.Repairs != "" && e.Reverses == "" && !reversed[e.ID] {
			gone[e.Repairs] = true
		}
	}
	for _, e := range evs {
		info, err := engine.LookupKind(string(e.Kind))
		if err != nil || !info.Breach || e.Reverses != "" || gone[e.ID] || e.OccurredAt.Before(since) {
			continue
		}
		if only != nil && e.RelationshipID != only.ID && (e.RelationshipID != "" || e.TeamID != only.TeamID) {
			continue
		}
		if form.Promise != "" && e.PromiseID == form.Promise && form.Repairs == "" {
			form.Repairs = e.ID
		}
		who := names[e.RelationshipID]
		if e.RelationshipID == "" {
			who = names[e.TeamID]
		}
		label := kindLabel(e.Kind) + " · " + who + " · " + fmtDateIn(e.OccurredAt, s.zone(r))
		if e.Note != "" {
			label += " · " + short(e.Note)
		}
		d.Breaches = append(d.Breaches, breachOption{ID: e.ID, Label: label})
	}
	if len(d.Breaches) == 1 && form.Repairs == "" {
		form.Repairs = d.Breaches[0].ID
	}
	today := dayIn(now, s.zone(r))
	if form.When == "" {
		form.When = isoDate(today)
	}
	if form.Due == "" {
		form.Due = isoDate(today.AddDate(0, 0, 7))
	}
	d.Form = form
	return d, nil
}

// eventsSince lists the leader's entries dated at or after since, newest
// first, paging through the ledger.
func (s *Server) eventsSince(r *http.Request, since time.Time) ([]tl.Event, error) {
	const page = 500
	var out []tl.Event
	cursor := ""
	for {
		evs, err := s.svc.Events(r.Context(), s.leader(r), tl.EventFilter{Limit: page, Before: cursor})
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			if e.OccurredAt.Before(since) {
				return out, nil
			}
			out = append(out, e)
		}
		if len(evs) < page {
			return out, nil
		}
		cursor = evs[len(evs)-1].ID
	}
}

// apologySubmit logs an apology linked to the breach it repairs, with the
// two parts that make one work (MODEL.md §6) as the leader ticked them.
// An offer of repair written out becomes a promise to the same person, as
// `trustledger promise add` makes it after `trustledger log apology`; the
// leader then sees the repair on the person's page.
func (s *Server) apologySubmit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	form := apologyForm{
		Who:          strings.TrimSpace(r.PostFormValue("who")),
		Repairs:      strings.TrimSpace(r.PostFormValue("repairs")),
		Acknowledges: r.PostFormValue("acknowledges") != "",
		OffersRepair: r.PostFormValue("offers_repair") != "",
		When:         strings.TrimSpace(r.PostFormValue("apology_when")),
		Note:         strings.TrimSpace(r.PostFormValue("apology_note")),
		What:         strings.TrimSpace(r.PostFormValue("promise_what")),
		Due:          strings.TrimSpace(r.PostFormValue("promise_due")),
	}
	ctx, leader := r.Context(), s.leader(r)
	fe := FormErrors{}
	// Writing the offer out is offering it.
	ev := tl.EventInput{Kind: engine.KindApology, Repairs: form.Repairs, Note: form.Note,
		Acknowledges: form.Acknowledges, OffersRepair: form.OffersRepair || form.What != ""}
	loc := s.zone(r)
	today := isoDate(dayIn(s.now(), loc))
	if form.When != "" && form.When != today {
		day, err := time.Parse("2006-01-02", form.When)
		if err != nil {
			fe["apology_when"] = "Give a date like " + today + "."
		} else {
			ev.At = middayOn(day, loc)
		}
	}
	var due time.Time
	if form.What != "" {
		t, err := parseDay(form.Due)
		if err != nil {
			fe["promise_due"] = tl.ErrorMessage(err)
		}
		due = dueOn(t, loc)
	}
	if len(fe) == 0 {
		e, err := s.svc.Log(ctx, leader, ev)
		if err == nil {
			s.apologyLogged(w, r, e, form, due)
			return
		}
		switch tl.ErrorCode(err) {
		case tl.EINVALID, tl.ECONFLICT, tl.ENOTFOUND:
			fe[formField(err, "repairs", "repairs", "who=repairs", "at=apology_when", "note=apology_note")] = tl.ErrorMessage(err)
		default:
			s.fail(w, r, err)
			return
		}
	}
	d, err := s.logData(r, logInput{Who: form.Who}, form)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Errors = fe
	s.render(w, r, http.StatusUnprocessableEntity, "log.html", d)
}

// apologyLogged makes the offer a promise when one was written, and says
// what the apology did where the leader can see it: the person's page.
func (s *Server) apologyLogged(w http.ResponseWriter, r *http.Request, e *tl.Event, form apologyForm, due time.Time) {
	ctx, leader := r.Context(), s.leader(r)
	to, back, err := s.subjectOf(r, e)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	set, err := s.svc.Settings(ctx, leader)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	breach, err := s.breachOf(r, e, to)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	msg := "Logged: your apology to " + to + ". " + apologyEffect(set, e, breach, s.zone(r))
	if form.What == "" {
		s.flashUndo(w, r, msg, "/ledger/"+e.ID+"/reverse?back="+url.QueryEscape(back))
		redirect(w, r, back)
		return
	}
	p, err := s.svc.AddPromise(ctx, leader, tl.PromiseInput{To: to, What: form.What, Due: due})
	if err != nil {
		if tl.ErrorCode(err) != tl.EINVALID {
			s.fail(w, r, err)
			return
		}
		// The apology stands; the promise is one form away, filled in.
		s.flash(w, r, msg+" Your offer is not a promise yet: "+tl.ErrorMessage(err))
		q := url.Values{"to": {to}, "what": {form.What}, "due": {form.Due}}
		redirect(w, r, "/promises?"+q.Encode()+"#promise-form")
		return
	}
	s.flash(w, r, msg+" Your offer is now a promise due "+fmtDateIn(p.Due, s.zone(r))+": keeping it does the rest.")
	redirect(w, r, back)
}

// apologyEffect says in a sentence or two what an apology does to the
// breach it repairs (MODEL.md §6): nothing for a deception or after the
// apology window; else part of its weight, the most when it both owns the
// breach and offers to put it right. Its date is said in loc.
func apologyEffect(set engine.Settings, e *tl.Event, breach *tl.Event, loc *time.Location) string {
	what := "the breach"
	if breach != nil {
		what = "the " + kindLabel(breach.Kind) + " of " + fmtDateIn(breach.OccurredAt, loc)
		switch {
		case breach.Kind == engine.KindDeceptionRevealed:
			return "An apology alone does not repair " + what + ": laying the facts open does."
		case e.OccurredAt.Sub(breach.OccurredAt) > time.Duration(set.ApologyWindow*float64(24*time.Hour)):
			return fmt.Sprintf("It came more than %d days after %s, so it no longer changes the numbers; it still matters to them.", int(set.ApologyWindow+0.5), what)
		}
	}
	switch {
	case e.Acknowledges && e.OffersRepair:
		return "It takes back part of the weight of " + what + ", as much as an apology can: you owned it and offered to put it right."
	case e.Acknowledges || e.OffersRepair:
		return "It takes back part of the weight of " + what + "; one that both owns it and offers to put it right takes back twice as much."
	}
	return "It takes back a little of the weight of " + what + ": owning it and offering to put it right would take back four times as much."
}

// subjectOf names who an entry was about, as a promise's To takes it, and
// the page to come back to: the person's, or the log for a team.
func (s *Server) subjectOf(r *http.Request, e *tl.Event) (to, back string, err error) {
	ctx, leader := r.Context(), s.leader(r)
	if e.RelationshipID != "" {
		people, err := s.svc.People(ctx, leader)
		if err != nil {
			return "", "", err
		}
		for _, p := range people {
			if p.ID == e.RelationshipID {
				return p.Person, "/people/" + p.ID + "#repair", nil
			}
		}
	}
	teams, err := s.svc.Teams(ctx, leader)
	if err != nil {
		return "", "", err
	}
	for _, t := range teams {
		if t.ID == e.TeamID {
			return t.Name, "/log", nil
		}
	}
	return "", "", tl.Errorf(tl.EINTERNAL, "the apology %s is about no one the leader leads", e.ID)
}

// breachOf finds the breach an apology repairs among the latest entries
// about who; nil when it is not among them.
func (s *Server) breachOf(r *http.Request, e *tl.Event, who string) (*tl.Event, error) {
	evs, err := s.svc.Events(r.Context(), s.leader(r), tl.EventFilter{Who: who, Limit: 500})
	if err != nil {
		return nil, err
	}
	for i := range evs {
		if evs[i].ID == e.Repairs {
			return &evs[i], nil
		}
	}
	return nil, nil
}
