package api

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// tags group the operations in the document, in the order a reader meets
// them; every operation's tag (its op call) is one of these.
var tags = []*huma.Tag{
	{Name: "account", Description: "Your account and API tokens, and for the owner and admins the accounts, invitations and approvals of the server."},
	{Name: "people", Description: "The people you lead and your teams: add them, their power bases, email addresses, and the links that reach them."},
	{Name: "ledger", Description: "The trust ledger: what built or eroded trust with whom, and the reversal of a wrong entry."},
	{Name: "promises", Description: "Promises you made, how each ended, and your say–do ratio."},
	{Name: "decisions", Description: "Decisions you made that affect people, with their reasons."},
	{Name: "model", Description: "Where every relationship stands: power, trust, influence, quadrant and warnings."},
	{Name: "week", Description: "The one step the model suggests for this week, its outcome, and the weekly email."},
	{Name: "pulses", Description: "Anonymous team pulses, your own view beside the team's, and the views side by side."},
	{Name: "checkins", Description: "Named check-ins: one person's answers, with their name."},
	{Name: "journal", Description: "Your reflection journal, and which entries your programs' coaches may read."},
	{Name: "settings", Description: "The model's settings as they apply to you."},
	{Name: "programs", Description: "Coaching programs: their coaches and leaders, consent, the coaches' aggregate view, and roster imports."},
	{Name: "integrations", Description: "The calendar feed of your promises and webhooks that send events to other tools."},
	{Name: "privacy", Description: "What is kept about one person, and erasing it."},
	{Name: "data", Description: "A JSON backup of the whole ledger, and loading one."},
	{Name: "simulator", Description: "Replaying a scenario through the model without touching the ledger."},
}

// opDoc is what the document says of one operation beyond its summary.
type opDoc struct {
	text string
	// anyAccount: a GET that any account may read, not only one that
	// leads (no 403 for a token that may read).
	anyAccount bool
	// also are the errors the operation's service can answer beyond those
	// its shape brings (see errorStatuses).
	also []int
}

const (
	s404 = http.StatusNotFound
	s409 = http.StatusConflict
)

