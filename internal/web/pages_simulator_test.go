package web

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	sim "github.com/trustledger/trustledger/internal/scenario"
)

const pagesStory = `name: A short story
start: 2026-01-05
people:
  - {name: Ana, kind: direct-report}
  - {name: Ben, kind: peer}
events:
  - {week: 1, who: team, kind: promise-kept, source: system}
  - {week: 2, who: Ana, kind: person-valued, source: confirmed}
expect:
  - {week: 2, who: Ana, quadrant: undetermined}
`

func TestPagesSimulator(t *testing.T) {
	e := newPagesEnv(t)
	lena := e.lena
	lenaSc, err := sim.Load("../../scenarios/lena.yaml")
	e.must(err)

	// Every shipped scenario runs, its expectations hold, and its page
	// stays under the size budget (run checks every page's size).
	shipped, err := filepath.Glob("../../scenarios/*.yaml")
	e.must(err)
	if len(shipped) == 0 {
		t.Fatal("no shipped scenarios found")
	}
	var all []pagesCase
	for _, f := range shipped {
		name := filepath.Base(f)
		all = append(all, pagesCase{name: "shipped " + name, url: "/simulator?scenario=" + name, as: lena, status: 200,
			contains: []string{"expectations of the scenario hold", `<option value="` + name + `" selected>`},
			excludes: []string{"did not hold"}})
	}
	e.run(t, all)

	badKind := strings.Replace(pagesStory, "kind: person-valued", "kind: person-valud", 1)
	big := bytes.Repeat([]byte("# padding\n"), (maxScenarioBytes/10)+1)
	e.run(t, []pagesCase{
		{name: "no session goes to login", url: "/simulator", status: 303, location: "/login"},
		{name: "shipped scenarios offered", url: "/simulator", as: lena, status: 200, contains: []string{
			"<title>Simulator · trustledger</title>", `<option value="lena.yaml">Lena&#39;s innovation team</option>`,
			`enctype="multipart/form-data"`, "up to 256 KiB",
		}, excludes: []string{"Week by week"}},
		{name: "run Lena's story", url: "/simulator?scenario=lena.yaml", as: lena, status: 200, contains: []string{
			"<title>Simulator: Lena&#39;s innovation team · trustledger</title>",
			fmt.Sprintf("All %d expectations of the scenario hold", len(lenaSc.Expect)),
			`<option value="lena.yaml" selected>`,
			"Trust by week", "Influence by week", "<svg", `id="sim-trust`, `id="sim-influence`,
			"Week by week", "team average", "q-compliance", "q-influence", "2026-04-27",
		}},
		{name: "no such shipped scenario", url: "/simulator?scenario=../go.mod", as: lena, status: 404},
		{name: "upload a file with a failing expectation", method: "POST", url: "/simulator", as: lena,
			body:   pagesMultipart(t, nil, "story.yaml", []byte(strings.Replace(pagesStory, "quadrant: undetermined", "quadrant: compliance", 1))),
			status: 200, contains: []string{"A short story", "1 of 1 expectations did not hold", "line 10: week 2, Ana: quadrant is",
				"story.yaml", "team average"}},
		{name: "parse error with its line", method: "POST", url: "/simulator", as: lena,
			body:   pagesMultipart(t, nil, `C:\Users\lena\story.yaml`, []byte(badKind)),
			status: 422, contains: []string{"story.yaml:8: unknown kind", "person-valued", `aria-invalid="true"`},
			excludes: []string{`C:\Users`}},
		{name: "pasted text is kept on an error", method: "POST", url: "/simulator", as: lena,
			body:   pagesMultipart(t, map[string][]string{"yaml": {badKind}}, "", nil),
			status: 422, contains: []string{"pasted.yaml:8: unknown kind", "kind: person-valud"}},
		{name: "pasted text runs", method: "POST", url: "/simulator", as: lena,
			body:   pagesMultipart(t, map[string][]string{"yaml": {pagesStory}}, "", nil),
			status: 200, contains: []string{"All 1 expectations of the scenario hold"}},
		{name: "nothing to run", method: "POST", url: "/simulator", as: lena,
			body:   pagesMultipart(t, nil, "", nil),
			status: 422, contains: []string{"choose a scenario file"}},
		{name: "file over the cap", method: "POST", url: "/simulator", as: lena,
			body:   pagesMultipart(t, nil, "big.yaml", big),
			status: 422, contains: []string{"up to 256 KiB"}},
		{name: "too many weeks", method: "POST", url: "/simulator", as: lena,
			body:   pagesMultipart(t, nil, "long.yaml", []byte(strings.Replace(pagesStory, "week: 2, who: Ana", "week: 900, who: Ana", 1))),
			status: 422, contains: []string{"runs 900 weeks", "up to 260"}},
	})
}

// TestPagesSimulatorThinsLongRuns checks that a long run's table keeps to
// the row budget, always shows the last week, and says it is thinned.
func TestPagesSimulatorThinsLongRuns(t *testing.T) {
	var b strings.Builder
	b.WriteString("name: long\nstart: 2026-01-05\npeople:\n")
	for i := range 10 {
		fmt.Fprintf(&b, "  - {name: P%d, kind: peer}\n", i)
	}
	b.WriteString("events:\n  - {week: 1, who: team, kind: recognition}\n  - {week: 100, who: team, kind: recognition}\n")
	sc, err := sim.Parse("long.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	res, err := simulate(sc)
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, w := range res.Table {
		rows += len(w.Rows) + 1 // and the step line
	}
	if res.Every < 2 || rows > maxTableRows {
		t.Errorf("every %d, %d rows; want thinned to at most %d rows", res.Every, rows, maxTableRows)
	}
	if last := res.Table[len(res.Table)-1]; last.Week != 100 {
		t.Errorf("last week shown is %d, want 100", last.Week)
	}
	if len(res.Table[0].Rows) != 11 || !res.Table[0].Rows[10].Team {
		t.Errorf("a week has %d rows, want 10 people and the team average last", len(res.Table[0].Rows))
	}
}
