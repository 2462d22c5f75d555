package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/catalonia/mygov/records"
)

// DefaultMaxBody is the largest request body the API reads.
const DefaultMaxBody = 64 << 10

// maxKey is the longest Idempotency-Key accepted.
const maxKey = 200

// Matcher finds the benefits a citizen's profile makes likely (records.Eligibility).
type Matcher interface {
	Match(c records.Citizen, now time.Time) []records.Benefit
}

// API serves the administrations' API. It is safe for concurrent use.
type API struct {
	Store   Store
	Matcher Matcher // nil: no new-benefit notices on a profile change
	Logger  *slog.Logger
	Now     func() time.Time
	MaxBody int64 // 0: DefaultMaxBody
}

// Option sets an optional setting of New.
type Option func(*API)

// WithMatcher makes a profile change queue a notice for each newly likely benefit.
func WithMatcher(m Matcher) Option { return func(a *API) { a.Matcher = m } }

// WithClock sets the clock.
func WithClock(now func() time.Time) Option { return func(a *API) { a.Now = now } }

// WithMaxBody sets the largest body read.
func WithMaxBody(n int64) Option { return func(a *API) { a.MaxBody = n } }

// New returns the API on store.
func New(store Store, logger *slog.Logger, opts ...Option) *API {
	if logger == nil {
		logger = slog.Default()
	}
	a := &API{Store: store, Logger: logger, Now: time.Now, MaxBody: DefaultMaxBody}
	for _, o := range opts {
		o(a)
	}
	return a
}

// txFunc is the part of a write that runs in the store's transaction.
type txFunc func(ctx context.Context, tx Tx) (Response, error)

// operation parses and validates a request of one kind into its transaction.
type operation func(a *API, admin string, params map[string]string, body []byte) (txFunc, error)

// operations by name, shared by the HTTP routes and Import.
var operations = map[string]operation{
	"citizen":      (*API).putCitizen,
	"application":  (*API).putApplication,
	"status":       (*API).postStatus,
	"holding":      (*API).postHolding,
	"access_event": (*API).postAccessEvent,
}

// routes of the write operations: method and pattern, by operation name.
var routes = []struct{ op, pattern string }{
	{"citizen", "PUT /api/v1/citizens/{id}"},
	{"application", "PUT /api/v1/applications/{reference}"},
	{"status", "POST /api/v1/applications/{reference}/status"},
	{"holding", "POST /api/v1/citizens/{id}/holdings"},
	{"access_event", "POST /api/v1/citizens/{id}/access-events"},
}

// Routes mounts the API on mux.
func (a *API) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(openAPI)
	})
	for _, rt := range routes {
		mux.Handle(rt.pattern, a.write(rt.op, rt.pattern))
	}
	mux.HandleFunc("/api/v1/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint")
	})
}

// errForbidden is an administration writing what is not its own.
var errForbidden = errors.New("forbidden")

// write serves one write operation: authentication, the body, the idempotency key, the
// operation, the answer.
func (a *API) write(op, pattern string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		admin, err := a.authenticate(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="mygov"`)
			writeError(w, http.StatusUnauthorized, "unauthorized", "a valid bearer token is required")
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.maxBody()))
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			writeError(w, http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("the body is over %d bytes", a.maxBody()))
			return
		case err != nil:
			writeError(w, http.StatusBadRequest, "bad_request", "the body could not be read")
			return
		}
		key := r.Header.Get("Idempotency-Key")
		if key == "" || len(key) > maxKey || !printable(key) || strings.ContainsAny(key, "\n") {
			writeFields(w, &ValidationError{Fields: []FieldError{{Field: "Idempotency-Key", Problem: fmt.Sprintf("header required, 1 to %d printable characters", maxKey)}}})
			return
		}
		params := map[string]string{}
		for _, name := range []string{"id", "reference"} {
			if v := r.PathValue(name); v != "" {
				params[name] = v
			}
		}
		res, err := a.Do(r.Context(), admin, op, key, params, body)
		if err != nil {
			a.writeErr(w, r, op, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(res.Status)
		w.Write(res.Body)
	})
}

// Do runs one write operation for the administration under the idempotency key.
func (a *API) Do(ctx context.Context, admin, op, key string, params map[string]string, body []byte) (Response, error) {
	parse, ok := operations[op]
	if !ok {
		return Response{}, &ValidationError{Fields: []FieldError{{Field: "op", Problem: "unknown operation"}}}
	}
	fn, err := parse(a, admin, params, body)
	if err != nil {
		return Response{}, err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%q\x00%q\x00", op, params["id"], params["reference"])
	h.Write(body)
	return a.Store.Write(ctx, admin, key, h.Sum(nil), fn)
}

func (a *API) authenticate(r *http.Request) (string, error) {
	token := bearer(r.Header.Get("Authorization"))
	if token == "" {
		return "", errors.New("no bearer token")
	}
	return a.Store.AdministrationByKey(r.Context(), HashToken(token))
}

func (a *API) maxBody() int64 {
	if a.MaxBody > 0 {
		return a.MaxBody
	}
	return DefaultMaxBody
}

func (a *API) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// writeErr maps an operation's error to its HTTP answer once.
func (a *API) writeErr(w http.ResponseWriter, r *http.Request, op string, err error) {
	var ve *ValidationError
	switch {
	case errors.As(err, &ve):
		writeFields(w, ve)
	case errors.Is(err, errForbidden):
		writeError(w, http.StatusForbidden, "forbidden", "this administration may not write that record")
	case records.ErrorCode(err) == records.ENOTFOUND:
		writeError(w, http.StatusNotFound, "not_found", err.Error())
	case records.ErrorCode(err) == records.ECONFLICT:
		writeError(w, http.StatusConflict, "conflict", "this Idempotency-Key was used with another request")
	case records.ErrorCode(err) == records.EINVALID:
		writeError(w, http.StatusUnprocessableEntity, "invalid", err.Error())
	default:
		a.Logger.ErrorContext(r.Context(), "ingest: write failed", "op", op, "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "internal error, try again later")
	}
}

// apiError is the body of every error answer.
type apiError struct {
	Error   string       `json:"error"`
	Message string       `json:"message"`
	Fields  []FieldError `json:"fields,omitempty"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, apiError{Error: code, Message: msg})
}

func writeFields(w http.ResponseWriter, ve *ValidationError) {
	writeJSON(w, http.StatusUnprocessableEntity, apiError{Error: "invalid", Message: "some fields are not valid", Fields: ve.Fields})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// decode reads a JSON object strictly: unknown fields and trailing data are errors.
func decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return &ValidationError{Fields: []FieldError{{Field: "body", Problem: "empty, want a JSON object"}}}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return &ValidationError{Fields: []FieldError{{Field: te.Field, Problem: "wrong type, want " + te.Type.String()}}}
		}
		msg := err.Error()
		if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
			return &ValidationError{Fields: []FieldError{{Field: strings.Trim(f, `"`), Problem: "unknown field"}}}
		}
		return &ValidationError{Fields: []FieldError{{Field: "body", Problem: "not valid JSON"}}}
	}
	if dec.More() {
		return &ValidationError{Fields: []FieldError{{Field: "body", Problem: "more than one JSON value"}}}
	}
	return nil
}

// answer is a successful write's Response with a JSON body.
func answer(status int, v any) (Response, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return Response{}, err
	}
	return Response{Status: status, Body: b}, nil
}
