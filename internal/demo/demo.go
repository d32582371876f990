// Package demo builds the demo organisation that `trustledger serve --demo`
// starts with: Lena, the leader of the article's story, her innovation team
// and sixteen weeks of what happened between them, replayed from
// scenarios/lena.yaml through the real services so that every page of the
// web app has something true to show.
//
// Nothing here reaches around the services: the owner account is created
// with AccountService.Signup, people with Service.AddPerson, the story's
// events with Service.Log (and Service.Decide for its decisions, which
// logs the same entries while giving the decision log its what and why).
// The numbers the dashboard shows are therefore the model's, not numbers
// written for the demo.
package demo

import (
	"context"
	"crypto/rand"
	"fmt"
	"sort"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/mail"
	"github.com/trustledger/trustledger/internal/scenario"
)

// The demo leader's account. The address is under .local, which is not a
// public domain, so no mail meant for it can reach a real person.
const (
	Email = "lena@demo.trustledger.local"
	// CoachEmail is the demo's coach, who signs in with the same password
	// and sees Lena's program.
	CoachEmail = "cora@demo.trustledger.local"
	Name       = "Lena"
	TeamName   = "Innovation"
	// Newcomer joins the team ten days before now, after the story: a
	// relationship where Lena's authority is ahead of trust, so the demo
	// has a weekly step to take.
	Newcomer = "Eli"
)

// Seed creates the demo owner account and replays the scenario at
// scenarioPath as Lena's ledger, placed so that the scenario's last week
// ends today (now). It returns the demo account's email and a fresh random
// password to print. Seed needs an installation without accounts
// (ECONFLICT otherwise), because the demo owner is the first account.
//
// Pulses and check-ins in the scenario are skipped: they are the team's
// own measurements, which only the team can give. Instead the demo ends
// with one pulse the team answers today, through the same services a
// real team's answers go through.
func Seed(ctx context.Context, svc tl.Services, scenarioPath string, now time.Time, opts Options) (email, password string, err error) {
	sc, err := scenario.Load(scenarioPath)
	if err != nil {
		return "", "", err
	}
	return SeedScenario(ctx, svc, sc, now, opts)
}

// Options let the demo team do what a real team does in their own
// mailboxes: confirm their addresses, and answer the pulse through their
// personal links. Without them the demo has no pulse.
type Options struct {
	// Mailbox delivers the mail waiting in the outbox, as the mail worker
	// would, and returns it: the demo team's inboxes.
	Mailbox func(ctx context.Context) ([]mail.Letter, error)
	// Travel sets the services' clock to at, or back to the present for a
	// zero at: the team confirmed their addresses weeks ago, not today.
	Travel func(at time.Time)
}

// SeedScenario is Seed for a scenario already parsed, for a caller that
// embeds the file (scenario.Parse) instead of reading it from disk.
func SeedScenario(ctx context.Context, svc tl.Services, sc *scenario.Scenario, now time.Time, opts Options) (email, password string, err error) {
	if sc == nil || len(sc.People) == 0 {
		return "", "", tl.Errorf(tl.EINVALID, "the demo scenario has no people")
	}
	has, err := svc.HasUsers(ctx)
	if err != nil {
		return "", "", fmt.Errorf("demo: %w", err)
	}
	if has {
		return "", "", tl.Errorf(tl.ECONFLICT, "this database already has accounts: the demo needs an empty one (start without --db, or give a new file)")
	}
	password = rand.Text()
	u, err := svc.Signup(ctx, tl.SignupInput{Email: Email, Name: Name, Password: password})
	if err != nil {
		return "", "", fmt.Errorf("demo: create Lena's account: %w", err)
	}
	s := &seeder{ctx: ctx, svc: svc, leader: u.LeaderID, sc: sc, now: now.UTC(), opts: opts}
	if err := s.run(); err != nil {
		return "", "", fmt.Errorf("demo: %w", err)
	}
	if err := seedProgram(ctx, svc, u, password); err != nil {
		return "", "", fmt.Errorf("demo: %w", err)
	}
	return u.Email, password, nil
}

