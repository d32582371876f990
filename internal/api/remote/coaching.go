package remote

import (
	"context"
	"net/http"

	tl "github.com/trustledger/trustledger"
)

var _ tl.ProgramService = (*Service)(nil)

func (s *Service) CreateProgram(ctx context.Context, actorID, name string) (*tl.Program, error) {
	if err := s.checkUser(actorID); err != nil {
		return nil, err
	}
	return post[tl.Program](ctx, s, "/programs", struct {
		Name string `json:"name"`
	}{name})
}

func (s *Service) Programs(ctx context.Context, actorID string) ([]tl.Program, error) {
	if err := s.checkUser(actorID); err != nil {
		return nil, err
	}
	return all[tl.Program](ctx, s, "/programs", nil)
}

func (s *Service) Program(ctx context.Context, actorID, id string) (*tl.ProgramDetail, error) {
	if err := s.checkUser(actorID); err != nil {
		return nil, err
	}
	return get[tl.ProgramDetail](ctx, s, pathOf("/programs/%s", id), nil)
}

func (s *Service) AddCoach(ctx context.Context, actorID, id, email string) error {
	if err := s.checkUser(actorID); err != nil {
		return err
	}
	return send(ctx, s, http.MethodPost, pathOf("/programs/%s/coaches", id), emailBody{email})
}

func (s *Service) AddLeader(ctx context.Context, actorID, id, email string) error {
	if err := s.checkUser(actorID); err != nil {
		return err
	}
	return send(ctx, s, http.MethodPost, pathOf("/programs/%s/leaders", id), emailBody{email})
}

func (s *Service) SetConsent(ctx context.Context, actorID, id string, consent bool) error {
	if err := s.checkUser(actorID); err != nil {
		return err
	}
	return send(ctx, s, http.MethodPut, pathOf("/programs/%s/consent", id), struct {
		Consent bool `json:"consent"`
	}{consent})
}

func (s *Service) Rollup(ctx context.Context, actorID, id string) (*tl.Rollup, error) {
	if err := s.checkUser(actorID); err != nil {
		return nil, err
	}
	return get[tl.Rollup](ctx, s, pathOf("/programs/%s/rollup", id), nil)
}

func (s *Service) ShareJournal(ctx context.Context, lid, id string, shared bool) (*tl.JournalEntry, error) {
	if err := s.checkLeader(lid); err != nil {
		return nil, err
	}
	return put[tl.JournalEntry](ctx, s, pathOf("/journal/%s/shared", id), struct {
		Shared bool `json:"shared"`
	}{shared})
}

// Roster sends the roster to the server, which imports it in one
// transaction (progress is not reported over the API).
func (s *Service) Roster(ctx context.Context, actorID string, csv []byte, dryRun bool, _ func(done, total int)) (*tl.RosterResult, error) {
	if err := s.checkUser(actorID); err != nil {
		return nil, err
	}
	return post[tl.RosterResult](ctx, s, "/roster", struct {
		CSV    string `json:"csv"`
		DryRun bool   `json:"dry_run,omitempty"`
	}{string(csv), dryRun})
}

// emailBody names an account by its address (api.EmailBody).
type emailBody struct {
	Email string `json:"email"`
}
