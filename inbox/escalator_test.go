package inbox

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

func TestHoursAt(t *testing.T) {
	h := DefaultHours()
	madrid := h.Location
	at := func(d, hh, mm int) time.Time { return time.Date(2026, 11, d, hh, mm, 0, 0, madrid) } // 30 Nov 2026 is a Monday
	tests := []struct {
		name      string
		now       time.Time
		wantOpen  bool
		wantOpens time.Time
	}{
		{"MondayMorning", at(30, 10, 0), true, time.Time{}},
		{"MondayAtNine", at(30, 9, 0), true, time.Time{}},
		{"MondayEarly", at(30, 7, 30), false, at(30, 9, 0)},
		{"MondayAtTwo", at(30, 14, 0), false, time.Date(2026, 12, 1, 9, 0, 0, 0, madrid)},
		{"FridayEvening", time.Date(2026, 12, 4, 18, 0, 0, 0, madrid), false, time.Date(2026, 12, 7, 9, 0, 0, 0, madrid)},
		{"Saturday", time.Date(2026, 12, 5, 11, 0, 0, 0, madrid), false, time.Date(2026, 12, 7, 9, 0, 0, 0, madrid)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			open, opens := h.At(tt.now.UTC())
			if open != tt.wantOpen || !opens.Equal(tt.wantOpens) {
				t.Errorf("At(%v) = %v, %v; want %v, %v", tt.now, open, opens, tt.wantOpen, tt.wantOpens)
			}
		})
	}
	if open, opens := (Hours{}).At(time.Now()); open || !opens.IsZero() {
		t.Errorf("no office days: %v, %v; want closed with no opening", open, opens)
	}
}

func TestEscalate(t *testing.T) {
	now := time.Date(2026, 12, 5, 11, 0, 0, 0, time.UTC) // a Saturday
	st := newFakeStore(func() time.Time { return now })
	st.citizens["c-maria"] = &records.Citizen{ID: "c-maria", Municipality: "Badalona"}
	st.citizens["c-jose"] = &records.Citizen{ID: "c-jose", Municipality: "Lleida"}
	weekend := Hours{Days: []time.Weekday{time.Saturday}, Open: 10 * time.Hour, Close: 14 * time.Hour, Location: time.UTC}
	esc := &Escalator{Store: st, Now: func() time.Time { return now }, Routing: Routing{
		Teams: map[string]string{"Lleida": "atencio-social"},
		Hours: map[string]Hours{"atencio-social": weekend},
	}}
	run := func(address, citizen string, e dialog.Escalation) (dialog.Handoff, *Case) {
		t.Helper()
		var h dialog.Handoff
		var cs *Case
		err := st.Turn(context.Background(), "sms", address, func(ctx context.Context, tx dialog.Tx) error {
			c := tx.Conversation()
			c.CitizenID = citizen
			var err error
			if h, err = esc.Escalate(ctx, tx, c, e); err != nil {
				return err
			}
			cs, err = st.FindOpenCase(ctx, tx, c.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return h, cs
	}
	t.Run("MunicipalityDefaultTeam", func(t *testing.T) {
		h, cs := run("+34600000001", "c-maria", dialog.Escalation{Reason: dialog.ReasonAsked})
		if cs.Municipality != "Badalona" || cs.Team != DefaultTeam || cs.Priority != dialog.PriorityNormal {
			t.Errorf("case = %s/%s/%d", cs.Municipality, cs.Team, cs.Priority)
		}
		if h.Team != DefaultTeam || h.Open || h.Opens.Weekday() != time.Monday {
			t.Errorf("handoff = %+v, want closed until Monday", h)
		}
	})
	t.Run("ConfiguredTeamAndHours", func(t *testing.T) {
		h, cs := run("+34600000002", "c-jose", dialog.Escalation{Reason: dialog.ReasonAsked})
		if cs.Team != "atencio-social" || !h.Open {
			t.Errorf("case team %s, handoff %+v; want atencio-social, open", cs.Team, h)
		}
	})
	t.Run("UnidentifiedGoesToGeneral", func(t *testing.T) {
		_, cs := run("+34699999999", "", dialog.Escalation{Reason: dialog.ReasonMisunderstood})
		if cs.Municipality != GeneralMunicipality || cs.Team != GeneralTeam || cs.Reason != dialog.ReasonMisunderstood {
			t.Errorf("case = %+v", cs)
		}
	})
	t.Run("DistressRaisesTheOpenCase", func(t *testing.T) {
		_, first := run("+34600000001", "c-maria", dialog.Escalation{Reason: dialog.ReasonDistress, Distress: "hunger", Priority: dialog.PriorityUrgent})
		cases, _ := st.ListOpenCases(context.Background(), "Badalona")
		if len(cases) != 1 || first.Priority != dialog.PriorityUrgent || first.Distress != "hunger" {
			t.Errorf("%d open cases, priority %d; want one, urgent", len(cases), first.Priority)
		}
	})
}

func TestWatcher(t *testing.T) {
	f := newFixture(t)
	w := &Watcher{Store: f.store, After: 30 * time.Minute, Now: func() time.Time { return f.now }}
	if n, err := w.Check(context.Background()); err != nil || n != 0 {
		t.Fatalf("fresh cases warned: %d, %v", n, err)
	}
	c := f.login("laia@lleida.cat")
	c.post(casePath(f.lleida)+"/claim", map[string][]string{"csrf": {c.csrf}})
	f.now = f.now.Add(31 * time.Minute)
	if n, err := w.Check(context.Background()); err != nil || n != 1 {
		t.Fatalf("warned %d, %v; want the one unclaimed case", n, err)
	}
	if keys := f.store.outKeys(f.badalona.ConversationID); len(keys) != 1 || keys[0] != KeyUnclaimed {
		t.Errorf("Maria told %v, want %s", keys, KeyUnclaimed)
	}
	if keys := f.store.outKeys(f.lleida.ConversationID); len(keys) != 0 {
		t.Errorf("claimed case's citizen told %v", keys)
	}
	if n, _ := w.Check(context.Background()); n != 0 {
		t.Errorf("warned again: %d", n)
	}
}

func TestPasswords(t *testing.T) {
	h, err := HashPassword("a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$") || strings.Contains(h, "a long enough password") {
		t.Errorf("hash = %q", h)
	}
	if !CheckPassword(h, "a long enough password") || CheckPassword(h, "a long enough passworD") {
		t.Error("CheckPassword does not tell right from wrong")
	}
	for _, bad := range []string{"", "short", strings.Repeat("x", MaxPasswordLen+1)} {
		if _, err := HashPassword(bad); err == nil {
			t.Errorf("HashPassword(%d characters) accepted", len(bad))
		}
	}
	for _, bad := range []string{"", "$argon2id$", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=64,t=1,p=1$!!$a2V5", "$argon2id$v=18$m=64,t=1,p=1$c2FsdA$a2V5"} {
		if CheckPassword(bad, "a long enough password") {
			t.Errorf("CheckPassword(%q) = true", bad)
		}
	}
	if GeneratePassword() == GeneratePassword() || len(GeneratePassword()) < MinPasswordLen {
		t.Error("GeneratePassword not random or too short")
	}
}
