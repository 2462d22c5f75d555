package inbox

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/locales"
	"github.com/catalonia/mygov/records"
)

const testPassword = "correct horse battery"

// fixture is an inbox over a fake store with three accounts and two open cases, one of
// Badalona (Maria, by SMS) and one of Lleida (José, by Telegram).
type fixture struct {
	t        *testing.T
	store    *fakeStore
	srv      *Server
	http     *httptest.Server
	now      time.Time
	badalona *Case
	lleida   *Case
}

func newFixture(t *testing.T, opts ...Option) *fixture {
	t.Helper()
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC) // a Monday, 11:00 in Madrid
	f := &fixture{t: t, now: now}
	f.store = newFakeStore(func() time.Time { return f.now })
	f.store.citizens["c-maria"] = &records.Citizen{ID: "c-maria", GivenName: "Maria", Surnames: "Puig Soler", Municipality: "Badalona"}
	f.store.citizens["c-jose"] = &records.Citizen{ID: "c-jose", GivenName: "José", Surnames: "García López", Municipality: "Lleida"}
	f.store.apps["c-maria"] = []records.Application{{Ref: "EXP-2026-000101", Procedure: records.Localized{"ca": "Renda Garantida"}, Status: "needs_documents"}}
	hash, err := HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []Staff{
		{Email: "marta@badalona.cat", Name: "Marta", Municipality: "Badalona", Team: DefaultTeam, Role: RoleWorker, Administration: "ajuntament-badalona"},
		{Email: "pere@badalona.cat", Name: "Pere", Municipality: "Badalona", Team: "habitatge", Role: RoleWorker, Administration: "ajuntament-badalona"},
		{Email: "coord@badalona.cat", Name: "Núria", Municipality: "Badalona", Team: DefaultTeam, Role: RoleCoordinator, Administration: "ajuntament-badalona"},
		{Email: "laia@lleida.cat", Name: "Laia", Municipality: "Lleida", Team: DefaultTeam, Role: RoleWorker, Administration: "ajuntament-lleida"},
	} {
		s.PasswordHash = hash
		if err := f.store.AddStaff(context.Background(), &s); err != nil {
			t.Fatal(err)
		}
	}
	f.badalona = f.escalate("sms", "+34600000001", "c-maria", dialog.Escalation{Reason: dialog.ReasonAsked})
	f.lleida = f.escalate("telegram", "1002", "c-jose", dialog.Escalation{Reason: dialog.ReasonDistress, Distress: "hunger", Priority: dialog.PriorityUrgent})
	opts = append([]Option{WithClock(func() time.Time { return f.now }), WithPollInterval(10 * time.Millisecond)}, opts...)
	f.srv, err = New(f.store, locales.MustLoad(), nil, slog.New(slog.DiscardHandler), opts...)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	f.srv.Routes(mux)
	f.http = httptest.NewServer(mux)
	t.Cleanup(f.http.Close)
	return f
}

// escalate runs a turn that escalates the conversation, as the engine does.
func (f *fixture) escalate(channel, address, citizen string, e dialog.Escalation) *Case {
	f.t.Helper()
	esc := &Escalator{Store: f.store, Now: func() time.Time { return f.now }}
	var id int64
	err := f.store.Turn(context.Background(), channel, address, func(ctx context.Context, tx dialog.Tx) error {
		c := tx.Conversation()
		c.CitizenID, c.Lang, c.State = citizen, "ca", dialog.StateEscalated
		if _, err := esc.Escalate(ctx, tx, c, e); err != nil {
			return err
		}
		cs, err := f.store.FindOpenCase(ctx, tx, c.ID)
		id = cs.ID
		if err != nil {
			return err
		}
		return tx.SaveConversation(ctx, c)
	})
	if err != nil {
		f.t.Fatal(err)
	}
	cs, _ := f.store.FindCase(context.Background(), id)
	return cs
}

// client is a browser: a cookie jar that does not follow redirects.
type client struct {
	f    *fixture
	http *http.Client
	csrf string
}

