package main

import (
	"net"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/kong"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/mail"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/web"
)

// Config is every setting trustledger reads, each declared once, on its
// field: the flag (name), the environment variable (env), the default
// (default; or unset, what leaving it out means when that is not one
// value), the help, and in Validate what a valid value is.
//
// Kong reads these tags for the command line and its help, but not the
// variables' values: applyEnv and readEnvOnly take them from the
// environment run was given, so nothing else reads the environment and
// tests hold their own. A value on the command line wins over the
// variable, and an empty one counts as left out, as it always has. The
// configuration table in README.md is checked against these fields
// (TestReadmeConfiguration).
type Config struct {
	DB       string `name:"db" env:"TRUSTLEDGER_DB" default:"./trustledger.db" placeholder:"PATH|URL" help:"SQLite file or postgres:// URL (default ${default}, or $$${env})."`
	Leader   string `name:"leader" env:"TRUSTLEDGER_LEADER" unset:"the only leader" placeholder:"NAME" help:"Which leader you are, when the database holds several (or $$${env})."`
	JSON     bool   `name:"json" help:"Print indented JSON with stable field names, for scripts."`
	Now      string `name:"now" env:"TRUSTLEDGER_NOW" hidden:"" help:"Pretend it is this moment (RFC 3339 or YYYY-MM-DD), for tests."`
	Server   string `name:"server" env:"TRUSTLEDGER_SERVER" unset:"none (a database)" placeholder:"URL" help:"Work against a running trustledger server through its API instead of a database (or $$${env})."`
	APIToken string `name:"token" env:"TRUSTLEDGER_TOKEN" placeholder:"TOKEN" help:"The API token for --server (better: $$${env}, which stays out of your shell history)."`
	TZ       string `name:"tz" env:"TZ" unset:"the system's zone" placeholder:"ZONE" help:"Your time zone, an IANA name such as Europe/Berlin: dates you type and dates shown are in it (default $$${env}, or the system's)."`

	// Debug and User have no flag. Debug is read before the command line,
	// so that an internal failure while parsing it is explained too.
	Debug bool   `kong:"-" env:"TRUSTLEDGER_DEBUG" help:"Add the cause to the message of an internal error."`
	User  string `kong:"-" env:"USER" default:"me" help:"The name init gives the first leader when --leader names none."`

	// Serve is serve's part. Kong parses it into the serve command, which
	// embeds a ServeConfig, and configure copies it here.
	Serve ServeConfig `kong:"-"`
}

// cliConfig is Config without its methods: what grammar embeds. Kong calls
// any Validate it finds in the grammar while it parses, before applyEnv
// has read the environment; configure calls Config's once, after.
type cliConfig Config

// config is the Config that g holds.
func (g *grammar) config() *Config { return (*Config)(&g.cliConfig) }

