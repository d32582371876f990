package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustledger/trustledger/internal/version"
)

// runArgs runs the CLI in-process with env and returns its exit code and
// both streams.
func runArgs(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr, func(k string) string { return env[k] })
	return code, stdout.String(), stderr.String()
}

// TestVersion checks that --version prints the build on one line and
// exits 0, before and after a command, without opening a database.
func TestVersion(t *testing.T) {
	want := version.Info().String() + "\n"
	for _, args := range [][]string{{"--version"}, {"status", "--version"}} {
		code, out, errOut := runArgs(t, nil, args...)
		if code != 0 || out != want || errOut != "" {
			t.Errorf("%v: code %d, stdout %q, stderr %q; want 0, %q, nothing", args, code, out, errOut, want)
		}
	}
}

// TestCompletion checks the completion scripts: each names every
// top-level command, and bash's is a script bash accepts.
func TestCompletion(t *testing.T) {
	p, err := newParser(&grammar{}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	var commands []string
	for _, n := range p.Model.Children {
		if !n.Hidden {
			commands = append(commands, n.Name)
		}
	}
	if len(commands) < 20 {
		t.Fatalf("only %d commands in the model: %v", len(commands), commands)
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, out, errOut := runArgs(t, nil, "completion", shell)
		if code != 0 || errOut != "" {
			t.Fatalf("completion %s: code %d, stderr %q", shell, code, errOut)
		}
		flags := []string{"--json", "--db", "--version"}
		if shell == "fish" {
			flags = []string{"-l json", "-l db", "-l version"}
		}
		for _, c := range append(append(commands, "completion"), flags...) {
			if !strings.Contains(out, c) {
				t.Errorf("completion %s does not name %s", shell, c)
			}
		}
		if shell == "bash" {
			if _, err := exec.LookPath("bash"); err != nil {
				t.Skip("no bash to check the script with")
			}
			f := filepath.Join(t.TempDir(), "trustledger.bash")
			if err := os.WriteFile(f, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
			if b, err := exec.Command("bash", "-n", f).CombinedOutput(); err != nil {
				t.Errorf("bash -n rejects the completion script: %v\n%s", err, b)
			}
			// Loaded, it completes the commands after "trustledger ".
			script := ". " + f + `; COMP_WORDS=(trustledger per); COMP_CWORD=1; _trustledger; echo "${COMPREPLY[@]}"`
			b, err := exec.Command("bash", "-c", script).CombinedOutput()
			if err != nil || strings.TrimSpace(string(b)) != "person" {
				t.Errorf("completing \"trustledger per\" gave %q (%v), want person", b, err)
			}
			script = ". " + f + `; COMP_WORDS=(trustledger person ad); COMP_CWORD=2; _trustledger; echo "${COMPREPLY[@]}"`
			b, err = exec.Command("bash", "-c", script).CombinedOutput()
			if err != nil || strings.TrimSpace(string(b)) != "add" {
				t.Errorf("completing \"trustledger person ad\" gave %q (%v), want add", b, err)
			}
		}
	}
	if code, _, errOut := runArgs(t, nil, "completion", "tcsh"); code != 2 || !strings.Contains(errOut, "bash") {
		t.Errorf("completion tcsh: code %d, stderr %q; want 2 naming the shells", code, errOut)
	}
}

// TestJSONErrors checks that under --json an error is one JSON object on
// stderr, with the code, message and field of the error, and the same exit
// code as without --json.
func TestJSONErrors(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"TRUSTLEDGER_DB": filepath.Join(dir, "t.db"), "TRUSTLEDGER_NOW": "2026-11-02T09:00:00Z", "TZ": "UTC"}
	if code, _, errOut := runArgs(t, env, "init", "--leader", "Lena"); code != 0 {
		t.Fatalf("init: %d %s", code, errOut)
	}
	if code, _, errOut := runArgs(t, env, "person", "add", "Ana", "--kind", "peer"); code != 0 {
		t.Fatalf("person add: %d %s", code, errOut)
	}
	type envelope struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Field   string `json:"field"`
		} `json:"error"`
	}
	for _, tc := range []struct {
		name      string
		args      []string
		code      int
		errCode   string
		message   string
		field     string
		plainLine string
	}{
		{"a usage mistake", []string{"lgo", "Ana", "promise-kept"}, 2, "invalid", `did you mean "log"?`, "", `did you mean "log"?`},
		{"a missing flag", []string{"person", "add", "Cy"}, 2, "invalid", "missing flags: --kind", "", "missing flags: --kind"},
		{"an unknown person", []string{"log", "Zoe", "promise-kept"}, 1, "not_found", `unknown person "Zoe"`, "who", `unknown person "Zoe"`},
		{"an invalid value", []string{"person", "add", "Cy", "--kind", "boss"}, 2, "invalid", "boss", "kind", "boss"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plainCode, _, plain := runArgs(t, env, tc.args...)
			if plainCode != tc.code || !strings.Contains(plain, tc.plainLine) || strings.HasPrefix(plain, "{") {
				t.Errorf("without --json: code %d, stderr %q", plainCode, plain)
			}
			for _, args := range [][]string{append([]string{"--json"}, tc.args...), append(append([]string{}, tc.args...), "--json")} {
				code, out, errOut := runArgs(t, env, args...)
				if code != tc.code {
					t.Errorf("%v: exit code %d, want %d", args, code, tc.code)
				}
				if out != "" {
					t.Errorf("%v: stdout %q, want nothing", args, out)
				}
				var e envelope
				dec := json.NewDecoder(strings.NewReader(errOut))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&e); err != nil {
					t.Fatalf("%v: stderr is not the JSON error: %v\n%s", args, err, errOut)
				}
				if e.Error.Code != tc.errCode || !strings.Contains(e.Error.Message, tc.message) || e.Error.Field != tc.field {
					t.Errorf("%v: error %+v, want code %q, a message with %q, field %q", args, e.Error, tc.errCode, tc.message, tc.field)
				}
				if strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
					t.Errorf("%v: the JSON error is not one line: %q", args, errOut)
				}
			}
		})
	}
}
