package demo

// The demo team's story in words: what Lena wrote in her ledger, her
// decision log and her journal. The numbers come from the scenario (File);
// these give each entry what happened, so a person page reads as that
// person's story.

import "github.com/trustledger/trustledger/internal/engine"

// wordsKey names one list of words: for a person (or TeamName for entries
// about the whole team) and a kind.
type wordsKey struct {
	who  string
	kind engine.Kind
}

// notes are the entries' notes, taken in turn. An entry about a person
// the story has no words for takes the team's words for its kind.
var notes = map[wordsKey][]string{
	// The team: Lena's story in the article.
	{TeamName, "directive"}:          {"Set the week's deadlines and who does what"},
	{TeamName, "authority-overused"}: {`Closed the debate with "because I decided so"`},
	{TeamName, "promise-kept"}:       {"Delivered what I had promised the team, on time"},
	{TeamName, "person-valued"}:      {"One-on-one: asked what motivates them, and listened"},
	{TeamName, "self-disclosure"}: {
		"Told the team about my own doubts in the new role",
		"Admitted in the stand-up that I had misjudged the pilot's timeline",
		"Shared what I am still learning about leading people from four departments",
	},
	{TeamName, "decision-delegated"}: {"Let the team choose the next experiment"},
	{TeamName, "recognition"}:        {"Celebrated a small win in front of everyone"},
	{TeamName, "information-shared"}: {"Shared the context behind the quarter's plan"},
	{TeamName, "apology"}:            {"Apologised, said what went wrong and how I will fix it"},

	// Ana: weeks of decisions about her work without a why, then the why.
	{"Ana", "decision-explained"}: {
		"Went back over the pricing study with Ana: it moved because the pilot needed the budget first",
		"Explained to Ana why the customer interviews went to research: they had the panel already",
		"Told Ana why her weekly report changed: the board reads only the first page",
		"Walked Ana through the reasons for the pilot's scope before announcing it",
		"Explained to Ana why we chose the vendor her analysis had ranked second",
		"Shared with Ana the trade-off behind the new launch date",
	},
	{"Ana", "information-shared"}: {
		"Sent Ana the budget figures before the planning meeting",
		"Shared the steering group's notes with Ana the same day",
		"Gave Ana the context behind the quarter's targets",
		"Forwarded Ana the finance team's questions with my answers",
	},
	{"Ana", "person-valued"}: {
		"One-on-one with Ana: asked what she needs to do her best work, and listened",
		"One-on-one with Ana: her career plans, and what this team can give her",
	},

	// Ben: his launch run by order, week after week.
	{"Ben", "directive"}: {
		"Handed Ben the launch checklist and the deadline",
		"Told Ben to ship the release by Friday",
		"Put Ben on the weekend support rota",
		"Gave Ben the list of fixes for the next build",
	},
	{"Ben", "authority-overused"}: {
		"Overrode Ben's estimate for the launch date",
		`Closed Ben's objection with "because I decided so"`,
		"Told Ben to cut the extra tests and ship",
		"Moved Ben's release without asking him",
	},

	// Chen: trust earned, a promise broken, an apology and the repair.
	{"Chen", "person-valued"}: {
		"One-on-one with Chen: what he wants to learn on this team",
		"One-on-one with Chen: how the experiment is going for him",
	},
	{"Chen", "recognition"}:        {"Celebrated Chen's prototype demo in front of the team"},
	{"Chen", "decision-delegated"}: {"Let Chen choose the data for the next experiment"},
	{"Chen", "promise-broken"}: {
		"Missed the steering group where I had promised to defend Chen's experiment; it was cut",
	},
	{"Chen", "apology"}: {
		"Told Chen that missing the steering group was my fault, and booked the next slot to present his experiment together",
	},
	{"Chen", "promise-kept"}: {
		"Presented Chen's experiment to the steering group with him, as I had promised",
		"Sent Chen the steering group's answer the same day, as promised",
		"Got Chen the extra compute for the experiment, as promised",
		"Kept the Friday review with Chen, as promised",
	},

	// Dara: overruled when she disagreed, then asked to.
	{"Dara", "authority-overused"}: {
		"Cut Dara off when she questioned the deadline",
		"Overruled Dara's objection to the scope without discussion",
	},
	{"Dara", "person-valued"}: {
		"One-on-one with Dara: asked what she would change, and listened",
		"One-on-one with Dara: what makes her work here worth it",
	},
	{"Dara", "dissent-invited"}: {
		"Asked Dara to argue against the plan before we decided, and thanked her for it",
		"Asked Dara for the strongest objection to the new process",
	},
	{"Dara", "decision-delegated"}: {
		"Let Dara decide which experiment runs next",
		"Gave Dara the call on the pilot's scope",
	},
	{"Dara", "recognition"}: {
		"Credited Dara's analysis in front of the whole team",
		"Thanked Dara at the all-hands for the objection that saved us a month",
	},

	// Femi: a peer lent by design; no authority, much goodwill.
	{"Femi", "person-valued"}: {
		"Asked Femi what the design team needs from this project",
		"Coffee with Femi: how the loan to our team is going for him",
	},
	{"Femi", "promise-kept"}: {
		"Reviewed Femi's sketches by Wednesday, as promised",
		"Got Femi the user research he asked for, as promised",
		"Made the introduction to the sales lead Femi asked for",
	},

	// Eli: joined this week.
	{"Eli", "directive"}: {
		"Handed Eli the onboarding checklist and the first deadlines",
		"Assigned Eli to the pricing experiment",
	},
	{"Eli", "information-shared"}: {"Walked Eli through why the team works the way it does"},
}

