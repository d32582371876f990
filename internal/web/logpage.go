package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// kindGroup is one group of kinds on the log form, in the article's terms.
type kindGroup struct {
	Title string
	Help  string
	Kinds []engine.KindInfo
	Power bool // changes of authority: the form asks which base and by how much
}

// logInput is the log form's values, kept on a failed submit.
type logInput struct {
	Who      string
	Kind     string
	Severity string
	Source   string
	Note     string
	When     string // yyyy-mm-dd
	Base     string // authority granted or removed: the base of power
	Shift    string // and by how many points, 1–4
}

// logPage is the data of log.html: the form for what happened, and the
// apology's own form beside it.
type logPage struct {
	Page
	People []tl.Relationship
	Teams  []tl.Team
	Groups []kindGroup
	Bases  []baseRow // the power bases, for authority granted or removed
	In     logInput
	Today  string
	Recent []ledgerRow
	// Apology is the apology's form beside the other.
	Apology apologyData
}

// kindGroups lists what a leader logs on the form: the article's builders
// and barriers, changes of authority (which move a base of power, no trust
// evidence) and directives (a use of power, no trust evidence). Apologies
// need the breach they repair and have their own form (logapology.go);
// snapshots come from check-ins and pulses.
func kindGroups() []kindGroup {
	gs := []kindGroup{
		{Title: "Builders", Help: "what the article says builds trust"},
		{Title: "Barriers", Help: "what the article says erodes it"},
		{Title: "Authority given or taken away", Help: "moves one base of power; trust does not change", Power: true},
		{Title: "Use of power", Help: "no trust evidence, but counted when orders outweigh persuasion"},
	}
	for _, k := range engine.Kinds() {
		switch {
		case k.Group == engine.Builder:
			gs[0].Kinds = append(gs[0].Kinds, k)
		case k.Group == engine.Barrier:
			gs[1].Kinds = append(gs[1].Kinds, k)
		case k.IsPower:
			gs[2].Kinds = append(gs[2].Kinds, k)
		case k.IsDirective:
			gs[3].Kinds = append(gs[3].Kinds, k)
		}
	}
	return gs
}

var severities = []string{"minor", "normal", "major", "severe"}

func (s *Server) logData(r *http.Request, in logInput, ap apologyForm) (*logPage, error) {
	ctx, leader := r.Context(), s.leader(r)
	people, err := s.svc.People(ctx, leader)
	if err != nil {
		return nil, err
	}
	teams, err := s.svc.Teams(ctx, leader)
	if err != nil {
		return nil, err
	}
	evs, err := s.svc.Events(ctx, leader, tl.EventFilter{Limit: 20})
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, p := range people {
		names[p.ID] = p.Person
	}
	for _, t := range teams {
		names[t.ID] = tl.TeamPhrase(t.Name)
	}
	rows := ledgerRows(evs, "")
	for i := range rows {
		if rows[i].RelationshipID != "" {
			rows[i].Who = names[rows[i].RelationshipID]
		} else {
			rows[i].Who = names[rows[i].TeamID]
		}
	}
	today := isoDate(dayIn(s.now(), s.zone(r)))
	if in.When == "" {
		in.When = today
	}
	if in.Severity == "" {
		in.Severity = "normal"
	}
	if in.Source == "" {
		in.Source = engine.Self.String()
	}
	if in.Shift == "" {
		in.Shift = "1"
	}
	var active []tl.Relationship
	for _, p := range people {
		if p.Active {
			active = append(active, p)
		}
	}
	d := &logPage{
		Page:   Page{Title: "Log", Nav: "log"},
		People: active, Teams: teams, Groups: kindGroups(), In: in, Today: today, Recent: rows,
	}
	for i := range engine.NumBases {
		d.Bases = append(d.Bases, baseRow{Name: engine.Base(i).String(), Label: baseWords[i]})
	}
	if d.Apology, err = s.apologyData(r, people, teams, ap); err != nil {
		return nil, err
	}
	return d, nil
}

// logForm shows the form. ?who= chooses the person (and narrows the
// apology's breaches to theirs), ?kind= the kind; ?repairs= (an entry) or
// ?promise= (a broken promise) chooses the breach an apology repairs.
func (s *Server) logForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	in := logInput{Who: q.Get("who"), Kind: q.Get("kind")}
	d, err := s.logData(r, in, apologyForm{Who: q.Get("who"), Repairs: q.Get("repairs"), Promise: q.Get("promise")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "log.html", d)
}

