package main

import (
	"fmt"
	"os"
	"strings"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/cli"
)

type programCmd struct {
	List      programListCmd      `cmd:"" default:"1" help:"The programs you run, coach or are in."`
	Create    programCreateCmd    `cmd:"" help:"Make a program (owner and admins)."`
	Show      programShowCmd      `cmd:"" help:"A program: its coaches and leaders, and for coaches the rollup."`
	AddCoach  programAddCoachCmd  `cmd:"" name:"add-coach" help:"Add a coach account to a program (admins)."`
	AddLeader programAddLeaderCmd `cmd:"" name:"add-leader" help:"Add a leader to a program (admins); coaches see them once they consent."`
	Consent   programConsentCmd   `cmd:"" help:"Let the program's coaches see your aggregates."`
	Withdraw  programWithdrawCmd  `cmd:"" help:"Withdraw your consent, effective at once."`
}

func (programCmd) Help() string {
	return "A program groups leaders for their coaches. Coaches see the leaders who consent, in\n" +
		"aggregate only: quadrants week by week, steps, released pulse means and shared\n" +
		"journal entries. Never a ledger note, an unshared entry or anyone's answer.\n\n" +
		"Example:\n\n    trustledger program create \"Spring cohort\"\n    trustledger program add-coach ID cora@example.org\n" +
		"    trustledger program add-leader ID sam@example.org\n    trustledger program consent ID    # as Sam\n"
}

// programs is the program service and the account the command acts as.
func (rt *runtime) programs() (tl.ProgramService, *tl.User, error) {
	_, u, err := rt.tokenUser()
	if tl.ErrorCode(err) == tl.ENOTFOUND && rt.cli.Server == "" {
		// Programs act as an account (owner, admin, coach, leader), and a
		// database made by init has a leader but no account yet.
		return nil, nil, tl.Errorf(tl.ENOTFOUND, "programs and rosters act as your account, and this leader has none yet: "+
			"run trustledger serve, open it and create the owner account, then run this again with --leader and that account's name "+
			"(or use --server with a token)")
	}
	if err != nil {
		return nil, nil, err
	}
	return rt.svc, u, nil
}

type programListCmd struct{}

func (c *programListCmd) Run(rt *runtime) error {
	ps, u, err := rt.programs()
	if err != nil {
		return err
	}
	list, err := ps.Programs(rt.ctx, u.ID)
	if err != nil {
		return err
	}
	return rt.output(list, func() error {
		if len(list) == 0 {
			rt.printf("No programs. Make one with: trustledger program create NAME\n")
			return nil
		}
		t := cli.NewTable("id", "program", "since")
		for _, p := range list {
			t.Row(p.ID, p.Name, rt.date(p.CreatedAt))
		}
		return t.Write(rt.stdout)
	})
}

type programCreateCmd struct {
	Name string `arg:"" help:"The program's name."`
}

func (c *programCreateCmd) Run(rt *runtime) error {
	ps, u, err := rt.programs()
	if err != nil {
		return err
	}
	p, err := ps.CreateProgram(rt.ctx, u.ID, c.Name)
	if err != nil {
		return err
	}
	return rt.output(p, func() error {
		rt.printf("Program %q created (%s). Add coaches and leaders:\n  trustledger program add-coach %s EMAIL\n  trustledger program add-leader %s EMAIL\n", p.Name, p.ID, p.ID, p.ID)
		return nil
	})
}

type programShowCmd struct {
	ID string `arg:"" help:"The program's id."`
}

func (c *programShowCmd) Run(rt *runtime) error {
	ps, u, err := rt.programs()
	if err != nil {
		return err
	}
	d, err := ps.Program(rt.ctx, u.ID, c.ID)
	if err != nil {
		return err
	}
	view := struct {
		*tl.ProgramDetail
		Rollup *tl.Rollup `json:"rollup,omitempty"`
	}{ProgramDetail: d}
	if d.RollupVisibleTo(u) {
		if view.Rollup, err = ps.Rollup(rt.ctx, u.ID, c.ID); err != nil {
			return err
		}
	}
	return rt.output(view, func() error {
		rt.printf("%s (%s)\n\nCoaches:", d.Program.Name, d.Program.ID)
		for _, co := range d.Coaches {
			rt.printf(" %s <%s>", co.Name, co.Email)
		}
		if len(d.Coaches) == 0 {
			rt.printf(" none yet")
		}
		rt.printf("\n\n")
		t := cli.NewTable("leader", "consent")
		for _, l := range d.Leaders {
			state := "not given"
			if l.Consented {
				state = "since " + rt.date(l.ConsentedAt)
			} else if !l.WithdrawnAt.IsZero() {
				state = "withdrawn " + rt.date(l.WithdrawnAt)
			}
			t.Row(l.Name, state)
		}
		if err := t.Write(rt.stdout); err != nil {
			return err
		}
		r := view.Rollup
		if r == nil {
			return nil
		}
		rt.printf("\nRollup: %d of %d leaders consent.\n", r.Consenting, r.Leaders)
		for _, w := range r.Weeks {
			var parts []string
			for _, q := range []string{"influence", "goodwill", "compliance", "unanchored", "undetermined"} {
				if n := w.Quadrants[q]; n > 0 {
					parts = append(parts, fmt.Sprintf("%s %d", q, n))
				}
			}
			rt.printf("  week of %s: %s\n", fmtDate(w.WeekStart), strings.Join(parts, ", "))
		}
		rt.printf("Steps: %d suggested, %d accepted, %d done, %d skipped.\n", r.Steps.Suggested, r.Steps.Accepted, r.Steps.Done, r.Steps.Skipped)
		for _, p := range r.Pulses {
			var parts []string
			for _, s := range p.Scales {
				parts = append(parts, fmt.Sprintf("%s %.2f", s.Scale, s.Mean))
			}
			rt.printf("Pulse: %s, %s, %d answers: %s\n", p.Leader, rt.date(p.ClosedAt), p.N, strings.Join(parts, ", "))
		}
		for _, e := range r.Shared {
			rt.printf("Shared by %s (week of %s): %s\n", e.Leader, fmtDate(e.WeekStart), e.Text)
		}
		return nil
	})
}

