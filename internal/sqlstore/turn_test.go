package sqlstore

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/catalonia/mygov/dialog"
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
