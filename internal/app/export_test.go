package app

import "context"

// PulseLinkForTest issues a member's pulse link as the mail worker would
// at send time, and returns the token ("" when no link is needed).
func (a *App) PulseLinkForTest(ctx context.Context, pulseID, relID string) (string, error) {
	l, err := a.pulseMailLink(ctx, pulseID, relID)
	return l.Token, err
}

// AddressLinkForTest issues a person's address confirmation link as the
// mail worker would at send time ("" when none is waiting).
func (a *App) AddressLinkForTest(ctx context.Context, relID, email string) (string, error) {
	l, err := a.addressMailLink(ctx, relID, email)
	return l.Token, err
}

// WindowLinkForTest issues a person's window link as the mail worker
// would at send time ("" when it would not be sent).
func (a *App) WindowLinkForTest(ctx context.Context, relID, email string) (string, error) {
	l, err := a.windowMailLink(ctx, relID, email)
	return l.Token, err
}

// EntriesReadForTest is how many ledger entries the App has read in full
// for its reads of the last weeks (recentcache.go).
func (a *App) EntriesReadForTest() int64 { return a.copies.read.Load() }
