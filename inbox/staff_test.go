package inbox

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

func TestStaffCommand(t *testing.T) {
	st := newFakeStore(time.Now)
	ctx := context.Background()
	run := func(stdin string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		open := func(context.Context) (StaffStore, io.Closer, error) { return st, io.NopCloser(nil), nil }
		code := StaffCommand(ctx, args, open, strings.NewReader(stdin), &out, &errb)
		return code, out.String(), errb.String()
	}
	code, out, _ := run("a password from stdin\n", "add", "--email", "Marta@Badalona.cat", "--name", "Marta", "--municipality", "Badalona", "--password-stdin")
	if code != 0 || strings.Contains(out, "a password from stdin") {
		t.Fatalf("add: %d %q", code, out)
	}
	s, err := st.FindStaffByEmail(ctx, "marta@badalona.cat")
	if err != nil || !CheckPassword(s.PasswordHash, "a password from stdin") || s.Team != DefaultTeam || s.Administration != "ajuntament-badalona" {
		t.Fatalf("stored account %+v, %v", s, err)
	}
	code, out, _ = run("", "add", "--email", "nuria@badalona.cat", "--name", "Núria", "--municipality", "L'Hospitalet de Llobregat", "--role", "coordinator")
	if code != 0 || !strings.Contains(out, "Password (shown only now): ") {
		t.Fatalf("add with a generated password: %d %q", code, out)
	}
	pw := strings.TrimSpace(out[strings.Index(out, "now): ")+6:])
	if s, _ := st.FindStaffByEmail(ctx, "nuria@badalona.cat"); !CheckPassword(s.PasswordHash, pw) || s.Administration != "ajuntament-lhospitalet-de-llobregat" {
		t.Errorf("generated password does not log in, or administration %q", s.Administration)
	}
	for name, args := range map[string][]string{
		"Taken":        {"add", "--email", "marta@badalona.cat", "--name", "M", "--municipality", "Badalona", "--password-stdin"},
		"BadEmail":     {"add", "--email", "not an email", "--name", "M", "--municipality", "Badalona", "--password-stdin"},
		"NoName":       {"add", "--email", "x@y.cat", "--municipality", "Badalona", "--password-stdin"},
		"BadRole":      {"add", "--email", "x@y.cat", "--name", "X", "--municipality", "Badalona", "--role", "admin", "--password-stdin"},
		"UnknownSub":   {"promote"},
		"Nothing":      {},
		"DisableNoOne": {"disable", "--email", "nobody@x.cat"},
	} {
		if code, _, _ := run("a password from stdin\n", args...); code == 0 {
			t.Errorf("%s: exit 0", name)
		}
	}
	if code, _, _ := run("short\n", "add", "--email", "x@y.cat", "--name", "X", "--municipality", "B", "--password-stdin"); code == 0 {
		t.Errorf("short password accepted")
	}
	if code, _, _ := run("", "disable", "--email", "MARTA@badalona.cat"); code != 0 {
		t.Errorf("disable failed")
	}
	code, out, _ = run("", "list")
	if code != 0 || !strings.Contains(out, "marta@badalona.cat") || !strings.Contains(out, "disabled") || strings.Contains(out, "argon2") {
		t.Errorf("list: %d\n%s", code, out)
	}
}

func TestSeedDemoStaff(t *testing.T) {
	st := newFakeStore(time.Now)
	for range 2 { // twice: the second adds nothing and does not fail
		if err := SeedDemoStaff(context.Background(), st, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if len(st.staff) != len(DemoStaff) {
		t.Errorf("%d accounts, want %d", len(st.staff), len(DemoStaff))
	}
}

func TestParseRouting(t *testing.T) {
	r, err := ParseRouting("Badalona=serveis-socials, Lleida = atencio-social", "atencio-social=1-5/08:30-15:00,general=1+3+5/10:00-12:00", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if _, team := r.Route(nil); team != GeneralTeam {
		t.Errorf("unidentified → %s", team)
	}
	h := r.HoursOf("atencio-social")
	if len(h.Days) != 5 || h.Open != 8*time.Hour+30*time.Minute || h.Close != 15*time.Hour {
		t.Errorf("hours = %+v", h)
	}
	if g := r.HoursOf("general"); len(g.Days) != 3 || g.Days[1] != time.Wednesday {
		t.Errorf("general days = %v", g.Days)
	}
	for _, bad := range [][2]string{{"Badalona", ""}, {"=x", ""}, {"", "t=1-5"}, {"", "t=1-9/09:00-10:00"}, {"", "t=1-5/10:00-09:00"}, {"", "t=x/09:00-10:00"}} {
		if _, err := ParseRouting(bad[0], bad[1], time.UTC); err == nil {
			t.Errorf("ParseRouting(%q, %q) accepted", bad[0], bad[1])
		}
	}
}
