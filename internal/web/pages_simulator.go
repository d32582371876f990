package web

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"path"
	"path/filepath"
	"sort"
	"strings"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/chart"
	"github.com/trustledger/trustledger/internal/engine"
	sim "github.com/trustledger/trustledger/internal/scenario"
)

// Limits on an uploaded scenario. The file cap is the one the API states
// too (tl.MaxScenarioBytes); the others keep one upload from holding a
// core for long (a shipped scenario is far below all of them).
const (
	maxScenarioBytes   = tl.MaxScenarioBytes
	maxScenarioPeople  = 50
	maxScenarioWeeks   = 260
	maxScenarioApplied = 200_000 // event applications: count × people
	maxTableRows       = 200     // rows of the weekly table before weeks are thinned (pages stay under 100 KB)
)

// shippedScenario is one file of Config.ScenarioDir.
type shippedScenario struct {
	File string // base name, e.g. "lena.yaml"
	Name string // the scenario's name:, or the file name when it does not parse
}

// simRow is one row of the weekly table.
type simRow struct {
	Week      int    // set on a week's first row only
	End       string // the week's last day, on its first row
	Person    string
	Team      bool // the team average
	Power     float64
	Trust     float64
	TrustLow  float64
	TrustHigh float64
	Influence float64
	Quadrant  engine.Quadrant
	Warnings  []string
}

// simWeek is one week of the table with its step.
type simWeek struct {
	Week int
	End  string
	Rows []simRow
	Step *sim.Step
}

// simResult is one run shown on the page.
type simResult struct {
	Name      string
	File      string
	Weeks     int
	People    int
	Expect    int
	Failures  []string // expect lines that did not hold
	Trust     template.HTML
	Influence template.HTML
	Table     []simWeek
	Every     int // the table shows every Every-th week (1: all)
}

// simulatorPage is the data of pages_simulator.html.
type simulatorPage struct {
	Page
	Shipped  []shippedScenario
	Selected string
	YAML     string // the pasted text, kept on a failed run
	Result   *simResult
	MaxKiB   int
}

// shippedScenarios lists the YAML files of the scenario directory.
func (s *Server) shippedScenarios() []shippedScenario {
	if s.scenDir == "" {
		return nil
	}
	matches, err := filepath.Glob(filepath.Join(s.scenDir, "*.yaml"))
	if err != nil {
		return nil
	}
	sort.Strings(matches)
	out := make([]shippedScenario, 0, len(matches))
	for _, m := range matches {
		sh := shippedScenario{File: filepath.Base(m), Name: filepath.Base(m)}
		if sc, err := sim.Load(m); err == nil && sc.Name != "" {
			sh.Name = sc.Name
		}
		out = append(out, sh)
	}
	return out
}

func (s *Server) simulatorData() *simulatorPage {
	return &simulatorPage{
		Page:    Page{Title: "Simulator", Nav: "simulator"},
		Shipped: s.shippedScenarios(),
		MaxKiB:  maxScenarioBytes >> 10,
	}
}

// simulatorPage lists the shipped scenarios and, with ?scenario=FILE, runs
// one. Running changes nothing, so it is a GET a leader can bookmark.
func (s *Server) simulatorPage(w http.ResponseWriter, r *http.Request) {
	d := s.simulatorData()
	name := r.URL.Query().Get("scenario")
	if name == "" {
		s.render(w, r, http.StatusOK, "pages_simulator.html", d)
		return
	}
	found := false
	for _, sh := range d.Shipped {
		if sh.File == name {
			found = true
		}
	}
	if !found {
		s.fail(w, r, tl.Errorf(tl.ENOTFOUND, "there is no shipped scenario named %q", name))
		return
	}
	d.Selected = name
	sc, err := sim.Load(filepath.Join(s.scenDir, name))
	if err == nil {
		sc.File = name
		d.Result, err = simulate(sc)
	}
	if err != nil {
		s.formError(w, r, err, "pages_simulator.html", d, "scenario")
		return
	}
	d.Title = "Simulator: " + d.Result.Name
	s.render(w, r, http.StatusOK, "pages_simulator.html", d)
}

