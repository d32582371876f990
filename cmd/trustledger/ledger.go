package main

import (
	"fmt"
	"strings"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/cli"
	"github.com/trustledger/trustledger/internal/engine"
)

type logCmd struct {
	Who          string `arg:"" help:"A person's name, \"team\" (or a team's name) for every active member."`
	Kind         string `arg:"" optional:"" help:"What happened: one of the kinds listed above."`
	Note         string `placeholder:"TEXT" help:"What happened, in a sentence."`
	When         string `placeholder:"DATE" help:"When it happened: YYYY-MM-DD, yesterday, \"3 days ago\", a weekday (default: now)."`
	Severity     string `enum:"minor,normal,major,severe" default:"normal" help:"minor, normal, major or severe."`
	Source       string `enum:"self,confirmed" default:"self" help:"self (you logged it) or confirmed (the person confirmed it)."`
	Repairs      string `placeholder:"EVENT_ID" help:"apology: the id of the breach it repairs."`
	Acknowledges bool   `help:"apology: it acknowledged responsibility."`
	OffersRepair bool   `name:"offers-repair" help:"apology: it offered a repair."`
	Base         string `placeholder:"BASE" help:"authority-granted/removed: the base of power that moves."`
	Shift        int    `placeholder:"N" help:"authority-granted/removed: by how many points (default 1)."`
}

// Help lists the kinds grouped as the article groups them.
func (logCmd) Help() string {
	var b strings.Builder
	groups := []struct {
		g     engine.Group
		title string
	}{
		{engine.Builder, "Builders of trust (\"Trust grows when promises are kept, decisions are explained, mistakes are owned, people are valued\"):"},
		{engine.Barrier, "Barriers that erode trust (\"overuse authority, withhold information, break commitments, ignore fairness\"):"},
		{engine.Other, "Repair, power and direction:"},
	}
	for _, g := range groups {
		b.WriteString(g.title + "\n\n")
		for _, k := range engine.Kinds() {
			if k.Group != g.g || k.IsSnapshot {
				continue
			}
			fmt.Fprintf(&b, "    %-22s %s\n", k.Kind, k.Help)
		}
		b.WriteString("\n")
	}
	b.WriteString("What you log yourself counts half until the person confirms it (--source\n")
	b.WriteString("confirmed), and at most 3 units per dimension: trust is earned in their eyes.\n\n")
	b.WriteString("Example:\n\n")
	b.WriteString("    trustledger log Ana promise-kept --note \"sent the budget as promised\"\n")
	b.WriteString("    trustledger log team authority-overused --when yesterday --severity minor\n")
	b.WriteString("    trustledger log Ben apology --repairs 01KB2F3G4H5J6K7M8N9P0QRSTV --acknowledges --offers-repair\n")
	b.WriteString("    trustledger log Ana authority-granted --base legitimate --shift 1\n")
	return b.String()
}

func (c *logCmd) Run(rt *runtime) error {
	svc, lid, err := rt.service()
	if err != nil {
		return err
	}
	who, kind := c.Who, c.Kind
	if kind == "" {
		// "log apology --repairs ID" sends the apology to whoever the
		// breach touched.
		if strings.EqualFold(who, string(engine.KindApology)) {
			who, kind = "", who
		} else {
			return tl.Errorf(tl.EINVALID, "say what happened: trustledger log %s KIND (the kinds are listed by: trustledger log --help)", argQuote(who))
		}
	}
	in := tl.EventInput{
		Who: who, Kind: engine.Kind(strings.ToLower(strings.TrimSpace(kind))), Note: c.Note,
		Repairs: c.Repairs, Acknowledges: c.Acknowledges, OffersRepair: c.OffersRepair, Base: c.Base, Shift: c.Shift,
	}
	if in.Source, err = engine.ParseSource(c.Source); err != nil {
		return tl.Errorf(tl.EINVALID, "%w", err)
	}
	if in.Severity, err = engine.ParseSeverity(c.Severity); err != nil {
		return tl.Errorf(tl.EINVALID, "%w", err)
	}
	if c.When != "" {
		if in.At, err = cli.ParseWhen(c.When, rt.clock(), rt.loc()); err != nil {
			return err
		}
	}
	ev, err := svc.Log(rt.ctx, lid, in)
	if err != nil {
		return err
	}
	n, err := rt.names(svc, lid)
	if err != nil {
		return err
	}
	return rt.output(viewEvent(*ev, n), func() error {
		rt.printf("Logged %s about %s on %s (%s%s): entry %s\n", ev.Kind, n.subject(*ev), rt.date(ev.OccurredAt),
			ev.Source, severityNote(ev.Severity), ev.ID)
		if info, err := engine.LookupKind(string(ev.Kind)); err == nil {
			if eff := effectsNote(info); eff != "" {
				rt.printf("%s\n", eff)
			}
		}
		return nil
	})
}