// seedProgram makes a coaching program with Cora as coach and Lena, who
// consents and shares her journal entry, so the coach's view has
// something to show.
func seedProgram(ctx context.Context, svc tl.Services, lena *tl.User, password string) error {
	_, token, err := svc.Invite(ctx, lena.ID, CoachEmail, tl.RoleCoach)
	if err != nil {
		return err
	}
	if _, err := svc.AcceptInvite(ctx, token, "Cora", password); err != nil {
		return err
	}
	p, err := svc.CreateProgram(ctx, lena.ID, "Leadership cohort")
	if err != nil {
		return err
	}
	if err := svc.AddCoach(ctx, lena.ID, p.ID, CoachEmail); err != nil {
		return err
	}
	if err := svc.AddLeader(ctx, lena.ID, p.ID, lena.Email); err != nil {
		return err
	}
	if err := svc.SetConsent(ctx, lena.ID, p.ID, true); err != nil {
		return err
	}
	// This week's step is chosen now (as Lena's first dashboard would), which
	// records the week's quadrants for the coach.
	if _, err := svc.Week(ctx, lena.LeaderID); err != nil {
		return err
	}
	js, err := svc.Journal(ctx, lena.LeaderID)
	if err != nil || len(js) == 0 {
		return err
	}
	_, err = svc.ShareJournal(ctx, lena.LeaderID, js[0].ID, true)
	return err
}

// seeder carries one Seed run.
type seeder struct {
	ctx    context.Context
	svc    tl.Services
	leader string
	sc     *scenario.Scenario
	now    time.Time
	start  time.Time // the scenario's day 0, moved so its last week ends today
	opts   Options

	bases  map[string]engine.Bases // each person's bases as the replay set them
	logged []loggedEvent           // breaches and everything else, for apologies

	explained, unexplained int // decisions used so far, to pick their words
}

// loggedEvent remembers one entry so that an apology can find its breach.
type loggedEvent struct {
	id     string
	kind   engine.Kind
	at     time.Time
	people []string // who it touched
	team   bool
}

func (s *seeder) run() error {
	weeks := s.sc.Weeks()
	if weeks == 0 {
		return tl.Errorf(tl.EINVALID, "%s has no events to replay", s.sc.File)
	}
	today := time.Date(s.now.Year(), s.now.Month(), s.now.Day(), 0, 0, 0, 0, time.UTC)
	// Week w's report is read at start + 7w days; the last one is today.
	s.start = today.AddDate(0, 0, -7*weeks)

	if err := s.settings(); err != nil {
		return err
	}
	if _, err := s.svc.AddTeam(s.ctx, s.leader, TeamName); err != nil {
		return fmt.Errorf("add team %s: %w", TeamName, err)
	}
	s.bases = map[string]engine.Bases{}
	for _, p := range s.sc.People {
		power := map[string]int{}
		for b := range engine.NumBases {
			power[engine.Base(b).String()] = p.Bases[b]
		}
		if _, err := s.svc.AddPerson(s.ctx, s.leader, tl.PersonInput{
			Name: p.Name, Kind: p.Kind, Team: TeamName, Power: power, Start: s.start, Email: demoEmail(p.Name),
		}); err != nil {
			return fmt.Errorf("add %s: %w", p.Name, err)
		}
		s.bases[p.Name] = p.Bases
	}
	if err := s.replay(); err != nil {
		return err
	}
	return s.today()
}

// settings copies the scenario's overrides to Lena's settings.
func (s *seeder) settings() error {
	def := engine.DefaultSettings()
	for _, si := range engine.SettingNames() {
		v, err := s.sc.Settings.Get(si.Name)
		if err != nil {
			return err
		}
		d, err := def.Get(si.Name)
		if err != nil {
			return err
		}
		if v != d {
			if err := s.svc.SetSetting(s.ctx, s.leader, si.Name, v); err != nil {
				return fmt.Errorf("setting %s: %w", si.Name, err)
			}
		}
	}
	return nil
}

