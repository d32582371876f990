package engine

import (
	"fmt"
	"time"
)

// Dim is one of the three dimensions of trustworthiness (MODEL.md §1):
// ability, benevolence and integrity, which vary independently.
type Dim int

// The three dimensions, in the order used by every [3]-array in this package.
const (
	Ability Dim = iota
	Benevolence
	Integrity
	NumDims = 3
)

var dimNames = [NumDims]string{"ability", "benevolence", "integrity"}

// String returns the dimension's lower-case name as used in files and JSON.
func (d Dim) String() string {
	if d < 0 || int(d) >= NumDims {
		return fmt.Sprintf("dim(%d)", int(d))
	}
	return dimNames[d]
}

// ParseDim reads a dimension name ("ability", "benevolence", "integrity").
func ParseDim(s string) (Dim, error) {
	for i, n := range dimNames {
		if n == s {
			return Dim(i), nil
		}
	}
	return 0, fmt.Errorf("unknown dimension %q (want ability, benevolence or integrity)", s)
}

// Source says who stands behind a piece of evidence (MODEL.md §5). The
// leader's own unconfirmed entries count less than what the system derives
// or the person confirms.
type Source int

// Sources that keep running accumulators. Check-ins and pulses are
// snapshots and are held separately in State.
const (
	Self Source = iota
	System
	Confirmed
	NumSources = 3
)

var sourceNames = [NumSources]string{"self", "system", "confirmed"}

// String returns the source's name as used in files and JSON.
func (s Source) String() string {
	if s < 0 || int(s) >= NumSources {
		return fmt.Sprintf("source(%d)", int(s))
	}
	return sourceNames[s]
}

// ParseSource reads "self", "system" or "confirmed".
func ParseSource(s string) (Source, error) {
	for i, n := range sourceNames {
		if n == s {
			return Source(i), nil
		}
	}
	return 0, fmt.Errorf("unknown source %q (want self, system or confirmed)", s)
}

// Severity scales an event's weight (MODEL.md §2).
type Severity float64

// The four severities.
const (
	Minor  Severity = 0.5
	Normal Severity = 1
	Major  Severity = 2
	Severe Severity = 4
)

// ParseSeverity reads "minor", "normal", "major" or "severe".
func ParseSeverity(s string) (Severity, error) {
	switch s {
	case "minor":
		return Minor, nil
	case "normal", "":
		return Normal, nil
	case "major":
		return Major, nil
	case "severe":
		return Severe, nil
	}
	return 0, fmt.Errorf("unknown severity %q (want minor, normal, major or severe)", s)
}

// String names the severity.
func (s Severity) String() string {
	switch s {
	case Minor:
		return "minor"
	case Normal:
		return "normal"
	case Major:
		return "major"
	case Severe:
		return "severe"
	}
	return fmt.Sprintf("severity(%g)", float64(s))
}

// Event is what the engine needs to know about one ledger entry that
// touches one relationship. Team events are fanned out by the caller: each
// member's relationship receives the same Event at full weight.
type Event struct {
	ID       string // stable id, used by Explain and by apologies/reversals
	Kind     Kind
	At       time.Time
	Source   Source
	Severity Severity // 0 is read as Normal

	// Apology only: the breach it repairs and the quality of the apology.
	Repairs      *Event // the breach, as it was applied
	Acknowledges bool
	OffersRepair bool

	// Check-in and pulse only: the measurement that replaces the previous
	// snapshot of its kind. Nil for every other kind.
	Snapshot *Snapshot
}

// Snapshot is a measurement that replaces the previous one of its kind and
// decays from its own date (MODEL.md §5): a named check-in, or the latest
// released team pulse.
type Snapshot struct {
	At  time.Time
	P   [NumDims]float64 // 0..1 per dimension (the p of §12)
	Rwg [NumDims]float64 // agreement per dimension; 1 for check-ins
	N   int              // respondents; 1 for check-ins
}

// State is the running state of one relationship (MODEL.md §1): 18
// accumulators and the time they were last brought forward, plus the two
// snapshots. Status reads this and never replays the ledger.
type State struct {
	R, S    [NumDims][NumSources]float64
	TLast   time.Time
	Checkin *Snapshot
	Pulse   *Snapshot
}
