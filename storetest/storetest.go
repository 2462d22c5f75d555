// Package storetest is the conformance suite of MyGov's stores. Run checks, against a
// real database, what packages dialog and records expect of a store: turns serialized per
// conversation, inbound dedupe, the transactional outbox with its River jobs, delivery
// receipts, opt-outs, lockouts, the records and their reads, and text that PostgreSQL
// would reject. It seeds demo.Dataset and reads Maria (MariaPhone). Packages sqlite and
// postgres run it in their tests, and their BenchmarkTurn through this package's.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

// Channel names the suite stores conversations under; the store treats them as opaque.
const (
	chSMS      = "sms"
	chTelegram = "telegram"
	chConsole  = "console"
)

// Store is what the suite needs of a store: the interfaces of dialog and records, seeding,
// River workers, and an Inspector for the checks no interface can make.
type Store interface {
	dialog.Store
	records.Reader
	records.Writer
	// The outbox of package delivery and of the channels' receipts.
	delivery.Outbox
	RecordReceipt(ctx context.Context, providerID, status, errorCode string) (bool, error)
	OptedOut(ctx context.Context, channel, address string) (bool, error)
	QueuedOutbound(ctx context.Context) (map[string]int64, error)
	Ready(ctx context.Context) error
	Seed(ctx context.Context, d *records.Dataset) error
	Empty(ctx context.Context) (bool, error)
	StartWorkers(ctx context.Context, workers *river.Workers, queues ...string) (stop func(context.Context) error, err error)
	Close() error
	Inspector
	IngestStore
}

// Inspector reads a store's tables directly. The tests of each store implement it on the
// store's database. Queries are SQL that SQLite and PostgreSQL both accept; they take no
// arguments and return one column.
type Inspector interface {
	// QueryInt returns the integer of a query's single row ("SELECT count(*) …").
	QueryInt(ctx context.Context, query string) (int64, error)
	// QueryStrings returns the text column of a query's rows.
	QueryStrings(ctx context.Context, query string) ([]string, error)
	// JobArgs returns the JSON arguments of the River jobs of the kind, in insertion order.
	JobArgs(ctx context.Context, kind string) ([]string, error)
}

// ParallelTurns is implemented by a Store whose turns on different conversations run at
// the same time (PostgreSQL); SQLite runs the turns of a database one at a time.
type ParallelTurns interface {
	ParallelTurns() bool
}

// Run runs the suite. open returns a Store for the test t: the first call in a test opens
// fresh, empty storage; a later call in the same test opens that same storage again (the
// suite closes the previous Store first, and Close may be called more than once). open
// registers the cleanups that close the store and remove its storage.
func Run(t *testing.T, open func(t *testing.T) Store) {
	for _, c := range []struct {
		name string
		test func(t *testing.T, open func(t *testing.T) Store)
	}{
		{"ConversationCreatedOnFirstTurn", testConversationCreated},
		{"ConcurrentTurnsNeverInterleave", testConcurrentTurns},
		{"DifferentConversationsIndependent", testDifferentConversations},
		{"WaitingTurnHonoursContext", testWaitingTurnContext},
		{"InboundDedupe", testInboundDedupe},
		{"TurnInbound", testTurnInbound},
		{"FailedTurnLeavesNothing", testFailedTurn},
		{"FailedLastWriteLeavesNothing", testFailedLastWrite},
		{"PanicRollsBack", testPanic},
		{"OutboundReachesWorker", testOutboundWorker},
		{"DeliveryClaims", testDeliveryClaims},
		{"DeliveryClaimsConcurrent", testDeliveryClaimsConcurrent},
		{"LateReleaseLeavesAnothersClaim", testLateRelease},
		{"MarksTogether", testMarksTogether},
		{"Receipts", testReceipts},
		{"OptOutSurvivesReopen", testOptOutReopen},
		{"Lockouts", testLockouts},
		{"LockoutCountsConcurrentFailures", testLockoutConcurrent},
		{"ReopenMigratesNothing", testReopen},
		{"SeedAndRead", testSeedAndRead},
		{"ApplicationsWithLastChange", testApplicationsWithLastChange},
		{"RecordAccess", testRecordAccess},
		{"BadInput", testBadInput},
		{"Privacy", testPrivacy},
		{"InboxStaffAndSessions", testInboxStaffAndSessions},
		{"InboxCases", testInboxCases},
	} {
		t.Run(c.name, func(t *testing.T) { c.test(t, open) })
	}
	for _, c := range ingestCases {
		t.Run(c.name, func(t *testing.T) { c.test(t, open) })
	}
}

// turn runs fn in a turn and fails the test on error.
func turn(t *testing.T, s Store, channel, address string, fn func(ctx context.Context, tx dialog.Tx) error) {
	t.Helper()
	if err := s.Turn(t.Context(), channel, address, fn); err != nil {
		t.Fatalf("Turn(%q, %q): %v", channel, address, err)
	}
}

func count(t *testing.T, s Store, query string) int64 {
	t.Helper()
	n, err := s.QueryInt(t.Context(), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func strs(t *testing.T, s Store, query string) []string {
	t.Helper()
	v, err := s.QueryStrings(t.Context(), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return v
}

func wantCode(t *testing.T, what string, err error, code records.Code) {
	t.Helper()
	var e *records.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("%s: error %v, want code %s", what, err, code)
	}
}

func testConversationCreated(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	before := time.Now().Truncate(time.Microsecond)
	var first dialog.Conversation
	verified := time.Date(2026, 5, 4, 10, 30, 0, 123456000, time.UTC)
	turn(t, s, chTelegram, "1001", func(ctx context.Context, tx dialog.Tx) error {
		c := tx.Conversation()
		if c == nil || c.ID == 0 {
			t.Fatalf("Conversation() = %+v, want a stored conversation", c)
		}
		if c.Channel != chTelegram || c.Address != "1001" || c.State != dialog.StateIdle ||
			c.CitizenID != "" || c.Lang != "" || c.OptedOut {
			t.Errorf("new conversation = %+v, want idle, anonymous, telegram 1001", c)
		}
		if c.CreatedAt.Before(before) || c.CreatedAt.After(time.Now()) {
			t.Errorf("CreatedAt = %v, want between %v and now", c.CreatedAt, before)
		}
		c.State = dialog.StateVerifying
		c.Lang = dialog.LangCA
		c.CitizenID = "cit-maria"
		c.Pending = dialog.IntentMyData
		c.PendingRef = "EXP-2026-000101"
		c.Menu = []string{"status", "my_data"}
		c.List = "applications"
		c.Offset = 3
		c.VerifyStep = "birth_date"
		c.VerifyIDMatched = true
		c.VerifiedAt = verified
		c.LastSeen = verified
		first = *c
		return tx.SaveConversation(ctx, c)
	})
	turn(t, s, chTelegram, "1001", func(ctx context.Context, tx dialog.Tx) error {
		c := *tx.Conversation()
		if c.UpdatedAt.Before(c.CreatedAt) {
			t.Errorf("UpdatedAt %v before CreatedAt %v", c.UpdatedAt, c.CreatedAt)
		}
		if !c.CreatedAt.Equal(first.CreatedAt) {
			t.Errorf("CreatedAt = %v, want %v", c.CreatedAt, first.CreatedAt)
		}
		want := first
		want.CreatedAt, want.UpdatedAt = c.CreatedAt, c.UpdatedAt
		equal(t, "conversation", c, want)
		return nil
	})
	turn(t, s, chSMS, "1001", func(ctx context.Context, tx dialog.Tx) error {
		if c := tx.Conversation(); c.ID == first.ID || c.State != dialog.StateIdle {
			t.Errorf("sms 1001 = %+v, want a new conversation, not telegram's %d", c, first.ID)
		}
		return nil
	})
}

// counterTurn adds one to the conversation's Offset, slowly.
func counterTurn(s Store, ctx context.Context, channel, address string) error {
	return s.Turn(ctx, channel, address, func(ctx context.Context, tx dialog.Tx) error {
		c := tx.Conversation()
		n := c.Offset
		time.Sleep(2 * time.Millisecond)
		c.Offset = n + 1
		return tx.SaveConversation(ctx, c)
	})
}

func offset(t *testing.T, s Store, channel, address string) int {
	t.Helper()
	var n int
	turn(t, s, channel, address, func(ctx context.Context, tx dialog.Tx) error {
		n = tx.Conversation().Offset
		return nil
	})
	return n
}

func testConcurrentTurns(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() { errs <- counterTurn(s, t.Context(), chSMS, "+34600000009") })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("turn: %v", err)
		}
	}
	if got := offset(t, s, chSMS, "+34600000009"); got != n {
		t.Fatalf("counter = %d after %d concurrent turns, want %d: turns interleaved", got, n, n)
	}
}

