package ingest

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
	"github.com/catalonia/mygov/records/demo"
)

var testNow = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

type env struct {
	t      *testing.T
	store  *fakeStore
	srv    *httptest.Server
	tokens map[string]string // by administration
}

func newEnv(t *testing.T, opts ...Option) *env {
	d := demo.Dataset(testNow)
	st := newFakeStore(d)
	elig, err := records.NewEligibility(d.Benefits)
	if err != nil {
		t.Fatal(err)
	}
	api := New(st, slog.New(slog.DiscardHandler), append([]Option{WithMatcher(elig), WithClock(func() time.Time { return testNow })}, opts...)...)
	mux := http.NewServeMux()
	api.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &env{t: t, store: st, srv: srv, tokens: map[string]string{
		"generalitat": st.addKey("generalitat"), "cc-barcelones": st.addKey("cc-barcelones"),
	}}
}

// do sends a request as admin ("" for none) and returns the status and decoded body.
func (e *env) do(admin, method, path, key, body string) (int, map[string]any) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if admin != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[admin])
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(b, &m)
	return resp.StatusCode, m
}

const approve = `{"status": "approved", "note": {"ca": "Cobraràs el dia 10.", "es": "Cobrarás el día 10."}}`

func TestStatusChangeQueuesOneNotice(t *testing.T) {
	e := newEnv(t)
	code, body := e.do("generalitat", "POST", "/api/v1/applications/EXP-2026-000101/status", "k1", approve)
	if code != http.StatusOK || body["changed"] != true {
		t.Fatalf("status change: %d %v; want 200, changed", code, body)
	}
	app := e.store.state.apps["EXP-2026-000101"]
	if app.Status != records.StatusApproved || app.History[len(app.History)-1].Note["ca"] != "Cobraràs el dia 10." {
		t.Errorf("application %s, last note %v; want approved with the note", app.Status, app.History[len(app.History)-1].Note)
	}
	items := e.store.state.items
	if len(items) != 1 || items[0].Kind != dialog.NoticeStatusChange || items[0].CitizenID != "cit-0001" || items[0].Ref != "EXP-2026-000101" {
		t.Fatalf("items %+v; want one status change of Maria's EXP-2026-000101", items)
	}

	t.Run("SameKeySameBodyReplays", func(t *testing.T) {
		code2, body2 := e.do("generalitat", "POST", "/api/v1/applications/EXP-2026-000101/status", "k1", approve)
		if code2 != code || body2["changed"] != true || len(e.store.state.items) != 1 || len(e.store.state.apps["EXP-2026-000101"].History) != len(app.History) {
			t.Errorf("replay: %d %v, %d items; want the same answer and nothing more", code2, body2, len(e.store.state.items))
		}
	})
	t.Run("SameKeyOtherBodyConflicts", func(t *testing.T) {
		if code, _ := e.do("generalitat", "POST", "/api/v1/applications/EXP-2026-000101/status", "k1", `{"status":"paid"}`); code != http.StatusConflict {
			t.Errorf("reused key: %d, want 409", code)
		}
	})
	t.Run("OtherKeySameStatusChangesNothing", func(t *testing.T) {
		_, body := e.do("generalitat", "POST", "/api/v1/applications/EXP-2026-000101/status", "k2", approve)
		if body["changed"] != false || len(e.store.state.items) != 1 {
			t.Errorf("same status again: %v, %d items; want unchanged, no notice", body, len(e.store.state.items))
		}
	})
}

