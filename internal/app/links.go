package app

import "time"

// mailLink is what a queued message needs to be rendered (see
// mailrender.go): a fresh link token, issued at send time so that no
// token is ever stored, the link's path, and the names the message shows.
// Done says the message is no longer needed (the member answered, the
// pulse closed, the check-in was answered or replaced): it is dropped
// unsent.
type mailLink struct {
	Token  string
	Path   string // "/p/TOKEN", "/c/TOKEN" or "/w/TOKEN"
	Leader string // the leader's name
	Person string // the recipient's name
	Team   string
	Closes time.Time // when the pulse closes, in the leader's zone (zero otherwise)
	Done   bool
}

// Link paths, each followed by the token.
const (
	pulseLinkPrefix   = "/p/"
	checkinLinkPrefix = "/c/"
	windowLinkPrefix  = "/w/"
	addressLinkPrefix = "/v/"
)
