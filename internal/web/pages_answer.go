package web

// Pulses, the respondent's side: the answer form a pass opens, and the
// thank-you page. Nothing here knows who answers (docs/ANONYMITY.md).

import (
	"net/http"
	"strconv"

	tl "github.com/trustledger/trustledger"
)

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
	f, err := s.svc.PulseForm(r.Context(), pass)
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
	err := s.svc.SubmitPulse(r.Context(), pass, in)
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
