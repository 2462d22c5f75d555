package dialog

import (
	"strconv"
	"strings"
	"time"

	"github.com/catalonia/mygov/records"
)

// Verification steps.
const (
	stepNationalID = "national_id"
	stepBirthDate  = "birth_date"
)

// startVerification asks for the national id, unless the citizen or the sender is locked.
func (t *turn) startVerification() ([]Reply, error) {
	if r, locked, err := t.lockedReply(); err != nil || locked {
		return r, err
	}
	if err := fire(t.ctx, t.c, EventVerify); err != nil {
		return nil, err
	}
	t.c.VerifyStep, t.c.VerifyIDMatched = stepNationalID, false
	return []Reply{t.menuReply(T(KeyVerifyAskID), []string{ValueCancel})}, nil
}

// verify takes one answer of the verification dialogue. Whatever was wrong, and whether the
// citizen exists at all, the replies are the same.
func (t *turn) verify(cls Classification) ([]Reply, error) {
	if r, locked, err := t.lockedReply(); err != nil || locked {
		return r, err
	}
	c := t.c
	if c.VerifyStep != stepBirthDate {
		id, ok := nationalID(cls, t.in.Text)
		if !ok {
			return []Reply{t.menuReply(T(KeyVerifyBadID), []string{ValueCancel})}, nil
		}
		c.VerifyIDMatched = t.citizen != nil && id == t.citizen.NationalID
		c.VerifyStep = stepBirthDate
		if _, ok := cls.Entity(EntityDate); !ok {
			return []Reply{t.menuReply(T(KeyVerifyAskBirth), []string{ValueCancel})}, nil
		}
	}
	d, ok := cls.Entity(EntityDate)
	if !ok {
		return []Reply{t.menuReply(T(KeyVerifyBadDate), []string{ValueCancel})}, nil
	}
	if c.VerifyIDMatched && t.citizen != nil && d.Value == t.citizen.BirthDate.Format(time.DateOnly) {
		return t.verified()
	}
	return t.failed()
}

func (t *turn) verified() ([]Reply, error) {
	c := t.c
	c.VerifiedAt, c.LastSeen = t.now, t.now
	c.VerifyStep, c.VerifyIDMatched = "", false
	if err := fire(t.ctx, t.c, EventVerified); err != nil {
		return nil, err
	}
	for _, key := range t.lockKeys() {
		if err := t.tx.SaveLockout(t.ctx, Lockout{Key: key}); err != nil {
			return nil, err
		}
	}
	ok := Reply{Lines: []Text{T(KeyVerifyOK)}}
	pending, ref := c.Pending, c.PendingRef
	c.Pending = ""
	if pending == "" {
		return t.reset(t.withMenu(T(KeyVerifyOK)))
	}
	rest, err := t.answerFresh(pending, ref)
	return append([]Reply{ok}, rest...), err
}

// failed counts a failed attempt on the sender and, when known, the citizen, and locks
// both after MaxFailures, for LockBase doubled with every lock.
func (t *turn) failed() ([]Reply, error) {
	c := t.c
	c.VerifyStep, c.VerifyIDMatched = stepNationalID, false
	left := t.e.maxFailures
	var until time.Time
	for _, key := range t.lockKeys() {
		l, err := t.tx.Lockout(t.ctx, key)
		if err != nil {
			return nil, err
		}
		l.Key = key
		l.Failures++
		if l.Failures >= t.e.maxFailures {
			l.LockedUntil = t.now.Add(t.e.lockBase << min(l.Locks, 10))
			l.Locks++
			l.Failures = 0
			until = later(until, l.LockedUntil)
		}
		left = min(left, t.e.maxFailures-l.Failures)
		if err := t.tx.SaveLockout(t.ctx, l); err != nil {
			return nil, err
		}
	}
	if !until.IsZero() {
		return t.lockReply(until)
	}
	return []Reply{t.menuReply(T(KeyVerifyFailed, "Left", strconv.Itoa(left)), []string{ValueCancel})}, nil
}

// lockedReply tells a locked citizen or sender when they can try again.
func (t *turn) lockedReply() ([]Reply, bool, error) {
	var until time.Time
	for _, key := range t.lockKeys() {
		l, err := t.tx.Lockout(t.ctx, key)
		if err != nil {
			return nil, false, err
		}
		if l.LockedUntil.After(t.now) {
			until = later(until, l.LockedUntil)
		}
	}
	if until.IsZero() {
		return nil, false, nil
	}
	r, err := t.lockReply(until)
	return r, true, err
}

func (t *turn) lockReply(until time.Time) ([]Reply, error) {
	t.c.VerifyStep, t.c.VerifyIDMatched, t.c.Pending = "", false, ""
	mins := int(until.Sub(t.now).Round(time.Minute) / time.Minute)
	line := T(KeyVerifyLocked, "Time", until.In(t.e.location()).Format("15:04"), "Minutes", strconv.Itoa(max(mins, 1)))
	return t.reset(t.withMenu(line))
}

func (t *turn) cancelVerification() ([]Reply, error) {
	t.c.Pending, t.c.PendingRef = "", ""
	return t.reset(t.withMenu(T(KeyVerifyCancelled)))
}

// lockKeys are the counters a verification attempt counts on: always the sender, and the
// citizen when the conversation is linked to one.
func (t *turn) lockKeys() []string {
	keys := []string{"sender:" + t.c.Channel + ":" + t.c.Address}
	if t.citizen != nil {
		keys = append(keys, "citizen:"+t.citizen.ID)
	}
	return keys
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// nationalID finds a valid DNI/NIE in the classification or in the words of text.
func nationalID(cls Classification, text string) (string, bool) {
	if e, ok := cls.Entity(EntityNationalID); ok {
		return e.Value, true
	}
	if id, ok := records.ParseNationalID(text); ok {
		return id, true
	}
	for _, w := range strings.Fields(text) {
		if id, ok := records.ParseNationalID(w); ok {
			return id, true
		}
	}
	return "", false
}
