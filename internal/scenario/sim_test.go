package scenario

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/trustledger/trustledger/internal/engine"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func mustLoad(t testing.TB, path string) *Scenario {
	t.Helper()
	sc, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func mustRun(t testing.TB, sc *Scenario) *Result {
	t.Helper()
	r, err := Run(sc)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustParse(t testing.TB, text string) *Scenario {
	t.Helper()
	sc, err := Parse("t.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tol {
		t.Errorf("%s = %.4f, want %.4f ± %g", what, got, want, tol)
	}
}

// row returns one person's row of week w (1-based).
func row(t *testing.T, r *Result, week int, person string) Relationship {
	t.Helper()
	if week < 1 || week > len(r.Weeks) {
		t.Fatalf("week %d not in the run (%d weeks)", week, len(r.Weeks))
	}
	for _, x := range r.Weeks[week-1].Relationships {
		if x.Person == person {
			return x
		}
	}
	t.Fatalf("no %s in week %d", person, week)
	return Relationship{}
}

func TestShippedScenariosPassCheck(t *testing.T) {
	files, err := filepath.Glob("../../scenarios/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"lena.yaml", "mandela.yaml", "nadella.yaml", "holmes.yaml"} {
		if !slices.Contains(files, "../../scenarios/"+want) {
			t.Errorf("scenarios/%s is missing", want)
		}
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			sc := mustLoad(t, f)
			if len(sc.Expect) < 3 {
				t.Errorf("%s has %d expect lines; a shipped scenario states what must happen", f, len(sc.Expect))
			}
			r := mustRun(t, sc)
			if len(r.Weeks) != sc.Weeks() {
				t.Errorf("run has %d weeks, want %d", len(r.Weeks), sc.Weeks())
			}
			for _, fail := range r.Check(sc) {
				t.Error(fail)
			}
		})
	}
}

// TestReferenceNumbers reproduces MODEL.md §13's reference simulation
// through the shipped files (±0.01).
func TestReferenceNumbers(t *testing.T) {
	const tol = 0.01
	t.Run("lena §13.3–4", func(t *testing.T) {
		r := mustRun(t, mustLoad(t, "../../scenarios/lena.yaml"))
		for _, p := range []string{"Ana", "Ben", "Chen", "Dara"} {
			w4 := row(t, r, 4, p)
			near(t, p+" week 4 E", w4.Trust, 0.319, tol)
			near(t, p+" week 4 I", w4.Influence, 0.399, tol)
			near(t, p+" week 4 E_B", w4.Dimensions.Benevolence, 0.228, tol)
			near(t, p+" week 4 E_I", w4.Dimensions.Integrity, 0.342, tol)
			near(t, p+" week 4 E_A", w4.Dimensions.Ability, 0.579, tol)
			if w4.Influence >= w4.Power {
				t.Errorf("%s week 4: I %.3f not below P %.3f", p, w4.Influence, w4.Power)
			}
			first := 0
			for w := 1; w <= len(r.Weeks) && first == 0; w++ {
				if row(t, r, w, p).Quadrant == string(engine.Influence) {
					first = w
				}
			}
			if first != 8 {
				t.Errorf("%s: first influence in week %d, want 8", p, first)
			}
			w8 := row(t, r, 8, p)
			near(t, p+" week 8 E", w8.Trust, 0.591, tol)
			near(t, p+" week 8 Pr(T>.5)", w8.PHigh, 0.864, tol)
			w12 := row(t, r, 12, p)
			near(t, p+" week 12 E", w12.Trust, 0.728, tol)
			near(t, p+" week 12 I", w12.Influence, 0.910, tol)
		}
		// §13.4: at week 4 the step is benevolence, balancing authority with empathy.
		st := r.Weeks[3].Step
		if st == nil || st.Dimension != "benevolence" || st.Move != engine.MoveEmpathy {
			t.Errorf("week 4 step = %+v, want benevolence / %s", st, engine.MoveEmpathy)
		}
	})
	t.Run("holmes §13.5", func(t *testing.T) {
		r := mustRun(t, mustLoad(t, "../../scenarios/holmes.yaml"))
		i39 := row(t, r, 39, "Staff").Influence
		near(t, "I(39)", i39, 1.451, tol)
		near(t, "I(40)", row(t, r, 40, "Staff").Influence, 0.469, tol)
		near(t, "I(44)", row(t, r, 44, "Staff").Influence, 0.112, tol)
		near(t, "P(24)", row(t, r, 24, "Staff").Power, 0.833, 0.001)
		if i40 := row(t, r, 40, "Staff").Influence; i40 > 0.4*i39 {
			t.Errorf("I(40) %.3f > 0.4·I(39) %.3f", i40, 0.4*i39)
		}
	})
	t.Run("mandela §13.6", func(t *testing.T) {
		r := mustRun(t, mustLoad(t, "../../scenarios/mandela.yaml"))
		x := row(t, r, 52, "Opponent")
		near(t, "I(52)", x.Influence, 0.960, tol)
		near(t, "A", x.Authority, 0.3125, 1e-9)
		near(t, "I/A", x.Influence/x.Authority, 3.08, 0.04)
	})
	t.Run("nadella §13.7", func(t *testing.T) {
		r := mustRun(t, mustLoad(t, "../../scenarios/nadella.yaml"))
		near(t, "I(26)", row(t, r, 26, "Sales").Influence, 1.471, tol)
		for w := 1; w <= 26; w++ {
			near(t, "P", row(t, r, w, "Sales").Power, 0.792, 0.001)
		}
	})
}

