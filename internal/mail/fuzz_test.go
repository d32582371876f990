package mail_test

import (
	"strings"
	"testing"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/mail"
)

// FuzzParseURL: any input either parses to a usable configuration or is
// refused with an EINVALID that says how to write it; it never panics.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"smtp://u:p@h:25?from=a@b.c&tls=none", "smtp://h?from=a@b.c", "smtp://:0", "http://x", "", "smtp://h:99999?from=a@b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := mail.ParseURL(s)
		if err != nil {
			if tl.ErrorCode(err) != tl.EINVALID || !strings.Contains(tl.ErrorMessage(err), "smtp://") {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if c.Host == "" || c.Port < 1 || c.Port > 65535 || !strings.Contains(c.From, "@") {
			t.Fatalf("%q parsed to %+v", s, c)
		}
		switch c.TLS {
		case "starttls", "tls", "none":
		default:
			t.Fatalf("%q: tls %q", s, c.TLS)
		}
	})
}
