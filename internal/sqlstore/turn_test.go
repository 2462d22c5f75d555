package sqlstore

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

// TestConversationDataLeavesTheColumns: a conversation's data column holds what its own
// columns do not, and data written with them too, as it was before, still reads.
func TestConversationDataLeavesTheColumns(t *testing.T) {
	at := time.Date(2026, 11, 30, 4, 0, 0, 0, time.UTC)
	c := dialog.Conversation{ID: 7, Channel: "sms", Address: "+34600000001", CitizenID: "cit-0001", Lang: "ca",
		State: dialog.StateAnswering, OptedOut: true, CreatedAt: at, UpdatedAt: at,
		Menu: []string{"more"}, List: "status", Offset: 1, LastSeen: at, Focus: []string{"EXP-1"}, FocusUntil: at, Urgent: true}
	data, err := marshal(conversationData{Conversation: &c})
	if err != nil {
		t.Fatal(err)
	}
	for _, column := range strings.Split(conversationColumns, ", ") {
		if column != "data" && strings.Contains(data, `"`+column+`"`) {
			t.Errorf("the data holds the column %s: %s", column, data)
		}
	}
	rest := func(c dialog.Conversation) dialog.Conversation {
		c.ID, c.Channel, c.Address, c.CitizenID, c.Lang, c.State, c.OptedOut = 0, "", "", "", "", "", false
		c.CreatedAt, c.UpdatedAt = time.Time{}, time.Time{}
		return c
	}
	var back dialog.Conversation
	if err := json.Unmarshal([]byte(data), &conversationData{Conversation: &back}); err != nil {
		t.Fatal(err)
	}
	if want := rest(c); !reflect.DeepEqual(back, want) {
		t.Errorf("read back %+v, want %+v", back, want)
	}
	before, err := json.Marshal(c) // the data as it was written before
	if err != nil {
		t.Fatal(err)
	}
	var old dialog.Conversation
	if err := json.Unmarshal(before, &conversationData{Conversation: &old}); err != nil {
		t.Fatal(err)
	}
	if want := rest(c); !reflect.DeepEqual(old, want) {
		t.Errorf("earlier data read %+v, want %+v", old, want)
	}
}

// TestConversationDataCodec: marshalConversationData writes encoding/json's bytes and
// unmarshalConversationData reads what encoding/json reads, for conversations of every
// field (random text, times in several zones, empty lists), for data written before (the
// columns in it), and for JSON its fast path leaves to encoding/json (escapes, nulls,
// unknown keys, bad values), whose errors it then returns.
func TestConversationDataCodec(t *testing.T) {
	if n := reflect.TypeFor[dialog.Conversation]().NumField(); n != 27 {
		t.Fatalf("dialog.Conversation has %d fields: marshalConversationData and readConversationData know 27", n)
	}
	rnd := rand.New(rand.NewPCG(12, 30))
	texts := []string{"", "a", "EXP-2026-000101", "proc:rgc", "i:help", "<b>&amp;</b>", "l·l 🙂", "\"cometes\" \\", "\x00\xff\n", "\u2028"}
	text := func() string { return texts[rnd.IntN(len(texts))] }
	list := func() []string {
		switch rnd.IntN(3) {
		case 0:
			return nil
		case 1:
			return []string{}
		}
		return []string{text(), text()}
	}
	zones := []*time.Location{time.UTC, time.FixedZone("", 3600), time.FixedZone("", -5*3600-1800)}
	when := func() time.Time {
		if rnd.IntN(3) == 0 {
			return time.Time{}
		}
		return time.Unix(rnd.Int64N(4e9), rnd.Int64N(1e9)).In(zones[rnd.IntN(len(zones))])
	}
	for i := range 2000 {
		c := dialog.Conversation{ID: rnd.Int64N(9), Channel: text(), Address: text(), CitizenID: text(), Lang: text(),
			State: dialog.State(text()), Pending: text(), PendingRef: text(), Menu: list(), List: text(),
			Offset: rnd.IntN(5) - 1, Confirming: text(), VerifyStep: text(), VerifyIDMatched: rnd.IntN(2) == 0,
			VerifiedAt: when(), LastSeen: when(), OptedOut: rnd.IntN(2) == 0, Notices: rnd.IntN(2) == 0,
			NoticesAsked: rnd.IntN(2) == 0, Urgent: rnd.IntN(2) == 0, Distress: text(), DistressAt: when(),
			Focus: list(), FocusUntil: when(), Misses: rnd.IntN(4), CreatedAt: when(), UpdatedAt: when()}
		want, err := marshal(conversationData{Conversation: &c})
		got, gotErr := marshalConversationData(&c)
		if got != want || (err == nil) != (gotErr == nil) {
			t.Fatalf("#%d: marshalConversationData = %s, %v\nencoding/json  %s, %v", i, got, gotErr, want, err)
		}
		for _, data := range []string{want, encodingJSON(t, c)} { // now, and as written before
			checkDataRead(t, data)
		}
	}
	for _, data := range []string{`{}`, ` { "list" : "status" , "offset" : 2 } `, `{"menu":[]}`, `{"menu":["a" , "b"]}`,
		`{"list":"st\u0061tus"}`, `{"list":null}`, `{"menu":null}`, `{"offset":1.5}`, `{"offset":"1"}`, `{"offset":01}`,
		`{"offset":99999999999999999999}`, `{"offset":-0}`, `{"urgent":tru}`, `{"urgent":true,}`, `{"Urgent":true}`,
		`{"unknown":{"a":[1,2]}}`, `{"last_seen":"2026-13-01T00:00:00Z"}`, `{"last_seen":"yesterday"}`, `{"list":"a"}x`,
		`{"list":"a","list":"b"}`, `{"distress":"\xff"}`, `{"menu":["a",]}`, `[]`, ``, `{`, `null`} {
		checkDataRead(t, data)
	}
}

