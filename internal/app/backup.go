package app

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// BackupVersion is the format Export writes and Import reads.
const BackupVersion = 1

// importBatch is how many events one multi-row insert carries.
const importBatch = 500

// Export writes one leader's data, or every leader's for "", as a Backup
// read in one transaction (a consistent snapshot).
func (a *App) Export(ctx context.Context, leaderID string) (*tl.Backup, error) {
	now := a.clock()
	b := &tl.Backup{
		Version: BackupVersion, Exported: now,
		Leaders: []tl.Leader{}, Teams: []tl.Team{}, People: []tl.Relationship{}, Events: []tl.BackupEvent{},
		Promises: []tl.Commitment{}, Decisions: []tl.Decision{}, Steps: []tl.Step{}, Journal: []tl.JournalEntry{},
		Settings: []tl.Setting{},
	}
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var leaders []tl.Leader
		if leaderID != "" {
			l, err := checkLeader(ctx, tx, leaderID)
			if err != nil {
				return err
			}
			leaders = []tl.Leader{*l}
		} else {
			var err error
			if leaders, err = tx.Leaders(ctx); err != nil {
				return err
			}
		}
		for _, l := range leaders {
			if err := exportLeader(ctx, tx, l, b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

func exportLeader(ctx context.Context, tx *store.Tx, l tl.Leader, b *tl.Backup) error {
	b.Leaders = append(b.Leaders, l)
	teams, err := tx.Teams(ctx, l.ID)
	if err != nil {
		return err
	}
	b.Teams = append(b.Teams, teams...)
	rels, err := tx.Relationships(ctx, l.ID)
	if err != nil {
		return err
	}
	b.People = append(b.People, rels...)

	// Every entry, then its targets from each relationship's list.
	var evs []tl.Event
	cursor := ""
	for {
		page, err := tx.Events(ctx, l.ID, "", cursor, maxListLen)
		if err != nil {
			return err
		}
		evs = append(evs, page...)
		if len(page) < maxListLen {
			break
		}
		cursor = page[len(page)-1].ID
	}
	targets := make(map[string][]string, len(evs))
	for _, r := range rels {
		tes, err := tx.EventsFor(ctx, l.ID, r.ID, time.Time{})
		if err != nil {
			return err
		}
		for _, te := range tes {
			targets[te.ID] = append(targets[te.ID], r.ID)
		}
	}
	sort.Slice(evs, func(i, j int) bool {
		if !evs[i].OccurredAt.Equal(evs[j].OccurredAt) {
			return evs[i].OccurredAt.Before(evs[j].OccurredAt)
		}
		return evs[i].ID < evs[j].ID
	})
	for _, e := range evs {
		t := targets[e.ID]
		sort.Strings(t)
		e.Targets = t
		b.Events = append(b.Events, tl.BackupEvent{Event: e, SourceName: e.Source.String(), SeverityName: e.Severity.String()})
	}

	cs, err := tx.Commitments(ctx, l.ID, "")
	if err != nil {
		return err
	}
	b.Promises = append(b.Promises, cs...)
	ds, err := tx.Decisions(ctx, l.ID)
	if err != nil {
		return err
	}
	b.Decisions = append(b.Decisions, ds...)
	ss, err := tx.Steps(ctx, l.ID)
	if err != nil {
		return err
	}
	b.Steps = append(b.Steps, ss...)
	js, err := tx.Journal(ctx, l.ID)
	if err != nil {
		return err
	}
	b.Journal = append(b.Journal, js...)
	set, err := tx.Settings(ctx, l.ID)
	if err != nil {
		return err
	}
	b.Settings = append(b.Settings, set...)
	return nil
}

// rowErr names the row of a backup that is wrong.
func rowErr(code, what string, i int, id, format string, args ...any) error {
	return &tl.Error{Code: code, Message: fmt.Sprintf("%s %d (id %s): ", what, i+1, id) + fmt.Sprintf(format, args...)}
}

// wrapRow turns a store conflict on one row into a message naming it.
func wrapRow(err error, what string, i int, id string) error {
	if err == nil {
		return nil
	}
	if tl.ErrorCode(err) == tl.ECONFLICT {
		return rowErr(tl.ECONFLICT, what, i, id, "already in this database")
	}
	return fmt.Errorf("import %s %d (id %s): %w", what, i+1, id, err)
}

// Import loads a backup in one transaction: every row is checked first,
// the first bad one is named, and nothing is written unless all of it is.
// The running state is rebuilt by replaying each relationship's entries.
func (a *App) Import(ctx context.Context, b *tl.Backup) error {
	if b == nil {
		return tl.Errorf(tl.EINVALID, "the backup is empty")
	}
	if b.Version != BackupVersion {
		return tl.Errorf(tl.EINVALID, "the backup has version %d; this trustledger reads version %d", b.Version, BackupVersion)
	}
	chk, err := checkBackup(b)
	if err != nil {
		return err
	}
	return a.db.Write(ctx, func(tx *store.Tx) error {
		for i, l := range b.Leaders {
			if _, err := tx.LeaderByID(ctx, l.ID); err == nil {
				return rowErr(tl.ECONFLICT, "leader", i, l.ID, "already in this database")
			} else if tl.ErrorCode(err) != tl.ENOTFOUND {
				return err
			}
			if _, err := tx.LeaderByName(ctx, l.Name); err == nil {
				return rowErr(tl.ECONFLICT, "leader", i, l.ID, "a leader named %q is already in this database", l.Name)
			} else if tl.ErrorCode(err) != tl.ENOTFOUND {
				return err
			}
			if err := tx.CreateLeader(ctx, &l); err != nil {
				return wrapRow(err, "leader", i, l.ID)
			}
		}
		for i, t := range b.Teams {
			if err := tx.CreateTeam(ctx, &t); err != nil {
				return wrapRow(err, "team", i, t.ID)
			}
		}
		for i, r := range b.People {
			// A backup file is the leader's to edit: the proofs that make
			// a person count toward k are not taken from it
			// (docs/ANONYMITY.md, rule 1).
			r.EmailConfirmedAt, r.ApprovedAt, r.ApprovedBy = time.Time{}, time.Time{}, ""
			if err := tx.CreateRelationship(ctx, &r); err != nil {
				return wrapRow(err, "relationship", i, r.ID)
			}
		}
		for i, d := range b.Decisions {
			if err := tx.CreateDecision(ctx, &d); err != nil {
				return wrapRow(err, "decision", i, d.ID)
			}
		}
		for i, c := range b.Promises {
			if err := tx.CreateCommitment(ctx, &c); err != nil {
				return wrapRow(err, "commitment", i, c.ID)
			}
		}
		for i, s := range b.Steps {
			if err := tx.CreateStep(ctx, &s); err != nil {
				return wrapRow(err, "step", i, s.ID)
			}
		}
		evs := make([]tl.Event, len(b.Events))
		for i, e := range b.Events {
			evs[i] = e.Event
			evs[i].Source, evs[i].Severity = chk.sources[i], chk.severities[i]
		}
		for start := 0; start < len(evs); start += importBatch {
			end := min(start+importBatch, len(evs))
			if err := tx.AppendEvents(ctx, evs[start:end]); err != nil {
				if tl.ErrorCode(err) == tl.ECONFLICT {
					return tl.Errorf(tl.ECONFLICT, "events %d–%d: an entry with one of these ids is already in this database", start+1, end)
				}
				return fmt.Errorf("import events %d–%d: %w", start+1, end, err)
			}
		}
		for i, j := range b.Journal {
			if err := tx.CreateJournal(ctx, &j); err != nil {
				return wrapRow(err, "journal entry", i, j.ID)
			}
		}
		for _, s := range b.Settings {
			if err := tx.PutSetting(ctx, s); err != nil {
				return err
			}
		}
		// Running state: a replay of each relationship's live entries.
		live := liveByRelationship(evs)
		for _, r := range b.People {
			st := chk.settings[r.LeaderID].Replay(live[r.ID])
			if err := tx.PutState(ctx, r.ID, st); err != nil {
				return err
			}
		}
		return nil
	})
}

// liveByRelationship groups the entries that still count (not reversing,
// not reversed) by target relationship, apologies linked to their breach.
func liveByRelationship(evs []tl.Event) map[string][]engine.Event {
	byID := make(map[string]*tl.Event, len(evs))
	reversed := map[string]bool{} // event id + "/" + target: a reversal cancels it there
	for i := range evs {
		byID[evs[i].ID] = &evs[i]
		if evs[i].Reverses != "" {
			for _, t := range evs[i].Targets {
				reversed[evs[i].Reverses+"/"+t] = true
			}
		}
	}
	out := map[string][]engine.Event{}
	for i := range evs {
		e := &evs[i]
		if e.Reverses != "" {
			continue
		}
		ee := toEngine(e, byID[e.Repairs])
		for _, t := range e.Targets {
			if !reversed[e.ID+"/"+t] {
				out[t] = append(out[t], ee)
			}
		}
	}
	return out
}

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
			return nil, rowErr(tl.EINVALID, "leader", i, l.ID, "%s", tl.ErrorMessage(err))
		}
		if names[strings.ToLower(l.Name)] {
			return nil, rowErr(tl.EINVALID, "leader", i, l.ID, "the name %q appears twice", l.Name)
		}
		names[strings.ToLower(l.Name)] = true
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
			return nil, rowErr(tl.EINVALID, "team", i, t.ID, "%s", tl.ErrorMessage(err))
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
			return nil, rowErr(tl.EINVALID, "relationship", i, r.ID, "%s", tl.ErrorMessage(err))
		}
		if _, err := cleanName("person", r.Person); err != nil {
			return nil, rowErr(tl.EINVALID, "relationship", i, r.ID, "%s", tl.ErrorMessage(err))
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
	commitments := map[string]string{}
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
		case tl.CommitmentOpen, tl.CommitmentKept, tl.CommitmentKeptLate, tl.CommitmentRenegotiated, tl.CommitmentBroken:
		default:
			return nil, rowErr(tl.EINVALID, "commitment", i, c.ID, "unknown status %q", c.Status)
		}
		if strings.TrimSpace(c.What) == "" || c.Due.IsZero() {
			return nil, rowErr(tl.EINVALID, "commitment", i, c.ID, "needs what was promised and a due date")
		}
		if c.StepID != "" && steps[c.StepID] != c.LeaderID {
			return nil, rowErr(tl.EINVALID, "commitment", i, c.ID, "step %q is not the leader's in the backup", c.StepID)
		}
		commitments[c.ID] = c.LeaderID
	}
	for i, s := range b.Steps {
		if s.CommitmentID != "" && commitments[s.CommitmentID] != s.LeaderID {
			return nil, rowErr(tl.EINVALID, "step", i, s.ID, "commitment %q is not the leader's in the backup", s.CommitmentID)
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
		if e.CommitmentID != "" && commitments[e.CommitmentID] != e.LeaderID {
			return nil, rowErr(tl.EINVALID, "event", i, e.ID, "commitment %q is not the leader's in the backup", e.CommitmentID)
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
		if strings.TrimSpace(j.Text) == "" || utf8.RuneCountInString(j.Text) > maxNote {
			return nil, rowErr(tl.EINVALID, "journal entry", i, j.ID, "the text must have 1–%d characters", maxNote)
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
			return nil, rowErr(tl.EINVALID, "setting", i, s.Name, "%v", err)
		}
		if err := set.Validate(); err != nil {
			return nil, rowErr(tl.EINVALID, "setting", i, s.Name, "%v", err)
		}
		chk.settings[s.LeaderID] = set
	}
	return chk, nil
}
