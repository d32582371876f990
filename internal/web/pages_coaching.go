package web

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"html/template"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/chart"
	"github.com/trustledger/trustledger/internal/engine"
)

// registerCoaching adds programs, rosters and journal sharing.
func (s *Server) registerCoaching(mux *http.ServeMux) {
	mux.HandleFunc("GET /programs", s.programsPage)
	mux.HandleFunc("POST /programs", s.programCreate)
	mux.HandleFunc("GET /programs/{id}", s.programPage)
	mux.HandleFunc("POST /programs/{id}/coaches", s.programAddCoach)
	mux.HandleFunc("POST /programs/{id}/leaders", s.programAddLeader)
	mux.HandleFunc("POST /programs/{id}/consent", s.programConsent)
	mux.HandleFunc("GET /roster", s.rosterPage)
	mux.HandleFunc("POST /roster", s.rosterPreview)
	mux.HandleFunc("POST /roster/import", s.rosterImport)
	mux.HandleFunc("GET /roster/jobs/{id}", s.rosterJob)
	mux.HandleFunc("GET /roster/jobs/{id}/status", s.rosterJobStatus)
	mux.HandleFunc("POST /journal/{id}/share", s.journalShare)
}

type programsPage struct {
	Page
	Programs []tl.Program
	Admin    bool
	Name     string
}

func (s *Server) programsData(r *http.Request) (*programsPage, error) {
	u := s.user(r)
	list, err := s.svc.Programs(r.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	return &programsPage{Page: Page{Title: "Programs", Nav: "programs"}, Programs: list,
		Admin: u.Role.CanAdminister()}, nil
}

func (s *Server) programsPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.programsData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "programs.html", d)
}

func (s *Server) programCreate(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.PostFormValue("name"))
	p, err := s.svc.CreateProgram(r.Context(), s.user(r).ID, name)
	if err != nil {
		d, derr := s.programsData(r)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		d.Name = name
		s.formFail(w, r, err, "programs.html", d, formField(err, "name", "name"))
		return
	}
	s.flash(w, r, "Program "+p.Name+" created. Add its coaches and leaders; coaches see a leader only once the leader consents.")
	redirect(w, r, "/programs/"+p.ID)
}

// pulseTrend charts the released pulses' means by week (1 to 5), one
// line per scale, averaged over the leaders whose pulse closed that week,
// weeks as the reader counts them (loc).
func pulseTrend(ps []tl.RollupPulse, loc *time.Location) template.HTML {
	if len(ps) == 0 {
		return ""
	}
	first := tl.WeekStartIn(ps[len(ps)-1].ClosedAt, loc)
	type acc struct{ sum, n float64 }
	by := map[string]map[int]*acc{}
	var scales []string
	for _, p := range ps {
		w := int(tl.WeekStartIn(p.ClosedAt, loc).Sub(first).Hours()/(24*7)) + 1
		for _, sc := range p.Scales {
			if by[sc.Scale] == nil {
				by[sc.Scale] = map[int]*acc{}
				scales = append(scales, sc.Scale)
			}
			a := by[sc.Scale][w]
			if a == nil {
				a = &acc{}
				by[sc.Scale][w] = a
			}
			a.sum += sc.Mean
			a.n++
		}
	}
	wd := chart.WeeklyData{ID: "tl-pulses", Title: "Released pulse means by week, 1 (disagree) to 5 (agree)", Metric: "mean", YMax: 5,
		Ref: 3, RefLabel: "neither"}
	for _, sc := range scales {
		series := chart.WeeklySeries{Name: sc}
		for w, a := range by[sc] {
			series.Points = append(series.Points, chart.WeekValue{Week: w, Value: a.sum / a.n})
		}
		slices.SortFunc(series.Points, func(a, b chart.WeekValue) int { return a.Week - b.Week })
		wd.Series = append(wd.Series, series)
	}
	return chart.HTML(chart.WeeklyChart(wd))
}

// quadrantOrder is how the summary across leaders lists quadrants: where
// trust carries authority first, those too early to tell last.
var quadrantOrder = []engine.Quadrant{engine.Influence, engine.Goodwill, engine.Compliance, engine.Unanchored, engine.Undetermined}

