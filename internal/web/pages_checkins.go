package web

// Named check-ins: the person's answer page, and asking from the person
// page. Check-ins are not anonymous, and the page says so.

import (
	"net/http"

	tl "github.com/trustledger/trustledger"
)

type checkinAnswerPage struct {
	Page
	Form *tl.CheckinForm
}

func (s *Server) checkinPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	pass := s.passOf(r, passCheckin)
	f, err := s.svc.CheckinForm(r.Context(), pass)
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
	if err := s.svc.AnswerCheckin(r.Context(), pass, formAnswers(r, tl.CheckinItems), r.PostFormValue("comment")); err != nil {
		if tl.ErrorCode(err) == tl.EINVALID {
			f, ferr := s.svc.CheckinForm(r.Context(), pass)
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

func (s *Server) personCheckin(w http.ResponseWriter, r *http.Request) {
	rel, err := s.relByID(r, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, token, err := s.svc.AskCheckin(r.Context(), s.leader(r), rel.Person, r.PostFormValue("delivery"))
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