func (f *fixture) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{f: f, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (c *client) get(path string) (int, string) {
	c.f.t.Helper()
	resp, err := c.http.Get(c.f.http.URL + path)
	if err != nil {
		c.f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfRe.FindSubmatch(b); m != nil {
		c.csrf = string(m[1])
	}
	return resp.StatusCode, string(b)
}

func (c *client) post(path string, form url.Values) (int, string) {
	c.f.t.Helper()
	resp, err := c.http.PostForm(c.f.http.URL+path, form)
	if err != nil {
		c.f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location") + string(b)
}

// login logs in as email and fails the test unless it lands on the queue.
func (f *fixture) login(email string) *client {
	f.t.Helper()
	c := f.client()
	c.get("/inbox/")
	code, loc := c.post("/inbox/login", url.Values{"csrf": {c.csrf}, "email": {email}, "password": {testPassword}})
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/inbox/") {
		f.t.Fatalf("login %s: %d %s", email, code, loc)
	}
	c.get("/inbox/")
	return c
}

func casePath(cs *Case) string { return "/inbox/c/" + strconv.FormatInt(cs.ID, 10) }

func TestLoginForm(t *testing.T) {
	f := newFixture(t)
	resp, err := http.Get(f.http.URL + "/inbox/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	body := string(b)
	for _, want := range []string{`name="email"`, `name="password"`, `type="hidden" name="csrf"`, `<label for="email">`} {
		if !strings.Contains(body, want) {
			t.Errorf("login page lacks %s", want)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
	for _, ck := range resp.Cookies() {
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
			t.Errorf("cookie %s: HttpOnly %v SameSite %v", ck.Name, ck.HttpOnly, ck.SameSite)
		}
	}
}

func TestLogin(t *testing.T) {
	t.Run("LandsOnQueue", func(t *testing.T) {
		f := newFixture(t)
		c := f.login("marta@badalona.cat")
		code, body := c.get("/inbox/")
		if code != http.StatusOK || !strings.Contains(body, "Maria Puig Soler") {
			t.Errorf("queue after login: %d, Maria missing", code)
		}
	})
	t.Run("WrongPassword", func(t *testing.T) {
		f := newFixture(t)
		c := f.client()
		c.get("/inbox/")
		code, _ := c.post("/inbox/login", url.Values{"csrf": {c.csrf}, "email": {"marta@badalona.cat"}, "password": {"wrong password!"}})
		if code != http.StatusUnauthorized {
			t.Errorf("wrong password: %d, want 401", code)
		}
		if code, _ := c.get("/inbox/c/" + strconv.FormatInt(f.badalona.ID, 10)); code != http.StatusSeeOther {
			t.Errorf("case without session: %d, want a redirect to the login", code)
		}
	})
	t.Run("NoCSRF", func(t *testing.T) {
		f := newFixture(t)
		c := f.client()
		c.get("/inbox/")
		code, _ := c.post("/inbox/login", url.Values{"email": {"marta@badalona.cat"}, "password": {testPassword}})
		if code != http.StatusForbidden {
			t.Errorf("login without csrf: %d, want 403", code)
		}
	})
	t.Run("RateLimitedPerAccount", func(t *testing.T) {
		f := newFixture(t)
		c := f.client()
		for range 5 {
			c.get("/inbox/")
			c.post("/inbox/login", url.Values{"csrf": {c.csrf}, "email": {"marta@badalona.cat"}, "password": {"not the password"}})
		}
		c.get("/inbox/")
		code, _ := c.post("/inbox/login", url.Values{"csrf": {c.csrf}, "email": {"marta@badalona.cat"}, "password": {testPassword}})
		if code != http.StatusTooManyRequests {
			t.Errorf("sixth login: %d, want 429", code)
		}
	})
	t.Run("RateLimitedPerAddress", func(t *testing.T) {
		f := newFixture(t, WithLoginLimits(100, 3, time.Hour))
		c := f.client()
		for i := range 3 {
			c.get("/inbox/")
			c.post("/inbox/login", url.Values{"csrf": {c.csrf}, "email": {"nobody" + strconv.Itoa(i) + "@x.cat"}, "password": {"not the password"}})
		}
		c.get("/inbox/")
		code, _ := c.post("/inbox/login", url.Values{"csrf": {c.csrf}, "email": {"marta@badalona.cat"}, "password": {testPassword}})
		if code != http.StatusTooManyRequests {
			t.Errorf("login after 3 failures from one address: %d, want 429", code)
		}
	})
	t.Run("Disabled", func(t *testing.T) {
		f := newFixture(t)
		c := f.login("marta@badalona.cat")
		if err := f.store.SetStaffDisabled(context.Background(), "marta@badalona.cat", true); err != nil {
			t.Fatal(err)
		}
		if code, _ := c.get(casePath(f.badalona)); code != http.StatusSeeOther {
			t.Errorf("disabled account's session: %d, want a redirect to the login", code)
		}
	})
	t.Run("Expired", func(t *testing.T) {
		f := newFixture(t)
		c := f.login("marta@badalona.cat")
		f.now = f.now.Add(9 * time.Hour)
		if code, _ := c.get(casePath(f.badalona)); code != http.StatusSeeOther {
			t.Errorf("expired session: %d, want a redirect to the login", code)
		}
	})
	t.Run("Logout", func(t *testing.T) {
		f := newFixture(t)
		c := f.login("marta@badalona.cat")
		if code, _ := c.post("/inbox/logout", url.Values{"csrf": {c.csrf}}); code != http.StatusSeeOther {
			t.Fatalf("logout: %d", code)
		}
		if code, _ := c.get(casePath(f.badalona)); code != http.StatusSeeOther {
			t.Errorf("after logout: %d, want a redirect to the login", code)
		}
	})
}

func TestLoginBadInput(t *testing.T) {
	f := newFixture(t)
	for name, form := range map[string]url.Values{
		"Empty":       {},
		"EmptyFields": {"email": {""}, "password": {""}},
		"Oversized":   {"email": {strings.Repeat("a", 40_000) + "@x.cat"}, "password": {testPassword}},
		"LongPass":    {"email": {"marta@badalona.cat"}, "password": {strings.Repeat("x", 10_000)}},
		"BadUTF8":     {"email": {"\xff\xfe@x.cat"}, "password": {"\xff"}},
		"Injection":   {"email": {"' OR 1=1 --"}, "password": {"' OR 1=1 --"}},
		"Script":      {"email": {"<script>alert(1)</script>"}, "password": {"x"}},
	} {
		t.Run(name, func(t *testing.T) {
			c := f.client()
			c.get("/inbox/")
			form.Set("csrf", c.csrf)
			code, body := c.post("/inbox/login", form)
			if code == http.StatusSeeOther || code >= 500 {
				t.Errorf("login with %s: %d", name, code)
			}
			if strings.Contains(body, "<script>alert") {
				t.Errorf("login echoes a script")
			}
		})
	}
}

func TestScope(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		email string
		path  string
		want  int
	}{
		{"marta@badalona.cat", casePath(f.badalona), http.StatusOK},
		{"laia@lleida.cat", casePath(f.badalona), http.StatusNotFound},
		{"marta@badalona.cat", casePath(f.lleida), http.StatusNotFound},
		{"pere@badalona.cat", casePath(f.badalona), http.StatusNotFound}, // another team
		{"coord@badalona.cat", casePath(f.badalona), http.StatusOK},
		{"coord@badalona.cat", casePath(f.lleida), http.StatusNotFound},
		{"marta@badalona.cat", "/inbox/c/999999", http.StatusNotFound},
		{"marta@badalona.cat", "/inbox/c/abc", http.StatusNotFound},
		{"marta@badalona.cat", "/inbox/c/-1", http.StatusNotFound},
		{"marta@badalona.cat", "/inbox/c/99999999999999999999999", http.StatusNotFound},
		{"laia@lleida.cat", casePath(f.badalona) + "/messages", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.email+tt.path, func(t *testing.T) {
			c := f.login(tt.email)
			if got, _ := c.get(tt.path); got != tt.want {
				t.Errorf("GET %s as %s = %d, want %d", tt.path, tt.email, got, tt.want)
			}
		})
	}
	t.Run("QueueShowsOnlyOwnMunicipality", func(t *testing.T) {
		_, body := f.login("laia@lleida.cat").get("/inbox/")
		if strings.Contains(body, "Maria") || !strings.Contains(body, "José") {
			t.Errorf("Lleida's queue: Maria shown or José missing")
		}
	})
	t.Run("ForeignPostsAre404", func(t *testing.T) {
		c := f.login("laia@lleida.cat")
		for _, action := range []string{"claim", "release", "assign", "reply", "note", "close"} {
			code, _ := c.post(casePath(f.badalona)+"/"+action, url.Values{"csrf": {c.csrf}, "text": {"hola"}, "reason": {"x"}, "staff": {"1"}})
			if code != http.StatusNotFound {
				t.Errorf("%s on another municipality's case: %d, want 404", action, code)
			}
		}
	})
}

func TestHostileCitizenText(t *testing.T) {
	f := newFixture(t)
	f.store.addInbound(f.badalona.ConversationID, `<script>alert(1)</script><img src=x onerror=alert(1)>`)
	_, body := f.login("marta@badalona.cat").get(casePath(f.badalona))
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
		t.Fatalf("citizen text not escaped")
	}
	if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("citizen text not shown as text")
	}
}

func TestPostsNeedCSRF(t *testing.T) {
	f := newFixture(t)
	c := f.login("marta@badalona.cat")
	for _, action := range []string{"claim", "release", "reply", "note", "close"} {
		for _, token := range []string{"", "forged", strings.Repeat("x", 5000)} {
			code, _ := c.post(casePath(f.badalona)+"/"+action, url.Values{"csrf": {token}, "text": {"hola"}, "reason": {"fet"}})
			if code != http.StatusForbidden {
				t.Errorf("%s with csrf %.10q: %d, want 403", action, token, code)
			}
		}
	}
	if keys := f.store.outKeys(f.badalona.ConversationID); len(keys) != 0 {
		t.Errorf("replies sent without a token: %v", keys)
	}
}

func TestReply(t *testing.T) {
	t.Run("Sent", func(t *testing.T) {
		f := newFixture(t)
		c := f.login("marta@badalona.cat")
		text := "Hola Maria, <b>demà</b> et truco."
		code, _ := c.post(casePath(f.badalona)+"/reply", url.Values{"csrf": {c.csrf}, "text": {text}, "back": {casePath(f.badalona)}})
		if code != http.StatusSeeOther {
			t.Fatalf("reply: %d", code)
		}
		msgs, _ := f.store.ConversationMessages(context.Background(), f.badalona.ConversationID)
		last := msgs[len(msgs)-1]
		if last.Reply == nil || last.Reply.Notice != dialog.NoticeInboxReply || last.Reply.Lines[0].Key != KeyReply || last.Reply.Lines[0].Args["Text"] != text || last.Reply.Lines[0].Args["Name"] != "Marta" {
			t.Fatalf("stored reply = %+v", last.Reply)
		}
		_, body := c.get(casePath(f.badalona))
		if !strings.Contains(body, "&lt;b&gt;demà&lt;/b&gt;") || !strings.Contains(body, "a la cua") {
			t.Errorf("reply not shown escaped with its status")
		}
	})
	for name, text := range map[string]string{
		"Empty":     "",
		"Blank":     " \t\n ",
		"TooLong":   strings.Repeat("a", MaxReplyRunes+1),
		"Controls":  "\x00\x01\x02",
		"Oversized": strings.Repeat("a", 100_000),
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			c := f.login("marta@badalona.cat")
			code, _ := c.post(casePath(f.badalona)+"/reply", url.Values{"csrf": {c.csrf}, "text": {text}})
			if code != http.StatusBadRequest && code != http.StatusRequestEntityTooLarge {
				t.Errorf("reply %s: %d, want 400", name, code)
			}
			if keys := f.store.outKeys(f.badalona.ConversationID); len(keys) != 0 {
				t.Errorf("reply %s sent: %v", name, keys)
			}
		})
	}
	t.Run("OptedOut", func(t *testing.T) {
		f := newFixture(t)
		c := f.login("marta@badalona.cat")
		conv := f.store.conversation("sms", "+34600000001")
		conv.OptedOut = true
		f.store.convs["sms\x00+34600000001"] = conv
		code, _ := c.post(casePath(f.badalona)+"/reply", url.Values{"csrf": {c.csrf}, "text": {"hola"}})
		if code != http.StatusConflict {
			t.Errorf("reply to an opted-out citizen: %d, want 409", code)
		}
	})
}

