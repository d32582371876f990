package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
)

// Team voice pages (issue 4). The leader's side: pulses (launch, the
// coarse count while open, results once released, reminders, the
// leader's own answers) and check-ins and window links on the person
// page. The respondent's side, without an account: a link's token is
// exchanged for a short-lived cookie and the browser is sent on to a
// token-free address (/answer, /checkin, /window). Every anonymity rule
// is enforced by the services; these pages only show what they return.

// registerVoice adds the team-voice routes.
func (s *Server) registerVoice(mux *http.ServeMux) {
	mux.HandleFunc("GET /pulses", s.pulsesPage)
	mux.HandleFunc("POST /pulses", s.pulseLaunch)
	mux.HandleFunc("GET /pulses/{id}", s.pulsePage)
	mux.HandleFunc("POST /pulses/{id}/close", s.pulseClose)
	mux.HandleFunc("POST /pulses/{id}/remind", s.pulseRemind)
	mux.HandleFunc("POST /pulses/{id}/self", s.pulseSelf)
	mux.HandleFunc("POST /people/{id}/email", s.personEmail)
	mux.HandleFunc("POST /people/{id}/checkin", s.personCheckin)
	mux.HandleFunc("POST /people/{id}/window", s.personWindow)
	mux.HandleFunc("GET /people/{id}/data", s.personDataDownload)
	mux.HandleFunc("POST /people/{id}/erase", s.personErase)
	mux.HandleFunc("POST /promises/calendar", s.calendarMake)
	mux.HandleFunc("POST /promises/calendar/revoke", s.calendarRevoke)
	s.handlePublic(mux, "GET /calendar/{token}", s.calendarFeed)

	s.handlePublic(mux, "GET /p/{token}", s.openLink(passPulse))
	s.handlePublic(mux, "GET /c/{token}", s.openLink(passCheckin))
	s.handlePublic(mux, "GET /w/{token}", s.openLink(passWindow))
	s.handlePublic(mux, "GET /answer", s.answerPage)
	s.handlePublic(mux, "POST /answer", s.answerSubmit)
	s.handlePublic(mux, "GET /answer/done", s.answerDone)
	s.handlePublic(mux, "GET /checkin", s.checkinPage)
	s.handlePublic(mux, "POST /checkin", s.checkinSubmit)
	s.handlePublic(mux, "GET /window", s.windowPage)
	s.handlePublic(mux, "POST /window/promises/{id}", s.windowConfirm)
	s.handlePublic(mux, "POST /window/decisions/{id}", s.windowReact)
}

// passKind is one kind of link: its cookie, where it leads, how long the
// pass lasts and how the services exchange its token.
type passKind struct {
	cookie string
	dest   string
	ttl    time.Duration
}

var (
	passPulse   = passKind{cookie: "pulse", dest: "/answer", ttl: tl.AnswerPassTTL}
	passCheckin = passKind{cookie: "checkin", dest: "/checkin", ttl: tl.AnswerPassTTL}
	passWindow  = passKind{cookie: "window", dest: "/window", ttl: tl.WindowPassTTL}
)

// passCookie is the pass cookie's name: __Host- prefixed when the request
// may carry Secure cookies, like the session cookie.
func (s *Server) passCookie(r *http.Request, k passKind) string {
	if s.secureRequest(r) {
		return "__Host-tl-" + k.cookie
	}
	return "tl-" + k.cookie
}

func (s *Server) passOf(r *http.Request, k passKind) string {
	c, err := r.Cookie(s.passCookie(r, k))
	if err != nil {
		return ""
	}
	return c.Value
}

func (s *Server) setPass(w http.ResponseWriter, r *http.Request, k passKind, pass string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: s.passCookie(r, k), Value: pass, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secureRequest(r), SameSite: http.SameSiteLaxMode})
}

