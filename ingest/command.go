package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/catalonia/mygov/internal/cli"
	"github.com/catalonia/mygov/records"
)

// KeysCommand is "mygov apikey create --administration CODE" (prints the new token alone on
// its last line: it is shown once, only its hash is kept) and "mygov apikey revoke --id N".
func KeysCommand(ctx context.Context, args []string, open cli.Opener[Keys], stdout, stderr io.Writer) int {
	action, args, ok := cli.Action(args, "usage: mygov apikey create --administration CODE | mygov apikey revoke --id N", stderr, "create", "revoke")
	if !ok {
		return cli.ExitUsage
	}
	fs := cli.Flags("apikey "+action, stderr)
	admin := fs.String("administration", "", "the administration's code (e.g. generalitat)")
	id := fs.String("id", "", "the id of the key to revoke")
	if err := fs.Parse(args); err != nil {
		return cli.ExitUsage
	}
	if (action == "create" && *admin == "") || (action == "revoke" && *id == "") || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "mygov apikey: create needs --administration, revoke needs --id")
		return cli.ExitUsage
	}
	n, err := strconv.ParseInt(*id, 10, 64)
	if action == "revoke" && err != nil {
		fmt.Fprintln(stderr, "mygov apikey: --id is a number")
		return cli.ExitUsage
	}
	st, closer, err := open(ctx)
	if err != nil {
		return cli.Fail(stderr, "apikey", err)
	}
	defer closer.Close()
	if action == "revoke" {
		if err := st.RevokeAPIKey(ctx, n, time.Now()); err != nil {
			return cli.Fail(stderr, "apikey", err)
		}
		fmt.Fprintf(stdout, "Revoked API key %d.\n", n)
		return cli.ExitOK
	}
	token, hash := NewToken()
	keyID, err := st.CreateAPIKey(ctx, *admin, hash, time.Now())
	if records.ErrorCode(err) == records.ENOTFOUND {
		fmt.Fprintf(stderr, "mygov apikey: no administration %q\n", *admin)
		return cli.ExitFail
	} else if err != nil {
		return cli.Fail(stderr, "apikey", err)
	}
	fmt.Fprintf(stdout, "API key %d of %s. Keep the token below secret: it is shown only now.\n", keyID, *admin)
	fmt.Fprintln(stdout, token)
	return cli.ExitOK
}

// Importer is what "mygov import" writes through: the API, and Administration, which
// checks that an administration exists (ENOTFOUND when it does not).
type Importer struct {
	API            *API
	Administration func(ctx context.Context, id string) error
}

// ImportCommand is "mygov import --file F.jsonl" ("-" for standard input): it writes the
// records of the file with Import and prints the summary as JSON. It fails (1) when a
// record was refused, so a script notices.
func ImportCommand(ctx context.Context, args []string, open cli.Opener[Importer], stdin io.Reader, stdout, stderr io.Writer) int {
	fs := cli.Flags("import", stderr)
	file := fs.String("file", "", "the JSON Lines file of records (- for standard input)")
	if err := fs.Parse(args); err != nil {
		return cli.ExitUsage
	}
	if *file == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: mygov import --file F.jsonl")
		return cli.ExitUsage
	}
	in := stdin
	if *file != "-" {
		f, err := os.Open(*file)
		if err != nil {
			return cli.Fail(stderr, "import", err)
		}
		defer f.Close()
		in = f
	}
	im, closer, err := open(ctx)
	if err != nil {
		return cli.Fail(stderr, "import", err)
	}
	defer closer.Close()
	s, err := im.API.Import(ctx, in, im.Administration)
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.Encode(s)
	if err != nil {
		return cli.Fail(stderr, "import", err)
	}
	if s.Refusals > 0 {
		return cli.ExitFail
	}
	return cli.ExitOK
}
