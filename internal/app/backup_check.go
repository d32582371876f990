package app

// Checking a backup before anything of it is written: every row, and every
// reference between rows.

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// checked is what validating a backup found out on the way.
type checked struct {
	sources    []engine.Source
	severities []engine.Severity
	settings   map[string]engine.Settings
}

// checkBackup validates every row and every reference inside the backup,
// returning the first problem with the row it is in.
func checkBackup(b *tl.Backup) (*checked, error) {
	chk := &checked{settings: map[string]engine.Settings{}}
	ids := map[string]string{} // every id → what it is, across tables
	seen := func(what string, i int, id string) error {
		if strings.TrimSpace(id) == "" {
			return rowErr(tl.EINVALID, what, i, `""`, "has no id")
		}
		if prev, ok := ids[what+":"+id]; ok {
			return rowErr(tl.EINVALID, what, i, id, "the same id appears twice (%s)", prev)
		}
		ids[what+":"+id] = fmt.Sprintf("%s %d", what, i+1)
		return nil
	}
	leaders := map[string]bool{}
	names := map[string]bool{}
	for i, l := range b.Leaders {
		if err := seen("leader", i, l.ID); err != nil {
			return nil, err
		}
		if _, err := cleanName("leader", l.Name); err != nil {
			return nil, rowErr(tl.EINVALID, "leader", i, l.ID, "%w", err)
		}
		if names[strings.ToLower(l.Name)] {
			return nil, rowErr(tl.EINVALID, "leader", i, l.ID, "the name %q appears twice", l.Name)
		}
		names[strings.ToLower(l.Name)] = true
		if l.TimeZone != "" {
			// The zone the leader's weeks follow comes along; a file may
			// be older than zones (none) but not name one we do not know.
			name, err := checkZone(l.TimeZone)
			if err != nil {
				return nil, rowErr(tl.EINVALID, "leader", i, l.ID, "%w", err)
			}
			b.Leaders[i].TimeZone = name
		}
		leaders[l.ID] = true
		chk.settings[l.ID] = engine.DefaultSettings()
	}
	teams := map[string]tl.Team{}
	teamNames := map[string]bool{}
	hasDefault := map[string]bool{}
	for i, t := range b.Teams {
		if err := seen("team", i, t.ID); err != nil {
			return nil, err
		}
		if !leaders[t.LeaderID] {
			return nil, rowErr(tl.EINVALID, "team", i, t.ID, "leader %q is not in the backup", t.LeaderID)
		}
		if _, err := cleanName("team", t.Name); err != nil {
			return nil, rowErr(tl.EINVALID, "team", i, t.ID, "%w", err)
		}
		key := t.LeaderID + "/" + strings.ToLower(t.Name)
		if teamNames[key] {
			return nil, rowErr(tl.EINVALID, "team", i, t.ID, "the leader has two teams named %q", t.Name)
		}
		teamNames[key] = true
		if strings.EqualFold(t.Name, tl.DefaultTeamName) {
			hasDefault[t.LeaderID] = true
		}
		teams[t.ID] = t
	}
	for i, l := range b.Leaders {
		if !hasDefault[l.ID] {
			return nil, rowErr(tl.EINVALID, "leader", i, l.ID, "has no team named %q; every leader has one", tl.DefaultTeamName)
		}
	}
	rels := map[string]tl.Relationship{}
	people := map[string]bool{}
	for i, r := range b.People {
		if err := seen("relationship", i, r.ID); err != nil {
			return nil, err
		}
		if !leaders[r.LeaderID] {
			return nil, rowErr(tl.EINVALID, "relationship", i, r.ID, "leader %q is not in the backup", r.LeaderID)
		}
		if t, ok := teams[r.TeamID]; !ok || t.LeaderID != r.LeaderID {
			return nil, rowErr(tl.EINVALID, "relationship", i, r.ID, "team %q is not one of the leader's teams in the backup", r.TeamID)
		}
		if err := r.Validate(); err != nil {
			return nil, rowErr(tl.EINVALID, "relationship", i, r.ID, "%w", err)
		}
		if _, err := cleanName("person", r.Person); err != nil {
			return nil, rowErr(tl.EINVALID, "relationship", i, r.ID, "%w", err)
		}
		key := r.LeaderID + "/" + strings.ToLower(r.Person)
		if people[key] || teamNames[key] {
			return nil, rowErr(tl.EINVALID, "relationship", i, r.ID, "the name %q is used twice", r.Person)
		}
		people[key] = true
		rels[r.ID] = r
	}
	// subject checks a person or team reference for one leader.
	subject := func(what string, i int, id, leaderID, relID, teamID string) error {
		switch {
		case relID != "" && teamID != "":
			return rowErr(tl.EINVALID, what, i, id, "names both a person and a team")
		case relID != "":
			if r, ok := rels[relID]; !ok || r.LeaderID != leaderID {
				return rowErr(tl.EINVALID, what, i, id, "relationship %q is not one of the leader's in the backup", relID)
			}
		case teamID != "":
			if t, ok := teams[teamID]; !ok || t.LeaderID != leaderID {
				return rowErr(tl.EINVALID, what, i, id, "team %q is not one of the leader's in the backup", teamID)
			}
		default:
			return rowErr(tl.EINVALID, what, i, id, "names no person and no team")
		}
		return nil
	}
	decisions := map[string]string{}
	for i, d := range b.Decisions {
		if err := seen("decision", i, d.ID); err != nil {
			return nil, err
		}
		if !leaders[d.LeaderID] {
			return nil, rowErr(tl.EINVALID, "decision", i, d.ID, "leader %q is not in the backup", d.LeaderID)
		}
		if err := subject("decision", i, d.ID, d.LeaderID, d.RelationshipID, d.TeamID); err != nil {
			return nil, err
		}
		if strings.TrimSpace(d.What) == "" {
			return nil, rowErr(tl.EINVALID, "decision", i, d.ID, "says nothing about what was decided")
		}
		decisions[d.ID] = d.LeaderID
	}
	steps := map[string]string{}
	stepWeeks := map[string]bool{}
	for i, s := range b.Steps {
		if err := seen("step", i, s.ID); err != nil {
			return nil, err
		}
		if !leaders[s.LeaderID] {
			return nil, rowErr(tl.EINVALID, "step", i, s.ID, "leader %q is not in the backup", s.LeaderID)
		}
		if r, ok := rels[s.RelationshipID]; !ok || r.LeaderID != s.LeaderID {
			return nil, rowErr(tl.EINVALID, "step", i, s.ID, "relationship %q is not one of the leader's in the backup", s.RelationshipID)
		}
		switch s.Status {
		case tl.StepSuggested, tl.StepAccepted, tl.StepDone, tl.StepSkipped:
		default:
			return nil, rowErr(tl.EINVALID, "step", i, s.ID, "unknown status %q", s.Status)
		}
		key := s.LeaderID + "/" + s.WeekStart.UTC().Format(time.RFC3339)
		if stepWeeks[key] {
			return nil, rowErr(tl.EINVALID, "step", i, s.ID, "a second step for the week of %s", s.WeekStart.Format("2006-01-02"))
		}
		stepWeeks[key] = true
		steps[s.ID] = s.LeaderID
	}
	promises := map[string]string{}
	for i, c := range b.Promises {
		if err := seen("commitment", i, c.ID); err != nil {
			return nil, err
		}
		if !leaders[c.LeaderID] {
			return nil, rowErr(tl.EINVALID, "commitment", i, c.ID, "leader %q is not in the backup", c.LeaderID)
		}
		if err := subject("commitment", i, c.ID, c.LeaderID, c.RelationshipID, c.TeamID); err != nil {
			return nil, err
		}
		switch c.Status {
		case tl.PromiseOpen, tl.PromiseKept, tl.PromiseKeptLate, tl.PromiseRenegotiated, tl.PromiseBroken:
		default:
			return nil, rowErr(tl.EINVALID, "commitment", i, c.ID, "unknown status %q", c.Status)
		}
		if strings.TrimSpace(c.What) == "" || c.Due.IsZero() {
			return nil, rowErr(tl.EINVALID, "commitment", i, c.ID, "needs what was promised and a due date")
		}
		if c.StepID != "" && steps[c.StepID] != c.LeaderID {
			return nil, rowErr(tl.EINVALID, "commitment", i, c.ID, "step %q is not the leader's in the backup", c.StepID)
		}
		promises[c.ID] = c.LeaderID
	}
	for i, s := range b.Steps {
		if s.PromiseID != "" && promises[s.PromiseID] != s.LeaderID {
			return nil, rowErr(tl.EINVALID, "step", i, s.ID, "commitment %q is not the leader's in the backup", s.PromiseID)
		}
	}

	// Events, in two passes: the first learns every id, the second checks
	// the links between entries.
	type evInfo struct {
		leader string
		kind   engine.KindInfo
		at     time.Time
		rev    bool
	}
	evs := make(map[string]evInfo, len(b.Events))
	chk.sources = make([]engine.Source, len(b.Events))
	chk.severities = make([]engine.Severity, len(b.Events))
	for i, e := range b.Events {
		if err := seen("event", i, e.ID); err != nil {
			return nil, err
		}
		if !leaders[e.LeaderID] {
			return nil, rowErr(tl.EINVALID, "event", i, e.ID, "leader %q is not in the backup", e.LeaderID)
		}
		info, err := engine.LookupKind(string(e.Kind))
		if err != nil || info.Kind != e.Kind {
			return nil, rowErr(tl.EINVALID, "event", i, e.ID, "unknown kind %q", e.Kind)
		}
		if chk.sources[i], err = engine.ParseSource(e.SourceName); err != nil {
			return nil, rowErr(tl.EINVALID, "event", i, e.ID, "unknown source %q (want self, system or confirmed)", e.SourceName)
		}
		if chk.severities[i], err = engine.ParseSeverity(e.SeverityName); err != nil {
			return nil, rowErr(tl.EINVALID, "event", i, e.ID, "unknown severity %q (want minor, normal, major or severe)", e.SeverityName)
		}
		if e.OccurredAt.IsZero() || e.RecordedAt.IsZero() {
			return nil, rowErr(tl.EINVALID, "event", i, e.ID, "has no date")
		}
		wantSubject := tl.SubjectPerson
		if e.RelationshipID == "" {
			wantSubject = tl.SubjectTeam
		}
		if e.Subject != wantSubject {
			return nil, rowErr(tl.EINVALID, "event", i, e.ID, "subject %q does not match whom it names", e.Subject)
		}
		if err := subject("event", i, e.ID, e.LeaderID, e.RelationshipID, e.TeamID); err != nil {
			return nil, err
		}
		seenT := map[string]bool{}
		for _, t := range e.Targets {
			if r, ok := rels[t]; !ok || r.LeaderID != e.LeaderID {
				return nil, rowErr(tl.EINVALID, "event", i, e.ID, "target %q is not one of the leader's relationships in the backup", t)
			}
			if seenT[t] {
				return nil, rowErr(tl.EINVALID, "event", i, e.ID, "target %q appears twice", t)
			}
			seenT[t] = true
		}
		if e.RelationshipID != "" && (len(e.Targets) != 1 || e.Targets[0] != e.RelationshipID) {
			return nil, rowErr(tl.EINVALID, "event", i, e.ID, "an entry about one person applies to that person only")
		}
		if info.IsPower && e.Reverses == "" {
			if _, err := engine.ParseBase(e.Base); err != nil || e.Shift == 0 {
				return nil, rowErr(tl.EINVALID, "event", i, e.ID, "a power entry needs a base and a shift")
			}
			if e.Shift < -4 || e.Shift > 4 {
				return nil, rowErr(tl.EINVALID, "event", i, e.ID, "a power shift is at most 4 points either way, got %d", e.Shift)
			}
		}
		if e.PromiseID != "" && promises[e.PromiseID] != e.LeaderID {
			return nil, rowErr(tl.EINVALID, "event", i, e.ID, "commitment %q is not the leader's in the backup", e.PromiseID)
		}
		if e.DecisionID != "" && decisions[e.DecisionID] != e.LeaderID {
			return nil, rowErr(tl.EINVALID, "event", i, e.ID, "decision %q is not the leader's in the backup", e.DecisionID)
		}
		evs[e.ID] = evInfo{leader: e.LeaderID, kind: info, at: e.OccurredAt, rev: e.Reverses != ""}
	}
	reversedBy := map[string]bool{}
	repairedBy := map[string]bool{}
	for i, e := range b.Events {
		if e.Reverses != "" {
			o, ok := evs[e.Reverses]
			switch {
			case !ok || o.leader != e.LeaderID:
				return nil, rowErr(tl.EINVALID, "event", i, e.ID, "reverses %q, which is not the leader's entry in the backup", e.Reverses)
			case o.rev:
				return nil, rowErr(tl.EINVALID, "event", i, e.ID, "reverses %q, which is itself a reversal", e.Reverses)
			case reversedBy[e.Reverses]:
				return nil, rowErr(tl.EINVALID, "event", i, e.ID, "reverses %q a second time", e.Reverses)
			}
			reversedBy[e.Reverses] = true
		}
		info := evs[e.ID].kind
		if info.IsApology && e.Reverses == "" {
			o, ok := evs[e.Repairs]
			switch {
			case !ok || o.leader != e.LeaderID:
				return nil, rowErr(tl.EINVALID, "event", i, e.ID, "the apology repairs %q, which is not the leader's entry in the backup", e.Repairs)
			case !o.kind.Breach || o.rev:
				return nil, rowErr(tl.EINVALID, "event", i, e.ID, "the apology repairs %q, which is not a breach", e.Repairs)
			case e.OccurredAt.Before(o.at):
				return nil, rowErr(tl.EINVALID, "event", i, e.ID, "the apology is dated before the breach it repairs")
			}
		} else if e.Repairs != "" && e.Reverses == "" {
			return nil, rowErr(tl.EINVALID, "event", i, e.ID, "only an apology repairs an entry")
		}
	}
	// A breach repaired by a live apology must itself be live, as the
	// running services guarantee.
	for i, e := range b.Events {
		if evs[e.ID].kind.IsApology && e.Reverses == "" && !reversedBy[e.ID] {
			if reversedBy[e.Repairs] {
				return nil, rowErr(tl.EINVALID, "event", i, e.ID, "the apology repairs %q, which was reversed", e.Repairs)
			}
			if repairedBy[e.Repairs] {
				return nil, rowErr(tl.EINVALID, "event", i, e.ID, "a second apology for %q", e.Repairs)
			}
			repairedBy[e.Repairs] = true
		}
	}

	for i, j := range b.Journal {
		if err := seen("journal entry", i, j.ID); err != nil {
			return nil, err
		}
		if !leaders[j.LeaderID] {
			return nil, rowErr(tl.EINVALID, "journal entry", i, j.ID, "leader %q is not in the backup", j.LeaderID)
		}
		if j.Question < 0 || j.Question > len(tl.ReflectionQuestions) {
			return nil, rowErr(tl.EINVALID, "journal entry", i, j.ID, "question must be 0–%d, got %d", len(tl.ReflectionQuestions), j.Question)
		}
		if strings.TrimSpace(j.Text) == "" || utf8.RuneCountInString(j.Text) > tl.MaxNoteLength {
			return nil, rowErr(tl.EINVALID, "journal entry", i, j.ID, "the text must have 1–%d characters", tl.MaxNoteLength)
		}
	}
	setNames := map[string]bool{}
	for i, s := range b.Settings {
		if !leaders[s.LeaderID] {
			return nil, rowErr(tl.EINVALID, "setting", i, s.Name, "leader %q is not in the backup", s.LeaderID)
		}
		if setNames[s.LeaderID+"/"+s.Name] {
			return nil, rowErr(tl.EINVALID, "setting", i, s.Name, "appears twice for the same leader")
		}
		setNames[s.LeaderID+"/"+s.Name] = true
		set := chk.settings[s.LeaderID]
		if err := set.Set(s.Name, s.Value); err != nil {
			return nil, rowErr(tl.EINVALID, "setting", i, s.Name, "%w", err)
		}
		if err := set.Validate(); err != nil {
			return nil, rowErr(tl.EINVALID, "setting", i, s.Name, "%w", err)
		}
		chk.settings[s.LeaderID] = set
	}
	return chk, nil
}