// openLink exchanges a link's token for a pass cookie and redirects to
// the token-free page, so the token stays out of history and referrers.
func (s *Server) openLink(k passKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		token := r.PathValue("token")
		var pass string
		var err error
		switch k {
		case passPulse:
			pass, err = s.voice.OpenPulseLink(r.Context(), token)
		case passCheckin:
			pass, err = s.voice.OpenCheckinLink(r.Context(), token)
		default:
			pass, err = s.voice.OpenWindowLink(r.Context(), token)
		}
		if err != nil {
			s.linkError(w, r, err)
			return
		}
		s.setPass(w, r, k, pass, int(k.ttl/time.Second))
		http.Redirect(w, r, k.dest, http.StatusSeeOther)
	}
}

// linkError shows what went wrong with a link in words for someone who
// has no account: not valid, already answered, closed.
func (s *Server) linkError(w http.ResponseWriter, r *http.Request, err error) {
	switch tl.ErrorCode(err) {
	case tl.ENOTFOUND, tl.ECONFLICT, tl.EINVALID:
		s.render(w, r, tl.HTTPStatus(tl.ErrorCode(err)), "voice_done.html", &doneVoicePage{Page: Page{Title: "Link"}, Message: tl.ErrorMessage(err)})
	default:
		s.fail(w, r, err)
	}
}

// doneVoicePage is a message page for respondents.
type doneVoicePage struct {
	Page
	Message string
	Window  bool // offer the way back to the window
}

// ---- Pulses, leader side ----

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
	Emails  int // members with an address
}

type pulsesPage struct {
	Page
	Pulses []tl.Pulse
	Teams  []teamOption
	Form   pulseForm
	K      int
	KFloor int
	Shared string // the shared link just made, shown once
	Min    string
}

func (s *Server) pulsesData(r *http.Request, form pulseForm) (*pulsesPage, error) {
	ctx, leader := r.Context(), s.leader(r)
	ps, err := s.voice.Pulses(ctx, leader)
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
	d := &pulsesPage{Page: Page{Title: "Pulses", Nav: "pulses"}, Pulses: ps, Form: form, K: set.K, KFloor: max(set.KFloor, 3),
		Min: isoDate(s.now().AddDate(0, 0, 1))}
	for _, t := range teams {
		o := teamOption{Name: t.Name, Label: "Team " + t.Name}
		if t.Name == tl.DefaultTeamName {
			o.Label = "Your team"
		}
		for _, p := range people {
			if p.TeamID == t.ID && p.Active {
				o.Members = append(o.Members, p)
				if p.Email != "" {
					o.Emails++
				}
			}
		}
		if len(o.Members) > 0 {
			d.Teams = append(d.Teams, o)
		}
	}
	if d.Form.Team == "" && len(d.Teams) > 0 {
		d.Form.Team = d.Teams[0].Name
	}
	if d.Form.Delivery == "" {
		d.Form.Delivery = tl.DeliveryLink
		if len(d.Teams) > 0 && d.Teams[0].Emails == len(d.Teams[0].Members) {
			d.Form.Delivery = tl.DeliveryEmail
		}
	}
	if d.Form.Closes == "" {
		d.Form.Closes = isoDate(s.now().AddDate(0, 0, 7))
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
			fe["k"] = "k is a whole number, such as 5."
		}
		in.K = k
	}
	if form.Closes != "" {
		t, err := parseDay(form.Closes)
		if err != nil {
			fe["closes"] = tl.ErrorMessage(err)
		}
		in.Closes = t.Add(24*time.Hour - time.Millisecond)
	}
	var launch *tl.PulseLaunch
	var err error
	if len(fe) == 0 {
		launch, err = s.voice.LaunchPulse(r.Context(), s.leader(r), in)
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
		s.formError(w, r, err, "pulses.html", d, fieldFor(err, "k must", "k", "closes", "closes", "close", "closes", "question", "question", "email", "delivery"))
		return
	}
	p := launch.Pulse
	if launch.SharedLink != "" {
		// The shared link is shown once, on this response: it is not
		// stored anywhere to show again.
		d, err := s.pulseData(r, p.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Shared = s.absolute(r, "/p/"+launch.SharedLink)
		d.Flash = fmt.Sprintf("Pulse launched for team %s (%d people). Copy the link below now: it is shown only once.", p.Team, p.Population)
		s.render(w, r, http.StatusOK, "pulse.html", d)
		return
	}
	s.flash(w, r, fmt.Sprintf("Pulse launched for team %s: %d invitations are on their way by email.", p.Team, launch.Queued))
	redirect(w, r, "/pulses/"+p.ID)
}

