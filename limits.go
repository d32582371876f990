package trustledger

// Field limits. The services refuse longer input (EINVALID, naming the
// field), and every front end states the same numbers: the JSON API's
// schema takes its maxLength from these constants (internal/api) and the
// web's forms their maxlength (internal/web), so the API and the web
// accept exactly the same input. Lengths are in characters unless they
// say bytes.
const (
	// MaxNameLength bounds a person's, team's, leader's, account's,
	// program's or API token's name.
	MaxNameLength = 100
	// MaxTextLength bounds a promise, a decision, and a decision's why.
	MaxTextLength = 1000
	// MaxNoteLength bounds a ledger entry's note (and a reversal's) and a
	// journal entry.
	MaxNoteLength = 10000
	// MaxQuestionLength bounds a pulse's open question.
	MaxQuestionLength = 500
	// MaxCommentLength bounds a comment on a pulse or a check-in.
	MaxCommentLength = 2000
	// MaxEmailLength is the longest address SMTP delivers to (RFC 5321),
	// in bytes.
	MaxEmailLength = 254
	// MaxURLLength bounds a webhook's address, in bytes.
	MaxURLLength = 2000
	// MinPasswordLength and MaxPasswordLength bound a password. The upper
	// bound keeps hashing cheap for a server that hashes whatever it gets.
	MinPasswordLength = 10
	MaxPasswordLength = 1024
	// MaxRosterBytes bounds a roster file.
	MaxRosterBytes = 4 << 20
	// MaxScenarioBytes bounds a scenario file the simulator replays.
	MaxScenarioBytes = 256 << 10
	// MaxImportBytes bounds a JSON backup loaded by an import, in bytes.
	MaxImportBytes = 32 << 20
	// MaxRequestBytes bounds the body of every other API request: the
	// longest texts above, many times over.
	MaxRequestBytes = 1 << 20
	// MaxIdempotencyKeyLength bounds an API request's Idempotency-Key.
	MaxIdempotencyKeyLength = 200
)
