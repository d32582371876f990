// Package app implements trustledger.Service: the rules of the product,
// written once above storage. Every method acts for one leader and checks
// that everything it touches belongs to that leader, so neither the CLI nor
// the web layer nor the store has to repeat the check. Validation happens
// here too, with messages that say what is wrong and how to fix it.
//
// Each write is one store transaction: an event is validated, fanned out
// to its target relationships, folded into each one's running state by the
// engine and appended to the ledger together, or not at all.
//
// Choices this package makes where the contract leaves room:
//
//   - A person or team name the leader does not have is ENOTFOUND (with the
//     known names in the message), so that another leader's names cannot be
//     told apart from names that do not exist.
//   - A promise is kept on time when it is resolved no later than the end of
//     its due date (UTC); it breaks by itself once due + promise_grace_days
//     has passed. The system's promise-broken event occurs at that moment.
//   - Renegotiating a promise closes it as renegotiated and opens a new
//     promise with the new due date (returned); the ledger gets
//     promise-renegotiated. Say/do leaves renegotiated promises out: the
//     new promise is counted instead.
//   - Skipping the weekly step closes its promise as renegotiated, so it
//     costs no broken-promise penalty and logs nothing.
//   - Reversing an entry never reopens a promise or a step; reversing a
//     breach that has an apology is refused until the apology is reversed,
//     so that the running state always equals a replay of the ledger.
//   - Power entries record the requested shift; each base is clamped to
//     0..4 as it moves, and a reversal shifts back by the same amount, so
//     reversing a grant that was clamped lowers the base below where it
//     started. Edit the profile with SetPower when that matters.
//   - Check-ins and pulses are not ledger entries a leader logs: Log
//     refuses their kinds, since EventInput carries no scores.
//   - Status reads the stored state of every relationship and the
//     leader's entries of the last weeks (the longest window a rule
//     needs), never the whole ledger, so its cost does not grow with it.
//   - Changing a setting rebuilds the leader's running state from the
//     ledger, for the same reason.
package app
