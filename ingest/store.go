package ingest

import (
	"context"
	"time"

	"github.com/catalonia/mygov/notices"
	"github.com/catalonia/mygov/records"
)

// Response is the answer of a write, as stored with its idempotency key.
type Response struct {
	Status int    `json:"status"`
	Body   []byte `json:"body"`
}

// Store is what the API needs of the store.
type Store interface {
	// AdministrationByKey returns the administration of the live API key with this
	// SHA-256 hash: ENOTFOUND for an unknown or revoked key.
	AdministrationByKey(ctx context.Context, hash []byte) (string, error)
	// Write runs fn in one transaction under (administrationID, key). When that key was
	// used before with the same requestHash, it returns the stored Response without calling
	// fn; with another requestHash it returns ECONFLICT. Otherwise fn's Response is stored
	// with the key and committed with fn's writes; fn's error rolls everything back and
	// stores nothing.
	Write(ctx context.Context, administrationID, key string, requestHash []byte, fn func(ctx context.Context, tx Tx) (Response, error)) (Response, error)
}

// Tx is what a write may read and change, all in its transaction.
type Tx interface {
	FindCitizenByID(ctx context.Context, id string) (*records.Citizen, error)
	// FindApplication returns the application with its history; ENOTFOUND when none.
	FindApplication(ctx context.Context, ref string) (*records.Application, error)
	// SaveCitizen inserts or updates the citizen.
	SaveCitizen(ctx context.Context, c *records.Citizen) error
	// SaveApplication inserts or updates the application; its history is the stored one
	// with steps appended.
	SaveApplication(ctx context.Context, a *records.Application) error
	// SaveHolding inserts the holding, or updates the one of the same citizen,
	// administration and category.
	SaveHolding(ctx context.Context, h records.DataHolding) error
	// RecordAccess appends an access event.
	RecordAccess(ctx context.Context, e *records.AccessEvent) error
	// QueueNotice queues a notice item and its job (see notices.Queuer).
	QueueNotice(ctx context.Context, it notices.Item) (bool, error)
	// ScheduleReminder enqueues the deadline reminder job to run at at; a job with the same
	// arguments is enqueued once.
	ScheduleReminder(ctx context.Context, job notices.Reminder, at time.Time) error
}

// Keys is what "mygov apikey" needs of the store.
type Keys interface {
	// CreateAPIKey stores the hash of a new key of the administration and returns its id.
	CreateAPIKey(ctx context.Context, administrationID string, hash []byte, now time.Time) (int64, error)
	// RevokeAPIKey revokes a key by id; ENOTFOUND when there is no live key with it.
	RevokeAPIKey(ctx context.Context, id int64, now time.Time) error
	// FindAdministration is ENOTFOUND for an unknown administration.
	FindAdministration(ctx context.Context, id string) (*records.Administration, error)
}