// absolute makes a full URL of a path on this server, for links to copy.
func (s *Server) absolute(r *http.Request, path string) string {
	scheme := "http"
	if s.secureRequest(r) && !loopbackHost(r.Host) || r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

type pulsePage struct {
	Page
	Report  *tl.PulseReport
	Shared  string
	Self    []tl.PulseItem
	Biggest *tl.Gap
}

func (s *Server) pulseData(r *http.Request, id string) (*pulsePage, error) {
	rep, err := s.voice.PulseReport(r.Context(), s.leader(r), id)
	if err != nil {
		return nil, err
	}
	d := &pulsePage{Page: Page{Title: fmt.Sprintf("Pulse, team %s, wave %d", rep.Pulse.Team, rep.Pulse.Wave), Nav: "pulses"}, Report: rep}
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
	rep, err := s.voice.ClosePulse(r.Context(), s.leader(r), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if rep.Released {
		s.flash(w, r, fmt.Sprintf("Pulse closed: %d answers, and the results below now count as evidence for everyone in team %s.", rep.N, rep.Pulse.Team))
	} else {
		s.flash(w, r, "Pulse closed. No results are shown: "+rep.Withheld)
	}
	redirect(w, r, "/pulses/"+rep.Pulse.ID)
}

func (s *Server) pulseRemind(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.voice.RemindPulse(r.Context(), s.leader(r), id); err != nil {
		if tl.ErrorCode(err) == tl.EINVALID {
			s.flash(w, r, tl.ErrorMessage(err))
			redirect(w, r, "/pulses/"+id)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, "Reminders are on their way to everyone who has not answered yet. Nobody, you included, learns who that is.")
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
	if err := s.voice.AnswerSelf(r.Context(), s.leader(r), id, answers); err != nil {
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

// ---- Pulses, respondent side ----

type answerPage struct {
	Page
	Form     *tl.PulseForm
	Trust    []tl.PulseItem
	Safety   []tl.PulseItem
	Outcome  tl.PulseItem
	Choices  []choice
	Selected map[string]int
	Comment  string
}

type choice struct {
	Value int
	Label string
}

func (s *Server) answerData(r *http.Request, pass string) (*answerPage, error) {
	f, err := s.voice.PulseForm(r.Context(), pass)
	if err != nil {
		return nil, err
	}
	d := &answerPage{Page: Page{Title: "Your answers for " + f.Leader}, Form: f, Selected: map[string]int{}}
	for _, it := range f.Items {
		switch it.Scale {
		case tl.ScaleSafety:
			d.Safety = append(d.Safety, it)
		case tl.ScaleOutcome:
			d.Outcome = it
		default:
			d.Trust = append(d.Trust, it)
		}
	}
	for _, v := range []int{tl.OutcomeCommit, tl.OutcomeComply, tl.OutcomeResist} {
		d.Choices = append(d.Choices, choice{v, tl.OutcomeChoices[v]})
	}
	return d, nil
}

func (s *Server) answerPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	pass := s.passOf(r, passPulse)
	if pass == "" {
		s.render(w, r, http.StatusOK, "voice_done.html", &doneVoicePage{Page: Page{Title: "Pulse"},
			Message: "Open the link you were sent to answer. This page needs it, and keeps nothing that says who you are."})
		return
	}
	d, err := s.answerData(r, pass)
	if err != nil {
		s.linkError(w, r, err)
		return
	}
	if d.Form.Answered {
		s.render(w, r, http.StatusOK, "voice_done.html", &doneVoicePage{Page: Page{Title: "Thank you"}, Message: "You have already answered this pulse. Thank you."})
		return
	}
	s.render(w, r, http.StatusOK, "answer.html", d)
}

func (s *Server) answerSubmit(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	pass := s.passOf(r, passPulse)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	in := tl.PulseAnswers{Answers: formAnswers(r, tl.PulseItems), Comment: r.PostFormValue("comment")}
	err := s.voice.SubmitPulse(r.Context(), pass, in)
	if err != nil {
		if tl.ErrorCode(err) == tl.EINVALID {
			d, derr := s.answerData(r, pass)
			if derr != nil {
				s.linkError(w, r, derr)
				return
			}
			d.Selected, d.Comment = in.Answers, in.Comment
			d.Errors = FormErrors{"": tl.ErrorMessage(err)}
			s.render(w, r, http.StatusUnprocessableEntity, "answer.html", d)
			return
		}
		s.linkError(w, r, err)
		return
	}
	s.setPass(w, r, passPulse, "", -1)
	// Post/redirect/get: reloading the thank-you page does not send the
	// form again (which would only say the link was used).
	redirect(w, r, "/answer/done")
}

// answerDone thanks whoever just answered. It needs no pass and shows
// nothing about any pulse.
func (s *Server) answerDone(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "voice_done.html", &doneVoicePage{Page: Page{Title: "Thank you"},
		Message: "Thank you: your answers are stored, with nothing that links them to you. Your leader sees only the team's averages, once enough people have answered and the pulse has closed."})
}

// formAnswers reads the answered items of a form (item id → value); a
// value that is not a number reads as -1, which the services refuse with
// the item's range.
func formAnswers(r *http.Request, items []tl.PulseItem) map[string]int {
	out := map[string]int{}
	for _, it := range items {
		if v := r.PostFormValue(it.ID); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				n = -1
			}
			out[it.ID] = n
		}
	}
	return out
}

// ---- Check-ins ----

type checkinAnswerPage struct {
	Page
	Form *tl.CheckinForm
}

func (s *Server) checkinPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	pass := s.passOf(r, passCheckin)
	f, err := s.voice.CheckinForm(r.Context(), pass)
	if err != nil {
		s.linkError(w, r, err)
		return
	}
	if f.Answered {
		s.render(w, r, http.StatusOK, "voice_done.html", &doneVoicePage{Page: Page{Title: "Thank you"}, Message: "You have already answered. Thank you."})
		return
	}
	s.render(w, r, http.StatusOK, "checkin_answer.html", &checkinAnswerPage{Page: Page{Title: f.Leader + " asks you"}, Form: f})
}

