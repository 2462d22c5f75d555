package dialog

import "github.com/catalonia/mygov/records"

// fitPage builds the page of a list from offset: with the channel's Fitter, the most items
// (up to the page size) whose reply still goes out whole, at least one; without it, the
// page size. It returns the reply, the offset of the next page and the list's length.
func (t *turn) fitPage(pageOf func(offset, size int) ([]Text, int, error), offset int) (Reply, int, int, error) {
	most, fitter := t.pageSize(), t.in.Caps.Fitter
	if fitter == nil {
		return t.listReply(pageOf, offset, most)
	}
	var (
		best              Reply
		bestNext, bestLen int
		kept              Conversation
	)
	for size := 1; size <= most; size++ {
		r, next, total, err := t.listReply(pageOf, offset, size)
		if err != nil {
			return Reply{}, 0, 0, err
		}
		if size > 1 && !fitter.Fits(t.lang(), r) {
			// Building a page sets what follow-up questions are about (the focus): the
			// conversation goes back to what the page kept left, not the refused page.
			*t.c = kept
			break
		}
		best, bestNext, bestLen, kept = r, next, total, *t.c
		if next >= total {
			break // the rest of the list is on this page
		}
	}
	t.c.Menu = t.c.Menu[:0]
	for _, o := range best.Options {
		t.c.Menu = append(t.c.Menu, o.Value)
	}
	return best, bestNext, bestLen, nil
}

// listReply builds the page of size items from offset, with the line and the option to see
// more when the list goes on, else the main menu. The menu is the same on every channel,
// so a number means the same everywhere.
func (t *turn) listReply(pageOf func(offset, size int) ([]Text, int, error), offset, size int) (Reply, int, int, error) {
	lines, total, err := pageOf(offset, size)
	if err != nil {
		return Reply{}, 0, 0, err
	}
	next := offset + size
	var r Reply
	if next < total {
		lines = append(lines, T(KeyListMore))
		r = t.menuReply(Text{}, []string{ValueMore, ValueIntent + IntentHelp})
	} else {
		r = t.withMenu(Text{})
	}
	r.Lines = lines
	return r, next, total, nil
}

// turnReads keeps the citizen's records read in this turn: a page built more than once to
// fit the channel reads them once. Each is nil until read.
type turnReads struct {
	apps     []records.Application
	holdings []records.DataHolding
	events   []records.AccessEvent
	names    map[string]string // administration names, by id
}

// applications returns the citizen's applications, read once a turn.
func (t *turn) applications() ([]records.Application, error) {
	if t.reads.apps == nil {
		apps, err := t.tx.FindApplicationsWithLastChange(t.ctx, t.citizen.ID)
		if err != nil {
			return nil, err
		}
		t.reads.apps = append(make([]records.Application, 0, len(apps)), apps...)
	}
	return t.reads.apps, nil
}

// holdings returns who holds the citizen's data, read once a turn.
func (t *turn) holdings() ([]records.DataHolding, error) {
	if t.reads.holdings == nil {
		hs, err := t.tx.FindHoldingsByCitizen(t.ctx, t.citizen.ID)
		if err != nil {
			return nil, err
		}
		t.reads.holdings = append(make([]records.DataHolding, 0, len(hs)), hs...)
	}
	return t.reads.holdings, nil
}

// accessEvents returns the newest maxUsage reads of the citizen's data, read once a turn
// (before this turn's own read is recorded).
func (t *turn) accessEvents() ([]records.AccessEvent, error) {
	if t.reads.events == nil {
		evs, err := t.tx.FindAccessEventsByCitizen(t.ctx, t.citizen.ID, maxUsage)
		if err != nil {
			return nil, err
		}
		t.reads.events = append(make([]records.AccessEvent, 0, len(evs)), evs...)
	}
	return t.reads.events, nil
}