func testDifferentConversations(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	const convs, turns = 5, 4
	var wg sync.WaitGroup
	errs := make(chan error, convs*turns)
	for i := range convs {
		for range turns {
			wg.Go(func() { errs <- counterTurn(s, t.Context(), chTelegram, fmt.Sprint(2000+i)) })
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("turn: %v", err)
		}
	}
	for i := range convs {
		if got := offset(t, s, chTelegram, fmt.Sprint(2000+i)); got != turns {
			t.Errorf("conversation %d: counter = %d, want %d", 2000+i, got, turns)
		}
	}

	if p, ok := s.(ParallelTurns); !ok || !p.ParallelTurns() {
		return
	}
	// A turn held open on one conversation does not hold back another conversation's.
	entered, release := make(chan struct{}), make(chan struct{})
	held := make(chan error, 1)
	go func() {
		held <- s.Turn(t.Context(), chTelegram, "3000", func(ctx context.Context, tx dialog.Tx) error {
			close(entered)
			select {
			case <-release:
			case <-time.After(10 * time.Second):
			}
			return nil
		})
	}()
	<-entered
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	err := counterTurn(s, ctx, chTelegram, "3001")
	cancel()
	close(release)
	if err != nil {
		t.Errorf("turn on another conversation while one is held: %v", err)
	}
	if err := <-held; err != nil {
		t.Errorf("held turn: %v", err)
	}
}

func testWaitingTurnContext(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	entered, release := make(chan struct{}), make(chan struct{})
	held := make(chan error, 1)
	go func() {
		held <- s.Turn(t.Context(), chSMS, "+34600000010", func(ctx context.Context, tx dialog.Tx) error {
			close(entered)
			<-release
			return nil
		})
	}()
	<-entered
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	start := time.Now()
	err := counterTurn(s, ctx, chSMS, "+34600000010")
	cancel()
	waited := time.Since(start)
	close(release)
	if err == nil {
		t.Errorf("turn waiting for a held conversation returned nil after its context ended")
	}
	if waited > 5*time.Second {
		t.Errorf("turn waited %v after its context ended", waited)
	}
	if err := <-held; err != nil {
		t.Fatalf("held turn: %v", err)
	}
	if got := offset(t, s, chSMS, "+34600000010"); got != 0 {
		t.Errorf("counter = %d, want 0: the turn that gave up wrote", got)
	}
}

func inbound(channel, address, id, text string) dialog.Inbound {
	return dialog.Inbound{Channel: channel, Address: address, MessageID: id, Kind: dialog.KindText, Text: text,
		ReceivedAt: time.Now()}
}

func testInboundDedupe(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	const ch, addr = chTelegram, "4001"
	turn(t, s, ch, addr, func(ctx context.Context, tx dialog.Tx) error {
		c := tx.Conversation()
		id, err := tx.AddInbound(ctx, c.ID, inbound(ch, addr, "m1", "hola"))
		if err != nil || id == 0 {
			t.Fatalf("AddInbound(m1) = %d, %v", id, err)
		}
		again := inbound(ch, addr, "m1", "hola de nou")
		again.Phone = MariaPhone // a store that reads the phone's citizen ahead still says it is a duplicate
		_, err = tx.AddInbound(ctx, c.ID, again)
		wantCode(t, "AddInbound(m1) again", err, records.ECONFLICT)
		// The transaction goes on.
		id2, err := tx.AddInbound(ctx, c.ID, inbound(ch, addr, "m2", "què tal"))
		if err != nil || id2 == 0 || id2 == id {
			t.Fatalf("AddInbound(m2) after a duplicate = %d, %v", id2, err)
		}
		c.Offset = 7
		return tx.SaveConversation(ctx, c)
	})
	if got := offset(t, s, ch, addr); got != 7 {
		t.Fatalf("offset = %d, want 7: the turn with a duplicate did not commit", got)
	}
	turn(t, s, ch, addr, func(ctx context.Context, tx dialog.Tx) error {
		c := tx.Conversation()
		_, err := tx.AddInbound(ctx, c.ID, inbound(ch, addr, "m1", "hola"))
		wantCode(t, "AddInbound(m1) in a later turn", err, records.ECONFLICT)
		for i := range 2 {
			if _, err := tx.AddInbound(ctx, c.ID, inbound(ch, addr, "", "sense id")); err != nil {
				t.Fatalf("AddInbound without id #%d: %v", i, err)
			}
		}
		return nil
	})
	// The same message id on another channel is another message.
	turn(t, s, chSMS, addr, func(ctx context.Context, tx dialog.Tx) error {
		_, err := tx.AddInbound(ctx, tx.Conversation().ID, inbound(chSMS, addr, "m1", "hola"))
		return err
	})
	if got := count(t, s, `SELECT count(*) FROM messages WHERE direction = 'in'`); got != 5 {
		t.Errorf("inbound messages = %d, want 5", got)
	}
}

func outbound(c *dialog.Conversation, seq int, text string) *dialog.Outbound {
	return &dialog.Outbound{
		ConversationID: c.ID, Channel: c.Channel, Address: c.Address, Lang: dialog.LangCA, Seq: seq,
		Reply: dialog.Reply{
			Lines:   []dialog.Text{dialog.T("status.one", "ref", "EXP-2026-000101", "text", text).WithKey("status", "status.approved")},
			Options: []dialog.Option{{Label: dialog.T("menu.more"), Value: "more"}, {Label: dialog.T("menu.human"), Value: "human"}},
		},
	}
}

