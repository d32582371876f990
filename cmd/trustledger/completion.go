package main

import (
	"github.com/alecthomas/kong"

	"github.com/trustledger/trustledger/internal/cli"
	"github.com/trustledger/trustledger/internal/version"
)

// versionFlag is --version: it prints the build (internal/version) and
// stops before any command runs, as kong's help flag does.
type versionFlag bool

// BeforeReset runs while kong parses, so --version works with any command
// and with nothing else right on the line.
func (versionFlag) BeforeReset(app *kong.Kong) error {
	_, err := app.Stdout.Write([]byte(version.Info().String() + "\n"))
	app.Exit(exitOK)
	return err
}

type completionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" placeholder:"SHELL" help:"The shell: bash, zsh or fish."`
}

func (completionCmd) Help() string {
	return "Prints a script that completes trustledger's commands and flags.\n\n" +
		"Example:\n\n    eval \"$(trustledger completion bash)\"    # in ~/.bashrc\n" +
		"    eval \"$(trustledger completion zsh)\"     # in ~/.zshrc\n" +
		"    trustledger completion fish > ~/.config/fish/completions/trustledger.fish\n"
}

func (c *completionCmd) Run(rt *runtime, k *kong.Kong) error {
	return cli.Completion(rt.stdout, k.Model, "trustledger", c.Shell)
}
