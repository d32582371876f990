package web

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// settingRow is one model setting: its documented name, the default, the
// leader's value, and the form's draft and error after a failed save.
type settingRow struct {
	Name    string
	Doc     string
	Default string
	Current string
	Changed bool
	Min     string // the bounds Set accepts
	Max     string
	Value   string // the input's value: the draft on a failed save, else Current
	Error   string
}

// settingsPerson is one person in the people list.
type settingsPerson struct {
	ID     string
	Person string
	Kind   engine.RelKind
	Team   string
	Active bool
}

// settingsTeam is one team with how many people are in it.
type settingsTeam struct {
	Name     string
	Active   int
	Inactive int
}

// kindProfile is a relationship kind's default power profile.
type kindProfile struct {
	Kind      engine.RelKind
	Bases     engine.Bases
	Authority float64
	Power     float64
}

// settingGroup is a few related settings, shown together and folded
// unless one of them differs from its default or has an error.
type settingGroup struct {
	Title    string
	Help     string
	Settings []settingRow
	Open     bool
}

// settingGroups sorts the documented settings by what they govern; a
// setting not named here lands in the last group, so none is ever hidden.
var settingGroups = []struct {
	title, help string
	names       []string
}{
	{"Evidence and trust", "How much each entry counts and how fast it fades.", []string{
		"prior_weight", "base_rate", "trust_threshold", "half_life_days", "kappa_ability", "kappa_benevolence",
		"kappa_integrity", "lambda_self_positive", "lambda_self_negative", "lambda_system", "lambda_confirmed",
		"self_cap", "checkin_weight", "checkin_reliability", "pulse_weight"}},
	{"Quadrants and warnings", "When a relationship is classified, and when a warning is raised.", []string{
		"power_threshold", "uncertainty_max", "confidence", "command_share", "command_window_days", "fear_coercive"}},
	{"Breaches and repair", "What an apology repairs, and for how long.", []string{
		"rho_ability", "rho_benevolence", "rho_integrity", "rho_deception", "apology_window_days",
		"breach_window_days", "breach_min_weight", "promise_grace_days"}},
	{"The weekly step", "Which relationship is picked, and when a step counts as having worked.", []string{
		"gap_threshold", "step_cooldown_days", "outcome_check_days", "outcome_min_rise", "outcome_min_evidence",
		"barrier_window_days", "tie_tolerance"}},
	{"Team voice", "Anonymity and agreement for pulses and check-ins.", []string{
		"anonymity_k", "anonymity_floor", "comments_k", "rwg_weak", "rwg_strong", "self_other_gap", "share_say_do"}},
}

// groupSettings lays rows out in settingGroups, in table order within
// each group.
func groupSettings(rows []settingRow) []settingGroup {
	where := map[string]int{}
	out := make([]settingGroup, len(settingGroups), len(settingGroups)+1)
	for i, g := range settingGroups {
		out[i] = settingGroup{Title: g.title, Help: g.help}
		for _, n := range g.names {
			where[n] = i
		}
	}
	var other settingGroup
	for _, r := range rows {
		g := &other
		if i, ok := where[r.Name]; ok {
			g = &out[i]
		}
		g.Settings = append(g.Settings, r)
		g.Open = g.Open || r.Changed || r.Error != ""
	}
	if len(other.Settings) > 0 {
		other.Title, other.Help = "Other", "Settings added since this page was written."
		out = append(out, other)
	}
	return out
}

// settingsPage is the data of pages_settings.html.
type settingsPage struct {
	Page
	Settings  []settingRow
	Changed   int
	People    []settingsPerson
	Teams     []settingsTeam
	TeamName  string // the add-team form's draft
	BaseNames []string
	Kinds     []kindProfile
}

// Groups is Settings by topic, computed when the page renders so that a
// failed save's error opens its group.
func (d *settingsPage) Groups() []settingGroup { return groupSettings(d.Settings) }

// AdvancedOpen unfolds the advanced part when a setting in it differs
// from its default or has an error: what changed stays in sight.
func (d *settingsPage) AdvancedOpen() bool {
	for _, r := range d.Settings {
		if r.Changed || r.Error != "" {
			return true
		}
	}
	return false
}

// fmtSetting prints a setting's value without trailing zeros.
func fmtSetting(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func (s *Server) settingsData(r *http.Request) (*settingsPage, error) {
	ctx, leader := r.Context(), s.leader(r)
	cur, err := s.svc.Settings(ctx, leader)
	if err != nil {
		return nil, err
	}
	people, err := s.svc.People(ctx, leader)
	if err != nil {
		return nil, err
	}
	teams, err := s.svc.Teams(ctx, leader)
	if err != nil {
		return nil, err
	}
	def := engine.DefaultSettings()
	d := &settingsPage{Page: Page{Title: "Settings", Nav: "settings"}}
	for _, si := range engine.SettingNames() {
		dv, err := def.Get(si.Name)
		if err != nil {
			return nil, err
		}
		cv, err := cur.Get(si.Name)
		if err != nil {
			return nil, err
		}
		row := settingRow{Name: si.Name, Doc: si.Doc, Default: fmtSetting(dv), Current: fmtSetting(cv), Changed: dv != cv,
			Min: fmtSetting(si.Min), Max: fmtSetting(si.Max)}
		row.Value = row.Current
		if row.Changed {
			d.Changed++
		}
		d.Settings = append(d.Settings, row)
	}
	teamName := map[string]string{}
	counts := map[string]*settingsTeam{}
	for _, t := range teams {
		d.Teams = append(d.Teams, settingsTeam{Name: t.Name})
		teamName[t.ID] = t.Name
	}
	for i := range d.Teams {
		counts[d.Teams[i].Name] = &d.Teams[i]
	}
	for _, p := range people {
		tn := teamName[p.TeamID]
		d.People = append(d.People, settingsPerson{ID: p.ID, Person: p.Person, Kind: p.Kind, Team: tn, Active: p.Active})
		if c := counts[tn]; c != nil {
			if p.Active {
				c.Active++
			} else {
				c.Inactive++
			}
		}
	}
	for b := range engine.NumBases {
		d.BaseNames = append(d.BaseNames, engine.Base(b).String())
	}
	for _, k := range engine.RelKinds() {
		b := engine.DefaultBases(k)
		d.Kinds = append(d.Kinds, kindProfile{Kind: k, Bases: b, Authority: b.Authority(), Power: b.Power()})
	}
	return d, nil
}

func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.settingsData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "pages_settings.html", d)
}

