package main

import (
	"context"
	"io"

	"github.com/catalonia/mygov/dialog/convtest"
)

// runEvalConv plays the conversation scenarios (dialog/convtest) and prints the success
// rate by category.
func runEvalConv(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return convtest.Command(ctx, args, stdout, stderr)
}
