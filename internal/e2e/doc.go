// Package e2e holds the end-to-end tests and benchmarks of trustledger: the
// web app served in-process over a real SQLite database, driven by Debian's
// Chromium through chromedp, and timed through the real handler.
//
// The package has no code of its own to import; it exists for its tests:
//
//	go test ./internal/e2e/                     # browser tests (skip without /usr/bin/chromium)
//	TRUSTLEDGER_TEST_STRICT=1 go test ./internal/e2e/   # a missing Chromium fails instead
//	go test ./internal/e2e/ -run TestBrowserDemo -update-screenshot   # refresh docs/dashboard.png
//	go test ./internal/e2e/ -run '^$' -bench . -benchtime 300x        # page timings and requests per second
//
// Screenshots of the pages are written as test artifacts to
// $TRUSTLEDGER_ARTIFACTS, or to trustledger-artifacts under the system's
// temp dir; each test logs where.
//
// Every HTML page a browser test loads is validated, as the server sent
// it, by html-validate (run with npx) when the test ends, under the rules
// in testdata/htmlvalidate.json (testdata/README.md says why each rule is
// as it is); TestHTMLValidateEveryPage opens every page of the app.
// Without npx the validation is skipped, or fails when
// TRUSTLEDGER_TEST_STRICT=1.
//
// Browser tests drive the pages the way a person does, by clicking links
// and submit buttons, and assert on what the server rendered, so they hold
// with or without the app's small script. They use a fixed clock so dates
// on the pages, due windows and the week's step are the same on every run.
package e2e
