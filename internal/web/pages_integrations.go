package web

import (
	"net/http"
	"slices"
	"strings"

	tl "github.com/trustledger/trustledger"
)

// registerIntegrations adds the integrations page: the leader's webhooks
// (listed, added with their signing secret shown once, removed after a
// confirmation page) and the state of the calendar feed.
func (s *Server) registerIntegrations(mux *http.ServeMux) {
	mux.HandleFunc("GET /integrations", s.integrationsPage)
	mux.HandleFunc("POST /integrations/webhooks", s.webhookAdd)
	mux.HandleFunc("GET /integrations/webhooks/{id}/remove", s.webhookRemoveConfirm)
	mux.HandleFunc("POST /integrations/webhooks/{id}/remove", s.webhookRemove)
}

// webhookEvent is one event a webhook can ask for, as a checkbox.
type webhookEvent struct {
	Name    string
	Doc     string
	Checked bool
}

// webhookEventDocs says in words when each event is sent.
var webhookEventDocs = map[string]string{
	tl.EventPromiseDue:     "an open promise is due within a day",
	tl.EventPromiseOverdue: "an open promise passed its due date and grace, and counts as broken",
	tl.EventStepSuggested:  "this week's step was chosen",
	tl.EventPulseReleased:  "a pulse closed with results you can see",
	tl.EventDigestWeekly:   "your weekly digest, at the day and hour of your weekly email (even with the email off)",
}

// integrationsPage is the data of integrations.html.
type integrationsPage struct {
	Page
	// NoLeader is set for roles that keep no trust accounts (a coach):
	// there is nothing of theirs to send.
	NoLeader bool
	Webhooks []tl.Webhook
	Events   []webhookEvent
	URL      string // the add form's draft
	// Added and Secret are the webhook just made and its signing
	// secret, shown on the response to the POST that made it only.
	Added  *tl.Webhook
	Secret string
	// Confirm is the webhook the removal page asks about.
	Confirm  *tl.Webhook
	Calendar bool // the calendar feed is on
	Header   string
}

// integrationsData is the page with the leader's webhooks, every event
// checked in the add form, and whether the calendar feed is on.
func (s *Server) integrationsData(r *http.Request) (*integrationsPage, error) {
	d := &integrationsPage{Page: Page{Title: "Integrations", Nav: "settings"}, Header: tl.WebhookSignatureHeader}
	for _, e := range tl.WebhookEvents {
		d.Events = append(d.Events, webhookEvent{Name: e, Doc: webhookEventDocs[e], Checked: true})
	}
	leader := s.leader(r)
	if leader == "" {
		d.NoLeader = true
		return d, nil
	}
	var err error
	if d.Webhooks, err = s.svc.Webhooks(r.Context(), leader); err != nil {
		return nil, err
	}
	if d.Calendar, err = s.svc.HasCalendar(r.Context(), leader); err != nil {
		return nil, err
	}
	return d, nil
}

func (s *Server) integrationsPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.integrationsData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "integrations.html", d)
}

// webhookAdd registers a webhook and shows its signing secret in the
// response itself: the secret is shown once, so it is not put in a
// cookie or a URL to survive a redirect.
func (s *Server) webhookAdd(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.integrationsData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if d.NoLeader {
		s.fail(w, r, tl.Errorf(tl.EFORBIDDEN, "webhooks send a leader's promises, steps and pulses: your role keeps none"))
		return
	}
	d.URL = strings.TrimSpace(r.PostFormValue("url"))
	chosen := r.PostForm["event"]
	for i := range d.Events {
		d.Events[i].Checked = slices.Contains(chosen, d.Events[i].Name)
	}
	// The service checks the address and the events. None chosen is the
	// form's own rule: the service takes none as every event, the form
	// has them all checked to begin with and asks for one.
	if len(chosen) == 0 {
		d.Errors = FormErrors{"event": "Choose at least one event to send."}
		s.render(w, r, http.StatusUnprocessableEntity, "integrations.html", d)
		return
	}
	added, secret, err := s.svc.AddWebhook(r.Context(), s.leader(r), d.URL, chosen)
	if err != nil {
		s.formFail(w, r, err, "integrations.html", d, formField(err, "url", "url", "events=event"))
		return
	}
	if d.Webhooks, err = s.svc.Webhooks(r.Context(), s.leader(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	d.Added, d.Secret, d.URL = added, secret, ""
	for i := range d.Events {
		d.Events[i].Checked = true
	}
	d.Flash = "Webhook added. Copy its signing secret now: it is shown only this once."
	s.render(w, r, http.StatusOK, "integrations.html", d)
}

// webhookByID finds one of the leader's webhooks.
func (s *Server) webhookByID(r *http.Request, id string) (*tl.Webhook, error) {
	hs, err := s.svc.Webhooks(r.Context(), s.leader(r))
	if err != nil {
		return nil, err
	}
	for i := range hs {
		if hs[i].ID == id {
			return &hs[i], nil
		}
	}
	return nil, tl.Errorf(tl.ENOTFOUND, "there is no such webhook: it may have been removed already")
}

// webhookRemoveConfirm asks before removing, on a page of its own, so
// the confirmation works without JavaScript.
func (s *Server) webhookRemoveConfirm(w http.ResponseWriter, r *http.Request) {
	h, err := s.webhookByID(r, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := &integrationsPage{Page: Page{Title: "Remove a webhook", Nav: "settings"}, Confirm: h}
	s.render(w, r, http.StatusOK, "integrations.html", d)
}

func (s *Server) webhookRemove(w http.ResponseWriter, r *http.Request) {
	err := s.svc.RemoveWebhook(r.Context(), s.leader(r), r.PathValue("id"))
	switch tl.ErrorCode(err) {
	case "":
		s.flash(w, r, "Webhook removed: nothing more is sent to it, including deliveries still waiting.")
	case tl.ENOTFOUND:
		s.fail(w, r, tl.Errorf(tl.ENOTFOUND, "there is no such webhook: it may have been removed already"))
		return
	default:
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/integrations#webhooks")
}
