package records

// ValidRef reports whether s is a well-formed application reference ("EXP-2026-000101").
func ValidRef(s string) bool { return refPattern.MatchString(s) }
