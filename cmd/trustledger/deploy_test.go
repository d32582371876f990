package main

import (
	"bufio"
	"net"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// knownVariables is every environment variable trustledger reads as a
// setting, from Config's tags.
func knownVariables(t *testing.T) map[string]bool {
	t.Helper()
	known := map[string]bool{}
	for _, s := range declaredSettings(t) {
		if s.Env != "" {
			known[s.Env] = true
		}
	}
	return known
}

// expandCompose replaces ${NAME}, ${NAME:-default} and ${NAME:?message} as
// compose does, from vars; a variable required and missing fails the test.
func expandCompose(t *testing.T, s string, vars map[string]string) string {
	t.Helper()
	return os.Expand(s, func(ref string) string {
		name, rest, _ := strings.Cut(ref, ":")
		if v, ok := vars[name]; ok {
			return v
		}
		switch {
		case strings.HasPrefix(rest, "-"):
			return rest[1:]
		case strings.HasPrefix(rest, "?"):
			t.Errorf("compose needs %s: %s", name, rest[1:])
		default:
			t.Errorf("compose refers to ${%s}, which has no default", ref)
		}
		return ""
	})
}

type composeFile struct {
	Services map[string]composeService
	Networks map[string]struct {
		IPAM struct {
			Config []struct{ Subnet string }
		} `yaml:"ipam"`
	}
}

type composeService struct {
	Image       string
	Command     []string
	Environment map[string]string
	Ports       []string
	Volumes     []string
	ReadOnly    bool      `yaml:"read_only"`
	DependsOn   yaml.Node `yaml:"depends_on"`
	Networks    map[string]struct {
		IPv4Address string `yaml:"ipv4_address"`
	}
}

// dependsOn is the services named under depends_on, as a list or a map.
func (s composeService) dependsOn() []string {
	var names []string
	switch s.DependsOn.Kind {
	case yaml.SequenceNode:
		for _, n := range s.DependsOn.Content {
			names = append(names, n.Value)
		}
	case yaml.MappingNode:
		for i := 0; i < len(s.DependsOn.Content); i += 2 {
			names = append(names, s.DependsOn.Content[i].Value)
		}
	}
	return names
}

// TestComposeFile checks deploy/compose.yaml (docs/OPERATIONS.md,
// "Compose") against what trustledger reads, since it cannot run here (no
// registry): PostgreSQL, at least two trustledger instances whose command
// and variables configure serve without an error, on the PostgreSQL
// service's database, and Caddy, whose Caddyfile exists and sends requests
// to every instance on the port it listens on; only Caddy's address is a
// trusted proxy.
func TestComposeFile(t *testing.T) {
	data, err := os.ReadFile("../../deploy/compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cf composeFile
	if err := yaml.Unmarshal(data, &cf); err != nil {
		t.Fatalf("deploy/compose.yaml: %v", err)
	}
	vars := map[string]string{"POSTGRES_PASSWORD": "pw-from-env", "TRUSTLEDGER_HOST": "trust.example.org"}
	known := knownVariables(t)

	pg, ok := cf.Services["postgres"]
	if !ok || !strings.Contains(pg.Image, "postgres:") {
		t.Fatalf("deploy/compose.yaml has no postgres service with a postgres image: %+v", pg)
	}
	pgEnv := map[string]string{}
	for k, v := range pg.Environment {
		pgEnv[k] = expandCompose(t, v, vars)
	}
	caddy, ok := cf.Services["caddy"]
	if !ok || !strings.Contains(caddy.Image, "caddy:") {
		t.Fatalf("deploy/compose.yaml has no caddy service with a caddy image: %+v", caddy)
	}
	caddyIP, err := netip.ParseAddr(caddy.Networks["default"].IPv4Address)
	if err != nil {
		t.Fatalf("caddy needs a fixed address on the default network, which the instances trust: %v", err)
	}
	if nets := cf.Networks["default"].IPAM.Config; len(nets) != 1 || !netip.MustParsePrefix(nets[0].Subnet).Contains(caddyIP) {
		t.Errorf("caddy's address %s is not in the default network's subnet %+v", caddyIP, nets)
	}

	// The instances run the image deploy/build-image.sh makes, with the tag
	// docs/OPERATIONS.md gives it.
	ops, err := os.ReadFile("../../docs/OPERATIONS.md")
	if err != nil {
		t.Fatal(err)
	}
	var instances []string
	upstream := map[string]bool{}
	for name, s := range cf.Services {
		image := expandCompose(t, s.Image, vars)
		if !strings.Contains(image, "trustledger") {
			continue
		}
		instances = append(instances, name)
		t.Run(name, func(t *testing.T) {
			if !strings.Contains(string(ops), "TAG="+image) {
				t.Errorf("%s runs the image %s, which docs/OPERATIONS.md does not build (TAG=%s deploy/build-image.sh)", name, image, image)
			}
			env := map[string]string{}
			for k, v := range s.Environment {
				if !known[k] {
					t.Errorf("%s sets %s, which trustledger does not read (README.md, \"Configuration\")", name, k)
				}
				env[k] = expandCompose(t, v, vars)
			}
			if len(s.Command) == 0 || s.Command[0] != "serve" {
				t.Fatalf("%s runs %q, want serve", name, s.Command)
			}
			g, err := configure(t, s.Command, env)
			if err != nil {
				t.Fatalf("%s: trustledger %s with its variables: %v", name, strings.Join(s.Command, " "), err)
			}
			c := g.config()
			u, err := url.Parse(c.DB)
			if err != nil || !isPostgres(c.DB) {
				t.Fatalf("%s: the database %q is not a postgres:// URL: %v", name, c.DB, err)
			}
			pw, _ := u.User.Password()
			if u.Host != "postgres:5432" || u.User.Username() != pgEnv["POSTGRES_USER"] || pw != pgEnv["POSTGRES_PASSWORD"] ||
				strings.TrimPrefix(u.Path, "/") != pgEnv["POSTGRES_DB"] {
				t.Errorf("%s: the database %s is not the postgres service's (user %s, database %s, its password)",
					name, u.Redacted(), pgEnv["POSTGRES_USER"], pgEnv["POSTGRES_DB"])
			}
			if !slices.Contains(s.dependsOn(), "postgres") {
				t.Errorf("%s does not depend on postgres: %v", name, s.dependsOn())
			}
			host, port, err := net.SplitHostPort(c.Serve.Addr)
			if err != nil || host != "0.0.0.0" {
				t.Errorf("%s listens on %q, want 0.0.0.0:PORT so that caddy reaches it", name, c.Serve.Addr)
			}
			upstream[name+":"+port] = true
			proxies, err := netip.ParsePrefix(c.Serve.TrustedProxy)
			if err != nil || proxies.Bits() != 32 || proxies.Addr() != caddyIP {
				t.Errorf("%s trusts the proxies %q, want caddy's address only, %s/32", name, c.Serve.TrustedProxy, caddyIP)
			}
			if c.Serve.BaseURL != "https://"+vars["TRUSTLEDGER_HOST"] {
				t.Errorf("%s: base URL %q, want https://TRUSTLEDGER_HOST", name, c.Serve.BaseURL)
			}
			if !s.ReadOnly {
				t.Errorf("%s: want read_only: true; the image writes nowhere on PostgreSQL", name)
			}
		})
	}
	if len(instances) < 2 {
		t.Fatalf("deploy/compose.yaml runs %d trustledger instances (%v), want at least two", len(instances), instances)
	}

	// Caddy's Caddyfile, mounted from deploy/, proxies to every instance.
	var caddyfile string
	for _, v := range caddy.Volumes {
		if from, to, _ := strings.Cut(v, ":"); strings.HasPrefix(to, "/etc/caddy/Caddyfile") {
			caddyfile = filepath.Join("../../deploy", from)
		}
	}
	if caddyfile == "" {
		t.Fatalf("caddy mounts no Caddyfile at /etc/caddy/Caddyfile: %v", caddy.Volumes)
	}
	text, err := os.ReadFile(caddyfile)
	if err != nil {
		t.Fatalf("the Caddyfile caddy mounts: %v", err)
	}
	var proxied []string
	sc := bufio.NewScanner(strings.NewReader(string(text)))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) > 1 && f[0] == "reverse_proxy" {
			proxied = append(proxied, slices.DeleteFunc(f[1:], func(s string) bool { return s == "{" })...)
		}
	}
	for u := range upstream {
		if !slices.Contains(proxied, u) {
			t.Errorf("%s does not send requests to %s: reverse_proxy %v", caddyfile, u, proxied)
		}
	}
	for _, u := range proxied {
		if !upstream[u] {
			t.Errorf("%s sends requests to %s, which is no instance of deploy/compose.yaml (%v)", caddyfile, u, upstream)
		}
	}
	if !strings.Contains(string(text), "health_uri /readyz") {
		t.Errorf("%s does not take an instance out of rotation on /readyz", caddyfile)
	}
	for _, m := range regexp.MustCompile(`\{\$(\w+)`).FindAllStringSubmatch(string(text), -1) {
		if _, ok := caddy.Environment[m[1]]; !ok {
			t.Errorf("%s reads {$%s}, which the caddy service does not set", caddyfile, m[1])
		}
	}
}