func TestAnAdministrationWritesOnlyItsOwn(t *testing.T) {
	e := newEnv(t)
	// EXP-2026-000102 is the Consell Comarcal del Barcelonès's.
	if code, _ := e.do("generalitat", "POST", "/api/v1/applications/EXP-2026-000102/status", "k", approve); code != http.StatusForbidden {
		t.Errorf("another administration's application: %d, want 403", code)
	}
	if code, _ := e.do("cc-barcelones", "POST", "/api/v1/applications/EXP-2026-000102/status", "k", approve); code != http.StatusOK {
		t.Errorf("its own application: %d, want 200", code)
	}
	access := `{"administration_id": "generalitat", "at": "2026-11-19T10:00:00Z", "category": "income", "unit": {"ca": "u", "es": "u"}, "purpose": {"ca": "p", "es": "p"}, "legal_basis": {"ca": "l", "es": "l"}}`
	if code, _ := e.do("cc-barcelones", "POST", "/api/v1/citizens/cit-0001/access-events", "a", access); code != http.StatusForbidden {
		t.Errorf("an access event in another's name: %d, want 403", code)
	}
	if code, _ := e.do("generalitat", "POST", "/api/v1/citizens/cit-0001/access-events", "a", access); code != http.StatusCreated {
		t.Errorf("its own access event: %d, want 201", code)
	}
	if n := len(e.store.state.access); n != 1 || e.store.state.access[0].AdministrationID != "generalitat" {
		t.Errorf("access events %+v; want one of generalitat", e.store.state.access)
	}
	if len(e.store.state.items) != 1 {
		t.Errorf("%d notices, want 1 (the consell's own change)", len(e.store.state.items))
	}
}

func TestProfileChangeQueuesNewBenefitWithReason(t *testing.T) {
	e := newEnv(t)
	jose := e.store.state.citizens["cit-0002"]
	p := jose.Profile
	p.MonthlyIncome = 600 // under the pensió no contributiva's limit
	code, body := e.do("generalitat", "PUT", "/api/v1/citizens/cit-0002", "p1", string(mustJSON(map[string]any{"profile": p})))
	if code != http.StatusOK {
		t.Fatalf("profile change: %d %v", code, body)
	}
	items := e.store.state.items
	if len(items) != 1 || items[0].Kind != dialog.NoticeNewBenefit || items[0].Cause != "benefit:pnc" || items[0].Reason["es"] == "" {
		t.Fatalf("items %+v; want one new-benefit notice of the pnc with its reason", items)
	}
	if got := e.store.state.citizens["cit-0002"]; got.Profile.MonthlyIncome != 600 || got.NationalID != jose.NationalID {
		t.Errorf("citizen after the change: income %d, national id kept %v", got.Profile.MonthlyIncome, got.NationalID == jose.NationalID)
	}
	// The same change again, under another key: the benefit is not new any more.
	e.do("generalitat", "PUT", "/api/v1/citizens/cit-0002", "p2", string(mustJSON(map[string]any{"profile": p})))
	if len(e.store.state.items) != 1 {
		t.Errorf("%d items after the same profile again, want 1", len(e.store.state.items))
	}
}

func TestDeadlineSchedulesAReminder(t *testing.T) {
	e := newEnv(t)
	body := `{"status": "needs_documents", "missing_documents": [{"ca": "certificat de convivència", "es": "certificado de convivencia"}], "deadline": "2026-12-07"}`
	if code, b := e.do("generalitat", "POST", "/api/v1/applications/EXP-2026-000101/status", "d1", body); code != http.StatusOK {
		t.Fatalf("deadline: %d %v", code, b)
	}
	want := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	if len(e.store.state.reminders) != 1 {
		t.Fatalf("reminders %v; want one", e.store.state.reminders)
	}
	for job, at := range e.store.state.reminders {
		if job.Ref != "EXP-2026-000101" || !at.Equal(want) {
			t.Errorf("reminder %+v at %s; want EXP-2026-000101 at %s", job, at, want)
		}
	}
}

func TestCreateCitizenAndApplication(t *testing.T) {
	e := newEnv(t)
	citizen := `{"national_id": "87654321X", "given_name": "Núria", "surnames": "Vidal", "birth_date": "1990-05-01", "phone": "+34600009999", "lang": "ca", "municipality": "Girona"}`
	if code, b := e.do("generalitat", "PUT", "/api/v1/citizens/cit-9999", "c1", citizen); code != http.StatusCreated {
		t.Fatalf("create citizen: %d %v", code, b)
	}
	app := `{"citizen_id": "cit-9999", "procedure": {"ca": "Beca", "es": "Beca"}, "status": "submitted"}`
	if code, b := e.do("generalitat", "PUT", "/api/v1/applications/EXP-2026-009999", "a1", app); code != http.StatusCreated {
		t.Fatalf("create application: %d %v", code, b)
	}
	if a := e.store.state.apps["EXP-2026-009999"]; a.AdministrationID != "generalitat" || len(a.History) != 1 {
		t.Errorf("application %+v; want generalitat's with one step", a)
	}
	if len(e.store.state.items) != 0 {
		t.Errorf("a new application queued %d notices, want none", len(e.store.state.items))
	}
	if code, _ := e.do("cc-barcelones", "PUT", "/api/v1/applications/EXP-2026-009999", "a1", app); code != http.StatusForbidden {
		t.Errorf("another administration updating it: %d, want 403", code)
	}
}

