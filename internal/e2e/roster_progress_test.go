package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserRosterProgress: a large roster's import page reaches its end
// by itself in Chromium, with page scripts (app.js polls the progress
// bar's status and reloads once) and without them (a <noscript> refresh),
// and the scripted page breaks no Content-Security-Policy rule.
func TestBrowserRosterProgress(t *testing.T) {
	for _, js := range []scripts{scriptsOn, scriptsOff} {
		t.Run(fmt.Sprintf("scripts=%v", js), func(t *testing.T) {
			s := newSite(t, newUserNow, false)
			b := newBrowser(t, s.URL, js)
			b.signupMaya()

			const people = 3000
			var csv strings.Builder
			csv.WriteString("email,name,role\n")
			for i := range people {
				fmt.Fprintf(&csv, "person%04d@example.org,Person %04d,member\n", i, i)
			}
			b.open("/roster", 200)
			b.fill("#csv", csv.String())
			b.submit(`form[action="/roster"] button[type=submit]`, 200)
			b.submit(`form[action="/roster/import"] button[type=submit]`, 200)
			sawBar := false
			deadline := time.Now().Add(60 * time.Second)
			for {
				// The page reloads itself while it is read: a read that
				// lands in the reload is tried again.
				text, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector("main") ? document.querySelector("main").innerText : ""`))
				if err != nil || text == "" {
					if time.Now().After(deadline) {
						b.fail("the import's page could not be read: %v", err)
					}
					b.do("wait", chromedp.Sleep(100*time.Millisecond))
					continue
				}
				if strings.Contains(text, "invitations are on their way") {
					if !strings.Contains(text, fmt.Sprint(people, " invitations")) {
						b.fail("the import's end: %q", text)
					}
					break
				}
				if strings.Contains(text, "Importing…") {
					sawBar = true
				} else if !strings.Contains(text, "Importing the roster") {
					b.fail("neither running nor ended: %q", text)
				}
				if time.Now().After(deadline) {
					b.fail("the import did not end by itself")
				}
				b.do("wait", chromedp.Sleep(200*time.Millisecond))
			}
			b.checkCSP("the import's end")
			t.Logf("the progress bar was seen while running: %v", sawBar)
		})
	}
}