func (s *Server) checkinSubmit(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	pass := s.passOf(r, passCheckin)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.voice.AnswerCheckin(r.Context(), pass, formAnswers(r, tl.CheckinItems), r.PostFormValue("comment")); err != nil {
		if tl.ErrorCode(err) == tl.EINVALID {
			f, ferr := s.voice.CheckinForm(r.Context(), pass)
			if ferr != nil {
				s.linkError(w, r, ferr)
				return
			}
			d := &checkinAnswerPage{Page: Page{Title: f.Leader + " asks you", Errors: FormErrors{"": tl.ErrorMessage(err)}}, Form: f}
			s.render(w, r, http.StatusUnprocessableEntity, "checkin_answer.html", d)
			return
		}
		s.linkError(w, r, err)
		return
	}
	s.setPass(w, r, passCheckin, "", -1)
	s.render(w, r, http.StatusOK, "voice_done.html", &doneVoicePage{Page: Page{Title: "Thank you"},
		Message: "Thank you. Your leader will see your answers, with your name, as you were told."})
}

// ---- The team's window ----

type windowPage struct {
	Page
	W       *tl.Window
	K       int
	Choices []tl.Relationship // a member account with several leaders
	Rel     string
}

// windowRel finds the relationship this visitor may act as: the window
// pass, or a member account's relationship (chosen by ?rel= when there
// are several). "" with choices when the visitor must pick.
func (s *Server) windowRel(r *http.Request) (string, []tl.Relationship, error) {
	if pass := s.passOf(r, passWindow); pass != "" {
		if id, err := s.voice.WindowForPass(r.Context(), pass); err == nil {
			return id, nil, nil
		}
	}
	u := s.user(r)
	if u == nil {
		return "", nil, tl.Errorf(tl.ENOTFOUND, "open the link your leader gave you to see this page, or sign in")
	}
	rels, err := s.voice.MemberRelationships(r.Context(), u.ID)
	if err != nil {
		return "", nil, err
	}
	want := r.FormValue("rel")
	for _, rel := range rels {
		if rel.ID == want || len(rels) == 1 {
			return rel.ID, nil, nil
		}
	}
	if len(rels) == 0 {
		return "", nil, tl.Errorf(tl.ENOTFOUND, "no leader has added you with the address %s yet", u.Email)
	}
	return "", rels, nil
}

