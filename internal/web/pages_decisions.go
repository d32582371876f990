package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
)

// decisionForm is the "log a decision" form, kept on a failed submit.
type decisionForm struct {
	What    string
	Why     string
	Affects string
	When    string // yyyy-mm-dd
}

// decisionsPage is the data of pages_decisions.html.
type decisionsPage struct {
	Page
	Decisions   []tl.Decision // newest first
	Unexplained int           // decisions without a why
	Who         whoOptions
	Form        decisionForm
	Today       string
}

func (s *Server) decisionsData(r *http.Request, form decisionForm) (*decisionsPage, error) {
	ctx, leader := r.Context(), s.leader(r)
	ds, err := s.svc.Decisions(ctx, leader)
	if err != nil {
		return nil, err
	}
	who, err := s.whoOptions(ctx, leader)
	if err != nil {
		return nil, err
	}
	today := isoDate(dayIn(s.now(), s.zone(r)))
	if form.When == "" {
		form.When = today
	}
	d := &decisionsPage{
		Page:      Page{Title: "Decisions", Nav: "decisions"},
		Decisions: ds, Who: who, Form: form, Today: today,
	}
	for _, x := range ds {
		if x.Why == "" {
			d.Unexplained++
		}
	}
	return d, nil
}

func (s *Server) decisionsPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.decisionsData(r, decisionForm{Affects: r.URL.Query().Get("affects")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "pages_decisions.html", d)
}

// decisionAdd logs a decision: with its why it deposits trust, without it
// the ledger records a transparency withdrawal.
func (s *Server) decisionAdd(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	form := decisionForm{
		What:    strings.TrimSpace(r.PostFormValue("what")),
		Why:     strings.TrimSpace(r.PostFormValue("why")),
		Affects: strings.TrimSpace(r.PostFormValue("affects")),
		When:    strings.TrimSpace(r.PostFormValue("when")),
	}
	// The service checks the decision. Who it affects is the form's own
	// rule: the service takes none as the whole team, the form asks.
	fe := FormErrors{}
	if form.Affects == "" {
		fe["affects"] = "Pick who the decision affects: a person, or a team."
	}
	var at time.Time
	if loc := s.zone(r); form.When != "" && form.When != isoDate(dayIn(s.now(), loc)) {
		t, err := parseDay(form.When)
		if err != nil {
			fe["when"] = tl.ErrorMessage(err)
		} else {
			at = middayOn(t, loc)
		}
	}
	if len(fe) > 0 {
		d, err := s.decisionsData(r, form)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Errors = fe
		s.render(w, r, http.StatusUnprocessableEntity, "pages_decisions.html", d)
		return
	}
	dec, err := s.svc.Decide(r.Context(), s.leader(r), tl.DecisionInput{What: form.What, Why: form.Why, Affects: form.Affects, At: at})
	if err != nil {
		d, derr := s.decisionsData(r, form)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		s.formError(w, r, err, "pages_decisions.html", d, formField(err, "", "what", "why", "affects", "at=when"))
		return
	}
	if dec.Why == "" {
		s.flash(w, r, fmt.Sprintf("Decision logged for %s without a why: the ledger records a transparency withdrawal. Sharing the reason, even late, is the cheapest deposit you can make.", recipient(dec.RelationshipID, dec.Affects)))
	} else {
		s.flash(w, r, fmt.Sprintf("Decision logged for %s with its why: explained decisions build confidence.", recipient(dec.RelationshipID, dec.Affects)))
	}
	redirect(w, r, "/decisions")
}
