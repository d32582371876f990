package csvout

// SetPageSize sets how many ledger entries Write reads at once, and
// returns what puts it back.
func SetPageSize(n int) func() {
	old := pageSize
	pageSize = n
	return func() { pageSize = old }
}