func TestDayZeroStartsTheWeek(t *testing.T) {
	base := "name: d\nstart: 2026-01-05\npeople: [{name: Ana, kind: direct-report}]\nevents:\n"
	day0 := mustRun(t, mustParse(t, base+"  - {week: 2, day: 0, who: Ana, kind: promise-broken, source: system}\n  - {week: 3, who: Ana, kind: directive}\n"))
	day7 := mustRun(t, mustParse(t, base+"  - {week: 1, day: 7, who: Ana, kind: promise-broken, source: system}\n  - {week: 3, who: Ana, kind: directive}\n"))
	// day 0 of week 2 is not part of week 1's report…
	if e := row(t, day0, 1, "Ana").Evidence; e != 0 {
		t.Errorf("week 1 evidence with a day-0 event of week 2 = %g, want 0", e)
	}
	if e := row(t, day7, 1, "Ana").Evidence; e <= 0 {
		t.Errorf("week 1 evidence with a day-7 event = %g, want > 0", e)
	}
	// …but it happens at the same instant as day 7 of week 1.
	for w := 2; w <= 3; w++ {
		a, b := row(t, day0, w, "Ana"), row(t, day7, w, "Ana")
		if math.Abs(a.Trust-b.Trust) > 1e-12 || math.Abs(a.Evidence-b.Evidence) > 1e-12 {
			t.Errorf("week %d: day 0 of week 2 gives E %.6f, day 7 of week 1 gives %.6f", w, a.Trust, b.Trust)
		}
	}
	// and week 1, day 0 is the start date.
	sc := mustParse(t, base+"  - {week: 1, day: 0, who: Ana, kind: directive}\n")
	if got := sc.dayTime(1, 0); !got.Equal(sc.Start) {
		t.Errorf("week 1 day 0 = %v, want the start %v", got, sc.Start)
	}
}

func TestTeamEventsFanOutAndSameDayOrder(t *testing.T) {
	sc := mustParse(t, `name: f
start: 2026-01-05
people: [{name: Ana, kind: direct-report}, {name: Ben, kind: direct-report}, {name: Cy, kind: peer}]
events:
  - {week: 1, who: team, kind: promise-kept, source: system, count: 3}
  - {week: 1, who: Ben, kind: favoritism, source: system}
  - {week: 1, who: Ben, kind: apology, repairs: {week: 1, kind: favoritism}, acknowledges: true, offers_repair: true}
`)
	r := mustRun(t, sc)
	ana, ben, cy := row(t, r, 1, "Ana"), row(t, r, 1, "Ben"), row(t, r, 1, "Cy")
	if ana.Trust != cy.Trust || ana.Evidence != cy.Evidence {
		t.Errorf("team event did not reach everyone alike: Ana E %.4f, Cy E %.4f", ana.Trust, cy.Trust)
	}
	near(t, "Ana's evidence (3 kept, system)", ana.Evidence, 3*math.Exp2(-6.0/90), 1e-9)
	if ben.Trust >= ana.Trust {
		t.Errorf("Ben's favouritism did not cost trust: %.3f vs %.3f", ben.Trust, ana.Trust)
	}
	// The apology on the same day, later in the file, repairs ρ_I·q = 20% of the breach.
	s := engine.DefaultSettings()
	wantS := (1 - s.Rho[engine.Integrity]) * s.Kappa[engine.Integrity] * math.Exp2(-6.0/90)
	near(t, "Ben's evidence", ben.Evidence, 3*math.Exp2(-6.0/90)+wantS, 1e-9)
	if cy.Power >= ana.Power {
		t.Errorf("peer power %.3f should be below direct-report %.3f", cy.Power, ana.Power)
	}
	if r.Weeks[0].Team.Trust != (ana.Trust+ben.Trust+cy.Trust)/3 {
		t.Errorf("team trust %.6f is not the mean of the relationships", r.Weeks[0].Team.Trust)
	}
}

