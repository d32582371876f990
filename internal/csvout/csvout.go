// Package csvout writes a leader's ledger, promises, decisions and people
// as CSV for spreadsheets: one header row, times in RFC 3339 UTC, and every
// cell that a spreadsheet would read as a formula made inert.
//
// The web's downloads and the CLI's `export --csv` both call Write, so the
// two give the same file. Like every front end it holds only the contract
// (tl.Service) and acts for the one leader it is given.
package csvout

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// Kind is what an export holds.
type Kind string

// The exports.
const (
	Ledger    Kind = "ledger"
	Promises  Kind = "promises"
	Decisions Kind = "decisions"
	People    Kind = "people"
)

// Kinds are the exports, in the order help texts list them.
var Kinds = []Kind{Ledger, Promises, Decisions, People}

// ParseKind reads an export's name, an EINVALID error naming the choices
// when it is none of them.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return "", tl.WithField(tl.Errorf(tl.EINVALID, "no CSV export named %q: choose %s", s, strings.Join(names, ", ")), "kind")
}

// Filename is the name a download of kind made at now is saved under, such
// as "trustledger-promises-2026-12-07.csv" (the day in UTC, as in the file).
func Filename(kind Kind, now time.Time) string {
	return "trustledger-" + string(kind) + "-" + now.UTC().Format(time.DateOnly) + ".csv"
}

// ContentType is the media type of the files Write makes (RFC 4180, in
// UTF-8).
const ContentType = "text/csv; charset=utf-8"

// pageSize is how many ledger entries Write reads at once (a variable for
// the tests, which page through a short ledger): the services
// cap a list (app's maxListLen), and the ledger is read page by page.
var pageSize = 500

// Write writes leaderID's export of kind to w: a header row, then one row
// per record, newest first for the ledger and in the services' order for
// the rest.
func Write(ctx context.Context, svc tl.Service, leaderID string, kind Kind, w io.Writer) error {
	var rows [][]string
	var err error
	switch kind {
	case Ledger:
		rows, err = ledgerRows(ctx, svc, leaderID)
	case Promises:
		rows, err = promiseRows(ctx, svc, leaderID)
	case Decisions:
		rows, err = decisionRows(ctx, svc, leaderID)
	case People:
		rows, err = peopleRows(ctx, svc, leaderID)
	default:
		_, err = ParseKind(string(kind))
	}
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	for _, row := range rows {
		for i, cell := range row {
			row[i] = Escape(cell)
		}
		if err := cw.Write(row); err != nil {
			return tl.Errorf(tl.EINTERNAL, "writing the CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return tl.Errorf(tl.EINTERNAL, "writing the CSV: %w", err)
	}
	return nil
}

// Escape makes a cell inert for spreadsheets: a cell that begins with =,
// +, -, @, a tab or a carriage return could be read as a formula (the
// OWASP advice on CSV injection), so it gets a single quote in front,
// which spreadsheets show as text. Every other cell is left as it is.
func Escape(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// stamp is a time in RFC 3339 UTC, or "" for none.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func ledgerRows(ctx context.Context, svc tl.Service, leaderID string) ([][]string, error) {
	names, err := namesOf(ctx, svc, leaderID)
	if err != nil {
		return nil, err
	}
	rows := [][]string{{"id", "occurred_at", "recorded_at", "who", "subject", "kind", "source", "severity",
		"note", "recorded_by", "reverses", "repairs", "promise_id", "decision_id", "base", "shift"}}
	before := ""
	for {
		evs, err := svc.Events(ctx, leaderID, tl.EventFilter{Limit: pageSize, Before: before})
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			shift := ""
			if e.Base != "" {
				shift = strconv.Itoa(e.Shift)
			}
			who := names[e.RelationshipID]
			if e.RelationshipID == "" {
				who = names[e.TeamID]
			}
			rows = append(rows, []string{e.ID, stamp(e.OccurredAt), stamp(e.RecordedAt), who, e.Subject, string(e.Kind),
				e.Source.String(), e.Severity.String(), e.Note, e.RecordedBy, e.Reverses, e.Repairs,
				e.PromiseID, e.DecisionID, e.Base, shift})
		}
		if len(evs) < pageSize {
			return rows, nil
		}
		before = evs[len(evs)-1].ID
	}
}

// namesOf maps the ids of leaderID's people and teams to their names: an
// entry names whom it concerns by id.
func namesOf(ctx context.Context, svc tl.Service, leaderID string) (map[string]string, error) {
	people, err := svc.People(ctx, leaderID)
	if err != nil {
		return nil, err
	}
	teams, err := svc.Teams(ctx, leaderID)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(people)+len(teams))
	for _, p := range people {
		names[p.ID] = p.Person
	}
	for _, t := range teams {
		names[t.ID] = t.Name
	}
	return names, nil
}

func promiseRows(ctx context.Context, svc tl.Service, leaderID string) ([][]string, error) {
	ps, err := svc.Promises(ctx, leaderID, "")
	if err != nil {
		return nil, err
	}
	rows := [][]string{{"id", "to", "what", "due", "status", "created_at", "resolved_at", "step_id"}}
	for _, p := range ps {
		rows = append(rows, []string{p.ID, p.To, p.What, stamp(p.Due), string(p.Status),
			stamp(p.CreatedAt), stamp(p.ResolvedAt), p.StepID})
	}
	return rows, nil
}

func decisionRows(ctx context.Context, svc tl.Service, leaderID string) ([][]string, error) {
	ds, err := svc.Decisions(ctx, leaderID)
	if err != nil {
		return nil, err
	}
	rows := [][]string{{"id", "what", "why", "affects", "decided_at", "created_at"}}
	for _, d := range ds {
		rows = append(rows, []string{d.ID, d.What, d.Why, d.Affects, stamp(d.DecidedAt), stamp(d.CreatedAt)})
	}
	return rows, nil
}

func peopleRows(ctx context.Context, svc tl.Service, leaderID string) ([][]string, error) {
	people, err := svc.People(ctx, leaderID)
	if err != nil {
		return nil, err
	}
	names, err := namesOf(ctx, svc, leaderID)
	if err != nil {
		return nil, err
	}
	header := []string{"id", "person", "kind", "team", "email", "email_confirmed_at", "active", "started_at", "created_at"}
	for b := range engine.Base(engine.NumBases) {
		header = append(header, "power_"+b.String())
	}
	rows := [][]string{header}
	for _, p := range people {
		row := []string{p.ID, p.Person, string(p.Kind), names[p.TeamID], p.Email, stamp(p.EmailConfirmedAt),
			strconv.FormatBool(p.Active), stamp(p.StartedAt), stamp(p.CreatedAt)}
		for _, v := range p.Bases {
			row = append(row, strconv.Itoa(v))
		}
		rows = append(rows, row)
	}
	return rows, nil
}