// ServeConfig is what serve alone reads: flags of the serve command.
type ServeConfig struct {
	Addr      string `name:"addr" env:"TRUSTLEDGER_ADDR" default:"127.0.0.1:8080" placeholder:"HOST:PORT" help:"Address to listen on (default ${default}, or $$${env})."`
	Demo      bool   `name:"demo" help:"Start on a new database with the demo organisation built from Lena's scenario; prints the demo login."`
	Scenarios string `name:"scenarios" default:"scenarios" placeholder:"DIR" help:"Folder of scenario files offered by the simulator page."`
	Secure    bool   `name:"secure-cookies" help:"Mark cookies Secure even over plain http (behind a TLS proxy)."`
	SMTP      string `name:"smtp" env:"TRUSTLEDGER_SMTP" unset:"none (mail waits)" placeholder:"URL" help:"Mail server for pulse and check-in invitations, smtp://user:pass@host:587?from=addr (or $$${env})."`
	BaseURL   string `name:"base-url" env:"TRUSTLEDGER_BASE_URL" unset:"http://ADDR" placeholder:"URL" help:"The address people open links at, for links in mail (default http://ADDR, or $$${env})."`

	OIDCIssuer       string `name:"oidc-issuer" env:"TRUSTLEDGER_OIDC_ISSUER" unset:"none (passwords only)" placeholder:"URL" help:"Also sign in with OpenID Connect: the provider's issuer URL (or $$${env}). Register <base-url>/login/oidc/callback there."`
	OIDCClientID     string `name:"oidc-client-id" env:"TRUSTLEDGER_OIDC_CLIENT_ID" placeholder:"ID" help:"The client id trustledger has at the provider (or $$${env})."`
	OIDCClientSecret string `name:"oidc-client-secret" env:"TRUSTLEDGER_OIDC_CLIENT_SECRET" placeholder:"SECRET" help:"The client's secret; better in $$${env}, which the process list does not show."`
	OIDCName         string `name:"oidc-name" env:"TRUSTLEDGER_OIDC_NAME" unset:"the issuer's host" placeholder:"NAME" help:"The provider's name on the sign-in button (default the issuer's host, or $$${env})."`

	// MetricsAddr is the operator's metrics listener. On --addr, /metrics
	// answers only owners and admins; here it answers anyone who can reach
	// the address, so bind it to localhost or the monitoring network.
	MetricsAddr string `name:"metrics-addr" env:"TRUSTLEDGER_METRICS_ADDR" unset:"none (off)" placeholder:"HOST:PORT" help:"Also serve /metrics, without signing in, on this address for Prometheus: bind it to localhost or an internal network (or $$${env}; off by default)."`

	// WebhookAllowPrivate lets webhooks reach the server's own network
	// (loopback, private, link-local, …): refused by default, since a
	// webhook's address is typed by a user (docs/OPERATIONS.md,
	// "Integrations").
	WebhookAllowPrivate bool `name:"webhook-allow-private" env:"TRUSTLEDGER_WEBHOOK_ALLOW_PRIVATE" help:"Let webhooks post to loopback, private, link-local and other internal addresses, refused by default (or $$${env}=true)."`

	// TrustedProxy names the reverse proxies whose X-Forwarded-For and
	// X-Forwarded-Proto are believed; from any other peer they are
	// ignored, since a client can write them (docs/OPERATIONS.md, "Behind a
	// reverse proxy").
	TrustedProxy string `name:"trusted-proxy" env:"TRUSTLEDGER_TRUSTED_PROXY" unset:"none" placeholder:"CIDR,..." help:"Believe X-Forwarded-For and X-Forwarded-Proto from these proxies only: addresses or prefixes, separated by commas, such as 127.0.0.1/32,10.0.0.0/8 (or $$${env}; none by default)."`

	// WriteLanes is the write budget that the instances on one PostgreSQL
	// schema split among themselves (docs/OPERATIONS.md, "Several
	// instances on PostgreSQL"). A string, as the variables are, read by
	// writeLanes.
	WriteLanes string `name:"db-write-lanes" env:"TRUSTLEDGER_DB_WRITE_LANES" unset:"4" placeholder:"N" help:"On PostgreSQL: how many write transactions all instances on the database run at once, together; each instance takes its share (default 4, or $$${env}). Set it alike on every instance."`

	// Test knobs: how often the background jobs run.
	TickEvery time.Duration `name:"tick-every" hidden:"" default:"1m" help:"How often overdue promises and due pulses are handled."`
	MailPoll  time.Duration `name:"mail-poll" hidden:"" default:"5s" help:"How often the mail worker looks for due mail."`
	MailLease time.Duration `name:"mail-lease" hidden:"" default:"2m" help:"How long a claimed message is held before another instance may take it."`
}

// DefaultConfig is the Config of a command line without flags and an
// empty environment: every setting at its declared default.
func DefaultConfig() Config {
	var g struct {
		cliConfig
		ServeConfig
	}
	p, err := kong.New(&g, kong.Exit(func(int) {}))
	if err == nil {
		_, err = p.Parse(nil)
	}
	if err != nil {
		panic("trustledger: the declared defaults do not parse: " + err.Error())
	}
	c := Config(g.cliConfig)
	c.readEnvOnly(func(string) string { return "" })
	c.Serve = g.ServeConfig
	return c
}

// Validate checks every setting once, after the command line and the
// environment are read and before any command runs, so that a mistake is
// reported before a database is opened or created.
func (c *Config) Validate() error {
	if _, err := c.clock(); err != nil {
		return err
	}
	if _, err := c.zone(); err != nil {
		return err
	}
	return c.Serve.validate()
}

