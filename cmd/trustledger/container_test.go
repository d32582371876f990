package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trustledger/trustledger/internal/testenv"
)

// podman runs podman commands for the container test, with its own
// containers.conf unless CONTAINERS_CONF names one, and runc when it is
// installed: Debian's podman runs containers on these machines that way
// (docs/OPERATIONS.md, "Container image").
type podman struct {
	t       *testing.T
	env     []string
	runtime []string
}

// newPodman finds podman, or skips the test (fails it under
// TRUSTLEDGER_TEST_STRICT=1).
func newPodman(t *testing.T) *podman {
	t.Helper()
	if _, err := exec.LookPath("podman"); err != nil {
		msg := "podman is not installed: apt-get install podman runc to build and run the container image"
		testenv.Missing(t, msg)
	}
	p := &podman{t: t, env: os.Environ()}
	if os.Getenv("CONTAINERS_CONF") == "" {
		conf := filepath.Join(t.TempDir(), "containers.conf")
		text := "[containers]\ndefault_ulimits = []\n\n[engine]\ncgroup_manager = \"cgroupfs\"\n"
		if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		p.env = append(p.env, "CONTAINERS_CONF="+conf)
	}
	if _, err := exec.LookPath("runc"); err == nil {
		p.runtime = []string{"--runtime", "runc"}
	}
	return p
}

// run runs podman with args and returns its standard output, trimmed.
func (p *podman) run(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "podman", append(append([]string{}, p.runtime...), args...)...)
	cmd.Env = p.env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), fmt.Errorf("podman %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
	}
	return strings.TrimSpace(string(out)), nil
}

// must is run, failing the test on an error.
func (p *podman) must(args ...string) string {
	p.t.Helper()
	out, err := p.run(args...)
	if err != nil {
		p.t.Fatal(err)
	}
	return out
}

// start runs a container in the background under a fresh name, with the
// root read-only and no tmpfs added over /tmp (podman adds one unless told,
// Docker does not), its port 8080 published on a free port of 127.0.0.1.
// It returns the name and the address, and removes the container at the
// end of the test.
func (p *podman) start(image string, opts []string, args ...string) (name, addr string) {
	p.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		p.t.Fatal(err)
	}
	addr = ln.Addr().String()
	ln.Close()
	name = "trustledger-test-" + strings.ToLower(rand.Text()[:10])
	run := append([]string{"run", "-d", "--name", name, "--read-only", "--read-only-tmpfs=false", "-p", addr + ":8080"}, opts...)
	p.must(append(append(run, image), args...)...)
	// -v: the anonymous volume the image's VOLUME /data made goes too.
	p.t.Cleanup(func() { p.run("rm", "-f", "-v", "-t", "0", name) })
	return name, addr
}

