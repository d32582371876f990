package web

// The team's window: a member's view of their leader's promises and
// decisions, with confirm, dispute and react.

import (
	"fmt"
	"net/http"

	tl "github.com/trustledger/trustledger"
)

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
		if id, err := s.svc.WindowForPass(r.Context(), pass); err == nil {
			return id, nil, nil
		}
	}
	u := s.user(r)
	if u == nil {
		return "", nil, tl.Errorf(tl.ENOTFOUND, "open the link you were sent by email to see this page, or sign in")
	}
	rels, err := s.svc.MemberRelationships(r.Context(), u.ID)
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
		if d.W, err = s.svc.Window(r.Context(), rel); err != nil {
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
	if err := s.svc.ConfirmPromise(r.Context(), rel, r.PathValue("id"), confirm); err != nil {
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
	if err := s.svc.React(r.Context(), rel, r.PathValue("id"), r.PostFormValue("reaction")); err != nil {
		s.linkError(w, r, err)
		return
	}
	k := 5
	if win, err := s.svc.Window(r.Context(), rel); err == nil {
		k = win.K
	}
	s.flash(w, r, fmt.Sprintf("Thank you: your reaction is counted anonymously, and shows only in a group of at least %d.", k))
	redirect(w, r, s.windowBack(r, rel))
}

func (s *Server) personWindow(w http.ResponseWriter, r *http.Request) {
	s.voiceAction(w, r, func(rel *tl.Relationship) (string, error) {
		return "The link to " + rel.Person + "'s window is on its way to " + rel.Email + ". Only " + rel.Person +
				" receives it; an earlier link stops working.",
			s.svc.SendWindowLink(r.Context(), s.leader(r), rel.Person)
	})
}