func TestApologyRepairsMostRecentBreachOnOrBeforeWeek(t *testing.T) {
	run := func(apology string) Relationship {
		text := `name: a
start: 2026-01-05
people: [{name: Ana, kind: direct-report}]
events:
  - {week: 1, day: 1, who: Ana, kind: information-withheld, source: system}
  - {week: 4, day: 1, who: Ana, kind: information-withheld, source: system}
` + apology + `  - {week: 6, who: Ana, kind: directive}
`
		return row(t, mustRun(t, mustParse(t, text)), 6, "Ana")
	}
	none := run("")
	old := run("  - {week: 5, day: 1, who: Ana, kind: apology, repairs: {week: 3, kind: information-withheld}, acknowledges: true, offers_repair: true}\n")
	recent := run("  - {week: 5, day: 1, who: Ana, kind: apology, repairs: {week: 4, kind: information-withheld}, acknowledges: true, offers_repair: true}\n")
	half := run("  - {week: 5, day: 1, who: Ana, kind: apology, repairs: {week: 4, kind: information-withheld}, acknowledges: true}\n")
	// The repaired share decays with the breach's age, and q = 0.5 for an
	// apology that acknowledges without offering repair.
	if !(none.Trust < old.Trust && old.Trust < recent.Trust) {
		t.Errorf("E: none %.4f < repairing the week-1 breach %.4f < repairing the week-4 one %.4f does not hold",
			none.Trust, old.Trust, recent.Trust)
	}
	if !(none.Trust < half.Trust && half.Trust < recent.Trust) {
		t.Errorf("E: none %.4f < half-quality apology %.4f < full apology %.4f does not hold",
			none.Trust, half.Trust, recent.Trust)
	}
}

func TestAuthorityEventsSetBases(t *testing.T) {
	r := mustRun(t, mustParse(t, `name: p
start: 2026-01-05
people: [{name: Ana, kind: direct-report}]
events:
  - {week: 2, who: Ana, kind: authority-removed, power: {legitimate: 1, coercive: 0}}
  - {week: 3, who: Ana, kind: authority-granted, power: {legitimate: 4}}
`))
	want := []float64{
		engine.Bases{4, 3, 2, 3, 2, 1}.Power(),
		engine.Bases{1, 3, 0, 3, 2, 1}.Power(),
		engine.Bases{4, 3, 0, 3, 2, 1}.Power(),
	}
	for w, p := range want {
		if got := row(t, r, w+1, "Ana").Power; math.Abs(got-p) > 1e-12 {
			t.Errorf("week %d power %.4f, want %.4f", w+1, got, p)
		}
	}
	if a := row(t, r, 2, "Ana").Authority; math.Abs(a-7.0/16) > 1e-12 {
		t.Errorf("week 2 authority %.4f, want %.4f", a, 7.0/16)
	}
}

