// Package inbox is the social workers' side of MyGov: the Escalator that hands a
// conversation to a team's queue when the citizen asks for a person (or the dialog decides
// a person is needed), and the web inbox under /inbox/ where workers log in, see their
// queues live, read the conversation, keep internal notes, reply to the citizen over the
// citizen's own channel and give the conversation back to the assistant.
//
// # Who sees what
//
// A Staff member belongs to one municipality and one team. A worker sees the open cases of
// their team; a coordinator sees every team of their municipality and can assign cases to
// anyone of it. Nobody sees another municipality's cases: a case outside the caller's scope
// answers 404, the same as a case that does not exist. Citizens that are not identified go
// to the GeneralTeam queue of the GeneralMunicipality.
//
// # Live updates
//
// The queue and the conversation pages listen to server-sent events (/inbox/events). Each
// connection polls Store.CaseVersions, a cheap digest of the open cases in the worker's
// scope and of their last messages, and sends an event when it changes: several replicas
// behind a load balancer see the same database, so no replica has to tell another.
//
// # Security
//
// Passwords are hashed with argon2id; sessions are random tokens kept only as a SHA-256
// hash, in HttpOnly, SameSite=Lax cookies (Secure behind HTTPS); every form carries the
// session's CSRF token; logins are rate-limited per account and per address. Pages are
// html/template (citizen text is escaped) under a Content-Security-Policy that allows no
// inline script. Every handler checks the session and the role on the server.
package inbox