func TestRefusals(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name, admin, method, path, key, body string
		want                                 int
		fields                               []string
	}{
		{"NoToken", "", "POST", "/api/v1/applications/EXP-2026-000101/status", "k", approve, 401, nil},
		{"NoKey", "generalitat", "POST", "/api/v1/applications/EXP-2026-000101/status", "", approve, 422, []string{"Idempotency-Key"}},
		{"KeyTooLong", "generalitat", "POST", "/api/v1/applications/EXP-2026-000101/status", strings.Repeat("k", 201), approve, 422, []string{"Idempotency-Key"}},
		{"UnknownApplication", "generalitat", "POST", "/api/v1/applications/EXP-2026-999999/status", "k", approve, 404, nil},
		{"UnknownCitizen", "generalitat", "POST", "/api/v1/citizens/cit-nobody/holdings", "k", `{"category": "income", "register": {"ca": "r", "es": "r"}, "legal_basis": {"ca": "l", "es": "l"}}`, 404, nil},
		{"BadReference", "generalitat", "POST", "/api/v1/applications/EXP-1/status", "k", approve, 422, []string{"reference"}},
		{"BadStatus", "generalitat", "POST", "/api/v1/applications/EXP-2026-000101/status", "k", `{"status": "won"}`, 422, []string{"status"}},
		{"NoteInOneLanguage", "generalitat", "POST", "/api/v1/applications/EXP-2026-000101/status", "k", `{"status": "approved", "note": {"ca": "sí"}}`, 422, []string{"note.es"}},
		{"EveryBadField", "generalitat", "PUT", "/api/v1/citizens/cit-0001", "k", `{"national_id": "12345678A", "phone": "600", "lang": "fr", "birth_date": "1990-13-01", "profile": {"disability_percent": 140}}`, 422, []string{"national_id", "phone", "lang", "birth_date", "profile.disability_percent"}},
		{"UnknownField", "generalitat", "POST", "/api/v1/applications/EXP-2026-000101/status", "k", `{"status": "approved", "citizen_id": "cit-0002"}`, 422, []string{"citizen_id"}},
		{"WrongType", "generalitat", "POST", "/api/v1/applications/EXP-2026-000101/status", "k", `{"status": 3}`, 422, []string{"status"}},
		{"Empty", "generalitat", "POST", "/api/v1/applications/EXP-2026-000101/status", "k", ``, 422, []string{"body"}},
		{"NotJSON", "generalitat", "POST", "/api/v1/applications/EXP-2026-000101/status", "k", `{"status": `, 422, []string{"body"}},
		{"TwoValues", "generalitat", "POST", "/api/v1/applications/EXP-2026-000101/status", "k", approve + approve, 422, []string{"body"}},
		{"ControlCharacters", "generalitat", "POST", "/api/v1/applications/EXP-2026-000101/status", "k", `{"status": "approved", "note": {"ca": "a\u0000b", "es": "x"}}`, 422, []string{"note.ca"}},
		{"HostileID", "generalitat", "PUT", "/api/v1/citizens/x';DROP%20TABLE%20citizens;--", "k", `{"lang": "ca"}`, 422, []string{"id"}},
		{"Oversized", "generalitat", "POST", "/api/v1/applications/EXP-2026-000101/status", "k", `{"status": "approved", "note": {"ca": "` + strings.Repeat("a", DefaultMaxBody) + `", "es": "x"}}`, 413, nil},
		{"NoteTooLong", "generalitat", "POST", "/api/v1/applications/EXP-2026-000101/status", "k", `{"status": "approved", "note": {"ca": "` + strings.Repeat("a", maxLong+1) + `", "es": "x"}}`, 422, []string{"note.ca"}},
		{"NewCitizenIncomplete", "generalitat", "PUT", "/api/v1/citizens/cit-new", "k", `{"lang": "ca"}`, 422, []string{"national_id", "given_name", "phone", "municipality", "birth_date"}},
		{"UnknownEndpoint", "generalitat", "POST", "/api/v1/nothing", "k", approve, 404, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := e.do(tc.admin, tc.method, tc.path, tc.key, tc.body)
			if code != tc.want {
				t.Fatalf("%s %s: %d %v, want %d", tc.method, tc.path, code, body, tc.want)
			}
			var got []string
			fields, _ := body["fields"].([]any)
			for _, f := range fields {
				got = append(got, f.(map[string]any)["field"].(string))
			}
			for _, f := range tc.fields {
				if !strings.Contains(" "+strings.Join(got, " ")+" ", " "+f+" ") {
					t.Errorf("fields %v do not name %q", got, f)
				}
			}
		})
	}
	if len(e.store.state.items) != 0 || len(e.store.state.idem) != 0 {
		t.Errorf("refused requests left %d notices and %d keys, want none", len(e.store.state.items), len(e.store.state.idem))
	}
}

