package app

import (
	"context"

	tl "github.com/trustledger/trustledger"
)

// AskCheckin (stub).
func (a *App) AskCheckin(ctx context.Context, leaderID, person, delivery string) (*tl.Checkin, string, error) {
	return nil, "", errNotYet("AskCheckin")
}

// Checkins (stub).
func (a *App) Checkins(ctx context.Context, leaderID string) ([]tl.Checkin, error) {
	return nil, errNotYet("Checkins")
}

// OpenCheckinLink (stub).
func (a *App) OpenCheckinLink(ctx context.Context, token string) (string, error) {
	return "", errNotYet("OpenCheckinLink")
}

// CheckinForm (stub).
func (a *App) CheckinForm(ctx context.Context, pass string) (*tl.CheckinForm, error) {
	return nil, errNotYet("CheckinForm")
}

// AnswerCheckin (stub).
func (a *App) AnswerCheckin(ctx context.Context, pass string, ratings map[string]int, comment string) error {
	return errNotYet("AnswerCheckin")
}

// WindowLink (stub).
func (a *App) WindowLink(ctx context.Context, leaderID, person string) (string, error) {
	return "", errNotYet("WindowLink")
}

// OpenWindowLink (stub).
func (a *App) OpenWindowLink(ctx context.Context, token string) (string, error) {
	return "", errNotYet("OpenWindowLink")
}

// WindowForPass (stub).
func (a *App) WindowForPass(ctx context.Context, pass string) (string, error) {
	return "", errNotYet("WindowForPass")
}

// MemberRelationships (stub).
func (a *App) MemberRelationships(ctx context.Context, userID string) ([]tl.Relationship, error) {
	return nil, errNotYet("MemberRelationships")
}

// Window (stub).
func (a *App) Window(ctx context.Context, relationshipID string) (*tl.Window, error) {
	return nil, errNotYet("Window")
}

// ConfirmPromise (stub).
func (a *App) ConfirmPromise(ctx context.Context, relationshipID, commitmentID string, confirm bool) error {
	return errNotYet("ConfirmPromise")
}

// React (stub).
func (a *App) React(ctx context.Context, relationshipID, decisionID, reaction string) error {
	return errNotYet("React")
}
