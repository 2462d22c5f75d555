//go:build tools

// Package tools pins the modules that MyGov's packages adapt, so that "go mod tidy" keeps
// them while a package that imports one is being written.
package tools

import (
	_ "cel.dev/cel-go/cel"
	_ "github.com/BurntSushi/toml"
	_ "github.com/go-telegram/bot"
	_ "github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/looplab/fsm"
	_ "github.com/nicksnyder/go-i18n/v2/i18n"
	_ "github.com/nlpodyssey/spago/ag"
	_ "github.com/riverqueue/river"
	_ "github.com/riverqueue/river/riverdriver/riverpgxv5"
	_ "github.com/riverqueue/river/riverdriver/riversqlite"
	_ "github.com/twilio/twilio-go"
	_ "modernc.org/sqlite"
)
