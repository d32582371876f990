package demo_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
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

const (
	teamPath = "../../scenarios/" + demo.File
	lenaPath = "../../scenarios/lena.yaml"
)

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

// seed seeds the demo from the scenario at path and returns the app, the
// demo leader's id and the printed password.
func seed(t *testing.T, path string) (*app.App, string, string) {
	t.Helper()
	ctx := context.Background()
	a := newApp(t)
	email, password, err := demo.Seed(ctx, a, path, now, opts(a))
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

// seedTeam seeds the demo's team, as serve --demo does.
func seedTeam(t *testing.T) (*app.App, string, string) {
	t.Helper()
	return seed(t, teamPath)
}

// The demo team's people, by the story each one tells.
const (
	transparency = "Ana"  // won over by transparency
	complier     = "Ben"  // complies under directives
	repaired     = "Chen" // a broken promise, an apology, the repair
	dissenter    = "Dara" // overruled, then invited to dissent
	peer         = "Femi" // goodwill: trust without power
)

// TestSeedTeam is the demo's promise: six people with six stories from
// the article, placed apart on the map, each ending where the story
// says, with entries of their own in the story's words; Lena's team
// answered today's pulse, and this week's step is where authority most
// exceeds trust.
func TestSeedTeam(t *testing.T) {
	ctx := context.Background()
	a, leader, _ := seedTeam(t)
	sc, err := scenario.Load(teamPath)
	if err != nil {
		t.Fatal(err)
	}

	// Everyone is in Lena's team and active; the newcomer joined in the
	// story's last week, the others on day 0.
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
	if len(rels) != len(sc.People) || len(rels) < 5 || len(rels) > 6 {
		t.Errorf("%d people, want the scenario's %d (5–6)", len(rels), len(sc.People))
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	start := today.AddDate(0, 0, -7*sc.Weeks())
	for _, r := range rels {
		if r.TeamID != teamID || !r.Active {
			t.Errorf("%s: team %s active %v, want the %s team and active", r.Person, r.TeamID, r.Active, demo.TeamName)
		}
		joined := !r.StartedAt.After(start)
		if r.Person == demo.Newcomer {
			joined = r.StartedAt.After(today.AddDate(0, 0, -7))
		}
		if !joined {
			t.Errorf("%s started on %s (the story starts on %s, today is %s)", r.Person, r.StartedAt, start, today)
		}
	}

	// The map: every person at a point of their own, in at least three
	// quadrants, and each where their story ends.
	st, err := a.Status(ctx, leader)
	if err != nil {
		t.Fatal(err)
	}
	at := map[string]engine.Assessment{}
	quadrants := map[engine.Quadrant]bool{}
	for _, rs := range st.Relationships {
		as := rs.Assessment
		t.Logf("%-5s %-12s power %.3f trust %.3f [%.2f–%.2f] %v", rs.Relationship.Person, as.Quadrant, as.Power, as.Trust.E, as.Trust.Low, as.Trust.High, as.Warnings)
		for other, o := range at {
			if math.Hypot(as.Trust.E-o.Trust.E, as.Power-o.Power) < 0.05 {
				t.Errorf("%s and %s are at the same point of the map: trust %.3f and %.3f, power %.3f and %.3f",
					rs.Relationship.Person, other, as.Trust.E, o.Trust.E, as.Power, o.Power)
			}
		}
		at[rs.Relationship.Person] = as
		quadrants[as.Quadrant] = true
	}
	if len(quadrants) < 3 {
		t.Errorf("the team is in %d quadrants, want at least 3: %v", len(quadrants), quadrants)
	}
	want := []struct {
		who  string
		q    engine.Quadrant
		warn string
	}{
		{transparency, engine.Influence, ""},
		{complier, engine.Compliance, engine.WarnFearRisk},
		{repaired, engine.Influence, ""},
		{dissenter, engine.Influence, ""},
		{peer, engine.Goodwill, ""},
		{demo.Newcomer, engine.Undetermined, ""},
	}
	for _, w := range want {
		as, ok := at[w.who]
		switch {
		case !ok:
			t.Errorf("no %s on the dashboard", w.who)
		case as.Quadrant != w.q:
			t.Errorf("%s ends in %s, want %s", w.who, as.Quadrant, w.q)
		case w.warn != "" && !slices.Contains(as.Warnings, w.warn):
			t.Errorf("%s has warnings %v, want %s", w.who, as.Warnings, w.warn)
		}
	}
	if as := at[demo.Newcomer]; as.Trust.Enough {
		t.Errorf("%s, the newcomer, has enough evidence already (u %.2f): want not enough evidence yet", demo.Newcomer, as.Trust.U)
	}
	// The peer has the most trust and the least power; the dissenter, the
	// most influence; the complier, the least trust.
	for who, as := range at {
		if who != peer && (as.Trust.E >= at[peer].Trust.E || as.Power <= at[peer].Power) {
			t.Errorf("%s (trust %.3f, power %.3f) is not below %s in trust and above in power", who, as.Trust.E, as.Power, peer)
		}
		if who != dissenter && as.Influence >= at[dissenter].Influence {
			t.Errorf("%s has more influence (%.3f) than %s (%.3f)", who, as.Influence, dissenter, at[dissenter].Influence)
		}
		if who != complier && as.Trust.E <= at[complier].Trust.E {
			t.Errorf("%s has less trust (%.3f) than %s (%.3f)", who, as.Trust.E, complier, at[complier].Trust.E)
		}
	}

	// Each person's own entries: every one has some, with a note, and no
	// two people have the same.
	evs, err := a.Events(ctx, leader, tl.EventFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]string{}
	for _, r := range rels {
		byID[r.ID] = r.Person
	}
	own := map[string][]string{}
	for _, e := range evs {
		if e.Kind != engine.KindPulse && e.Note == "" {
			t.Errorf("entry %s (%s) has no note", e.ID, e.Kind)
		}
		if e.Subject == tl.SubjectPerson {
			who := byID[e.RelationshipID]
			own[who] = append(own[who], string(e.Kind)+": "+e.Note)
		}
	}
	for _, r := range rels {
		if len(own[r.Person]) == 0 {
			t.Errorf("%s has no entries of their own", r.Person)
		}
		slices.Sort(own[r.Person])
		for _, o := range rels {
			if o.Person < r.Person && slices.Equal(slices.Compact(slices.Clone(own[o.Person])), slices.Compact(slices.Clone(own[r.Person]))) {
				t.Errorf("%s and %s have the same entries: %q", o.Person, r.Person, own[r.Person])
			}
		}
	}

	// The repaired one: the broken promise, an apology that acknowledges
	// it and offers repair, and trust recovering since, still below where
	// it stood before the breach.
	ex, err := a.Explain(ctx, leader, repaired)
	if err != nil {
		t.Fatal(err)
	}
	var breach, apology *tl.Event
	for i := range evs {
		e := &evs[i]
		if e.RelationshipID != ex.Relationship.ID {
			continue
		}
		switch e.Kind {
		case engine.KindPromiseBroken:
			breach = e
		case engine.KindApology:
			apology = e
		}
	}
	if breach == nil || apology == nil || apology.Repairs != breach.ID || !apology.Acknowledges || !apology.OffersRepair {
		t.Fatalf("%s: apology %+v does not fully repair breach %+v", repaired, apology, breach)
	}
	set, err := a.Settings(ctx, leader)
	if err != nil {
		t.Fatal(err)
	}
	before := trustAt(set, ex, breach.OccurredAt.Add(-time.Millisecond))
	low := trustAt(set, ex, apology.OccurredAt.Add(-time.Millisecond))
	after := trustAt(set, ex, apology.OccurredAt)
	nowE := ex.Assessment.Trust.E
	t.Logf("%s: trust %.3f before the broken promise, %.3f after it, %.3f after the apology, %.3f now", repaired, before, low, after, nowE)
	if !(low < before-0.1 && after > low && nowE > after && nowE < before) {
		t.Errorf("%s's trust %.3f before the breach, %.3f after, %.3f after the apology, %.3f now: want a fall, then a recovery still under way",
			repaired, before, low, after, nowE)
	}

	// Today's pulse: the five who count answered (the newcomer confirmed
	// his address too recently), and it was released.
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
	roster, err := a.VoiceRoster(ctx, leader)
	if err != nil {
		t.Fatal(err)
	}
	for _, sd := range roster {
		if sd.Counts == (sd.Person == demo.Newcomer) {
			t.Errorf("%s: counts %v (%s)", sd.Person, sd.Counts, sd.Reason)
		}
	}

	// This week's step: where authority most exceeds trust, the complier.
	wk, err := a.Week(ctx, leader)
	if err != nil {
		t.Fatal(err)
	}
	if wk.Step == nil || wk.Step.Person != complier || wk.Step.Move != engine.MoveEmpathy || wk.Step.Text == "" {
		t.Errorf("this week's step %+v (%s), want %s: %s", wk.Step, wk.None, complier, engine.MoveEmpathy)
	}

	// Every replayed entry is in the ledger once: an event for all five
	// who were there before the newcomer joined is one team entry, as
	// who: team is.
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
		if !e.Team && !(len(e.Who) == len(sc.People)-1 && !slices.Contains(e.Who, demo.Newcomer)) {
			n *= len(e.Who)
		}
		wantEvents += n
	}
	wantEvents += 1 + 1 // the kept promise, today's pulse
	if len(evs) != wantEvents {
		t.Errorf("%d ledger entries, want %d", len(evs), wantEvents)
	}
	for _, e := range evs {
		if e.OccurredAt.After(now) || e.OccurredAt.Before(start) {
			t.Errorf("entry %s (%s) at %s, outside %s..%s", e.ID, e.Kind, e.OccurredAt, start, now)
		}
	}
	if last := evs[len(evs)-1]; last.OccurredAt.Before(start) || !evs[0].OccurredAt.After(now.Add(-7*24*time.Hour)) {
		t.Errorf("ledger runs %s..%s, want it to end within the last week", last.OccurredAt, evs[0].OccurredAt)
	}

	// Decisions: the team's early ones without a why and the later ones
	// with one; the ones about Ana's work without a why.
	ds, err := a.Decisions(ctx, leader)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, d := range ds {
		count[d.Affects+" "+map[bool]string{true: "why", false: "no why"}[d.Why != ""]]++
	}
	if count[demo.TeamName+" no why"] != 4 || count[demo.TeamName+" why"] != 12 || count[transparency+" no why"] != 3 || len(ds) != 19 {
		t.Errorf("decisions %v, want the team's 4 without a why and 12 with, and 3 about %s without", count, transparency)
	}

	// Promises in every state the promises page shows, none naming its
	// person twice ("Send Ben … to Ben").
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
		if strings.Contains(c.What, c.To) {
			t.Errorf("promise %q to %s names them twice", c.What, c.To)
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

// trustAt is the relationship's trust as it stood at w: the entries'
// contributions up to w, scaled back from now (as the person page's
// trend does), read at w.
func trustAt(set engine.Settings, ex *tl.Explanation, w time.Time) float64 {
	up := math.Exp2(ex.Assessment.At.Sub(w).Hours() / 24 / set.HalfLifeDays)
	var st engine.State
	for _, wt := range ex.Weights {
		if wt.At.After(w) {
			continue
		}
		acc := &st.R[wt.Dim][wt.Source]
		if wt.Negative {
			acc = &st.S[wt.Dim][wt.Source]
		}
		*acc += wt.Now * up
	}
	st.TLast = w
	return set.Assess(st, ex.Relationship.Bases, nil, w).Trust.E
}

// TestSeedLena replays the article's story alone (scenarios/lena.yaml):
// four people, the same story, all in influence at the end; its
// one-on-ones, which name everyone, stay one entry per person.
func TestSeedLena(t *testing.T) {
	ctx := context.Background()
	a, leader, _ := seed(t, lenaPath)
	st, err := a.Status(ctx, leader)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Relationships) != 4 {
		t.Errorf("%d people, want Lena's four", len(st.Relationships))
	}
	for _, rs := range st.Relationships {
		if rs.Assessment.Quadrant != engine.Influence {
			t.Errorf("%s is in %s at the end of Lena's story, want influence", rs.Relationship.Person, rs.Assessment.Quadrant)
		}
	}
	evs, err := a.Events(ctx, leader, tl.EventFilter{Who: "Ana", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var oneOnOnes int
	for _, e := range evs {
		if e.Kind == engine.KindPersonValued && e.Subject == tl.SubjectPerson {
			oneOnOnes++
		}
	}
	if oneOnOnes != 12 {
		t.Errorf("Ana has %d one-on-ones of her own, want 12 (weeks 5–16)", oneOnOnes)
	}
}

// TestSeedLateJoiner: a person the story first names after its first
// week joins the team that day; until then an event for everyone else is
// one team entry, and who: team afterwards reaches the newcomer.
func TestSeedLateJoiner(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "joiner.yaml")
	yaml := `name: a late joiner
start: 2026-01-05
people:
  - {name: Ana, kind: direct-report}
  - {name: Ben, kind: direct-report}
  - {name: Cy, kind: peer}
events:
  - {week: 1, day: 2, who: [Ana, Ben], kind: promise-kept, source: system}
  - {week: 2, day: 3, who: [Ana, Ben], kind: person-valued, source: confirmed}
  - {week: 3, day: 4, who: Cy, kind: information-shared}
  - {week: 3, day: 5, who: team, kind: decision-delegated, source: confirmed}
  - {week: 3, day: 6, who: [Ana, Ben], kind: recognition, source: system}
`
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	a, leader, _ := seed(t, path)
	rels, err := a.People(ctx, leader)
	if err != nil {
		t.Fatal(err)
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	start := today.AddDate(0, 0, -21)
	for _, r := range rels {
		want := start
		if r.Person == "Cy" {
			want = start.AddDate(0, 0, 14+4)
		}
		if !r.StartedAt.Equal(want) {
			t.Errorf("%s started %s, want %s", r.Person, r.StartedAt, want)
		}
	}
	evs, err := a.Events(ctx, leader, tl.EventFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	subjects := map[engine.Kind][]string{}
	for _, e := range evs {
		subjects[e.Kind] = append(subjects[e.Kind], e.Subject)
	}
	for k, want := range map[engine.Kind][]string{
		engine.KindPromiseKept:       {tl.SubjectPerson, tl.SubjectTeam},   // today's kept promise; everyone there, Cy yet to join
		engine.KindPersonValued:      {tl.SubjectTeam},                     // the same
		engine.KindInformationShared: {tl.SubjectPerson},                   // Cy's own
		engine.KindDecisionDelegated: {tl.SubjectTeam},                     // who: team
		engine.KindRecognition:       {tl.SubjectPerson, tl.SubjectPerson}, // two of three: one entry each
	} {
		if !slices.Equal(subjects[k], want) {
			t.Errorf("%s entries are about %v, want %v", k, subjects[k], want)
		}
	}
	// Cy's trust has his own entry and the team's decision after he
	// joined, and nothing from before.
	ex, err := a.Explain(ctx, leader, "Cy")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []engine.Kind
	for _, w := range ex.Weights {
		kinds = append(kinds, w.Kind)
	}
	slices.Sort(kinds)
	if !slices.Equal(kinds, []engine.Kind{engine.KindDecisionDelegated, engine.KindInformationShared}) {
		t.Errorf("Cy's evidence comes from %v, want his own entry and the team's after he joined", kinds)
	}
}

func TestSeedNeedsEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	a, _, _ := seedTeam(t)
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
	if err != nil || len(rels) != len(sc.People) {
		t.Fatalf("people = %d, %v; want the scenario's %d", len(rels), err, len(sc.People))
	}
}

// TestSeedProgram: the demo's coach signs in to a program where Lena
// consents, with her week, her released pulse and her shared entry.
func TestSeedProgram(t *testing.T) {
	ctx := context.Background()
	a, _, password := seedTeam(t)
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