func (s *Server) windowPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	rel, choices, err := s.windowRel(r)
	if err != nil {
		s.linkError(w, r, err)
		return
	}
	d := &windowPage{Page: Page{Title: "Your leader's promises and decisions", Nav: "window"}, Choices: choices, Rel: rel, K: 5}
	if rel != "" {
		if d.W, err = s.voice.Window(r.Context(), rel); err != nil {
			s.fail(w, r, err)
			return
		}
		d.Title = d.W.Leader + "'s promises and decisions"
		d.K = d.W.K
	}
	s.render(w, r, http.StatusOK, "window.html", d)
}

func (s *Server) windowBack(r *http.Request, rel string) string {
	if s.passOf(r, passWindow) != "" {
		return "/window"
	}
	return "/window?rel=" + rel
}

func (s *Server) windowConfirm(w http.ResponseWriter, r *http.Request) {
	rel, _, err := s.windowRel(r)
	if err != nil || rel == "" {
		s.linkError(w, r, tl.Errorf(tl.ENOTFOUND, "open your link again"))
		return
	}
	confirm := r.PostFormValue("kept") == "yes"
	if err := s.voice.ConfirmPromise(r.Context(), rel, r.PathValue("id"), confirm); err != nil {
		s.linkError(w, r, err)
		return
	}
	if confirm {
		s.flash(w, r, "Thank you: you confirmed the promise was kept. Your leader sees your name with it.")
	} else {
		s.flash(w, r, "Noted: you said the promise was not kept for you. Your leader sees your name with it; nothing else is counted against them.")
	}
	redirect(w, r, s.windowBack(r, rel))
}

func (s *Server) windowReact(w http.ResponseWriter, r *http.Request) {
	rel, _, err := s.windowRel(r)
	if err != nil || rel == "" {
		s.linkError(w, r, tl.Errorf(tl.ENOTFOUND, "open your link again"))
		return
	}
	if err := s.voice.React(r.Context(), rel, r.PathValue("id"), r.PostFormValue("reaction")); err != nil {
		s.linkError(w, r, err)
		return
	}
	k := 5
	if win, err := s.voice.Window(r.Context(), rel); err == nil {
		k = win.K
	}
	s.flash(w, r, fmt.Sprintf("Thank you: your reaction is counted anonymously, and shows only in a group of at least %d.", k))
	redirect(w, r, s.windowBack(r, rel))
}

// ---- On the person page ----

