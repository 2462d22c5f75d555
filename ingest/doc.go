// Package ingest is the API through which administrations publish a citizen's records to
// MyGov: citizens and their profile, applications and their status changes, missing
// documents and deadlines, data holdings and access events. It is JSON over HTTP under
// /api/v1/, authenticated per administration with a bearer token (see NewToken), and every
// write is idempotent under its Idempotency-Key header: the same key and body get the same
// answer and change nothing more; the same key with another body is 409.
//
// An administration writes only its own applications and access events (403 otherwise).
// Invalid bodies are 422 with every bad field named; an unknown citizen or application is
// 404; a body over MaxBody is 413. Each write runs in one store transaction together with
// the notices it causes (see package notices). Import reads the same records from a JSON
// Lines file, one transaction per record.
package ingest
