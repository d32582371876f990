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
// in a temporary folder, seeded with Lena's team from the article.
type serveCmd struct {
	Addr      string `name:"addr" placeholder:"HOST:PORT" help:"Address to listen on (default 127.0.0.1:8080, or $$TRUSTLEDGER_ADDR)."`
	Demo      bool   `name:"demo" help:"Start on a new database with the demo organisation built from Lena's scenario; prints the demo login."`
	Scenarios string `name:"scenarios" default:"scenarios" placeholder:"DIR" help:"Folder of scenario files offered by the simulator page."`
	Secure    bool   `name:"secure-cookies" help:"Mark cookies Secure even over plain http (behind a TLS proxy)."`
	SMTP      string `name:"smtp" placeholder:"URL" help:"Mail server for pulse and check-in invitations, smtp://user:pass@host:587?from=addr (or $$TRUSTLEDGER_SMTP)."`
	BaseURL   string `name:"base-url" placeholder:"URL" help:"The address people open links at, for links in mail (default http://ADDR, or $$TRUSTLEDGER_BASE_URL)."`

	OIDCIssuer       string `name:"oidc-issuer" placeholder:"URL" help:"Also sign in with OpenID Connect: the provider's issuer URL (or $$TRUSTLEDGER_OIDC_ISSUER). Register <base-url>/login/oidc/callback there."`
	OIDCClientID     string `name:"oidc-client-id" placeholder:"ID" help:"The client id trustledger has at the provider (or $$TRUSTLEDGER_OIDC_CLIENT_ID)."`
	OIDCClientSecret string `name:"oidc-client-secret" placeholder:"SECRET" help:"The client's secret; better in $$TRUSTLEDGER_OIDC_CLIENT_SECRET, which the process list does not show."`
	OIDCName         string `name:"oidc-name" placeholder:"NAME" help:"The provider's name on the sign-in button (default the issuer's host, or $$TRUSTLEDGER_OIDC_NAME)."`

	// MetricsAddr is the operator's metrics listener. On --addr, /metrics
	// answers only owners and admins; here it answers anyone who can reach
	// the address, so bind it to localhost or the monitoring network.
	MetricsAddr string `name:"metrics-addr" placeholder:"HOST:PORT" help:"Also serve /metrics, without signing in, on this address for Prometheus: bind it to localhost or an internal network (or $$TRUSTLEDGER_METRICS_ADDR; off by default)."`

	// Test knobs: how often the background jobs run.
	TickEvery time.Duration `name:"tick-every" hidden:"" default:"1m" help:"How often overdue promises and due pulses are handled."`
	MailPoll  time.Duration `name:"mail-poll" hidden:"" default:"5s" help:"How often the mail worker looks for due mail."`
	MailLease time.Duration `name:"mail-lease" hidden:"" default:"2m" help:"How long a claimed message is held before another instance may take it."`
}

// Help shows an example.
func (c *serveCmd) Help() string {
	return `Example:
  trustledger serve --demo                 # http://127.0.0.1:8080, demo login printed
  trustledger serve --db ./team.db --addr 127.0.0.1:9000
The first visit to a new installation creates the owner account.`
}

// demoScenario reads lena.yaml from the scenarios folder when it is there
// (so edits show up), and otherwise the copy built into the binary.
func demoScenario(dir string) (*scenario.Scenario, error) {
	path := filepath.Join(dir, "lena.yaml")
	if _, err := os.Stat(path); err == nil {
		return scenario.Load(path)
	}
	data, err := scenarios.Files.ReadFile("lena.yaml")
	if err != nil {
		return nil, &tl.Error{Code: tl.EINTERNAL, Op: opCLI, Message: "the built-in demo scenario is missing", Err: err}
	}
	return scenario.Parse("lena.yaml", data)
}

func (c *serveCmd) Run(rt *runtime) error {
	if err := rt.local("serve runs a server itself: give it --db, not --server"); err != nil {
		return err
	}
	addr := c.Addr
	if addr == "" {
		addr = rt.getenv("TRUSTLEDGER_ADDR")
	}
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	if c.Demo {
		dir, err := os.MkdirTemp("", "trustledger-demo-")
		if err != nil {
			return &tl.Error{Code: tl.EINTERNAL, Op: opCLI, Message: "cannot create a folder for the demo database", Err: err}
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
	oidcCfg, err := c.oidcConfig(rt, addr)
	if err != nil {
		return err
	}
	apiBase := c.BaseURL
	if apiBase == "" {
		apiBase = rt.getenv("TRUSTLEDGER_BASE_URL")
	}
	srv, err := web.New(web.Config{
		Service: rt.svc, Logger: logger, Now: rt.now, Metrics: metrics,
		API:    api.New(api.Config{Service: rt.svc, Logger: logger, BaseURL: apiBase}),
		Writes: func() int64 { return db.WriteStats().Writes },
		Ready: func(ctx context.Context) error {
			return db.Read(ctx, func(tx *store.Tx) error { _, err := tx.MailDepth(ctx); return err })
		},
		ScenarioDir: c.Scenarios, Demo: c.Demo, SecureCookies: c.Secure, OIDC: oidcCfg,
	})
	if err != nil {
		return err
	}
	checkOIDC(ctx, srv, oidcCfg, logger)
	smtpURL := c.SMTP
	if smtpURL == "" {
		smtpURL = rt.getenv("TRUSTLEDGER_SMTP")
	}
	var sender mail.Sender
	if smtpURL != "" {
		cfg, err := mail.ParseURL(smtpURL)
		if err != nil {
			return err
		}
		sender = mail.NewSMTP(cfg)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return tl.Errorf(tl.EINVALID, "cannot listen on %s: %v (choose another with --addr)", addr, err)
	}
	base := c.BaseURL
	if base == "" {
		base = rt.getenv("TRUSTLEDGER_BASE_URL")
	}
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	hs := srv.HTTPServer(addr)
	metricsAddr := c.MetricsAddr
	if metricsAddr == "" {
		metricsAddr = rt.getenv("TRUSTLEDGER_METRICS_ADDR")
	}
	var mln net.Listener
	var mhs *http.Server
	if metricsAddr != "" {
		if mln, err = net.Listen("tcp", metricsAddr); err != nil {
			ln.Close()
			return tl.Errorf(tl.EINVALID, "cannot listen on %s for metrics: %v (choose another with --metrics-addr)", metricsAddr, err)
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

	hooks := &webhook.Worker{DB: rt.db, Log: logger, Poll: c.MailPoll, Lease: c.MailLease,
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
					logger.Error("tick", "err", err)
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
	return err
}
