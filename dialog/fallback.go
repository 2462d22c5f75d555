package dialog

import (
	"fmt"
	"slices"
)

// EntityTopic marks a message about something MyGov does not handle; its Value is one of
// Topics.
const EntityTopic = "topic"

// Topics MyGov routes elsewhere, in the order the engine picks one.
const (
	TopicTax      = "tax"      // local and regional taxes: the ajuntament, the ATC
	TopicHealth   = "health"   // health care: 061, CatSalut
	TopicPublic   = "public"   // other public services: 012
	TopicChitchat = "chitchat" // the weather and the like: a friendly "I can't help"
	TopicInsult   = "insult"   // an insult: a calm, respectful reply
)

// Topics lists the topics in the order the engine picks one.
var Topics = []string{TopicTax, TopicHealth, TopicPublic, TopicChitchat, TopicInsult}

// Catalog keys of the fallbacks.
const (
	KeyTopicPrefix          = "topic." // + topic
	KeyDidYouMean           = "clarify.did_you_mean"
	KeyMisunderstoodPhone   = "misunderstood.phone"
	KeyMisunderstoodHandoff = "misunderstood.escalated"
)

// maxMisses is how many messages in a row may be misunderstood before a person is offered.
const maxMisses = 2

// topicOf returns the topic of cls that comes first in Topics, or "".
func topicOf(cls Classification) string {
	best := ""
	for _, e := range cls.Entities {
		if e.Kind == EntityTopic && (best == "" || slices.Index(Topics, e.Value) < slices.Index(Topics, best)) {
			best = e.Value
		}
	}
	return best
}

// routesTopic reports whether the engine answers topic instead of the intent of cls: a
// message that names one of the citizen's applications or procedures is about them, and a
// confident question about the status of one's applications wins over health and other
// public services (a "canvi de metge" is an application too).
func (t *turn) routesTopic(cls Classification, topic string) bool {
	if _, ok := cls.Entity(EntityApplicationRef); ok {
		return false
	}
	if _, ok := cls.Entity(EntityProcedure); ok && topic != TopicInsult {
		return false
	}
	if topic == TopicHealth || topic == TopicPublic {
		return !(cls.Intent == IntentStatus && cls.Confidence >= t.e.threshold)
	}
	return true
}

// topic answers a message about something MyGov does not handle: where to go instead.
func (t *turn) topic(topic string) ([]Reply, error) {
	t.c.Misses = 0
	return t.reset(t.withMenu(T(KeyTopicPrefix + topic)))
}

// answerable are the intents a "did you mean…?" may offer.
var answerable = []string{IntentStatus, IntentForMe, IntentMyData, IntentDataUsage, IntentHuman}

// clarify answers a message the engine is not sure about: the two most likely meanings as
// options, and after maxMisses in a row, a person.
func (t *turn) clarify(cls Classification) ([]Reply, error) {
	t.c.Misses++
	if t.c.Misses >= maxMisses {
		return t.misunderstood()
	}
	var values []string
	for _, name := range append([]string{cls.Intent}, intentsOf(cls.Alternatives)...) {
		if slices.Contains(answerable, name) && !slices.Contains(values, ValueIntent+name) && len(values) < 2 {
			values = append(values, ValueIntent+name)
		}
	}
	for _, v := range mainMenuValues {
		if len(values) >= 2 {
			break
		}
		if !slices.Contains(values, v) {
			values = append(values, v)
		}
	}
	values = append(values, ValueIntent+IntentHelp)
	if err := fire(t.ctx, t.c, EventList); err != nil {
		return nil, err
	}
	return []Reply{t.menuReply(T(KeyDidYouMean), values)}, nil
}

func intentsOf(alts []Alternative) []string {
	out := make([]string, 0, len(alts))
	for _, a := range alts {
		out = append(out, a.Intent)
	}
	return out
}

// notUnderstood answers a message the classifier read as none of the assistant's intents.
func (t *turn) notUnderstood() ([]Reply, error) {
	t.c.Misses++
	if t.c.Misses >= maxMisses {
		return t.misunderstood()
	}
	return t.reset(t.withMenu(T(KeyOutOfScope)))
}

// misunderstood hands the conversation to a person after maxMisses misunderstandings in a
// row, or gives the 012 phone when no one is on the other side.
func (t *turn) misunderstood() ([]Reply, error) {
	t.c.Misses = 0
	if t.e.Escalator == nil {
		return t.reset(t.withMenu(T(KeyMisunderstoodPhone)))
	}
	if _, err := t.e.Escalator.Escalate(t.ctx, t.tx, t.c, Escalation{Reason: ReasonMisunderstood}); err != nil {
		return nil, fmt.Errorf("escalate misunderstood: %w", err)
	}
	t.c.Menu, t.c.List, t.c.Pending = nil, "", ""
	if err := fire(t.ctx, t.c, EventEscalate); err != nil {
		return nil, err
	}
	return []Reply{{Lines: []Text{T(KeyMisunderstoodHandoff)}}}, nil
}
