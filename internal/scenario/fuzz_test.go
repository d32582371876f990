package scenario

import (
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse feeds arbitrary bytes to the parser. Whatever the input, Parse
// must not panic, an error must be one line naming the file, and a file it
// accepts must run, check and print without panicking. The seed corpus is
// under testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	// The shipped scenarios are replayed by plain go test but left out
	// when fuzzing: mutating 20 KB inputs stalls the fuzzer's workers.
	if fz := flag.Lookup("test.fuzz"); fz == nil || fz.Value.String() == "" {
		files, _ := filepath.Glob("../../scenarios/*.yaml")
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Parse("fuzz.yaml", data)
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "fuzz.yaml") {
				t.Fatalf("error does not name the file: %q", msg)
			}
			if strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("error spans several lines: %q", msg)
			}
			return
		}
		if sc.Weeks() < 1 || len(sc.People) == 0 {
			t.Fatalf("accepted a scenario with %d weeks and %d people", sc.Weeks(), len(sc.People))
		}
		// Keep each input fast: skip running scenarios that would take long.
		work := sc.Weeks() * len(sc.People)
		for _, e := range sc.Events {
			work += e.Count * len(e.Who)
		}
		if work > 20000 {
			return
		}
		r, err := Run(sc)
		if err != nil {
			t.Fatalf("Run of an accepted scenario failed: %v", err)
		}
		_ = r.Check(sc)
		if err := WriteTable(io.Discard, r); err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("JSON: %v", err)
		}
		if !utf8.Valid(b) {
			t.Fatal("JSON output is not UTF-8")
		}
	})
}
