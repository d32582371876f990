// Package version says which build of trustledger is running: the module's
// version and the commit it was built from, as the Go toolchain records
// them in the binary (runtime/debug.ReadBuildInfo). The CLI prints it for
// --version; anything else that reports the build reads it here too.
package version

import (
	"runtime/debug"
	"strings"
	"time"
)

// Unknown is what a part of the build that was not recorded reads as, the
// toolchain's own word for a build outside a released module version.
const Unknown = "(devel)"

// Build is what the binary knows about itself.
type Build struct {
	// Version is the module's version ("v1.2.3"), or Unknown for a build
	// from a work tree (go build, go run, go test).
	Version string `json:"version"`
	// Commit is the VCS revision the binary was built from, or Unknown.
	Commit string `json:"commit"`
	// Date is the commit's time in RFC 3339 UTC, or Unknown.
	Date string `json:"date"`
	// Modified reports a build from a work tree with uncommitted changes.
	Modified bool `json:"modified"`
}

// Info reads the build information the toolchain embedded.
func Info() Build {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Build{Version: Unknown, Commit: Unknown, Date: Unknown}
	}
	return fromBuildInfo(bi)
}

// fromBuildInfo is Info over bi, so tests can hand it any build.
func fromBuildInfo(bi *debug.BuildInfo) Build {
	b := Build{Version: bi.Main.Version, Commit: Unknown, Date: Unknown}
	if b.Version == "" {
		b.Version = Unknown
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			if s.Value != "" {
				b.Commit = s.Value
			}
		case "vcs.time":
			if t, err := time.Parse(time.RFC3339, s.Value); err == nil {
				b.Date = t.UTC().Format(time.RFC3339)
			}
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// String is the build on one line, as --version prints it:
// "trustledger v1.2.3 (commit 0123abc…, 2026-12-01T10:00:00Z)", the date
// being the commit's, and "+modified" after the commit when the work tree
// had changes.
//
// A build that recorded no commit (go run, or GOFLAGS=-buildvcs=false)
// says so instead of repeating Unknown.
func (b Build) String() string {
	var sb strings.Builder
	sb.WriteString("trustledger ")
	sb.WriteString(b.Version)
	if b.Commit == Unknown {
		sb.WriteString(" (no commit recorded: built by go run or with -buildvcs=false)")
		return sb.String()
	}
	sb.WriteString(" (commit ")
	sb.WriteString(b.Commit)
	if b.Modified {
		sb.WriteString("+modified")
	}
	sb.WriteString(", ")
	sb.WriteString(b.Date)
	sb.WriteString(")")
	return sb.String()
}
