package main

import (
	"fmt"
	"strconv"
	"strings"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/cli"
	"github.com/trustledger/trustledger/internal/engine"
)

type personCmd struct {
	Add        personAddCmd        `cmd:"" help:"Add a person you lead."`
	List       personListCmd       `cmd:"" help:"List the people you lead and the power you hold."`
	Power      personPowerCmd      `cmd:"" help:"Change the power you hold over a person, base by base."`
	Deactivate personDeactivateCmd `cmd:"" help:"Stop tracking a person (their history stays)."`
	Activate   personActivateCmd   `cmd:"" help:"Track a person again."`
	Email      personEmailCmd      `cmd:"" help:"Set the address a person's pulse and check-in invitations go to."`
	Window     personWindowCmd     `cmd:"" help:"Email a person the link to their window on your promises and decisions."`
	Confirm    personConfirmCmd    `cmd:"" help:"Send a person the link that confirms their address again."`
	Voice      personVoiceCmd      `cmd:"" help:"Who counts toward k (asked in pulses, counted in reactions), and why not."`
	Export     personExportCmd     `cmd:"" help:"Everything stored about one person, as JSON (for their data request)."`
	Erase      personEraseCmd      `cmd:"" help:"Erase a person's name, address and words; the ledger keeps its shape."`
}

type personAddCmd struct {
	Name  string `arg:"" help:"The person's name, unique among your people."`
	Kind  string `required:"" placeholder:"KIND" help:"direct-report, skip-level, cross-functional, stakeholder or peer."`
	Team  string `placeholder:"TEAM" help:"Their team (default: your team)."`
	Power string `placeholder:"BASE=N,…" help:"Override the kind's power profile, e.g. legitimate=3,expert=2 (each 0–4)."`
	Email string `placeholder:"ADDRESS" help:"Where their pulse and check-in invitations go (optional)."`
}

func (personAddCmd) Help() string {
	var b strings.Builder
	b.WriteString("The kind sets the default power profile (MODEL.md §7): the six bases of\n")
	b.WriteString("power, each 0–4. Authority is legitimate+reward+coercive+informational over 16;\n")
	b.WriteString("power is all six over 24.\n\n")
	for _, k := range engine.RelKinds() {
		d := engine.DefaultBases(k)
		fmt.Fprintf(&b, "    %-17s %s  authority %.3f, power %.3f\n", k, basesCell(d), d.Authority(), d.Power())
	}
	b.WriteString("\nExample:\n\n    trustledger person add Ana --kind direct-report\n")
	b.WriteString("    trustledger person add Omar --kind cross-functional --team design --power expert=3\n")
	return b.String()
}

// parsePower reads "legitimate=3,expert=2" (also as separate arguments).
func parsePower(args ...string) (map[string]int, error) {
	out := map[string]int{}
	for _, arg := range args {
		for _, part := range strings.Split(arg, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			name, val, ok := strings.Cut(part, "=")
			n, err := strconv.Atoi(strings.TrimSpace(val))
			if !ok || err != nil || strings.TrimSpace(name) == "" {
				return nil, tl.Errorf(tl.EINVALID, "invalid power %q: write base=N pairs such as legitimate=3,expert=2 (bases: legitimate, reward, coercive, informational, expert, referent)", part)
			}
			out[strings.ToLower(strings.TrimSpace(name))] = n
		}
	}
	return out, nil
}

func (c *personAddCmd) Run(rt *runtime) error {
	svc, lid, err := rt.service()
	if err != nil {
		return err
	}
	power, err := parsePower(c.Power)
	if err != nil {
		return err
	}
	r, err := svc.AddPerson(rt.ctx, lid, tl.PersonInput{Name: c.Name, Email: c.Email, Kind: engine.RelKind(c.Kind), Team: c.Team, Power: power})
	if err != nil {
		return err
	}
	n, err := rt.names(svc, lid)
	if err != nil {
		return err
	}
	return rt.output(viewPerson(*r, n), func() error {
		rt.printf("Added %s (%s, team %s): power %.3f, authority %.3f (%s).\n",
			r.Person, r.Kind, n.team(r.TeamID), r.Bases.Power(), r.Bases.Authority(), basesCell(r.Bases))
		if r.Email != "" {
			rt.printf("A link to confirm %s is on its way to %s: they count toward k a week after confirming it.\n", r.Email, r.Person)
		}
		rt.printf("Log what happens with: trustledger log %s KIND\n", argQuote(r.Person))
		return nil
	})
}

// argQuote quotes a name for a command line example when it needs it.
func argQuote(s string) string {
	if s == "" || strings.ContainsAny(s, " \t'\"$\\;&|<>*?()") {
		return strconv.Quote(s)
	}
	return s
}

type personListCmd struct{}

func (personListCmd) Help() string {
	return "Example:\n\n    trustledger person list\n    trustledger person list --json\n"
}

