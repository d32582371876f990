package main

import (
	"fmt"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/cli"
)

type promiseCmd struct {
	Add         promiseAddCmd         `cmd:"" help:"Make a promise to a person or the team."`
	List        promiseListCmd        `cmd:"" help:"List your promises."`
	Kept        promiseResolveCmd     `cmd:"" help:"Record that you kept a promise."`
	Late        promiseResolveCmd     `cmd:"" help:"Record that you kept a promise, late."`
	Broken      promiseResolveCmd     `cmd:"" help:"Record that you broke a promise."`
	Renegotiate promiseRenegotiateCmd `cmd:"" help:"Move a promise's due date, openly and before it is due."`
	Saydo       promiseSayDoCmd       `cmd:"" name:"saydo" help:"Your say/do ratio: promises kept of those that came due."`
	Calendar    promiseCalendarCmd    `cmd:"" help:"Make (or turn off) the calendar feed of your promises."`
}

type promiseCalendarCmd struct {
	Revoke bool `help:"Turn the feed off: its address stops working."`
}

func (promiseCalendarCmd) Help() string {
	return "Prints a secret address (append it to your server's address) that any calendar\n" +
		"app can subscribe to: every promise on its due date. Running it again makes a new\n" +
		"address and ends the old one.\n\nExample:\n\n    trustledger promise calendar\n    trustledger promise calendar --revoke\n"
}

func (c *promiseCalendarCmd) Run(rt *runtime) error {
	cal, lid, err := rt.service()
	if err != nil {
		return err
	}
	if c.Revoke {
		if err := cal.RevokeCalendar(rt.ctx, lid); err != nil {
			return err
		}
		return rt.output(map[string]string{"calendar": "off"}, func() error {
			rt.printf("The calendar feed is off: its address no longer works.\n")
			return nil
		})
	}
	token, err := cal.CalendarLink(rt.ctx, lid)
	if err != nil {
		return err
	}
	path := "/calendar/" + token + ".ics"
	return rt.output(map[string]string{"path": path}, func() error {
		rt.printf("Subscribe to this address in your calendar (shown once; append it to your server's address):\n\n    %s\n", path)
		return nil
	})
}

