package graph

import (
	"time"

	"github.com/99designs/gqlgen/graphql"

	"pause"
)

// MarshalTime and UnmarshalTime are the Time scalar (gqlgen.yml): gqlgen's RFC 3339 times, with
// input that is not one refused as the user's mistake (BAD_USER_INPUT), not an internal error.

// MarshalTime writes t as RFC 3339 with nanoseconds.
func MarshalTime(t time.Time) graphql.Marshaler { return graphql.MarshalTime(t) }

// UnmarshalTime reads an RFC 3339 time.
func UnmarshalTime(v any) (time.Time, error) {
	t, err := graphql.UnmarshalTime(v)
	if err != nil {
		return time.Time{}, pause.Errorf(pause.EINVALID, "This is not a time: send RFC 3339, such as 2026-12-24T09:00:00Z.")
	}
	return t, nil
}
