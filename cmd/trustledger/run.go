package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/alecthomas/kong"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/api/remote"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/store"
)

// Exit codes: 2 when the user has to change what they typed (a usage
// mistake or an EINVALID error), 75 (EX_TEMPFAIL of sysexits.h) when the
// database is unavailable (down, full, read-only: EUNAVAILABLE) and the
// same command may work later, 1 for everything else.
const (
	exitOK          = 0
	exitError       = 1
	exitUsage       = 2
	exitUnavailable = 75
)

// opCLI marks internal errors whose Message the CLI wrote itself and may
// show: it names what failed without exposing the cause.
const opCLI = "cli"

// exitRequest carries kong's request to stop (after --help) out of the
// parser without calling os.Exit, so tests can run the CLI in-process.
type exitRequest struct{ code int }

// grammar is the whole command line. The global flags are the Config's
// (config.go); kong accepts them before or after the command.
type grammar struct {
	cliConfig
	Version versionFlag `name:"version" help:"Print the version, the commit and its date, and exit."`

	Init      initCmd      `cmd:"" help:"Create the database and your leader (or add another leader)."`
	Person    personCmd    `cmd:"" help:"Add, list and change the people you lead."`
	Team      teamCmd      `cmd:"" help:"Add and list teams."`
	Log       logCmd       `cmd:"" help:"Log something that built or eroded trust."`
	Reverse   reverseCmd   `cmd:"" help:"Cancel a ledger entry with a reversing entry."`
	Ledger    ledgerCmd    `cmd:"" help:"Show the ledger, newest first."`
	Promise   promiseCmd   `cmd:"" help:"Make promises and record how they ended."`
	Decide    decideCmd    `cmd:"" help:"Record a decision, with its why."`
	Decisions decisionsCmd `cmd:"" help:"List your decisions."`
	Pulse     pulseCmd     `cmd:"" help:"Anonymous team pulses: launch, results, reminders."`
	Checkin   checkinCmd   `cmd:"" help:"Named check-ins: ask one person how you affect their confidence."`
	Status    statusCmd    `cmd:"" help:"Every relationship: power, trust, influence, quadrant, warnings."`
	Explain   explainCmd   `cmd:"" help:"Why one relationship stands where it does."`
	Week      weekCmd      `cmd:"" help:"This week's one step, and accepting or closing it."`
	Journal   journalCmd   `cmd:"" help:"The article's three questions for reflection, and your answers."`
	Settings  settingsCmd  `cmd:"" help:"Show or change the model's settings."`
	Simulate  simulateCmd  `cmd:"" help:"Replay a scenario file week by week."`
	Export    exportCmd    `cmd:"" help:"Write a JSON backup to standard output."`
	Import    importCmd    `cmd:"" help:"Load a JSON backup, in one transaction."`
	Program   programCmd   `cmd:"" help:"Coaching programs: leaders, coaches and consent."`
	Roster    rosterCmd    `cmd:"" help:"Invite many people at once from a CSV roster."`
	Webhook   webhookCmd   `cmd:"" help:"Send promise, step and pulse events to a URL (Slack-compatible, signed)."`
	Token     tokenCmd     `cmd:"" help:"Make, list and revoke API tokens."`
	Backup    backupCmd    `cmd:"" help:"Copy the whole database to one file, online and consistent."`
	Restore   restoreCmd   `cmd:"" help:"Load a backup file into an empty database."`
	Serve     serveCmd     `cmd:"" help:"Run the web app (--demo: with Lena's team, on a temporary database)."`

	Healthcheck healthcheckCmd `cmd:"" help:"Ask a running server's /healthz: exit 0 when it answers, 1 otherwise (for containers)."`

	Completion completionCmd `cmd:"" help:"Print a shell completion script (bash, zsh or fish)."`
}

const description = `trustledger keeps the trust account of every relationship you lead: the
behaviour that earns or spends trust, the power you hold, and one step a week
where authority outruns trust.`

// run is the whole program, with its surroundings passed in so tests can
// run it in-process: it parses args, runs one command and returns the exit
// code. Every error ends as exactly one line on stderr (JSON under --json).
func run(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) string) (code int) {
	rt := &runtime{ctx: ctx, stdout: stdout, stderr: stderr, env: env, jsonErrors: wantsJSON(args)}
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(exitRequest); ok {
				code = e.code
			} else {
				code = rt.fail(fmt.Errorf("unexpected failure: %v", r))
			}
		}
		if err := rt.close(); err != nil && code == exitOK {
			code = rt.fail(err)
		}
	}()

	parser, err := newParser(&rt.cli, env,
		kong.Writers(stdout, stderr),
		kong.Exit(func(c int) { panic(exitRequest{c}) }),
	)
	if err != nil {
		return rt.fail(err)
	}
	if len(args) == 0 {
		args = []string{"--help"}
	}
	kctx, err := rt.cli.configure(parser, args, env)
	if err != nil {
		return rt.usage(err)
	}
	if err := rt.setup(); err != nil {
		return rt.fail(err)
	}
	// Subcommands that share a type learn which one ran from these.
	path := ""
	if n := kctx.Selected(); n != nil {
		path = n.FullPath()
	}
	outcome, _ := bindOutcome(path)
	step := tl.StepDone
	if strings.HasSuffix(path, " skip") {
		step = tl.StepSkipped
	}
	if err := kctx.Run(rt, outcome, step); err != nil {
		return rt.fail(err)
	}
	return exitOK
}

