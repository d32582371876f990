package demo_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/demo"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/mail"
	"github.com/trustledger/trustledger/internal/scenario"
	"github.com/trustledger/trustledger/internal/storetest"
)

const lenaPath = "../../scenarios/lena.yaml"

// now is a Thursday afternoon, so the week has days on both sides.
var now = time.Date(2026, 11, 26, 15, 4, 5, 0, time.UTC)

// travelClock is now, or the moment the demo travelled to.
type travelClock struct {
	mu sync.Mutex
	at time.Time
}

func (c *travelClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() {
		return now
	}
	return c.at
}

func (c *travelClock) Travel(at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = at
}

// opts are the demo's options for a: the team's mailboxes are the outbox
// delivered in memory, and its clock can travel.
var (
	optsMu sync.Mutex
	optsOf = map[*app.App]demo.Options{}
)

func opts(a *app.App) demo.Options {
	optsMu.Lock()
	defer optsMu.Unlock()
	return optsOf[a]
}

func newApp(t *testing.T) *app.App {
	t.Helper()
	db := storetest.OpenSQLite(t)
	clk := &travelClock{}
	a := app.New(db, app.Options{Now: clk.Now})
	optsMu.Lock()
	defer optsMu.Unlock()
	optsOf[a] = demo.Options{
		Mailbox: func(ctx context.Context) ([]mail.Letter, error) {
			return mail.DeliverInProcess(ctx, db, a.MailRenderer(""), clk.Now)
		},
		Travel: clk.Travel,
	}
	return a
}

// seedLena seeds the demo and returns the app and Lena's leader id.
func seedLena(t *testing.T) (*app.App, string, string) {
	t.Helper()
	ctx := context.Background()
	a := newApp(t)
	email, password, err := demo.Seed(ctx, a, lenaPath, now, opts(a))
	if err != nil {
		t.Fatalf("Seed: %v", err)
	}
	if email != demo.Email {
		t.Errorf("email = %q, want %q", email, demo.Email)
	}
	if len(password) < tl.MinPasswordLength {
		t.Errorf("password %q is shorter than %d", password, tl.MinPasswordLength)
	}
	u, err := a.Login(ctx, email, password)
	if err != nil {
		t.Fatalf("login with the printed password: %v", err)
	}
	if u.Role != tl.RoleOwner || u.Name != demo.Name || u.LeaderID == "" {
		t.Fatalf("demo user = %+v, want owner %s with a leader", u, demo.Name)
	}
	return a, u.LeaderID, password
}