// opDocs describes every operation by its id; describe panics on an
// operation missing here, so a new one cannot go undescribed.
var opDocs = map[string]opDoc{
	// account
	"getMe": {text: "Returns the account the token acts for, the leader it keeps accounts for (if it leads) and the token's scope. " +
		"Call it first to check a token.", anyAccount: true},
	"setTimeZone": {text: "Sets the IANA time zone your weeks, due dates and times follow. " +
		"A leader's weeks begin on Monday 00:00 in this zone."},
	"listTokens":      {text: "Lists your API tokens (never their secrets) with their names and scopes.", anyAccount: true},
	"createToken":     {text: "Makes an API token with scope read (the default) or write. The secret is in this answer only: keep it, it cannot be shown again."},
	"revokeToken":     {text: "Revokes one of your API tokens; requests with it are refused from now on."},
	"listUsers":       {text: "Lists every account on the server with its role. For the owner and admins."},
	"listInvitations": {text: "Lists every invitation, newest first. For the owner and admins."},
	"createInvitation": {text: "Invites someone by email to an account with a role. By default the invitation is mailed; " +
		"with delivery link, the answer carries the link once, for you to pass on. For the owner and admins.", also: []int{s404}},
	"listApprovals": {text: "Lists the people waiting for an administrator who is not their leader to approve them for the team's voice. " +
		"For the owner and admins."},
	"approvePerson": {text: "Approves a person for the team's voice, so their answers count toward the anonymity threshold. " +
		"For the owner and admins; never the person's own leader."},

	// people
	"listPeople": {text: "Lists the people you lead, with their kind, team, power bases and standing."},
	"createPerson": {text: "Adds a person you lead. Their kind sets default power bases; give power to override them, " +
		"and email for pulse and check-in invitations.", also: []int{s404}},
	"setPersonPower":  {text: "Changes some of a person's power bases (0–4); the bases left out keep their value."},
	"setPersonActive": {text: "Marks a person active or inactive. An inactive person keeps their history.", also: []int{s409}},
	"setPersonEmail":  {text: "Sets a person's email address, which is then confirmed by mail, or clears it with an empty string.", also: []int{s409}},
	"explainPerson": {text: "Explains why one relationship stands where it does: its assessment, the weight of each entry that moved it, " +
		"largest first, and what a broken promise would do."},
	"listTeams":  {text: "Lists your teams."},
	"createTeam": {text: "Adds a team; people and pulses name it."},
	"sendWindowLink": {text: "Mails one person the link to their window, at their confirmed address only. " +
		"Nobody else, you included, ever sees the link.", also: []int{s409}},
	"listVoiceRoster": {text: "Lists where each of your people stands for the team's voice: whether they count toward the anonymity threshold k, and if not, why."},
	"sendAddressConfirmation": {text: "Mails one person the link that confirms their address again, when the first one was lost or expired.",
		also: []int{s409}},

	// ledger
	"listEvents": {text: "Lists the ledger, newest first, in pages, or only what concerns one person or the team (who). " +
		"The cursor stays valid while entries are added.", also: []int{s404}},
	"createEvent": {text: "Logs something that built or eroded trust with a person or a team: a kept promise, recognition, " +
		"an apology that repairs an earlier entry, a change of authority.", also: []int{s404}},
	"reverseEvent": {text: "Cancels a ledger entry made by mistake with a reversing entry; the ledger keeps both, so history stays whole."},

	// promises
	"listPromises": {text: "Lists your promises by due date, open and resolved."},
	"createPromise": {text: "Makes a promise to a person or a team, due at a date. It comes due on its own; " +
		"record its end with the promise's resolution.", also: []int{s404}},
	"resolvePromise": {text: "Records how a promise ended: kept, kept late, renegotiated to a new due date, or broken."},
	"getSayDo":       {text: "Counts the promises that came due and how many of them were kept: your say–do ratio."},

	// decisions
	"listDecisions":  {text: "Lists your decisions, newest first."},
	"createDecision": {text: "Records a decision that affects a person or a team, with why. A decision without a why withdraws trust.", also: []int{s404}},

	// model
	"getStatus": {text: "Reports every relationship: power, trust, influence, quadrant and warnings, as of now."},

	// week
	"getWeek": {text: "Returns this week's one step (or why there is none) and the outcomes of earlier steps."},
	"acceptStep": {text: "Accepts this week's step: it becomes a promise due at the week's end.",
		also: []int{s404}},
	"closeStep":     {text: "Marks this week's accepted step done or skipped.", also: []int{s404}},
	"getWeeklyMail": {text: "Returns when your weekly email goes out, to which address, and when it is next due."},
	"setWeeklyMail": {text: "Chooses the day and hour (in your time zone) of your weekly email, or turns it off."},

	// pulses and check-ins
	"listPulses": {text: "Lists your team pulses, newest first, with their state."},
	"launchPulse": {text: "Launches an anonymous pulse for a team: each person asked gets a personal link by email. " +
		"Results are released only when at least k people answered.", also: []int{s404}},
	"getPulse": {text: "Returns a pulse's results, only as far as anonymity allows: nothing below k answers."},
	"closePulse": {text: "Closes a pulse now: its results are released when at least k answered, else withheld.",
		also: []int{s409}},
	"remindPulse":     {text: "Mails a reminder to everyone asked. The server cannot know who answered, so everyone is reminded."},
	"answerPulseSelf": {text: "Records your own view of the pulse's items, shown beside the team's as the self–team gap."},
	"listTeamViews":   {text: "Lists, per team, the ledger's view, the team's view from its pulses and your own view side by side."},
	"listCheckins":    {text: "Lists the named check-ins you asked for, newest first, with their answers."},
	"askCheckin": {text: "Asks one person a named check-in, by email or as a link shown once. " +
		"Unlike a pulse, the answer carries their name."},

	// journal
	"listJournal":        {text: "Lists your journal, newest first."},
	"createJournalEntry": {text: "Writes a journal entry: an answer to one of the reflection questions (1–3) or a free note (0)."},
	"setJournalShared":   {text: "Shares a journal entry with the coaches of your programs, or stops sharing it."},

	// settings
	"getSettings": {text: "Returns the model's settings as they apply to you."},
	"setSetting": {text: "Changes one model setting; the answer is every setting after the change. trustledger settings lists the names. " +
		"Some settings cannot change while a pulse is open.", also: []int{s409}},

	// programs
	"listPrograms":      {text: "Lists the programs you run, coach or are in.", anyAccount: true},
	"createProgram":     {text: "Makes a coaching program. For the owner and admins."},
	"getProgram":        {text: "Returns a program with its coaches and leaders. A leader sees only their own consent."},
	"getRollup":         {text: "Returns what the program's coaches see: aggregates of the leaders who consent, never one leader's ledger."},
	"addProgramCoach":   {text: "Adds an account as a coach of a program. For admins."},
	"addProgramLeader":  {text: "Adds a leader to a program. Coaches see them only once they consent. For admins."},
	"setProgramConsent": {text: "Gives or withdraws your consent to a program's coaches seeing your aggregates, effective on the next request."},
	"importRoster": {text: "Checks a CSV roster and, unless dry_run is set or a line is wrong, invites everyone in it in one transaction. " +
		"The answer has each line's result and how many invitations and people it made. For admins.", also: []int{s404}},

	// integrations
	"getCalendar":    {text: "Says whether your promises' calendar feed is live."},
	"createCalendar": {text: "Makes a new secret calendar feed URL for your promises; the old URL stops working."},
	"revokeCalendar": {text: "Stops the calendar feed; its URL stops working."},
	"listWebhooks":   {text: "Lists your webhooks and the events each one receives."},
	"createWebhook": {text: "Adds a webhook: the events you choose are posted to the URL (Slack-compatible), signed with HMAC-SHA256. " +
		"The signing secret is in this answer only. Addresses inside the server's network are refused."},
	"deleteWebhook": {text: "Removes a webhook; nothing more is sent to it."},

	// privacy
	"exportPerson": {text: "Returns everything kept about one person, for them to see (a data subject's request)."},
	"erasePerson": {text: "Erases one person's words and name for good. The ledger keeps its shape, so the model's history stays whole.",
		also: []int{s409}},

	// data
	"exportData": {text: "Returns your whole trust ledger as a JSON backup, the kind importData loads."},
	"importData": {text: "Loads a JSON backup in one transaction: all of it or nothing. For the owner and admins.",
		also: []int{s404}},

	// simulator
	"simulate": {text: "Replays a scenario (the YAML of trustledger simulate) week by week through the model and returns each week's state. " +
		"Nothing is written."},
}
