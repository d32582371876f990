// Package cli holds the pieces of the command line that are worth testing
// on their own: reading the dates and durations people type ("yesterday",
// "3 days ago", "friday", "2w"), decoding a backup file with messages that
// point at the broken spot, and rendering aligned tables.
//
// Everything here is pure: the clock is passed in, nothing touches the
// database, so the parsers can be fuzzed without setup.
package cli