// at is the instant of day d of week w, moved to the demo's calendar.
func (s *seeder) at(week, day int) time.Time {
	return s.start.AddDate(0, 0, 7*(week-1)+day)
}

// replay logs the scenario's events in time order (file order on ties;
// day 0 of week w after day 7 of week w−1, as the simulator reads them).
func (s *seeder) replay() error {
	order := make([]int, len(s.sc.Events))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(x, y int) bool {
		a, b := s.sc.Events[order[x]], s.sc.Events[order[y]]
		ta, tb := s.at(a.Week, a.Day), s.at(b.Week, b.Day)
		if !ta.Equal(tb) {
			return ta.Before(tb)
		}
		return a.Week < b.Week
	})
	for _, i := range order {
		e := &s.sc.Events[i]
		if err := s.event(e); err != nil {
			return fmt.Errorf("%s:%d: %w", s.sc.File, e.Line, err)
		}
	}
	return nil
}

// people expands an event's who into names.
func (s *seeder) people(e *scenario.Event) []string {
	if !e.Team {
		return e.Who
	}
	names := make([]string, len(s.sc.People))
	for i, p := range s.sc.People {
		names[i] = p.Name
	}
	return names
}

func (s *seeder) event(e *scenario.Event) error {
	info, err := engine.LookupKind(string(e.Kind))
	if err != nil {
		return err
	}
	at := s.at(e.Week, e.Day)
	switch {
	case info.IsSnapshot:
		return nil // measurements from the team: not a leader's entry
	case info.IsPower:
		return s.power(e, at)
	case info.IsApology:
		return s.apology(e, at)
	}
	targets := e.Who
	if e.Team {
		targets = []string{TeamName}
	}
	decision := (e.Kind == "decision-explained" || e.Kind == "decision-unexplained") &&
		e.Source == engine.Self && e.Severity == engine.Normal
	for _, who := range targets {
		for range max(e.Count, 1) {
			var id string
			if decision {
				// Decide logs the same entry (self, normal) and keeps
				// the decision's words for the decision log.
				d, err := s.svc.Decide(s.ctx, s.leader, s.decision(e.Kind == "decision-explained", who, at))
				if err != nil {
					return err
				}
				id = d.ID
			} else {
				ev, err := s.svc.Log(s.ctx, s.leader, tl.EventInput{
					Who: who, Kind: e.Kind, At: at, Source: e.Source, Severity: e.Severity, Note: notes[e.Kind],
				})
				if err != nil {
					return err
				}
				id = ev.ID
			}
			s.logged = append(s.logged, loggedEvent{id: id, kind: e.Kind, at: at, people: s.touched(e, who), team: e.Team})
		}
	}
	return nil
}

// touched lists the people one logged entry reached.
func (s *seeder) touched(e *scenario.Event, who string) []string {
	if e.Team {
		return s.people(e)
	}
	return []string{who}
}

// decision words one of the story's decisions, in order.
func (s *seeder) decision(explained bool, who string, at time.Time) tl.DecisionInput {
	if explained {
		d := explainedDecisions[s.explained%len(explainedDecisions)]
		s.explained++
		return tl.DecisionInput{What: d[0], Why: d[1], Affects: who, At: at}
	}
	what := unexplainedDecisions[s.unexplained%len(unexplainedDecisions)]
	s.unexplained++
	return tl.DecisionInput{What: what, Affects: who, At: at}
}

