package dialog

import "context"

// Intent names, exactly as the classifier emits them.
const (
	IntentStatus    = "status"
	IntentMyData    = "my_data"
	IntentDataUsage = "data_usage"
	IntentForMe     = "for_me"
	IntentHuman     = "human"
	IntentGreeting  = "greeting"
	IntentGoodbye   = "goodbye"
	IntentHelp      = "help"
	IntentStop      = "stop"
	IntentLanguage  = "language"
	IntentOther     = "other"
)

// Intents lists every intent label the engine understands.
var Intents = []string{
	IntentStatus, IntentMyData, IntentDataUsage, IntentForMe, IntentHuman,
	IntentGreeting, IntentGoodbye, IntentHelp, IntentStop, IntentLanguage, IntentOther,
}

// Entity kinds found in a message.
const (
	EntityApplicationRef = "application_ref" // normalized "EXP-2026-000101"
	EntityNationalID     = "national_id"     // normalized DNI/NIE "12345678Z", check letter valid
	EntityDate           = "date"            // ISO "1984-03-15"
	EntityPhone          = "phone"           // E.164 "+34600000001"
	EntityProcedure      = "procedure"       // a procedure or benefit ID of the records catalog
	EntityLanguage       = "language"        // "ca" or "es", a language the citizen asked for
)

// Entity is one piece of structured data found in a message.
type Entity struct {
	Kind  string `json:"kind"`
	Value string `json:"value"` // normalized value
	Text  string `json:"text"`  // the span as the citizen wrote it
}

// Classification is what a Classifier understood of one message.
type Classification struct {
	Intent     string   `json:"intent"`
	Confidence float64  `json:"confidence"`
	Lang       string   `json:"lang"` // "ca", "es", or "" when the text fits both
	Entities   []Entity `json:"entities"`
	// Alternatives are the next most likely intents, most likely first: the engine offers
	// them when it is not sure ("did you mean…?").
	Alternatives []Alternative `json:"alternatives,omitempty"`
}

// Alternative is a runner-up intent with its calibrated probability.
type Alternative struct {
	Intent     string  `json:"intent"`
	Confidence float64 `json:"confidence"`
}

// Entity returns the first entity of the kind, if any.
func (c Classification) Entity(kind string) (Entity, bool) {
	for _, e := range c.Entities {
		if e.Kind == kind {
			return e, true
		}
	}
	return Entity{}, false
}

// Classifier turns a message into an intent, a confidence, a language and entities.
// Implementations must be safe for concurrent use.
type Classifier interface {
	Classify(ctx context.Context, text string) Classification
}
