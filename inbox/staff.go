package inbox

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/catalonia/mygov/internal/cli"
	"github.com/catalonia/mygov/records"
)

// StaffStore is what managing accounts needs of the store.
type StaffStore interface {
	// AddStaff stores a new staff member and sets s.ID; an e-mail taken returns ECONFLICT.
	AddStaff(ctx context.Context, s *Staff) error
	// ListStaff returns every staff member by municipality, team and e-mail.
	ListStaff(ctx context.Context) ([]Staff, error)
	// SetStaffDisabled disables or enables an account (ENOTFOUND when there is none).
	// Disabling deletes its sessions.
	SetStaffDisabled(ctx context.Context, email string, disabled bool) error
}

// NewStaff checks a new account's fields and returns it with password hashed.
func NewStaff(email, name, municipality, team, role, administration, password string, now time.Time) (*Staff, error) {
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != strings.TrimSpace(email) || len(email) > 254 {
		return nil, records.Errorf(records.EINVALID, "inbox: %q is not an e-mail address", email)
	}
	name, municipality, team = strings.TrimSpace(name), strings.TrimSpace(municipality), strings.TrimSpace(team)
	switch {
	case name == "" || municipality == "" || team == "":
		return nil, records.Errorf(records.EINVALID, "inbox: an account needs a name, a municipality and a team")
	case role != RoleWorker && role != RoleCoordinator:
		return nil, records.Errorf(records.EINVALID, "inbox: the role is %s or %s", RoleWorker, RoleCoordinator)
	}
	if administration == "" {
		administration = AdministrationOf(municipality)
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, records.Errorf(records.EINVALID, "%v", err)
	}
	return &Staff{
		Email: strings.ToLower(addr.Address), Name: name, Municipality: municipality, Team: team, Role: role,
		Administration: administration, PasswordHash: hash, CreatedAt: now,
	}, nil
}

// AdministrationOf returns the id of a municipality's ajuntament: "ajuntament-badalona".
func AdministrationOf(municipality string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(municipality) {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r)
		case strings.ContainsRune("àá", r):
			b.WriteByte('a')
		case strings.ContainsRune("èé", r):
			b.WriteByte('e')
		case strings.ContainsRune("íï", r):
			b.WriteByte('i')
		case strings.ContainsRune("òó", r):
			b.WriteByte('o')
		case strings.ContainsRune("úü", r):
			b.WriteByte('u')
		case r == 'ç':
			b.WriteByte('c')
		case r == ' ' || r == '-':
			b.WriteByte('-')
		}
	}
	return "ajuntament-" + b.String()
}

// DemoStaff are the demo accounts, with passwords that are public (the README lists them):
// never load them into a real database.
var DemoStaff = []struct {
	Email, Name, Municipality, Role, Password string
}{
	{"treballadora@badalona.demo", "Marta Soler", "Badalona", RoleWorker, "demo-badalona-treballadora"},
	{"coordinadora@badalona.demo", "Núria Vidal", "Badalona", RoleCoordinator, "demo-badalona-coordinadora"},
	{"treballadora@lleida.demo", "Laia Roca", "Lleida", RoleWorker, "demo-lleida-treballadora"},
}

// SeedDemoStaff adds the demo accounts that do not exist yet.
func SeedDemoStaff(ctx context.Context, st StaffStore, now time.Time) error {
	for _, d := range DemoStaff {
		s, err := NewStaff(d.Email, d.Name, d.Municipality, DefaultTeam, d.Role, "", d.Password, now)
		if err != nil {
			return err
		}
		if err := st.AddStaff(ctx, s); err != nil && records.ErrorCode(err) != records.ECONFLICT {
			return fmt.Errorf("inbox: demo staff: %w", err)
		}
	}
	return nil
}

