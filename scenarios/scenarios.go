// Package scenarios embeds the shipped scenario files (MODEL.md §17) so a
// built binary can start the demo without the source tree beside it.
package scenarios

import "embed"

// Files holds lena.yaml, lena-team.yaml (the demo's team), mandela.yaml,
// nadella.yaml and holmes.yaml.
//
//go:embed *.yaml
var Files embed.FS
