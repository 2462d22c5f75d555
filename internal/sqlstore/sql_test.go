package sqlstore

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/catalonia/mygov/records"
)

// TestJSONColumnOfAnUnmarshaler: a column read into a type with its own UnmarshalJSON
// (records.Localized) reads as encoding/json reads it, bad JSON included.
func TestJSONColumnOfAnUnmarshaler(t *testing.T) {
	for _, src := range []any{`{"ca":"Hola","es":"Hola"}`, []byte(`{"ca":"a\u00e9"}`), `null`, `{"ca":"a"} x`, `{"ca":1}`, `[`, ``, `{"ca":"\ud800"}`} {
		var got, want records.Localized
		gotErr := jsonCol{&got}.Scan(src)
		b, _ := src.([]byte)
		if s, ok := src.(string); ok {
			b = []byte(s)
		}
		wantErr := json.Unmarshal(b, &want)
		if (gotErr == nil) != (wantErr == nil) || !reflect.DeepEqual(got, want) {
			t.Errorf("Scan(%q) = %v, %v; encoding/json: %v, %v", src, got, gotErr, want, wantErr)
		}
	}
}

// TestTimeText: FormatTime writes what t.Format(TimeLayout) writes, and parseTime reads
// what time.Parse(TimeLayout, …) reads, with its errors: random times of every zone and of
// years past four digits, and their texts with a byte changed (dates past a month's end,
// month 13, hour 24, letters, a missing Z).
func TestTimeText(t *testing.T) {
	rnd := rand.New(rand.NewPCG(30, 13))
	zones := []*time.Location{time.UTC, time.FixedZone("", 5400), time.FixedZone("", -11*3600)}
	for range 20000 {
		tm := time.Date(rnd.IntN(10010)-5, time.Month(rnd.IntN(12)+1), rnd.IntN(31)+1, rnd.IntN(24), rnd.IntN(60),
			rnd.IntN(60), rnd.IntN(1e9), zones[rnd.IntN(len(zones))])
		want := tm.Format(TimeLayout)
		if got := FormatTime(tm); got != want {
			t.Fatalf("FormatTime(%v) = %q, want %q", tm, got, want)
		}
		texts := []string{want}
		if len(want) == len(TimeLayout) {
			b := []byte(want)
			b[rnd.IntN(len(b))] = "0123456789-:TZ.x"[rnd.IntN(16)]
			texts = append(texts, string(b))
		}
		for _, s := range texts {
			got, gotErr := parseTime(s)
			wantT, wantErr := time.Parse(TimeLayout, s)
			if (gotErr == nil) != (wantErr == nil) || !got.Equal(wantT) || got.Location() != wantT.Location() {
				t.Fatalf("parseTime(%q) = %v, %v; time.Parse %v, %v", s, got, gotErr, wantT, wantErr)
			}
		}
	}
	for _, s := range []string{"2026-02-29T00:00:00.000000Z", "2028-02-29T00:00:00.000000Z", "2026-04-31T10:00:00.000000Z",
		"2026-13-01T00:00:00.000000Z", "2026-00-10T00:00:00.000000Z", "2026-01-01T24:00:00.000000Z", "2026-01-01T23:60:00.000000Z",
		"2026-01-01T23:59:60.000000Z", "2026-01-01 23:59:59.000000Z", "2026-01-01T23:59:59.000000+", "", "2026-01-01"} {
		got, gotErr := parseTime(s)
		wantT, wantErr := time.Parse(TimeLayout, s)
		if (gotErr == nil) != (wantErr == nil) || !got.Equal(wantT) {
			t.Errorf("parseTime(%q) = %v, %v; time.Parse %v, %v", s, got, gotErr, wantT, wantErr)
		}
	}
}

func BenchmarkTimeText(b *testing.B) {
	tm := time.Now().UTC()
	s := tm.Format(TimeLayout)
	b.Run("Format", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = tm.Format(TimeLayout)
		}
	})
	b.Run("FormatTime", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = FormatTime(tm)
		}
	})
	b.Run("Parse", func(b *testing.B) {
		for b.Loop() {
			if _, err := time.Parse(TimeLayout, s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parseTime", func(b *testing.B) {
		for b.Loop() {
			if _, err := parseTime(s); err != nil {
				b.Fatal(err)
			}
		}
	})
}
