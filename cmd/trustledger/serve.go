package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/api"
	"github.com/trustledger/trustledger/internal/demo"
	"github.com/trustledger/trustledger/internal/mail"
	"github.com/trustledger/trustledger/internal/scenario"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/web"
	"github.com/trustledger/trustledger/internal/webhook"
	"github.com/trustledger/trustledger/scenarios"
)

// serveCmd runs the web app. With --demo it starts on a fresh SQLite file
// in a temporary folder (demoDir), seeded with Lena's team from the article
// (scenarios/lena-team.yaml).
type serveCmd struct {
	ServeConfig
}

// Help shows an example.
func (c *serveCmd) Help() string {
	return `Example:
  trustledger serve --demo                 # http://127.0.0.1:8080, demo login printed
  trustledger serve --db ./team.db --addr 127.0.0.1:9000
The first visit to a new installation creates the owner account.`
}

// demoScenario reads the demo team's story (demo.File) from the scenarios
// folder when it is there (so edits show up), and otherwise the copy built
// into the binary.
func demoScenario(dir string) (*scenario.Scenario, error) {
	path := filepath.Join(dir, demo.File)
	if _, err := os.Stat(path); err == nil {
		return scenario.Load(path)
	}
	data, err := scenarios.Files.ReadFile(demo.File)
	if err != nil {
		return nil, &tl.Error{Code: tl.EINTERNAL, Op: opCLI, Message: "the built-in demo scenario is missing", Err: err}
	}
	return scenario.Parse(demo.File, data)
}

