package app

import (
	"context"

	tl "github.com/trustledger/trustledger"
)

var _ tl.VoiceService = (*App)(nil)

// errNotYet marks a team-voice method still being built (issue 4).
func errNotYet(what string) error { return tl.Errorf(tl.EINTERNAL, "%s is not built yet", what) }

// LaunchPulse (stub).
func (a *App) LaunchPulse(ctx context.Context, leaderID string, in tl.PulseInput) (*tl.PulseLaunch, error) {
	return nil, errNotYet("LaunchPulse")
}

// Pulses (stub).
func (a *App) Pulses(ctx context.Context, leaderID string) ([]tl.Pulse, error) {
	return nil, errNotYet("Pulses")
}

// PulseReport (stub).
func (a *App) PulseReport(ctx context.Context, leaderID, pulseID string) (*tl.PulseReport, error) {
	return nil, errNotYet("PulseReport")
}

// ClosePulse (stub).
func (a *App) ClosePulse(ctx context.Context, leaderID, pulseID string) (*tl.PulseReport, error) {
	return nil, errNotYet("ClosePulse")
}

// RemindPulse (stub).
func (a *App) RemindPulse(ctx context.Context, leaderID, pulseID string) error {
	return errNotYet("RemindPulse")
}

// AnswerSelf (stub).
func (a *App) AnswerSelf(ctx context.Context, leaderID, pulseID string, answers map[string]int) error {
	return errNotYet("AnswerSelf")
}

// TeamViews (stub).
func (a *App) TeamViews(ctx context.Context, leaderID string) ([]tl.TeamView, error) {
	return nil, errNotYet("TeamViews")
}

// OpenPulseLink (stub).
func (a *App) OpenPulseLink(ctx context.Context, token string) (string, error) {
	return "", errNotYet("OpenPulseLink")
}

// PulseForm (stub).
func (a *App) PulseForm(ctx context.Context, pass string) (*tl.PulseForm, error) {
	return nil, errNotYet("PulseForm")
}

// SubmitPulse (stub).
func (a *App) SubmitPulse(ctx context.Context, pass string, in tl.PulseAnswers) error {
	return errNotYet("SubmitPulse")
}
