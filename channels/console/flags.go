package console

import (
	"fmt"
	"io"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/internal/cli"
	"github.com/catalonia/mygov/records"
)

// Options are the command line of "mygov chat".
type Options struct {
	Session        // Phone (--as) and Lang (--lang)
	DB      string // --db: the SQLite file to use, "" for the configured one
	Demo    bool   // --demo: load the demo data into an empty database, even a named one
}

// Address is the conversation's address: the --as phone, or "anonymous".
func (o Options) Address() string {
	if o.Phone == "" {
		return "anonymous"
	}
	return o.Phone
}

// ParseFlags reads the command line of "mygov chat"; defaultDB names the configured SQLite
// file in the help. On a wrong command line it says why on stderr and returns false (exit
// cli.ExitUsage).
func ParseFlags(args []string, defaultDB string, stderr io.Writer) (Options, bool) {
	var o Options
	fs := cli.Flags("chat", stderr)
	fs.StringVar(&o.Phone, "as", "", "talk as the citizen with this phone number (E.164, e.g. +34600000001)")
	fs.StringVar(&o.Lang, "lang", "", "language of the conversation: ca or es")
	fs.StringVar(&o.DB, "db", "", "SQLite database file (default "+defaultDB+")")
	fs.BoolVar(&o.Demo, "demo", false, "load the demo data into an empty database, even one named by --db, DATABASE_URL or MYGOV_DB")
	if err := fs.Parse(args); err != nil {
		return o, false
	}
	if o.Lang != "" && o.Lang != dialog.LangCA && o.Lang != dialog.LangES {
		fmt.Fprintln(stderr, "mygov chat: --lang must be ca or es")
		return o, false
	}
	if o.Phone != "" && !records.ValidPhone(o.Phone) {
		fmt.Fprintln(stderr, "mygov chat: --as must be a phone number in E.164 form, e.g. +34600000001")
		return o, false
	}
	return o, true
}