func (c *serveCmd) Run(rt *runtime) error {
	if err := rt.local("serve runs a server itself: give it --db, not --server"); err != nil {
		return err
	}
	addr := c.Addr
	if c.Demo {
		dir, err := demoDir(rt.env, rt.cli.DB)
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		rt.cli.DB = filepath.Join(dir, "demo.db")
	}
	// The demo's team confirmed their addresses weeks ago: while the demo
	// is built, its services' clock can be set back (demo.Options.Travel).
	var travel atomic.Int64 // unix nanoseconds to pretend it is; 0: the present
	if c.Demo {
		present := rt.now
		rt.now = func() time.Time {
			if at := travel.Load(); at != 0 {
				return time.Unix(0, at).UTC()
			}
			return present()
		}
	}
	if _, err := rt.open(true); err != nil {
		return err
	}
	a := rt.app
	hookPolicy := webhook.Policy{AllowPrivate: c.WebhookAllowPrivate}
	a.SetWebhookPolicy(hookPolicy)
	logger := slog.New(slog.NewJSONHandler(rt.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	ctx, stop := signal.NotifyContext(rt.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	var email, password string
	if c.Demo {
		sc, err := demoScenario(c.Scenarios)
		if err != nil {
			return err
		}
		email, password, err = demo.SeedScenario(ctx, rt.svc, sc, rt.clock(), demo.Options{
			Mailbox: func(ctx context.Context) ([]mail.Letter, error) {
				return mail.DeliverInProcess(ctx, rt.db, a.MailRenderer(""), rt.now)
			},
			Travel: func(at time.Time) {
				if at.IsZero() {
					travel.Store(0)
				} else {
					travel.Store(at.UnixNano())
				}
			},
		})
		if err != nil {
			return fmt.Errorf("building the demo: %w", err)
		}
	}
	db := rt.db
	metrics := web.NewMetrics(func(ctx context.Context) (n int, err error) {
		err = db.Read(ctx, func(tx *store.Tx) error {
			n, err = tx.MailDepth(ctx)
			return err
		})
		return n, err
	})
	metrics.WriteLanes(func() (int, int) {
		st := db.LaneStats()
		return st.Lanes, st.Instances
	})
	oidcCfg, err := c.oidc()
	if err != nil {
		return err
	}
	proxies, err := web.ParseTrustedProxies(c.TrustedProxy)
	if err != nil {
		return err
	}
	srv, err := web.New(web.Config{
		Service: rt.svc, Logger: logger, Now: rt.now, Metrics: metrics,
		API:         api.New(api.Config{Service: rt.svc, Logger: logger, BaseURL: c.BaseURL}),
		Writes:      func() int64 { return db.WriteStats().Writes },
		Ready:       db.Ready, // a read, and a write it can take (docs/OPERATIONS.md)
		ScenarioDir: c.Scenarios, Demo: c.Demo, SecureCookies: c.Secure, OIDC: oidcCfg,
		TrustedProxies: proxies,
	})
	if err != nil {
		return err
	}
	checkOIDC(ctx, srv, oidcCfg, logger)
	smtpCfg, err := c.smtp()
	if err != nil {
		return err
	}
	var sender mail.Sender
	if smtpCfg != nil {
		sender = mail.NewSMTP(*smtpCfg)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return tl.Errorf(tl.EINVALID, "cannot listen on %s: %w (choose another with --addr)", addr, err)
	}
	base := c.BaseURL
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	hs := srv.HTTPServer(addr)
	metricsAddr := c.MetricsAddr
	var mln net.Listener
	var mhs *http.Server
	if metricsAddr != "" {
		if mln, err = net.Listen("tcp", metricsAddr); err != nil {
			ln.Close()
			return tl.Errorf(tl.EINVALID, "cannot listen on %s for metrics: %w (choose another with --metrics-addr)", metricsAddr, err)
		}
		mhs = metrics.HTTPServer(metricsAddr, logger)
	}

	rt.printf("trustledger is ready on http://%s (database %s)\n", ln.Addr(), rt.dbName())
	if mln != nil {
		rt.printf("Metrics for Prometheus, without signing in, on http://%s/metrics\n", mln.Addr())
	}
	if c.Demo {
		rt.printf("Demo login: %s  password: %s\n", email, password)
		rt.printf("Coach login (sees Lena's program): %s  same password\n", demo.CoachEmail)
		rt.printf("The demo database is temporary and is removed when the server stops.\n")
	} else if has, _ := rt.svc.HasUsers(ctx); !has {
		rt.printf("Open the page to create the first account (the owner).\n")
	}

	mailDone := make(chan struct{})
	if sender != nil {
		w := &mail.Worker{DB: rt.db, Sender: sender, Renderer: a.MailRenderer(base), Log: logger, Poll: c.MailPoll, Lease: c.MailLease,
			Observe: metrics.Mail}
		go func() { defer close(mailDone); w.Run(ctx) }()
	} else {
		close(mailDone)
		logger.Info("mail is not configured: invitations, address confirmations and pulse links wait in the outbox until the server starts with --smtp")
	}

	hooks := &webhook.Worker{DB: rt.db, Policy: hookPolicy, Log: logger, Poll: c.MailPoll, Lease: c.MailLease,
		Observe: func(outcome string) { metrics.Job("webhook", outcome) }}
	go hooks.Run(ctx)
	// Answers and reactions are shuffled into place soon after they arrive,
	// and the write-ahead log emptied, so a copy of the database holds no
	// order and no pairs (docs/ANONYMITY.md, rule 7).
	mixDone := make(chan struct{})
	go func() { defer close(mixDone); a.RunMixer(ctx) }()

	go func() {
		t := time.NewTicker(c.TickEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if _, err := rt.svc.Tick(ctx); err != nil && ctx.Err() == nil {
					// A database away for now is a warning: the next tick
					// does the work (docs/OPERATIONS.md).
					level := slog.LevelError
					if tl.ErrorCode(err) == tl.EUNAVAILABLE {
						level = slog.LevelWarn
					}
					logger.Log(ctx, level, "tick", "err", err)
					metrics.Job("tick", "error")
				} else {
					metrics.Job("tick", "ok")
				}
			}
		}
	}()

	errc := make(chan error, 2)
	go func() { errc <- hs.Serve(ln) }()
	if mhs != nil {
		go func() { errc <- mhs.Serve(mln) }()
	}
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return &tl.Error{Code: tl.EINTERNAL, Op: opCLI, Message: "the web server stopped", Err: err}
		}
		return nil
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rt.printf("Stopping…\n")
	err = hs.Shutdown(shutdownCtx)
	if mhs != nil {
		mhs.Shutdown(shutdownCtx)
	}
	// The mail worker finishes the message it is sending before the
	// database closes; stopping between the send and its record would
	// send it again after the restart.
	select {
	case <-mailDone:
	case <-shutdownCtx.Done():
	}
	select {
	case <-mixDone:
	case <-shutdownCtx.Done():
	}
	// The answers kept for idempotency keys are stored before the
	// database closes (a retry would otherwise be told to look first).
	answered := make(chan struct{})
	go func() { a.StoreAnswers(); close(answered) }()
	select {
	case <-answered:
	case <-shutdownCtx.Done():
	}
	return err
}
