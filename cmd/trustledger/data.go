package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/cli"
	"github.com/trustledger/trustledger/internal/csvout"
	"github.com/trustledger/trustledger/internal/scenario"
)

type initCmd struct{}

func (initCmd) Help() string {
	return "Creates the database (./trustledger.db unless --db or TRUSTLEDGER_DB says\n" +
		"otherwise) and a leader named by --leader. On an existing database, --leader\n" +
		"with a new name adds another leader; each leader sees only their own people.\n\n" +
		"Example:\n\n    trustledger init --leader Lena\n    trustledger --db postgres://localhost/trustledger init --leader Lena\n"
}

type initView struct {
	Database string      `json:"database"`
	Leader   tl.Leader   `json:"leader"`
	Created  bool        `json:"created"`
	Leaders  []tl.Leader `json:"leaders"`
}

func (c *initCmd) Run(rt *runtime) error {
	svc, err := rt.open(true)
	if err != nil {
		return err
	}
	leaders, err := svc.Leaders(rt.ctx)
	if err != nil {
		return err
	}
	name := rt.cli.Leader
	if name == "" {
		if len(leaders) > 0 {
			return rt.output(initView{Database: rt.dbName(), Leader: leaders[0], Leaders: leaders}, func() error {
				rt.printf("%s is already set up, with %s. Add another leader with: trustledger init --leader NAME\n",
					rt.dbName(), plural(len(leaders), "leader", "leaders")+" ("+leaderNames(leaders)+")")
				return nil
			})
		}
		name = rt.cli.User
	}
	for _, l := range leaders {
		if strings.EqualFold(l.Name, strings.TrimSpace(name)) {
			return rt.output(initView{Database: rt.dbName(), Leader: l, Leaders: leaders}, func() error {
				rt.printf("%s is already a leader in %s. Nothing to do.\n", l.Name, rt.dbName())
				return nil
			})
		}
	}
	l, err := svc.CreateLeader(rt.ctx, name)
	if err != nil {
		return err
	}
	leaders = append(leaders, *l)
	return rt.output(initView{Database: rt.dbName(), Leader: *l, Created: true, Leaders: leaders}, func() error {
		if len(leaders) == 1 {
			rt.printf("Created %s for %s.\n", rt.dbName(), l.Name)
		} else {
			rt.printf("Added %s to %s, which now has %s (%s).\n", l.Name, rt.dbName(), plural(len(leaders), "leader", "leaders"), leaderNames(leaders))
			rt.printf("Act as %s with --leader %s, or export TRUSTLEDGER_LEADER=%s.\n", l.Name, argQuote(l.Name), argQuote(l.Name))
		}
		cmd := "trustledger "
		if len(leaders) > 1 {
			cmd += "--leader " + argQuote(l.Name) + " "
		}
		rt.printf("\nNext steps:\n")
		rt.printf("  %sperson add Ana --kind direct-report\n", cmd)
		rt.printf("  %slog Ana promise-kept --note \"sent the budget as promised\"\n", cmd)
		rt.printf("  %spromise add Ana \"review her proposal\" --due friday\n", cmd)
		rt.printf("  %sstatus\n", cmd)
		rt.printf("  %sweek\n", cmd)
		return nil
	})
}

func leaderNames(ls []tl.Leader) string {
	n := make([]string, len(ls))
	for i, l := range ls {
		n[i] = l.Name
	}
	return strings.Join(n, ", ")
}

type simulateCmd struct {
	File  string `arg:"" placeholder:"FILE" help:"A scenario file (YAML, MODEL.md §17)."`
	Check bool   `help:"Check the file's expect lines; exit 1 naming each one that fails."`
}

func (simulateCmd) Help() string {
	return "Replays a story week by week through the same engine as the ledger and prints\n" +
		"the state at the end of every week. It needs no database.\n\n" +
		"Example:\n\n    trustledger simulate scenarios/lena.yaml\n" +
		"    trustledger simulate scenarios/holmes.yaml --check\n" +
		"    trustledger simulate scenarios/nadella.yaml --json\n"
}

// Run simulates without opening the database, so trying the simulator
// never leaves an empty trustledger.db behind.
func (c *simulateCmd) Run(rt *runtime) error {
	sc, err := scenario.Load(c.File)
	if err != nil {
		return err
	}
	res, err := scenario.Run(sc)
	if err != nil {
		return err
	}
	if rt.cli.JSON {
		if err := scenario.WriteJSON(rt.stdout, res); err != nil {
			return err
		}
	} else if err := scenario.WriteTable(rt.stdout, res); err != nil {
		return err
	}
	if !c.Check {
		return nil
	}
	fails := res.Check(sc)
	// The table is for people, so failures follow it; JSON stays pure on
	// stdout and the failures go to stderr.
	w := rt.stdout
	if rt.cli.JSON {
		w = rt.stderr
	}
	if len(fails) == 0 {
		if !rt.cli.JSON {
			fmt.Fprintf(w, "check: all %s hold\n", plural(len(sc.Expect), "expectation", "expectations"))
		}
		return nil
	}
	for _, f := range fails {
		fmt.Fprintf(w, "FAIL %s\n", f)
	}
	return tl.Errorf(tl.ECONFLICT, "%s: %d of %s failed", c.File, len(fails), plural(len(sc.Expect), "expectation", "expectations"))
}

