package web

// The calendar feed of promises.

import (
	"io"
	"net/http"
	"strings"
)

// calendarMake turns the feed on (or replaces its address) and shows the
// address once.
func (s *Server) calendarMake(w http.ResponseWriter, r *http.Request) {
	token, err := s.svc.CalendarLink(r.Context(), s.leader(r))
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
	if err := s.svc.RevokeCalendar(r.Context(), s.leader(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, "The calendar feed is off: its address no longer works.")
	redirect(w, r, "/promises#calendar")
}

// calendarFeed serves the feed a secret address opens.
func (s *Server) calendarFeed(w http.ResponseWriter, r *http.Request) {
	body, err := s.svc.Calendar(r.Context(), strings.TrimSuffix(r.PathValue("token"), ".ics"))
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
