package main

import (
	"path/filepath"
	"testing"
)

// TestDemoScenarioBuiltIn checks that serve --demo finds Lena's story both
// in the scenarios folder and, outside the source tree, in the binary.
func TestDemoScenarioBuiltIn(t *testing.T) {
	for _, dir := range []string{filepath.Join("..", "..", "scenarios"), t.TempDir()} {
		sc, err := demoScenario(dir)
		if err != nil {
			t.Fatalf("demoScenario(%s): %v", dir, err)
		}
		if len(sc.People) < 4 {
			t.Errorf("demoScenario(%s): %d people, want Lena's team of at least 4", dir, len(sc.People))
		}
	}
}
