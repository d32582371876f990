package app

import "context"

// PulseLinkForTest issues a member's pulse link as the mail worker would
// at send time, and returns the token ("" when no link is needed).
func (a *App) PulseLinkForTest(ctx context.Context, pulseID, relID string) (string, error) {
	l, err := a.pulseMailLink(ctx, pulseID, relID)
	return l.Token, err
}
