package synthetic

import (
	"reflect"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

func TestPopulationIsValid(t *testing.T) {
	d := Population(2500, 1, now)
	if len(d.Citizens) != 2500 || len(d.Applications) == 0 || len(d.Holdings) == 0 {
		t.Fatalf("%d citizens, %d applications, %d holdings", len(d.Citizens), len(d.Applications), len(d.Holdings))
	}
	if err := d.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
}

func TestPopulationIsDeterministic(t *testing.T) {
	a, b := Population(300, 7, now), Population(300, 7, now)
	if !reflect.DeepEqual(a, b) {
		t.Error("two populations of the same seed differ")
	}
	if c := Population(300, 8, now); reflect.DeepEqual(a.Citizens, c.Citizens) {
		t.Error("two seeds gave the same citizens")
	}
}