func TestNotesStayInternal(t *testing.T) {
	f := newFixture(t)
	c := f.login("marta@badalona.cat")
	code, _ := c.post(casePath(f.badalona)+"/note", url.Values{"csrf": {c.csrf}, "text": {"Viu sola, <i>trucar</i> dilluns"}, "back": {casePath(f.badalona)}})
	if code != http.StatusSeeOther {
		t.Fatalf("note: %d", code)
	}
	if keys := f.store.outKeys(f.badalona.ConversationID); len(keys) != 0 {
		t.Errorf("a note reached the citizen: %v", keys)
	}
	if _, body := c.get(casePath(f.badalona)); !strings.Contains(body, "Viu sola, &lt;i&gt;trucar&lt;/i&gt; dilluns") {
		t.Errorf("note not shown")
	}
	if code, _ := c.post(casePath(f.badalona)+"/note", url.Values{"csrf": {c.csrf}, "text": {strings.Repeat("n", MaxNoteRunes+1)}}); code != http.StatusBadRequest {
		t.Errorf("oversized note: %d, want 400", code)
	}
}

func TestClaimAssignRelease(t *testing.T) {
	f := newFixture(t)
	marta, coord := f.login("marta@badalona.cat"), f.login("coord@badalona.cat")
	path := casePath(f.badalona)
	if code, _ := marta.post(path+"/claim", url.Values{"csrf": {marta.csrf}}); code != http.StatusSeeOther {
		t.Fatalf("claim: %d", code)
	}
	if cs, _ := f.store.FindCase(context.Background(), f.badalona.ID); cs.AssignedTo == 0 {
		t.Fatal("claim did not assign")
	}
	if code, _ := marta.post(path+"/assign", url.Values{"csrf": {marta.csrf}, "staff": {"3"}}); code != http.StatusNotFound {
		t.Errorf("a worker assigning: %d, want 404", code)
	}
	coordID := int64(0)
	for _, s := range f.store.staff {
		if s.Role == RoleCoordinator {
			coordID = s.ID
		}
	}
	if code, _ := coord.post(path+"/assign", url.Values{"csrf": {coord.csrf}, "staff": {strconv.FormatInt(coordID, 10)}}); code != http.StatusSeeOther {
		t.Errorf("coordinator assigning: %d", code)
	}
	for _, bad := range []string{"", "x", "-3", "999999", strconv.FormatInt(f.store.staff[3].ID, 10)} {
		if code, _ := coord.post(path+"/assign", url.Values{"csrf": {coord.csrf}, "staff": {bad}}); code != http.StatusBadRequest {
			t.Errorf("assign to %q: %d, want 400", bad, code)
		}
	}
	if code, _ := marta.post(path+"/release", url.Values{"csrf": {marta.csrf}}); code != http.StatusConflict {
		t.Errorf("releasing someone else's case: %d, want 409", code)
	}
	if code, _ := coord.post(path+"/release", url.Values{"csrf": {coord.csrf}}); code != http.StatusSeeOther {
		t.Errorf("release: %d", code)
	}
}

