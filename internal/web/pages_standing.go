package web

// Who counts toward k (docs/ANONYMITY.md, rule 1): the page a person
// opens from the email that confirms their address, the leader's button
// that sends that email again, and the page where an administrator who
// does not lead them approves the people leaders add.

import (
	"net/http"

	tl "github.com/trustledger/trustledger"
)

// addressPageData is the data of address.html.
type addressPageData struct {
	Page
	C     *tl.AddressConfirmation
	Token string
	Done  bool
}

// addressPage shows what the link confirms, and a button: opening the link
// confirms nothing, because mail scanners open links too.
func (s *Server) addressPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store") // a token in the address, a person's name and mailbox on the page
	c, err := s.svc.AddressConfirmation(r.Context(), r.PathValue("token"))
	if err != nil {
		s.linkError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "address.html", &addressPageData{Page: Page{Title: "Confirm your address"}, C: c,
		Token: r.PathValue("token"), Done: c.Confirmed})
}

func (s *Server) addressConfirm(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	token := r.PathValue("token")
	c, err := s.svc.AddressConfirmation(r.Context(), token)
	if err != nil {
		s.linkError(w, r, err)
		return
	}
	if err := s.svc.ConfirmAddress(r.Context(), token); err != nil {
		s.linkError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "address.html", &addressPageData{Page: Page{Title: "Address confirmed"}, C: c, Done: true})
}

// personConfirmation sends a person the confirmation email again.
func (s *Server) personConfirmation(w http.ResponseWriter, r *http.Request) {
	s.voiceAction(w, r, func(rel *tl.Relationship) (string, error) {
		return "A new confirmation email is on its way to " + rel.Email + "; the link sent before stops working.",
			s.svc.SendConfirmation(r.Context(), s.leader(r), rel.Person)
	})
}

// voiceAction runs one of the person page's voice buttons: act on the
// person, then back to their voice section with act's message, or with
// the service's sentence when it refused (a person without an address, an
// address already confirmed).
func (s *Server) voiceAction(w http.ResponseWriter, r *http.Request, act func(*tl.Relationship) (string, error)) {
	rel, err := s.relByID(r, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	msg, err := act(rel)
	if c := tl.ErrorCode(err); c == tl.EINVALID || c == tl.ECONFLICT {
		msg, err = tl.ErrorMessage(err), nil
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, msg)
	redirect(w, r, "/people/"+rel.ID+"#voice")
}

// approvalsPageData is the data of approvals.html.
type approvalsPageData struct {
	Page
	People []tl.Approval
}

func (s *Server) approvalsPage(w http.ResponseWriter, r *http.Request) {
	u := s.user(r)
	ps, err := s.svc.Approvals(r.Context(), u.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "approvals.html", &approvalsPageData{Page: Page{Title: "Approvals", Nav: "account"}, People: ps})
}

func (s *Server) approve(w http.ResponseWriter, r *http.Request) {
	u := s.user(r)
	if err := s.svc.Approve(r.Context(), u.ID, r.PathValue("id")); err != nil {
		if c := tl.ErrorCode(err); c == tl.EINVALID || c == tl.ECONFLICT {
			s.flash(w, r, tl.ErrorMessage(err))
			redirect(w, r, "/approvals")
			return
		}
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, "Approved: they count in their leader's team voice once their address is confirmed and a week has passed.")
	redirect(w, r, "/approvals")
}
