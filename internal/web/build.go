package web

import (
	"runtime"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trustledger/trustledger/internal/version"
)

// healthBody is what /healthz answers: "ok" on the first line, for the
// probes that read it, then the build, so an operator sees which version
// answers without signing in. Read once: the build does not change while
// the process runs, and a probe must stay cheap.
var healthBody = "ok\n" + version.Info().String() + "\n"

// buildInfo is the constant series trustledger_build_info, 1, labelled with
// the build (docs/OPERATIONS.md, "The series"), so dashboards show which
// version each instance runs and when it changed.
func buildInfo() prometheus.Collector {
	b := version.Info()
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "trustledger_build_info",
		Help: "Always 1; the labels name the running build: module version, VCS commit and its date, Go version.",
		ConstLabels: prometheus.Labels{
			"version": b.Version, "commit": b.Commit, "date": b.Date, "go_version": runtime.Version(),
		},
	})
	g.Set(1)
	return g
}