// StaffCommand runs "mygov staff add|list|disable|enable" and returns the exit code. It
// opens the store once the command line is known to be right.
func StaffCommand(ctx context.Context, args []string, open cli.Opener[StaffStore], stdin io.Reader, stdout, stderr io.Writer) int {
	action, args, ok := cli.Action(args, "mygov staff: say add, list or disable", stderr, "add", "list", "disable", "enable")
	if !ok {
		return cli.ExitUsage
	}
	fs := cli.Flags("staff "+action, stderr)
	var run func(StaffStore) int
	switch action {
	case "add":
		email := fs.String("email", "", "the login e-mail")
		name := fs.String("name", "", "the name citizens and colleagues see")
		muni := fs.String("municipality", "", "the municipality, as in citizens' records (Badalona)")
		team := fs.String("team", DefaultTeam, "the team whose queue the worker answers")
		role := fs.String("role", RoleWorker, "worker or coordinator")
		adm := fs.String("administration", "", "the administration id in the access log (default ajuntament-MUNICIPALITY)")
		fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input; otherwise one is generated and printed once")
		if err := fs.Parse(args); err != nil {
			return cli.ExitUsage
		}
		password, generated := GeneratePassword(), true
		if *fromStdin {
			line, err := bufio.NewReader(io.LimitReader(stdin, MaxPasswordLen+2)).ReadString('\n')
			if err != nil && !errors.Is(err, io.EOF) {
				return cli.Fail(stderr, "staff add", fmt.Errorf("read password: %w", err))
			}
			password, generated = strings.TrimRight(line, "\r\n"), false
		}
		s, err := NewStaff(*email, *name, *muni, *team, *role, *adm, password, time.Now())
		if err != nil {
			fmt.Fprintf(stderr, "mygov staff add: %v\n", err)
			return cli.ExitUsage
		}
		run = func(st StaffStore) int { return addStaff(ctx, st, s, password, generated, stdout, stderr) }
	case "list":
		if err := fs.Parse(args); err != nil {
			return cli.ExitUsage
		}
		run = func(st StaffStore) int { return listStaff(ctx, st, stdout, stderr) }
	default: // disable, enable
		email := fs.String("email", "", "the account's e-mail")
		if err := fs.Parse(args); err != nil {
			return cli.ExitUsage
		}
		run = func(st StaffStore) int { return disableStaff(ctx, st, *email, action == "disable", stdout, stderr) }
	}
	st, closer, err := open(ctx)
	if err != nil {
		return cli.Fail(stderr, "staff", err)
	}
	defer closer.Close()
	return run(st)
}

// addStaff stores the account s, and prints the password when it was generated.
func addStaff(ctx context.Context, st StaffStore, s *Staff, password string, generated bool, stdout, stderr io.Writer) int {
	if err := st.AddStaff(ctx, s); records.ErrorCode(err) == records.ECONFLICT {
		fmt.Fprintf(stderr, "mygov staff add: %s already has an account\n", s.Email)
		return cli.ExitFail
	} else if err != nil {
		return cli.Fail(stderr, "staff add", err)
	}
	fmt.Fprintf(stdout, "Added %s (%s, %s, %s).\n", s.Email, s.Role, s.Municipality, s.Team)
	if generated {
		fmt.Fprintf(stdout, "Password (shown only now): %s\n", password)
	}
	return cli.ExitOK
}

// listStaff prints every account, one a line.
func listStaff(ctx context.Context, st StaffStore, stdout, stderr io.Writer) int {
	all, err := st.ListStaff(ctx)
	if err != nil {
		return cli.Fail(stderr, "staff list", err)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tMUNICIPALITY\tTEAM\tROLE\tSTATE")
	for _, s := range all {
		state := "active"
		if s.Disabled {
			state = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Email, s.Name, s.Municipality, s.Team, s.Role, state)
	}
	tw.Flush()
	return cli.ExitOK
}

// disableStaff disables (or enables) the account of email.
func disableStaff(ctx context.Context, st StaffStore, email string, disable bool, stdout, stderr io.Writer) int {
	verb := "enable"
	if disable {
		verb = "disable"
	}
	if err := st.SetStaffDisabled(ctx, strings.ToLower(strings.TrimSpace(email)), disable); records.ErrorCode(err) == records.ENOTFOUND {
		fmt.Fprintf(stderr, "mygov staff %s: no account %s\n", verb, email)
		return cli.ExitFail
	} else if err != nil {
		return cli.Fail(stderr, "staff "+verb, err)
	}
	fmt.Fprintf(stdout, "%sd %s.\n", strings.ToUpper(verb[:1])+verb[1:], email)
	return cli.ExitOK
}