// simulatorUpload runs an uploaded or pasted scenario and shows the run at
// once: it stores nothing, so there is nothing to redirect to (and a
// reload only runs it again).
func (s *Server) simulatorUpload(w http.ResponseWriter, r *http.Request) {
	d := s.simulatorData()
	data, file, err := readScenarioUpload(r)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			err = tl.Errorf(tl.EINVALID, "that upload is larger than %d KiB: a scenario file is a few kilobytes", maxScenarioBytes>>10)
		}
		s.formError(w, r, err, "pages_simulator.html", d, "file")
		return
	}
	name := file
	if file == "" {
		d.YAML, name = string(data), "pasted.yaml"
	}
	sc, err := sim.Parse(name, data)
	if err == nil {
		err = checkScenarioSize(sc)
	}
	if err == nil {
		d.Result, err = simulate(sc)
	}
	if err != nil {
		field := "yaml"
		if file != "" {
			field = "file"
		}
		s.formError(w, r, err, "pages_simulator.html", d, field)
		return
	}
	d.Title = "Simulator: " + d.Result.Name
	s.render(w, r, http.StatusOK, "pages_simulator.html", d)
}

// readScenarioUpload returns the scenario text from the file input, or
// else from the textarea (file "" then), capped at maxScenarioBytes.
func readScenarioUpload(r *http.Request) (data []byte, file string, err error) {
	if err := r.ParseMultipartForm(maxScenarioBytes + 64<<10); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return nil, "", err
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
		if fhs := r.MultipartForm.File["file"]; len(fhs) > 0 && fhs[0].Size > 0 {
			fh := fhs[0]
			if fh.Size > maxScenarioBytes {
				return nil, "", tl.Errorf(tl.EINVALID, "%s is %d KiB; the simulator takes files up to %d KiB", uploadName(fh.Filename), fh.Size>>10, maxScenarioBytes>>10)
			}
			f, err := fh.Open()
			if err != nil {
				return nil, "", err
			}
			defer f.Close()
			data, err := io.ReadAll(io.LimitReader(f, maxScenarioBytes+1))
			if err != nil {
				return nil, "", err
			}
			if len(data) > maxScenarioBytes {
				return nil, "", tl.Errorf(tl.EINVALID, "that file is larger than %d KiB", maxScenarioBytes>>10)
			}
			return data, uploadName(fh.Filename), nil
		}
	}
	text := r.FormValue("yaml")
	if strings.TrimSpace(text) == "" {
		return nil, "", tl.Errorf(tl.EINVALID, "choose a scenario file (YAML), or paste one below")
	}
	if len(text) > maxScenarioBytes {
		return []byte(text), "", tl.Errorf(tl.EINVALID, "the pasted scenario is larger than %d KiB", maxScenarioBytes>>10)
	}
	return []byte(text), "", nil
}

// uploadName is the base name of an uploaded file, for messages
// ("story.yaml:12: unknown kind"), never a path.
func uploadName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	if name == "." || name == "/" || name == "" {
		return "upload.yaml"
	}
	if len(name) > 80 {
		name = name[:80]
	}
	return name
}

// checkScenarioSize refuses an upload too large to run on a shared server.
func checkScenarioSize(sc *sim.Scenario) error {
	if n := len(sc.People); n > maxScenarioPeople {
		return tl.Errorf(tl.EINVALID, "%s has %d people; the web simulator runs up to %d (the command line has no limit: trustledger simulate)", sc.File, n, maxScenarioPeople)
	}
	if w := sc.Weeks(); w > maxScenarioWeeks {
		return tl.Errorf(tl.EINVALID, "%s runs %d weeks; the web simulator runs up to %d (the command line has no limit: trustledger simulate)", sc.File, w, maxScenarioWeeks)
	}
	applied := 0
	for _, e := range sc.Events {
		n := len(e.Who)
		if e.Team {
			n = len(sc.People)
		}
		applied += max(e.Count, 1) * n
	}
	if applied > maxScenarioApplied {
		return tl.Errorf(tl.EINVALID, "%s applies %d events; the web simulator runs up to %d (the command line has no limit: trustledger simulate)", sc.File, applied, maxScenarioApplied)
	}
	return nil
}