// checkDataRead checks that unmarshalConversationData reads data as encoding/json does.
func checkDataRead(t *testing.T, data string) {
	t.Helper()
	var want, got dialog.Conversation
	err := json.Unmarshal([]byte(data), &conversationData{Conversation: &want})
	gotErr := unmarshalConversationData([]byte(data), &got)
	if (err == nil) != (gotErr == nil) || (err != nil && err.Error() != gotErr.Error()) {
		t.Errorf("%s: unmarshalConversationData error %v, encoding/json's %v", data, gotErr, err)
	}
	if err == nil && !reflect.DeepEqual(got, want) {
		t.Errorf("%s: unmarshalConversationData read\n%+v\nencoding/json\n%+v", data, got, want)
	}
}

// TestProfileRead: a citizen's profile column reads as encoding/json reads it, into a zero
// profile and into one holding values already: random profiles as the stores write them,
// and JSON the direct reader leaves to encoding/json; the plain ones are read directly.
func TestProfileRead(t *testing.T) {
	if n := reflect.TypeFor[records.Profile]().NumField(); n != 10 {
		t.Fatalf("records.Profile has %d fields: readProfile knows 10", n)
	}
	rnd := rand.New(rand.NewPCG(30, 12))
	var texts []string
	for range 2000 {
		p := records.Profile{HouseholdSize: rnd.IntN(7), SingleParent: rnd.IntN(2) == 0, LivesAlone: rnd.IntN(2) == 0,
			Employment: []string{"", "employed", "unemployed", "retired", "l·l <b>"}[rnd.IntN(5)], MonthlyIncome: rnd.IntN(4000) - 10,
			Renting: rnd.IntN(2) == 0, MonthlyRent: rnd.IntN(1200), DisabilityPercent: rnd.IntN(101), Dependency: rnd.IntN(2) == 0}
		switch rnd.IntN(3) {
		case 0:
			p.ChildrenAges = []int{}
		case 1:
			p.ChildrenAges = []int{rnd.IntN(18), rnd.IntN(18)}
		}
		data := encodingJSON(t, p)
		var q records.Profile
		if direct, plain := readProfile([]byte(data), &q), !strings.Contains(data, `\`); direct != plain {
			t.Errorf("%s: read directly %v, want %v (directly when it holds no escape)", data, direct, plain)
		}
		texts = append(texts, data)
	}
	texts = append(texts, `{}`, ` { "renting" : true , "children_ages" : [ 1 , 2 ] } `, `{"children_ages":null}`,
		`{"children_ages":[1.5]}`, `{"household_size":"3"}`, `{"employment":"a\"b"}`, `{"Renting":true}`, `{"other":1}`,
		`{"renting":true}x`, `{"monthly_rent":-0}`, `{"monthly_rent":1e3}`, `[]`, `null`, ``)
	for _, data := range texts {
		for _, start := range []records.Profile{{}, {HouseholdSize: 9, ChildrenAges: []int{3}, Employment: "x", Renting: true}} {
			want, got := start, start
			want.ChildrenAges, got.ChildrenAges = slices.Clone(start.ChildrenAges), slices.Clone(start.ChildrenAges)
			wantErr := json.Unmarshal([]byte(data), &want)
			gotErr := jsonCol{&got}.Scan(data)
			if (gotErr == nil) != (wantErr == nil) || (wantErr == nil && !reflect.DeepEqual(got, want)) {
				t.Errorf("%s into %+v: read %+v, %v; encoding/json %+v, %v", data, start, got, gotErr, want, wantErr)
			}
		}
	}
}
