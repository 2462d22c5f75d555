// Package cli holds what MyGov's subcommands share: the usage text and each command's help,
// the version, the parsing of a command's action and flags, and the exit codes. Each
// command's body lives in the package that owns its work (privacy.Command,
// ingest.KeysCommand, inbox.StaffCommand, …); cmd/mygov only dispatches to them.
package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"strings"
)

// Exit codes of every command.
const (
	ExitOK    = 0
	ExitFail  = 1 // the command ran and failed
	ExitUsage = 2 // the command line is wrong
)

// Opener opens what a command works on, once its command line is known to be right, and
// returns the closer that releases it.
type Opener[T any] func(context.Context) (T, io.Closer, error)

// Flags returns the flag set of "mygov NAME": it writes its errors and help to stderr and
// returns them instead of exiting.
func Flags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// Action reads the action that opens the arguments of a command such as "mygov privacy
// export --citizen ID": it returns the action and the rest of the arguments, or prints
// usage to stderr and returns ok false (exit ExitUsage) when the action is not one of
// actions.
func Action(args []string, usage string, stderr io.Writer, actions ...string) (action string, rest []string, ok bool) {
	if len(args) == 0 || !slices.Contains(actions, args[0]) {
		fmt.Fprintln(stderr, usage)
		return "", nil, false
	}
	return args[0], args[1:], true
}

// Fail prints "mygov NAME: err" to stderr and returns ExitFail.
func Fail(stderr io.Writer, name string, err error) int {
	fmt.Fprintf(stderr, "mygov %s: %v\n", name, err)
	return ExitFail
}

// Version returns set (the version given at build time) when it is not empty, else what
// the Go toolchain recorded: the module version, or the VCS revision.
func Version(set string) string {
	if set != "" {
		return set
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v = strings.TrimSuffix(v+" "+s.Value[:12], " ")
		}
	}
	if v == "" {
		v = "(devel)"
	}
	return v + " " + bi.GoVersion
}
