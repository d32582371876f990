package chart

import (
	_ "embed"
	"html/template"
)

// CSS is the stylesheet for every class the charts emit (chart.css). The web
// package serves or embeds it because the pages' CSP forbids inline style:
// without it lines have no stroke and the charts are unreadable.
//
//go:embed chart.css
var CSS string

// HTML marks rendered SVG as safe for html/template. It is safe because every
// renderer in this package escapes all text and attribute values it writes.
func HTML(svg []byte) template.HTML {
	return template.HTML(svg) //nolint:gosec // every value in svg is escaped by the renderers
}