func TestOpenAPI(t *testing.T) {
	e := newEnv(t)
	resp, err := http.Get(e.srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || resp.StatusCode != 200 {
		t.Fatalf("openapi.json: %d %v", resp.StatusCode, err)
	}
	for _, rt := range routes {
		method, path, _ := strings.Cut(rt.pattern, " ")
		path = strings.TrimPrefix(path, "/api/v1")
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("the document has no %s %s", method, path)
		}
	}
}

func TestImport(t *testing.T) {
	e := newEnv(t)
	api := New(e.store, slog.New(slog.DiscardHandler), WithClock(func() time.Time { return testNow }))
	file := strings.Join([]string{
		`{"op": "status", "administration": "generalitat", "reference": "EXP-2026-000101", "body": ` + approve + `}`,
		`{"op": "status", "administration": "generalitat", "reference": "EXP-2026-000102", "body": ` + approve + `}`,
		`{"op": "status", "administration": "nobody", "reference": "EXP-2026-000101", "body": ` + approve + `}`,
		`not json`,
		``,
		`{"op": "holding", "administration": "generalitat", "id": "cit-0001", "body": {"category": "income", "register": {"ca": "r", "es": "r"}, "legal_basis": {"ca": "l", "es": "l"}}}`,
		`{"op": "launch", "administration": "generalitat", "body": {}}`,
	}, "\n")
	admins := func(_ context.Context, id string) error {
		if id == "generalitat" {
			return nil
		}
		return records.Errorf(records.ENOTFOUND, "no")
	}
	s, err := api.Import(context.Background(), strings.NewReader(file), admins)
	if err != nil {
		t.Fatal(err)
	}
	if s.Written["status"] != 1 || s.Written["holding"] != 1 || s.Refusals != 4 {
		t.Fatalf("summary %+v; want 1 status and 1 holding written, 4 refused", s)
	}
	for i, want := range []string{"another administration", "unknown administration", "not a JSON object", "op"} {
		if !strings.Contains(s.Refused[i].Reason, want) {
			t.Errorf("refusal %d: %+v, want a reason with %q", i, s.Refused[i], want)
		}
	}
	// Importing the same file again writes nothing more.
	s2, err := api.Import(context.Background(), strings.NewReader(file), admins)
	if err != nil || len(e.store.state.items) != 1 || len(e.store.state.holdings) != 1 {
		t.Errorf("second import: %+v %v; %d notices, %d holdings; want 1 and 1", s2, err, len(e.store.state.items), len(e.store.state.holdings))
	}
}

func TestNewStatusReplacesWhatToDo(t *testing.T) {
	e := newEnv(t)
	if code, b := e.do("generalitat", "POST", "/api/v1/applications/EXP-2026-000101/status", "k", approve); code != http.StatusOK {
		t.Fatalf("%d %v", code, b)
	}
	app := e.store.state.apps["EXP-2026-000101"]
	if len(app.MissingDocuments) != 0 || !app.Deadline.IsZero() || len(app.NextStep) != 0 {
		t.Errorf("approved with missing %v, deadline %v, next step %v; want none", app.MissingDocuments, app.Deadline, app.NextStep)
	}
}