// quadrantRow is one quadrant, named in words, with its counts over the
// summary's weeks.
type quadrantRow struct {
	Quadrant string
	Counts   []int
}

type programPage struct {
	Page
	Detail    *tl.ProgramDetail
	Rollup    *tl.Rollup
	Weeks     []time.Time
	Quadrants []quadrantRow
	Admin     bool
	Mine      *tl.ProgramLeader // the signed-in leader's own row
	Email     string            // the address a failed add kept
	// QuadrantChart is each quadrant's share of the relationships by
	// week; PulseChart the mean of the released pulses by week and scale.
	QuadrantChart template.HTML
	PulseChart    template.HTML
}

func (s *Server) programData(r *http.Request) (*programPage, error) {
	u := s.user(r)
	id := r.PathValue("id")
	det, err := s.svc.Program(r.Context(), u.ID, id)
	if err != nil {
		return nil, err
	}
	d := &programPage{Page: Page{Title: det.Program.Name, Nav: "programs"}, Detail: det,
		Admin: u.Role.CanAdminister()}
	for i := range det.Leaders {
		if det.Leaders[i].LeaderID == u.LeaderID && u.LeaderID != "" {
			d.Mine = &det.Leaders[i]
		}
	}
	if det.RollupVisibleTo(u) {
		if d.Rollup, err = s.svc.Rollup(r.Context(), u.ID, id); err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, wk := range d.Rollup.Weeks {
			d.Weeks = append(d.Weeks, wk.WeekStart)
			for q := range wk.Quadrants {
				seen[q] = true
			}
		}
		var qs []string
		for _, q := range quadrantOrder {
			if seen[string(q)] {
				qs = append(qs, string(q))
			}
		}
		qc := chart.WeeklyData{ID: "tl-quadrants", Title: "Share of relationships in each quadrant, by week", Metric: "share", YMax: 1,
			Empty: "No week recorded yet."}
		for _, q := range qs {
			row := quadrantRow{Quadrant: quadShort(engine.Quadrant(q))}
			series := chart.WeeklySeries{Name: row.Quadrant}
			for i, wk := range d.Rollup.Weeks {
				row.Counts = append(row.Counts, wk.Quadrants[q])
				total := 0
				for _, n := range wk.Quadrants {
					total += n
				}
				if total > 0 {
					series.Points = append(series.Points, chart.WeekValue{Week: i + 1, Value: float64(wk.Quadrants[q]) / float64(total)})
				}
			}
			d.Quadrants = append(d.Quadrants, row)
			qc.Series = append(qc.Series, series)
		}
		d.QuadrantChart = chart.HTML(chart.WeeklyChart(qc))
		d.PulseChart = pulseTrend(d.Rollup.Pulses, s.zone(r))
	}
	return d, nil
}

func (s *Server) programPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.programData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "program.html", d)
}

// programMember adds a coach or a leader by email (admins).
func (s *Server) programMember(w http.ResponseWriter, r *http.Request, add func(tl.ProgramService, context.Context, string, string, string) error, field, done string) {
	email := strings.TrimSpace(r.PostFormValue("email"))
	if err := add(s.svc, r.Context(), s.user(r).ID, r.PathValue("id"), email); err != nil {
		d, derr := s.programData(r)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		d.Email = email
		s.formFail(w, r, err, "program.html", d, formField(err, field, "email="+field))
		return
	}
	s.flash(w, r, email+" "+done)
	redirect(w, r, "/programs/"+r.PathValue("id"))
}

func (s *Server) programAddCoach(w http.ResponseWriter, r *http.Request) {
	s.programMember(w, r, tl.ProgramService.AddCoach, "coach", "now coaches this program.")
}

func (s *Server) programAddLeader(w http.ResponseWriter, r *http.Request) {
	s.programMember(w, r, tl.ProgramService.AddLeader, "leader",
		"is in this program. Their coaches see nothing of them until they consent on this page.")
}

