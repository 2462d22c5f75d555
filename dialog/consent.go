package dialog

import (
	"regexp"
	"strings"
)

// Catalog keys of notice consent (locales/notices.*.toml).
const (
	KeyConsentAsk        = "consent.ask"
	KeyConsentGiven      = "consent.given"
	KeyConsentRevoked    = "consent.revoked"
	KeyConsentNoCitizen  = "consent.no_citizen"
	KeyOptionApplication = "menu.application"
)

// ValueApplication prefixes the option that opens one application, offered by a notice
// about it: "notice:EXP-2026-000101".
const ValueApplication = "notice:"

// Consent phrases, matched on the folded text before any classification so that asking for
// notices never reaches the stop path. A "no" in front revokes.
var (
	consentGive   = regexp.MustCompile(`^(si |sí |doncs |pues )?(vull|voldria|quiero|querria|quisiera|activa|activar|activeu) (rebre |recibir )?(els |los )?avisos( per sms| por sms| sms)?$`)
	consentRevoke = regexp.MustCompile(`^(no (vull|quiero) (rebre |recibir )?(mes |més |mas |más )?(els |los )?avisos|prou avisos|basta de avisos|(desactiva|desactivar|desactiveu) (els |los )?avisos)$`)
)

// consentPunct turns the punctuation around a consent phrase into spaces.
var consentPunct = strings.NewReplacer(",", " ", ".", " ", "!", " ", "¡", " ", "?", " ", "¿", " ")

// consentPhrase reports whether s gives (give true) or takes back (give false) the consent to
// notices; ok is false when s is about something else.
func consentPhrase(s string) (give, ok bool) {
	if len(s) > 100 {
		return false, false
	}
	lower := strings.ToLower(s)
	if !strings.Contains(lower, "avisos") { // every consent phrase names them: most messages stop here
		return false, false
	}
	return consentFolded(lower)
}

// consentFolded is consentPhrase on the lower-case text.
func consentFolded(lower string) (give, ok bool) {
	w := consentPunct.Replace(lower)
	w = strings.Join(strings.Fields(w), " ")
	w = strings.TrimSuffix(strings.TrimSuffix(w, " gràcies"), " gracias")
	switch {
	case consentRevoke.MatchString(w):
		return false, true
	case consentGive.MatchString(w):
		return true, true
	}
	return false, false
}

// consent answers a message that gives or takes back the consent to notices. It runs before
// the classifier: "vull rebre avisos" is never a stop request.
func (t *turn) consent() ([]Reply, bool, error) {
	if t.in.Kind != KindText {
		return nil, false, nil
	}
	give, ok := consentPhrase(t.in.Text)
	if !ok {
		return nil, false, nil
	}
	t.c.NoticesAsked = true
	t.c.Notices = give
	if !give {
		r, err := t.reset(t.withMenu(T(KeyConsentRevoked)))
		return r, true, err
	}
	if t.c.CitizenID == "" {
		r, err := t.reset(t.withMenu(T(KeyConsentNoCitizen)))
		return r, true, err
	}
	r, err := t.reset(t.withMenu(T(KeyConsentGiven)))
	return r, true, err
}

// offerNotices asks once, after the first useful answer to a citizen MyGov knows, whether
// they want notices.
func (t *turn) offerNotices(replies []Reply) []Reply {
	c := t.c
	if !t.useful || c.NoticesAsked || c.Notices || c.CitizenID == "" || c.OptedOut || len(replies) == 0 {
		return replies
	}
	c.NoticesAsked = true
	last := &replies[len(replies)-1]
	last.Lines = append(last.Lines, T(KeyConsentAsk))
	return replies
}
