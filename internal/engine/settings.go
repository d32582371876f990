package engine

import (
	"fmt"
	"sort"
	"strings"
)

// Settings holds every default of MODEL.md §16 as a named value. The zero
// value is not useful: start from DefaultSettings and override by name.
type Settings struct {
	W             float64 // prior weight W
	BaseRate      float64 // a_d, the propensity to trust
	ThetaT        float64 // θ_T neutral trust
	ThetaP        float64 // θ_P power midpoint
	HalfLifeDays  float64 // h
	Kappa         [NumDims]float64
	LambdaSelfPos float64
	LambdaSelfNeg float64
	LambdaSystem  float64
	LambdaConfirm float64
	SelfCap       float64 // C_self per dimension
	CheckinNu     float64
	CheckinLambda float64
	PulseNu       float64
	UMax          float64
	Gamma         float64
	Rho           [NumDims]float64
	RhoDeception  float64
	ApologyWindow float64 // days
	GapThreshold  float64
	CooldownDays  float64
	OutcomeDays   float64
	OutcomeRise   float64
	OutcomeMinEv  float64
	BreachWindow  float64 // days (R1)
	BreachMin     float64 // minimum Δ·f for R1
	BarrierWindow float64 // days (dominant barrier)
	TieTolerance  float64
	CommandShare  float64
	CommandWindow float64 // days
	FearCoercive  int
	K             int
	KFloor        int
	CommentsK     int
	PromiseGrace  float64 // days
	RwgWeak       float64
	RwgStrong     float64
	SelfOtherGap  float64
	// ShareSayDo is 1 when the team's window shows the leader's say/do
	// ratio (PRODUCT.md §3: "if the leader chooses"), 0 when it does not.
	ShareSayDo int
}

// DefaultSettings returns the defaults of MODEL.md §16.
func DefaultSettings() Settings {
	return Settings{
		W: 2, BaseRate: 0.5, ThetaT: 0.5, ThetaP: 0.5,
		HalfLifeDays:  90,
		Kappa:         [NumDims]float64{Ability: 1, Benevolence: 2.25, Integrity: 5},
		LambdaSelfPos: 0.5, LambdaSelfNeg: 1, LambdaSystem: 1, LambdaConfirm: 1,
		SelfCap:   3,
		CheckinNu: 4, CheckinLambda: 0.75, PulseNu: 3,
		UMax: 0.20, Gamma: 0.80,
		Rho:           [NumDims]float64{Ability: 0.5, Benevolence: 0.35, Integrity: 0.2},
		RhoDeception:  0,
		ApologyWindow: 30,
		GapThreshold:  0.10, CooldownDays: 14,
		OutcomeDays: 28, OutcomeRise: 0.05, OutcomeMinEv: 4,
		BreachWindow: 28, BreachMin: 1, BarrierWindow: 42, TieTolerance: 0.02,
		CommandShare: 0.6, CommandWindow: 30, FearCoercive: 3,
		K: 5, KFloor: 3, CommentsK: 10, PromiseGrace: 2,
		RwgWeak: 0.50, RwgStrong: 0.70, SelfOtherGap: 0.5,
	}
}

// SettingInfo documents one named setting.
type SettingInfo struct {
	Name string
	Doc  string
	// Min and Max are the bounds Set accepts, both included
	// (docs/MODEL.md, "Bounds of the settings"): wide enough for any
	// reading of the article, narrow enough that no value makes the
	// numbers overflow or a read walk years of entries.
	Min, Max float64
	get      func(*Settings) *float64
	geti     func(*Settings) *int
}