func TestClose(t *testing.T) {
	f := newFixture(t)
	c := f.login("marta@badalona.cat")
	if code, _ := c.post(casePath(f.badalona)+"/close", url.Values{"csrf": {c.csrf}, "reason": {""}}); code != http.StatusBadRequest {
		t.Errorf("close without a reason: %d, want 400", code)
	}
	if code, _ := c.post(casePath(f.badalona)+"/close", url.Values{"csrf": {c.csrf}, "reason": {"resolt"}}); code != http.StatusSeeOther {
		t.Fatalf("close: %d", code)
	}
	if conv := f.store.conversation("sms", "+34600000001"); conv.State != dialog.StateIdle {
		t.Errorf("state after close = %s, want idle", conv.State)
	}
	if keys := f.store.outKeys(f.badalona.ConversationID); !slices.Equal(keys, []string{KeyClosed}) {
		t.Errorf("citizen told %v, want %s", keys, KeyClosed)
	}
	if code, _ := c.post(casePath(f.badalona)+"/close", url.Values{"csrf": {c.csrf}, "reason": {"again"}}); code != http.StatusConflict {
		t.Errorf("closing twice: %d, want 409", code)
	}
	if _, body := c.get("/inbox/"); strings.Contains(body, "Maria") {
		t.Errorf("closed case still in the queue")
	}
}

