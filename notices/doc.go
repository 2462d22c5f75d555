// Package notices tells citizens, on their own conversation, what changed in their records:
// an application's new status, a deadline three days ahead with a document still missing,
// a benefit their new situation makes likely.
//
// A change queues an Item and a River Job in the same transaction as the change (the store
// does both, see Queuer); items are unique per (citizen, cause), so a retried write never
// notifies twice. The Worker sends what a citizen has pending as one notice, only with their
// consent (given in conversation, dialog/consent.go), never to an opted-out address or a
// conversation a social worker holds, never in quiet hours (delayed to their end), and at
// most one a day: what comes later that day goes into the next one. The Sweep re-evaluates
// every citizen's eligibility each night and queues a notice for each newly likely benefit.
package notices