func (s *Server) programConsent(w http.ResponseWriter, r *http.Request) {
	give := r.PostFormValue("consent") == "give"
	if err := s.svc.SetConsent(r.Context(), s.user(r).ID, r.PathValue("id"), give); err != nil {
		s.fail(w, r, err)
		return
	}
	if give {
		s.flash(w, r, "Your coaches now see your aggregates: quadrant counts, steps, released pulse means and the journal entries you share. Withdraw at any time.")
	} else {
		s.flash(w, r, "Consent withdrawn: from now on your coaches see nothing of you in this program.")
	}
	redirect(w, r, "/programs/"+r.PathValue("id"))
}

func (s *Server) journalShare(w http.ResponseWriter, r *http.Request) {
	share := r.PostFormValue("shared") == "1"
	if _, err := s.svc.ShareJournal(r.Context(), s.leader(r), r.PathValue("id"), share); err != nil {
		s.fail(w, r, err)
		return
	}
	if share {
		s.flash(w, r, "Shared with the coaches of the programs you consent to.")
	} else {
		s.flash(w, r, "No longer shared: only you can read it.")
	}
	redirect(w, r, "/journal")
}

// ---- Rosters ----

type rosterPage struct {
	Page
	Result *tl.RosterResult
	CSV    string
	Job    *rosterStatus
}

// rosterSample is how many lines a preview shows besides those in error.
const rosterSample = 20

// Shown are the lines the preview lists: every line with an error, and
// the first few others.
func (p *rosterPage) Shown() []tl.RosterRow {
	if p.Result == nil {
		return nil
	}
	var out []tl.RosterRow
	others := 0
	for _, r := range p.Result.Rows {
		if r.Error != "" || others < rosterSample {
			out = append(out, r)
			if r.Error == "" {
				others++
			}
		}
	}
	return out
}

// Hidden is how many fine lines the preview does not list.
func (p *rosterPage) Hidden() int {
	if p.Result == nil {
		return 0
	}
	return len(p.Result.Rows) - len(p.Shown())
}

// maxRosterForm caps a roster request: a 4 MB file, or its text sent back
// url-encoded to import (the app's own cap of 4 MB is checked after).
const maxRosterForm = 16 << 20

func (s *Server) rosterPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "roster.html", &rosterPage{Page: Page{Title: "Import a roster", Nav: "programs"}})
}

// rosterText reads the roster from the upload or the text area.
func rosterText(r *http.Request) (string, error) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(maxRosterForm); err != nil {
			return "", tl.Errorf(tl.EINVALID, "the file could not be read: send a CSV file of at most %d MB", tl.MaxRosterBytes>>20)
		}
		if f, _, err := r.FormFile("file"); err == nil {
			defer f.Close()
			b, err := io.ReadAll(f)
			if err != nil {
				return "", tl.Errorf(tl.EINVALID, "the file could not be read: %w", err)
			}
			if len(strings.TrimSpace(string(b))) > 0 {
				return string(b), nil
			}
		}
	}
	text := r.PostFormValue("csv")
	if strings.TrimSpace(text) == "" {
		return "", tl.Errorf(tl.EINVALID, "choose a CSV file or paste the roster: its first line names the columns email,name,role,team,leader_email")
	}
	return text, nil
}

// rosterPreview checks a roster and shows every line with what is wrong.
func (s *Server) rosterPreview(w http.ResponseWriter, r *http.Request) {
	d := &rosterPage{Page: Page{Title: "Import a roster", Nav: "programs"}}
	text, err := rosterText(r)
	if err == nil {
		d.CSV = text
		d.Result, err = s.svc.Roster(r.Context(), s.user(r).ID, []byte(text), true, nil)
	}
	if err != nil {
		s.formFail(w, r, err, "roster.html", d, formField(err, "csv", "csv"))
		return
	}
	status := http.StatusOK
	if d.Result.Errors > 0 {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, "roster.html", d)
}

// rosterJob is an import running in the background, for the progress bar.
type rosterJob struct {
	ID     string
	UserID string
	mu     sync.Mutex
	Done   int
	Total  int
	Result *tl.RosterResult
	Err    string
	Ended  bool
	At     time.Time
	done   chan struct{} // closed when the import has ended
}