func TestSeedLena(t *testing.T) {
	ctx := context.Background()
	a, leader, _ := seedLena(t)
	sc, err := scenario.Load(lenaPath)
	if err != nil {
		t.Fatal(err)
	}

	// Today's pulse was answered by the whole team and released: the
	// dashboard has the team's view beside the ledger's and Lena's own.
	views, err := a.TeamViews(ctx, leader)
	if err != nil {
		t.Fatal(err)
	}
	var released bool
	for _, v := range views {
		if v.Team.Name == demo.TeamName {
			released = v.PulseID != "" && v.Biggest != nil && v.Dims[0].HasTeam && v.Dims[0].HasSelf
			rep, err := a.PulseReport(ctx, leader, v.PulseID)
			if err != nil || !rep.Released || rep.N != 5 {
				t.Errorf("the demo pulse: %+v %v", rep, err)
			}
		}
	}
	if !released {
		t.Errorf("the demo has no released pulse in its team view: %+v", views)
	}

	// Lena's people, in her team, all active.
	rels, err := a.People(ctx, leader)
	if err != nil {
		t.Fatal(err)
	}
	teams, err := a.Teams(ctx, leader)
	if err != nil {
		t.Fatal(err)
	}
	var teamID string
	for _, tm := range teams {
		if tm.Name == demo.TeamName {
			teamID = tm.ID
		}
	}
	if teamID == "" {
		t.Fatalf("no team %q among %+v", demo.TeamName, teams)
	}
	want := map[string]bool{demo.Newcomer: true}
	for _, p := range sc.People {
		want[p.Name] = true
	}
	if len(rels) != len(want) {
		t.Errorf("%d people, want %d", len(rels), len(want))
	}
	for _, r := range rels {
		if !want[r.Person] {
			t.Errorf("unexpected person %q", r.Person)
		}
		if r.TeamID != teamID || !r.Active {
			t.Errorf("%s: team %s active %v, want the %s team and active", r.Person, r.TeamID, r.Active, demo.TeamName)
		}
	}

	// The dashboard: the story's people ended in influence; the newcomer is
	// where authority is ahead of trust.
	st, err := a.Status(ctx, leader)
	if err != nil {
		t.Fatal(err)
	}
	influence := 0
	for _, rs := range st.Relationships {
		q := rs.Assessment.Quadrant
		t.Logf("%s: %s, trust %.3f, authority %.3f", rs.Relationship.Person, q, rs.Assessment.Trust.E, rs.Assessment.Authority)
		if q == engine.Influence {
			influence++
		}
		if rs.Relationship.Person != demo.Newcomer && q == engine.Compliance {
			t.Errorf("%s is in compliance at the end of the story (E %.3f)", rs.Relationship.Person, rs.Assessment.Trust.E)
		}
	}
	if influence == 0 {
		t.Errorf("no relationship in influence at the end: %+v", st.Relationships)
	}

	wk, err := a.Week(ctx, leader)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case wk.Step != nil:
		if wk.Step.Person != demo.Newcomer {
			t.Errorf("this week's step is for %s, want the newcomer %s", wk.Step.Person, demo.Newcomer)
		}
		if wk.Step.Text == "" {
			t.Errorf("the step has no text: %+v", wk.Step)
		}
	case wk.None == "":
		t.Errorf("no step and no reason: %+v", wk)
	default:
		t.Errorf("no step (%s): the demo should have one for %s", wk.None, demo.Newcomer)
	}

	// Every replayed entry is in the ledger, in the past, after day 0.
	wantEvents := 0
	for _, e := range sc.Events {
		info, err := engine.LookupKind(string(e.Kind))
		if err != nil {
			t.Fatal(err)
		}
		if info.IsSnapshot {
			continue
		}
		n := max(e.Count, 1)
		if !e.Team {
			n *= len(e.Who)
		}
		wantEvents += n
	}
	wantEvents += 3 + 1 + 1 // the newcomer's entries, the kept promise, today's pulse
	evs, err := a.Events(ctx, leader, tl.EventFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != wantEvents {
		t.Errorf("%d ledger entries, want %d", len(evs), wantEvents)
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	start := today.AddDate(0, 0, -7*sc.Weeks())
	for _, e := range evs {
		if e.OccurredAt.After(now) || e.OccurredAt.Before(start) {
			t.Errorf("entry %s (%s) at %s, outside %s..%s", e.ID, e.Kind, e.OccurredAt, start, now)
		}
	}
	// The story's last week ends this week: its last entries are within
	// the last seven days.
	if last := evs[len(evs)-1]; last.OccurredAt.Before(start) || !evs[0].OccurredAt.After(now.Add(-7*24*time.Hour)) {
		t.Errorf("ledger runs %s..%s, want it to end within the last week", last.OccurredAt, evs[0].OccurredAt)
	}

	// Decisions: the early weeks' without a why, the later ones with one.
	ds, err := a.Decisions(ctx, leader)
	if err != nil {
		t.Fatal(err)
	}
	var withWhy, without int
	for _, d := range ds {
		if d.Why == "" {
			without++
		} else {
			withWhy++
		}
		if d.Affects != demo.TeamName {
			t.Errorf("decision %q affects %q, want %s", d.What, d.Affects, demo.TeamName)
		}
	}
	if without != 4 || withWhy != 12 {
		t.Errorf("%d decisions without a why and %d with, want 4 and 12", without, withWhy)
	}

	// Promises in every state the promises page shows.
	open, err := a.Promises(ctx, leader, tl.PromiseOpen)
	if err != nil {
		t.Fatal(err)
	}
	var overdue, soon int
	for _, c := range open {
		if c.Due.Before(today) {
			overdue++
		} else if c.Due.Before(today.AddDate(0, 0, 8)) {
			soon++
		}
	}
	if len(open) != 4 || overdue != 1 || soon < 1 {
		t.Errorf("open promises %d (overdue %d, due within a week %d), want 4 with 1 overdue and some due soon", len(open), overdue, soon)
	}
	kept, err := a.Promises(ctx, leader, tl.PromiseKept)
	if err != nil {
		t.Fatal(err)
	}
	if len(kept) != 1 {
		t.Errorf("%d kept promises, want 1", len(kept))
	}
	k, due, err := a.SayDo(ctx, leader)
	if err != nil {
		t.Fatal(err)
	}
	if k != 1 || due != 2 {
		t.Errorf("say/do %d/%d, want 1/2 (one kept, one overdue)", k, due)
	}

	js, err := a.Journal(ctx, leader)
	if err != nil {
		t.Fatal(err)
	}
	if len(js) != 1 || js[0].Question != 1 {
		t.Errorf("journal = %+v, want one answer to question 1", js)
	}
}

func TestSeedNeedsEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	a, _, _ := seedLena(t)
	_, _, err := demo.Seed(ctx, a, lenaPath, now, opts(a))
	if tl.ErrorCode(err) != tl.ECONFLICT {
		t.Fatalf("second Seed: %v, want ECONFLICT", err)
	}
}

