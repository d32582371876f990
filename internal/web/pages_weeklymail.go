package web

import (
	"net/http"
	"strconv"
	"time"

	tl "github.com/trustledger/trustledger"
)

// The weekly mail's pages (docs/OPERATIONS.md, "The weekly mail"): its
// schedule on the account page, and the pages its links open. A step
// link (/d/TOKEN) or an unsubscribe link (/u/TOKEN) works without signing
// in, like the address confirmation (/v/): opening it shows one button and
// changes nothing, since mail scanners open links; the button POSTs to the
// same address. Mail clients' one-click unsubscribe (RFC 8058) is that POST.

func (s *Server) registerWeeklyMail(mux *http.ServeMux) {
	mux.HandleFunc("POST /account/weekly-mail", s.weeklyMailSubmit)
	s.handlePublic(mux, "GET /d/{token}", s.stepLinkPage)
	s.handlePublic(mux, "POST /d/{token}", s.stepLinkUse)
	s.handlePublic(mux, "GET /u/{token}", s.unsubscribePage)
	s.handlePublic(mux, "POST /u/{token}", s.unsubscribeUse)
}

// weeklyMailForm is the account page's weekly mail section.
type weeklyMailForm struct {
	tl.WeeklyMail
	Days     []string
	Hours    []int
	NextText string // when the next one goes, in the zone it follows
}

func newWeeklyMailForm(w *tl.WeeklyMail) *weeklyMailForm {
	f := &weeklyMailForm{WeeklyMail: *w, Days: tl.WeeklyMailDays}
	for h := range 24 {
		f.Hours = append(f.Hours, h)
	}
	if !w.Next.IsZero() {
		next := w.Next
		if loc, err := time.LoadLocation(w.Zone); err == nil {
			next = next.In(loc)
		}
		f.NextText = next.Format("Monday 2 January, 15:04")
	}
	return f
}

// weeklyMailSubmit changes the day, the hour, or turns the mail off.
func (s *Server) weeklyMailSubmit(w http.ResponseWriter, r *http.Request) {
	if s.leader(r) == "" {
		s.fail(w, r, tl.Errorf(tl.ENOTFOUND, "this account leads no one, so it has no weekly email"))
		return
	}
	hour, err := strconv.Atoi(r.PostFormValue("hour"))
	if err != nil {
		hour = -1
	}
	in := tl.WeeklyMail{Day: r.PostFormValue("day"), Hour: hour, Mail: r.PostFormValue("mail") != "off"}
	got, err := s.svc.SetWeeklyMail(r.Context(), s.leader(r), in)
	if err != nil {
		d, derr := s.accountData(r)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		s.formError(w, r, err, "account.html", d, "weekly-mail")
		return
	}
	msg := "Weekly email turned off: no weekly email and no reminders until you turn it on again."
	if got.Mail {
		msg = "Weekly email saved: " + weekdayName(got.Day) + "s at " + hourText(got.Hour) + " (" + got.Zone + ")."
	}
	s.flash(w, r, msg)
	redirect(w, r, "/account#weekly-mail")
}

// weekdayName writes "monday" as "Monday".
func weekdayName(d string) string {
	if d == "" {
		return d
	}
	return string(d[0]-'a'+'A') + d[1:]
}

// hourText writes an hour as on a clock: "08:00".
func hourText(h int) string {
	if h < 10 {
		return "0" + strconv.Itoa(h) + ":00"
	}
	return strconv.Itoa(h) + ":00"
}

// stepLinkData is a step link's page.
type stepLinkData struct {
	Page
	L       *tl.StepLink
	Token   string
	Message string // why the link cannot act, or what it did
	Expired bool
}

// stepLinkPage shows what the link's button does, and the button.
func (s *Server) stepLinkPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store") // a token in the address, the step on the page
	token := r.PathValue("token")
	l, err := s.svc.StepLink(r.Context(), token)
	if err != nil {
		s.stepLinkError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "steplink.html", &stepLinkData{Page: Page{Title: stepLinkTitle[l.Action]}, L: l, Token: token})
}

// stepLinkUse presses the button.
func (s *Server) stepLinkUse(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	l, err := s.svc.UseStepLink(r.Context(), r.PathValue("token"))
	if err != nil {
		s.stepLinkError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "steplink.html", &stepLinkData{Page: Page{Title: stepLinkDone[l.Action]}, L: l})
}

var (
	stepLinkTitle = map[tl.StepAction]string{
		tl.StepActionAccept: "Accept this week's step",
		tl.StepActionDone:   "Mark this week's step done",
		tl.StepActionSkip:   "Skip this week's step",
	}
	stepLinkDone = map[tl.StepAction]string{
		tl.StepActionAccept: "Step accepted",
		tl.StepActionDone:   "Step done",
		tl.StepActionSkip:   "Step skipped",
	}
)

// stepLinkError shows why a step link cannot act, with the way to sign in:
// not valid, used already, expired, or the step moved on.
func (s *Server) stepLinkError(w http.ResponseWriter, r *http.Request, err error) {
	var title string
	switch tl.ErrorCode(err) {
	case tl.ENOTFOUND:
		title = "Link not valid"
	case tl.ECONFLICT:
		title = "Nothing changed"
	case tl.EINVALID:
		title = "Link expired"
	default:
		s.fail(w, r, err)
		return
	}
	s.render(w, r, tl.HTTPStatus(tl.ErrorCode(err)), "steplink.html", &stepLinkData{Page: Page{Title: title},
		Message: tl.ErrorMessage(err), Expired: tl.ErrorCode(err) == tl.EINVALID})
}

// unsubscribeData is an unsubscribe link's page.
type unsubscribeData struct {
	Page
	U     *tl.Unsubscription
	Token string
	Done  bool
}

func (s *Server) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	token := r.PathValue("token")
	u, err := s.svc.Unsubscription(r.Context(), token)
	if err != nil {
		s.stepLinkError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "unsubscribe.html", &unsubscribeData{Page: Page{Title: "Stop the weekly email"}, U: u, Token: token, Done: u.Off})
}

// unsubscribeUse turns the mail off: the page's button, or a mail
// client's one-click POST (body "List-Unsubscribe=One-Click").
func (s *Server) unsubscribeUse(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	u, err := s.svc.Unsubscribe(r.Context(), r.PathValue("token"))
	if err != nil {
		s.stepLinkError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "unsubscribe.html", &unsubscribeData{Page: Page{Title: "Weekly email stopped"}, U: u, Done: true})
}
