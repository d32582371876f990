package main

import (
	"bufio"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"
	"github.com/google/go-cmp/cmp"

	tl "github.com/trustledger/trustledger"
)

// configure reads args and env as run does, without running the command.
func configure(t *testing.T, args []string, env map[string]string) (*grammar, error) {
	t.Helper()
	var g grammar
	getenv := func(name string) string { return env[name] }
	p, err := newParser(&g, getenv, kong.Exit(func(code int) { t.Fatalf("kong exits with %d", code) }))
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.configure(p, args, getenv)
	return &g, err
}

func TestDefaultConfig(t *testing.T) {
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatalf("the defaults do not validate: %v", err)
	}
	want := Config{DB: "./trustledger.db", User: "me", Serve: ServeConfig{
		Addr: "127.0.0.1:8080", Scenarios: "scenarios",
		TickEvery: time.Minute, MailPoll: 5 * time.Second, MailLease: 2 * time.Minute,
	}}
	if d := cmp.Diff(want, c); d != "" {
		t.Fatalf("DefaultConfig (-want +got):\n%s", d)
	}
	// A command line without flags and an empty environment gives the same.
	g, err := configure(t, []string{"serve"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, *g.config()); d != "" {
		t.Fatalf("serve without flags (-want +got):\n%s", d)
	}
}

// TestConfigSources checks where each value comes from: the command line,
// else the environment (trimmed), else the default; an empty flag or a
// blank variable counts as left out; serve's variables only for serve.
func TestConfigSources(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want func(c *Config) any
		is   any
	}{
		{"default", []string{"status"}, nil, func(c *Config) any { return c.DB }, "./trustledger.db"},
		{"environment", []string{"status"}, map[string]string{"TRUSTLEDGER_DB": " team.db "},
			func(c *Config) any { return c.DB }, "team.db"},
		{"flag over environment", []string{"--db", "mine.db", "status"}, map[string]string{"TRUSTLEDGER_DB": "team.db"},
			func(c *Config) any { return c.DB }, "mine.db"},
		{"flag after the command", []string{"status", "--leader", "Lena"}, map[string]string{"TRUSTLEDGER_LEADER": "Kai"},
			func(c *Config) any { return c.Leader }, "Lena"},
		{"empty flag means left out", []string{"--db", "", "status"}, map[string]string{"TRUSTLEDGER_DB": "team.db"},
			func(c *Config) any { return c.DB }, "team.db"},
		{"empty flag, no variable", []string{"--db=", "status"}, nil, func(c *Config) any { return c.DB }, "./trustledger.db"},
		{"blank variable", []string{"status"}, map[string]string{"TRUSTLEDGER_DB": "  "},
			func(c *Config) any { return c.DB }, "./trustledger.db"},
		{"token", []string{"status"}, map[string]string{"TRUSTLEDGER_SERVER": "https://t.example.org", "TRUSTLEDGER_TOKEN": "tok"},
			func(c *Config) any { return c.Server + " " + c.APIToken }, "https://t.example.org tok"},
		{"now", []string{"status"}, map[string]string{"TRUSTLEDGER_NOW": "2026-03-02"},
			func(c *Config) any { return c.Now }, "2026-03-02"},
		{"serve's variable", []string{"serve"}, map[string]string{"TRUSTLEDGER_ADDR": "127.0.0.1:9000"},
			func(c *Config) any { return c.Serve.Addr }, "127.0.0.1:9000"},
		{"serve's variable elsewhere", []string{"status"}, map[string]string{"TRUSTLEDGER_ADDR": "127.0.0.1:9000", "TRUSTLEDGER_SMTP": "not a URL"},
			func(c *Config) any { return c.Serve.Addr + " " + c.Serve.SMTP }, "127.0.0.1:8080 "},
		{"every serve variable", []string{"serve"}, map[string]string{
			"TRUSTLEDGER_SMTP": "smtp://mail.example.org:587?from=tl@example.org", "TRUSTLEDGER_BASE_URL": "https://t.example.org",
			"TRUSTLEDGER_METRICS_ADDR": "127.0.0.1:9100", "TRUSTLEDGER_OIDC_NAME": "Acme"},
			func(c *Config) any {
				return []string{c.Serve.SMTP, c.Serve.BaseURL, c.Serve.MetricsAddr, c.Serve.OIDCName}
			}, []string{"smtp://mail.example.org:587?from=tl@example.org", "https://t.example.org", "127.0.0.1:9100", "Acme"}},
		{"webhooks inside the network: off", []string{"serve"}, nil,
			func(c *Config) any { return c.Serve.WebhookAllowPrivate }, false},
		{"webhooks inside the network by flag", []string{"serve", "--webhook-allow-private"}, nil,
			func(c *Config) any { return c.Serve.WebhookAllowPrivate }, true},
		{"webhooks inside the network by variable", []string{"serve"}, map[string]string{"TRUSTLEDGER_WEBHOOK_ALLOW_PRIVATE": " true "},
			func(c *Config) any { return c.Serve.WebhookAllowPrivate }, true},
		{"webhooks inside the network: a variable saying no", []string{"serve"}, map[string]string{"TRUSTLEDGER_WEBHOOK_ALLOW_PRIVATE": "0"},
			func(c *Config) any { return c.Serve.WebhookAllowPrivate }, false},
		{"debug holds anything", []string{"status"}, map[string]string{"TRUSTLEDGER_DEBUG": "0"},
			func(c *Config) any { return c.Debug }, true},
		{"no debug", []string{"status"}, map[string]string{"TRUSTLEDGER_DEBUG": " "},
			func(c *Config) any { return c.Debug }, false},
		{"user", []string{"init"}, map[string]string{"USER": "lena"}, func(c *Config) any { return c.User }, "lena"},
		{"no user", []string{"init"}, nil, func(c *Config) any { return c.User }, "me"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := configure(t, tc.args, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.is, tc.want(g.config())); d != "" {
				t.Fatalf("(-want +got):\n%s", d)
			}
		})
	}
}