// settingBounds are the bounds of each setting, by name: a probability
// or share lies in [0, 1], a weight of evidence in [0, 100], a number of
// days in [1, 365] (a half-life up to ten years), a power score in
// [0, 4] and a count of answers up to 1,000.
var settingBounds = map[string][2]float64{
	"prior_weight": {0.01, 100}, "base_rate": {0, 1}, "trust_threshold": {0, 1}, "power_threshold": {0, 1},
	"half_life_days": {1, 3650},
	"kappa_ability":  {1, 10}, "kappa_benevolence": {1, 10}, "kappa_integrity": {1, 10},
	"lambda_self_positive": {0, 1}, "lambda_self_negative": {0, 1}, "lambda_system": {0, 1}, "lambda_confirmed": {0, 1},
	"self_cap": {0, 100}, "checkin_weight": {0, 100}, "checkin_reliability": {0, 1}, "pulse_weight": {0, 100},
	"uncertainty_max": {0, 1}, "confidence": {0, 1},
	"rho_ability": {0, 1}, "rho_benevolence": {0, 1}, "rho_integrity": {0, 1}, "rho_deception": {0, 1},
	"apology_window_days": {0, 365}, "gap_threshold": {0, 1}, "step_cooldown_days": {0, 365},
	"outcome_check_days": {1, 365}, "outcome_min_rise": {0, 1}, "outcome_min_evidence": {0, 100},
	"breach_window_days": {1, 365}, "breach_min_weight": {0, 100}, "barrier_window_days": {1, 365},
	"tie_tolerance": {0, 1}, "command_share": {0, 1}, "command_window_days": {1, 365},
	"fear_coercive": {0, 5}, "anonymity_k": {MinK, 1000}, "anonymity_floor": {MinK, 1000}, "comments_k": {MinCommentsK, 1000},
	"promise_grace_days": {0, 365}, "rwg_weak": {0, 1}, "rwg_strong": {0, 1}, "self_other_gap": {0, 4},
	"share_say_do": {0, 1},
}

// anonymityFloors are the settings whose lower bound is a promise to the
// team (docs/ANONYMITY.md, rule 8): refusing one says why.
var anonymityFloors = map[string]bool{"anonymity_k": true, "anonymity_floor": true, "comments_k": true}

func init() {
	for i := range settingTable {
		b, ok := settingBounds[settingTable[i].Name]
		if !ok {
			panic("engine: setting " + settingTable[i].Name + " has no bounds")
		}
		settingTable[i].Min, settingTable[i].Max = b[0], b[1]
	}
}

