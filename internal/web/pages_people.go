package web

// A person's address, a link page shown once, and a person's data:
// export and erasure.

import (
	"encoding/json"
	"fmt"
	"net/http"

	tl "github.com/trustledger/trustledger"
)

func (s *Server) personEmail(w http.ResponseWriter, r *http.Request) {
	s.voiceAction(w, r, func(rel *tl.Relationship) (string, error) {
		_, err := s.svc.SetEmail(r.Context(), s.leader(r), rel.Person, r.PostFormValue("email"))
		return "Saved " + rel.Person + "'s email address. A new address is sent a link to confirm it: " + rel.Person +
			" counts in your team's voice a week after confirming.", err
	})
}

// linkPage shows a link made for someone, once.
type linkPage struct {
	Page
	Rel  tl.Relationship
	What string
	Link string
}

// personDataDownload downloads everything stored about one person, as JSON.
func (s *Server) personDataDownload(w http.ResponseWriter, r *http.Request) {
	rel, err := s.relByID(r, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.svc.PersonData(r.Context(), s.leader(r), rel.Person)
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
	out, err := s.svc.ErasePerson(r.Context(), s.leader(r), rel.Person)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, fmt.Sprintf("Erased: the person is now %q, with no address or words kept. Entries and scores stay as they were.", out.Person))
	redirect(w, r, "/people/"+out.ID)
}