type programMemberArgs struct {
	ID    string `arg:"" help:"The program's id."`
	Email string `arg:"" help:"The account's email."`
}

type programAddCoachCmd struct{ programMemberArgs }

func (c *programAddCoachCmd) Run(rt *runtime) error {
	ps, u, err := rt.programs()
	if err != nil {
		return err
	}
	if err := ps.AddCoach(rt.ctx, u.ID, c.ID, c.Email); err != nil {
		return err
	}
	rt.printf("%s now coaches program %s.\n", c.Email, c.ID)
	return nil
}

type programAddLeaderCmd struct{ programMemberArgs }

func (c *programAddLeaderCmd) Run(rt *runtime) error {
	ps, u, err := rt.programs()
	if err != nil {
		return err
	}
	if err := ps.AddLeader(rt.ctx, u.ID, c.ID, c.Email); err != nil {
		return err
	}
	rt.printf("%s is in program %s. Its coaches see nothing of them until they consent (trustledger program consent %s).\n", c.Email, c.ID, c.ID)
	return nil
}

type programConsentCmd struct {
	ID string `arg:"" help:"The program's id."`
}

func (c *programConsentCmd) Run(rt *runtime) error { return setConsent(rt, c.ID, true) }

type programWithdrawCmd struct {
	ID string `arg:"" help:"The program's id."`
}

func (c *programWithdrawCmd) Run(rt *runtime) error { return setConsent(rt, c.ID, false) }

func setConsent(rt *runtime, id string, give bool) error {
	ps, u, err := rt.programs()
	if err != nil {
		return err
	}
	if err := ps.SetConsent(rt.ctx, u.ID, id, give); err != nil {
		return err
	}
	if give {
		rt.printf("The coaches of program %s now see your aggregates: quadrants, steps, released pulse means and the journal entries you share. Withdraw with: trustledger program withdraw %s\n", id, id)
	} else {
		rt.printf("Consent withdrawn: the coaches of program %s see nothing of you from now on.\n", id)
	}
	return nil
}

type rosterCmd struct {
	Import rosterImportCmd `cmd:"" help:"Invite everyone in a CSV roster, all or nothing."`
}

type rosterImportCmd struct {
	File   string `arg:"" help:"The CSV file: a header line (email,name,role[,team,leader_email]), then one person per line."`
	DryRun bool   `name:"dry-run" help:"Check every line and write nothing."`
}

func (rosterImportCmd) Help() string {
	return "Each person gets an invitation by mail; a member with a leader_email is also added\n" +
		"to that leader's people, in the named team. Every line is checked first; if any is\n" +
		"wrong, nothing is written and each mistake is listed with its line.\n\n" +
		"Example:\n\n    trustledger roster import staff.csv --dry-run\n    trustledger roster import staff.csv\n"
}

func (c *rosterImportCmd) Run(rt *runtime) error {
	data, err := os.ReadFile(c.File)
	if err != nil {
		if os.IsNotExist(err) {
			return tl.Errorf(tl.ENOTFOUND, "%s: no such file", c.File)
		}
		return tl.Errorf(tl.EINVALID, "%s: cannot read: %w", c.File, err)
	}
	ps, u, err := rt.programs()
	if err != nil {
		return err
	}
	res, err := ps.Roster(rt.ctx, u.ID, data, c.DryRun, nil)
	if err != nil {
		return err
	}
	if err := rt.output(res, func() error {
		for _, row := range res.Rows {
			if row.Error != "" {
				rt.printf("line %d: %s\n", row.Line, row.Error)
			}
		}
		switch {
		case res.Imported:
			rt.printf("Imported %d people: %d invitations queued for mail, %d members added to their leaders' people.\n", len(res.Rows), res.Invitations, res.People)
		case res.Errors == 0:
			rt.printf("All %d lines are fine. Import them with: trustledger roster import %s\n", len(res.Rows), c.File)
		}
		return nil
	}); err != nil {
		return err
	}
	if res.Errors > 0 {
		return tl.Errorf(tl.EINVALID, "%d of %d lines have errors (listed above); nothing was imported", res.Errors, len(res.Rows))
	}
	return nil
}

type journalShareCmd struct {
	ID string `arg:"" help:"The entry's id (trustledger journal list --json shows them)."`
}

func (c *journalShareCmd) Run(rt *runtime) error { return shareJournal(rt, c.ID, true) }

type journalUnshareCmd struct {
	ID string `arg:"" help:"The entry's id."`
}

func (c *journalUnshareCmd) Run(rt *runtime) error { return shareJournal(rt, c.ID, false) }

func shareJournal(rt *runtime, id string, share bool) error {
	ps, lid, err := rt.service()
	if err != nil {
		return err
	}
	j, err := ps.ShareJournal(rt.ctx, lid, id, share)
	if err != nil {
		return err
	}
	return rt.output(viewJournal(*j), func() error {
		if share {
			rt.printf("Shared with the coaches of the programs you consent to.\n")
		} else {
			rt.printf("No longer shared: only you can read it.\n")
		}
		return nil
	})
}