func TestAccessEvent(t *testing.T) {
	f := newFixture(t)
	c := f.login("marta@badalona.cat")
	c.get(casePath(f.badalona))
	c.get(casePath(f.badalona)) // within the hour: one event
	if len(f.store.access) != 1 {
		t.Fatalf("%d access events, want 1", len(f.store.access))
	}
	ev := f.store.access[0]
	if ev.CitizenID != "c-maria" || ev.AdministrationID != "ajuntament-badalona" || !strings.Contains(ev.Purpose.In("ca"), "atendre la teva consulta") {
		t.Errorf("access event = %+v", ev)
	}
}

func TestQueueOrder(t *testing.T) {
	f := newFixture(t)
	f.now = f.now.Add(time.Minute)
	urgent := f.escalate("sms", "+34600000009", "", dialog.Escalation{Reason: dialog.ReasonDistress, Priority: dialog.PriorityUrgent})
	// The unidentified sender went to the general queue, not Badalona's.
	if urgent.Municipality != GeneralMunicipality || urgent.Team != GeneralTeam {
		t.Fatalf("unidentified sender routed to %s/%s", urgent.Municipality, urgent.Team)
	}
	f.store.citizens["c-anna"] = &records.Citizen{ID: "c-anna", GivenName: "Anna", Surnames: "Vidal", Municipality: "Badalona"}
	f.escalate("telegram", "77", "c-anna", dialog.Escalation{Reason: dialog.ReasonDistress, Priority: dialog.PriorityUrgent})
	f.now = f.now.Add(90 * time.Minute)
	_, body := f.login("marta@badalona.cat").get("/inbox/")
	anna, maria := strings.Index(body, "Anna Vidal"), strings.Index(body, "Maria Puig")
	if anna < 0 || maria < 0 || anna > maria {
		t.Errorf("urgent Anna (%d) not before Maria (%d)", anna, maria)
	}
	if !strings.Contains(body, "1 h 31 min") {
		t.Errorf("waiting time of Maria missing")
	}
}