// unexplainedDecisions are decisions announced without the why: the
// team's in the early weeks, and Ana's.
var unexplainedDecisions = map[string][]string{
	TeamName: {
		"Moved the prototype deadline two weeks earlier",
		"Cancelled the Friday demo sessions",
		"Switched the team to a new ticket tracker",
		"Reassigned the analytics work",
	},
	"Ana": {
		"Moved Ana's pricing study to next quarter",
		"Gave the customer interviews to the research team",
		"Changed the format of Ana's weekly report",
	},
}

// explainedDecisions are the later weeks' decisions with their why.
var explainedDecisions = map[string][][2]string{
	TeamName: {
		{"Brought the Friday demos back", "Seeing each other's work early caught two dead ends last month."},
		{"Kept the prototype deadline but cut the scope", "The pilot customer needs it by then; the extra features can follow."},
		{"Hired a contractor for the data pipeline", "Nobody on the team wants to own it long-term, and it blocks two experiments."},
		{"Paused the mobile experiment", "Its results were flat for six weeks; the time goes to pricing instead."},
		{"Moved stand-ups to twice a week", "Daily stand-ups cost an hour a day and the board already shows status."},
		{"Gave the pricing experiment a second month", "The first results are promising but the sample is still small."},
		{"Chose the vendor the team preferred", "Their API fits our stack; the cheaper one would cost us in integration time."},
		{"Shared the budget with the whole team", "People make better trade-offs when they can see the real numbers."},
		{"Set a no-meeting Wednesday", "The team asked for one day of deep work, and output matters more than updates."},
		{"Dropped the weekly status report", "The shared board answers the same questions without the overhead."},
		{"Put the pilot on the company roadmap", "The board wants it visible; being on the roadmap protects the team's time."},
		{"Opened the retro to the platform team", "Half of our blockers are theirs: they should hear them first-hand."},
	},
}

// journal is Lena's answer to the journal's first question; journalShort
// is the one that fits any story of Lena's, for another scenario.
const journalShort = "At first my strength came from the title: deadlines and decisions without reasons. " +
	"The team complied and nothing more. Since I started explaining the why and listening in one-on-ones, " +
	"people bring me ideas before I ask. That is trust, and it does more than the title ever did."

const journal = "At first my strength came from the title: deadlines and decisions without reasons. " +
	"The team complied and nothing more. Since I started explaining the why and listening in one-on-ones, " +
	"Ana, Dara and Chen bring me ideas before I ask, and Chen forgave the steering meeting I missed. " +
	"Ben still does what he is told and no more: with him I still lead by the title, and that is where I start this week."
