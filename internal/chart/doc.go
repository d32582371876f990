// Package chart renders the web pages' charts as SVG on the server.
//
// Every chart is a pure function from typed data to SVG bytes, so the pages
// work without JavaScript, stay small, and can be checked with golden files.
// The pages run under a Content-Security-Policy of default-src 'self' with no
// inline style, so the SVG carries no style attributes and no <style>
// element: it only names classes (tl-axis, tl-point, tl-q-compliance, ...)
// and chart.css, shipped beside this file and exported as CSS, paints them
// for light and dark colour schemes.
//
// Accessibility: each chart is role="img" with a <title> and a <desc>
// referenced by aria-labelledby (role="group" instead when it holds links,
// because the children of an img are hidden from assistive technology and
// the links would be unreachable); every mark has its own <title> for hover
// text; quadrants and series are told apart by shape and text as well as
// colour. Sizes come from the viewBox alone, so a chart scales to a phone.
//
// Every piece of text is escaped, since names are user input, and numbers
// are formatted with a fixed number of decimals so the output is
// deterministic byte for byte.
package chart
