package trustledger_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeListsEveryPackage keeps the README's project structure true:
// every package under cmd/ and internal/ is named there (docs/ARCHITECTURE.md
// explains how they fit together).
func TestReadmeListsEveryPackage(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(readme)
	if i := strings.Index(section, "## Project structure"); i >= 0 {
		section = section[i:]
	} else {
		t.Fatal("README.md has no Project structure section")
	}
	for _, root := range []string{"cmd", "internal"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() || strings.Contains(path, "testdata") {
				return err
			}
			goFiles, _ := filepath.Glob(filepath.Join(path, "*.go"))
			pkg := false
			for _, f := range goFiles {
				if !strings.HasSuffix(f, "_test.go") {
					pkg = true
				}
			}
			if !pkg {
				return nil
			}
			parts := strings.Split(filepath.ToSlash(path), "/")
			name := filepath.ToSlash(path) + "/"
			short := strings.Join(parts[max(0, len(parts)-2):], "/")
			if !strings.Contains(section, name) && !strings.Contains(section, short) {
				t.Errorf("README.md's project structure does not name %s", name)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestCommentsCiteNoIssues: the repository does not hold the issues, so a
// comment points at a document in it instead (docs/ARCHITECTURE.md,
// docs/MODEL.md, …), never at an issue number.
func TestCommentsCiteNoIssues(t *testing.T) {
	cite := regexp.MustCompile(`(?i)\bissues?` + ` [0-9]+|issue` + `'s\b`) // split, so this line does not match itself
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != "." || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if ext := filepath.Ext(path); ext != ".go" && ext != ".sql" && ext != ".html" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(data), "\n") {
			if cite.MatchString(line) {
				t.Errorf("%s:%d cites an issue: %s", path, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
