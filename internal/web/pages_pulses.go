package web

// Pulses, the leader's side: launch, the coarse count while open, results
// once released, reminders and the leader's own answers.

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	tl "github.com/trustledger/trustledger"
)

type pulseForm struct {
	Team     string
	Members  []string
	K        string
	Question string
	Delivery string
	Closes   string
}

type teamOption struct {
	Name    string
	Label   string
	Members []tl.Relationship
	Counted []tl.Standing // members who count toward k, and are asked
	Waiting []tl.Standing // members who do not count yet, and why
}

type pulsesPage struct {
	Page
	Pulses []tl.Pulse
	Teams  []teamOption
	Form   pulseForm
	K      int
	KFloor int
	Min    string
}

func (s *Server) pulsesData(r *http.Request, form pulseForm) (*pulsesPage, error) {
	ctx, leader := r.Context(), s.leader(r)
	ps, err := s.svc.Pulses(ctx, leader)
	if err != nil {
		return nil, err
	}
	teams, err := s.svc.Teams(ctx, leader)
	if err != nil {
		return nil, err
	}
	people, err := s.svc.People(ctx, leader)
	if err != nil {
		return nil, err
	}
	set, err := s.svc.Settings(ctx, leader)
	if err != nil {
		return nil, err
	}
	roster, err := s.svc.VoiceRoster(ctx, leader)
	if err != nil {
		return nil, err
	}
	d := &pulsesPage{Page: Page{Title: "Pulses", Nav: "pulses"}, Pulses: ps, Form: form, K: set.K, KFloor: max(set.KFloor, 3),
		Min: isoDate(dayIn(s.now(), s.zone(r)).AddDate(0, 0, 1))}
	for _, t := range teams {
		o := teamOption{Name: t.Name, Label: "Team " + t.Name}
		if t.Name == tl.DefaultTeamName {
			o.Label = "Your team"
		}
		for _, p := range people {
			if p.TeamID == t.ID && p.Active {
				o.Members = append(o.Members, p)
			}
		}
		for _, st := range roster {
			if st.TeamID != t.ID {
				continue
			}
			if st.Counts {
				o.Counted = append(o.Counted, st)
			} else {
				o.Waiting = append(o.Waiting, st)
			}
		}
		if len(o.Members) > 0 {
			d.Teams = append(d.Teams, o)
		}
	}
	if d.Form.Team == "" && len(d.Teams) > 0 {
		d.Form.Team = d.Teams[0].Name
	}
	if d.Form.Closes == "" {
		d.Form.Closes = isoDate(dayIn(s.now(), s.zone(r)).AddDate(0, 0, 7))
	}
	return d, nil
}

func (s *Server) pulsesPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.pulsesData(r, pulseForm{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "pulses.html", d)
}

func (s *Server) pulseLaunch(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	form := pulseForm{
		Team: strings.TrimSpace(r.PostFormValue("team")), Members: r.PostForm["members"],
		K: strings.TrimSpace(r.PostFormValue("k")), Question: strings.TrimSpace(r.PostFormValue("question")),
		Delivery: r.PostFormValue("delivery"), Closes: strings.TrimSpace(r.PostFormValue("closes")),
	}
	fe := FormErrors{}
	in := tl.PulseInput{Team: form.Team, Members: form.Members, Question: form.Question, Delivery: form.Delivery}
	if form.K != "" {
		k, err := strconv.Atoi(form.K)
		if err != nil {
			fe["k"] = "give the answers needed as a whole number, such as 5"
		}
		in.K = k
	}
	if form.Closes != "" {
		t, err := parseDay(form.Closes)
		if err != nil {
			fe["closes"] = tl.ErrorMessage(err)
		}
		in.Closes = dueOn(t, s.zone(r)) // open to the end of that day
	}
	var launch *tl.PulseLaunch
	var err error
	if len(fe) == 0 {
		launch, err = s.svc.LaunchPulse(r.Context(), s.leader(r), in)
	}
	if len(fe) > 0 || err != nil {
		d, derr := s.pulsesData(r, form)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		if len(fe) > 0 {
			d.Errors = fe
			s.render(w, r, http.StatusUnprocessableEntity, "pulses.html", d)
			return
		}
		s.formError(w, r, err, "pulses.html", d, formField(err, "", "team", "k", "question", "closes"))
		return
	}
	p := launch.Pulse
	msg := fmt.Sprintf("Pulse launched for %s: %s by email.", tl.TeamPhrase(p.Team), plural(launch.Queued, "invitation is on its way", "invitations are on their way"))
	if n := len(launch.NotAsked); n > 0 {
		var who []string
		for _, st := range launch.NotAsked {
			who = append(who, st.Person+" "+st.Reason)
		}
		msg += fmt.Sprintf(" Not asked, because they cannot be asked yet: %s.", strings.Join(who, "; "))
	}
	s.flash(w, r, msg)
	redirect(w, r, "/pulses/"+p.ID)
}