// simulate runs the scenario, checks its expect lines and lays the run out
// for the page: two weekly charts and the table.
func simulate(sc *sim.Scenario) (*simResult, error) {
	res, err := sim.Run(sc)
	if err != nil {
		return nil, err
	}
	out := &simResult{
		Name: res.Scenario, File: sc.File, Weeks: len(res.Weeks), People: len(sc.People),
		Expect: len(sc.Expect), Every: 1,
	}
	for _, f := range res.Check(sc) {
		out.Failures = append(out.Failures, failureText(f))
	}
	if out.Name == "" {
		out.Name = sc.File
	}
	trust := chart.WeeklyData{ID: "sim-trust", Metric: "trust", YMax: 1, Ref: 0.5, RefLabel: "neutral",
		Title: "Trust by week", Empty: "The scenario reports no weeks."}
	infl := chart.WeeklyData{ID: "sim-influence", Metric: "influence",
		Title: "Influence by week", Empty: "The scenario reports no weeks."}
	series := func(pick func(sim.Relationship) float64, team func(sim.Team) float64) []chart.WeeklySeries {
		ss := make([]chart.WeeklySeries, len(sc.People))
		for i, p := range sc.People {
			ss[i].Name = p.Name
		}
		avg := chart.WeeklySeries{Name: "team average", Average: true}
		for _, wk := range res.Weeks {
			for i, rel := range wk.Relationships {
				if i < len(ss) {
					ss[i].Points = append(ss[i].Points, chart.WeekValue{Week: wk.Week, Value: pick(rel)})
				}
			}
			avg.Points = append(avg.Points, chart.WeekValue{Week: wk.Week, Value: team(wk.Team)})
		}
		if len(ss) > 1 {
			ss = append(ss, avg)
		}
		return ss
	}
	trust.Series = series(func(r sim.Relationship) float64 { return r.Trust }, func(t sim.Team) float64 { return t.Trust })
	infl.Series = series(func(r sim.Relationship) float64 { return r.Influence }, func(t sim.Team) float64 { return t.Influence })
	out.Trust = chart.HTML(chart.WeeklyChart(trust))
	out.Influence = chart.HTML(chart.WeeklyChart(infl))

	perWeek := len(sc.People) + 1
	if len(sc.People) > 1 {
		perWeek++
	}
	n := len(res.Weeks)
	for (n+out.Every-1)/out.Every*perWeek > maxTableRows && out.Every < n {
		out.Every++ // weeks shown: ⌈n/Every⌉
	}
	for i, wk := range res.Weeks {
		// Thin from the end, so the last week is always shown.
		if (len(res.Weeks)-1-i)%out.Every != 0 {
			continue
		}
		sw := simWeek{Week: wk.Week, End: wk.End, Step: wk.Step}
		for _, rel := range wk.Relationships {
			sw.Rows = append(sw.Rows, simRow{
				Person: rel.Person, Power: rel.Power, Trust: rel.Trust, TrustLow: rel.TrustLow, TrustHigh: rel.TrustHigh,
				Influence: rel.Influence, Quadrant: engine.Quadrant(rel.Quadrant), Warnings: rel.Warnings,
			})
		}
		if len(wk.Relationships) > 1 {
			t := wk.Team
			sw.Rows = append(sw.Rows, simRow{Person: "team average", Team: true, Power: t.Power, Trust: t.Trust,
				TrustLow: t.TrustLow, TrustHigh: t.TrustHigh, Influence: t.Influence})
		}
		out.Table = append(out.Table, sw)
	}
	return out, nil
}

// failureText is a failure without the file name, which the page shows
// once above the list.
func failureText(f sim.Failure) string {
	return fmt.Sprintf("line %d: week %d, %s: %s", f.Line, f.Week, f.Who, f.Message)
}
