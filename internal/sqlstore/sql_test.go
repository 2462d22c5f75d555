package sqlstore

import (
	"encoding/json"
	"reflect"
	"testing"

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
