package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/cli"
	"github.com/trustledger/trustledger/internal/engine"
)

// r3 is a number rounded to three decimals in JSON, as in the simulator's
// output: enough for any decision, and stable across machines whose last
// floating-point bits differ.
type r3 float64

// MarshalJSON writes the rounded value; a non-finite value is null.
func (x r3) MarshalJSON() ([]byte, error) {
	f := float64(x)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return []byte(strconv.FormatFloat(math.Round(f*1000)/1000, 'f', -1, 64)), nil
}

// dimsView is one number per dimension.
type dimsView struct {
	Ability     r3 `json:"ability"`
	Benevolence r3 `json:"benevolence"`
	Integrity   r3 `json:"integrity"`
}

// assessmentView is an engine.Assessment with the field names of the
// simulator's JSON (MODEL.md §17), so scripts read both the same way.
type assessmentView struct {
	Authority     r3       `json:"authority"`
	Power         r3       `json:"power"`
	Trust         r3       `json:"trust"`
	TrustLow      r3       `json:"trust_low"`
	TrustHigh     r3       `json:"trust_high"`
	Uncertainty   r3       `json:"uncertainty"`
	PHigh         r3       `json:"p_high"`
	Influence     r3       `json:"influence"`
	InfluenceLow  r3       `json:"influence_low"`
	InfluenceHigh r3       `json:"influence_high"`
	Gap           r3       `json:"gap"`
	Evidence      r3       `json:"evidence"`
	SelfShare     r3       `json:"self_share"`
	Enough        bool     `json:"enough_evidence"`
	Quadrant      string   `json:"quadrant"`
	Warnings      []string `json:"warnings"`
	PowerUse      r3       `json:"power_use"`
	Dimensions    dimsView `json:"dimensions"`
}

func viewAssessment(a engine.Assessment) assessmentView {
	w := a.Warnings
	if w == nil {
		w = []string{}
	}
	return assessmentView{
		Authority: r3(a.Authority), Power: r3(a.Power),
		Trust: r3(a.Trust.E), TrustLow: r3(a.Trust.Low), TrustHigh: r3(a.Trust.High),
		Uncertainty: r3(a.Trust.U), PHigh: r3(a.Trust.PHigh),
		Influence: r3(a.Influence), InfluenceLow: r3(a.InfLow), InfluenceHigh: r3(a.InfHigh),
		Gap: r3(a.Gap), Evidence: r3(a.Evidence), SelfShare: r3(a.SelfShare),
		Enough: a.Trust.Enough, Quadrant: string(a.Quadrant), Warnings: w, PowerUse: r3(a.PowerUse),
		Dimensions: dimsView{
			Ability:     r3(a.Dims[engine.Ability].E),
			Benevolence: r3(a.Dims[engine.Benevolence].E),
			Integrity:   r3(a.Dims[engine.Integrity].E),
		},
	}
}

// personView is a relationship as the CLI prints it: the team by name and
// the power bases by name.
type personView struct {
	ID        string         `json:"id"`
	Person    string         `json:"person"`
	Kind      string         `json:"kind"`
	Team      string         `json:"team"`
	Email     string         `json:"email,omitempty"`
	Active    bool           `json:"active"`
	Bases     map[string]int `json:"bases"`
	Authority r3             `json:"authority"`
	Power     r3             `json:"power"`
	StartedAt time.Time      `json:"started_at"`
}

func viewPerson(r tl.Relationship, n names) personView {
	bases := make(map[string]int, engine.NumBases)
	for i := range engine.NumBases {
		bases[engine.Base(i).String()] = r.Bases[i]
	}
	return personView{
		ID: r.ID, Person: r.Person, Kind: string(r.Kind), Team: n.team(r.TeamID), Email: r.Email, Active: r.Active,
		Bases: bases, Authority: r3(r.Bases.Authority()), Power: r3(r.Bases.Power()), StartedAt: r.StartedAt,
	}
}

// eventView is a ledger entry with its subject, source and severity
// spelled out.
type eventView struct {
	ID           string    `json:"id"`
	Who          string    `json:"who"`
	Subject      string    `json:"subject"`
	Kind         string    `json:"kind"`
	OccurredAt   time.Time `json:"occurred_at"`
	RecordedAt   time.Time `json:"recorded_at"`
	Source       string    `json:"source"`
	Severity     string    `json:"severity"`
	Note         string    `json:"note,omitempty"`
	RecordedBy   string    `json:"recorded_by"`
	Reverses     string    `json:"reverses,omitempty"`
	Repairs      string    `json:"repairs,omitempty"`
	Acknowledges bool      `json:"acknowledges,omitempty"`
	OffersRepair bool      `json:"offers_repair,omitempty"`
	Base         string    `json:"base,omitempty"`
	Shift        int       `json:"shift,omitempty"`
	PromiseID    string    `json:"commitment_id,omitempty"` // the promise's old JSON name, kept: scripts read it
	DecisionID   string    `json:"decision_id,omitempty"`
}