// systemdUnit reads a unit file: each key's values in order, by section.
func systemdUnit(t *testing.T, path string) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	unit := map[string][]string{}
	section := ""
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("%s: %q is no key=value", path, line)
			}
			unit[section+"."+k] = append(unit[section+"."+k], v)
		}
	}
	return unit
}

// TestSystemdUnit checks deploy/trustledger.service (docs/OPERATIONS.md,
// "systemd"): its ExecStart configures serve without an error, its
// Environment sets only variables trustledger reads, the database is in
// the state directory, and the sandbox is there. systemd-analyze verify
// reads it when installed; it is no failure when missing, even under
// TRUSTLEDGER_TEST_STRICT=1, since systemd does not run on these machines.
func TestSystemdUnit(t *testing.T) {
	const path = "../../deploy/trustledger.service"
	unit := systemdUnit(t, path)
	known := knownVariables(t)
	env := map[string]string{}
	for _, e := range unit["Service.Environment"] {
		for _, kv := range strings.Fields(e) {
			k, v, _ := strings.Cut(kv, "=")
			if !known[k] {
				t.Errorf("Environment sets %s, which trustledger does not read (README.md, \"Configuration\")", k)
			}
			env[k] = v
		}
	}
	execStart := unit["Service.ExecStart"]
	if len(execStart) != 1 {
		t.Fatalf("want one ExecStart, got %q", execStart)
	}
	args := strings.Fields(execStart[0])
	if len(args) < 2 || !filepath.IsAbs(args[0]) || filepath.Base(args[0]) != "trustledger" || args[1] != "serve" {
		t.Fatalf("ExecStart=%s, want /PATH/trustledger serve …", execStart[0])
	}
	g, err := configure(t, args[1:], env)
	if err != nil {
		t.Fatalf("ExecStart=%s with its Environment: %v", execStart[0], err)
	}
	state := unit["Service.StateDirectory"]
	if len(state) != 1 {
		t.Fatalf("want one StateDirectory, got %q", state)
	}
	dir := "/var/lib/" + state[0]
	if db := g.config().DB; filepath.Dir(db) != dir {
		t.Errorf("the database is %s, outside the state directory %s", db, dir)
	}
	if wd := unit["Service.WorkingDirectory"]; !slices.Equal(wd, []string{dir}) {
		t.Errorf("WorkingDirectory=%v, want the state directory %s, where SQLite may write", wd, dir)
	}
	for key, want := range map[string]string{
		"DynamicUser": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
		"NoNewPrivileges": "yes", "CapabilityBoundingSet": "", "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
		"SystemCallFilter": "@system-service", "PrivateDevices": "yes", "RestrictSUIDSGID": "yes",
		"MemoryDenyWriteExecute": "yes", "LockPersonality": "yes",
	} {
		if got := unit["Service."+key]; !slices.Contains(got, want) {
			t.Errorf("%s=%q, want %s=%s", key, got, key, want)
		}
	}

	t.Run("systemd-analyze verify", func(t *testing.T) {
		analyze, err := exec.LookPath("systemd-analyze")
		if err != nil {
			t.Skip("systemd-analyze is not installed: the unit is not verified (apt-get install systemd)")
		}
		// verify wants ExecStart's program to exist: the copy names this
		// test's own binary instead.
		self, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		text, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		copyPath := filepath.Join(t.TempDir(), "trustledger.service")
		text = []byte(strings.Replace(string(text), "ExecStart="+args[0], "ExecStart="+self, 1))
		if err := os.WriteFile(copyPath, text, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(analyze, "verify", "--man=no", copyPath).CombinedOutput()
		var mine []string
		for _, l := range strings.Split(string(out), "\n") {
			// Only what it says of this unit: other units on the machine
			// may have their own complaints.
			if strings.Contains(l, "trustledger.service") {
				mine = append(mine, l)
			}
		}
		if err != nil || len(mine) > 0 {
			t.Errorf("systemd-analyze verify: %v\n%s", err, strings.Join(mine, "\n"))
		}
	})
}
