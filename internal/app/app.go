package app

import (
	"context"
	"io"
	"log/slog"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/webhook"
)

// Options configures an App. The zero value is usable.
type Options struct {
	// Now is the clock; tests pass a fixed one. nil means time.Now.
	Now func() time.Time
	// Logger receives what the services do on their own (promises the
	// system broke). nil discards.
	Logger *slog.Logger
	// Webhooks is which addresses a webhook may point at when it is saved
	// (webhook.Policy; the delivery worker checks again at connect time).
	Webhooks webhook.Policy
}

// App implements trustledger.Service on a store.DB.
type App struct {
	db  *store.DB
	now func() time.Time
	log *slog.Logger
	// status and views cache each leader's status and team views
	// between writes (statuscache.go).
	status readCache[*tl.StatusReport]
	views  readCache[[]tl.TeamView]
	// copies keeps ledger entries already read, and lists each
	// leader's recent entries by person until the next write, for the
	// reads of the last weeks (recentcache.go).
	copies entryCopies
	lists  keptLists
	// mixKick wakes RunMixer after an answer or reaction (mix.go).
	mixKick chan struct{}
	// hooks is Options.Webhooks.
	hooks webhook.Policy
	// answers queues the API's answers to store for their idempotency
	// keys (idempotency.go).
	answers answerQueue
}

// App is the whole contract; MailRenderer, RunMixer and MixVoice are for the
// wiring in cmd/ only.
var _ tl.Services = (*App)(nil)

// New returns the services over db.
func New(db *store.DB, opts Options) *App {
	a := &App{db: db, now: opts.Now, log: opts.Logger, mixKick: make(chan struct{}, 1), hooks: opts.Webhooks}
	a.status.copy = copyStatus
	a.views.copy = copyViews
	if a.now == nil {
		a.now = time.Now
	}
	if a.log == nil {
		a.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return a
}

// clock returns now in UTC, truncated to the millisecond the store keeps,
// so that what a method returns equals what a later read returns.
func (a *App) clock() time.Time { return a.now().UTC().Truncate(time.Millisecond) }

// Who records entries: the leader, or the system for derived events.
const (
	byLeader = "leader"
	bySystem = "system"
)

// maxListLen is the most entries one Events call returns. The limits on
// free text are the root package's (limits.go), shared with the API.
const maxListLen = 1000

// Names of the kinds the services produce themselves.
const (
	kindPromiseKept         engine.Kind = "promise-kept"
	kindPromiseKeptLate     engine.Kind = "promise-kept-late"
	kindPromiseRenegotiated engine.Kind = "promise-renegotiated"
	kindPromiseBroken       engine.Kind = "promise-broken"
	kindDecisionExplained   engine.Kind = "decision-explained"
	kindDecisionUnexplained engine.Kind = "decision-unexplained"
	kindAuthorityGranted    engine.Kind = "authority-granted"
	kindAuthorityRemoved    engine.Kind = "authority-removed"
)

const day = 24 * time.Hour

// days converts a setting in days to a duration.
func days(d float64) time.Duration { return time.Duration(d * float64(day)) }

// checkLeader makes sure the leader exists; every method starts here, so
// an unknown or deleted leader id is ENOTFOUND everywhere.
func checkLeader(ctx context.Context, tx *store.Tx, leaderID string) (*tl.Leader, error) {
	if leaderID == "" {
		return nil, tl.Errorf(tl.EINVALID, "no leader given: pick one with --leader NAME")
	}
	l, err := tx.LeaderByID(ctx, leaderID)
	if err != nil {
		if tl.ErrorCode(err) == tl.ENOTFOUND {
			return nil, tl.Errorf(tl.ENOTFOUND, "no leader with id %q", leaderID)
		}
		return nil, err
	}
	return l, nil
}

// settingsCache holds each leader's settings for one transaction's work
// over many leaders (the tick).
type settingsCache map[string]engine.Settings

// get returns the leader's settings, reading them once.
func (c settingsCache) get(ctx context.Context, tx *store.Tx, leaderID string) (engine.Settings, error) {
	if set, ok := c[leaderID]; ok {
		return set, nil
	}
	set, err := settingsFor(ctx, tx, leaderID)
	if err == nil {
		c[leaderID] = set
	}
	return set, err
}

// settingsFor returns the engine defaults with the leader's overrides.
func settingsFor(ctx context.Context, tx *store.Tx, leaderID string) (engine.Settings, error) {
	over, err := tx.Settings(ctx, leaderID)
	if err != nil {
		return engine.DefaultSettings(), err
	}
	return applySettings(over), nil
}

// leaderSettings is checkLeader and settingsFor in one statement, for
// the writes that need both (store.Tx.LeaderSettings).
func leaderSettings(ctx context.Context, tx *store.Tx, leaderID string) (engine.Settings, error) {
	return entrySettings(ctx, tx, leaderID, "")
}

// entrySettings is leaderSettings for a write of an entry about who: the
// same statement also looks who up, so resolving them and reading their
// running state cost no more round trips (store.Tx.SettingsAndPerson).
func entrySettings(ctx context.Context, tx *store.Tx, leaderID, who string) (engine.Settings, error) {
	if leaderID == "" {
		return engine.DefaultSettings(), tl.Errorf(tl.EINVALID, "no leader given: pick one with --leader NAME")
	}
	over, err := tx.SettingsAndPerson(ctx, leaderID, strings.TrimSpace(who))
	if err != nil {
		if tl.ErrorCode(err) == tl.ENOTFOUND {
			err = tl.Errorf(tl.ENOTFOUND, "no leader with id %q", leaderID)
		}
		return engine.DefaultSettings(), err
	}
	return applySettings(over), nil
}

// applySettings is the default settings with a leader's overrides.
func applySettings(over []tl.Setting) engine.Settings {
	s := engine.DefaultSettings()
	for _, o := range over {
		if err := s.Set(o.Name, o.Value); err != nil {
			// A setting the engine no longer knows is ignored rather
			// than locking the leader out.
			continue
		}
	}
	holdFloors(&s)
	return s
}

// cleanName trims a person or team name and checks its length.
func cleanName(what, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", tl.Errorf(tl.EINVALID, "a %s needs a name", what)
	}
	if n := utf8.RuneCountInString(name); n > tl.MaxNameLength {
		return "", tl.Errorf(tl.EINVALID, "a name may have at most %d characters, this one has %d: shorten it", tl.MaxNameLength, n)
	}
	if !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", tl.Errorf(tl.EINVALID, "a %s's name cannot contain control characters such as line breaks or tabs: type it on one line", what)
	}
	if err := checkVisible("a "+what+"'s name", name); err != nil {
		return "", err
	}
	return name, nil
}