// testTurnInbound checks a turn whose first write is its inbound message, which a store
// may send with the conversation's lock: the message is stored in the conversation, new or
// not, with the conversation's citizen; a message stored before runs no fn, writes nothing
// and reports it; the phone's citizen is found as in any turn.
func testTurnInbound(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	it, ok := Store(s).(dialog.InboundTurner)
	if !ok {
		t.Skip("the store stores no inbound message with its turn's lock")
	}
	ctx := t.Context()
	if err := s.Seed(ctx, dataset(time.Now())); err != nil {
		t.Fatalf("Seed: %v", err)
	}
	const ch = chSMS
	in := inbound(ch, MariaPhone, "ti1", "hola")
	in.Phone = MariaPhone
	var convID int64
	dup, err := it.TurnInbound(ctx, in, func(ctx context.Context, tx dialog.Tx) error {
		c := tx.Conversation()
		convID = c.ID
		if c.ID == 0 || c.Channel != ch || c.Address != MariaPhone {
			t.Errorf("Conversation() = %+v, want the new conversation of %s", c, MariaPhone)
		}
		citizen, err := tx.FindCitizenByPhone(ctx, MariaPhone)
		if err != nil || citizen.Phone != MariaPhone {
			t.Errorf("FindCitizenByPhone = %+v, %v", citizen, err)
		} else {
			c.CitizenID = citizen.ID
		}
		return tx.SaveConversation(ctx, c)
	})
	if err != nil || dup {
		t.Fatalf("TurnInbound(new conversation) = %v, %v", dup, err)
	}
	msgs := strs(t, s, fmt.Sprintf(`SELECT text FROM messages WHERE conversation_id = %d AND direction = 'in'`, convID))
	if len(msgs) != 1 || msgs[0] != "hola" {
		t.Errorf("inbound messages of the new conversation = %q, want [hola]", msgs)
	}
	// In a conversation with a citizen, the message is the citizen's.
	in2 := inbound(ch, MariaPhone, "ti2", "com va?")
	ran := false
	if dup, err := it.TurnInbound(ctx, in2, func(ctx context.Context, tx dialog.Tx) error {
		ran = true
		return nil
	}); err != nil || dup || !ran {
		t.Fatalf("TurnInbound(second message) = %v, %v, ran %v", dup, err, ran)
	}
	if got := strs(t, s, `SELECT citizen_id FROM messages WHERE channel_message_id = 'ti2'`); len(got) != 1 || got[0] == "" {
		t.Errorf("citizen of the second message = %q, want the conversation's", got)
	}
	// A message stored before: fn does not run, nothing is written.
	before := count(t, s, `SELECT count(*) FROM messages`)
	dup, err = it.TurnInbound(ctx, in2, func(ctx context.Context, tx dialog.Tx) error {
		t.Errorf("fn ran for a message stored before")
		return nil
	})
	if err != nil || !dup {
		t.Errorf("TurnInbound(the same message again) = %v, %v, want a duplicate", dup, err)
	}
	if n := count(t, s, `SELECT count(*) FROM messages`); n != before {
		t.Errorf("%d messages after a duplicate, want %d", n, before)
	}
	// fn's error rolls the message back with the rest.
	boom := errors.New("boom")
	if _, err := it.TurnInbound(ctx, inbound(ch, MariaPhone, "ti3", "x"), func(context.Context, dialog.Tx) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("TurnInbound with a failing fn = %v, want its error", err)
	}
	if n := count(t, s, `SELECT count(*) FROM messages WHERE channel_message_id = 'ti3'`); n != 0 {
		t.Errorf("the message of a failed turn was kept")
	}
	if n := count(t, s, `SELECT count(*) FROM conversations`); n != 1 {
		t.Errorf("%d conversations, want 1", n)
	}
}

