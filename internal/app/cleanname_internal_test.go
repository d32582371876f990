package app

import (
	"testing"

	tl "github.com/trustledger/trustledger"
)

func TestCleanNameRefusesControlCharacters(t *testing.T) {
	for _, bad := range []string{"Ana\x00", "An\na", "A\tna", "\xffAna"} {
		if _, err := cleanName("person", bad); tl.ErrorCode(err) != tl.EINVALID {
			t.Errorf("cleanName(%q) = %v, want EINVALID", bad, err)
		}
	}
	if got, err := cleanName("person", "  Ana María  "); err != nil || got != "Ana María" {
		t.Errorf("cleanName(Ana María) = %q, %v", got, err)
	}
}