var settingTable = []SettingInfo{
	{Name: "prior_weight", Doc: "W, the weight of the prior in evidence units", get: func(s *Settings) *float64 { return &s.W }},
	{Name: "base_rate", Doc: "a, the propensity to trust before any evidence", get: func(s *Settings) *float64 { return &s.BaseRate }},
	{Name: "trust_threshold", Doc: "θ_T, the neutral point of trust", get: func(s *Settings) *float64 { return &s.ThetaT }},
	{Name: "power_threshold", Doc: "θ_P, power at or above which a relationship counts as high power", get: func(s *Settings) *float64 { return &s.ThetaP }},
	{Name: "half_life_days", Doc: "h, days after which evidence keeps half its weight", get: func(s *Settings) *float64 { return &s.HalfLifeDays }},
	{Name: "kappa_ability", Doc: "κ_A, extra weight of negative ability evidence", get: func(s *Settings) *float64 { return &s.Kappa[Ability] }},
	{Name: "kappa_benevolence", Doc: "κ_B, extra weight of negative benevolence evidence", get: func(s *Settings) *float64 { return &s.Kappa[Benevolence] }},
	{Name: "kappa_integrity", Doc: "κ_I, extra weight of negative integrity evidence", get: func(s *Settings) *float64 { return &s.Kappa[Integrity] }},
	{Name: "lambda_self_positive", Doc: "reliability of leader-logged positive events", get: func(s *Settings) *float64 { return &s.LambdaSelfPos }},
	{Name: "lambda_self_negative", Doc: "reliability of leader-logged negative events", get: func(s *Settings) *float64 { return &s.LambdaSelfNeg }},
	{Name: "lambda_system", Doc: "reliability of system-derived events", get: func(s *Settings) *float64 { return &s.LambdaSystem }},
	{Name: "lambda_confirmed", Doc: "reliability of events confirmed by the person", get: func(s *Settings) *float64 { return &s.LambdaConfirm }},
	{Name: "self_cap", Doc: "C_self, cap on self-logged positive evidence per dimension", get: func(s *Settings) *float64 { return &s.SelfCap }},
	{Name: "checkin_weight", Doc: "ν for a named check-in", get: func(s *Settings) *float64 { return &s.CheckinNu }},
	{Name: "checkin_reliability", Doc: "λ for a named check-in", get: func(s *Settings) *float64 { return &s.CheckinLambda }},
	{Name: "pulse_weight", Doc: "ν for a team pulse (multiplied by rwg)", get: func(s *Settings) *float64 { return &s.PulseNu }},
	{Name: "uncertainty_max", Doc: "u_max, the most uncertainty that still allows a classification", get: func(s *Settings) *float64 { return &s.UMax }},
	{Name: "confidence", Doc: "γ, posterior probability needed to call trust high or low", get: func(s *Settings) *float64 { return &s.Gamma }},
	{Name: "rho_ability", Doc: "ρ_A, share of an ability breach an apology repairs", get: func(s *Settings) *float64 { return &s.Rho[Ability] }},
	{Name: "rho_benevolence", Doc: "ρ_B, share of a benevolence breach an apology repairs", get: func(s *Settings) *float64 { return &s.Rho[Benevolence] }},
	{Name: "rho_integrity", Doc: "ρ_I, share of an integrity breach an apology repairs", get: func(s *Settings) *float64 { return &s.Rho[Integrity] }},
	{Name: "rho_deception", Doc: "share of a deception an apology repairs", get: func(s *Settings) *float64 { return &s.RhoDeception }},
	{Name: "apology_window_days", Doc: "days after a breach in which an apology still repairs", get: func(s *Settings) *float64 { return &s.ApologyWindow }},
	{Name: "gap_threshold", Doc: "authority − trust needed for the weekly pick", get: func(s *Settings) *float64 { return &s.GapThreshold }},
	{Name: "step_cooldown_days", Doc: "days after an accepted step before the same relationship is picked again", get: func(s *Settings) *float64 { return &s.CooldownDays }},
	{Name: "outcome_check_days", Doc: "days after acceptance when a step's outcome is checked", get: func(s *Settings) *float64 { return &s.OutcomeDays }},
	{Name: "outcome_min_rise", Doc: "rise in trust that counts as recovered", get: func(s *Settings) *float64 { return &s.OutcomeRise }},
	{Name: "outcome_min_evidence", Doc: "new evidence units needed to judge an outcome", get: func(s *Settings) *float64 { return &s.OutcomeMinEv }},
	{Name: "breach_window_days", Doc: "days a breach stays eligible for rule R1", get: func(s *Settings) *float64 { return &s.BreachWindow }},
	{Name: "breach_min_weight", Doc: "current weight a breach needs for rule R1", get: func(s *Settings) *float64 { return &s.BreachMin }},
	{Name: "barrier_window_days", Doc: "days over which the dominant barrier is found", get: func(s *Settings) *float64 { return &s.BarrierWindow }},
	{Name: "tie_tolerance", Doc: "dimensions within this of each other count as tied", get: func(s *Settings) *float64 { return &s.TieTolerance }},
	{Name: "command_share", Doc: "share of directives and overused authority that raises command-heavy", get: func(s *Settings) *float64 { return &s.CommandShare }},
	{Name: "command_window_days", Doc: "days over which command-heavy is judged", get: func(s *Settings) *float64 { return &s.CommandWindow }},
	{Name: "fear_coercive", Doc: "coercive power at or above which fear-risk may be raised", geti: func(s *Settings) *int { return &s.FearCoercive }},
	{Name: "anonymity_k", Doc: "k, responses needed before a pulse result is shown", geti: func(s *Settings) *int { return &s.K }},
	{Name: "anonymity_floor", Doc: "the lowest k an organisation may choose", geti: func(s *Settings) *int { return &s.KFloor }},
	{Name: "comments_k", Doc: "responses needed before free-text answers are shown", geti: func(s *Settings) *int { return &s.CommentsK }},
	{Name: "promise_grace_days", Doc: "days after the due date before an open promise is broken", get: func(s *Settings) *float64 { return &s.PromiseGrace }},
	{Name: "rwg_weak", Doc: "rwg below this is weak agreement", get: func(s *Settings) *float64 { return &s.RwgWeak }},
	{Name: "rwg_strong", Doc: "rwg at or above this is strong agreement", get: func(s *Settings) *float64 { return &s.RwgStrong }},
	{Name: "self_other_gap", Doc: "points between self-view and team view that are flagged", get: func(s *Settings) *float64 { return &s.SelfOtherGap }},
	{Name: "share_say_do", Doc: "1 to show your say/do ratio to your team in their window, 0 not to", geti: func(s *Settings) *int { return &s.ShareSayDo }},
}