// waitFor asks url until it answers 200 and returns the body; it fails
// the test with the container's log after 60 s.
func (p *podman) waitFor(name, url string) string {
	p.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return string(body)
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		if running, _ := p.run("inspect", "--format", "{{.State.Running}}", name); running == "false" {
			p.t.Fatalf("the container stopped before %s answered; its log:\n%s", url, p.logs(name))
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s did not answer 200 within 60 s (%v); the container's log:\n%s", url, err, p.logs(name))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// logs is the container's standard output and error.
func (p *podman) logs(name string) string {
	cmd := exec.Command("podman", append(append([]string{}, p.runtime...), "logs", name)...)
	cmd.Env = p.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Sprintf("(podman logs %s: %v) %s", name, err, out)
	}
	return string(out)
}

// nonRoot checks that the container's process runs as the image's user
// 65532 on the host (FROM scratch has no shell to ask from inside).
func (p *podman) nonRoot(name string) {
	p.t.Helper()
	out := p.must("top", name, "user", "huser")
	lines := strings.Split(out, "\n")
	if len(lines) < 2 {
		p.t.Fatalf("podman top %s shows no process:\n%s", name, out)
	}
	for _, l := range lines[1:] {
		if f := strings.Fields(l); len(f) != 2 || f[0] != "trustledger" || f[1] != "65532" {
			p.t.Errorf("a process of %s runs as %q, want user trustledger, 65532 on the host", name, l)
		}
	}
}

// TestContainerImage builds the image with deploy/build-image.sh (a static
// binary on FROM scratch, nothing pulled) and runs it as
// docs/OPERATIONS.md, "Container image", says: with a read-only root and
// no writable folder but the /data volume. The demo answers its login
// page; a real database on a volume keeps its data across a restart; the
// process runs as the non-root user 65532; the health check passes.
func TestContainerImage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a container image: left out by -short")
	}
	p := newPodman(t)
	suffix := strings.ToLower(rand.Text()[:10])
	version := "0.0.0-test." + suffix
	image := "localhost/trustledger-test:" + suffix

	build := exec.Command("sh", "../../deploy/build-image.sh")
	build.Env = append(append([]string{}, p.env...),
		"ENGINE=podman "+strings.Join(p.runtime, " "), "TAG="+image, "VERSION="+version)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("deploy/build-image.sh: %v\n%s", err, out)
	}
	t.Cleanup(func() { p.run("rmi", "-f", image) })

	var inspect []struct {
		Config struct {
			User    string
			Env     []string
			Labels  map[string]string
			Volumes map[string]struct{}
		}
		Healthcheck *struct{ Test []string }
	}
	if err := json.Unmarshal([]byte(p.must("image", "inspect", image)), &inspect); err != nil || len(inspect) != 1 {
		t.Fatalf("podman image inspect %s: %v", image, err)
	}
	cfg, health := inspect[0].Config, inspect[0].Healthcheck
	if got := cfg.Labels["org.opencontainers.image.version"]; got != version {
		t.Errorf("label org.opencontainers.image.version is %q, want %q", got, version)
	}
	if cfg.User != "65532:65532" {
		t.Errorf("the image runs as %q, want 65532:65532", cfg.User)
	}
	if _, ok := cfg.Volumes["/data"]; !ok {
		t.Errorf("the image declares the volumes %v, want /data", cfg.Volumes)
	}
	if !strings.Contains(strings.Join(cfg.Env, " "), "TRUSTLEDGER_DB=/data/") {
		t.Errorf("TRUSTLEDGER_DB does not point into /data: %v", cfg.Env)
	}
	if health == nil || !strings.Contains(strings.Join(health.Test, " "), "healthcheck") {
		t.Errorf("the image's health check is %+v, want trustledger healthcheck (built with --format docker?)", health)
	}

	t.Run("demo", func(t *testing.T) {
		p := *p
		p.t = t
		name, addr := p.start(image, nil, "serve", "--demo")
		body := p.waitFor(name, "http://"+addr+"/login")
		if !strings.Contains(body, `type="password"`) {
			t.Errorf("/login of the demo shows no password field:\n%.2000s", body)
		}
		logs := p.logs(name)
		if !strings.Contains(logs, "Demo login:") || !strings.Contains(logs, "/data/trustledger-demo-") {
			t.Errorf("the demo should print its login and put its database under /data, the only writable folder:\n%s", logs)
		}
		p.nonRoot(name)
		if out, err := p.run("healthcheck", "run", name); err != nil {
			t.Errorf("the image's health check fails on a running demo: %v %s", err, out)
		}
	})

	t.Run("data survives a restart", func(t *testing.T) {
		p := *p
		p.t = t
		volume := "trustledger-test-" + suffix
		p.must("volume", "create", volume)
		t.Cleanup(func() { p.run("volume", "rm", "-f", volume) })
		name, addr := p.start(image, []string{"-v", volume + ":/data"})
		p.waitFor(name, "http://"+addr+"/healthz")
		p.nonRoot(name)
		p.must("exec", name, "trustledger", "init", "--leader", "Lena")
		p.must("exec", name, "trustledger", "person", "add", "Ana", "--kind", "direct-report")
		// A backup writes a temporary file beside the one it makes: on the volume.
		p.must("exec", name, "trustledger", "backup", "/data/before-restart.backup")

		p.must("restart", "-t", "10", name)
		p.waitFor(name, "http://"+addr+"/healthz")
		if out := p.must("exec", name, "trustledger", "person", "list"); !strings.Contains(out, "Ana") {
			t.Errorf("after a restart the people are:\n%s\nwant Ana, added before", out)
		}
		mount := p.must("volume", "inspect", "--format", "{{.Mountpoint}}", volume)
		for _, f := range []string{"trustledger.db", "before-restart.backup"} {
			if _, err := os.Stat(filepath.Join(mount, f)); err != nil {
				t.Errorf("the volume lacks %s: %v", f, err)
			}
		}
		p.nonRoot(name)
		if out, err := p.run("healthcheck", "run", name); err != nil {
			t.Errorf("the image's health check fails: %v %s", err, out)
		}
	})
}
