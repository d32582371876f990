package remote

import (
	"context"
	"net/http"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/api/client"
)

var _ tl.ProgramService = (*Service)(nil)

func (s *Service) CreateProgram(ctx context.Context, actorID, name string) (*tl.Program, error) {
	if err := s.checkUser(actorID); err != nil {
		return nil, err
	}
	res, err := s.c.CreateProgram(ctx, nil, client.CreateProgramRequest{Name: name})
	return decode[tl.Program](s, res, err)
}

func (s *Service) Programs(ctx context.Context, actorID string) ([]tl.Program, error) {
	if err := s.checkUser(actorID); err != nil {
		return nil, err
	}
	return all[tl.Program](ctx, s, func(cur *string, lim *int64) (*http.Response, error) {
		return s.c.ListPrograms(ctx, &client.ListProgramsParams{Cursor: cur, Limit: lim})
	})
}

func (s *Service) Program(ctx context.Context, actorID, id string) (*tl.ProgramDetail, error) {
	if err := s.checkUser(actorID); err != nil {
		return nil, err
	}
	res, err := s.c.GetProgram(ctx, id)
	return decode[tl.ProgramDetail](s, res, err)
}

func (s *Service) AddCoach(ctx context.Context, actorID, id, email string) error {
	if err := s.checkUser(actorID); err != nil {
		return err
	}
	res, err := s.c.AddProgramCoach(ctx, id, nil, client.EmailBody{Email: email})
	return done(s, res, err)
}

func (s *Service) AddLeader(ctx context.Context, actorID, id, email string) error {
	if err := s.checkUser(actorID); err != nil {
		return err
	}
	res, err := s.c.AddProgramLeader(ctx, id, nil, client.EmailBody{Email: email})
	return done(s, res, err)
}

func (s *Service) SetConsent(ctx context.Context, actorID, id string, consent bool) error {
	if err := s.checkUser(actorID); err != nil {
		return err
	}
	res, err := s.c.SetProgramConsent(ctx, id, client.SetProgramConsentRequest{Consent: consent})
	return done(s, res, err)
}

func (s *Service) Rollup(ctx context.Context, actorID, id string) (*tl.Rollup, error) {
	if err := s.checkUser(actorID); err != nil {
		return nil, err
	}
	res, err := s.c.GetRollup(ctx, id)
	return decode[tl.Rollup](s, res, err)
}

func (s *Service) ShareJournal(ctx context.Context, lid, id string, shared bool) (*tl.JournalEntry, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	res, err := s.c.SetJournalShared(ctx, id, client.SetJournalSharedRequest{Shared: shared})
	return decode[tl.JournalEntry](s, res, err)
}

// Roster sends the roster to the server, which imports it in one
// transaction (progress is not reported over the API).
func (s *Service) Roster(ctx context.Context, actorID string, csv []byte, dryRun bool, _ func(done, total int)) (*tl.RosterResult, error) {
	if err := s.checkUser(actorID); err != nil {
		return nil, err
	}
	b := client.ImportRosterRequest{Csv: string(csv)}
	if dryRun {
		b.DryRun = &dryRun
	}
	res, err := s.c.ImportRoster(ctx, nil, b)
	return decode[tl.RosterResult](s, res, err)
}