// SettingNames lists the documented names in table order.
func SettingNames() []SettingInfo {
	out := make([]SettingInfo, len(settingTable))
	copy(out, settingTable)
	return out
}

func findSetting(name string) (SettingInfo, bool) {
	for _, si := range settingTable {
		if si.Name == name {
			return si, true
		}
	}
	return SettingInfo{}, false
}

// Get returns the named setting's value.
func (s *Settings) Get(name string) (float64, error) {
	si, ok := findSetting(name)
	if !ok {
		return 0, unknownSetting(name)
	}
	if si.geti != nil {
		return float64(*si.geti(s)), nil
	}
	return *si.get(s), nil
}

// Set overrides the named setting. Integer settings reject fractions.
func (s *Settings) Set(name string, v float64) error {
	si, ok := findSetting(name)
	if !ok {
		return unknownSetting(name)
	}
	if anonymityFloors[name] && v < si.Min {
		return fmt.Errorf("setting %s must be at least %g, got %g: with fewer answers a respondent is too easy to single out (docs/ANONYMITY.md, rule 8)", name, si.Min, v)
	}
	if !(v >= si.Min && v <= si.Max) { // also refuses NaN
		return fmt.Errorf("setting %s must be between %g and %g, got %g", name, si.Min, si.Max, v)
	}
	if si.geti != nil {
		if v != float64(int(v)) {
			return fmt.Errorf("setting %s takes a whole number, got %g", name, v)
		}
		*si.geti(s) = int(v)
		return nil
	}
	*si.get(s) = v
	return nil
}

func unknownSetting(name string) error {
	names := make([]string, 0, len(settingTable))
	for _, si := range settingTable {
		names = append(names, si.Name)
	}
	sort.Strings(names)
	return fmt.Errorf("unknown setting %q (known: %s)", name, strings.Join(names, ", "))
}

// Anonymity floors (docs/ANONYMITY.md, rule 8): settings may raise these,
// never lower them. The root package names them tl.KFloor and
// tl.CommentsFloor.
const (
	MinK         = 3
	MinCommentsK = 10
)

// Validate reports the first setting outside its meaningful range.
func (s Settings) Validate() error {
	pos := func(name string, v float64) error {
		if !(v > 0) {
			return fmt.Errorf("setting %s must be greater than 0, got %g", name, v)
		}
		return nil
	}
	unit := func(name string, v float64) error {
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("setting %s must be between 0 and 1, got %g", name, v)
		}
		return nil
	}
	for _, c := range []error{
		pos("prior_weight", s.W), unit("base_rate", s.BaseRate), pos("half_life_days", s.HalfLifeDays),
		unit("uncertainty_max", s.UMax), unit("confidence", s.Gamma),
		unit("rho_ability", s.Rho[Ability]), unit("rho_benevolence", s.Rho[Benevolence]),
		unit("rho_integrity", s.Rho[Integrity]), unit("rho_deception", s.RhoDeception),
		unit("trust_threshold", s.ThetaT), unit("power_threshold", s.ThetaP),
	} {
		if c != nil {
			return c
		}
	}
	for d := range NumDims {
		if s.Kappa[d] < 1 {
			return fmt.Errorf("setting kappa_%s must be at least 1, got %g", Dim(d), s.Kappa[d])
		}
	}
	if s.ShareSayDo != 0 && s.ShareSayDo != 1 {
		return fmt.Errorf("setting share_say_do must be 0 or 1, got %d", s.ShareSayDo)
	}
	if s.K < s.KFloor || s.KFloor < MinK {
		return fmt.Errorf("setting anonymity_k (%d) must be at least anonymity_floor (%d), which must be at least %d", s.K, s.KFloor, MinK)
	}
	if s.CommentsK < MinCommentsK {
		return fmt.Errorf("setting comments_k (%d) must be at least %d: with fewer answers a comment's writer is too easy to guess (docs/ANONYMITY.md, rule 8)", s.CommentsK, MinCommentsK)
	}
	return nil
}
