package main

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// version is set at build time: go build -ldflags "-X main.version=v1.2.3".
var version = ""

// buildVersion returns the version set at build time, else what the Go toolchain recorded
// (the module version, or the VCS revision).
func buildVersion() string {
	if version != "" {
		return version
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

// wantsHelp reports whether the arguments ask for help.
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "-h", "--help", "-help":
			return true
		case "--":
			return false
		}
	}
	return false
}

// commandHelp prints the usage of one command: its lines of the general usage.
func commandHelp(cmd string, stdout, stderr io.Writer) int {
	var lines []string
	in := false
	for _, l := range strings.Split(usage, "\n") {
		switch {
		case strings.HasPrefix(l, "  mygov "+cmd+" ") || l == "  mygov "+cmd || (cmd == "serve" && strings.HasPrefix(l, "  mygov [serve]")):
			in = true
		case strings.HasPrefix(l, "  mygov ") || !strings.HasPrefix(l, "   "):
			in = false
		}
		if in {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		fmt.Fprintf(stderr, "mygov: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	fmt.Fprintf(stdout, "Usage:\n%s\n\nConfiguration comes from the environment: see the README, or run \"mygov config check\".\n", strings.Join(lines, "\n"))
	return 0
}
