package api

import (
	"github.com/danielgtaylor/huma/v2"

	tl "github.com/trustledger/trustledger"
)

// The strings of request bodies whose length the services bound. Each
// type takes its maxLength from the root package's constant when huma
// builds the schema (huma.SchemaTransformer), so the document and the
// API's validation say exactly what the services refuse, and the web's
// forms state the same numbers: no limit is written twice. A body field
// of one of these types carries no maxLength tag of its own (a tag would
// win over the transformer).
type (
	nameString     string // a person's, team's, program's or token's name
	textString     string // a promise, a decision, a why
	noteString     string // a ledger entry's note, a journal entry
	questionString string // a pulse's open question
	emailString    string // an email address
	urlString      string // a webhook's address
	rosterString   string // a roster file
	scenarioString string // a scenario file
	idempotencyKey string // the Idempotency-Key header
	zoneString     string // a time zone's IANA name
)

func withMaxLength(s *huma.Schema, n int) *huma.Schema {
	s.MaxLength = &n
	return s
}

func (nameString) TransformSchema(_ huma.Registry, s *huma.Schema) *huma.Schema {
	return withMaxLength(s, tl.MaxNameLength)
}

func (textString) TransformSchema(_ huma.Registry, s *huma.Schema) *huma.Schema {
	return withMaxLength(s, tl.MaxTextLength)
}

func (noteString) TransformSchema(_ huma.Registry, s *huma.Schema) *huma.Schema {
	return withMaxLength(s, tl.MaxNoteLength)
}

func (questionString) TransformSchema(_ huma.Registry, s *huma.Schema) *huma.Schema {
	return withMaxLength(s, tl.MaxQuestionLength)
}

func (emailString) TransformSchema(_ huma.Registry, s *huma.Schema) *huma.Schema {
	return withMaxLength(s, tl.MaxEmailLength)
}

func (urlString) TransformSchema(_ huma.Registry, s *huma.Schema) *huma.Schema {
	return withMaxLength(s, tl.MaxURLLength)
}

func (rosterString) TransformSchema(_ huma.Registry, s *huma.Schema) *huma.Schema {
	return withMaxLength(s, tl.MaxRosterBytes)
}

func (idempotencyKey) TransformSchema(_ huma.Registry, s *huma.Schema) *huma.Schema {
	return withMaxLength(s, tl.MaxIdempotencyKeyLength)
}

func (scenarioString) TransformSchema(_ huma.Registry, s *huma.Schema) *huma.Schema {
	return withMaxLength(s, tl.MaxScenarioBytes)
}

func (zoneString) TransformSchema(_ huma.Registry, s *huma.Schema) *huma.Schema {
	return withMaxLength(s, tl.MaxZoneLength)
}