// zone is the time zone of whoever runs the command (docs/MODEL.md,
// choice 39): --tz, else $TZ, else the system's own (time.Local). A
// leading colon, which some systems put before a zone's name in $TZ, is
// left out.
func (c *Config) zone() (*time.Location, error) {
	name := strings.TrimPrefix(strings.TrimSpace(c.TZ), ":")
	if name == "" {
		return time.Local, nil
	}
	loc, err := tl.LoadZone(name)
	if err != nil {
		return nil, tl.Errorf(tl.EINVALID, "--tz (or $TZ): %w", err)
	}
	return loc, nil
}

// clock is the time the commands see: the hidden --now (RFC 3339, or a
// date meaning its midnight UTC), or the real time.
func (c *Config) clock() (func() time.Time, error) {
	if c.Now == "" {
		return time.Now, nil
	}
	t, err := parseNow(c.Now)
	if err != nil {
		return nil, err
	}
	return func() time.Time { return t }, nil
}

// parseNow reads the hidden --now: RFC 3339, or a date meaning its midnight UTC.
func parseNow(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, tl.Errorf(tl.EINVALID, "invalid --now %q: use RFC 3339 (2026-11-28T09:00:00Z) or YYYY-MM-DD", s)
}

// validate checks serve's settings. They hold their defaults when another
// command runs, and those are valid.
func (s *ServeConfig) validate() error {
	if _, err := s.oidc(); err != nil {
		return err
	}
	if _, err := s.smtp(); err != nil {
		return err
	}
	if _, err := web.ParseTrustedProxies(s.TrustedProxy); err != nil {
		return err
	}
	if _, err := s.writeLanes(); err != nil {
		return err
	}
	for _, d := range []struct {
		flag  string
		every time.Duration
	}{{"--tick-every", s.TickEvery}, {"--mail-poll", s.MailPoll}, {"--mail-lease", s.MailLease}} {
		if d.every <= 0 {
			return tl.Errorf(tl.EINVALID, "%s must be a positive duration, got %s", d.flag, d.every)
		}
	}
	return nil
}

// writeLanes is --db-write-lanes as a number, 0 when left out (the
// store's default).
func (s *ServeConfig) writeLanes() (int, error) {
	if s.WriteLanes == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s.WriteLanes))
	if err != nil || n < 1 || n > store.MaxWriteLanes {
		return 0, tl.Errorf(tl.EINVALID, "--db-write-lanes (or $TRUSTLEDGER_DB_WRITE_LANES) must be a whole number from 1 to %d, got %q: the instances on one database run that many write transactions at once, %d by default", store.MaxWriteLanes, s.WriteLanes, store.DefaultWriteLanes)
	}
	return n, nil
}

// smtp is the mail server --smtp names, nil when mail is not configured.
func (s *ServeConfig) smtp() (*mail.Config, error) {
	if s.SMTP == "" {
		return nil, nil
	}
	cfg, err := mail.ParseURL(s.SMTP)
	if err != nil {
		return nil, err
	}
	return &cfg, nil
}