func TestSeedBadScenario(t *testing.T) {
	ctx := context.Background()
	a := newApp(t)
	_, _, err := demo.Seed(ctx, a, filepath.Join(t.TempDir(), "missing.yaml"), now, opts(a))
	if tl.ErrorCode(err) != tl.ENOTFOUND {
		t.Fatalf("missing file: %v, want ENOTFOUND", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("name: x\nstart: 2026-01-05\npeople:\n  - {name: Ana, kind: direct-reprot}\nevents: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err = demo.Seed(ctx, a, bad, now, opts(a))
	if tl.ErrorCode(err) != tl.EINVALID || !strings.Contains(err.Error(), "bad.yaml:4") {
		t.Fatalf("bad file: %v, want EINVALID naming line 4", err)
	}
	if has, err := a.HasUsers(ctx); err != nil || has {
		t.Fatalf("after a failed Seed HasUsers = %v, %v; want no account", has, err)
	}
}

// TestSeedPowerApologyAndSettings replays the kinds Lena's story does not
// use: a setting, a power change, an apology, a pulse (skipped).
func TestSeedPowerApologyAndSettings(t *testing.T) {
	ctx := context.Background()
	a := newApp(t)
	path := filepath.Join(t.TempDir(), "story.yaml")
	yaml := `name: a short story
start: 2026-01-05
settings: {half_life_days: 60}
people:
  - {name: Ana, kind: direct-report}
  - {name: Ben, kind: peer}
events:
  - {week: 1, day: 2, who: Ana, kind: promise-broken}
  - {week: 1, day: 3, who: team, kind: authority-removed, power: {coercive: 0, legitimate: 4}}
  - {week: 2, day: 1, who: Ana, kind: apology, repairs: {week: 1, kind: promise-broken}, acknowledges: true}
  - {week: 2, day: 7, who: team, kind: pulse, scores: {ability: 0.6, benevolence: 0.6, integrity: 0.6}, agreement: 0.8}
`
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	email, password, err := demo.Seed(ctx, a, path, now, opts(a))
	if err != nil {
		t.Fatalf("Seed: %v", err)
	}
	u, err := a.Login(ctx, email, password)
	if err != nil {
		t.Fatal(err)
	}
	set, err := a.Settings(ctx, u.LeaderID)
	if err != nil {
		t.Fatal(err)
	}
	if set.HalfLifeDays != 60 {
		t.Errorf("half_life_days = %g, want 60 from the scenario", set.HalfLifeDays)
	}
	rels, err := a.People(ctx, u.LeaderID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rels {
		if r.Person == demo.Newcomer {
			continue
		}
		if r.Bases[engine.Coercive] != 0 || r.Bases[engine.Legitimate] != 4 {
			t.Errorf("%s bases %v, want coercive 0 and legitimate 4 after the power change", r.Person, r.Bases)
		}
	}
	evs, err := a.Events(ctx, u.LeaderID, tl.EventFilter{Who: "Ana", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var breach, apology *tl.Event
	for i := range evs {
		switch evs[i].Kind {
		case "promise-broken":
			breach = &evs[i]
		case "apology":
			apology = &evs[i]
		case "pulse":
			t.Errorf("a pulse was logged: %+v", evs[i])
		}
	}
	if breach == nil || apology == nil || apology.Repairs != breach.ID || !apology.Acknowledges {
		t.Fatalf("apology %+v does not repair breach %+v", apology, breach)
	}
}

func TestSeedScenarioParsed(t *testing.T) {
	ctx := context.Background()
	data, err := os.ReadFile(lenaPath)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Parse("lena.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	a := newApp(t)
	if _, _, err := demo.SeedScenario(ctx, a, &scenario.Scenario{Name: "nobody"}, now, opts(a)); tl.ErrorCode(err) != tl.EINVALID {
		t.Fatalf("a scenario without people: %v, want EINVALID", err)
	}
	email, password, err := demo.SeedScenario(ctx, a, sc, now, opts(a))
	if err != nil {
		t.Fatal(err)
	}
	u, err := a.Login(ctx, email, password)
	if err != nil {
		t.Fatal(err)
	}
	rels, err := a.People(ctx, u.LeaderID)
	if err != nil || len(rels) != len(sc.People)+1 {
		t.Fatalf("people = %d, %v; want the scenario's %d and the newcomer", len(rels), err, len(sc.People))
	}
}

// TestSeedProgram: the demo's coach signs in to a program where Lena
// consents, with her week, her released pulse and her shared entry.
func TestSeedProgram(t *testing.T) {
	ctx := context.Background()
	a, _, password := seedLena(t)
	coach, err := a.Login(ctx, demo.CoachEmail, password)
	if err != nil {
		t.Fatalf("the demo coach cannot sign in: %v", err)
	}
	ps, err := a.Programs(ctx, coach.ID)
	if err != nil || len(ps) != 1 {
		t.Fatalf("the coach's programs: %v %v", ps, err)
	}
	r, err := a.Rollup(ctx, coach.ID, ps[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Consenting != 1 || len(r.Weeks) != 1 || len(r.Pulses) != 1 || len(r.Shared) != 1 || r.Steps.Suggested+r.Steps.Accepted+r.Steps.Done == 0 {
		t.Fatalf("the demo rollup: %+v", r)
	}
}