type exportCmd struct {
	CSV string `name:"csv" placeholder:"KIND" help:"Write one CSV file for a spreadsheet instead: ledger, promises, decisions or people."`
}

func (exportCmd) Help() string {
	return "Writes every leader's data (or only --leader's) as JSON to standard output.\n" +
		"import reads it back, in one transaction.\n\n" +
		"With --csv, writes your ledger, promises, decisions or people as CSV for a\n" +
		"spreadsheet instead: a header row, times in RFC 3339 UTC, and a cell that\n" +
		"begins like a formula (=, +, -, @) with a ' in front, so it stays text.\n\n" +
		"Example:\n\n    trustledger export --json > backup.json\n    trustledger --db new.db import backup.json\n" +
		"    trustledger export --csv promises > promises.csv\n"
}

func (c *exportCmd) Run(rt *runtime) error {
	// Notices about broken promises must not end up inside the backup.
	rt.cli.JSON = true
	if c.CSV != "" {
		kind, err := csvout.ParseKind(c.CSV)
		if err != nil {
			// On the command line the value is --csv's.
			return &tl.Error{Code: tl.EINVALID, Message: tl.ErrorMessage(err), Field: "csv"}
		}
		svc, leaderID, err := rt.service()
		if err != nil {
			return err
		}
		return csvout.Write(rt.ctx, svc, leaderID, kind, rt.stdout)
	}
	svc, err := rt.open(false)
	if err != nil {
		return err
	}
	leaderID := ""
	if rt.cli.Leader != "" {
		l, err := svc.ResolveLeader(rt.ctx, rt.cli.Leader)
		if err != nil {
			return err
		}
		leaderID = l.ID
	}
	b, err := svc.Export(rt.ctx, leaderID)
	if err != nil {
		return err
	}
	return cli.WriteJSON(rt.stdout, b)
}

type importCmd struct {
	File string `arg:"" placeholder:"FILE" help:"A backup written by trustledger export (- for standard input)."`
}

func (importCmd) Help() string {
	return "Loads a backup in one transaction: if any row is wrong, nothing is written and\n" +
		"the message names the row. Leaders already in the database are not replaced.\n\n" +
		"Example:\n\n    trustledger --db new.db import backup.json\n"
}

// importSummary counts what an import loaded.
type importSummary struct {
	Leaders   int `json:"leaders"`
	Teams     int `json:"teams"`
	People    int `json:"relationships"`
	Events    int `json:"events"`
	Promises  int `json:"commitments"` // the backup's name for promises, kept: scripts read it
	Decisions int `json:"decisions"`
	Steps     int `json:"steps"`
	Journal   int `json:"journal"`
	Settings  int `json:"settings"`
}

func (s importSummary) String() string {
	return strings.Join([]string{
		plural(s.Leaders, "leader", "leaders"), plural(s.Teams, "team", "teams"),
		plural(s.People, "person", "people"), plural(s.Events, "ledger entry", "ledger entries"),
		plural(s.Promises, "promise", "promises"), plural(s.Decisions, "decision", "decisions"),
		plural(s.Steps, "weekly step", "weekly steps"), plural(s.Journal, "journal entry", "journal entries"),
		plural(s.Settings, "setting", "settings"),
	}, ", ")
}

// importBackup decodes a backup and imports it as actor: the path
// `import` and FuzzImport share.
func importBackup(ctx context.Context, svc tl.Service, actor, name string, r io.Reader) (importSummary, error) {
	b, err := cli.DecodeBackup(name, r)
	if err != nil {
		return importSummary{}, err
	}
	if err := svc.Import(ctx, actor, b); err != nil {
		var te *tl.Error
		if errors.As(err, &te) && te.Code != tl.EINTERNAL && te.Message != "" {
			msg := name + ": " + te.Message
			if te.Code == tl.ECONFLICT {
				msg += "; nothing was imported (to restore a backup next to the original, import it into another database: trustledger --db NEW.db import FILE)"
			}
			return importSummary{}, &tl.Error{Code: te.Code, Message: msg, Err: err}
		}
		return importSummary{}, err
	}
	return importSummary{
		Leaders: len(b.Leaders), Teams: len(b.Teams), People: len(b.People), Events: len(b.Events),
		Promises: len(b.Promises), Decisions: len(b.Decisions), Steps: len(b.Steps), Journal: len(b.Journal),
		Settings: len(b.Settings),
	}, nil
}

// actor is who the command acts as where a service asks for an account:
// the token's account over the API, the Operator on the database itself.
func (rt *runtime) actor() string {
	if rt.remote != nil {
		return rt.remote.User().ID
	}
	return tl.Operator
}

func (c *importCmd) Run(rt *runtime) error {
	var r io.Reader
	name := c.File
	if c.File == "-" {
		r, name = os.Stdin, "standard input"
	} else {
		f, err := os.Open(c.File)
		if err != nil {
			if os.IsNotExist(err) {
				return tl.Errorf(tl.ENOTFOUND, "%s: no such file", c.File)
			}
			return tl.Errorf(tl.EINVALID, "%s: cannot read: %w", c.File, err)
		}
		defer f.Close()
		r = f
	}
	svc, err := rt.open(true)
	if err != nil {
		return err
	}
	sum, err := importBackup(rt.ctx, svc, rt.actor(), name, r)
	if err != nil {
		return err
	}
	return rt.output(sum, func() error {
		rt.printf("Imported %s into %s.\n", sum, rt.dbName())
		return nil
	})
}