func TestEvents(t *testing.T) {
	f := newFixture(t)
	c := f.login("marta@badalona.cat")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, f.http.URL+"/inbox/events", nil)
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type = %q", ct)
	}
	r := bufio.NewReader(resp.Body)
	r.ReadString('\n') // retry
	r.ReadString('\n')
	time.Sleep(50 * time.Millisecond) // let the stream take its first snapshot
	f.store.addInbound(f.badalona.ConversationID, "encara hi sou?")
	want := "data: " + strconv.FormatInt(f.badalona.ID, 10)
	var got []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended before the case event: %v (got %q)", err, got)
		}
		got = append(got, strings.TrimSpace(line))
		if strings.TrimSpace(line) == want {
			break
		}
	}
	if !slices.Contains(got, "event: case") {
		t.Errorf("events = %q, want a case event", got)
	}
	t.Run("NeedsSession", func(t *testing.T) {
		resp, err := http.Get(f.http.URL + "/inbox/events")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("events without session: %d, want 401", resp.StatusCode)
		}
	})
}

func TestLang(t *testing.T) {
	f := newFixture(t)
	c := f.login("marta@badalona.cat")
	if code, _ := c.post("/inbox/lang", url.Values{"csrf": {c.csrf}, "lang": {"es"}}); code != http.StatusSeeOther {
		t.Fatalf("lang: %d", code)
	}
	if _, body := c.get("/inbox/"); !strings.Contains(body, "Cola") {
		t.Errorf("queue not in Spanish")
	}
	if code, _ := c.post("/inbox/lang", url.Values{"csrf": {c.csrf}, "lang": {"<x>"}}); code != http.StatusBadRequest {
		t.Errorf("unknown language: %d, want 400", code)
	}
}

func TestStaticHasNoInlineScript(t *testing.T) {
	f := newFixture(t)
	c := f.login("marta@badalona.cat")
	for _, p := range []string{"/inbox/", casePath(f.badalona), "/inbox/login"} {
		_, body := c.get(p)
		if regexp.MustCompile(`<script>|<script [^>]*>[^<]`).MatchString(body) || strings.Contains(body, " onclick=") {
			t.Errorf("%s has inline script", p)
		}
	}
	if code, _ := c.get("/inbox/static/inbox.js"); code != http.StatusOK {
		t.Errorf("inbox.js: %d", code)
	}
}
