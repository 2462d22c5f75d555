package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/catalonia/mygov/sqlite"
)

// /readyz says 503 when the database is gone, where /healthz said ok, and names the
// channels that are on.
func TestReady(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "mygov.db"))
	if err != nil {
		t.Fatal(err)
	}
	h := Ready(st.Ready, []string{"telegram", "sms"}, slog.New(slog.DiscardHandler))
	get := func() (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		return rec.Code, rec.Body.String()
	}
	if code, body := get(); code != 200 || body != "database: ok\nsms: ok\ntelegram: ok\n" {
		t.Errorf("/readyz = %d %q", code, body)
	}
	st.Close()
	if code, body := get(); code != 503 || body != "database: not ready\nsms: ok\ntelegram: ok\n" {
		t.Errorf("/readyz with the database closed = %d %q, want 503", code, body)
	}
}
