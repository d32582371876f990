package web

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// promiseForm is the "make a promise" form, kept on a failed submit.
type promiseForm struct {
	To   string
	What string
	Due  string // yyyy-mm-dd
}

// promiseRow is one promise with what the page says about its date.
type promiseRow struct {
	tl.Promise
	DaysLate int  // overdue: whole days since the due date
	DueToday bool // due today
	// NewDue is the renegotiation form's date, kept on a failed submit.
	NewDue string
	Error  string // what went wrong resolving this promise
	// A broken promise: the entry that recorded the breach while an
	// apology would still repair part of it and none is logged (the log
	// page's apology form opens with it chosen), or whether one is.
	Breach     string
	Apologised bool
}

// promisesPage is the data of pages_promises.html.
type promisesPage struct {
	Page
	Overdue []promiseRow
	DueSoon []promiseRow // today and the next 7 days
	Later   []promiseRow
	Kept    []promiseRow // kept and kept late, newest first
	Broken  []promiseRow // broken, newest first
	SayKept int          // SayDo: promises kept, on time or late
	SayDue  int          // SayDo: promises that have come due
	Ratio   float64      // SayKept/SayDue when SayDue > 0
	Who     whoOptions
	Form    promiseForm
	Today   string // yyyy-mm-dd, the earliest due date the form offers
	HasAny  bool   // any promise at all, for the empty state
	// Calendar says the iCalendar feed is on; CalendarURL is its address,
	// only on the response that made it.
	Calendar    bool
	CalendarURL string
}

// keptListLimit caps the kept and broken lists: the ratio counts them all.
const keptListLimit = 20