func viewEvent(e tl.Event, n names) eventView {
	sev := e.Severity
	if sev == 0 {
		sev = engine.Normal
	}
	return eventView{
		ID: e.ID, Who: n.subject(e), Subject: e.Subject, Kind: string(e.Kind), OccurredAt: e.OccurredAt,
		RecordedAt: e.RecordedAt, Source: e.Source.String(), Severity: sev.String(), Note: e.Note,
		RecordedBy: e.RecordedBy, Reverses: e.Reverses, Repairs: e.Repairs, Acknowledges: e.Acknowledges,
		OffersRepair: e.OffersRepair, Base: e.Base, Shift: e.Shift, PromiseID: e.PromiseID, DecisionID: e.DecisionID,
	}
}

// names maps the ids in entries to the names people typed.
type names struct {
	people map[string]string
	teams  map[string]string
}

func (rt *runtime) names(svc tl.Service, leaderID string) (names, error) {
	n := names{people: map[string]string{}, teams: map[string]string{}}
	rels, err := svc.People(rt.ctx, leaderID)
	if err != nil {
		return n, err
	}
	for _, r := range rels {
		n.people[r.ID] = r.Person
	}
	teams, err := svc.Teams(rt.ctx, leaderID)
	if err != nil {
		return n, err
	}
	for _, t := range teams {
		n.teams[t.ID] = t.Name
	}
	return n, nil
}

func (n names) team(id string) string {
	if s, ok := n.teams[id]; ok {
		return s
	}
	return id
}

func (n names) subject(e tl.Event) string {
	if e.RelationshipID != "" {
		if s, ok := n.people[e.RelationshipID]; ok {
			return s
		}
		return e.RelationshipID
	}
	if e.TeamID != "" {
		return n.team(e.TeamID)
	}
	return ""
}

// Two kinds of time are printed. A moment (when something happened or is
// due) is shown as its date in the CLI's zone, with rt.date and rt.day. A
// week is named by its Monday's date, kept as 00:00 UTC of that date
// (tl.WeekStartIn): fmtDate and fmtDay print that date as it is, in any
// zone.

// loc is the CLI's zone; UTC before setup has read it.
func (rt *runtime) loc() *time.Location {
	if rt.zone == nil {
		return time.UTC
	}
	return rt.zone
}

// leaderLoc is the zone the leader's weeks follow (docs/MODEL.md, choice
// 39): the leader's own when they have one (an account's), else the
// CLI's, as the services decide.
func (rt *runtime) leaderLoc() *time.Location {
	if rt.leader != nil && rt.leader.TimeZone != "" {
		if loc, err := tl.LoadZone(rt.leader.TimeZone); err == nil {
			return loc
		}
		return time.UTC
	}
	return rt.loc()
}

// date is the date of the moment t in the CLI's zone.
func (rt *runtime) date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(rt.loc()).Format(time.DateOnly)
}

// day is the date of the moment t in the CLI's zone with its weekday,
// for due dates.
func (rt *runtime) day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(rt.loc()).Format("Mon 2006-01-02")
}

// fmtDate is the date that names a week (or any date kept as its
// midnight UTC).
func fmtDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// fmtDay is fmtDate with the weekday.
func fmtDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("Mon 2006-01-02")
}

// trustCell is E with its 80% interval.
func trustCell(o engine.Opinion) string {
	return fmt.Sprintf("%.3f [%.2f–%.2f]", o.E, o.Low, o.High)
}

// quadrantCell says "not enough evidence yet" instead of "undetermined".
func quadrantCell(q engine.Quadrant) string {
	if q == engine.Undetermined {
		return "not enough evidence yet"
	}
	return string(q)
}

// clip shortens free text for a table cell.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// basesCell prints a power profile as base=value pairs.
func basesCell(b engine.Bases) string {
	parts := make([]string, 0, engine.NumBases)
	for i := range engine.NumBases {
		parts = append(parts, fmt.Sprintf("%s=%d", engine.Base(i).String()[:3], b[i]))
	}
	return strings.Join(parts, " ")
}

// plural writes "1 entry" or "3 entries".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// output prints v as JSON when --json is set, or calls table otherwise.
func (rt *runtime) output(v any, table func() error) error {
	if rt.cli.JSON {
		return cli.WriteJSON(rt.stdout, v)
	}
	return table()
}

// dimWords names each dimension in the article's words.
var dimWords = [engine.NumDims]string{
	engine.Ability:     "can they count on you to deliver? (expertise, credibility)",
	engine.Benevolence: "are they valued? is your power used for their benefit? (empathy)",
	engine.Integrity:   "promises kept, decisions explained, fairness (consistency)",
}
