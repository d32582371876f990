package cli

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/alecthomas/kong"
)

// Shells are the shells Completion writes a script for.
var Shells = []string{"bash", "zsh", "fish"}

// completionNode is one command of the tree as the scripts need it: its
// path of command names, its subcommands and every flag it accepts (its
// own and its parents'), with their help for the shells that show it.
type completionNode struct {
	path  []string
	subs  []*kong.Node
	flags []*kong.Flag
}

// walkCompletion lists the commands of app, the application first, and
// leaves out what the help hides.
func walkCompletion(app *kong.Node) []completionNode {
	var out []completionNode
	var walk func(n *kong.Node, path []string)
	walk = func(n *kong.Node, path []string) {
		c := completionNode{path: path}
		for _, child := range n.Children {
			if !child.Hidden && child.Type == kong.CommandNode {
				c.subs = append(c.subs, child)
			}
		}
		for _, group := range n.AllFlags(true) {
			c.flags = append(c.flags, group...)
		}
		sort.SliceStable(c.flags, func(i, j int) bool { return c.flags[i].Name < c.flags[j].Name })
		out = append(out, c)
		for _, child := range c.subs {
			walk(child, append(append([]string{}, path...), child.Name))
		}
	}
	walk(app, nil)
	return out
}

// Completion writes a completion script for shell ("bash", "zsh" or
// "fish") that completes the commands and flags of the kong model app,
// named name. It is made from the model, so a new command or flag is
// completed without anyone editing a script. Completion completes words,
// not values: a person's name or a date is left to the user.
func Completion(w io.Writer, app *kong.Application, name, shell string) error {
	nodes := walkCompletion(app.Node)
	switch shell {
	case "bash":
		return writeBash(w, nodes, name)
	case "zsh":
		// zsh runs bash's script through bashcompinit, its own layer for
		// bash completion functions (zshcompsys(1)).
		fmt.Fprintf(w, "#compdef %s\n# zsh completion for %s: eval \"$(%s completion zsh)\" in ~/.zshrc\n", name, name, name)
		fmt.Fprint(w, "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n")
		return writeBash(w, nodes, name)
	case "fish":
		return writeFish(w, nodes, name)
	}
	return fmt.Errorf("no completion for the shell %q: choose %s", shell, strings.Join(Shells, ", "))
}

// funcName is the shell function's name for the program name.
func funcName(name string) string {
	return "_" + strings.NewReplacer("-", "_", ".", "_").Replace(name)
}

// words is what may follow a command: its subcommands, then its flags.
func (c completionNode) words() []string {
	var out []string
	for _, s := range c.subs {
		out = append(out, s.Name)
	}
	for _, f := range c.flags {
		out = append(out, "--"+f.Name)
	}
	return out
}

func writeBash(w io.Writer, nodes []completionNode, name string) error {
	fn := funcName(name)
	var b strings.Builder
	fmt.Fprintf(&b, "# bash completion for %s: eval \"$(%s completion bash)\" in ~/.bashrc\n", name, name)
	fmt.Fprintf(&b, "%s() {\n", fn)
	b.WriteString("    local cur=\"${COMP_WORDS[COMP_CWORD]}\" path=\"\" w i\n")
	b.WriteString("    # The command so far: each word that extends a known command path.\n")
	b.WriteString("    for ((i = 1; i < COMP_CWORD; i++)); do\n")
	b.WriteString("        w=\"${COMP_WORDS[i]}\"\n")
	b.WriteString("        case \"$path $w\" in\n")
	var paths []string
	for _, n := range nodes[1:] {
		paths = append(paths, shellQuote(" "+strings.Join(n.path, " ")))
	}
	if len(paths) > 0 {
		fmt.Fprintf(&b, "        %s) path=\"$path $w\" ;;\n", strings.Join(paths, "|"))
	}
	b.WriteString("        esac\n    done\n")
	b.WriteString("    local words=\"\"\n    case \"$path\" in\n")
	for _, n := range nodes {
		fmt.Fprintf(&b, "    %s) words=%s ;;\n", shellQuote(pathKey(n.path)), shellQuote(strings.Join(n.words(), " ")))
	}
	b.WriteString("    esac\n")
	b.WriteString("    COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n}\n")
	fmt.Fprintf(&b, "complete -F %s %s\n", fn, name)
	_, err := io.WriteString(w, b.String())
	return err
}

// pathKey is a command path as the bash function spells it: each name
// after a space, the application "".
func pathKey(path []string) string {
	if len(path) == 0 {
		return ""
	}
	return " " + strings.Join(path, " ")
}

func writeFish(w io.Writer, nodes []completionNode, name string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# fish completion for %s: %s completion fish > ~/.config/fish/completions/%s.fish\n", name, name, name)
	for _, n := range nodes {
		// The condition that the command line is at n: its path seen,
		// and none of its subcommands yet.
		var cond string
		if len(n.path) == 0 {
			cond = "__fish_use_subcommand"
		} else {
			cond = "__fish_seen_subcommand_from " + n.path[len(n.path)-1]
			if len(n.path) > 1 {
				cond = "__fish_seen_subcommand_from " + n.path[0] + "; and " + cond
			}
			if len(n.subs) > 0 {
				var subs []string
				for _, s := range n.subs {
					subs = append(subs, s.Name)
				}
				cond += "; and not __fish_seen_subcommand_from " + strings.Join(subs, " ")
			}
		}
		for _, s := range n.subs {
			fmt.Fprintf(&b, "complete -c %s -f -n %s -a %s -d %s\n", name, shellQuote(cond), s.Name, shellQuote(firstLine(s.Help)))
		}
	}
	seen := map[string]bool{}
	for _, n := range nodes {
		for _, f := range n.flags {
			if seen[f.Name] {
				continue
			}
			seen[f.Name] = true
			fmt.Fprintf(&b, "complete -c %s -l %s -d %s\n", name, f.Name, shellQuote(firstLine(f.Help)))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// firstLine is the first line of a help text.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// shellQuote quotes s for bash, zsh and fish alike: in single quotes,
// each single quote ending the quotes, escaped, and opening them again,
// which fish reads the same way.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
