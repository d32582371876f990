package scenario

import (
	"time"

	"github.com/trustledger/trustledger/internal/engine"
)

// Scenario is a parsed and validated scenario file. Every element keeps the
// line it came from so that results can be traced back to the file.
type Scenario struct {
	File     string // the name errors and failures print, e.g. "scenarios/lena.yaml"
	Name     string
	Start    time.Time // day 0, midnight UTC
	Settings engine.Settings
	People   []Person
	Events   []Event
	Expect   []Expect
}

// Person is one relationship of the scenario's leader.
type Person struct {
	Name  string
	Kind  engine.RelKind
	Bases engine.Bases // the kind's defaults with the file's overrides applied
	Line  int
}

// Event is one line of events:, before fan-out and repetition.
type Event struct {
	Line int
	Week int
	Day  int // 0–7; 0 is the start of the week (see the package doc)
	// Who lists the people the event applies to. Team is true when the file
	// said who: team; Run then fans out to every person of the scenario.
	Who      []string
	Team     bool
	Kind     engine.Kind
	Count    int // repetitions on the same day; at least 1
	Source   engine.Source
	Severity engine.Severity

	// Power kinds: the bases set (SetBase[b] true) to the value Bases[b].
	Bases   engine.Bases
	SetBase [engine.NumBases]bool

	// Pulse and check-in: p per dimension on 0–1, agreement (rwg) and
	// respondents (n).
	Scores    [engine.NumDims]float64
	Agreement float64
	Responses int

	// Apology: the breach it repairs and the apology's quality.
	Repairs      *Repair
	Acknowledges bool
	OffersRepair bool
}

// Repair points an apology at the most recent event of Kind for the same
// person on or before Week.
type Repair struct {
	Week int
	Kind engine.Kind
}

// Metric names a number an expect line bounds.
type Metric string

// The metrics expect lines can bound.
const (
	MetricTrust     Metric = "trust"
	MetricInfluence Metric = "influence"
	MetricPower     Metric = "power"
)

// Bound is one numeric condition of an expect line, e.g. trust_at_least.
type Bound struct {
	Metric  Metric
	AtLeast bool // false: at most
	Value   float64
}

// Key is the file's spelling of the bound, e.g. "trust_at_least".
func (b Bound) Key() string {
	if b.AtLeast {
		return string(b.Metric) + "_at_least"
	}
	return string(b.Metric) + "_at_most"
}

// Expect is one line of expect: what the story says must hold at the end of
// a week, for a person or for the team averages.
type Expect struct {
	Line     int
	Week     int
	Who      []string // the people checked; empty when Team
	Team     bool
	Quadrant engine.Quadrant // "" when not checked
	Bounds   []Bound
	Warning  string // a warning that must be raised, "none" for no warnings, "" when not checked
}

// Weeks is the number of weeks a run reports: the largest week any event or
// expect line names.
func (sc *Scenario) Weeks() int {
	n := 0
	for _, e := range sc.Events {
		n = max(n, e.Week)
	}
	for _, x := range sc.Expect {
		n = max(n, x.Week)
	}
	return n
}

// dayTime is the instant of day d of week w.
func (sc *Scenario) dayTime(week, day int) time.Time {
	return sc.Start.AddDate(0, 0, 7*(week-1)+day)
}

// weekEnd is the instant the report of week w is read.
func (sc *Scenario) weekEnd(week int) time.Time {
	return sc.Start.AddDate(0, 0, 7*week)
}