func severityNote(s engine.Severity) string {
	if s == 0 || s == engine.Normal {
		return ""
	}
	return ", " + s.String()
}

// effectsNote says what a kind does to trust, in one line.
func effectsNote(k engine.KindInfo) string {
	switch {
	case k.IsApology:
		return "The apology removes part of the breach's weight."
	case k.IsPower:
		return "Power changed; trust did not."
	case k.IsDirective:
		return "A use of power: no trust evidence, but it counts toward command-heavy."
	}
	var parts []string
	for _, e := range k.Effects {
		sign := "deposit in"
		if e.Negative {
			sign = "withdrawal from"
		}
		parts = append(parts, sign+" "+e.Dim.String())
	}
	if len(parts) == 0 {
		return ""
	}
	group := ""
	switch k.Group {
	case engine.Builder:
		group = "A builder: "
	case engine.Barrier:
		group = "A barrier: "
	}
	return group + strings.Join(parts, ", ") + "."
}

type reverseCmd struct {
	ID   string `arg:"" placeholder:"EVENT_ID" help:"The entry to cancel (see: trustledger ledger)."`
	Note string `placeholder:"TEXT" help:"Why it is reversed."`
}

func (reverseCmd) Help() string {
	return "The ledger is append-only: a mistake is corrected by a new entry that cancels\n" +
		"the original, which stays visible.\n\nExample:\n\n    trustledger reverse 01KB2F3G4H5J6K7M8N9P0QRSTV --note \"logged for the wrong person\"\n"
}

func (c *reverseCmd) Run(rt *runtime) error {
	svc, lid, err := rt.service()
	if err != nil {
		return err
	}
	ev, err := svc.Reverse(rt.ctx, lid, c.ID, c.Note)
	if err != nil {
		return err
	}
	n, err := rt.names(svc, lid)
	if err != nil {
		return err
	}
	return rt.output(viewEvent(*ev, n), func() error {
		rt.printf("Reversed %s: the %s about %s no longer counts (reversing entry %s).\n", ev.Reverses, ev.Kind, n.subject(*ev), ev.ID)
		return nil
	})
}

type ledgerCmd struct {
	Who    string `arg:"" optional:"" help:"Only entries about this person (or \"team\")."`
	Limit  int    `default:"50" placeholder:"N" help:"How many entries (at most 1000)."`
	Before string `placeholder:"EVENT_ID" help:"Only entries older than this one (to page back)."`
}

func (ledgerCmd) Help() string {
	return "Example:\n\n    trustledger ledger\n    trustledger ledger Ana --limit 10\n"
}

func (c *ledgerCmd) Run(rt *runtime) error {
	svc, lid, err := rt.service()
	if err != nil {
		return err
	}
	if c.Limit < 1 || c.Limit > 1000 {
		return tl.Errorf(tl.EINVALID, "--limit must be 1–1000, got %d", c.Limit)
	}
	evs, err := svc.Events(rt.ctx, lid, tl.EventFilter{Who: c.Who, Limit: c.Limit, Before: c.Before})
	if err != nil {
		return err
	}
	n, err := rt.names(svc, lid)
	if err != nil {
		return err
	}
	views := make([]eventView, 0, len(evs))
	reversed := map[string]bool{}
	for _, e := range evs {
		views = append(views, viewEvent(e, n))
		if e.Reverses != "" {
			reversed[e.Reverses] = true
		}
	}
	return rt.output(views, func() error {
		if len(evs) == 0 {
			rt.printf("No entries yet. Log one with: trustledger log WHO KIND\n")
			return nil
		}
		t := cli.NewTable("id", "date", "who", "kind", "source", "note")
		for _, e := range evs {
			kind := string(e.Kind)
			switch {
			case e.Reverses != "":
				kind = "reversal of " + e.Reverses
			case reversed[e.ID]:
				kind += " (reversed)"
			}
			if e.Severity != 0 && e.Severity != engine.Normal {
				kind += " (" + e.Severity.String() + ")"
			}
			note := e.Note
			if e.Repairs != "" {
				note = strings.TrimSpace("repairs " + e.Repairs + " " + note)
			}
			if e.Base != "" {
				note = strings.TrimSpace(fmt.Sprintf("%s %+d %s", e.Base, e.Shift, note))
			}
			t.Row(e.ID, rt.date(e.OccurredAt), n.subject(e), kind, e.Source.String(), clip(note, 60))
		}
		if err := t.Write(rt.stdout); err != nil {
			return err
		}
		if len(evs) == c.Limit {
			rt.printf("Older entries: trustledger ledger --before %s\n", evs[len(evs)-1].ID)
		}
		return nil
	})
}