func (s *Server) promisesData(r *http.Request, form promiseForm) (*promisesPage, error) {
	ctx, leader := r.Context(), s.leader(r)
	all, err := s.svc.Promises(ctx, leader, "")
	if err != nil {
		return nil, err
	}
	kept, due, err := s.svc.SayDo(ctx, leader)
	if err != nil {
		return nil, err
	}
	who, err := s.whoOptions(ctx, leader)
	if err != nil {
		return nil, err
	}
	now, loc := s.now(), s.zone(r)
	today := dayIn(now, loc)
	if form.Due == "" {
		form.Due = isoDate(today.AddDate(0, 0, 7))
	}
	d := &promisesPage{
		Page:    Page{Title: "Promises", Nav: "promises"},
		SayKept: kept, SayDue: due, Who: who, Form: form, Today: isoDate(today), HasAny: len(all) > 0,
	}
	if due > 0 {
		d.Ratio = float64(kept) / float64(due)
	}
	if d.Calendar, err = s.svc.HasCalendar(ctx, leader); err != nil {
		return nil, err
	}
	for _, c := range all {
		row := promiseRow{Promise: c}
		dueDay := dayIn(c.Due, loc)
		switch c.Status {
		case tl.PromiseOpen:
			switch {
			case dueDay.Before(today):
				row.DaysLate = int(today.Sub(dueDay) / (24 * time.Hour))
				d.Overdue = append(d.Overdue, row)
			case !dueDay.After(today.AddDate(0, 0, 7)):
				row.DueToday = dueDay.Equal(today)
				d.DueSoon = append(d.DueSoon, row)
			default:
				d.Later = append(d.Later, row)
			}
		case tl.PromiseKept, tl.PromiseKeptLate:
			d.Kept = append(d.Kept, row)
		case tl.PromiseBroken:
			d.Broken = append(d.Broken, row)
		}
	}
	byDue := func(rows []promiseRow) {
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].Due.Before(rows[j].Due) })
	}
	byResolved := func(rows []promiseRow) []promiseRow {
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].ResolvedAt.After(rows[j].ResolvedAt) })
		if len(rows) > keptListLimit {
			rows = rows[:keptListLimit]
		}
		return rows
	}
	byDue(d.Overdue)
	byDue(d.DueSoon)
	byDue(d.Later)
	d.Kept = byResolved(d.Kept)
	d.Broken = byResolved(d.Broken)
	if len(d.Broken) > 0 {
		if err := s.brokenApologies(r, d.Broken); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// brokenApologies marks each broken promise with the entry that recorded
// its breach, while an apology would still repair part of it and none is
// logged, or as apologised for.
func (s *Server) brokenApologies(r *http.Request, rows []promiseRow) error {
	set, err := s.svc.Settings(r.Context(), s.leader(r))
	if err != nil {
		return err
	}
	evs, err := s.eventsSince(r, s.now().Add(-time.Duration(set.ApologyWindow*float64(24*time.Hour))))
	if err != nil {
		return err
	}
	reversed := map[string]bool{}
	for _, e := range evs {
		if e.Reverses != "" {
			reversed[e.Reverses] = true
		}
	}
	apologised := map[string]bool{}
	for _, e := range evs {
		if e.Kind == engine.KindApology && e.Repairs != "" && e.Reverses == "" && !reversed[e.ID] {
			apologised[e.Repairs] = true
		}
	}
	breach := map[string]string{} // promise id → its live promise-broken entry
	for _, e := range evs {
		if e.Kind == engine.KindPromiseBroken && e.PromiseID != "" && e.Reverses == "" && !reversed[e.ID] {
			breach[e.PromiseID] = e.ID
		}
	}
	for i := range rows {
		id, ok := breach[rows[i].ID]
		switch {
		case !ok:
		case apologised[id]:
			rows[i].Apologised = true
		default:
			rows[i].Breach = id
		}
	}
	return nil
}

// promisesPage lists the promises. ?to=, ?what= and ?due= fill the form
// (an apology's offer that did not become a promise comes back here).
func (s *Server) promisesPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d, err := s.promisesData(r, promiseForm{To: q.Get("to"), What: q.Get("what"), Due: q.Get("due")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "pages_promises.html", d)
}

// promiseAdd records a promise and comes back to the list.
func (s *Server) promiseAdd(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	form := promiseForm{
		To:   strings.TrimSpace(r.PostFormValue("to")),
		What: strings.TrimSpace(r.PostFormValue("what")),
		Due:  strings.TrimSpace(r.PostFormValue("due")),
	}
	// The service checks the promise; the form only reads its date.
	var due time.Time
	if form.Due != "" {
		t, err := parseDay(form.Due)
		t = dueOn(t, s.zone(r))
		if err != nil {
			s.promisesFormFail(w, r, form, FormErrors{"due": tl.ErrorMessage(err)})
			return
		}
		due = t
	}
	c, err := s.svc.AddPromise(r.Context(), s.leader(r), tl.PromiseInput{To: form.To, What: form.What, Due: due})
	if err != nil {
		d, derr := s.promisesData(r, form)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		s.formError(w, r, err, "pages_promises.html", d, formField(err, "", "to", "what", "due"))
		return
	}
	s.flash(w, r, fmt.Sprintf("Promise made to %s, due %s: “%s”. Keeping it is evidence of integrity; mark it here when it is done.", recipient(c.RelationshipID, c.To), fmtDateIn(c.Due, s.zone(r)), short(c.What)))
	redirect(w, r, "/promises")
}

func (s *Server) promisesFormFail(w http.ResponseWriter, r *http.Request, form promiseForm, fe FormErrors) {
	d, err := s.promisesData(r, form)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Errors = fe
	s.render(w, r, http.StatusUnprocessableEntity, "pages_promises.html", d)
}

// outcomeWords says what marking a promise did, for the confirmation.
var outcomeWords = map[tl.PromiseStatus]string{
	tl.PromiseKept:         "kept",
	tl.PromiseKeptLate:     "kept late",
	tl.PromiseRenegotiated: "renegotiated",
	tl.PromiseBroken:       "broken",
}

// promiseResolve marks an open promise kept, kept late, renegotiated (with
// a new due date) or broken. Another leader's promise is a 404.
func (s *Server) promiseResolve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	outcome := tl.PromiseStatus(strings.TrimSpace(r.PostFormValue("outcome")))
	newDueText := strings.TrimSpace(r.PostFormValue("due"))
	ctx, leader := r.Context(), s.leader(r)

	// Find the promise first, so that another leader's id is a 404 whatever
	// else is wrong with the form.
	all, err := s.svc.Promises(ctx, leader, "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var before *tl.Promise
	for i := range all {
		if all[i].ID == id {
			before = &all[i]
		}
	}
	if before == nil {
		s.fail(w, r, tl.Errorf(tl.ENOTFOUND, "no such promise among yours"))
		return
	}

	var newDue time.Time
	var err2 error
	if outcome == tl.PromiseRenegotiated && newDueText != "" {
		newDue, err2 = parseDay(newDueText)
		newDue = dueOn(newDue, s.zone(r))
	}
	var c *tl.Promise
	if err2 == nil {
		c, err2 = s.svc.ResolvePromise(ctx, leader, id, outcome, newDue)
	}
	if err2 != nil {
		s.resolveFail(w, r, err2, id, newDueText)
		return
	}
	to := recipient(before.RelationshipID, before.To)
	switch outcome {
	case tl.PromiseRenegotiated:
		s.flash(w, r, fmt.Sprintf("Promise to %s renegotiated: “%s” is now due %s. Renegotiating before the date keeps your word.", to, short(c.What), fmtDate(c.Due)))
	case tl.PromiseBroken:
		s.flash(w, r, fmt.Sprintf("Logged: promise to %s broken (“%s”). Say so to %s yourself; an apology soon after repairs part of it: log it from Broken, below.", to, short(before.What), to))
	default:
		word := outcomeWords[c.Status]
		if word == "" {
			word = string(c.Status)
		}
		s.flash(w, r, fmt.Sprintf("Logged: promise %s for %s (“%s”).", word, to, short(before.What)))
	}
	redirect(w, r, "/promises")
}

// resolveFail re-renders the list with the error next to the promise and
// the new date kept.
func (s *Server) resolveFail(w http.ResponseWriter, r *http.Request, err error, id, newDue string) {
	code := tl.ErrorCode(err)
	if code != tl.EINVALID && code != tl.ECONFLICT {
		s.fail(w, r, err)
		return
	}
	d, derr := s.promisesData(r, promiseForm{})
	if derr != nil {
		s.fail(w, r, derr)
		return
	}
	found := false
	for _, rows := range [][]promiseRow{d.Overdue, d.DueSoon, d.Later} {
		for i := range rows {
			if rows[i].ID == id {
				rows[i].Error, rows[i].NewDue, found = tl.ErrorMessage(err), newDue, true
			}
		}
	}
	if !found {
		d.Errors = FormErrors{"": tl.ErrorMessage(err)}
	}
	status := http.StatusUnprocessableEntity
	if code == tl.ECONFLICT {
		status = http.StatusConflict
	}
	s.render(w, r, status, "pages_promises.html", d)
}
