package api

import (
	"testing"

	"github.com/danielgtaylor/huma/v2"
)

// TestOpDocsNameOperations: every description in opdocs.go belongs to an
// operation the API has (describe panics on the converse), and every tag
// an operation names is one the document describes.
func TestOpDocsNameOperations(t *testing.T) {
	doc := New(Config{}).OpenAPI()
	ops, tagged := map[string]bool{}, map[string]bool{}
	for _, item := range doc.Paths {
		for _, op := range []*huma.Operation{item.Get, item.Put, item.Post, item.Delete, item.Patch} {
			if op == nil {
				continue
			}
			ops[op.OperationID] = true
			for _, tag := range op.Tags {
				tagged[tag] = true
			}
		}
	}
	for id := range opDocs {
		if !ops[id] {
			t.Errorf("opdocs.go describes %s, which is no operation of the API", id)
		}
	}
	described := map[string]bool{}
	for _, tag := range tags {
		described[tag.Name] = true
		if !tagged[tag.Name] {
			t.Errorf("tag %s groups no operation", tag.Name)
		}
	}
	for tag := range tagged {
		if !described[tag] {
			t.Errorf("tag %s is not in the document's tags", tag)
		}
	}
}