// checkText validates required free text.
func checkText(what, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", tl.Errorf(tl.EINVALID, "%s is empty: say what it is", what)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", tl.Errorf(tl.EINVALID, "%s may have at most %d characters, this one has %d: shorten it", what, max, n)
	}
	if err := checkVisible(what, s); err != nil {
		return "", err
	}
	return s, nil
}

// target is what a "who" names: one person, or a team's active members.
type target struct {
	subject string
	rel     *tl.Relationship // subject person
	team    *tl.Team         // subject team
	members []tl.Relationship
}

// display is the name shown for the target.
func (t target) display() string {
	if t.rel != nil {
		return t.rel.Person
	}
	return t.team.Name
}

// resolveWho finds a person by name, or "team" (the default team), or a
// team by name. A person's name wins over a team's; AddPerson and AddTeam
// keep the two apart.
func resolveWho(ctx context.Context, tx *store.Tx, leaderID, who string) (target, error) {
	who = strings.TrimSpace(who)
	if who == "" {
		return target{}, tl.Errorf(tl.EINVALID, "say who it is about: a person's name, or %q for the whole team", tl.DefaultTeamName)
	}
	if !strings.EqualFold(who, tl.DefaultTeamName) {
		r, err := tx.RelationshipByName(ctx, leaderID, who)
		if err == nil {
			return target{subject: tl.SubjectPerson, rel: r, members: []tl.Relationship{*r}}, nil
		}
		if tl.ErrorCode(err) != tl.ENOTFOUND {
			return target{}, err
		}
	}
	tm, err := tx.TeamByName(ctx, leaderID, who)
	if err != nil {
		if tl.ErrorCode(err) != tl.ENOTFOUND {
			return target{}, err
		}
		return target{}, unknownPerson(ctx, tx, leaderID, who)
	}
	members, err := tx.TeamMembers(ctx, leaderID, tm.ID)
	if err != nil {
		return target{}, err
	}
	return target{subject: tl.SubjectTeam, team: tm, members: members}, nil
}

// findPerson looks a person up by name with a helpful not-found message.
func findPerson(ctx context.Context, tx *store.Tx, leaderID, name string) (*tl.Relationship, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, tl.Errorf(tl.EINVALID, "say which person: give their name")
	}
	r, err := tx.RelationshipByName(ctx, leaderID, name)
	if err != nil {
		if tl.ErrorCode(err) == tl.ENOTFOUND {
			return nil, unknownPerson(ctx, tx, leaderID, name)
		}
		return nil, err
	}
	return r, nil
}