// power sets bases as the scenario does, logged as the shifts that get
// each person there (the services move bases by a shift).
func (s *seeder) power(e *scenario.Event, at time.Time) error {
	for _, name := range s.people(e) {
		cur := s.bases[name]
		for b := range engine.NumBases {
			if !e.SetBase[b] {
				continue
			}
			delta := e.Bases[b] - cur[b]
			if delta == 0 {
				continue
			}
			kind, shift := engine.Kind("authority-granted"), delta
			if delta < 0 {
				kind, shift = "authority-removed", -delta
			}
			if _, err := s.svc.Log(s.ctx, s.leader, tl.EventInput{
				Who: name, Kind: kind, At: at, Base: engine.Base(b).String(), Shift: shift,
			}); err != nil {
				return err
			}
			cur[b] = e.Bases[b]
		}
		s.bases[name] = cur
	}
	return nil
}

// apology finds the breach the scenario names (the latest entry of that
// kind touching the person, on or before the named week) and repairs it.
func (s *seeder) apology(e *scenario.Event, at time.Time) error {
	until := s.at(e.Repairs.Week, 7)
	find := func(person string, team bool) (loggedEvent, bool) {
		for i := len(s.logged) - 1; i >= 0; i-- {
			l := s.logged[i]
			if l.kind != e.Repairs.Kind || l.at.After(until) || !l.at.Before(at) {
				continue
			}
			if team && l.team {
				return l, true
			}
			for _, p := range l.people {
				if !team && p == person {
					return l, true
				}
			}
		}
		return loggedEvent{}, false
	}
	in := tl.EventInput{Kind: e.Kind, At: at, Acknowledges: e.Acknowledges, OffersRepair: e.OffersRepair, Note: notes[e.Kind]}
	if e.Team {
		b, ok := find("", true)
		if !ok {
			return tl.Errorf(tl.EINVALID, "the apology finds no team %s to repair", e.Repairs.Kind)
		}
		in.Repairs = b.id
		_, err := s.svc.Log(s.ctx, s.leader, in)
		return err
	}
	for _, name := range e.Who {
		b, ok := find(name, false)
		if !ok {
			return tl.Errorf(tl.EINVALID, "the apology to %s finds no %s to repair", name, e.Repairs.Kind)
		}
		in.Who, in.Repairs = name, b.id
		if _, err := s.svc.Log(s.ctx, s.leader, in); err != nil {
			return err
		}
	}
	return nil
}

// today adds what makes the demo's present: a newcomer with more authority
// than trust (this week's step), promises in every state, and a journal
// entry.
func (s *seeder) today() error {
	ctx, svc, l := s.ctx, s.svc, s.leader
	today := time.Date(s.now.Year(), s.now.Month(), s.now.Day(), 0, 0, 0, 0, time.UTC)
	joined := today.AddDate(0, 0, -10)
	if _, err := svc.AddPerson(ctx, l, tl.PersonInput{Name: Newcomer, Kind: engine.DirectReport, Team: TeamName, Start: joined, Email: demoEmail(Newcomer)}); err != nil {
		return fmt.Errorf("add %s: %w", Newcomer, err)
	}
	for _, ev := range []tl.EventInput{
		{Who: Newcomer, Kind: "directive", At: joined.AddDate(0, 0, 1), Note: "Handed Eli the onboarding checklist and the first deadlines"},
		{Who: Newcomer, Kind: "directive", At: joined.AddDate(0, 0, 5), Note: "Assigned Eli to the pricing experiment"},
		{Who: Newcomer, Kind: "information-shared", At: joined.AddDate(0, 0, 6), Note: "Walked Eli through why the team works the way it does"},
	} {
		if _, err := svc.Log(ctx, l, ev); err != nil {
			return fmt.Errorf("log for %s: %w", Newcomer, err)
		}
	}

	people := s.people(&scenario.Event{Team: true})
	pick := func(i int) string { return people[i%len(people)] }
	// The overdue promise was due yesterday: the latest instant of
	// yesterday is never more than a day ago, which AddPromise accepts.
	promises := []tl.PromiseInput{
		{To: pick(0), What: "Give " + pick(0) + " feedback on the prototype plan", Due: today.AddDate(0, 0, 3)},
		{To: TeamName, What: "Share the next quarter's roadmap and the reasons behind it", Due: today.AddDate(0, 0, 12)},
		{To: Newcomer, What: "Pair Eli with an onboarding buddy", Due: today.AddDate(0, 0, 5)},
		{To: pick(1), What: "Send " + pick(1) + " the budget numbers for the pilot", Due: today.Add(-time.Millisecond)},
	}
	for _, p := range promises {
		if _, err := svc.AddPromise(ctx, l, p); err != nil {
			return fmt.Errorf("promise %q: %w", p.What, err)
		}
	}
	kept, err := svc.AddPromise(ctx, l, tl.PromiseInput{
		To: pick(2), What: "Introduce " + pick(2) + " to the platform team", Due: today.AddDate(0, 0, 2),
	})
	if err != nil {
		return fmt.Errorf("promise to %s: %w", pick(2), err)
	}
	if _, err := svc.ResolvePromise(ctx, l, kept.ID, tl.PromiseKept, time.Time{}); err != nil {
		return fmt.Errorf("keep the promise to %s: %w", pick(2), err)
	}

	if _, err := svc.AddJournal(ctx, l, 1, "At first my strength came from the title: deadlines and decisions "+
		"without reasons. The team complied and nothing more. Since I started explaining the why and "+
		"listening in one-on-ones, people bring me ideas before I ask. That is trust, and it does more "+
		"than the title ever did."); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return s.pulse()
}

