package ingest

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/catalonia/mygov/records"
)

// KeysCommand is "mygov apikey create --administration CODE" (prints the new token alone on
// its last line: it is shown once, only its hash is kept) and "mygov apikey revoke --id N".
func KeysCommand(ctx context.Context, args []string, open func(context.Context) (Keys, io.Closer, error), stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "create" && args[0] != "revoke") {
		fmt.Fprintln(stderr, "usage: mygov apikey create --administration CODE | mygov apikey revoke --id N")
		return 2
	}
	action := args[0]
	fs := flag.NewFlagSet("apikey "+action, flag.ContinueOnError)
	fs.SetOutput(stderr)
	admin := fs.String("administration", "", "the administration's code (e.g. generalitat)")
	id := fs.String("id", "", "the id of the key to revoke")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if (action == "create" && *admin == "") || (action == "revoke" && *id == "") || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "mygov apikey: create needs --administration, revoke needs --id")
		return 2
	}
	n, err := strconv.ParseInt(*id, 10, 64)
	if action == "revoke" && err != nil {
		fmt.Fprintln(stderr, "mygov apikey: --id is a number")
		return 2
	}
	st, closer, err := open(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "mygov apikey: %v\n", err)
		return 1
	}
	defer closer.Close()
	if action == "revoke" {
		if err := st.RevokeAPIKey(ctx, n, time.Now()); err != nil {
			fmt.Fprintf(stderr, "mygov apikey: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "Revoked API key %d.\n", n)
		return 0
	}
	token, hash := NewToken()
	keyID, err := st.CreateAPIKey(ctx, *admin, hash, time.Now())
	if records.ErrorCode(err) == records.ENOTFOUND {
		fmt.Fprintf(stderr, "mygov apikey: no administration %q\n", *admin)
		return 1
	} else if err != nil {
		fmt.Fprintf(stderr, "mygov apikey: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "API key %d of %s. Keep the token below secret: it is shown only now.\n", keyID, *admin)
	fmt.Fprintln(stdout, token)
	return 0
}

// ImportCommand is "mygov import --file F.jsonl" ("-" for standard input): it writes the
// records of the file with Import and prints the summary as JSON. It fails (1) when a
// record was refused, so a script notices.
func ImportCommand(ctx context.Context, args []string, open func(context.Context) (*API, func(context.Context, string) error, io.Closer, error), stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("file", "", "the JSON Lines file of records (- for standard input)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *file == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: mygov import --file F.jsonl")
		return 2
	}
	in := stdin
	if *file != "-" {
		f, err := os.Open(*file)
		if err != nil {
			fmt.Fprintf(stderr, "mygov import: %v\n", err)
			return 1
		}
		defer f.Close()
		in = f
	}
	api, admins, closer, err := open(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "mygov import: %v\n", err)
		return 1
	}
	defer closer.Close()
	s, err := api.Import(ctx, in, admins)
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.Encode(s)
	if err != nil {
		fmt.Fprintf(stderr, "mygov import: %v\n", err)
		return 1
	}
	if s.Refusals > 0 {
		return 1
	}
	return 0
}