// logSubmit logs one entry and comes back to the form with a confirmation
// that can undo it (a reversing entry).
func (s *Server) logSubmit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	in := logInput{
		Who:      strings.TrimSpace(r.PostFormValue("who")),
		Kind:     strings.TrimSpace(r.PostFormValue("kind")),
		Severity: r.PostFormValue("severity"),
		Source:   r.PostFormValue("source"),
		Note:     strings.TrimSpace(r.PostFormValue("note")),
		When:     strings.TrimSpace(r.PostFormValue("when")),
		Base:     strings.TrimSpace(r.PostFormValue("base")),
		Shift:    strings.TrimSpace(r.PostFormValue("shift")),
	}
	// The form reads its choices and its date; the service checks the
	// entry (who, what happened, when, the note, the base and the shift).
	fe := FormErrors{}
	ev := tl.EventInput{Who: in.Who, Kind: engine.Kind(in.Kind), Note: in.Note}
	if info, err := engine.LookupKind(in.Kind); err == nil && info.IsPower {
		// The base and the points belong to a change of authority only:
		// for any other kind the form sends them and they mean nothing.
		ev.Base = in.Base
		if in.Shift != "" {
			n, err := strconv.Atoi(in.Shift)
			if err != nil {
				fe["shift"] = "Pick how many points: 1 to 4."
			}
			ev.Shift = n
		}
	}
	if sev, err := engine.ParseSeverity(in.Severity); err != nil {
		fe["severity"] = "Pick minor, normal, major or severe."
	} else {
		ev.Severity = sev
	}
	switch in.Source {
	case "", engine.Self.String():
		ev.Source = engine.Self
	case engine.Confirmed.String():
		ev.Source = engine.Confirmed
	default:
		fe["source"] = "Pick whether you noted it yourself or they confirmed it."
	}
	loc := s.zone(r)
	today := isoDate(dayIn(s.now(), loc))
	if in.When != "" && in.When != today {
		day, err := time.Parse("2006-01-02", in.When)
		if err != nil {
			fe["when"] = "Give a date like " + today + "."
		} else {
			// Midday: the day is what the leader knows. Today is sent as
			// no date (now); a day after today is the service's to refuse.
			ev.At = middayOn(day, loc)
		}
	}
	if len(fe) == 0 {
		e, err := s.svc.Log(r.Context(), s.leader(r), ev)
		if err == nil {
			back := "/log?who=" + url.QueryEscape(in.Who)
			whom := in.Who
			if e.Subject == tl.SubjectTeam {
				whom = "the whole team"
				if !strings.EqualFold(in.Who, tl.DefaultTeamName) {
					whom += " " + in.Who
				}
			}
			s.flashUndo(w, r, "Logged: "+kindLabel(e.Kind)+" for "+whom+".",
				"/ledger/"+e.ID+"/reverse?back="+url.QueryEscape(back))
			redirect(w, r, back)
			return
		}
		switch tl.ErrorCode(err) {
		case tl.EINVALID:
			fe[formField(err, "", "who", "kind", "severity", "at=when", "source", "note", "base", "shift")] = tl.ErrorMessage(err)
		case tl.ENOTFOUND:
			fe[formField(err, "who", "who")] = tl.ErrorMessage(err)
		default:
			s.fail(w, r, err)
			return
		}
	}
	d, err := s.logData(r, in, apologyForm{Who: in.Who})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Errors = fe
	s.render(w, r, http.StatusUnprocessableEntity, "log.html", d)
}

// reverse cancels a ledger entry with a reversing entry. It returns to
// ?back= when given (the undo on a confirmation), else to the person's page.
func (s *Server) reverse(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	rev, err := s.svc.Reverse(r.Context(), s.leader(r), r.PathValue("id"), strings.TrimSpace(r.PostFormValue("note")))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	back := r.URL.Query().Get("back")
	if !localPath(back) {
		back = "/log"
		if rev.RelationshipID != "" {
			back = "/people/" + rev.RelationshipID
		}
	}
	s.flash(w, r, "Reversed: the entry no longer counts. The ledger keeps both for the record.")
	redirect(w, r, back)
}
