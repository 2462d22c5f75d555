package records

import (
	"errors"
	"fmt"
)

// Code classifies a domain error; each edge maps a code once (to an HTTP status, to a
// catalog key for the citizen).
type Code string

// Error codes shared by the domain packages.
const (
	EINVALID      Code = "invalid"
	ENOTFOUND     Code = "not_found"
	ECONFLICT     Code = "conflict"
	EUNAUTHORIZED Code = "unauthorized"
	EINTERNAL     Code = "internal"
)

// Error is a domain error with a code and a message safe to log (no personal data).
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any other
// error and "" for nil.
func ErrorCode(err error) Code {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}
