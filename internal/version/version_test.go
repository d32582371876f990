package version

import (
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	for _, tc := range []struct {
		name string
		bi   debug.BuildInfo
		want Build
		line string
	}{
		{"nothing recorded", debug.BuildInfo{},
			Build{Version: Unknown, Commit: Unknown, Date: Unknown},
			"trustledger (devel) (no commit recorded: built by go run or with -buildvcs=false)"},
		{"a release", debug.BuildInfo{
			Main: debug.Module{Version: "v1.2.3"},
			Settings: []debug.BuildSetting{
				{Key: "vcs.revision", Value: "0123456789abcdef"},
				{Key: "vcs.time", Value: "2026-12-01T11:00:00+01:00"},
				{Key: "vcs.modified", Value: "false"},
			}},
			Build{Version: "v1.2.3", Commit: "0123456789abcdef", Date: "2026-12-01T10:00:00Z"},
			"trustledger v1.2.3 (commit 0123456789abcdef, 2026-12-01T10:00:00Z)"},
		{"a work tree with changes", debug.BuildInfo{
			Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{
				{Key: "vcs.revision", Value: "abc"},
				{Key: "vcs.time", Value: "not a time"},
				{Key: "vcs.modified", Value: "true"},
			}},
			Build{Version: Unknown, Commit: "abc", Date: Unknown, Modified: true},
			"trustledger (devel) (commit abc+modified, (devel))"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := fromBuildInfo(&tc.bi)
			if got != tc.want {
				t.Errorf("fromBuildInfo = %+v, want %+v", got, tc.want)
			}
			if s := got.String(); s != tc.line {
				t.Errorf("String = %q, want %q", s, tc.line)
			}
		})
	}
	if b := Info(); b.Version == "" || b.Commit == "" || b.Date == "" {
		t.Errorf("Info left a part empty: %+v", b)
	}
}