// usage reports a parse error from kong as one line with a pointer to the
// right --help.
func (rt *runtime) usage(err error) int {
	var te *tl.Error
	if errors.As(err, &te) {
		return rt.fail(te)
	}
	where := "trustledger"
	var pe *kong.ParseError
	if errors.As(err, &pe) && pe.Context != nil {
		if n := pe.Context.Selected(); n != nil {
			where = n.FullPath()
		}
	}
	if rt.jsonErrors {
		rt.writeJSONError(tl.EINVALID, oneLine(err.Error()), "")
		return exitUsage
	}
	fmt.Fprintf(rt.stderr, "trustledger: %s (see: %s --help)\n", oneLine(err.Error()), where)
	return exitUsage
}

// wantsJSON reports whether --json is among args (before a "--"), read
// before kong parses them so that a mistake on the command line is
// reported as JSON too.
func wantsJSON(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "--json", "--json=true":
			return true
		}
	}
	return false
}

// writeJSONError writes an error as one line of JSON on stderr, shaped as
// the API's error envelope (docs/API.md) with the field the error names.
func (rt *runtime) writeJSONError(code, msg, field string) {
	type body struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	}
	b, err := json.Marshal(struct {
		Error body `json:"error"`
	}{body{code, msg, field}})
	if err != nil {
		fmt.Fprintf(rt.stderr, "trustledger: %s\n", msg)
		return
	}
	fmt.Fprintf(rt.stderr, "%s\n", b)
}

// fail prints err as one line and returns the exit code for it. Internal
// errors show a generic sentence; TRUSTLEDGER_DEBUG=1 adds the cause.
func (rt *runtime) fail(err error) int {
	code := tl.ErrorCode(err)
	msg := tl.ErrorMessage(err)
	if code == tl.EINTERNAL {
		cause := err
		var te *tl.Error
		if errors.As(err, &te) {
			if te.Op == opCLI && te.Message != "" {
				// The CLI's own sentence about an internal failure.
				msg = te.Message
			}
			if te.Err != nil {
				cause = te.Err
			}
		}
		if rt.cli.Debug {
			msg += ": " + cause.Error()
		} else {
			msg += " (set TRUSTLEDGER_DEBUG=1 to see the cause)"
		}
	}
	if rt.jsonErrors {
		rt.writeJSONError(code, oneLine(msg), tl.ErrorField(err))
	} else {
		fmt.Fprintf(rt.stderr, "trustledger: %s\n", oneLine(msg))
	}
	switch code {
	case tl.EINVALID:
		return exitUsage
	case tl.EUNAVAILABLE:
		return exitUnavailable
	}
	return exitError
}

// oneLine folds a message onto one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// runtime is what every command's Run receives: the command line with
// its Config, the output streams, the clock and, once a command asks for
// it, the open database and the service over it.
type runtime struct {
	ctx            context.Context
	stdout, stderr io.Writer
	// env is the environment run was given, for the few variables that
	// are no setting (TMPDIR for the demo's folder).
	env func(string) string
	cli grammar
	// jsonErrors is whether --json was given: errors are then JSON on
	// stderr. It is read from the arguments, not from cli.JSON, which
	// export sets for its own reasons and a parse error may leave unset.
	jsonErrors bool

	now func() time.Time
	// zone is the zone of whoever runs the command (--tz, $TZ or the
	// system's): dates typed are read in it and times are shown in it,
	// and the services use it for a leader who has no zone of their own.
	zone *time.Location
	db   *store.DB
	// remote is the service over the API in remote mode (--server).
	remote *remote.Service
	// httpClient talks to --server; nil is a default client (tests set it).
	httpClient *http.Client
	// svc is every service the commands call, over the database or the
	// API; app is the same services over the database, for the wiring
	// that only serve needs (mail rendering, the mixer).
	svc    tl.Services
	app    *app.App
	leader *tl.Leader
}

// setup starts the clock and sets the zone the Config asks for.
func (rt *runtime) setup() (err error) {
	if rt.now, err = rt.cli.config().clock(); err != nil {
		return err
	}
	if rt.zone, err = rt.cli.config().zone(); err != nil {
		return err
	}
	rt.ctx = tl.WithZone(rt.ctx, rt.zone)
	return nil
}

// isPostgres reports whether the --db value is a PostgreSQL URL.
func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// sqlitePath is the file a SQLite --db value names.
func sqlitePath(dsn string) string {
	p := strings.TrimPrefix(dsn, "file:")
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return p
}

