package dialog

import (
	"fmt"
	"slices"
)

// EntityDistress marks a message that shows distress; its Value is one of
// DistressCategories. The classifier finds it before anything else and the engine answers
// it before any intent, in every state but escalated and opted out.
const EntityDistress = "distress"

// Distress categories, most urgent first.
const (
	DistressSuicide   = "suicide"   // suicidal thoughts or self-harm: 024, 112
	DistressChild     = "child"     // a child or teenager at risk: 116 111, 112
	DistressViolence  = "violence"  // gender violence, violence at home: 016, 112
	DistressElderly   = "elderly"   // an older or dependent person alone and unwell: 112, social services
	DistressHunger    = "hunger"    // no food: social services
	DistressHousing   = "housing"   // eviction, losing the home: social services, Ofideute
	DistressUtilities = "utilities" // a cut of electricity, water or gas: social services
)

// DistressCategories lists the distress categories, most urgent first.
var DistressCategories = []string{
	DistressSuicide, DistressChild, DistressViolence, DistressElderly,
	DistressHunger, DistressHousing, DistressUtilities,
}

// Catalog keys of the distress answers: KeyDistressPrefix + category is the urgent route of
// that category.
const (
	KeyDistressPrefix    = "distress."
	KeyDistressEscalated = "distress.escalated"
	KeyDistressPerson    = "distress.person"
)

// maxDistressRoutes is how many categories one reply gives the routes of.
const maxDistressRoutes = 2

// distressOf returns the distress categories of cls, most urgent first.
func distressOf(cls Classification) []string {
	var cats []string
	for _, e := range cls.Entities {
		if e.Kind == EntityDistress && !slices.Contains(cats, e.Value) {
			cats = append(cats, e.Value)
		}
	}
	slices.SortStableFunc(cats, func(a, b string) int {
		return slices.Index(DistressCategories, a) - slices.Index(DistressCategories, b)
	})
	return cats
}

// distress answers a message that shows distress: the urgent routes first, then a person.
// The conversation is flagged urgent, so the social workers' inbox puts it first, and
// whatever was open (a verification, a list) is dropped.
func (t *turn) distress(cats []string) ([]Reply, error) {
	c := t.c
	c.Urgent, c.Distress, c.DistressAt = true, cats[0], t.now
	c.Misses = 0
	c.VerifyStep, c.VerifyIDMatched, c.Pending, c.PendingRef, c.Confirming = "", false, "", "", ""
	c.List, c.Offset = "", 0
	var lines []Text
	for _, cat := range cats[:min(len(cats), maxDistressRoutes)] {
		lines = append(lines, T(KeyDistressPrefix+cat))
	}
	if t.e.Escalator != nil {
		if _, err := t.e.Escalator.Escalate(t.ctx, t.tx, c, Escalation{Reason: ReasonDistress, Distress: cats[0], Priority: PriorityUrgent}); err != nil {
			return nil, fmt.Errorf("escalate distress: %w", err)
		}
		c.Menu = nil
		if err := fire(t.ctx, c, EventEscalate); err != nil {
			return nil, err
		}
		return []Reply{{Lines: append(lines, T(KeyDistressEscalated))}}, nil
	}
	lines = append(lines, T(KeyDistressPerson))
	r, err := t.reset(Reply{Lines: lines})
	return r, err
}