func (c *personListCmd) Run(rt *runtime) error {
	svc, lid, err := rt.service()
	if err != nil {
		return err
	}
	rels, err := svc.People(rt.ctx, lid)
	if err != nil {
		return err
	}
	n, err := rt.names(svc, lid)
	if err != nil {
		return err
	}
	views := make([]personView, 0, len(rels))
	for _, r := range rels {
		views = append(views, viewPerson(r, n))
	}
	return rt.output(views, func() error {
		if len(rels) == 0 {
			rt.printf("No people yet. Add one with: trustledger person add NAME --kind direct-report\n")
			return nil
		}
		t := cli.NewTable("person", "kind", "team", "active", "bases", "authority", "power", "since")
		for _, r := range rels {
			active := "yes"
			if !r.Active {
				active = "no"
			}
			t.Row(r.Person, string(r.Kind), n.team(r.TeamID), active, basesCell(r.Bases),
				fmt.Sprintf("%.3f", r.Bases.Authority()), fmt.Sprintf("%.3f", r.Bases.Power()), rt.date(r.StartedAt))
		}
		return t.Write(rt.stdout)
	})
}

type personPowerCmd struct {
	Name  string   `arg:"" help:"The person."`
	Bases []string `arg:"" placeholder:"BASE=N" help:"One or more base=N (0–4): legitimate, reward, coercive, informational, expert, referent."`
}

func (personPowerCmd) Help() string {
	return "Sets bases directly; to record a change of formal power as it happens, log\n" +
		"authority-granted or authority-removed instead, so it shows in the ledger.\n\n" +
		"Example:\n\n    trustledger person power Ana expert=3 referent=2\n"
}

func (c *personPowerCmd) Run(rt *runtime) error {
	svc, lid, err := rt.service()
	if err != nil {
		return err
	}
	power, err := parsePower(c.Bases...)
	if err != nil {
		return err
	}
	r, err := svc.SetPower(rt.ctx, lid, c.Name, power)
	if err != nil {
		return err
	}
	n, err := rt.names(svc, lid)
	if err != nil {
		return err
	}
	return rt.output(viewPerson(*r, n), func() error {
		rt.printf("%s: %s, authority %.3f, power %.3f.\n", r.Person, basesCell(r.Bases), r.Bases.Authority(), r.Bases.Power())
		return nil
	})
}

type personDeactivateCmd struct {
	Name string `arg:"" help:"The person."`
}

func (personDeactivateCmd) Help() string {
	return "A person who is not active gets no team entries and is never the weekly pick;\n" +
		"their ledger stays.\n\nExample:\n\n    trustledger person deactivate Ben\n"
}

func (c *personDeactivateCmd) Run(rt *runtime) error { return setActive(rt, c.Name, false) }

type personActivateCmd struct {
	Name string `arg:"" help:"The person."`
}

func (personActivateCmd) Help() string {
	return "Example:\n\n    trustledger person activate Ben\n"
}

func (c *personActivateCmd) Run(rt *runtime) error { return setActive(rt, c.Name, true) }

func setActive(rt *runtime, name string, active bool) error {
	svc, lid, err := rt.service()
	if err != nil {
		return err
	}
	r, err := svc.SetActive(rt.ctx, lid, name, active)
	if err != nil {
		return err
	}
	n, err := rt.names(svc, lid)
	if err != nil {
		return err
	}
	return rt.output(viewPerson(*r, n), func() error {
		if active {
			rt.printf("%s is active again.\n", r.Person)
		} else {
			rt.printf("%s is no longer active; their history stays in the ledger.\n", r.Person)
		}
		return nil
	})
}

type teamCmd struct {
	Add  teamAddCmd  `cmd:"" help:"Add a team."`
	List teamListCmd `cmd:"" help:"List your teams and their members."`
}

type teamAddCmd struct {
	Name string `arg:"" help:"The team's name."`
}

func (teamAddCmd) Help() string {
	return "Every leader starts with a team called \"team\". An entry about a team reaches\n" +
		"every active member at full weight.\n\nExample:\n\n    trustledger team add design\n    trustledger person add Omar --kind peer --team design\n"
}

func (c *teamAddCmd) Run(rt *runtime) error {
	svc, lid, err := rt.service()
	if err != nil {
		return err
	}
	t, err := svc.AddTeam(rt.ctx, lid, c.Name)
	if err != nil {
		return err
	}
	return rt.output(teamView{ID: t.ID, Name: t.Name, Members: []string{}}, func() error {
		rt.printf("Added team %s. Add people to it with: trustledger person add NAME --kind KIND --team %s\n", t.Name, argQuote(t.Name))
		return nil
	})
}

type teamView struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Members []string `json:"members"`
}

type teamListCmd struct{}

func (teamListCmd) Help() string { return "Example:\n\n    trustledger team list\n" }

func (c *teamListCmd) Run(rt *runtime) error {
	svc, lid, err := rt.service()
	if err != nil {
		return err
	}
	teams, err := svc.Teams(rt.ctx, lid)
	if err != nil {
		return err
	}
	rels, err := svc.People(rt.ctx, lid)
	if err != nil {
		return err
	}
	views := make([]teamView, 0, len(teams))
	for _, t := range teams {
		v := teamView{ID: t.ID, Name: t.Name, Members: []string{}}
		for _, r := range rels {
			if r.TeamID == t.ID && r.Active {
				v.Members = append(v.Members, r.Person)
			}
		}
		views = append(views, v)
	}
	return rt.output(views, func() error {
		t := cli.NewTable("team", "active members")
		for _, v := range views {
			m := strings.Join(v.Members, ", ")
			if m == "" {
				m = "none yet"
			}
			t.Row(v.Name, m)
		}
		return t.Write(rt.stdout)
	})
}
