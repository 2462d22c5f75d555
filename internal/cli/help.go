package cli

import (
	"fmt"
	"io"
	"strings"
)

// Usage is the help of "mygov": one entry a command, the entry's first line starting with
// "  mygov COMMAND"; Help prints one command's entry.
const Usage = `MyGov — the assistant of Catalonia's administrations.

Usage:
  mygov [serve]                         run the assistant (HTTP, Telegram, SMS)
  mygov chat --as +34600000001 [--lang ca|es] [--db PATH]
                                        chat in the terminal as the citizen with that phone
  mygov seed --demo                     load the synthetic demo data
  mygov seed --synthetic N [--seed S]   load N synthetic citizens (benchmarks, load tests)
  mygov apikey create --administration CODE | revoke --id N
                                        a bearer token of the administrations' API
  mygov import --file F.jsonl           write the API's records in bulk, one transaction each
  mygov sweep                           re-evaluate every citizen's eligibility now
  mygov migrate                         bring the database schema up to date
  mygov privacy export|erase --citizen ID
                                        write all data held about a citizen as JSON, or
                                        erase their conversations (the access log is kept)
  mygov staff add --email E --name N --municipality M [--team T] [--role worker|coordinator] [--password-stdin]
  mygov staff list | disable --email E
                                        the social workers' inbox accounts
  mygov classify [--model PATH] [--json]  classify one message per line of standard input
  mygov train --data FILE --out PATH    train an intent model
  mygov eval --model PATH --data FILE   evaluate an intent model
  mygov config check                    check the configuration in the environment
  mygov version                         print the version
  mygov COMMAND --help                  help on one command
  mygov evalconv [-v] [-category NAME]  play the conversation scenarios, success by category

Configuration comes from the environment: see the README.
`

// WantsHelp reports whether the arguments ask for help (before any "--").
func WantsHelp(args []string) bool {
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

// Help prints the usage of one command, its entries of Usage, and returns ExitOK; for an
// unknown command it prints the whole usage to stderr and returns ExitUsage.
func Help(cmd string, stdout, stderr io.Writer) int {
	var lines []string
	in := false
	for _, l := range strings.Split(Usage, "\n") {
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
		Unknown(cmd, stderr)
		return ExitUsage
	}
	fmt.Fprintf(stdout, "Usage:\n%s\n\nConfiguration comes from the environment: see the README, or run \"mygov config check\".\n", strings.Join(lines, "\n"))
	return ExitOK
}

// Unknown prints that cmd is no command of mygov, and the usage, to stderr.
func Unknown(cmd string, stderr io.Writer) int {
	fmt.Fprintf(stderr, "mygov: unknown command %q\n\n%s", cmd, Usage)
	return ExitUsage
}