// unknownPerson builds the not-found error for a name, listing the
// leader's people (and their teams beyond the default one).
func unknownPerson(ctx context.Context, tx *store.Tx, leaderID, name string) error {
	rels, err := tx.Relationships(ctx, leaderID)
	if err != nil {
		return err
	}
	teams, err := tx.Teams(ctx, leaderID)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(rels))
	for _, r := range rels {
		names = append(names, r.Person)
	}
	var other []string
	for _, t := range teams {
		if !strings.EqualFold(t.Name, tl.DefaultTeamName) {
			other = append(other, t.Name)
		}
	}
	var b strings.Builder
	b.WriteString("unknown person ")
	if len(other) > 0 {
		b.WriteString("or team ")
	}
	b.WriteString(quote(name))
	b.WriteString(": ")
	if s := suggest(name, append(append([]string{}, names...), other...)); s != "" {
		b.WriteString("did you mean " + s + "? ")
	}
	if len(names) == 0 {
		b.WriteString("no people yet")
	} else {
		b.WriteString("known people are " + strings.Join(names, ", "))
	}
	if len(other) > 0 {
		b.WriteString("; teams are " + tl.DefaultTeamName + ", " + strings.Join(other, ", "))
	}
	b.WriteString(" (add one with: trustledger person add NAME --kind KIND)")
	return &tl.Error{Code: tl.ENOTFOUND, Message: b.String()}
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

// lookupKind validates an event kind, suggesting the closest known one.
func lookupKind(kind engine.Kind) (engine.KindInfo, error) {
	name := strings.TrimSpace(string(kind))
	if name == "" {
		return engine.KindInfo{}, tl.Invalidf("kind", "Pick what happened.")
	}
	info, err := engine.LookupKind(name)
	if err == nil {
		return info, nil
	}
	var known []string
	for _, k := range engine.Kinds() {
		known = append(known, string(k.Kind))
	}
	if s := suggest(name, known); s != "" {
		return engine.KindInfo{}, tl.Invalidf("kind", "unknown kind %q (did you mean %s? see: trustledger log --help)", name, s)
	}
	return engine.KindInfo{}, tl.Invalidf("kind", "unknown kind %q (see the kinds with: trustledger log --help)", name)
}

// suggest returns the known name closest to s when it is close enough to
// be a typo, or "".
func suggest(s string, known []string) string {
	best, bestD := "", 1<<30
	ls := strings.ToLower(s)
	for _, k := range known {
		d := editDistance(ls, strings.ToLower(k))
		if d < bestD || (d == bestD && k < best) {
			best, bestD = k, d
		}
	}
	limit := max(1, min(3, utf8.RuneCountInString(s)/3))
	if best == "" || bestD > limit {
		return ""
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b
// in runes: Levenshtein plus swapping two neighbours, the commonest typo.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			c := 1
			if ra[i-1] == rb[j-1] {
				c = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+c)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// parsePower turns base names into a profile on top of b.
func parsePower(b engine.Bases, power map[string]int) (engine.Bases, error) {
	names := make([]string, 0, len(power))
	for n := range power {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v := power[n]
		base, err := engine.ParseBase(strings.ToLower(strings.TrimSpace(n)))
		if err != nil {
			return b, tl.Invalidf("power", "unknown power base %q: the bases are %s", n, baseNames())
		}
		if v < 0 || v > 4 {
			return b, tl.Invalidf("power."+base.String(), "Pick 0 (none) to 4 (full) for power base %s: a base is 0–4, not %d", base, v)
		}
		b[base] = v
	}
	return b, nil
}

func baseNames() string {
	var s []string
	for i := range engine.NumBases {
		s = append(s, engine.Base(i).String())
	}
	return strings.Join(s, ", ")
}

// nonNil returns s, or an empty slice when s is nil: lists are never nil.
// listForLeader reads one of the leader's lists after checking the leader
// exists, and never returns a nil slice.
func listForLeader[T any](ctx context.Context, a *App, leaderID string, list func(*store.Tx, context.Context, string) ([]T, error)) ([]T, error) {
	var out []T
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := checkLeader(ctx, tx, leaderID); err != nil {
			return err
		}
		var err error
		out, err = list(tx, ctx, leaderID)
		return err
	})
	return nonNil(out), err
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
