package notices

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/catalonia/mygov/internal/cli"
)

// SweepCommand is "mygov sweep": it runs the nightly eligibility sweep once, now, and
// prints what it did and how fast.
func SweepCommand(ctx context.Context, args []string, open cli.Opener[*Sweep], stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "mygov sweep: unexpected arguments %q\n", args)
		return cli.ExitUsage
	}
	s, closer, err := open(ctx)
	if err != nil {
		return cli.Fail(stderr, "sweep", err)
	}
	defer closer.Close()
	start := time.Now()
	res, err := s.Run(ctx)
	if err != nil {
		return cli.Fail(stderr, "sweep", err)
	}
	took := time.Since(start)
	fmt.Fprintf(stdout, "Swept %d citizens × %d benefits in %s (%.0f evaluations a second): %d changed, %d new-benefit notices queued.\n",
		res.Citizens, s.Benefits, took.Round(time.Millisecond), float64(res.Citizens*s.Benefits)/took.Seconds(), res.Changed, res.Notices)
	return cli.ExitOK
}