func (s *Server) personEmail(w http.ResponseWriter, r *http.Request) {
	rel, err := s.relByID(r, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.svc.SetEmail(r.Context(), s.leader(r), rel.Person, r.PostFormValue("email")); err != nil {
		if tl.ErrorCode(err) == tl.EINVALID {
			s.flash(w, r, tl.ErrorMessage(err))
			redirect(w, r, "/people/"+rel.ID+"#voice")
			return
		}
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, "Saved "+rel.Person+"'s email address: only you see it; invitations go there.")
	redirect(w, r, "/people/"+rel.ID+"#voice")
}

// linkPage shows a link made for someone, once.
type linkPage struct {
	Page
	Rel  tl.Relationship
	What string
	Link string
}

func (s *Server) personCheckin(w http.ResponseWriter, r *http.Request) {
	rel, err := s.relByID(r, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, token, err := s.voice.AskCheckin(r.Context(), s.leader(r), rel.Person, r.PostFormValue("delivery"))
	if err != nil {
		if tl.ErrorCode(err) == tl.EINVALID {
			s.flash(w, r, tl.ErrorMessage(err))
			redirect(w, r, "/people/"+rel.ID+"#voice")
			return
		}
		s.fail(w, r, err)
		return
	}
	if token == "" {
		s.flash(w, r, "Check-in sent to "+c.Person+" by email. Their answer will show on this page, with their name.")
		redirect(w, r, "/people/"+rel.ID+"#voice")
		return
	}
	s.render(w, r, http.StatusOK, "voice_link.html", &linkPage{Page: Page{Title: "Check-in link", Nav: "dashboard"}, Rel: *rel,
		What: "a named check-in: " + tl.CheckinQuestion, Link: s.absolute(r, "/c/"+token)})
}

func (s *Server) personWindow(w http.ResponseWriter, r *http.Request) {
	rel, err := s.relByID(r, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	token, err := s.voice.WindowLink(r.Context(), s.leader(r), rel.Person)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "voice_link.html", &linkPage{Page: Page{Title: "Window link", Nav: "dashboard"}, Rel: *rel,
		What: "their window on your open and kept promises and your decisions with their reasons (an earlier link stops working)",
		Link: s.absolute(r, "/w/"+token)})
}

// ---- The calendar feed of promises ----

// serviceAs narrows one of the configured services to an optional
// interface (calendar, privacy, tokens) the *app.App implements.
func serviceAs[T any](svc any) (T, error) {
	v, ok := svc.(T)
	if !ok {
		return v, tl.Errorf(tl.EINTERNAL, "this installation cannot do that (%T)", v)
	}
	return v, nil
}

func (s *Server) calendar() (tl.CalendarService, error) { return serviceAs[tl.CalendarService](s.svc) }

// calendarMake turns the feed on (or replaces its address) and shows the
// address once.
func (s *Server) calendarMake(w http.ResponseWriter, r *http.Request) {
	cal, err := s.calendar()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	token, err := cal.CalendarLink(r.Context(), s.leader(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.promisesData(r, promiseForm{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.CalendarURL = s.absolute(r, "/calendar/"+token+".ics")
	d.Flash = "Your calendar feed is on: copy its address below now, it is shown only once."
	s.render(w, r, http.StatusOK, "pages_promises.html", d)
}

func (s *Server) calendarRevoke(w http.ResponseWriter, r *http.Request) {
	cal, err := s.calendar()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := cal.RevokeCalendar(r.Context(), s.leader(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, "The calendar feed is off: its address no longer works.")
	redirect(w, r, "/promises#calendar")
}

// calendarFeed serves the feed a secret address opens.
func (s *Server) calendarFeed(w http.ResponseWriter, r *http.Request) {
	cal, err := s.calendar()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body, err := cal.Calendar(r.Context(), strings.TrimSuffix(r.PathValue("token"), ".ics"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", `inline; filename="promises.ics"`)
	io.WriteString(w, body)
}

// ---- A person's data: export and erasure ----

func (s *Server) privacy() (tl.PrivacyService, error) { return serviceAs[tl.PrivacyService](s.svc) }

// personDataDownload downloads everything stored about one person, as JSON.
func (s *Server) personDataDownload(w http.ResponseWriter, r *http.Request) {
	rel, err := s.relByID(r, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.privacy()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := p.PersonData(r.Context(), s.leader(r), rel.Person)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="person-data.json"`)
	w.Write(b)
}

// personErase erases a person's name, address and words.
func (s *Server) personErase(w http.ResponseWriter, r *http.Request) {
	rel, err := s.relByID(r, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.PostFormValue("confirm") != rel.Person {
		s.flash(w, r, "Nothing was erased: type the person's name exactly to confirm.")
		redirect(w, r, "/people/"+rel.ID+"#data")
		return
	}
	p, err := s.privacy()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := p.ErasePerson(r.Context(), s.leader(r), rel.Person)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, fmt.Sprintf("Erased: the person is now %q, with no address or words kept. Entries and scores stay as they were.", out.Person))
	redirect(w, r, "/people/"+out.ID)
}