// oidc is the OpenID Connect sign-in the settings ask for, nil when they
// name no issuer. The redirect URL is the base URL followed by
// /login/oidc/callback; without --base-url it is built from --addr, which
// must then name a host.
func (s *ServeConfig) oidc() (*web.OIDCConfig, error) {
	cfg := &web.OIDCConfig{
		Issuer: s.OIDCIssuer, ClientID: s.OIDCClientID, ClientSecret: s.OIDCClientSecret, Name: s.OIDCName,
	}
	if cfg.Issuer == "" {
		if cfg.ClientID != "" || cfg.ClientSecret != "" {
			return nil, tl.Errorf(tl.EINVALID, "an OpenID Connect client is configured without --oidc-issuer (or $TRUSTLEDGER_OIDC_ISSUER): give the provider's issuer URL too")
		}
		return nil, nil
	}
	base := s.BaseURL
	if base == "" {
		host, _, err := net.SplitHostPort(s.Addr)
		if ip := net.ParseIP(host); err != nil || host == "" || (ip != nil && ip.IsUnspecified()) {
			return nil, tl.Errorf(tl.EINVALID, "sign-in with OpenID Connect needs --base-url (or $TRUSTLEDGER_BASE_URL), the address people open trustledger at: the provider sends them back to it")
		}
		base = "http://" + s.Addr
	}
	cfg.RedirectURL = web.OIDCRedirectURL(strings.TrimSpace(base))
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// newParser is kong's parser over g. It reads the settings without a flag
// from env first, so that they hold even when the command line does not
// parse.
func newParser(g *grammar, env func(string) string, options ...kong.Option) (*kong.Kong, error) {
	g.config().readEnvOnly(env)
	p, err := kong.New(g, append([]kong.Option{
		kong.Name("trustledger"),
		kong.Description(description),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true, NoExpandSubcommands: true}),
	}, options...)...)
	if err != nil {
		return nil, err
	}
	// Kong would read the variables from the process's own environment
	// while parsing; their names stay on the flags (Flag.Envs) for applyEnv,
	// and in the help, where ${env} has already put them.
	var forget func(n *kong.Node)
	forget = func(n *kong.Node) {
		for _, f := range n.Flags {
			f.Value.Tag.Envs = nil
		}
		for _, child := range n.Children {
			forget(child)
		}
	}
	forget(p.Model.Node)
	return p, nil
}

// configure parses args into g with p (newParser's), completes the
// settings from env (applyEnv) and validates them once.
func (g *grammar) configure(p *kong.Kong, args []string, env func(string) string) (*kong.Context, error) {
	kctx, err := p.Parse(args)
	if err != nil {
		return nil, err
	}
	applyEnv(kctx, env)
	g.cliConfig.Serve = g.Serve.ServeConfig
	if err := g.config().Validate(); err != nil {
		return nil, err
	}
	return kctx, nil
}

// applyEnv gives every setting of the command's flags that has a variable
// and was left out or empty on the command line the variable's value, or
// else its default. Only the command's own flags are read: a variable for
// serve means nothing to another command.
func applyEnv(kctx *kong.Context, env func(string) string) {
	given := map[*kong.Value]bool{}
	for _, p := range kctx.Path {
		if p.Flag != nil && p.Flag.Target.Kind() == reflect.String && p.Flag.Target.String() != "" {
			given[p.Flag.Value] = true
		}
	}
	for _, f := range kctx.Flags() {
		if len(f.Envs) > 0 && f.Target.Kind() == reflect.Bool && !f.Target.Bool() {
			// A switch is on when its variable says yes (1, true, yes,
			// on); anything else leaves it off.
			switch strings.ToLower(lookupEnv(env, f.Envs)) {
			case "1", "true", "yes", "on":
				f.Target.SetBool(true)
			}
			continue
		}
		if len(f.Envs) == 0 || given[f.Value] || f.Target.Kind() != reflect.String {
			continue
		}
		v := lookupEnv(env, f.Envs)
		if v == "" {
			v = f.Default
		}
		f.Target.SetString(v)
	}
}

// readEnvOnly sets the settings that have a variable and no flag: a
// string to the variable's value or else its default, a bool to whether
// the variable holds anything.
func (c *Config) readEnvOnly(env func(string) string) {
	v := reflect.ValueOf(c).Elem()
	for i := range v.NumField() {
		f := v.Type().Field(i)
		name, ok := f.Tag.Lookup("env")
		if !ok || f.Tag.Get("kong") != "-" {
			continue
		}
		val := lookupEnv(env, []string{name})
		switch f.Type.Kind() {
		case reflect.Bool:
			v.Field(i).SetBool(val != "")
		case reflect.String:
			if val == "" {
				val = f.Tag.Get("default")
			}
			v.Field(i).SetString(val)
		default:
			panic("trustledger: setting " + f.Name + " without a flag must be a string or a bool")
		}
	}
}

// lookupEnv is the first of the variables that holds something, without
// surrounding space; a variable that holds only space is left out.
func lookupEnv(env func(string) string, names []string) string {
	if env == nil {
		return ""
	}
	for _, name := range names {
		if v := strings.TrimSpace(env(name)); v != "" {
			return v
		}
	}
	return ""
}