// TestConfigIgnoresProcessEnvironment checks that only the environment
// run is given counts, so a developer's own variables cannot reach tests.
func TestConfigIgnoresProcessEnvironment(t *testing.T) {
	t.Setenv("TRUSTLEDGER_DB", "/from/the/process.db")
	t.Setenv("TRUSTLEDGER_DEBUG", "1")
	g, err := configure(t, []string{"status"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if g.DB != "./trustledger.db" || g.Debug {
		t.Fatalf("read the process's environment: db %q, debug %v", g.DB, g.Debug)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string // in the EINVALID error
	}{
		{"now", []string{"--now", "tomorrow", "status"}, nil, `invalid --now "tomorrow"`},
		{"now from the environment", []string{"status"}, map[string]string{"TRUSTLEDGER_NOW": "soon"}, `invalid --now "soon"`},
		{"smtp", []string{"serve", "--smtp", "http://mail.example.org"}, nil, "smtp"},
		{"smtp from the environment", []string{"serve"}, map[string]string{"TRUSTLEDGER_SMTP": "mail.example.org"}, "smtp"},
		{"tick", []string{"serve", "--tick-every", "0s"}, nil, "--tick-every must be a positive duration"},
		{"mail poll", []string{"serve", "--mail-poll=-1s"}, nil, "--mail-poll must be a positive duration"},
		{"oidc", []string{"serve", "--oidc-client-id", "tl"}, nil, "--oidc-issuer"},
		{"write lanes", []string{"serve", "--db-write-lanes", "many"}, nil, `--db-write-lanes (or $TRUSTLEDGER_DB_WRITE_LANES) must be a whole number from 1 to 32, got "many"`},
		{"write lanes from the environment", []string{"serve"}, map[string]string{"TRUSTLEDGER_DB_WRITE_LANES": "0"}, `from 1 to 32, got "0"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := configure(t, tc.args, tc.env)
			if tl.ErrorCode(err) != tl.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want EINVALID with %q", err, tc.want)
			}
		})
	}
}

// setting is one setting as declared on Config's fields, or as README.md's
// configuration table shows it.
type setting struct {
	Flag    string // "--db", "serve --addr"; "" for a variable without a flag
	Env     string
	Default string // as documented: the default tag, else the unset tag, else "off" for a switch
	Literal string // the default tag alone: what kong applies
	Hidden  bool
}

// key names a setting by its flag, or its variable when it has no flag.
func (s setting) key() string {
	if s.Flag != "" {
		return s.Flag
	}
	return s.Env
}

// declaredSettings reads the settings from Config's tags.
func declaredSettings(t *testing.T) []setting {
	t.Helper()
	var out []setting
	var walk func(typ reflect.Type, command string)
	walk = func(typ reflect.Type, command string) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			if f.Type == reflect.TypeFor[ServeConfig]() {
				walk(f.Type, "serve ")
				continue
			}
			_, hidden := f.Tag.Lookup("hidden")
			s := setting{Env: f.Tag.Get("env"), Literal: f.Tag.Get("default"), Hidden: hidden}
			if name := f.Tag.Get("name"); name != "" {
				s.Flag = command + "--" + name
			} else if f.Tag.Get("kong") != "-" || s.Env == "" {
				t.Errorf("Config field %s has neither a flag nor a variable", f.Name)
			}
			switch {
			case s.Literal != "":
				s.Default = s.Literal
			case f.Tag.Get("unset") != "":
				s.Default = f.Tag.Get("unset")
			case f.Type.Kind() == reflect.Bool:
				s.Default = "off"
			}
			out = append(out, s)
		}
	}
	walk(reflect.TypeFor[Config](), "")
	return out
}

// TestConfigDeclaredFlags checks that the flags kong builds, globally and
// for serve, are exactly the declared ones, with the same variables,
// defaults and visibility, and that every setting read from a variable is
// a string or a switch (what applyEnv sets).
func TestConfigDeclaredFlags(t *testing.T) {
	p, err := newParser(&grammar{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []setting
	add := func(command string, flags []*kong.Flag) {
		for _, f := range flags {
			if f.Name == "help" || f.Name == "version" {
				// Kong's --help and the grammar's --version ask a question
				// instead of setting anything: they are no Config setting.
				continue
			}
			if k := f.Target.Kind(); len(f.Envs) > 0 && k != reflect.String && k != reflect.Bool {
				t.Errorf("--%s has a variable but is neither a string nor a switch", f.Name)
			}
			got = append(got, setting{Flag: command + "--" + f.Name, Env: strings.Join(f.Envs, ","), Literal: f.Default, Hidden: f.Hidden})
		}
	}
	add("", p.Model.Flags)
	for _, c := range p.Model.Children {
		if c.Name == "serve" {
			add("serve ", c.Flags)
		}
	}
	var want []setting
	for _, s := range declaredSettings(t) {
		if s.Flag != "" {
			s.Default = ""
			want = append(want, s)
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("kong's flags differ from Config's (-declared +kong):\n%s", d)
	}
}

// TestReadmeConfiguration checks README.md's configuration table against
// Config: every row a declared setting with the same flag, variable and
// default, and every declared setting that is not hidden in a row.
func TestReadmeConfiguration(t *testing.T) {
	rows := readmeSettings(t, "../../README.md")
	declared := map[string]setting{}
	for _, s := range declaredSettings(t) {
		declared[s.key()] = s
	}
	seen := map[string]bool{}
	for _, r := range rows {
		d, ok := declared[r.key()]
		switch {
		case !ok:
			t.Errorf("README lists %s, which Config does not declare", r.key())
			continue
		case seen[r.key()]:
			t.Errorf("README lists %s twice", r.key())
		case d.Hidden:
			t.Errorf("README lists %s, which is hidden", r.key())
		}
		seen[r.key()] = true
		if r.Env != d.Env {
			t.Errorf("%s: README says variable %q, Config declares %q", r.key(), r.Env, d.Env)
		}
		if r.Default != d.Default {
			t.Errorf("%s: README says default %q, Config declares %q", r.key(), r.Default, d.Default)
		}
	}
	for key, d := range declared {
		if !d.Hidden && !seen[key] {
			t.Errorf("Config declares %s (variable %q, default %q), which README's configuration table lacks", key, d.Env, d.Default)
		}
	}
}

// readmeSettings reads the table under "## Configuration": flag,
// environment and default of each row, without the backticks.
func readmeSettings(t *testing.T, path string) []setting {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []setting
	in, header := false, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "## Configuration":
			in = true
			continue
		case !in:
			continue
		case strings.HasPrefix(line, "|"):
		case len(rows) > 0 || header > 0:
			in = false
			continue
		default:
			continue
		}
		if !in {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) < 4 {
			t.Fatalf("README configuration row %q has %d cells, want 4", line, len(cells))
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(strings.ReplaceAll(cells[i], "`", ""))
		}
		if header < 2 { // the header and the line under it
			if header == 0 && !slices.Equal(cells[:3], []string{"flag", "environment", "default"}) {
				t.Fatalf("README's configuration table starts with %q, want flag | environment | default | ...", line)
			}
			header++
			continue
		}
		rows = append(rows, setting{Flag: cells[0], Env: cells[1], Default: cells[2]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("README.md has no configuration table under ## Configuration")
	}
	return rows
}