// rosterStatus is a job as a page shows it.
type rosterStatus struct {
	ID          string
	Done, Total int
	Result      *tl.RosterResult
	Err         string
	Ended       bool
}

func (j *rosterJob) snapshot() rosterStatus {
	j.mu.Lock()
	defer j.mu.Unlock()
	return rosterStatus{ID: j.ID, Done: j.Done, Total: j.Total, Result: j.Result, Err: j.Err, Ended: j.Ended}
}

// Percent is how far the import is, for the progress bar.
func (j rosterStatus) Percent() int {
	if j.Total == 0 {
		return 0
	}
	return j.Done * 100 / j.Total
}

var rosterJobs = struct {
	sync.Mutex
	m map[string]*rosterJob
}{m: map[string]*rosterJob{}}

// rosterImport starts the import and sends the browser to its progress
// page. The import is one transaction: it ends with everything or nothing.
func (s *Server) rosterImport(w http.ResponseWriter, r *http.Request) {
	text := r.PostFormValue("csv")
	u := s.user(r)
	job := &rosterJob{ID: strings.ToLower(rand.Text()), UserID: u.ID, At: time.Now(), done: make(chan struct{})}
	rosterJobs.Lock()
	for id, j := range rosterJobs.m {
		if time.Since(j.At) > time.Hour {
			delete(rosterJobs.m, id)
		}
	}
	rosterJobs.m[job.ID] = job
	rosterJobs.Unlock()
	log := s.logger(r)
	go func() {
		res, err := s.svc.Roster(context.WithoutCancel(r.Context()), u.ID, []byte(text), false, func(done, total int) {
			job.mu.Lock()
			job.Done, job.Total = done, total
			job.mu.Unlock()
		})
		job.mu.Lock()
		defer close(job.done)
		defer job.mu.Unlock()
		job.Ended, job.Result = true, res
		if err != nil {
			job.Err = tl.ErrorMessage(err)
			if tl.ErrorCode(err) == tl.EINTERNAL {
				log.Error("roster import", "err", err)
			}
		}
	}()
	redirect(w, r, "/roster/jobs/"+job.ID)
}

// userJob is the signed-in user's import named in the path, or nil after
// answering ENOTFOUND (another user's import is not found either).
func (s *Server) userJob(w http.ResponseWriter, r *http.Request) *rosterJob {
	rosterJobs.Lock()
	job := rosterJobs.m[r.PathValue("id")]
	rosterJobs.Unlock()
	if job == nil || job.UserID != s.user(r).ID {
		s.fail(w, r, tl.Errorf(tl.ENOTFOUND, "no import %q: it may be over an hour old; the invitations page shows who was invited", r.PathValue("id")))
		return nil
	}
	return job
}

func (s *Server) rosterJob(w http.ResponseWriter, r *http.Request) {
	job := s.userJob(w, r)
	if job == nil {
		return
	}
	snap := job.snapshot()
	d := &rosterPage{Page: Page{Title: "Importing the roster", Nav: "programs"}, Job: &snap, Result: snap.Result}
	if !snap.Ended {
		// Until the import ends, app.js polls rosterJobStatus and moves
		// the bar; without scripts the page reloads itself every second.
		d.Refresh = 1
	}
	s.render(w, r, http.StatusOK, "roster.html", d)
}

// rosterProgress is a running import as app.js polls it.
type rosterProgress struct {
	Done    int  `json:"done"`
	Total   int  `json:"total"`
	Percent int  `json:"percent"`
	Ended   bool `json:"ended"`
}

// rosterJobStatus is the import's progress as JSON, for the progress bar's
// script; once Ended the script reloads the page to show the result.
func (s *Server) rosterJobStatus(w http.ResponseWriter, r *http.Request) {
	job := s.userJob(w, r)
	if job == nil {
		return
	}
	snap := job.snapshot()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(rosterProgress{Done: snap.Done, Total: snap.Total, Percent: snap.Percent(), Ended: snap.Ended})
}