func TestJSONShape(t *testing.T) {
	r := mustRun(t, mustParse(t, `name: shape
start: 2026-01-05
people: [{name: Pat, kind: peer}]
events:
  - {week: 1, who: Pat, kind: person-valued, source: confirmed}
`))
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	keys := func(m any) []string {
		var out []string
		for k := range m.(map[string]any) {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	check := func(what string, got, want []string) {
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s keys %v, want %v", what, got, want)
		}
	}
	check("top", keys(doc), []string{"scenario", "weeks"})
	wk := doc["weeks"].([]any)[0]
	check("week", keys(wk), []string{"week", "end", "relationships", "team", "step"})
	w := wk.(map[string]any)
	if w["step"] != nil {
		t.Errorf("step = %v, want null: a peer's authority is below trust", w["step"])
	}
	if w["end"] != "2026-01-12" || w["week"] != 1.0 {
		t.Errorf("week %v end %v, want 1 and 2026-01-12", w["week"], w["end"])
	}
	rl := w["relationships"].([]any)[0]
	check("relationship", keys(rl), []string{"person", "authority", "power", "trust", "trust_low", "trust_high",
		"uncertainty", "p_high", "influence", "gap", "evidence", "quadrant", "warnings", "power_use", "dimensions"})
	check("dimensions", keys(rl.(map[string]any)["dimensions"]), []string{"ability", "benevolence", "integrity"})
	check("team", keys(w["team"]), []string{"authority", "power", "trust", "trust_low", "trust_high",
		"uncertainty", "p_high", "influence", "gap", "evidence", "power_use", "dimensions"})
	if ws, ok := rl.(map[string]any)["warnings"].([]any); !ok || len(ws) != 0 {
		t.Errorf("warnings = %v, want []", rl.(map[string]any)["warnings"])
	}
	// Numbers carry at most 3 decimals.
	for _, k := range []string{"trust", "trust_low", "trust_high", "p_high", "influence", "gap"} {
		v := rl.(map[string]any)[k].(float64)
		if math.Abs(v*1000-math.Round(v*1000)) > 1e-6 {
			t.Errorf("%s = %v has more than 3 decimals", k, v)
		}
	}
	// A step appears once authority exceeds trust.
	r2 := mustRun(t, mustParse(t, "name: s\nstart: 2026-01-05\npeople: [{name: Ana, kind: direct-report}]\nevents:\n  - {week: 1, who: Ana, kind: promise-broken, source: system}\n"))
	st := r2.Weeks[0].Step
	if st == nil || st.Person != "Ana" || st.Dimension == "" || st.Move == "" || st.Text == "" {
		t.Errorf("step = %+v, want a step for Ana", st)
	}
}

func TestCheckReportsFailures(t *testing.T) {
	sc := mustParse(t, `name: c
start: 2026-01-05
people: [{name: Ana, kind: direct-report}, {name: Ben, kind: direct-report}]
events:
  - {week: 1, who: team, kind: directive, count: 4}
  - {week: 1, who: team, kind: promise-broken, source: system, count: 2}
expect:
  - {week: 1, who: Ana, quadrant: influence}
  - {week: 1, who: team, trust_at_least: 0.6, power_at_most: 0.7}
  - {week: 1, who: [Ana, Ben], warning: fear-risk}
  - {week: 1, who: Ben, warning: none}
  - {week: 1, who: Ana, trust_at_most: 0.9, quadrant: undetermined}
`)
	r := mustRun(t, sc)
	var got []string
	for _, f := range r.Check(sc) {
		got = append(got, f.String())
	}
	ana := row(t, r, 1, "Ana")
	want := []string{
		"t.yaml:8: week 1 Ana: quadrant is " + ana.Quadrant + ", expected influence",
		"t.yaml:9: week 1 team: trust is " + show(r.Weeks[0].Team.Trust, 0.6) + ", expected at least 0.6",
		"t.yaml:10: week 1 Ana: no fear-risk warning (warnings: command-heavy), expected one",
		"t.yaml:10: week 1 Ben: no fear-risk warning (warnings: command-heavy), expected one",
		"t.yaml:11: week 1 Ben: warnings are command-heavy, expected none",
	}
	if ana.Quadrant == "undetermined" {
		t.Fatalf("test assumes Ana is classified after two broken promises; she is %s", ana.Quadrant)
	}
	want = append(want, "t.yaml:12: week 1 Ana: quadrant is "+ana.Quadrant+", expected undetermined")
	if !slices.Equal(got, want) {
		t.Errorf("failures:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestShowPrecision(t *testing.T) {
	if got := show(0.59996, 0.6); got != "0.59996" {
		t.Errorf("show(0.59996, 0.6) = %q: must not print as the bound", got)
	}
	if got := show(0.5512, 0.6); got != "0.551" {
		t.Errorf("show(0.5512, 0.6) = %q", got)
	}
}

func TestRunIsDeterministic(t *testing.T) {
	sc := mustLoad(t, "../../scenarios/holmes.yaml")
	a, _ := json.Marshal(mustRun(t, sc))
	b, _ := json.Marshal(mustRun(t, sc))
	if !bytes.Equal(a, b) {
		t.Error("two runs of the same scenario differ")
	}
}

func TestGoldenLena(t *testing.T) {
	r := mustRun(t, mustLoad(t, "../../scenarios/lena.yaml"))
	var js bytes.Buffer
	if err := WriteJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	if err := WriteTable(&table, r); err != nil {
		t.Fatal(err)
	}
	for _, g := range []struct {
		file string
		got  []byte
	}{{"testdata/lena.json", js.Bytes()}, {"testdata/lena.txt", table.Bytes()}} {
		if *update {
			if err := os.WriteFile(g.file, g.got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(g.file)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if !bytes.Equal(g.got, want) {
			t.Errorf("%s differs from the output (go test -run TestGoldenLena -update rewrites it); got:\n%s", g.file, g.got)
		}
	}
}

func TestRunRejectsEmpty(t *testing.T) {
	if _, err := Run(&Scenario{}); err == nil {
		t.Error("Run of a scenario without people succeeded")
	}
	if _, err := Run(nil); err == nil {
		t.Error("Run(nil) succeeded")
	}
}