// promiseView is a promise as scripts see it.
type promiseView struct {
	ID         string    `json:"id"`
	To         string    `json:"to"`
	What       string    `json:"what"`
	Due        time.Time `json:"due"`
	Status     string    `json:"status"`
	CreatedAt  time.Time `json:"created_at"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
	StepID     string    `json:"step_id,omitempty"`
}

func viewPromise(c tl.Promise) promiseView {
	return promiseView{ID: c.ID, To: c.To, What: c.What, Due: c.Due, Status: string(c.Status),
		CreatedAt: c.CreatedAt, ResolvedAt: c.ResolvedAt, StepID: c.StepID}
}

type promiseAddCmd struct {
	Who  string `arg:"" help:"To whom: a person, or \"team\"."`
	What string `arg:"" help:"What you promise, in a few words."`
	Due  string `required:"" placeholder:"DATE" help:"When it is due: YYYY-MM-DD, \"in 5 days\", a weekday (the next one), tomorrow; due until that day ends in your zone (--tz)."`
}

func (promiseAddCmd) Help() string {
	return "Making a promise is not evidence; keeping or breaking it is. A promise still\n" +
		"open two days after it was due is marked broken by the system.\n\n" +
		"Example:\n\n    trustledger promise add Ana \"review her proposal\" --due friday\n" +
		"    trustledger promise add team \"share the roadmap\" --due friday\n"
}

func (c *promiseAddCmd) Run(rt *runtime) error {
	svc, lid, err := rt.service()
	if err != nil {
		return err
	}
	due, err := cli.ParseDue(c.Due, rt.clock(), rt.loc())
	if err != nil {
		return err
	}
	p, err := svc.AddPromise(rt.ctx, lid, tl.PromiseInput{To: c.Who, What: c.What, Due: due})
	if err != nil {
		return err
	}
	return rt.output(viewPromise(*p), func() error {
		rt.printf("Promised %s: %s, due %s (promise %s).\n", p.To, p.What, rt.day(p.Due), p.ID)
		rt.printf("When it is done: trustledger promise kept %s\n", p.ID)
		return nil
	})
}

type promiseListCmd struct {
	Status string `enum:",open,kept,kept-late,renegotiated,broken" default:"" placeholder:"STATUS" help:"Only promises with this status: open, kept, kept-late, renegotiated or broken."`
}

func (promiseListCmd) Help() string {
	return "Example:\n\n    trustledger promise list\n    trustledger promise list --status open\n"
}

func (c *promiseListCmd) Run(rt *runtime) error {
	svc, lid, err := rt.service()
	if err != nil {
		return err
	}
	ps, err := svc.Promises(rt.ctx, lid, tl.PromiseStatus(c.Status))
	if err != nil {
		return err
	}
	views := make([]promiseView, 0, len(ps))
	for _, p := range ps {
		views = append(views, viewPromise(p))
	}
	return rt.output(views, func() error {
		if len(ps) == 0 {
			if c.Status != "" {
				rt.printf("No %s promises.\n", c.Status)
			} else {
				rt.printf("No promises yet. Make one with: trustledger promise add WHO \"WHAT\" --due DATE\n")
			}
			return nil
		}
		t := cli.NewTable("id", "to", "what", "due", "status")
		for _, p := range ps {
			t.Row(p.ID, p.To, clip(p.What, 50), rt.day(p.Due), string(p.Status))
		}
		return t.Write(rt.stdout)
	})
}

type promiseResolveCmd struct {
	ID string `arg:"" placeholder:"PROMISE_ID" help:"The promise (see: trustledger promise list)."`
}

func (promiseResolveCmd) Help() string {
	return "Kept after the end of its due date counts as kept late. What you record here\n" +
		"is your own claim until the person confirms it.\n\nExample:\n\n" +
		"    trustledger promise kept 01KB2F3G4H5J6K7M8N9P0QRSTV\n" +
		"    trustledger promise late 01KB2F3G4H5J6K7M8N9P0QRSTV\n" +
		"    trustledger promise broken 01KB2F3G4H5J6K7M8N9P0QRSTV\n"
}

// Run resolves the promise with the outcome named by the subcommand.
func (c *promiseResolveCmd) Run(rt *runtime, outcome resolveOutcome) error {
	svc, lid, err := rt.service()
	if err != nil {
		return err
	}
	p, err := svc.ResolvePromise(rt.ctx, lid, c.ID, tl.PromiseStatus(outcome), time.Time{})
	if err != nil {
		return err
	}
	return rt.output(viewPromise(*p), func() error {
		switch p.Status {
		case tl.PromiseKept:
			rt.printf("Kept: %s (to %s). Follow-through is an integrity deposit.\n", p.What, p.To)
		case tl.PromiseKeptLate:
			rt.printf("Kept late: %s (to %s, due %s). It still counts, at half weight.\n", p.What, p.To, rt.day(p.Due))
		case tl.PromiseBroken:
			rt.printf("Broken: %s (to %s). An apology within 30 days repairs part of it:\n", p.What, p.To)
			rt.printf("  trustledger log apology --repairs %s --acknowledges --offers-repair\n", brokenEntry(rt, svc, lid, p))
		default:
			rt.printf("%s: %s (to %s).\n", p.Status, p.What, p.To)
		}
		return nil
	})
}

// brokenEntry finds the promise-broken entry a resolution just logged,
// so the apology hint can name it; ENTRY_ID when it cannot be found.
func brokenEntry(rt *runtime, svc tl.Service, leaderID string, p *tl.Promise) string {
	evs, err := svc.Events(rt.ctx, leaderID, tl.EventFilter{Who: p.To, Limit: 20})
	if err != nil {
		return "ENTRY_ID"
	}
	for _, e := range evs {
		if e.PromiseID == p.ID && e.Kind == "promise-broken" {
			return e.ID
		}
	}
	return "ENTRY_ID"
}

// resolveOutcome is the outcome a promise subcommand records, bound from
// the command's name.
type resolveOutcome tl.PromiseStatus

type promiseRenegotiateCmd struct {
	ID  string `arg:"" placeholder:"PROMISE_ID" help:"The promise (see: trustledger promise list)."`
	Due string `required:"" placeholder:"DATE" help:"The new due date."`
}

func (promiseRenegotiateCmd) Help() string {
	return "Renegotiating openly before the due date is a small integrity deposit; the\n" +
		"promise continues with the new date under a new id.\n\n" +
		"Example:\n\n    trustledger promise renegotiate 01KB2F3G4H5J6K7M8N9P0QRSTV --due \"in 7 days\"\n"
}

func (c *promiseRenegotiateCmd) Run(rt *runtime) error {
	svc, lid, err := rt.service()
	if err != nil {
		return err
	}
	due, err := cli.ParseDue(c.Due, rt.clock(), rt.loc())
	if err != nil {
		return err
	}
	p, err := svc.ResolvePromise(rt.ctx, lid, c.ID, tl.PromiseRenegotiated, due)
	if err != nil {
		return err
	}
	return rt.output(viewPromise(*p), func() error {
		rt.printf("Renegotiated: %s (to %s) is now due %s (promise %s).\n", p.What, p.To, rt.day(p.Due), p.ID)
		return nil
	})
}

type promiseSayDoCmd struct{}

func (promiseSayDoCmd) Help() string {
	return "Renegotiated promises are left out: the new promise counts instead.\n\nExample:\n\n    trustledger promise saydo\n"
}

type sayDoView struct {
	Kept  int `json:"kept"`
	Due   int `json:"due"`
	Ratio *r3 `json:"ratio"` // null until a promise has come due
}

func (c *promiseSayDoCmd) Run(rt *runtime) error {
	svc, lid, err := rt.service()
	if err != nil {
		return err
	}
	kept, due, err := svc.SayDo(rt.ctx, lid)
	if err != nil {
		return err
	}
	v := sayDoView{Kept: kept, Due: due}
	if due > 0 {
		r := r3(float64(kept) / float64(due))
		v.Ratio = &r
	}
	return rt.output(v, func() error {
		if due == 0 {
			rt.printf("Say/do: no promise has come due yet.\n")
			return nil
		}
		rt.printf("Say/do: you kept %d of %d promises that came due (%.0f%%).\n", kept, due, 100*float64(kept)/float64(due))
		return nil
	})
}

type decideCmd struct {
	What    string `arg:"" help:"What you decided."`
	Why     string `placeholder:"TEXT" help:"Why: sharing it is a transparency deposit; leaving it out is a withdrawal."`
	Affects string `default:"team" placeholder:"WHO" help:"Who it affects: a person or a team (default: team)."`
}

func (decideCmd) Help() string {
	return "\"Leading with transparency: share the why behind decisions.\" A decision\n" +
		"logged without --why is a decision-unexplained entry.\n\nExample:\n\n" +
		"    trustledger decide \"move the launch to March\" --why \"QA found two blockers\" --affects team\n" +
		"    trustledger decide \"Ben leads the pricing review\" --affects Ben\n"
}

type decisionView struct {
	ID        string    `json:"id"`
	What      string    `json:"what"`
	Why       string    `json:"why,omitempty"`
	Affects   string    `json:"affects"`
	Explained bool      `json:"explained"`
	DecidedAt time.Time `json:"decided_at"`
}

func viewDecision(d tl.Decision) decisionView {
	return decisionView{ID: d.ID, What: d.What, Why: d.Why, Affects: d.Affects, Explained: strings.TrimSpace(d.Why) != "", DecidedAt: d.DecidedAt}
}

func (c *decideCmd) Run(rt *runtime) error {
	svc, lid, err := rt.service()
	if err != nil {
		return err
	}
	d, err := svc.Decide(rt.ctx, lid, tl.DecisionInput{What: c.What, Why: c.Why, Affects: c.Affects})
	if err != nil {
		return err
	}
	return rt.output(viewDecision(*d), func() error {
		if d.Why != "" {
			rt.printf("Decided: %s. The why went to %s: a transparency deposit (decision-explained).\n", d.What, d.Affects)
		} else {
			rt.printf("Decided: %s, without a why: logged as decision-unexplained for %s, a small withdrawal.\n", d.What, d.Affects)
			rt.printf("Next time add --why: \"Trust thrives in clarity.\"\n")
		}
		return nil
	})
}

type decisionsCmd struct{}

func (decisionsCmd) Help() string { return "Example:\n\n    trustledger decisions\n" }

func (c *decisionsCmd) Run(rt *runtime) error {
	svc, lid, err := rt.service()
	if err != nil {
		return err
	}
	ds, err := svc.Decisions(rt.ctx, lid)
	if err != nil {
		return err
	}
	views := make([]decisionView, 0, len(ds))
	for _, d := range ds {
		views = append(views, viewDecision(d))
	}
	return rt.output(views, func() error {
		if len(ds) == 0 {
			rt.printf("No decisions yet. Record one with: trustledger decide \"WHAT\" --why \"WHY\"\n")
			return nil
		}
		t := cli.NewTable("date", "affects", "what", "why")
		for _, d := range ds {
			why := d.Why
			if why == "" {
				why = "(not explained)"
			}
			t.Row(rt.date(d.DecidedAt), d.Affects, clip(d.What, 40), clip(why, 50))
		}
		return t.Write(rt.stdout)
	})
}

// bindOutcome tells promiseResolveCmd which subcommand ran.
func bindOutcome(path string) (resolveOutcome, error) {
	switch {
	case strings.HasSuffix(path, " kept"):
		return resolveOutcome(tl.PromiseKept), nil
	case strings.HasSuffix(path, " late"):
		return resolveOutcome(tl.PromiseKeptLate), nil
	case strings.HasSuffix(path, " broken"):
		return resolveOutcome(tl.PromiseBroken), nil
	}
	return "", fmt.Errorf("no outcome for command %q", path)
}
