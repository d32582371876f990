package app_test

import (
	"testing"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// TestSettingsHaveBounds: a setting outside its documented bounds is
// refused with the bounds in the message, and nothing changes; the
// bounds themselves are accepted. Before, half_life_days took 1e308 and
// a window of a million days made every read walk the whole ledger.
func TestSettingsHaveBounds(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		for _, c := range []struct {
			name  string
			value float64
			want  string
		}{
			{"half_life_days", 1e308, "between 1 and 3650"},
			{"half_life_days", 0.5, "between 1 and 3650"},
			{"barrier_window_days", 1e6, "between 1 and 365"},
			{"prior_weight", -1, "between 0.01 and 100"},
			{"kappa_integrity", 1e9, "between 1 and 10"},
			{"anonymity_k", 1e7, "between 3 and 1000"},
		} {
			err := e.app.SetSetting(e.ctx, l.ID, c.name, c.value)
			wantCode(t, err, tl.EINVALID, c.name, c.want)
			got := must(e.app.Settings(e.ctx, l.ID))(t)
			def := engine.DefaultSettings()
			gv, _ := got.Get(c.name)
			dv, _ := def.Get(c.name)
			if gv != dv {
				t.Fatalf("%s = %g was refused but the setting is now %g, want the default %g", c.name, c.value, gv, dv)
			}
		}
		for _, si := range engine.SettingNames() {
			if si.Min > si.Max {
				t.Fatalf("%s: bounds %g..%g are upside down", si.Name, si.Min, si.Max)
			}
		}
		noErr(t, e.app.SetSetting(e.ctx, l.ID, "half_life_days", 3650))
		noErr(t, e.app.SetSetting(e.ctx, l.ID, "half_life_days", 1))
	})
}