// demoEmail is a person's address in the demo, under .local like Lena's,
// so that no demo mail can reach anyone.
func demoEmail(name string) string {
	return strings.ToLower(name) + "@demo.trustledger.local"
}

// notes give the replayed entries the story's words, so the ledger on the
// person page reads as what happened.
var notes = map[engine.Kind]string{
	"directive":          "Set the week's deadlines and who does what",
	"authority-overused": "Closed the debate with \"because I decided so\"",
	"promise-kept":       "Delivered what she had promised the team, on time",
	"person-valued":      "One-on-one: asked what motivates them, and listened",
	"self-disclosure":    "Shared her own doubts about the new role",
	"decision-delegated": "Let the team choose the next experiment",
	"recognition":        "Celebrated a small win in front of everyone",
	"information-shared": "Shared the context behind the quarter's plan",
	"apology":            "Apologised, said what went wrong and how she will fix it",
}

// unexplainedDecisions are the early weeks' decisions: the what, never the
// why.
var unexplainedDecisions = []string{
	"Moved the prototype deadline two weeks earlier",
	"Cancelled the Friday demo sessions",
	"Switched the team to a new ticket tracker",
	"Reassigned the analytics work",
}

// explainedDecisions are the later weeks' decisions with their why.
var explainedDecisions = [][2]string{
	{"Brought the Friday demos back", "Seeing each other's work early caught two dead ends last month."},
	{"Kept the prototype deadline but cut the scope", "The pilot customer needs it by then; the extra features can follow."},
	{"Hired a contractor for the data pipeline", "Nobody on the team wants to own it long-term, and it blocks two experiments."},
	{"Paused the mobile experiment", "Its results were flat for six weeks; the time goes to pricing instead."},
	{"Moved stand-ups to twice a week", "Daily stand-ups cost an hour a day and the board already shows status."},
	{"Gave the pricing experiment a second month", "The first results are promising but the sample is still small."},
	{"Chose the vendor the team preferred", "Their API fits our stack; the cheaper one would cost us in integration time."},
	{"Shared the budget with the whole team", "People make better trade-offs when they can see the real numbers."},
	{"Set a no-meeting Wednesday", "The team asked for one day of deep work, and output matters more than updates."},
	{"Dropped the weekly status report", "The shared board answers the same questions without the overhead."},
	{"Put the pilot on the company roadmap", "The board wants it visible; being on the roadmap protects the team's time."},
	{"Opened the retro to the platform team", "Half of our blockers are theirs: they should hear them first-hand."},
}