func testFailedTurn(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	const ch, addr = chSMS, "+34600000011"
	boom := records.Errorf(records.ENOTFOUND, "boom")
	var outID int64
	err := s.Turn(t.Context(), ch, addr, func(ctx context.Context, tx dialog.Tx) error {
		c := tx.Conversation()
		if _, err := tx.AddInbound(ctx, c.ID, inbound(ch, addr, "f1", "hola")); err != nil {
			t.Fatalf("AddInbound: %v", err)
		}
		o := outbound(c, 0, "x")
		if err := tx.AddOutbound(ctx, o); err != nil {
			t.Fatalf("AddOutbound: %v", err)
		}
		// A read sends the writes waiting in the turn: the reply is stored, with its id.
		if _, err := tx.FindApplicationsByCitizen(ctx, "nobody"); err != nil {
			t.Fatalf("FindApplicationsByCitizen: %v", err)
		}
		if outID = o.ID; outID == 0 {
			t.Fatalf("AddOutbound's id not set by the next statement")
		}
		c.Offset = 99
		if err := tx.SaveConversation(ctx, c); err != nil {
			t.Fatalf("SaveConversation: %v", err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Turn = %v, want the error of fn", err)
	}
	wantCode(t, "Turn", err, records.ENOTFOUND)
	for _, table := range []string{"messages", "river_job", "conversations"} {
		if n := count(t, s, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("%s: %d rows after a failed turn, want 0", table, n)
		}
	}
	err = s.MarkOutbound(t.Context(), outID, dialog.DeliverySent, "SM-x")
	wantCode(t, "MarkOutbound of a rolled-back reply", err, records.ENOTFOUND)
	// The inbound can be stored again: it was never stored.
	turn(t, s, ch, addr, func(ctx context.Context, tx dialog.Tx) error {
		if got := tx.Conversation().Offset; got != 0 {
			t.Errorf("offset = %d, want 0", got)
		}
		_, err := tx.AddInbound(ctx, tx.Conversation().ID, inbound(ch, addr, "f1", "hola"))
		return err
	})
}

// testFailedLastWrite fails a turn in the database at its end: a write that waits for
// the turn's last statements (an access event of no citizen breaks a foreign key) goes
// with the commit where the store sends them together, and must stop it.
func testFailedLastWrite(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	const ch, addr = chSMS, "+34600000012"
	err := s.Turn(t.Context(), ch, addr, func(ctx context.Context, tx dialog.Tx) error {
		c := tx.Conversation()
		if _, err := tx.AddInbound(ctx, c.ID, inbound(ch, addr, "l1", "hola")); err != nil {
			t.Fatalf("AddInbound: %v", err)
		}
		if err := tx.AddOutbound(ctx, outbound(c, 0, "x")); err != nil {
			t.Fatalf("AddOutbound: %v", err)
		}
		c.Offset = 99
		if err := tx.SaveConversation(ctx, c); err != nil {
			t.Fatalf("SaveConversation: %v", err)
		}
		return tx.RecordAccess(ctx, &records.AccessEvent{CitizenID: "nobody", AdministrationID: "x", Category: "x", Channel: ch})
	})
	wantCode(t, "Turn with a broken last write", err, records.EINVALID)
	for _, table := range []string{"messages", "river_job", "conversations", "access_events"} {
		if n := count(t, s, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("%s: %d rows after a turn whose last write failed, want 0", table, n)
		}
	}
	// The connection was left clean: the next turns run and commit.
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	for range 3 {
		if err := counterTurn(s, ctx, ch, addr); err != nil {
			t.Fatalf("turn after a failed last write: %v", err)
		}
	}
	if n := count(t, s, `SELECT count(*) FROM conversations`); n != 1 {
		t.Errorf("%d conversations after three turns, want 1", n)
	}
	// A write whose rows are checked once it ran (the save of another conversation, which
	// does not exist) keeps the commit from going with it.
	err = s.Turn(t.Context(), ch, addr, func(ctx context.Context, tx dialog.Tx) error {
		c := tx.Conversation()
		if _, err := tx.AddInbound(ctx, c.ID, inbound(ch, addr, "l2", "hola")); err != nil {
			t.Fatalf("AddInbound: %v", err)
		}
		other := *c
		other.ID = c.ID + 1000
		return tx.SaveConversation(ctx, &other)
	})
	wantCode(t, "Turn saving a conversation that does not exist", err, records.ENOTFOUND)
	if n := count(t, s, `SELECT count(*) FROM messages`); n != 0 {
		t.Errorf("%d messages after a turn that saved a missing conversation, want 0", n)
	}
}

func testPanic(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	const ch, addr = chConsole, "panic"
	var p any
	func() {
		defer func() { p = recover() }()
		_ = s.Turn(t.Context(), ch, addr, func(ctx context.Context, tx dialog.Tx) error {
			if _, err := tx.AddInbound(ctx, tx.Conversation().ID, inbound(ch, addr, "p1", "hola")); err != nil {
				t.Fatalf("AddInbound: %v", err)
			}
			if err := tx.AddOutbound(ctx, outbound(tx.Conversation(), 0, "x")); err != nil {
				t.Fatalf("AddOutbound: %v", err)
			}
			panic("boom")
		})
	}()
	if p != "boom" {
		t.Fatalf("Turn recovered %v, want the panic of fn again", p)
	}
	// The lock was released: the next turn runs at once.
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := counterTurn(s, ctx, ch, addr); err != nil {
		t.Fatalf("turn after a panic: %v", err)
	}
	if n := count(t, s, `SELECT count(*) FROM messages`) + count(t, s, `SELECT count(*) FROM river_job`); n != 0 {
		t.Errorf("%d messages and jobs after a panicking turn, want 0", n)
	}
}

func testOutboundWorker(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	got := make(chan delivery.Job, 10)
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[delivery.Job]) error {
		got <- job.Args
		return nil
	}))
	stop, err := s.StartWorkers(t.Context(), workers, chTelegram)
	if err != nil {
		t.Fatalf("StartWorkers: %v", err)
	}
	var o *dialog.Outbound
	turn(t, s, chTelegram, "5001", func(ctx context.Context, tx dialog.Tx) error {
		o = outbound(tx.Conversation(), 1, "aprovada")
		o.LastInbound = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
		return tx.AddOutbound(ctx, o)
	})
	if o.ID == 0 { // set by the turn's commit at the latest
		t.Errorf("AddOutbound did not set the ID")
	}
	want := delivery.JobOf(*o)
	select {
	case j := <-got:
		equal(t, "job args", j, want)
	case <-time.After(15 * time.Second):
		t.Fatalf("no job reached the worker in 15 s")
	}
	// The job names the reply; its text is kept once, in the stored reply.
	if args, err := s.JobArgs(t.Context(), delivery.Job{}.Kind()); err != nil || len(args) != 1 || strings.Contains(args[0], "aprovada") {
		t.Errorf("JobArgs = %q, %v: want one job without the reply's text", args, err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := stop(ctx); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if n := len(got); n != 0 {
		t.Errorf("worker got %d more jobs, want none", n)
	}
	if n := count(t, s, fmt.Sprintf(`SELECT count(*) FROM river_job WHERE kind = 'deliver_reply' AND max_attempts = %d`, delivery.MaxAttempts)); n != 1 {
		t.Errorf("%d deliver_reply jobs with %d attempts, want 1", n, delivery.MaxAttempts)
	}
	if n := count(t, s, `SELECT count(*) FROM river_job`); n != 1 {
		t.Errorf("%d jobs, want 1", n)
	}
	if n := count(t, s, fmt.Sprintf(`SELECT count(*) FROM messages WHERE id = %d AND direction = 'out' AND status = 'queued'`, want.ID)); n != 1 {
		t.Errorf("stored reply %d queued: %d rows, want 1", want.ID, n)
	}
}

// addReply stores a reply to addr in a turn of its own and returns its id, set by the
// turn's commit at the latest.
func addReply(t *testing.T, s Store, channel, addr, text string) int64 {
	t.Helper()
	var o *dialog.Outbound
	turn(t, s, channel, addr, func(ctx context.Context, tx dialog.Tx) error {
		o = outbound(tx.Conversation(), 0, text)
		return tx.AddOutbound(ctx, o)
	})
	if o.ID == 0 {
		t.Fatalf("AddOutbound did not set the ID")
	}
	return o.ID
}

func testReceipts(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	ctx := t.Context()
	id := addReply(t, s, chSMS, "+34600000012", "x")
	status := func() string {
		t.Helper()
		v := strs(t, s, fmt.Sprintf(`SELECT status FROM messages WHERE id = %d`, id))
		if len(v) != 1 {
			t.Fatalf("reply %d: %d rows", id, len(v))
		}
		return v[0]
	}
	if err := s.MarkOutbound(ctx, id, dialog.DeliverySent, "SM1"); err != nil {
		t.Fatalf("MarkOutbound: %v", err)
	}
	if got := status(); got != dialog.DeliverySent {
		t.Errorf("status = %q, want sent", got)
	}
	wantCode(t, "MarkOutbound(unknown id)", s.MarkOutbound(ctx, id+1000, dialog.DeliverySent, "SM2"), records.ENOTFOUND)

	for _, c := range []struct {
		status, code string
		want         bool
		then         string
	}{
		{dialog.DeliveryDelivered, "", true, dialog.DeliveryDelivered},
		{dialog.DeliveryDelivered, "", false, dialog.DeliveryDelivered},
		{dialog.DeliverySent, "", true, dialog.DeliveryDelivered},        // late: never moves back
		{"accepted", "", true, dialog.DeliveryDelivered},                 // not a delivery status
		{dialog.DeliveryFailed, "30003", true, dialog.DeliveryDelivered}, // one final status is enough
		{dialog.DeliveryRead, "", true, dialog.DeliveryRead},             // read (WhatsApp) comes after delivered
		{dialog.DeliveryUndelivered, "", true, dialog.DeliveryRead},      // and is never moved back
	} {
		got, err := s.RecordReceipt(ctx, "SM1", c.status, c.code)
		if err != nil || got != c.want {
			t.Errorf("RecordReceipt(SM1, %s) = %v, %v, want %v", c.status, got, err, c.want)
		}
		if got := status(); got != c.then {
			t.Errorf("after receipt %s: status = %q, want %q", c.status, got, c.then)
		}
	}
	if got, err := s.RecordReceipt(ctx, "SM-unknown", dialog.DeliveryDelivered, ""); err != nil || !got {
		t.Errorf("RecordReceipt(unknown provider id) = %v, %v, want true", got, err)
	}
	if n := count(t, s, `SELECT count(*) FROM receipts`); n != 7 {
		t.Errorf("%d receipts, want 7", n)
	}
	// A queued reply moves to its receipt's status; another reply is not touched.
	id2 := addReply(t, s, chSMS, "+34600000012", "y")
	if err := s.MarkOutbound(ctx, id2, dialog.DeliverySent, "SM2"); err != nil {
		t.Fatalf("MarkOutbound: %v", err)
	}
	if got, err := s.RecordReceipt(ctx, "SM2", dialog.DeliveryUndelivered, "30005"); err != nil || !got {
		t.Errorf("RecordReceipt(SM2, undelivered) = %v, %v, want true", got, err)
	}
	if got := strs(t, s, fmt.Sprintf(`SELECT status FROM messages WHERE id = %d`, id2)); len(got) != 1 || got[0] != dialog.DeliveryUndelivered {
		t.Errorf("SM2 status = %q, want undelivered", got)
	}
	if got := status(); got != dialog.DeliveryRead {
		t.Errorf("SM1 status = %q after SM2's receipt, want read", got)
	}
	// A receipt that arrives before the worker marks the reply sent is not lost.
	id3 := addReply(t, s, chSMS, "+34600000012", "z")
	for _, st := range []string{dialog.DeliverySent, dialog.DeliveryDelivered} {
		if got, err := s.RecordReceipt(ctx, "SM3", st, ""); err != nil || !got {
			t.Errorf("RecordReceipt(SM3, %s) = %v, %v, want true", st, got, err)
		}
	}
	if err := s.MarkOutbound(ctx, id3, dialog.DeliverySent, "SM3"); err != nil {
		t.Fatalf("MarkOutbound: %v", err)
	}
	if got := strs(t, s, fmt.Sprintf(`SELECT status FROM messages WHERE id = %d`, id3)); len(got) != 1 || got[0] != dialog.DeliveryDelivered {
		t.Errorf("SM3 status = %q after an early delivered receipt, want delivered", got)
	}
	if n := count(t, s, `SELECT count(*) FROM receipts WHERE error_code = '30003'`); n != 1 {
		t.Errorf("%d receipts with error 30003, want 1", n)
	}
}

func testOptOutReopen(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	ctx := t.Context()
	const ch, fresh, used = chSMS, "+34600000013", "+34600000014"
	optedOut := func(s Store, addr string) bool {
		t.Helper()
		v, err := s.OptedOut(ctx, ch, addr)
		if err != nil {
			t.Fatalf("OptedOut(%s): %v", addr, err)
		}
		return v
	}
	if optedOut(s, fresh) {
		t.Fatalf("unknown address opted out")
	}
	turn(t, s, ch, used, func(ctx context.Context, tx dialog.Tx) error {
		c := tx.Conversation()
		c.Lang = dialog.LangES
		return tx.SaveConversation(ctx, c)
	})
	for _, addr := range []string{fresh, used} {
		if err := s.SetOptedOut(ctx, ch, addr, true); err != nil {
			t.Fatalf("SetOptedOut(%s): %v", addr, err)
		}
		if !optedOut(s, addr) {
			t.Errorf("%s not opted out after SetOptedOut", addr)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = open(t)
	for _, addr := range []string{fresh, used} {
		if !optedOut(s, addr) {
			t.Errorf("%s: opt-out lost on reopen", addr)
		}
		turn(t, s, ch, addr, func(ctx context.Context, tx dialog.Tx) error {
			if c := tx.Conversation(); !c.OptedOut || c.State != dialog.StateIdle {
				t.Errorf("%s: conversation = %+v, want opted out and idle", addr, c)
			}
			return nil
		})
	}
	turn(t, s, ch, used, func(ctx context.Context, tx dialog.Tx) error {
		if c := tx.Conversation(); c.Lang != dialog.LangES {
			t.Errorf("SetOptedOut lost the conversation's language: %+v", c)
		}
		return nil
	})
	if err := s.SetOptedOut(ctx, ch, fresh, false); err != nil {
		t.Fatalf("SetOptedOut(false): %v", err)
	}
	if optedOut(s, fresh) {
		t.Errorf("still opted out after SetOptedOut(false)")
	}
	turn(t, s, ch, fresh, func(ctx context.Context, tx dialog.Tx) error {
		if tx.Conversation().OptedOut {
			t.Errorf("turn sees the cleared opt-out")
		}
		return nil
	})
	// A turn saving a conversation keeps the opt-out it read.
	turn(t, s, ch, used, func(ctx context.Context, tx dialog.Tx) error {
		return tx.SaveConversation(ctx, tx.Conversation())
	})
	if !optedOut(s, used) {
		t.Errorf("SaveConversation cleared the opt-out")
	}
}

func testLockouts(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	until := time.Now().Add(15 * time.Minute).UTC().Truncate(time.Microsecond)
	turn(t, s, chSMS, "+34600000015", func(ctx context.Context, tx dialog.Tx) error {
		l, err := tx.Lockout(ctx, "citizen:cit-maria")
		if err != nil {
			return err
		}
		equal(t, "unknown lockout", l, dialog.Lockout{Key: "citizen:cit-maria"})
		for _, l := range []dialog.Lockout{
			{Key: "citizen:cit-maria", Failures: 3, Locks: 1, LockedUntil: until},
			{Key: "sender:sms:+34600000015", Failures: 1},
		} {
			if err := tx.SaveLockout(ctx, l); err != nil {
				return err
			}
		}
		return nil
	})
	turn(t, s, chSMS, "+34600000015", func(ctx context.Context, tx dialog.Tx) error {
		l, err := tx.Lockout(ctx, "citizen:cit-maria")
		if err != nil {
			return err
		}
		equal(t, "lockout", l, dialog.Lockout{Key: "citizen:cit-maria", Failures: 3, Locks: 1, LockedUntil: until})
		if l, err = tx.Lockout(ctx, "sender:sms:+34600000015"); err != nil {
			return err
		}
		equal(t, "sender lockout", l, dialog.Lockout{Key: "sender:sms:+34600000015", Failures: 1})
		return tx.SaveLockout(ctx, dialog.Lockout{Key: "citizen:cit-maria", Locks: 1})
	})
	turn(t, s, chSMS, "+34600000015", func(ctx context.Context, tx dialog.Tx) error {
		l, err := tx.Lockout(ctx, "citizen:cit-maria")
		equal(t, "cleared lockout", l, dialog.Lockout{Key: "citizen:cit-maria", Locks: 1})
		return err
	})
}

// reads is the records.Reader of a store or of a turn.
type reads interface{ records.Reader }

func testSeedAndRead(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	ctx := t.Context()
	if empty, err := s.Empty(ctx); err != nil || !empty {
		t.Fatalf("Empty() before Seed = %v, %v, want true", empty, err)
	}
	d := dataset(time.Now())
	for i := range 2 { // seeding twice changes nothing
		if err := s.Seed(ctx, d); err != nil {
			t.Fatalf("Seed #%d: %v", i+1, err)
		}
	}
	if empty, err := s.Empty(ctx); err != nil || empty {
		t.Fatalf("Empty() after Seed = %v, %v, want false", empty, err)
	}
	for table, want := range map[string]int{
		"citizens": len(d.Citizens), "applications": len(d.Applications), "data_holdings": len(d.Holdings),
		"access_events": len(d.AccessEvents), "benefits": len(d.Benefits), "administrations": len(d.Administrations),
	} {
		if n := count(t, s, `SELECT count(*) FROM `+table); n != int64(want) {
			t.Errorf("%s: %d rows after seeding twice, want %d", table, n, want)
		}
	}
	checkReads(t, "store", s, d)
	turn(t, s, chConsole, "reader", func(ctx context.Context, tx dialog.Tx) error {
		checkReads(t, "turn", tx, d)
		return nil
	})
	// A store may read the proven phone's citizen ahead with the inbound message: the
	// turn reads the same, for that phone and any other.
	for _, phone := range []string{MariaPhone, "+34699999998"} {
		turn(t, s, chSMS, phone, func(ctx context.Context, tx dialog.Tx) error {
			in := inbound(chSMS, phone, "read-ahead-"+phone, "hola")
			in.Phone = phone
			if _, err := tx.AddInbound(ctx, tx.Conversation().ID, in); err != nil {
				t.Fatalf("AddInbound from %s: %v", phone, err)
			}
			checkReads(t, "turn after a message from "+phone, tx, d)
			return nil
		})
	}
}

// testApplicationsWithLastChange: a turn's applications with their last change are its
// applications, in the same order, each with the last change of its whole history, none
// for an application without history.
func testApplicationsWithLastChange(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	d := dataset(time.Now())
	byCitizen := map[string][]int{}
	for i, a := range d.Applications {
		byCitizen[a.CitizenID] = append(byCitizen[a.CitizenID], i)
	}
	var apps []int // of a citizen with two applications or more, the first with two changes or more
	for _, c := range d.Citizens {
		if is := byCitizen[c.ID]; len(is) > 1 && len(d.Applications[is[0]].History) > 1 {
			apps = is
			break
		}
	}
	if apps == nil {
		t.Fatalf("dataset has no citizen with two applications, the first with two changes")
	}
	d.Applications[apps[1]].History = nil // read as none, not as an empty change
	if err := s.Seed(t.Context(), d); err != nil {
		t.Fatalf("Seed: %v", err)
	}
	citizen := d.Applications[apps[0]].CitizenID
	turn(t, s, chConsole, "reader", func(ctx context.Context, tx dialog.Tx) error {
		all, err := tx.FindApplicationsByCitizen(ctx, citizen)
		if err != nil {
			t.Fatalf("FindApplicationsByCitizen: %v", err)
		}
		var want []records.Application
		longest := 0
		for _, a := range all {
			if n := len(a.History); n > 0 {
				longest = max(longest, n)
				a.History = a.History[n-1:]
			}
			want = append(want, normApplication(a))
		}
		if len(all) != len(apps) || longest < 2 {
			t.Fatalf("read %d applications, the longest history %d changes, want %d, one of two changes or more", len(all), longest, len(apps))
		}
		got, err := tx.FindApplicationsWithLastChange(ctx, citizen)
		if err != nil {
			t.Fatalf("FindApplicationsWithLastChange: %v", err)
		}
		for i := range got {
			got[i] = normApplication(got[i])
		}
		equal(t, "applications with their last change", got, want)
		if none, err := tx.FindApplicationsWithLastChange(ctx, "nobody"); err != nil || len(none) != 0 {
			t.Errorf("FindApplicationsWithLastChange(unknown) = %v, %v, want none", none, err)
		}
		return nil
	})
}

func checkReads(t *testing.T, where string, r reads, d *records.Dataset) {
	t.Helper()
	ctx := t.Context()
	var maria records.Citizen
	for _, c := range d.Citizens {
		if c.Phone == MariaPhone {
			maria = c
		}
	}
	if maria.ID == "" {
		t.Fatalf("dataset has no citizen with phone %s", MariaPhone)
	}
	got, err := r.FindCitizenByPhone(ctx, MariaPhone)
	if err != nil {
		t.Fatalf("%s: FindCitizenByPhone(Maria): %v", where, err)
	}
	equal(t, where+": citizen by phone", got, normCitizen(maria))
	got, err = r.FindCitizenByID(ctx, maria.ID)
	if err != nil {
		t.Fatalf("%s: FindCitizenByID(Maria): %v", where, err)
	}
	equal(t, where+": citizen by id", got, normCitizen(maria))
	_, err = r.FindCitizenByPhone(ctx, "+34699999999")
	wantCode(t, where+": FindCitizenByPhone(unknown)", err, records.ENOTFOUND)
	_, err = r.FindCitizenByPhone(ctx, "")
	wantCode(t, where+": FindCitizenByPhone(\"\")", err, records.ENOTFOUND)
	_, err = r.FindCitizenByID(ctx, "nobody")
	wantCode(t, where+": FindCitizenByID(unknown)", err, records.ENOTFOUND)

	var apps []records.Application
	for _, a := range d.Applications {
		if a.CitizenID == maria.ID {
			apps = append(apps, normApplication(a))
		}
	}
	sortApplications(apps)
	gotApps, err := r.FindApplicationsByCitizen(ctx, maria.ID)
	if err != nil {
		t.Fatalf("%s: FindApplicationsByCitizen: %v", where, err)
	}
	for i := range gotApps {
		gotApps[i] = normApplication(gotApps[i])
	}
	equal(t, where+": applications, newest first", gotApps, apps)
	if none, err := r.FindApplicationsByCitizen(ctx, "nobody"); err != nil || len(none) != 0 {
		t.Errorf("%s: FindApplicationsByCitizen(unknown) = %v, %v, want none", where, none, err)
	}

	var holdings []records.DataHolding
	for _, h := range d.Holdings {
		if h.CitizenID == maria.ID {
			holdings = append(holdings, h)
		}
	}
	gotHoldings, err := r.FindHoldingsByCitizen(ctx, maria.ID)
	if err != nil {
		t.Fatalf("%s: FindHoldingsByCitizen: %v", where, err)
	}
	equal(t, where+": holdings", gotHoldings, holdings)

	var events []records.AccessEvent
	for _, e := range d.AccessEvents {
		if e.CitizenID == maria.ID {
			events = append(events, normEvent(e))
		}
	}
	sortEvents(events)
	for _, limit := range []int{2, 0, 100} {
		want := events
		if limit > 0 && limit < len(want) {
			want = want[:limit]
		}
		gotEvents, err := r.FindAccessEventsByCitizen(ctx, maria.ID, limit)
		if err != nil {
			t.Fatalf("%s: FindAccessEventsByCitizen(%d): %v", where, limit, err)
		}
		for i := range gotEvents {
			if gotEvents[i].ID == 0 {
				t.Errorf("%s: access event without ID", where)
			}
			if i < len(want) && want[i].ID == 0 { // seeded without an id: any will do
				gotEvents[i].ID = 0
			}
		}
		equal(t, fmt.Sprintf("%s: access events, newest first, limit %d", where, limit), gotEvents, want)
	}

	for _, a := range d.Administrations {
		got, err := r.FindAdministration(ctx, a.ID)
		if err != nil {
			t.Fatalf("%s: FindAdministration(%s): %v", where, a.ID, err)
		}
		equal(t, where+": administration", got, a)
	}
	_, err = r.FindAdministration(ctx, "nowhere")
	wantCode(t, where+": FindAdministration(unknown)", err, records.ENOTFOUND)
	ids := []string{"nowhere"}
	for _, a := range d.Administrations {
		ids = append(ids, a.ID)
	}
	some, err := r.FindAdministrations(ctx, ids)
	if err != nil {
		t.Fatalf("%s: FindAdministrations: %v", where, err)
	}
	sort.Slice(some, func(i, j int) bool { return some[i].ID < some[j].ID })
	wantAdms := slices.Clone(d.Administrations)
	sort.Slice(wantAdms, func(i, j int) bool { return wantAdms[i].ID < wantAdms[j].ID })
	equal(t, where+": administrations by ids, the unknown one left out", some, wantAdms)
	if none, err := r.FindAdministrations(ctx, nil); err != nil || len(none) != 0 {
		t.Errorf("%s: FindAdministrations(none) = %v, %v", where, none, err)
	}

	benefits, err := r.ListBenefits(ctx)
	if err != nil {
		t.Fatalf("%s: ListBenefits: %v", where, err)
	}
	equal(t, where+": benefits, in catalog order", benefits, d.Benefits)
}

func testRecordAccess(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	ctx := t.Context()
	d := dataset(time.Now().Add(-time.Hour))
	if err := s.Seed(ctx, d); err != nil {
		t.Fatalf("Seed: %v", err)
	}
	maria, err := s.FindCitizenByPhone(ctx, MariaPhone)
	if err != nil {
		t.Fatalf("FindCitizenByPhone: %v", err)
	}
	latest := func() records.AccessEvent {
		t.Helper()
		es, err := s.FindAccessEventsByCitizen(ctx, maria.ID, 1)
		if err != nil || len(es) != 1 {
			t.Fatalf("FindAccessEventsByCitizen(1) = %v, %v", es, err)
		}
		return es[0]
	}
	e := &records.AccessEvent{
		CitizenID: maria.ID, At: time.Now(), AdministrationID: records.AccessorAssistant,
		Unit: records.Localized{"ca": "MyGov", "es": "MyGov"}, Category: records.CategoryIncome,
		Purpose:    records.Localized{"ca": "Consulta dels teus expedients", "es": "Consulta de tus expedientes"},
		LegalBasis: records.Localized{"ca": "RGPD art. 15", "es": "RGPD art. 15"}, Channel: chSMS,
	}
	if err := s.RecordAccess(ctx, e); err != nil {
		t.Fatalf("RecordAccess: %v", err)
	}
	if e.ID == 0 {
		t.Fatalf("RecordAccess did not set the ID")
	}
	equal(t, "recorded access, first", latest(), normEvent(*e))

	var inTurn records.AccessEvent
	turn(t, s, chSMS, MariaPhone, func(ctx context.Context, tx dialog.Tx) error {
		e := *e
		e.ID, e.At, e.Channel = 0, time.Now(), chTelegram
		if err := tx.RecordAccess(ctx, &e); err != nil {
			return err
		}
		es, err := tx.FindAccessEventsByCitizen(ctx, maria.ID, 1)
		if err != nil || len(es) != 1 || es[0].ID != e.ID || e.ID == 0 {
			t.Errorf("inside the turn, latest access = %v, %v, want %d", es, err, e.ID)
		}
		inTurn = e // its ID is set by the next statement of the turn at the latest
		return nil
	})
	if got := latest(); got.ID != inTurn.ID || got.Channel != chTelegram {
		t.Errorf("latest access = %+v, want the one recorded in the turn (%d)", got, inTurn.ID)
	}
	// An access recorded by a turn that fails is not kept.
	fail := errors.New("fail")
	err = s.Turn(ctx, chSMS, MariaPhone, func(ctx context.Context, tx dialog.Tx) error {
		e := *e
		e.ID, e.At = 0, time.Now()
		if err := tx.RecordAccess(ctx, &e); err != nil {
			return err
		}
		return fail
	})
	if !errors.Is(err, fail) {
		t.Fatalf("failing turn = %v", err)
	}
	if got := latest(); got.ID != inTurn.ID {
		t.Errorf("latest access = %d, want %d: a failed turn's access was kept", got.ID, inTurn.ID)
	}
	// Without a time, the store's clock stamps it.
	before := time.Now().Truncate(time.Microsecond)
	e2 := &records.AccessEvent{CitizenID: maria.ID, AdministrationID: records.AccessorAssistant, Category: records.CategoryContact,
		Channel: chConsole}
	if err := s.RecordAccess(ctx, e2); err != nil {
		t.Fatalf("RecordAccess without time: %v", err)
	}
	if e2.At.Before(before) {
		t.Errorf("RecordAccess without time: At = %v, want now", e2.At)
	}
	// An access to a citizen that does not exist is refused.
	err = s.RecordAccess(ctx, &records.AccessEvent{CitizenID: "nobody", At: time.Now(), Category: records.CategoryContact})
	if err == nil {
		t.Errorf("RecordAccess(unknown citizen) = nil, want an error")
	}
}

func testBadInput(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	ctx := t.Context()
	long := strings.Repeat("Què?ñ€ ", 10000/7+1)[:10000]
	texts := []struct{ in, want string }{
		{"", ""},
		{long, long},
		{"\xff\xfe abc \xc3", "\uFFFD\uFFFD abc \uFFFD"},
		{"a\x00b\x00", "a\uFFFDb\uFFFD"},
		{"emoji 🙂 i punt volat l·l", "emoji 🙂 i punt volat l·l"},
	}

	// Empty channel and address make a conversation like any other.
	turn(t, s, "", "", func(ctx context.Context, tx dialog.Tx) error {
		c := tx.Conversation()
		if c.ID == 0 || c.Channel != "" || c.Address != "" {
			t.Errorf("empty channel and address: conversation %+v", c)
		}
		return nil
	})

	const ch = chSMS
	addr := "+3460000\x0016\xff"
	var conv int64
	var o dialog.Outbound
	turn(t, s, ch, addr, func(ctx context.Context, tx dialog.Tx) error {
		c := tx.Conversation()
		conv = c.ID
		for i, x := range texts {
			in := inbound(ch, addr, fmt.Sprintf("bad-%d-\x00\xff", i), x.in)
			in.Payload, in.Phone = x.in, x.in
			if _, err := tx.AddInbound(ctx, c.ID, in); err != nil {
				t.Fatalf("AddInbound(text #%d): %v", i, err)
			}
		}
		_, err := tx.AddInbound(ctx, c.ID, inbound(ch, addr, "bad-3-\x00\xff", "again"))
		wantCode(t, "AddInbound(dirty duplicate id)", err, records.ECONFLICT)
		c.PendingRef = texts[3].in
		c.Menu = []string{texts[2].in, texts[1].in, ""}
		c.Lang = "\x00"
		if err := tx.SaveConversation(ctx, c); err != nil {
			t.Fatalf("SaveConversation: %v", err)
		}
		o = dialog.Outbound{ConversationID: c.ID, Channel: ch, Address: addr, Lang: "ca", Reply: dialog.Reply{
			Lines: []dialog.Text{dialog.T("echo", "a", texts[2].in, "b", texts[3].in, "c", texts[1].in, "d", "")},
		}}
		if err := tx.AddOutbound(ctx, &o); err != nil {
			t.Fatalf("AddOutbound: %v", err)
		}
		if err := tx.SaveLockout(ctx, dialog.Lockout{Key: "sender:" + addr, Failures: 2}); err != nil {
			t.Fatalf("SaveLockout: %v", err)
		}
		return nil
	})
	var wantTexts []string
	for _, x := range texts {
		wantTexts = append(wantTexts, x.want)
	}
	equal(t, "inbound texts", strs(t, s, fmt.Sprintf(`SELECT text FROM messages WHERE conversation_id = %d AND direction = 'in' ORDER BY id`, conv)), wantTexts)

	cleanAddr := "+3460000\uFFFD16\uFFFD"
	turn(t, s, ch, addr, func(ctx context.Context, tx dialog.Tx) error {
		c := tx.Conversation()
		if c.ID != conv || c.Address != cleanAddr {
			t.Errorf("conversation = %d %q, want %d %q", c.ID, c.Address, conv, cleanAddr)
		}
		if c.PendingRef != texts[3].want || c.Lang != "\uFFFD" {
			t.Errorf("PendingRef, Lang = %q, %q, want %q, %q", c.PendingRef, c.Lang, texts[3].want, "\uFFFD")
		}
		equal(t, "menu", c.Menu, []string{texts[2].want, texts[1].want, ""})
		l, err := tx.Lockout(ctx, "sender:"+addr)
		if err != nil || l.Failures != 2 || l.Key != "sender:"+cleanAddr {
			t.Errorf("Lockout(dirty key) = %+v, %v", l, err)
		}
		return nil
	})
	wantReply := dialog.Reply{Lines: []dialog.Text{dialog.T("echo", "a", texts[2].want, "b", texts[3].want, "c", texts[1].want, "d", "")}}
	replies := strs(t, s, `SELECT CAST(reply AS TEXT) FROM messages WHERE direction = 'out'`)
	if len(replies) != 1 {
		t.Fatalf("%d stored replies, want 1", len(replies))
	}
	equalJSON(t, "stored reply", replies[0], wantReply)
	jobs, err := s.JobArgs(ctx, delivery.Job{}.Kind())
	if err != nil {
		t.Fatalf("JobArgs: %v", err)
	}
	if len(jobs) != 1 {
		t.Fatalf("%d jobs, want 1", len(jobs))
	}
	equalJSON(t, "job args", jobs[0], delivery.Job{ID: o.ID, ConversationID: conv, Channel: ch})

	if ok, err := s.OptedOut(ctx, ch, addr); err != nil || ok {
		t.Errorf("OptedOut(dirty address) = %v, %v", ok, err)
	}
	if err := s.SetOptedOut(ctx, ch, addr, true); err != nil {
		t.Fatalf("SetOptedOut(dirty address): %v", err)
	}
	if ok, err := s.OptedOut(ctx, ch, cleanAddr); err != nil || !ok {
		t.Errorf("OptedOut(cleaned address) = %v, %v, want true", ok, err)
	}
	if _, err := s.RecordReceipt(ctx, "SM\x00\xff", "deliv\x00ered", "\xff"); err != nil {
		t.Errorf("RecordReceipt(dirty): %v", err)
	}
	if err := s.MarkOutbound(ctx, o.ID, dialog.DeliverySent, "SM\x00"); err != nil {
		t.Errorf("MarkOutbound(dirty provider id): %v", err)
	}

	// Records.
	d := dataset(time.Now())
	d.Citizens[0].Surnames = texts[2].in
	d.Citizens[0].Street = texts[1].in
	d.Citizens[0].Municipality = ""
	d.Benefits[0].Aliases = []string{texts[3].in}
	if err := s.Seed(ctx, d); err != nil {
		t.Fatalf("Seed(dirty): %v", err)
	}
	c, err := s.FindCitizenByID(ctx, d.Citizens[0].ID)
	if err != nil {
		t.Fatalf("FindCitizenByID: %v", err)
	}
	if c.Surnames != texts[2].want || c.Street != texts[1].want || c.Municipality != "" {
		t.Errorf("citizen = %q, %d bytes, %q", c.Surnames, len(c.Street), c.Municipality)
	}
	bs, err := s.ListBenefits(ctx)
	if err != nil || len(bs) == 0 {
		t.Fatalf("ListBenefits: %v, %v", bs, err)
	}
	equal(t, "aliases", bs[0].Aliases, []string{texts[3].want})
	e := &records.AccessEvent{CitizenID: c.ID, At: time.Now(), AdministrationID: "\xff",
		Purpose: records.Localized{"ca": texts[3].in, "es": texts[1].in, "\x00": ""}, Channel: "\x00"}
	if err := s.RecordAccess(ctx, e); err != nil {
		t.Fatalf("RecordAccess(dirty): %v", err)
	}
	es, err := s.FindAccessEventsByCitizen(ctx, c.ID, 1)
	if err != nil || len(es) != 1 {
		t.Fatalf("FindAccessEventsByCitizen: %v, %v", es, err)
	}
	equal(t, "dirty access purpose", es[0].Purpose, records.Localized{"ca": texts[3].want, "es": texts[1].want, "\uFFFD": ""})
	if es[0].AdministrationID != "\uFFFD" || es[0].Channel != "\uFFFD" {
		t.Errorf("access event = %q, %q", es[0].AdministrationID, es[0].Channel)
	}
	for _, q := range []string{"\x00", "\xff", "+34\x00600000001"} {
		_, err := s.FindCitizenByPhone(ctx, q)
		wantCode(t, fmt.Sprintf("FindCitizenByPhone(%q)", q), err, records.ENOTFOUND)
		_, err = s.FindCitizenByID(ctx, q)
		wantCode(t, fmt.Sprintf("FindCitizenByID(%q)", q), err, records.ENOTFOUND)
		_, err = s.FindAdministration(ctx, q)
		wantCode(t, fmt.Sprintf("FindAdministration(%q)", q), err, records.ENOTFOUND)
	}
}