// dbName is the database as shown to the user: a URL without its password.
func (rt *runtime) dbName() string {
	if rt.remote != nil {
		return rt.remote.Server()
	}
	if isPostgres(rt.cli.DB) {
		if u, err := url.Parse(rt.cli.DB); err == nil {
			return u.Redacted()
		}
		return "the PostgreSQL database"
	}
	return rt.cli.DB
}

// open opens the database (creating a SQLite file only when create is
// set, so a typo in --db does not leave empty databases around), makes
// the service, and runs Tick, printing each promise the system just
// marked broken.
func (rt *runtime) open(create bool) (tl.Services, error) {
	if rt.svc != nil {
		return rt.svc, nil
	}
	if rt.cli.Server != "" {
		r, err := remote.New(rt.ctx, rt.cli.Server, rt.cli.APIToken, rt.httpClient)
		if err != nil {
			return nil, err
		}
		rt.remote, rt.svc = r, r
		return r, nil
	}
	dsn := rt.cli.DB
	if !create && !isPostgres(dsn) {
		if _, err := os.Stat(sqlitePath(dsn)); errors.Is(err, os.ErrNotExist) {
			return nil, tl.Errorf(tl.ENOTFOUND, "no database at %s: create one with: trustledger init --leader NAME (or point --db at yours)", dsn)
		}
	}
	lanes, err := rt.cli.Serve.writeLanes()
	if err != nil {
		return nil, err
	}
	db, err := store.OpenWith(rt.ctx, dsn, store.Options{WriteLanes: lanes, Upgrading: func(from, to int64) {
		// Said before the first migration runs: a migration cannot be
		// undone, and the way back is a backup (docs/OPERATIONS.md,
		// "Upgrading").
		fmt.Fprintf(rt.stderr, "Upgrading the database %s from schema %d to %d: this cannot be undone. "+
			"Keep a backup made before the upgrade (trustledger backup FILE, run by the version you had) until this version has run well.\n",
			rt.dbName(), from, to)
	}})
	if err != nil {
		if tl.ErrorCode(err) == tl.EUNAVAILABLE && isPostgres(dsn) {
			return nil, &tl.Error{Code: tl.EUNAVAILABLE, Op: opCLI, Err: err,
				Message: fmt.Sprintf("cannot reach the database server at %s: check that it is running and that the URL is right, then try again", rt.dbName())}
		}
		if tl.ErrorCode(err) == tl.EINTERNAL {
			msg := fmt.Sprintf("cannot open the database %s: it is not a trustledger database, or it is damaged", rt.dbName())
			if isPostgres(dsn) {
				msg = fmt.Sprintf("cannot use the PostgreSQL database %s: check that the server is running and the URL, user and password are right", rt.dbName())
			}
			return nil, &tl.Error{Code: tl.EINTERNAL, Op: opCLI, Message: msg, Err: err}
		}
		return nil, err
	}
	rt.db = db
	rt.app = app.New(db, app.Options{Now: rt.now, Logger: slog.New(slog.DiscardHandler)})
	rt.svc = rt.app
	broken, err := rt.svc.Tick(rt.ctx)
	if err != nil {
		return nil, err
	}
	w := rt.stdout
	if rt.cli.JSON {
		w = rt.stderr
	}
	for _, c := range broken {
		fmt.Fprintf(w, "Broken by the system: your promise to %s, %q, was due %s and is now past its grace period (promise %s).\n",
			c.To, c.What, rt.day(c.Due), c.ID)
	}
	return rt.svc, nil
}

// service opens the existing database and resolves the leader the
// command acts for.
func (rt *runtime) service() (tl.Services, string, error) {
	svc, err := rt.open(false)
	if err != nil {
		return nil, "", err
	}
	if rt.leader == nil {
		l, err := svc.ResolveLeader(rt.ctx, rt.cli.Leader)
		if err != nil {
			return nil, "", err
		}
		rt.leader = l
	}
	return svc, rt.leader.ID, nil
}

func (rt *runtime) close() error {
	if rt.db == nil {
		return nil
	}
	err := rt.db.Close()
	rt.db, rt.svc, rt.app = nil, nil, nil
	if err != nil {
		return &tl.Error{Code: tl.EINTERNAL, Op: "close", Err: err}
	}
	return nil
}

// clock is the current time as the service sees it.
func (rt *runtime) clock() time.Time { return rt.now().UTC() }

// printf writes to standard output.
func (rt *runtime) printf(format string, args ...any) {
	fmt.Fprintf(rt.stdout, format, args...)
}

// local refuses a command that needs the database itself in remote mode.
func (rt *runtime) local(why string) error {
	if rt.cli.Server == "" {
		return nil
	}
	return tl.Errorf(tl.EINVALID, "%s (leave out --server and TRUSTLEDGER_SERVER)", why)
}
