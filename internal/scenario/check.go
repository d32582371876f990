package scenario

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Failure is one expect line that did not hold. It prints as
// "lena.yaml:40: week 4 Ana: quadrant is influence, expected compliance",
// so an editor can jump to the line.
type Failure struct {
	File    string
	Line    int
	Week    int
	Who     string // a person's name, or "team"
	Message string
}

// String formats the failure as one line.
func (f Failure) String() string {
	return fmt.Sprintf("%s:%d: week %d %s: %s", f.File, f.Line, f.Week, f.Who, f.Message)
}

// Check evaluates the scenario's expect lines against the run and returns
// every failure, in file order (nil when all hold). A line about the team
// checks the team averages; a line about several people checks each.
func (r *Result) Check(sc *Scenario) []Failure {
	var out []Failure
	for _, x := range sc.Expect {
		fail := func(who, format string, args ...any) {
			out = append(out, Failure{File: sc.File, Line: x.Line, Week: x.Week, Who: who, Message: fmt.Sprintf(format, args...)})
		}
		if x.Week < 1 || x.Week > len(r.Weeks) {
			fail(whoLabel(x), "week %d was not simulated (the run has %d weeks)", x.Week, len(r.Weeks))
			continue
		}
		wk := r.Weeks[x.Week-1]
		if x.Team {
			t := wk.Team
			checkBounds(x.Bounds, map[Metric]float64{MetricTrust: t.Trust, MetricInfluence: t.Influence, MetricPower: t.Power},
				func(msg string) { fail("team", "%s", msg) })
			continue
		}
		for _, name := range x.Who {
			i := slices.IndexFunc(wk.Relationships, func(rel Relationship) bool { return rel.Person == name })
			if i < 0 {
				fail(name, "no relationship with %s in the run", name)
				continue
			}
			rel := wk.Relationships[i]
			if x.Quadrant != "" && rel.Quadrant != string(x.Quadrant) {
				fail(name, "quadrant is %s, expected %s", rel.Quadrant, x.Quadrant)
			}
			checkBounds(x.Bounds, map[Metric]float64{MetricTrust: rel.Trust, MetricInfluence: rel.Influence, MetricPower: rel.Power},
				func(msg string) { fail(name, "%s", msg) })
			switch {
			case x.Warning == "":
			case x.Warning == "none":
				if len(rel.Warnings) > 0 {
					fail(name, "warnings are %s, expected none", strings.Join(rel.Warnings, ", "))
				}
			case !slices.Contains(rel.Warnings, x.Warning):
				fail(name, "no %s warning (warnings: %s), expected one", x.Warning, listOrNone(rel.Warnings))
			}
		}
	}
	return out
}

func whoLabel(x Expect) string {
	if x.Team {
		return "team"
	}
	return strings.Join(x.Who, ", ")
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

func checkBounds(bounds []Bound, got map[Metric]float64, fail func(string)) {
	for _, b := range bounds {
		v := got[b.Metric]
		if b.AtLeast && v >= b.Value || !b.AtLeast && v <= b.Value {
			continue
		}
		side := "at most"
		if b.AtLeast {
			side = "at least"
		}
		fail(fmt.Sprintf("%s is %s, expected %s %s", b.Metric, show(v, b.Value), side, strconv.FormatFloat(b.Value, 'f', -1, 64)))
	}
}

// show prints v with 3 decimals, or more when 3 would make it look equal
// to the bound it failed.
func show(v, bound float64) string {
	for prec := 3; prec < 10; prec++ {
		s := strconv.FormatFloat(v, 'f', prec, 64)
		if b, _ := strconv.ParseFloat(s, 64); b != bound {
			return s
		}
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
