package web

import (
	"html/template"
	"net/http"
	"sort"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/chart"
	"github.com/trustledger/trustledger/internal/engine"
)

// relRow is one relationship in the dashboard's list.
type relRow struct {
	ID        string
	Person    string
	Kind      engine.RelKind
	Active    bool
	Quadrant  engine.Quadrant
	Enough    bool // false: "not enough evidence yet"
	Trust     float64
	TrustLow  float64
	TrustHigh float64
	Power     float64
	Gap       float64
	Warnings  []string
}

// personForm is the "add a person" form, kept on a failed submit.
type personForm struct {
	Name string
	Kind string
	Team string
}

// dashboardPage is the data of dashboard.html.
type dashboardPage struct {
	Page
	Map      template.HTML
	MapWeek  mapWeek // the week the map shows, and the links to the others
	Rows     []relRow
	Overdue  []tl.Promise
	DueSoon  []tl.Promise // due in the next 7 days
	Week     *tl.WeekReport
	Add      personForm
	RelKinds []engine.RelKind
	Teams    []tl.Team
	Views    []tl.TeamView // the ledger's, the team's and your own view, per team
}

// relKindWords describes the relationship kinds in the add-person form.
var relKindWords = map[engine.RelKind]string{
	engine.DirectReport:    "direct report",
	engine.SkipLevel:       "skip-level report",
	engine.CrossFunctional: "cross-functional colleague",
	engine.Stakeholder:     "stakeholder",
	engine.Peer:            "peer",
}

func relKindLabel(k engine.RelKind) string {
	if s, ok := relKindWords[k]; ok {
		return s
	}
	return string(k)
}

// mapWeek is the week the dashboard's map shows: this week (the map as it
// stands now), or one of the historyWeeks-1 before it, as it stood at its
// end. The links step a week at a time and work without scripts.
type mapWeek struct {
	Past    bool      // an earlier week, not this one
	Start   time.Time // its Monday
	End     time.Time // the moment shown: the Monday after (Sunday's end)
	Sunday  time.Time // its last day
	Earlier string    // link to the week before; "" at the first one kept
	Later   string    // link to the week after; "" on this week
}

// weekLink is the dashboard with the map of the week starting on monday;
// this week's is the plain dashboard.
func weekLink(monday, this time.Time) string {
	if !monday.Before(this) {
		return "/#map"
	}
	return "/?week=" + isoDate(monday) + "#map"
}

// parseMapWeek reads ?week=YYYY-MM-DD (any day of the week). A week after
// this one is this one; one before the first week kept, or before the
// first person still on the map was added, is that first week. Weeks are
// the leader's, in loc (docs/MODEL.md, choice 39).
func parseMapWeek(r *http.Request, now time.Time, loc *time.Location, rels []tl.RelationshipStatus) (mapWeek, error) {
	this := tl.WeekStartIn(now, loc)
	first := this.AddDate(0, 0, -7*(historyWeeks-1))
	var started time.Time
	for _, rs := range rels {
		if rs.Relationship.Active && (started.IsZero() || rs.Relationship.StartedAt.Before(started)) {
			started = rs.Relationship.StartedAt
		}
	}
	if !started.IsZero() && tl.WeekStartIn(started, loc).After(first) {
		first = tl.WeekStartIn(started, loc)
	}
	if first.After(this) {
		first = this
	}
	mw := mapWeek{Start: this}
	if q := strings.TrimSpace(r.URL.Query().Get("week")); q != "" {
		day, err := time.Parse("2006-01-02", q)
		if err != nil {
			return mw, tl.Invalidf("week", "the week is a date like %s, got %q", isoDate(this), q)
		}
		mw.Start = tl.WeekStart(day) // a date names its own week
	}
	if mw.Start.After(this) {
		mw.Start = this
	}
	if mw.Start.Before(first) {
		mw.Start = first
	}
	mw.Past = mw.Start.Before(this)
	mw.End, mw.Sunday = tl.WeekBegins(mw.Start, loc).AddDate(0, 0, 7).UTC(), mw.Start.AddDate(0, 0, 6)
	if mw.Start.After(first) {
		mw.Earlier = weekLink(mw.Start.AddDate(0, 0, -7), this)
	}
	if mw.Past {
		mw.Later = weekLink(mw.Start.AddDate(0, 0, 7), this)
	}
	return mw, nil
}