// absolute makes a full URL of a path on this server, for links to copy.
func (s *Server) absolute(r *http.Request, path string) string {
	scheme := "http"
	if s.secureRequest(r) && !loopbackHost(r.Host) || overTLS(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

type pulsePage struct {
	Page
	Report  *tl.PulseReport
	Self    []tl.PulseItem
	Biggest *tl.Gap
}

func (s *Server) pulseData(r *http.Request, id string) (*pulsePage, error) {
	rep, err := s.svc.PulseReport(r.Context(), s.leader(r), id)
	if err != nil {
		return nil, err
	}
	d := &pulsePage{Page: Page{Title: fmt.Sprintf("Pulse, %s, wave %d", tl.TeamPhrase(rep.Pulse.Team), rep.Pulse.Wave), Nav: "pulses"}, Report: rep}
	for _, it := range tl.PulseItems {
		if it.Self != "" {
			d.Self = append(d.Self, it)
		}
	}
	for i := range rep.Gaps {
		g := &rep.Gaps[i]
		if d.Biggest == nil || abs(g.Gap) > abs(d.Biggest.Gap) {
			d.Biggest = g
		}
	}
	return d, nil
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func (s *Server) pulsePage(w http.ResponseWriter, r *http.Request) {
	d, err := s.pulseData(r, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "pulse.html", d)
}

func (s *Server) pulseClose(w http.ResponseWriter, r *http.Request) {
	rep, err := s.svc.ClosePulse(r.Context(), s.leader(r), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if rep.Released {
		s.flash(w, r, fmt.Sprintf("Pulse closed: %s, and the results below now count as evidence for everyone in %s.", plural(rep.N, "answer", "answers"), tl.TeamPhrase(rep.Pulse.Team)))
	} else {
		s.flash(w, r, "Pulse closed. No results are shown: "+rep.Withheld)
	}
	redirect(w, r, "/pulses/"+rep.Pulse.ID)
}

func (s *Server) pulseRemind(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.svc.RemindPulse(r.Context(), s.leader(r), id); err != nil {
		if tl.ErrorCode(err) == tl.EINVALID {
			s.flash(w, r, tl.ErrorMessage(err))
			redirect(w, r, "/pulses/"+id)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, "Reminders are on their way to everyone asked, answered or not, each with a fresh link. Nobody, you included, learns who has answered.")
	redirect(w, r, "/pulses/"+id)
}

func (s *Server) pulseSelf(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	var self []tl.PulseItem
	for _, it := range tl.PulseItems {
		if it.Self != "" {
			self = append(self, it)
		}
	}
	answers := formAnswers(r, self)
	if err := s.svc.AnswerSelf(r.Context(), s.leader(r), id, answers); err != nil {
		if tl.ErrorCode(err) == tl.EINVALID {
			d, derr := s.pulseData(r, id)
			if derr != nil {
				s.fail(w, r, derr)
				return
			}
			d.Errors = FormErrors{"self": tl.ErrorMessage(err)}
			s.render(w, r, http.StatusUnprocessableEntity, "pulse.html", d)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, "Your own view is saved. The gap between it and the team's view shows with the results.")
	redirect(w, r, "/pulses/"+id)
}
