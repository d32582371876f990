// Package engine is the trust and power model of MODEL.md made computable:
// a ledger of events becomes decayed Beta evidence per dimension and
// source, read as Subjective Logic opinions, combined with French & Raven
// power bases into influence, a quadrant, the weekly pick and one concrete
// step. It is pure: no I/O, the clock is always passed in, and the same
// inputs give the same outputs, so every number can be explained and
// replayed. docs/MODEL.md describes what is built and every choice made
// where the specification was ambiguous.
package engine
