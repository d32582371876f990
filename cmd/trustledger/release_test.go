package main

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	goruntime "runtime"
	"strings"
	"testing"
)

// TestReleaseBuilds builds release binaries as README.md ("Release
// binaries") says, without cgo, for Linux, macOS and Windows. The Linux
// one is static (no program interpreter), and the one for this machine
// names, on --version, the commit and date it was built from, which the
// toolchain records (internal/version). Slow: skipped with -short.
func TestReleaseBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles three binaries; run without -short")
	}
	// On a cold build cache the three builds take minutes (SQLite in Go is
	// compiled afresh per platform), too long for a first `go test ./...`
	// beside every other package; CI runs them.
	if os.Getenv("TRUSTLEDGER_TEST_STRICT") != "1" && os.Getenv("TRUSTLEDGER_TEST_RELEASE") != "1" {
		t.Skip("cross-compiling the release binaries takes minutes on a cold cache: set TRUSTLEDGER_TEST_RELEASE=1 to run it (CI runs it under TRUSTLEDGER_TEST_STRICT=1)")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is not on PATH: %v", err)
	}
	dist := t.TempDir()
	for _, target := range []string{"linux/amd64", "darwin/arm64", "windows/amd64"} {
		goos, goarch, _ := strings.Cut(target, "/")
		out := filepath.Join(dist, "trustledger-"+goos+"-"+goarch)
		if goos == "windows" {
			out += ".exe"
		}
		// -buildvcs=auto: a GOFLAGS=-buildvcs=false in the environment
		// would otherwise leave the commit out.
		cmd := exec.Command(goBin, "build", "-buildvcs=auto", "-trimpath", "-ldflags=-s -w", "-o", out, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("CGO_ENABLED=0 GOOS=%s GOARCH=%s go build: %v\n%s", goos, goarch, err, b)
		}
		if goos == "linux" {
			f, err := elf.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			if f.Section(".interp") != nil {
				t.Errorf("%s is linked dynamically: it needs a program interpreter", out)
			}
			f.Close()
		}
		if goos != goruntime.GOOS || goarch != goruntime.GOARCH {
			continue
		}
		b, err := exec.Command(out, "--version").CombinedOutput()
		if err != nil {
			t.Fatalf("%s --version: %v\n%s", out, err, b)
		}
		if err := exec.Command("git", "rev-parse", "--git-dir").Run(); err != nil {
			t.Logf("not a git work tree: the commit is not recorded (%s)", b)
			continue
		}
		re := regexp.MustCompile(`^trustledger v\S+ \(commit [0-9a-f]{40}(\+modified)?, \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)\n$`)
		if !re.Match(b) {
			t.Errorf("%s --version: %q, want the module version, commit and date from the build info", out, b)
		}
	}
}
