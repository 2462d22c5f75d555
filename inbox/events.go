package inbox

import (
	"fmt"
	"net/http"
	"slices"
	"time"
)

// sessionRecheck is how often a live-update stream checks that its session still holds.
const sessionRecheck = 5 * time.Second

// handleEvents streams server-sent events to a logged-in page: "queue" when the set of
// cases the caller sees or their state changes, and "case" with a case id when that case
// or its messages change (a citizen's message, a reply, a delivery receipt). Each
// connection polls the database, so it works the same with several replicas.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request, c caller) {
	ctx := r.Context()
	snapshot := func() (map[int64]CaseVersion, bool) {
		vs, err := s.store.CaseVersions(ctx, c.staff.Municipality)
		if err != nil {
			if ctx.Err() == nil {
				s.log.ErrorContext(ctx, "inbox: case versions", "err", err)
			}
			return nil, false
		}
		cur := make(map[int64]CaseVersion, len(vs))
		for _, v := range vs {
			if c.staff.Role == RoleCoordinator || v.Team == c.staff.Team {
				cur[v.CaseID] = v
			}
		}
		return cur, true
	}
	// The first snapshot is taken before the stream opens: the page reloads its part when
	// the stream opens, so a change between the page and the stream is not lost.
	last, ok := snapshot()
	if !ok {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	rc := http.NewResponseController(w)
	// The server's write timeout would cut the stream: lift it for this response.
	_ = rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprint(w, "retry: 2000\n\n"); err != nil {
		return
	}
	if err := rc.Flush(); err != nil {
		return
	}

	tick := time.NewTicker(s.pollInterval)
	defer tick.Stop()
	lastBeat, lastCheck := time.Now(), time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.stopped:
			return
		case <-tick.C:
		}
		// A session that ended (logout, expiry, disabled account) ends the stream.
		if time.Since(lastCheck) > sessionRecheck {
			if _, ok := s.session(r); !ok {
				return
			}
			lastCheck = time.Now()
		}
		cur, ok := snapshot()
		if !ok {
			return
		}
		var changed []int64
		queue := len(cur) != len(last)
		for id, v := range cur {
			old, ok := last[id]
			switch {
			case !ok:
				queue = true
			case old != v:
				changed = append(changed, id)
				if !old.UpdatedAt.Equal(v.UpdatedAt) || old.LastMessageID != v.LastMessageID {
					queue = true
				}
			}
		}
		for id := range last {
			if _, ok := cur[id]; !ok {
				changed = append(changed, id)
			}
		}
		last = cur
		slices.Sort(changed)
		if queue {
			fmt.Fprint(w, "event: queue\ndata: {}\n\n")
		}
		for _, id := range changed {
			fmt.Fprintf(w, "event: case\ndata: %d\n\n", id)
		}
		beat := time.Since(lastBeat) > 15*time.Second
		if beat && !queue && len(changed) == 0 {
			fmt.Fprint(w, ": keep-alive\n\n")
		}
		if queue || len(changed) > 0 || beat {
			if err := rc.Flush(); err != nil {
				return
			}
			lastBeat = time.Now()
		}
	}
}
