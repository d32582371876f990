// Package scenario reads scenario files (MODEL.md §17) and replays them day
// by day through the same engine the live system uses, so a story from the
// article — Lena's team, Mandela, Nadella, Holmes — can be checked against
// what the model says should happen. A scenario is also the quickest way to
// see what a setting changes: override it under settings: and run again.
//
// # File format
//
// A scenario is one YAML document:
//
//	name: Lena's innovation team
//	start: 2026-01-05                      # day 0; YYYY-MM-DD
//	settings: {half_life_days: 90}         # optional, documented names (engine.SettingNames)
//	people:
//	  - {name: Ana, kind: direct-report}
//	  - {name: Ben, kind: cross-functional, power: {legitimate: 3, expert: 3}}
//	events:
//	  - {week: 1, day: 5, who: team, kind: directive, count: 3}
//	  - {week: 8, who: team, kind: pulse, scores: {ability: 0.65, benevolence: 0.55, integrity: 0.6}, agreement: 0.75, responses: 6}
//	  - {week: 10, who: Ben, kind: apology, repairs: {week: 6, kind: promise-broken}, acknowledges: true, offers_repair: true}
//	expect:
//	  - {week: 4, who: Ana, quadrant: compliance}
//	  - {week: 12, who: team, trust_at_least: 0.6}
//
// Every key is checked: an unknown key, kind, person, dimension, base,
// setting, a value out of range or of the wrong type is one error line that
// names the file and line, with a suggestion when the word is close to a
// known one: `lena.yaml:12: unknown kind "promise-kep" (did you mean
// promise-kept?)`. Errors are *trustledger.Error with code EINVALID.
//
// # Time
//
// Day 0 is start. Day d (1–7, default 1) of week w happens at start +
// 7(w−1)+d days, and the report for week w is read at start + 7w days,
// after that day's events. Events on the same day apply in file order; a
// team event fans out to every person at full weight; every relationship
// starts on day 0.
//
// day: 0 is allowed and means the start of week w: the instant start +
// 7(w−1) days, the same instant as day 7 of week w−1 but applied after
// that week's report was read, so it belongs to week w. MODEL.md §13.7
// (Nadella) uses it for the pulse "on day 0": {week: 1, day: 0}.
//
// # Choices the specification leaves open
//
//   - authority-granted and authority-removed take power: {base: value}
//     and SET those bases to the given values (0–4) from then on; the
//     bases not named keep their value. Setting is clearer in a story
//     than a shift ("the board removed her authority: bases (1,1,1,1,1,0)").
//   - A pulse needs scores and agreement (rwg, 0–1); responses (n)
//     defaults to the anonymity threshold (setting anonymity_k), so a wave
//     is released unless the file says fewer people answered. A check-in
//     takes scores only (agreement 1, one respondent).
//   - An apology's repairs: {week, kind} names the most recent event of
//     that kind for the same person on or before that week and before the
//     apology. A file whose apology finds nothing to repair is an error.
//   - source and severity are rejected on kinds where they change nothing
//     (snapshots, power changes, apologies, directives), so a mistaken
//     belief about what they do surfaces at once.
//   - The number of weeks reported is the largest week named by an event
//     or an expect line.
//   - An expect line's who may be a person, a list of people (each is
//     checked) or team (the team averages; quadrant and warning are per
//     person, so they are rejected there). warning: none expects no
//     warning at all.
//
// # Output
//
// Run returns a Result whose JSON is exactly that of MODEL.md §17 (numbers
// rounded to 3 decimals); team averages every numeric field over the
// relationships; step is the weekly pick (§10) and its recommendation
// (§11), with no cooldown because a simulation never accepts a step.
// Check evaluates the expect lines, WriteTable prints the weekly table and
// WriteJSON the indented JSON that simulate --json prints.
package scenario
