package web

import (
	"net/http"
	"time"

	tl "github.com/trustledger/trustledger"
)

// Team voice pages (docs/ANONYMITY.md). The leader's side: pulses (launch, the
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
	mux.HandleFunc("POST /people/{id}/confirmation", s.personConfirmation)
	mux.HandleFunc("GET /approvals", s.approvalsPage)
	mux.HandleFunc("POST /approvals/{id}", s.approve)
	s.handlePublic(mux, "GET /v/{token}", s.addressPage)
	s.handlePublic(mux, "POST /v/{token}", s.addressConfirm)
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
			pass, err = s.svc.OpenPulseLink(r.Context(), token)
		case passCheckin:
			pass, err = s.svc.OpenCheckinLink(r.Context(), token)
		default:
			pass, err = s.svc.OpenWindowLink(r.Context(), token)
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