// knownSetting reports whether name is a documented setting; others are a
// 404, like any unknown thing in a URL.
func knownSetting(name string) bool {
	for _, si := range engine.SettingNames() {
		if si.Name == name {
			return true
		}
	}
	return false
}

// settingSet overrides one setting. The value comes from the form, or from
// the query for the confirmation's Undo button, which sets the old value
// back.
func (s *Server) settingSet(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if !knownSetting(name) {
		s.fail(w, r, tl.Errorf(tl.ENOTFOUND, "there is no setting named %q", name))
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	text := strings.TrimSpace(r.FormValue("value"))
	v, perr := strconv.ParseFloat(text, 64)
	var err error
	switch {
	case text == "":
		err = tl.Errorf(tl.EINVALID, "give a value: the default is shown beside the field")
	case perr != nil || math.IsNaN(v) || math.IsInf(v, 0):
		err = tl.Errorf(tl.EINVALID, "%q is not a number: write it like 0.5 or 90", text)
	}
	s.saveSetting(w, r, name, v, text, err, false)
}

// settingReset puts one setting back to its default.
func (s *Server) settingReset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if !knownSetting(name) {
		s.fail(w, r, tl.Errorf(tl.ENOTFOUND, "there is no setting named %q", name))
		return
	}
	def := engine.DefaultSettings()
	v, err := def.Get(name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.saveSetting(w, r, name, v, fmtSetting(v), nil, true)
}

func (s *Server) saveSetting(w http.ResponseWriter, r *http.Request, name string, v float64, text string, err error, reset bool) {
	ctx, leader := r.Context(), s.leader(r)
	var old float64
	if err == nil {
		cur, gerr := s.svc.Settings(ctx, leader)
		if gerr == nil {
			old, gerr = cur.Get(name)
		}
		if gerr != nil {
			s.fail(w, r, gerr)
			return
		}
		err = s.svc.SetSetting(ctx, leader, name, v)
	}
	if err != nil {
		if tl.ErrorCode(err) != tl.EINVALID {
			s.fail(w, r, err)
			return
		}
		d, derr := s.settingsData(r)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		for i := range d.Settings {
			if d.Settings[i].Name == name {
				d.Settings[i].Value, d.Settings[i].Error = text, tl.ErrorMessage(err)
			}
		}
		s.render(w, r, http.StatusUnprocessableEntity, "pages_settings.html", d)
		return
	}
	undo := "/settings/model/" + name + "?value=" + url.QueryEscape(fmtSetting(old))
	if old == v {
		undo = ""
	}
	// The setting's name is the model's, shown only in the advanced part
	// of the page; the confirmation above it says what changed in words,
	// and the redirect lands on the setting.
	msg := fmt.Sprintf("Saved: the new value is %s (it was %s). Every relationship was recomputed with it.", fmtSetting(v), fmtSetting(old))
	if reset {
		msg = fmt.Sprintf("Back to the default value, %s (it was %s). Every relationship was recomputed with it.", fmtSetting(v), fmtSetting(old))
	}
	s.flashUndo(w, r, msg, undo)
	redirect(w, r, "/settings#s-"+name)
}

// teamAdd creates a team.
func (s *Server) teamAdd(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	t, err := s.svc.AddTeam(r.Context(), s.leader(r), name)
	if err != nil {
		d, derr := s.settingsData(r)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		d.TeamName = name
		s.formError(w, r, err, "pages_settings.html", d, "team")
		return
	}
	s.flash(w, r, fmt.Sprintf("Team %s added. Put people in it when you add them on the dashboard.", t.Name))
	redirect(w, r, "/settings#teams")
}

// personActive ends or resumes a relationship. The Undo of the
// confirmation posts the opposite through the query.
func (s *Server) personActive(w http.ResponseWriter, r *http.Request) {
	rel, err := s.relByID(r, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	var active bool
	switch r.FormValue("active") {
	case "true":
		active = true
	case "false":
	default:
		s.fail(w, r, tl.Errorf(tl.EINVALID, "say whether the relationship is active: true or false"))
		return
	}
	rel, err = s.svc.SetActive(r.Context(), s.leader(r), rel.Person, active)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	undo := "/settings/people/" + rel.ID + "/active?active=" + strconv.FormatBool(!active)
	if active {
		s.flashUndo(w, r, fmt.Sprintf("%s is active again: team entries and the weekly step include them.", rel.Person), undo)
	} else {
		s.flashUndo(w, r, fmt.Sprintf("%s is inactive: their history stays, but team entries and the weekly step leave them out.", rel.Person), undo)
	}
	redirect(w, r, "/settings#people")
}
