package ingest

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/catalonia/mygov/records"
)

// Record is one line of an import file: the operation, whose administration writes it, the
// path parameters and the body the API takes. Key is the idempotency key (default: a hash
// of the line), so importing a file twice writes it once.
type Record struct {
	Op             string          `json:"op"` // citizen, application, status, holding, access_event
	Administration string          `json:"administration"`
	Key            string          `json:"key,omitempty"`
	ID             string          `json:"id,omitempty"`        // the citizen's id
	Reference      string          `json:"reference,omitempty"` // the application's reference
	Body           json.RawMessage `json:"body"`
}

// Refusal is one record an import did not write, and why.
type Refusal struct {
	Line   int    `json:"line"`
	Op     string `json:"op,omitempty"`
	Reason string `json:"reason"`
}

// Summary is what an import wrote and refused.
type Summary struct {
	Written  map[string]int `json:"written"` // by operation
	Refused  []Refusal      `json:"refused"`
	Refusals int            `json:"refusals"` // all of them; Refused keeps the first maxRefusals
}

// maxRefusals bounds the refusals a summary lists.
const maxRefusals = 100

// maxLine is the longest line Import reads.
const maxLine = 1 << 20

// Import writes the records of a JSON Lines stream one by one, each in its own transaction
// and under its idempotency key, as the API would: a refused record does not stop the others.
// The administrations must exist (checked with admins). It returns an error only when the
// stream cannot be read or the context ends.
func (a *API) Import(ctx context.Context, r io.Reader, admins func(ctx context.Context, id string) error) (Summary, error) {
	s := Summary{Written: map[string]int{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	known := map[string]error{}
	for line := 1; sc.Scan(); line++ {
		if err := ctx.Err(); err != nil {
			return s, err
		}
		b := sc.Bytes()
		if len(b) == 0 {
			continue
		}
		var rec Record
		refuse := func(reason string) {
			s.Refusals++
			if len(s.Refused) < maxRefusals {
				s.Refused = append(s.Refused, Refusal{Line: line, Op: rec.Op, Reason: reason})
			}
		}
		if err := json.Unmarshal(b, &rec); err != nil {
			refuse("not a JSON object")
			continue
		}
		err, seen := known[rec.Administration]
		if !seen {
			err = admins(ctx, rec.Administration)
			known[rec.Administration] = err
		}
		if err != nil {
			refuse("unknown administration")
			continue
		}
		if rec.Key == "" {
			h := sha256.Sum256(b)
			rec.Key = "import-" + hex.EncodeToString(h[:16])
		}
		params := map[string]string{"id": rec.ID, "reference": rec.Reference}
		if _, err := a.Do(ctx, rec.Administration, rec.Op, rec.Key, params, rec.Body); err != nil {
			refuse(reason(err))
			continue
		}
		s.Written[rec.Op]++
	}
	if err := sc.Err(); err != nil {
		return s, fmt.Errorf("ingest: import: %w", err)
	}
	return s, nil
}

// reason says why a record was refused, naming fields but never their values.
func reason(err error) string {
	var ve *ValidationError
	switch {
	case errors.As(err, &ve):
		return ve.Error()
	case errors.Is(err, errForbidden):
		return "belongs to another administration"
	case records.ErrorCode(err) == records.ENOTFOUND:
		return "unknown citizen or application"
	case records.ErrorCode(err) == records.ECONFLICT:
		return "key used before with another record"
	}
	return "internal error"
}
