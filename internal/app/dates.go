package app

import (
	"time"

	tl "github.com/trustledger/trustledger"
)

// firstDate is the earliest date an entry, a decision or a due date may
// have. A date in year 1 is what an empty or garbled date field turns
// into, not something that happened, and nothing a leader records is
// older than 1970; with lastDue this is the documented range of dates
// (docs/API.md, "Dates").
var firstDate = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// checkFirstDate refuses a date before firstDate, saying the range.
func checkFirstDate(field, what string, at time.Time) error {
	if at.Before(firstDate) {
		return tl.Invalidf(field, "%s is dated %s: give a date from 1970-01-01 to %s", what, at.UTC().Format("2006-01-02"), upTo(field))
	}
	return nil
}

// upTo is the latest date a field takes, as the error says it.
func upTo(field string) string {
	if field == "due" || field == "new_due" {
		return lastDue.Format("2006-01-02")
	}
	return "today"
}