func (s *Server) dashboardData(r *http.Request) (*dashboardPage, error) {
	ctx, leader := r.Context(), s.leader(r)
	st, err := s.svc.Status(ctx, leader)
	if err != nil {
		return nil, err
	}
	set, err := s.svc.Settings(ctx, leader)
	if err != nil {
		return nil, err
	}
	mw, err := parseMapWeek(r, s.now(), s.zone(r), st.Relationships)
	if err != nil {
		return nil, err
	}
	week, err := s.svc.Week(ctx, leader)
	if err != nil {
		return nil, err
	}
	open, err := s.svc.Promises(ctx, leader, tl.PromiseOpen)
	if err != nil {
		return nil, err
	}
	teams, err := s.svc.Teams(ctx, leader)
	if err != nil {
		return nil, err
	}
	d := &dashboardPage{
		Page:     Page{Title: "Dashboard", Nav: "dashboard"},
		Week:     week,
		RelKinds: engine.RelKinds(),
		Teams:    teams,
		Add:      personForm{Kind: string(engine.DirectReport)},
		MapWeek:  mw,
	}
	md := chart.MapData{
		ID:       "map",
		Empty:    "No relationships yet: add the first person you lead to see them on the map.",
		Labels:   len(st.Relationships) <= 15,
		TrustMid: set.ThetaT,
		PowerMid: set.ThetaP,
	}
	for _, rs := range st.Relationships {
		rel, a := rs.Relationship, rs.Assessment
		row := relRow{
			ID: rel.ID, Person: rel.Person, Kind: rel.Kind, Active: rel.Active,
			Quadrant: a.Quadrant, Enough: a.Quadrant != engine.Undetermined,
			Trust: a.Trust.E, TrustLow: a.Trust.Low, TrustHigh: a.Trust.High,
			Power: a.Power, Gap: a.Gap, Warnings: a.Warnings,
		}
		d.Rows = append(d.Rows, row)
		if rel.Active && !mw.Past {
			md.Points = append(md.Points, mapPoint(rel, a))
		}
	}
	if mw.Past {
		md.Title = "Power–trust map at the end of the week of " + fmtDate(mw.Start)
		md.Empty = "Nobody on your map yet at the end of that week."
		if md.Points, err = s.mapAsOf(ctx, leader, set, st.Relationships, mw.End); err != nil {
			return nil, err
		}
	}
	// Compliance first: those are where power outpaces trust.
	sort.SliceStable(d.Rows, func(i, j int) bool {
		if d.Rows[i].Active != d.Rows[j].Active {
			return d.Rows[i].Active
		}
		return d.Rows[i].Gap > d.Rows[j].Gap
	})
	d.Map = chart.HTML(chart.PowerTrustMap(md))
	now := s.now()
	for _, c := range open {
		switch {
		case c.Due.Before(now):
			d.Overdue = append(d.Overdue, c)
		case c.Due.Before(now.Add(7 * 24 * time.Hour)):
			d.DueSoon = append(d.DueSoon, c)
		}
	}
	if d.Views, err = s.svc.TeamViews(ctx, leader); err != nil {
		return nil, err
	}
	sort.Slice(d.Overdue, func(i, j int) bool { return d.Overdue[i].Due.Before(d.Overdue[j].Due) })
	sort.Slice(d.DueSoon, func(i, j int) bool { return d.DueSoon[i].Due.Before(d.DueSoon[j].Due) })
	return d, nil
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	if s.user(r).LeaderID == "" {
		// A coach (or an admin who leads no one) keeps no trust accounts:
		// their home is the programs they follow.
		http.Redirect(w, r, "/programs", http.StatusSeeOther)
		return
	}
	// Without a confirmation to show, the page is the same for a user
	// until something is written (or a few seconds pass): it is kept.
	// The map of an earlier week is not kept: only this week's page is.
	_, noFlash := r.Cookie(cookieFlash)
	cacheable := s.writes != nil && noFlash != nil && !r.URL.Query().Has("week")
	var writes int64
	if cacheable {
		writes = s.writes()
		if page := s.dash.get(s.user(r).ID, s.now(), writes); page != nil {
			s.writePage(w, http.StatusOK, page)
			return
		}
	}
	d, err := s.dashboardData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !cacheable {
		s.render(w, r, http.StatusOK, "dashboard.html", d)
		return
	}
	rec := &pageRecorder{header: http.Header{}}
	s.render(rec, r, http.StatusOK, "dashboard.html", d)
	if rec.status == http.StatusOK {
		s.dash.put(s.user(r).ID, rec.body.Bytes(), s.now(), writes)
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.status)
	w.Write(rec.body.Bytes())
}

// peopleAdd adds a person from the dashboard's form.
func (s *Server) peopleAdd(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	in := personForm{
		Name: strings.TrimSpace(r.PostFormValue("name")),
		Kind: strings.TrimSpace(r.PostFormValue("kind")),
		Team: strings.TrimSpace(r.PostFormValue("team")),
	}
	rel, err := s.svc.AddPerson(r.Context(), s.leader(r), tl.PersonInput{Name: in.Name, Kind: engine.RelKind(in.Kind), Team: in.Team})
	if err != nil {
		d, derr := s.dashboardData(r)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		d.Add = in
		s.formFail(w, r, err, "dashboard.html", d, formField(err, "name", "name", "kind", "team"))
		return
	}
	s.flash(w, r, "Added "+rel.Person+" ("+relKindLabel(rel.Kind)+"). Log the first thing that happened between you.")
	redirect(w, r, "/people/"+rel.ID)
}

func (s *Server) weekAccept(w http.ResponseWriter, r *http.Request) {
	step, prom, err := s.svc.AcceptStep(r.Context(), s.leader(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, "Step accepted for "+step.Person+". It is now a promise due "+fmtDateIn(prom.Due, s.zone(r))+": mark it done when you have taken it.")
	redirect(w, r, "/")
}

func (s *Server) weekClose(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	status := tl.StepStatus(r.PostFormValue("status"))
	step, err := s.svc.CloseStep(r.Context(), s.leader(r), status)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	msg := "Step done for " + step.Person + ": logged as a promise kept. Its effect is checked in four weeks."
	if step.Status == tl.StepSkipped {
		msg = "Step skipped for " + step.Person + ". No penalty: the promise was renegotiated."
	}
	s.flash(w, r, msg)
	redirect(w, r, "/")
}
